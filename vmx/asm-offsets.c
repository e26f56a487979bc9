// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets for vmenter.S, generated from the C structs so that the world
 * switch never hard-codes a layout. Kbuild compiles this file to
 * assembly and turns its markers into vmx/vmx-offsets.h.
 */
#include <linux/kbuild.h>
#include <linux/stddef.h>

#include <asm/vmx.h>

#include "hvk_arch.h"

#define REG(name, idx) \
	OFFSET(VMX_REGS_##name, vmx_guest_regs, gpr[idx])

void hvk_vmx_asm_offsets(void);

void hvk_vmx_asm_offsets(void)
{
	REG(RAX, VMX_RAX);
	REG(RCX, VMX_RCX);
	REG(RDX, VMX_RDX);
	REG(RBX, VMX_RBX);
	REG(RBP, VMX_RBP);
	REG(RSI, VMX_RSI);
	REG(RDI, VMX_RDI);
	REG(R8, VMX_R8);
	REG(R9, VMX_R9);
	REG(R10, VMX_R10);
	REG(R11, VMX_R11);
	REG(R12, VMX_R12);
	REG(R13, VMX_R13);
	REG(R14, VMX_R14);
	REG(R15, VMX_R15);
	OFFSET(VMX_REGS_CR2, vmx_guest_regs, cr2);
	/* Not an offset: the VMCS field encoding vmenter.S writes. */
	DEFINE(VMX_HOST_RSP, HOST_RSP);
}

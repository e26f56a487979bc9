// SPDX-License-Identifier: GPL-2.0
/*
 * What exit handlers do to the guest's state: its general-purpose
 * registers by number (31 is XZR), stepping over a trapped instruction,
 * and exceptions injected into its EL1.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/esr.h>
#include <asm/ptrace.h>

#include "arm64.h"
#include "hvk.h"
#include "inject.h"

/* SCTLR_EL1.DSSBS: PSTATE.SSBS on exception entry. */
#define HVK_SCTLR_DSSBS		BIT_ULL(44)
/* Synchronous external abort, not on a table walk (ESR_ELx.xFSC). */
#define HVK_FSC_EXTABT		0x10

u64 hvk_arm64_get_reg(struct hvk_vcpu *vcpu, unsigned int rt)
{
	return rt == 31 ? 0 : vcpu->arch.regs.regs.regs[rt];
}

void hvk_arm64_set_reg(struct hvk_vcpu *vcpu, unsigned int rt, u64 val)
{
	if (rt != 31)
		vcpu->arch.regs.regs.regs[rt] = val;
}

/*
 * Step over the instruction of the last exit: 4 bytes (ESR_EL2.IL set)
 * for every A64 and A32 instruction, 2 for a 16-bit T32 one from a
 * guest's AArch32 EL0. The syndrome stays until the next entry, so the
 * MMIO completion at the next KVM_RUN sees the same one.
 */
void hvk_arm64_skip_instr(struct hvk_vcpu *vcpu)
{
	vcpu->arch.regs.regs.pc += vcpu->arch.exit.esr & HVK_ESR_IL ? 4 : 2;
}

/*
 * Take a synchronous exception to the guest's EL1, as the hardware would
 * (Arm ARM, "Exception entry"): ELR_EL1 and SPSR_EL1 get the PC and
 * PSTATE, the PC goes to VBAR_EL1 plus the offset for where the
 * exception came from, PSTATE becomes EL1h with DAIF masked, PAN set
 * unless SCTLR_EL1.SPAN, SSBS from SCTLR_EL1.DSSBS.
 */
static void inject_sync(struct hvk_vcpu *vcpu, u64 esr, u64 far,
			    bool set_far)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u64 pstate = a->regs.regs.pstate;
	u64 sctlr = a->sys[HVK_SCTLR_EL1];
	u64 offset;

	hvk_vcpu_inject_event(vcpu, esr);

	if (pstate & PSR_MODE32_BIT)	/* AArch32 EL0 */
		offset = 0x600;
	else if ((pstate & PSR_MODE_MASK) == PSR_MODE_EL1t)
		offset = 0x000;
	else if ((pstate & PSR_MODE_MASK) == PSR_MODE_EL1h)
		offset = 0x200;
	else				/* EL0t, AArch64 */
		offset = 0x400;
	a->regs.elr_el1 = a->regs.regs.pc;
	a->regs.spsr[KVM_SPSR_EL1] = pstate;
	a->regs.regs.pc = a->sys[HVK_VBAR_EL1] + offset;
	pstate = PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT;
	if (!(sctlr & HVK_SCTLR_SPAN))
		pstate |= PSR_PAN_BIT;
	if (sctlr & HVK_SCTLR_DSSBS)
		pstate |= PSR_SSBS_BIT;
	a->regs.regs.pstate = pstate;
	a->sys[HVK_ESR_EL1] = esr;
	if (set_far)
		a->sys[HVK_FAR_EL1] = far;
}

/* The guest runs at EL0 (AArch64 EL0t or AArch32). */
bool hvk_arm64_guest_at_el0(struct hvk_vcpu *vcpu)
{
	u64 pstate = vcpu->arch.regs.regs.pstate;

	return (pstate & PSR_MODE32_BIT) ||
	       (pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
}

/* An UNDEFINED instruction: EC 0 ("unknown reason"), IL 1. */
void hvk_arm64_inject_undef(struct hvk_vcpu *vcpu)
{
	inject_sync(vcpu, (u64)ESR_ELx_EC_UNKNOWN << ESR_ELx_EC_SHIFT |
			HVK_ESR_IL, 0, false);
}

/*
 * A synchronous external abort on @addr (a virtual address, FAR_EL1):
 * instruction or data abort, from the current or a lower EL.
 */
void hvk_arm64_inject_abort(struct hvk_vcpu *vcpu, bool iabt, u64 addr)
{
	bool el0 = hvk_arm64_guest_at_el0(vcpu);
	u64 ec;

	if (iabt)
		ec = el0 ? ESR_ELx_EC_IABT_LOW : ESR_ELx_EC_IABT_CUR;
	else
		ec = el0 ? ESR_ELx_EC_DABT_LOW : ESR_ELx_EC_DABT_CUR;
	inject_sync(vcpu, ec << ESR_ELx_EC_SHIFT | HVK_ESR_IL |
			HVK_FSC_EXTABT, addr, true);
}

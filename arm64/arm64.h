/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the arm64 backend's files share: system register encodings, the
 * exit handlers' return rule, and the entry points of the small leaf
 * files (extstate, spectre, serror, mmu). Each larger job has its own
 * header: exit.h, psci.h, sysreg_trap.h, power.h, vtimer.h, world.h,
 * vmid.h, vcpu_regs.h.
 */
#ifndef HVK_ARM64_ARM64_H
#define HVK_ARM64_ARM64_H

#include <linux/kvm.h>
#include <linux/types.h>
#include <asm/sysreg.h>

#include "arch.h"	/* enum hvk_exit_action */
#include "mmu/mmu.h"	/* the fault path, vm->mmu */

struct hvk_vm;
struct hvk_vcpu;
struct hvk_pgt_fmt;

/*
 * System register encodings (Arm ARM, D19 "AArch64 System register
 * descriptions"; op0, op1, CRn, CRm, op2). Named here with an HVK_ prefix
 * because the kernel's own names moved between 6.1 and 6.12 (some into
 * generated headers).
 */
#define HVK_SYS_SCTLR_EL12		sys_reg(3, 5, 1, 0, 0)
#define HVK_SYS_CPACR_EL12		sys_reg(3, 5, 1, 0, 2)
#define HVK_SYS_TTBR0_EL12		sys_reg(3, 5, 2, 0, 0)
#define HVK_SYS_TTBR1_EL12		sys_reg(3, 5, 2, 0, 1)
#define HVK_SYS_TCR_EL12		sys_reg(3, 5, 2, 0, 2)
#define HVK_SYS_SPSR_EL12		sys_reg(3, 5, 4, 0, 0)
#define HVK_SYS_ELR_EL12		sys_reg(3, 5, 4, 0, 1)
#define HVK_SYS_AFSR0_EL12		sys_reg(3, 5, 5, 1, 0)
#define HVK_SYS_AFSR1_EL12		sys_reg(3, 5, 5, 1, 1)
#define HVK_SYS_ESR_EL12		sys_reg(3, 5, 5, 2, 0)
#define HVK_SYS_FAR_EL12		sys_reg(3, 5, 6, 0, 0)
#define HVK_SYS_MAIR_EL12		sys_reg(3, 5, 10, 2, 0)
#define HVK_SYS_AMAIR_EL12		sys_reg(3, 5, 10, 3, 0)
#define HVK_SYS_VBAR_EL12		sys_reg(3, 5, 12, 0, 0)
#define HVK_SYS_CONTEXTIDR_EL12		sys_reg(3, 5, 13, 0, 1)
#define HVK_SYS_CNTKCTL_EL12		sys_reg(3, 5, 14, 1, 0)
#define HVK_SYS_CNTV_CTL_EL02		sys_reg(3, 5, 14, 3, 1)
#define HVK_SYS_CNTV_CVAL_EL02		sys_reg(3, 5, 14, 3, 2)

#define HVK_SYS_TPIDR_EL1		sys_reg(3, 0, 13, 0, 4)
#define HVK_SYS_TPIDR_EL0		sys_reg(3, 3, 13, 0, 2)
#define HVK_SYS_TPIDRRO_EL0		sys_reg(3, 3, 13, 0, 3)
#define HVK_SYS_PAR_EL1			sys_reg(3, 0, 7, 4, 0)
#define HVK_SYS_CSSELR_EL1		sys_reg(3, 2, 0, 0, 0)
#define HVK_SYS_SP_EL1			sys_reg(3, 4, 4, 1, 0)

#define HVK_SYS_VPIDR_EL2		sys_reg(3, 4, 0, 0, 0)
#define HVK_SYS_VMPIDR_EL2		sys_reg(3, 4, 0, 0, 5)
#define HVK_SYS_HCR_EL2			sys_reg(3, 4, 1, 1, 0)
#define HVK_SYS_MDCR_EL2		sys_reg(3, 4, 1, 1, 1)
#define HVK_SYS_CPTR_EL2		sys_reg(3, 4, 1, 1, 2)
#define HVK_SYS_VTTBR_EL2		sys_reg(3, 4, 2, 1, 0)
#define HVK_SYS_VTCR_EL2		sys_reg(3, 4, 2, 1, 2)
#define HVK_SYS_ESR_EL2			sys_reg(3, 4, 5, 2, 0)
#define HVK_SYS_VSESR_EL2		sys_reg(3, 4, 5, 2, 3)
#define HVK_SYS_FAR_EL2			sys_reg(3, 4, 6, 0, 0)
#define HVK_SYS_HPFAR_EL2		sys_reg(3, 4, 6, 0, 4)
#define HVK_SYS_CNTVOFF_EL2		sys_reg(3, 4, 14, 0, 3)
#define HVK_SYS_CNTHCTL_EL2		sys_reg(3, 4, 14, 1, 0)

/* ESR_ELx fields (Arm ARM, ESR_EL2) hvk decodes. */
#define HVK_ESR_EC(esr)		(((esr) >> 26) & 0x3f)
#define HVK_ESR_IL		BIT(25)
#define HVK_ESR_ISS(esr)	((esr) & (BIT(25) - 1))

/* SCTLR_ELx bits hvk looks at. */
#define HVK_SCTLR_EE		BIT(25)
#define HVK_SCTLR_SPAN		BIT(23)
/*
 * SCTLR_EL1 at reset for hvk vCPUs: MMU and caches off, little-endian,
 * with the bits RES1 in Armv8.0 set (29, 28, 23, 22, 20, 11: LSMAOE,
 * nTLSMD, SPAN, EIS, TSCXT, EOS, whose "1" is the v8.0 behaviour).
 */
#define HVK_SCTLR_EL1_RESET	0x30d00800UL

/* arm64/extstate.c: host values of the optional state it switches */
struct hvk_ext_host {
	u64 hfgrtr, hfgwtr, hfgitr, hdfgrtr, hdfgwtr, hcrx, tpidr2, ich_hcr;
};

int hvk_arm64_ext_init(void);
bool hvk_arm64_ext_cpu_ok(unsigned int cpu);
bool hvk_arm64_ext_hide_mops(void);

/* arm64/spectre.c */
void hvk_arm64_spectre_init(void);

/* arm64/serror.c */
int hvk_arm64_handle_serror(struct hvk_vcpu *vcpu);
int hvk_arm64_handle_sea(struct hvk_vcpu *vcpu, u64 ipa);

/* arm64/mmu.c */
int hvk_arm64_s2_init(struct hvk_vm *vm, struct hvk_pgt_fmt *fmt);

#endif /* HVK_ARM64_ARM64_H */

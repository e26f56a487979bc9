// SPDX-License-Identifier: GPL-2.0
/*
 * Trapped system register accesses (ESR_EL2.EC 0x18): the ID registers
 * (HCR_EL2.TID3) read a sanitised view of the host's, the debug
 * registers (MDCR_EL2.TDA/TDOSA/TDRA) read as zero and ignore writes,
 * MDSCR_EL1 is kept per vCPU, ACTLR_EL1 (HCR_EL2.TACR) reads as zero;
 * every other trapped register is UNDEFINED for the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>

#include "arm64.h"
#include "hvk.h"

/* ISS of a trapped MSR/MRS (Arm ARM, ESR_EL2, EC 0x18). */
#define ISS_OP0(iss)	(((iss) >> 20) & 3)
#define ISS_OP2(iss)	(((iss) >> 17) & 7)
#define ISS_OP1(iss)	(((iss) >> 14) & 7)
#define ISS_CRN(iss)	(((iss) >> 10) & 0xf)
#define ISS_RT(iss)	(((iss) >> 5) & 0x1f)
#define ISS_CRM(iss)	(((iss) >> 1) & 0xf)
#define ISS_READ(iss)	((iss) & 1)

/* The AArch64 ID registers hvk shows (op0 3, op1 0, CRn 0). */
#define ID_AA64PFR0	sys_reg(3, 0, 0, 4, 0)
#define ID_AA64PFR1	sys_reg(3, 0, 0, 4, 1)
#define ID_AA64DFR0	sys_reg(3, 0, 0, 5, 0)
#define ID_AA64ISAR0	sys_reg(3, 0, 0, 6, 0)
#define ID_AA64ISAR1	sys_reg(3, 0, 0, 6, 1)
#define ID_AA64ISAR2	sys_reg(3, 0, 0, 6, 2)
#define ID_AA64MMFR0	sys_reg(3, 0, 0, 7, 0)
#define ID_AA64MMFR1	sys_reg(3, 0, 0, 7, 1)
#define ID_AA64MMFR2	sys_reg(3, 0, 0, 7, 2)

#define SR_MDSCR_EL1	sys_reg(2, 0, 0, 2, 2)
#define SR_OSLSR_EL1	sys_reg(2, 0, 1, 1, 4)
#define SR_ACTLR_EL1	sys_reg(3, 0, 1, 0, 1)

/* A 4-bit ID field at @shift. */
#define F(shift)	(0xfULL << (shift))

/*
 * hvk_arm64_id_reg_read() - the guest's view of an ID register
 * @encoding: sys_reg(3, 0, 0, CRm, op2), CRm 1..7
 * @val: set to the value
 *
 * The host's sanitised value (common to all CPUs) with what hvk does not
 * give guests taken out (Arm ARM, D19.2, the ID_AA64* field lists):
 *   PFR0: EL0/EL1 AArch64 only, no EL2/EL3, no GIC system registers, no
 *         RAS, SVE, SEL2, MPAM, AMU, RME;
 *   PFR1: only BT, SSBS and CSV2_frac (no MTE, SME, NMI, RAS/MPAM frac);
 *   DFR0: Armv8.0 debug (DebugVer 6) with the host's breakpoint and
 *         watchpoint counts, no trace, PMU or statistical profiling;
 *   ISAR1/ISAR2: no pointer authentication, LS64 or WFxT;
 *   MMFR0: no FGT, ECV; MMFR1: no VHE, LORegions, XNX, TWED, HCX, ...;
 *   MMFR2: no NV, FWB, EVT.
 * The AArch32 ID registers and everything else in the space are zero:
 * EL0 and EL1 are AArch64 only.
 *
 * Return: true (every register in the space reads as something).
 */
bool hvk_arm64_id_reg_read(u32 encoding, u64 *val)
{
	u64 v;

	switch (encoding) {
	case ID_AA64PFR0:
		v = read_sanitised_ftr_reg(ID_AA64PFR0);
		v &= F(16) | F(20) | F(48) | F(56) | F(60);
		v |= 0x11;		/* EL0, EL1: AArch64 only */
		break;
	case ID_AA64PFR1:
		v = read_sanitised_ftr_reg(ID_AA64PFR1);
		v &= F(0) | F(4) | F(32);
		break;
	case ID_AA64DFR0:
		v = read_sanitised_ftr_reg(ID_AA64DFR0);
		v &= F(12) | F(20) | F(28) | F(36);
		v |= 0x6;
		break;
	case ID_AA64ISAR0:
		v = read_sanitised_ftr_reg(ID_AA64ISAR0);
		break;
	case ID_AA64ISAR1:
		v = read_sanitised_ftr_reg(ID_AA64ISAR1);
		v &= ~(F(4) | F(8) | F(24) | F(28) | F(60));
		break;
	case ID_AA64ISAR2:
		v = read_sanitised_ftr_reg(ID_AA64ISAR2);
		v &= ~(F(0) | F(8) | F(12) | F(24));
		break;
	case ID_AA64MMFR0:
		v = read_sanitised_ftr_reg(ID_AA64MMFR0);
		v &= ~(F(56) | F(60));
		break;
	case ID_AA64MMFR1:
		v = read_sanitised_ftr_reg(ID_AA64MMFR1);
		v &= ~(F(8) | F(16) | F(24) | F(28) | F(32) | F(40) |
		       F(48) | F(52));
		break;
	case ID_AA64MMFR2:
		v = read_sanitised_ftr_reg(ID_AA64MMFR2);
		v &= ~(F(24) | F(40) | F(56));
		break;
	default:
		v = 0;
		break;
	}
	*val = v;
	return true;
}

/**
 * hvk_arm64_handle_sysreg() - a trapped MSR or MRS
 * @vcpu: the vCPU
 *
 * Return: HVK_RESUME_GUEST (the access was emulated and stepped over, or
 * an UNDEF was injected).
 */
int hvk_arm64_handle_sysreg(struct hvk_vcpu *vcpu)
{
	u64 iss = HVK_ESR_ISS(vcpu->arch.exit.esr);
	u32 enc = sys_reg(ISS_OP0(iss), ISS_OP1(iss), ISS_CRN(iss),
			  ISS_CRM(iss), ISS_OP2(iss));
	unsigned int rt = ISS_RT(iss);
	bool read = ISS_READ(iss);
	u64 val = 0;

	if (ISS_OP0(iss) == 3 && ISS_OP1(iss) == 0 && ISS_CRN(iss) == 0 &&
	    ISS_CRM(iss) >= 1) {
		/* ID space: read-only. */
		if (!read)
			goto undef;
		hvk_arm64_id_reg_read(enc, &val);
	} else if (enc == SR_MDSCR_EL1) {
		if (read)
			val = vcpu->arch.sys[HVK_MDSCR_EL1];
		else
			vcpu->arch.sys[HVK_MDSCR_EL1] =
				hvk_arm64_get_reg(vcpu, rt);
	} else if (enc == SR_OSLSR_EL1) {
		/* OS lock implemented (OSLM 0b10) and unlocked. */
		val = 0x8;
	} else if (ISS_OP0(iss) == 2 || enc == SR_ACTLR_EL1) {
		/* Other debug registers, ACTLR_EL1: RAZ/WI. */
	} else {
		goto undef;
	}

	if (read)
		hvk_arm64_set_reg(vcpu, rt, val);
	hvk_arm64_skip_instr(vcpu);
	return HVK_RESUME_GUEST;

undef:
	hvk_arm64_inject_undef(vcpu);
	return HVK_RESUME_GUEST;
}

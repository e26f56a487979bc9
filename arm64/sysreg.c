// SPDX-License-Identifier: GPL-2.0
/*
 * Trapped system register accesses (ESR_EL2.EC 0x18): the ID registers
 * (HCR_EL2.TID3) read a sanitised view of the host's, the debug
 * registers (MDCR_EL2.TDA/TDOSA/TDRA) read as zero and ignore writes,
 * MDSCR_EL1 is kept per vCPU, ACTLR_EL1 (HCR_EL2.TACR) reads as zero,
 * the EL1 physical timer is emulated (CNTHCTL_EL2.EL1PTEN clear), set/way
 * cache maintenance (HCR_EL2.TSW) completes as a no-op; every
 * other trapped register or instruction is UNDEFINED for the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/kvm.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>

#include "arm64.h"
#include "hvk.h"
#include "inject.h"
#include "irq/vgic.h"
#include "sysreg_trap.h"
#include "vtimer.h"

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
#define SR_ICC_SGI1R	sys_reg(3, 0, 12, 11, 5)
#define SR_ICC_ASGI1R	sys_reg(3, 1, 12, 11, 6)
#define SR_ICC_SGI0R	sys_reg(3, 2, 12, 11, 7)

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
 *   ISAR1/ISAR2: no pointer authentication, LS64 or WFxT (nor MOPS
 *         where FEAT_HCX keeps it off, arm64/extstate.c);
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
		/* MOPS (19:16): off in guests, HCRX_EL2.MSCEn = 0. */
		if (hvk_arm64_ext_hide_mops())
			v &= ~F(16);
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

#define SR_CNTP_TVAL	sys_reg(3, 3, 14, 2, 0)
#define SR_CNTP_CTL	sys_reg(3, 3, 14, 2, 1)
#define SR_CNTP_CVAL	sys_reg(3, 3, 14, 2, 2)
#define CNT_CTL_ENABLE	BIT(0)
#define CNT_CTL_IMASK	BIT(1)
#define CNT_CTL_ISTATUS	BIT(2)

/*
 * A timer's CTL as read: ISTATUS set when the count (physical minus
 * @offset) has reached CVAL. It is UNKNOWN while ENABLE is clear; KVM
 * computes it all the same, and so does hvk.
 */
static u64 sysreg_timer_ctl(u64 ctl, u64 cval, u64 offset)
{
	ctl &= CNT_CTL_ENABLE | CNT_CTL_IMASK;
	if (cval <= hvk_arm64_counter() - offset)
		ctl |= CNT_CTL_ISTATUS;
	return ctl;
}

/*
 * The EL1 physical timer, trapped (CNTHCTL_EL2.EL1PTEN = 0) because the
 * host has no interrupt of the guest's to give it: kept per vCPU and
 * emulated against the physical counter (Arm ARM, "The Generic Timer":
 * ISTATUS = CVAL <= count; TVAL is CVAL - count as a signed 32-bit
 * value). It fires through device_irq_level and wakes WFI (run.c), as
 * the virtual timer does.
 */
static bool sysreg_ptimer_access(struct hvk_vcpu *vcpu, u32 enc, bool read,
			      u64 *val)
{
	u64 *ctl = &vcpu->arch.sys[HVK_CNTP_CTL_EL0];
	u64 *cval = &vcpu->arch.sys[HVK_CNTP_CVAL_EL0];
	u64 now;

	switch (enc) {
	case SR_CNTP_CTL:
		if (read)
			*val = sysreg_timer_ctl(*ctl, *cval, 0);
		else
			*ctl = *val & (CNT_CTL_ENABLE | CNT_CTL_IMASK);
		return true;
	case SR_CNTP_CVAL:
		if (read)
			*val = *cval;
		else
			*cval = *val;
		return true;
	case SR_CNTP_TVAL:
		now = hvk_arm64_counter();
		if (read)
			*val = (u32)(*cval - now);
		else
			*cval = now + (s64)(s32)*val;
		return true;
	default:
		return false;
	}
}

/*
 * An ID register as this vCPU sees it: with a vGICv3 the GIC system
 * registers are there (ID_AA64PFR0_EL1.GIC = 1), for the guest and for
 * KVM_GET/SET_ONE_REG alike, as KVM shows them.
 */
static void sysreg_id_read(struct hvk_vcpu *vcpu, u32 enc, u64 *val)
{
	hvk_arm64_id_reg_read(enc, val);
	if (enc == ID_AA64PFR0 && READ_ONCE(vcpu->vm->irqchip))
		*val |= 1ULL << 24;
}

/* DC ISW, DC CSW, DC CISW: op0 1, op1 0, CRn 7, CRm 6/10/14, op2 2. */
static bool sysreg_is_set_way(u32 enc)
{
	return enc == sys_reg(1, 0, 7, 6, 2) ||
	       enc == sys_reg(1, 0, 7, 10, 2) ||
	       enc == sys_reg(1, 0, 7, 14, 2);
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
	/* A write's value; a read's result. */
	u64 val = read ? 0 : hvk_arm64_get_reg(vcpu, rt);

	if (ISS_OP0(iss) == 3 && ISS_OP1(iss) == 0 && ISS_CRN(iss) == 0 &&
	    ISS_CRM(iss) >= 1) {
		/* ID space: read-only. */
		if (!read)
			goto undef;
		sysreg_id_read(vcpu, enc, &val);
	} else if (enc == SR_MDSCR_EL1) {
		if (read)
			val = vcpu->arch.sys[HVK_MDSCR_EL1];
		else
			vcpu->arch.sys[HVK_MDSCR_EL1] = val;
	} else if (enc == SR_OSLSR_EL1) {
		/* OS lock implemented (OSLM 0b10) and unlocked. */
		val = 0x8;
	} else if (ISS_OP0(iss) == 2 || enc == SR_ACTLR_EL1) {
		/* Other debug registers, ACTLR_EL1: RAZ/WI. */
		val = 0;
	} else if (vcpu->irqchip && !read && (enc == SR_ICC_SGI1R ||
		   enc == SR_ICC_ASGI1R || enc == SR_ICC_SGI0R)) {
		/*
		 * SGI generation traps with HCR_EL2.IMO (IHI 0069, 12.2.22):
		 * the vGIC delivers it; ASGI1R and SGI0R raise Group 0 SGIs
		 * only, as KVM treats them with one security state.
		 */
		hvk_vgic_sgi(vcpu, val, enc == SR_ICC_SGI1R);
	} else if (sysreg_ptimer_access(vcpu, enc, read, &val)) {
		/* The emulated EL1 physical timer. */
	} else if (sysreg_is_set_way(enc)) {
		/*
		 * DC ISW/CSW/CISW (HCR_EL2.TSW): by set/way, on the host's
		 * caches, they cannot mean anything for one guest. With
		 * FEAT_S2FWB the guest's RAM is always Write-Back through
		 * stage 2, so there is nothing to do; without it a guest
		 * that cleans by set/way before turning its MMU off may
		 * read stale data (KVM then cleans all its memory; hvk
		 * does not yet).
		 */
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

/*
 * System registers through KVM_GET/SET_ONE_REG (KVM_REG_ARM64_SYSREG ids,
 * KVM API "ARM64 system registers"): the guest's EL1/EL0 registers hvk
 * switches, MPIDR_EL1, the timers (KVM_REG_ARM_TIMER_CTL/CNT/CVAL, and
 * unlisted, as in KVM, KVM_REG_ARM_PTIMER_*), and the whole ID space (op0 3, op1 0, CRn 0,
 * CRm 1..7), which reads as the guest sees it and accepts only the value
 * it already has, as KVM does for registers it does not let userspace
 * change. MIDR_EL1 and CTR_EL0 likewise.
 */
#define ONE_REG_SYS(op0, op1, crn, crm, op2) \
	((u16)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | \
	       (op2)))

/* Accepted by ONE_REG, not in KVM_GET_REG_LIST (as KVM's PTIMER ids). */
#define HVK_SR_UNLISTED		0x80

enum {
	HVK_SR_MPIDR = HVK_NR_SYSREGS, HVK_SR_MIDR, HVK_SR_CTR,
	HVK_SR_TIMER_CNT, HVK_SR_PTIMER_CNT,
};
static_assert(HVK_SR_PTIMER_CNT < HVK_SR_UNLISTED);
static_assert(HVK_CNTV_CVAL_EL0 == HVK_CNTV_CTL_EL0 + 1 &&
	      HVK_CNTP_CVAL_EL0 == HVK_CNTP_CTL_EL0 + 1);

static const struct {
	u16 id;		/* low 16 bits of the ONE_REG id */
	u8 slot;	/* enum hvk_sysreg, or HVK_SR_*, | HVK_SR_UNLISTED */
} hvk_one_sysregs[] = {
	/* sorted by id, as KVM_GET_REG_LIST lists them */
	{ ONE_REG_SYS(2, 0, 0, 2, 2), HVK_MDSCR_EL1 },
	{ ONE_REG_SYS(3, 0, 0, 0, 0), HVK_SR_MIDR },
	{ ONE_REG_SYS(3, 0, 0, 0, 5), HVK_SR_MPIDR },
	{ ONE_REG_SYS(3, 0, 1, 0, 0), HVK_SCTLR_EL1 },
	{ ONE_REG_SYS(3, 0, 1, 0, 2), HVK_CPACR_EL1 },
	{ ONE_REG_SYS(3, 0, 2, 0, 0), HVK_TTBR0_EL1 },
	{ ONE_REG_SYS(3, 0, 2, 0, 1), HVK_TTBR1_EL1 },
	{ ONE_REG_SYS(3, 0, 2, 0, 2), HVK_TCR_EL1 },
	{ ONE_REG_SYS(3, 0, 5, 1, 0), HVK_AFSR0_EL1 },
	{ ONE_REG_SYS(3, 0, 5, 1, 1), HVK_AFSR1_EL1 },
	{ ONE_REG_SYS(3, 0, 5, 2, 0), HVK_ESR_EL1 },
	{ ONE_REG_SYS(3, 0, 6, 0, 0), HVK_FAR_EL1 },
	{ ONE_REG_SYS(3, 0, 7, 4, 0), HVK_PAR_EL1 },
	{ ONE_REG_SYS(3, 0, 10, 2, 0), HVK_MAIR_EL1 },
	{ ONE_REG_SYS(3, 0, 10, 3, 0), HVK_AMAIR_EL1 },
	{ ONE_REG_SYS(3, 0, 12, 0, 0), HVK_VBAR_EL1 },
	{ ONE_REG_SYS(3, 0, 13, 0, 1), HVK_CONTEXTIDR_EL1 },
	{ ONE_REG_SYS(3, 0, 13, 0, 4), HVK_TPIDR_EL1 },
	{ ONE_REG_SYS(3, 0, 14, 1, 0), HVK_CNTKCTL_EL1 },
	{ ONE_REG_SYS(3, 2, 0, 0, 0), HVK_CSSELR_EL1 },
	{ ONE_REG_SYS(3, 3, 0, 0, 1), HVK_SR_CTR },
	{ ONE_REG_SYS(3, 3, 13, 0, 2), HVK_TPIDR_EL0 },
	{ ONE_REG_SYS(3, 3, 13, 0, 3), HVK_TPIDRRO_EL0 },
	/*
	 * The timers, at KVM's ids (<asm/kvm.h>): KVM_REG_ARM_TIMER_CVAL
	 * and _CNT have each other's architectural encodings there, and
	 * only the three virtual-timer ids are listed.
	 */
	{ ONE_REG_SYS(3, 3, 14, 0, 1), HVK_SR_PTIMER_CNT | HVK_SR_UNLISTED },
	{ ONE_REG_SYS(3, 3, 14, 0, 2), HVK_CNTV_CVAL_EL0 },
	{ ONE_REG_SYS(3, 3, 14, 2, 1), HVK_CNTP_CTL_EL0 | HVK_SR_UNLISTED },
	{ ONE_REG_SYS(3, 3, 14, 2, 2), HVK_CNTP_CVAL_EL0 | HVK_SR_UNLISTED },
	{ ONE_REG_SYS(3, 3, 14, 3, 1), HVK_CNTV_CTL_EL0 },
	{ ONE_REG_SYS(3, 3, 14, 3, 2), HVK_SR_TIMER_CNT },
};

#define ONE_REG_ID_FIRST	ONE_REG_SYS(3, 0, 0, 1, 0)
#define ONE_REG_ID_LAST		ONE_REG_SYS(3, 0, 0, 7, 7)
/* The ID space comes after MPIDR_EL1 and before SCTLR_EL1 in id order. */
#define ONE_REG_ID_AFTER	2

static u64 sysreg_one_id(u16 low)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | low;
}

static int sysreg_one_slot(u16 low)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvk_one_sysregs); i++)
		if (hvk_one_sysregs[i].id == low)
			return hvk_one_sysregs[i].slot;
	return -ENOENT;
}

/**
 * hvk_arm64_sysreg_one_reg() - a KVM_REG_ARM64_SYSREG id's value
 * @vcpu: the vCPU
 * @id: the full ONE_REG id (KVM_REG_ARM64 | KVM_REG_ARM64_SYSREG)
 * @val: read into or written from
 * @set: KVM_SET_ONE_REG
 *
 * Return: 0, -ENOENT for a register hvk does not have (or a size other
 * than 64 bits), -EINVAL for a write to a fixed register that changes it.
 */
int hvk_arm64_sysreg_one_reg(struct hvk_vcpu *vcpu, u64 id, u64 *val,
			     bool set)
{
	u64 low = id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK |
			 KVM_REG_ARM_COPROC_MASK);
	u64 fixed;
	int slot;

	if ((id & KVM_REG_SIZE_MASK) != KVM_REG_SIZE_U64 || low > 0xffff)
		return -ENOENT;

	if (low >= ONE_REG_ID_FIRST && low <= ONE_REG_ID_LAST) {
		sysreg_id_read(vcpu, sys_reg(3, 0, 0, (low >> 3) & 0xf,
					     low & 7), &fixed);
		goto fixed;
	}
	slot = sysreg_one_slot(low);
	if (slot >= 0)
		slot &= ~HVK_SR_UNLISTED;
	switch (slot) {
	case -ENOENT:
		return -ENOENT;
	case HVK_SR_TIMER_CNT:
		/* Setting the virtual count moves the VM's offset. */
		if (set)
			WRITE_ONCE(vcpu->vm->arch.cntvoff,
				   hvk_arm64_counter() - *val);
		else
			*val = hvk_arm64_counter() -
			       READ_ONCE(vcpu->vm->arch.cntvoff);
		return 0;
	case HVK_SR_PTIMER_CNT:
		/*
		 * The physical count is the host's: hvk has no physical
		 * offset (FEAT_ECV), so a write is accepted and ignored.
		 */
		if (!set)
			*val = hvk_arm64_counter();
		return 0;
	case HVK_SR_MPIDR:
		if (set)
			vcpu->arch.mpidr = *val;
		else
			*val = vcpu->arch.mpidr;
		return 0;
	case HVK_SR_MIDR:
		fixed = read_cpuid_id();
		goto fixed;
	case HVK_SR_CTR:
		fixed = read_sanitised_ftr_reg(SYS_CTR_EL0);
		goto fixed;
	case HVK_CNTV_CTL_EL0:
	case HVK_CNTP_CTL_EL0:
		if (set) {
			vcpu->arch.sys[slot] = *val &
					       (CNT_CTL_ENABLE | CNT_CTL_IMASK);
			return 0;
		}
		*val = sysreg_timer_ctl(vcpu->arch.sys[slot],
				     vcpu->arch.sys[slot + 1],
				     slot == HVK_CNTV_CTL_EL0 ?
				     READ_ONCE(vcpu->vm->arch.cntvoff) : 0);
		return 0;
	default:
		if (set)
			vcpu->arch.sys[slot] = *val;
		else
			*val = vcpu->arch.sys[slot];
		return 0;
	}

fixed:
	if (!set) {
		*val = fixed;
		return 0;
	}
	return *val == fixed ? 0 : -EINVAL;
}

/**
 * hvk_arm64_sysreg_list() - the KVM_REG_ARM64_SYSREG ids, in id order
 * @ids: where to write them, or NULL to count only
 *
 * Return: how many there are.
 */
unsigned int hvk_arm64_sysreg_list(u64 *ids)
{
	unsigned int i, n = 0;
	u16 low;

	for (i = 0; i < ARRAY_SIZE(hvk_one_sysregs); i++) {
		if (i == ONE_REG_ID_AFTER) {
			for (low = ONE_REG_ID_FIRST; low <= ONE_REG_ID_LAST;
			     low++, n++)
				if (ids)
					ids[n] = sysreg_one_id(low);
		}
		if (hvk_one_sysregs[i].slot & HVK_SR_UNLISTED)
			continue;
		if (ids)
			ids[n] = sysreg_one_id(hvk_one_sysregs[i].id);
		n++;
	}
	return n;
}

/*
 * The EL1 system registers at reset: SCTLR_EL1 with the MMU and caches
 * off, everything else zero (their reset values are UNKNOWN in the Arm
 * ARM; zero is what a guest may assume least about).
 */
void hvk_arm64_vcpu_reset_sysregs(struct hvk_vcpu *vcpu)
{
	memset(vcpu->arch.sys, 0, sizeof(vcpu->arch.sys));
	vcpu->arch.serror_pending = false;
	vcpu->arch.sys[HVK_SCTLR_EL1] = HVK_SCTLR_EL1_RESET;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Optional architecture state a guest could reach although hvk does not
 * offer the feature: what newer CPUs add beyond the Armv8.2 registers
 * arm64/world.c switches. Each item is trapped (the guest gets UNDEFINED,
 * consistent with the ID registers hvk shows, arm64/sysreg.c), switched
 * per entry, or, where neither is possible, hvk refuses to load.
 *
 *   FEAT_FGT    HFGRTR_EL2, HFGWTR_EL2, HFGITR_EL2, HDFGRTR_EL2 and
 *               HDFGWTR_EL2 hold whatever the host kernel set at boot
 *               (for its own EL1&0 use, e.g. nTPIDR2_EL0 / nSMPRI_EL1
 *               set to let SME state through). While a guest runs they
 *               hold hvk's own value, 0: no fine-grained trap among the
 *               "trap when 1" bits (the coarse controls in HCR_EL2,
 *               MDCR_EL2 and CPTR_EL2 still apply), and every "n" bit
 *               (trap when 0: nTPIDR2_EL0, nSMPRI_EL1, nPOR_EL0,
 *               nPOR_EL1, nACCDATA_EL1, the BRBE and SPE ones) traps.
 *               Arm ARM D19.2, HFGRTR_EL2 and friends.
 *   FEAT_FGT2   adds HFGRTR2_EL2 and more "n" bits hvk does not know:
 *               refused.
 *   FEAT_HCX    HCRX_EL2 enables EL1/EL0 state and instructions (FPMR
 *               through EnFPM, TCR2_EL1, SCTLR2_EL1, MOPS through MSCEn,
 *               LS64, the NMI and SME priority controls). Guests run
 *               with 0: all of it off, so FPMR, TCR2_EL1 and SCTLR2_EL1
 *               accesses trap or UNDEF and TCR2_EL1 (hence S1POE) has an
 *               effective value of 0. The ID registers hide MOPS.
 *   FEAT_FPMR   only reachable through HCRX_EL2.EnFPM: a CPU with FPMR
 *               and no FEAT_HCX is refused.
 *   FEAT_S1POE  POR_EL0 (the VMM thread's, with 6.12's user pkeys) and
 *               POR_EL1 are trapped by the FGT "n" bits above and POE is
 *               off for the guest (TCR2_EL1 effectively 0): a CPU with
 *               S1POE and no FEAT_FGT is refused.
 *   FEAT_SME    SMSTART, SVCR, SMCR_EL1 and ZA trap through CPTR_EL2.SMEN
 *               (arm64/world.c). TPIDR2_EL0 is not covered by SMEN (only
 *               by SCR_EL3.EnTP2 and the FGT bit nTPIDR2_EL0) and holds
 *               the VMM thread's value: switched per entry, with a
 *               per-vCPU guest copy starting at 0 (and trapped as well
 *               where FGT exists). SMPRI_EL1 is trapped by nSMPRI_EL1
 *               where FGT exists; without FGT hvk relies on SMEN (not
 *               verified on hardware; QEMU 7.2's SME implements no
 *               streaming priorities, SMPRI_EL1 is RES0 there).
 *   GICv3       with HCR_EL2.IMO/FMO set, a guest's ICC_* accesses reach
 *               the virtual CPU interface (ICV_*), whose state is
 *               ICH_VMCR_EL2 and ICH_AP{0,1}R<n>_EL2: one VM's priority
 *               mask, group enables and active priorities would be the
 *               next one's. A VM without a vGIC sees no GIC system
 *               registers (ID_AA64PFR0_EL1.GIC = 0), so they are
 *               trapped: ICH_HCR_EL2.TC, TALL0 and TALL1 while the guest
 *               runs (GICv3 architecture specification, ICH_HCR_EL2),
 *               and the sysreg handler makes them UNDEFINED. A VM with
 *               a vGIC gets its own ICH_* state (arm64/vgic-hw.c).
 *
 * Features are taken from every CPU's own ID registers (the union: a
 * guest on any CPU must be covered), read raw because the kernel's
 * sanitised table does not know ID_AA64PFR2_EL1 and ID_AA64MMFR3_EL1 in
 * 6.1 (unallocated ID registers read as zero, Arm ARM D19.1).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include <asm/sysreg.h>

#include "arm64.h"
#include "extstate.h"
#include "hvk.h"

/* ID register fields (Arm ARM D19.2). */
#define ID_PFR0_GIC(v)		(((v) >> 24) & 0xf)
#define ID_PFR1_SME(v)		(((v) >> 24) & 0xf)
#define ID_PFR2_FPMR(v)		(((v) >> 32) & 0xf)
#define ID_MMFR0_FGT(v)		(((v) >> 56) & 0xf)
#define ID_MMFR1_HCX(v)		(((v) >> 40) & 0xf)
#define ID_MMFR3_S1POE(v)	(((v) >> 16) & 0xf)

#define HVK_SYS_ID_PFR2		sys_reg(3, 0, 0, 4, 2)
#define HVK_SYS_ID_MMFR3		sys_reg(3, 0, 0, 7, 3)

#define HVK_SYS_ICC_SRE_EL2		sys_reg(3, 4, 12, 9, 5)
#define HVK_ICC_SRE_EL2_SRE	BIT(0)

struct hvk_ext_feat hvk_ext;
static DEFINE_PER_CPU(struct hvk_ext_feat, ext_cpu);

static void ext_probe_cpu(void *unused)
{
	struct hvk_ext_feat *f = this_cpu_ptr(&ext_cpu);
	u64 pfr0 = read_sysreg_s(SYS_ID_AA64PFR0_EL1);

	f->fgt = ID_MMFR0_FGT(read_sysreg_s(SYS_ID_AA64MMFR0_EL1));
	f->hcx = ID_MMFR1_HCX(read_sysreg_s(SYS_ID_AA64MMFR1_EL1));
	f->sme = ID_PFR1_SME(read_sysreg_s(SYS_ID_AA64PFR1_EL1));
	f->fpmr = ID_PFR2_FPMR(read_sysreg_s(HVK_SYS_ID_PFR2));
	f->s1poe = ID_MMFR3_S1POE(read_sysreg_s(HVK_SYS_ID_MMFR3));
	/*
	 * The ICH_* registers exist when the CPU interface has its system
	 * registers and the host uses them (ICC_SRE_EL2.SRE): every GICv3
	 * host Linux drives. A GICv2 host's guests reach no ICV state.
	 */
	f->gic_sysregs = ID_PFR0_GIC(pfr0) &&
			 (read_sysreg_s(HVK_SYS_ICC_SRE_EL2) & HVK_ICC_SRE_EL2_SRE);
}

/* What a CPU with @f needs that hvk cannot give: a message, or NULL. */
static const char *ext_refusal(const struct hvk_ext_feat *f)
{
	if (f->fgt >= 2)
		return "FEAT_FGT2 (fine-grained traps hvk does not set)";
	if (f->fpmr && !f->hcx)
		return "FEAT_FPMR without FEAT_HCX (FPMR cannot be trapped)";
	if (f->s1poe && !f->fgt)
		return "FEAT_S1POE without FEAT_FGT (POR_EL0/POR_EL1 cannot be trapped)";
	return NULL;
}

/**
 * hvk_arm64_ext_init() - find the optional state on every online CPU
 *
 * Called once at load with the CPU hotplug lock held.
 *
 * Return: 0, or -EOPNOTSUPP (logged) when a CPU has state hvk can
 * neither trap nor switch.
 */
int hvk_arm64_ext_init(void)
{
	const char *why;
	unsigned int cpu;

	memset(&hvk_ext, 0, sizeof(hvk_ext));
	hvk_ext.gic_sysregs = true;
	on_each_cpu(ext_probe_cpu, NULL, 1);
	for_each_online_cpu(cpu) {
		const struct hvk_ext_feat *f = per_cpu_ptr(&ext_cpu, cpu);

		why = ext_refusal(f);
		if (why) {
			pr_err("CPU%u has %s: refusing to load\n", cpu, why);
			return -EOPNOTSUPP;
		}
		hvk_ext.fgt = max(hvk_ext.fgt, f->fgt);
		hvk_ext.hcx = max(hvk_ext.hcx, f->hcx);
		hvk_ext.sme = max(hvk_ext.sme, f->sme);
		hvk_ext.fpmr = max(hvk_ext.fpmr, f->fpmr);
		hvk_ext.s1poe = max(hvk_ext.s1poe, f->s1poe);
		hvk_ext.gic_sysregs &= f->gic_sysregs;
	}
	/*
	 * The extra switching must happen on every CPU or none: FGT, HCX
	 * and SME are all or nothing on the systems Linux supports (it
	 * refuses late CPUs that lack a system-wide feature), and a CPU
	 * without one of them reads the registers as UNDEFINED, so hvk
	 * needs them on all CPUs to switch them.
	 */
	for_each_online_cpu(cpu) {
		const struct hvk_ext_feat *f = per_cpu_ptr(&ext_cpu, cpu);

		if ((hvk_ext.fgt && !f->fgt) || (hvk_ext.hcx && !f->hcx) ||
		    (hvk_ext.sme && !f->sme)) {
			pr_err("CPU%u lacks FEAT_FGT, FEAT_HCX or SME that other CPUs have: refusing to load\n",
			       cpu);
			return -EOPNOTSUPP;
		}
	}
	if (hvk_ext.fgt || hvk_ext.hcx || hvk_ext.sme || hvk_ext.s1poe ||
	    hvk_ext.fpmr)
		pr_info("guest-reachable state of newer features:%s%s%s%s%s\n",
			hvk_ext.fgt ? " FGT (trap registers switched)" : "",
			hvk_ext.hcx ? " HCX (HCRX_EL2 switched to 0)" : "",
			hvk_ext.sme ? " SME (TPIDR2_EL0 switched)" : "",
			hvk_ext.s1poe ? " S1POE (POR_EL0/1 trapped)" : "",
			hvk_ext.fpmr ? " FPMR (off through HCRX_EL2)" : "");
	return 0;
}

/**
 * hvk_arm64_ext_cpu_ok() - may a CPU coming online run guests?
 * @cpu: the CPU, running this
 *
 * Return: true when it has what the CPUs at load had, no less and
 * nothing hvk would have refused.
 */
bool hvk_arm64_ext_cpu_ok(unsigned int cpu)
{
	struct hvk_ext_feat *f = this_cpu_ptr(&ext_cpu);
	const char *why;

	ext_probe_cpu(NULL);
	why = ext_refusal(f);
	if (!why && f->fgt == hvk_ext.fgt && !!f->hcx == !!hvk_ext.hcx &&
	    !!f->sme == !!hvk_ext.sme && (!f->s1poe || hvk_ext.fgt) &&
	    (!f->fpmr || hvk_ext.hcx) &&
	    (f->gic_sysregs || !hvk_ext.gic_sysregs))
		return true;
	pr_err("CPU%u differs from the CPUs hvk was loaded on in FGT, HCX, SME, S1POE, FPMR or the GIC system registers%s%s\n",
	       cpu, why ? ": " : "", why ? why : "");
	return false;
}

/* MOPS is off in guests (HCRX_EL2.MSCEn = 0): hide it. */
bool hvk_arm64_ext_hide_mops(void)
{
	return hvk_ext.hcx;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Branch predictor hardening of hvk's EL2 vectors: what the host kernel
 * does on its own exception entries from EL0, hvk does on every exit
 * from a guest, before the host runs an indirect branch (arm64/switch.S,
 * __hvk_arm64_exit).
 *
 * Spectre-BHB (Arm, "Spectre-BHB: Frequently Asked Questions" and the
 * "Branch History Injection" security notice; Arm ARM, CLRBHB): a guest
 * can train the branch history the host's indirect branches are then
 * predicted with. Where a CPU is affected (the kernel's own
 * ARM64_SPECTRE_BHB capability, read on each CPU with
 * this_cpu_has_cap()), the kernel picks, in this order: nothing when
 * the CPU has FEAT_ECBHB (ID_AA64MMFR1_EL1.ECBHB); the CLRBHB
 * instruction when the CPU has it (ID_AA64ISAR2_EL1.CLRBHB); a loop of k
 * taken branches followed by DSB and ISB, with k from Arm's table of
 * affected cores; else the firmware call SMCCC_ARCH_WORKAROUND_3. hvk
 * makes the same choice on every CPU and runs the union of them on exit
 * (the largest loop; CLRBHB is a hint, a NOP where not implemented; the
 * firmware call where any CPU needs it). A CPU the kernel says is
 * affected but knows no mitigation for (recent kernels assume unknown
 * cores affected; seen with QEMU's "max" CPU under 6.12: "CSV2, but not
 * BHB") is left as the host leaves its own entries, and hvk says so at
 * load: a guest then gets no more than the host's own user space.
 *
 * Spectre-v2 (Arm, "Cache Speculation Side-channels", variant 2): a CPU
 * without CSV2 that the kernel marks affected (ARM64_SPECTRE_V2) and
 * whose firmware implements SMCCC_ARCH_WORKAROUND_1 gets that call on
 * every guest exit, as the in-tree KVM's hardened vectors do; WORKAROUND_3
 * covers it where both are needed. CPUs whose kernel mitigation is a
 * CPU-specific sequence (Falkor's link stack, Brahma-B15's BPIALL) are
 * not handled: hvk says so at load.
 *
 * No RSB stuffing: Arm cores predict returns from a return stack that a
 * guest's calls cannot make the host's returns use for an attacker-chosen
 * target across an exception (the BHB and branch target predictors are
 * the cross-privilege channels Arm documents, covered above), and the
 * kernel itself does nothing of the kind on arm64.
 *
 * cpu_mitigations_off() (mitigations=off) turns all of it off, as for the
 * host. What a module cannot see: the host's "nospectre_bhb" and
 * "nospectre_v2" parameters (not exported): hvk then still mitigates,
 * which only costs time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/arm-smccc.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>

#include "arm64.h"

/*
 * What __hvk_arm64_exit runs (arm64/switch.S reads it as three words):
 * the BHB loop count (0: none), whether to run CLRBHB, and the SMCCC
 * function id to call through SMC (0: none).
 */
struct hvk_spectre_exit {
	u32 bhb_loop;
	u32 clrbhb;
	u32 fw_fn;
};

struct hvk_spectre_exit hvk_spectre_exit;

/*
 * Branch history loop counts for affected Arm cores (Arm's Spectre-BHB
 * notice, table of k per core), by MIDR_EL1 implementer and part number.
 */
static const struct {
	u8 imp;
	u16 part;
	u8 k;
} hvk_bhb_k[] = {
	{ 0x41, 0xd07, 8 },	/* Cortex-A57 */
	{ 0x41, 0xd08, 8 },	/* Cortex-A72 */
	{ 0xc0, 0xac3, 11 },	/* AmpereOne (Ampere) */
	{ 0x41, 0xd0b, 24 },	/* Cortex-A76 */
	{ 0x41, 0xd0d, 24 },	/* Cortex-A77 */
	{ 0x41, 0xd0c, 24 },	/* Neoverse N1 */
	{ 0x41, 0xd40, 32 },	/* Neoverse V1 */
	{ 0x41, 0xd41, 32 },	/* Cortex-A78 */
	{ 0x41, 0xd42, 32 },	/* Cortex-A78AE */
	{ 0x41, 0xd44, 32 },	/* Cortex-X1 */
	{ 0x41, 0xd47, 32 },	/* Cortex-A710 */
	{ 0x41, 0xd48, 32 },	/* Cortex-X2 */
	{ 0x41, 0xd49, 32 },	/* Neoverse N2 */
	{ 0x41, 0xd4b, 32 },	/* Cortex-A78C */
	{ 0x41, 0xd4d, 38 },	/* Cortex-A715 */
	{ 0x41, 0xd81, 38 },	/* Cortex-A720 */
	{ 0x41, 0xd4e, 132 },	/* Cortex-X3 */
	{ 0x41, 0xd4f, 132 },	/* Neoverse V2 */
};

#define HVK_MMFR1_ECBHB(v)	(((v) >> 60) & 0xf)
#define HVK_ISAR2_CLRBHB(v)	(((v) >> 28) & 0xf)

struct spectre_cpu {
	bool bhb, v2;		/* the kernel says: affected */
	bool ecbhb, clrbhb;
	u8 k;
	bool fw_wa1, fw_wa3;	/* firmware: required and implemented */
};

static DEFINE_PER_CPU(struct spectre_cpu, spectre_cpu);

static u8 spectre_bhb_loop_k(void)
{
	u32 midr = read_cpuid_id();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hvk_bhb_k); i++)
		if (MIDR_IMPLEMENTOR(midr) == hvk_bhb_k[i].imp &&
		    MIDR_PARTNUM(midr) == hvk_bhb_k[i].part)
			return hvk_bhb_k[i].k;
	return 0;
}

/*
 * SMCCC_ARCH_FEATURES(fn) on this CPU: 0 means "implemented and needed
 * here" (SMCCC, DEN0028, ARCH_WORKAROUND_1/3). The kernel calls
 * firmware through SMC at EL2 (HVC would come back to EL2 itself).
 */
static bool spectre_fw_needed(u32 fn)
{
	struct arm_smccc_res res;

	if (arm_smccc_1_1_get_conduit() != SMCCC_CONDUIT_SMC)
		return false;
	arm_smccc_1_1_smc(ARM_SMCCC_ARCH_FEATURES_FUNC_ID, fn, &res);
	return (int)res.a0 == 0;
}

static void spectre_probe_cpu(void *unused)
{
	struct spectre_cpu *c = this_cpu_ptr(&spectre_cpu);

	memset(c, 0, sizeof(*c));
	c->bhb = this_cpu_has_cap(ARM64_SPECTRE_BHB);
	c->v2 = this_cpu_has_cap(ARM64_SPECTRE_V2);
	c->ecbhb = HVK_MMFR1_ECBHB(read_sysreg_s(SYS_ID_AA64MMFR1_EL1));
	c->clrbhb = HVK_ISAR2_CLRBHB(read_sysreg_s(SYS_ID_AA64ISAR2_EL1));
	c->k = spectre_bhb_loop_k();
	if (c->bhb && !c->ecbhb && !c->clrbhb && !c->k)
		c->fw_wa3 = spectre_fw_needed(ARM_SMCCC_ARCH_WORKAROUND_3);
	if (c->v2)
		c->fw_wa1 = spectre_fw_needed(ARM_SMCCC_ARCH_WORKAROUND_1);
}

/**
 * hvk_arm64_spectre_init() - choose what the exit path runs
 *
 * Called once at load with the CPU hotplug lock held. Logs the choice.
 */
void hvk_arm64_spectre_init(void)
{
	struct hvk_spectre_exit e = { 0 };
	bool v2_unmitigated = false, bhb_unmitigated = false, bhb_fw;
	char loop[32] = "";
	unsigned int cpu;

	if (cpu_mitigations_off()) {
		hvk_spectre_exit = e;
		pr_info("Spectre-v2/BHB: mitigations=off, none on guest exits\n");
		return;
	}
	on_each_cpu(spectre_probe_cpu, NULL, 1);
	for_each_online_cpu(cpu) {
		const struct spectre_cpu *c =
			per_cpu_ptr(&spectre_cpu, cpu);

		if (c->bhb && !c->ecbhb) {
			if (c->clrbhb)
				e.clrbhb = 1;
			else if (c->k)
				e.bhb_loop = max_t(u32, e.bhb_loop, c->k);
			else if (c->fw_wa3)
				e.fw_fn = ARM_SMCCC_ARCH_WORKAROUND_3;
			else
				bhb_unmitigated = true;
		}
		if (c->v2 && !e.fw_fn) {
			if (c->fw_wa1)
				e.fw_fn = ARM_SMCCC_ARCH_WORKAROUND_1;
			else
				v2_unmitigated = true;
		}
	}
	hvk_spectre_exit = e;
	if (e.bhb_loop)
		snprintf(loop, sizeof(loop), " a branch loop of %u",
			 e.bhb_loop);
	bhb_fw = e.fw_fn == ARM_SMCCC_ARCH_WORKAROUND_3;
	pr_info("Spectre-BHB on guest exits:%s%s%s%s; Spectre-v2: %s\n",
		e.clrbhb ? " CLRBHB" : "", loop,
		bhb_fw ? " SMCCC_ARCH_WORKAROUND_3" : "",
		e.clrbhb || e.bhb_loop || bhb_fw ? "" : bhb_unmitigated ?
		" affected, no mitigation known (as for the host)" :
		" nothing needed",
		e.fw_fn == ARM_SMCCC_ARCH_WORKAROUND_1 ?
		"SMCCC_ARCH_WORKAROUND_1" : bhb_fw ?
		"covered by SMCCC_ARCH_WORKAROUND_3" :
		v2_unmitigated ? "affected, not mitigated by hvk" :
		"nothing needed");
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Taking EL2 on arm64.
 *
 * hvk runs only on a kernel that itself runs at EL2 with VHE
 * (FEAT_VHE, HCR_EL2.E2H=1): the host then already owns EL2 and hvk has
 * nothing to install at load time. A guest is entered later by loading
 * its EL1 state and stage-2 table and doing ERET from EL2.
 *
 * What must be true, checked here once:
 *   - the kernel is at EL2 (is_kernel_in_hyp_mode()), which on Linux
 *     implies VHE;
 *   - the in-tree KVM has not claimed EL2: Debian builds KVM in, and it
 *     takes EL2 at boot unless booted with kvm-arm.mode=none;
 *   - stage-2 can use the 4 KiB granule (ID_AA64MMFR0_EL1.TGran4_2), and
 *     what PA range and VMID width the CPUs have, on every CPU (a
 *     big.LITTLE system can differ: take the smallest).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "arch.h"
#include "arm64.h"
#include "hyp.h"
#include "vgic-hw.h"
#include "world.h"

struct hvk_hyp_caps hvk_hyp;

/*
 * ID register fields (Arm ARM, D19.2 "AArch64 System register
 * descriptions": ID_AA64MMFR0_EL1 and ID_AA64MMFR1_EL1). Named here
 * because their kernel names changed between 6.1 and 6.12.
 */
#define MMFR0_PARANGE_SHIFT	0
#define MMFR0_TGRAN4_SHIFT	28
#define MMFR0_TGRAN4_2_SHIFT	40
#define MMFR1_VMIDBITS_SHIFT	4
#define MMFR1_VH_SHIFT		8

#define TGRAN4_2_AS_STAGE1	0	/* support follows TGran4 */
#define TGRAN4_2_NONE		1
#define TGRAN4_NONE		0xf
#define VMIDBITS_16		2

static u32 field(u64 reg, unsigned int shift)
{
	return (reg >> shift) & 0xf;
}

/* PARange encodings, Arm ARM D19.2 ID_AA64MMFR0_EL1.PARange. */
static u32 parange_to_bits(u32 parange)
{
	static const u8 bits[] = { 32, 36, 40, 42, 44, 48, 52 };

	return parange < ARRAY_SIZE(bits) ? bits[parange] : 52;
}

struct hyp_probe {
	u32 pa_bits;
	u32 vmid_bits;
	bool vhe;
	bool s2_4k;
};

static DEFINE_PER_CPU(struct hyp_probe, hyp_cpu_probe);
static enum cpuhp_state hyp_cpuhp_state;

/* What this CPU offers. Runs on the CPU itself. */
static void hyp_probe_cpu(void *unused)
{
	struct hyp_probe *p = this_cpu_ptr(&hyp_cpu_probe);
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	u32 tgran4_2 = field(mmfr0, MMFR0_TGRAN4_2_SHIFT);

	if (tgran4_2 == TGRAN4_2_AS_STAGE1)
		p->s2_4k = field(mmfr0, MMFR0_TGRAN4_SHIFT) != TGRAN4_NONE;
	else
		p->s2_4k = tgran4_2 != TGRAN4_2_NONE;
	p->pa_bits = parange_to_bits(field(mmfr0, MMFR0_PARANGE_SHIFT));
	p->vmid_bits = field(mmfr1, MMFR1_VMIDBITS_SHIFT) == VMIDBITS_16 ?
		       16 : 8;
	p->vhe = field(mmfr1, MMFR1_VH_SHIFT) != 0;
}

/*
 * A CPU that comes online after load must offer at least what VMs were
 * promised at load (IPA limit, VMID width, 4K stage-2): otherwise a vCPU
 * migrated there could not run. Refusing it keeps it offline.
 */
static int hyp_cpu_online(unsigned int cpu)
{
	struct hyp_probe *p = this_cpu_ptr(&hyp_cpu_probe);

	hyp_probe_cpu(NULL);
	if (!p->vhe || !p->s2_4k || p->pa_bits < hvk_hyp.pa_bits ||
	    p->vmid_bits < hvk_hyp.vmid_bits) {
		pr_err("CPU%u offers less than the CPUs hvk was loaded on (PA %u bits, %u-bit VMIDs, VHE %d, 4K stage-2 %d): keeping it offline\n",
		       cpu, p->pa_bits, p->vmid_bits, p->vhe, p->s2_4k);
		return -EOPNOTSUPP;
	}
	if (!hvk_arm64_ext_cpu_ok(cpu))
		return -EOPNOTSUPP;
	return 0;
}

static int hyp_kvm_probe_open(struct inode *inode, struct file *filp)
{
	return -ENODEV;
}

/*
 * The in-tree KVM, when it owns EL2, registers /dev/kvm with the fixed
 * misc minor KVM_MINOR; when booted with kvm-arm.mode=none it does not.
 * Registering a throwaway device on that minor tells which. Its open
 * always fails, so no file can outlive it (or hvk).
 */
static bool hyp_kvm_owns_el2(void)
{
	static const struct file_operations probe_fops = {
		.owner	= THIS_MODULE,
		.open	= hyp_kvm_probe_open,
	};
	static struct miscdevice probe = {
		.minor	= KVM_MINOR,
		.name	= "hvk-kvm-probe",
		.fops	= &probe_fops,
	};
	int r;

	r = misc_register(&probe);
	if (r)
		return r == -EBUSY;
	misc_deregister(&probe);
	return false;
}

int hvk_arch_init(void)
{
	struct hyp_probe min = {
		.pa_bits = 52, .vmid_bits = 16, .vhe = true, .s2_4k = true,
	};
	unsigned int cpu;
	int r;

	if (!is_kernel_in_hyp_mode()) {
		pr_err("the kernel does not run at EL2 with VHE: boot it at EL2 on a CPU with FEAT_VHE\n");
		return -EOPNOTSUPP;
	}
	if (hyp_kvm_owns_el2()) {
		pr_err("EL2 is in use by the in-tree KVM (/dev/kvm exists): boot with kvm-arm.mode=none\n");
		return -EBUSY;
	}

	/* Every online CPU, with none coming or going meanwhile. */
	cpus_read_lock();
	on_each_cpu(hyp_probe_cpu, NULL, 1);
	for_each_online_cpu(cpu) {
		struct hyp_probe *p = per_cpu_ptr(&hyp_cpu_probe, cpu);

		min.pa_bits = min(min.pa_bits, p->pa_bits);
		min.vmid_bits = min(min.vmid_bits, p->vmid_bits);
		min.vhe &= p->vhe;
		min.s2_4k &= p->s2_4k;
	}

	r = -EOPNOTSUPP;
	if (!min.vhe) {
		pr_err("a CPU lacks FEAT_VHE (ID_AA64MMFR1_EL1.VH)\n");
		goto out_unlock;
	}
	if (!min.s2_4k) {
		pr_err("a CPU lacks the 4 KiB granule at stage 2 (ID_AA64MMFR0_EL1.TGran4_2)\n");
		goto out_unlock;
	}

	r = hvk_arm64_ext_init();
	if (r)
		goto out_unlock;

	hvk_hyp.pa_bits = min.pa_bits;
	hvk_hyp.vmid_bits = min.vmid_bits;
	/*
	 * 4 KiB stage-2 tables reach 48 bits with four levels; 52-bit IPAs
	 * need FEAT_LPA2, which hvk does not use.
	 */
	hvk_hyp.ipa_limit = min(min.pa_bits, 48U);

	r = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						 "hvk/arm64:online",
						 hyp_cpu_online, NULL);
	if (r < 0) {
		pr_err("cannot register the CPU hotplug callback: %d\n", r);
		goto out_unlock;
	}
	hyp_cpuhp_state = r;
	r = 0;
	hvk_arm64_world_init();
	hvk_arm64_spectre_init();
	/* arm64/run.c run_enter_once() says how guests run then. */
	if (system_uses_irq_prio_masking())
		pr_info("the host masks interrupts by GIC priority (pseudo-NMIs): guests run with PSTATE.DAIF masked and ICC_PMR_EL1 open\n");

	pr_info("EL2 with VHE on %u CPUs: PA %u bits, IPA limit %u bits, %u-bit VMIDs, 4K stage-2 granule%s%s\n",
		num_online_cpus(), hvk_hyp.pa_bits, hvk_hyp.ipa_limit,
		hvk_hyp.vmid_bits, hvk_hyp.fwb ? ", stage-2 FWB" : "",
		read_sanitised_ftr_reg(SYS_CTR_EL0) & BIT(29) ?
		", no I-cache maintenance (DIC)" : "");
out_unlock:
	cpus_read_unlock();
	/* Takes the hotplug lock itself: after it is dropped. */
	if (!r)
		hvk_arm64_vgic_hw_init();
	return r;
}

void hvk_arch_exit(void)
{
	/* Nothing was installed at EL2: VHE hosts own it already. */
	hvk_arm64_vgic_hw_exit();
	cpuhp_remove_state_nocalls(hyp_cpuhp_state);
}

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
#include <linux/miscdevice.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "arch.h"
#include "hyp.h"

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
	spinlock_t lock;	/* the IPIs run in parallel */
	u32 pa_bits;
	u32 vmid_bits;
	bool vhe;
	bool s2_4k;
};

static void hyp_probe_cpu(void *data)
{
	struct hyp_probe *p = data;
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	u32 tgran4_2 = field(mmfr0, MMFR0_TGRAN4_2_SHIFT);
	u32 vmid = field(mmfr1, MMFR1_VMIDBITS_SHIFT) == VMIDBITS_16 ? 16 : 8;
	bool s2_4k;

	if (tgran4_2 == TGRAN4_2_AS_STAGE1)
		s2_4k = field(mmfr0, MMFR0_TGRAN4_SHIFT) != TGRAN4_NONE;
	else
		s2_4k = tgran4_2 != TGRAN4_2_NONE;

	spin_lock(&p->lock);
	p->pa_bits = min(p->pa_bits,
			 parange_to_bits(field(mmfr0, MMFR0_PARANGE_SHIFT)));
	p->vmid_bits = min(p->vmid_bits, vmid);
	p->vhe &= field(mmfr1, MMFR1_VH_SHIFT) != 0;
	p->s2_4k &= s2_4k;
	spin_unlock(&p->lock);
}

/*
 * The in-tree KVM, when it owns EL2, registers /dev/kvm with the fixed
 * misc minor KVM_MINOR; when booted with kvm-arm.mode=none it does not.
 * Registering a throwaway device on that minor tells which.
 */
static bool hyp_kvm_owns_el2(void)
{
	static struct miscdevice probe = {
		.minor	= KVM_MINOR,
		.name	= "hvk-kvm-probe",
	};
	static const struct file_operations probe_fops;
	int r;

	probe.fops = &probe_fops;
	r = misc_register(&probe);
	if (r)
		return r == -EBUSY;
	misc_deregister(&probe);
	return false;
}

int hvk_arch_init(void)
{
	struct hyp_probe p = {
		.lock = __SPIN_LOCK_UNLOCKED(p.lock),
		.pa_bits = 52, .vmid_bits = 16, .vhe = true, .s2_4k = true,
	};

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
	on_each_cpu(hyp_probe_cpu, &p, 1);
	cpus_read_unlock();

	if (!p.vhe) {
		pr_err("a CPU lacks FEAT_VHE (ID_AA64MMFR1_EL1.VH)\n");
		return -EOPNOTSUPP;
	}
	if (!p.s2_4k) {
		pr_err("a CPU lacks the 4 KiB granule at stage 2 (ID_AA64MMFR0_EL1.TGran4_2)\n");
		return -EOPNOTSUPP;
	}

	hvk_hyp.pa_bits = p.pa_bits;
	hvk_hyp.vmid_bits = p.vmid_bits;
	/*
	 * 4 KiB stage-2 tables reach 48 bits with four levels; 52-bit IPAs
	 * need FEAT_LPA2, which hvk does not use.
	 */
	hvk_hyp.ipa_limit = min(p.pa_bits, 48U);

	pr_info("EL2 with VHE on %u CPUs: PA %u bits, IPA limit %u bits, %u-bit VMIDs, 4K stage-2 granule\n",
		num_online_cpus(), hvk_hyp.pa_bits, hvk_hyp.ipa_limit,
		hvk_hyp.vmid_bits);
	return 0;
}

void hvk_arch_exit(void)
{
	/* Nothing was installed at EL2: VHE hosts own it already. */
}

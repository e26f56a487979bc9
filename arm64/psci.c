// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI and the SMCCC calls a guest makes with HVC (any immediate, as KVM).
 *
 * A vCPU initialised with KVM_ARM_VCPU_PSCI_0_2 sees PSCI 1.1, as with
 * the in-tree KVM: PSCI_VERSION, PSCI_FEATURES, CPU_SUSPEND (a WFI),
 * CPU_OFF, CPU_ON, AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF,
 * SYSTEM_RESET and SYSTEM_RESET2, plus SMCCC_VERSION. Without it, the
 * PSCI 0.1 CPU_OFF and CPU_ON at KVM's function ids (KVM_PSCI_FN_*).
 * Any other function id returns NOT_SUPPORTED (-1) in x0.
 *
 * Function ids and return codes: Arm DEN0022 (PSCI), DEN0028 (SMCCC),
 * as <uapi/linux/psci.h> and <linux/arm-smccc.h> name them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/arm-smccc.h>
#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <uapi/linux/psci.h>

#include "arm64.h"
#include "hvk.h"
#include "inject.h"
#include "power.h"
#include "psci.h"
#include "vtimer.h"

#define HVK_PSCI_VERSION	PSCI_VERSION(1, 1)
/* MPIDR_EL1 affinity fields Aff3 (39:32) and Aff2..Aff0 (23:0). */
#define HVK_MPIDR_AFF_MASK	0xff00ffffffULL

/**
 * hvk_arm64_vcpu_mpidr() - the MPIDR_EL1 a vCPU id gets
 * @id: the vCPU id
 *
 * As KVM: Aff0 from id bits 3:0 (16 CPUs per cluster, what GICv3's
 * target lists can address), Aff1 from bits 11:4, Aff2 from bits 19:12;
 * bit 31 is RES1.
 *
 * Return: the MPIDR value.
 */
u64 hvk_arm64_vcpu_mpidr(u32 id)
{
	return BIT_ULL(31) | (id & 0xf) | (((u64)(id >> 4) & 0xff) << 8) |
	       (((u64)(id >> 12) & 0xff) << 16);
}

static struct hvk_vcpu *psci_vcpu_by_mpidr(struct hvk_vm *vm, u64 mpidr)
{
	struct hvk_vcpu *found = NULL;
	unsigned int i;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if ((vm->vcpus[i]->arch.mpidr & HVK_MPIDR_AFF_MASK) == mpidr) {
			found = vm->vcpus[i];
			break;
		}
	}
	mutex_unlock(&vm->lock);
	return found;
}

/*
 * CPU_ON: the target (by MPIDR affinity) must be off; it is reset to
 * enter at @entry with x0 = @context, little- or big-endian as the
 * caller is, and applies that itself when its KVM_RUN next looks.
 */
static long psci_cpu_on(struct hvk_vcpu *vcpu, u64 target, u64 entry,
			    u64 context, bool v0_2)
{
	struct hvk_vcpu *t;
	bool be;

	if (target & ~HVK_MPIDR_AFF_MASK)
		return PSCI_RET_INVALID_PARAMS;
	t = psci_vcpu_by_mpidr(vcpu->vm, target);
	if (!t)
		return PSCI_RET_INVALID_PARAMS;

	be = vcpu->arch.sys[HVK_SCTLR_EL1] & HVK_SCTLR_EE;
	if (hvk_arm64_power_on(t, entry, context, be))
		return PSCI_RET_SUCCESS;
	return v0_2 ? PSCI_RET_ALREADY_ON : PSCI_RET_INVALID_PARAMS;
}

static long psci_affinity_info(struct hvk_vcpu *vcpu, u64 target,
				   u64 level)
{
	struct hvk_vm *vm = vcpu->vm;
	unsigned int i, shift;
	long ret = PSCI_0_2_AFFINITY_LEVEL_OFF;
	bool matched = false;
	u64 mask;

	if (target & ~HVK_MPIDR_AFF_MASK || level > 3)
		return PSCI_RET_INVALID_PARAMS;
	shift = level == 3 ? 32 : level * 8;
	mask = HVK_MPIDR_AFF_MASK & (~0ULL << shift);
	target &= mask;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct hvk_vcpu *t = vm->vcpus[i];

		if ((t->arch.mpidr & mask) != target)
			continue;
		matched = true;
		if (!hvk_arm64_power_is_off(t)) {
			ret = PSCI_0_2_AFFINITY_LEVEL_ON;
			break;
		}
	}
	mutex_unlock(&vm->lock);
	/* No vCPU at that affinity at all: KVM says INVALID_PARAMETERS. */
	return matched ? ret : PSCI_RET_INVALID_PARAMS;
}

/*
 * SYSTEM_OFF and SYSTEM_RESET(2): every vCPU of the VM stops (a later
 * KVM_RUN sleeps until a CPU_ON or a signal) and this one exits with
 * KVM_EXIT_SYSTEM_EVENT, as in KVM.
 */
static int psci_system_event(struct hvk_vcpu *vcpu, u32 type, u64 flags)
{
	struct hvk_vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;
	struct hvk_vcpu *t;
	unsigned int i;

	hvk_vm_for_each_vcpu(i, t, vm)
		hvk_arm64_power_off(t);

	memset(&run->system_event, 0, sizeof(run->system_event));
	run->system_event.type = type;
	run->system_event.ndata = 1;
	run->system_event.data[0] = flags;
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	return HVK_EXIT_TO_USER;
}

static long psci_features(u64 fn)
{
	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
	case PSCI_0_2_FN_CPU_SUSPEND:
	case PSCI_0_2_FN64_CPU_SUSPEND:
	case PSCI_0_2_FN_CPU_OFF:
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
	case PSCI_0_2_FN_SYSTEM_OFF:
	case PSCI_0_2_FN_SYSTEM_RESET:
	case PSCI_1_0_FN_PSCI_FEATURES:
	case PSCI_1_1_FN_SYSTEM_RESET2:
	case PSCI_1_1_FN64_SYSTEM_RESET2:
	case ARM_SMCCC_VERSION_FUNC_ID:
		return PSCI_RET_SUCCESS;
	default:
		return PSCI_RET_NOT_SUPPORTED;
	}
}

/* PSCI 0.1 at KVM's function ids, for vCPUs without PSCI_0_2. */
static int psci_0_1(struct hvk_vcpu *vcpu, u64 fn, const u64 *arg)
{
	long val;

	switch (fn) {
	case KVM_PSCI_FN_CPU_OFF:
		hvk_arm64_power_off(vcpu);
		val = PSCI_RET_SUCCESS;
		break;
	case KVM_PSCI_FN_CPU_ON:
		val = psci_cpu_on(vcpu, arg[1], arg[2], arg[3], false);
		break;
	default:
		val = PSCI_RET_NOT_SUPPORTED;
		break;
	}
	hvk_arm64_set_reg(vcpu, 0, val);
	return HVK_RESUME_GUEST;
}

/**
 * hvk_arm64_psci_call() - an SMCCC call from the guest (HVC)
 * @vcpu: the vCPU; the PC already points past the call
 *
 * The function id is w0; arguments x1-x3, cut to 32 bits for an SMC32
 * function id (bit 30 clear), as the calling convention says. The
 * result goes to x0, and x1-x3 read 0 afterwards whatever the call (none
 * of hvk's returns more than x0), as KVM 6.1 answers every call it
 * handles with smccc_set_retval(x0, 0, 0, 0): a guest sees the same
 * registers under both, garbage calls included (arm64_hostile_test).
 *
 * Return: HVK_RESUME_GUEST, or HVK_EXIT_TO_USER for a system event.
 */
int hvk_arm64_psci_call(struct hvk_vcpu *vcpu)
{
	u64 *x = vcpu->arch.regs.regs.regs;
	u32 fn = x[0];
	u64 arg[4] = { fn, x[1], x[2], x[3] };
	long val;
	int i;

	if (!(fn & PSCI_0_2_64BIT))
		for (i = 1; i < 4; i++)
			arg[i] = lower_32_bits(arg[i]);
	for (i = 1; i < 4; i++)
		x[i] = 0;

	if (fn == ARM_SMCCC_VERSION_FUNC_ID) {
		x[0] = ARM_SMCCC_VERSION_1_1;
		return HVK_RESUME_GUEST;
	}
	if (!(vcpu->arch.features & BIT(KVM_ARM_VCPU_PSCI_0_2)))
		return psci_0_1(vcpu, fn, arg);

	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
		val = HVK_PSCI_VERSION;
		break;
	case PSCI_1_0_FN_PSCI_FEATURES:
		val = psci_features(lower_32_bits(arg[1]));
		break;
	case PSCI_0_2_FN_CPU_SUSPEND:
	case PSCI_0_2_FN64_CPU_SUSPEND:
		/* A standby state: return after a wake-up event, as WFI. */
		hvk_arm64_wfi(vcpu);
		val = PSCI_RET_SUCCESS;
		break;
	case PSCI_0_2_FN_CPU_OFF:
		hvk_arm64_power_off(vcpu);
		val = PSCI_RET_SUCCESS;
		break;
	case PSCI_0_2_FN_CPU_ON:
	case PSCI_0_2_FN64_CPU_ON:
		val = psci_cpu_on(vcpu, arg[1], arg[2], arg[3], true);
		break;
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
		val = psci_affinity_info(vcpu, arg[1], arg[2]);
		break;
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
		val = PSCI_0_2_TOS_MP;
		break;
	case PSCI_0_2_FN_SYSTEM_OFF:
		/* Should userspace resume it anyway, the call failed. */
		x[0] = PSCI_RET_INTERNAL_FAILURE;
		return psci_system_event(vcpu, KVM_SYSTEM_EVENT_SHUTDOWN,
					     0);
	case PSCI_0_2_FN_SYSTEM_RESET:
		x[0] = PSCI_RET_INTERNAL_FAILURE;
		return psci_system_event(vcpu, KVM_SYSTEM_EVENT_RESET, 0);
	case PSCI_1_1_FN_SYSTEM_RESET2:
	case PSCI_1_1_FN64_SYSTEM_RESET2:
		/* Warm reset (type 0) or a vendor type (bit 31 set). */
		if (lower_32_bits(arg[1]) && !(arg[1] & BIT(31))) {
			val = PSCI_RET_INVALID_PARAMS;
			break;
		}
		x[0] = PSCI_RET_INTERNAL_FAILURE;
		return psci_system_event(vcpu, KVM_SYSTEM_EVENT_RESET,
				KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2);
	default:
		val = PSCI_RET_NOT_SUPPORTED;
		break;
	}
	x[0] = val;
	return HVK_RESUME_GUEST;
}

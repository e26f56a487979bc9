/* SPDX-License-Identifier: GPL-2.0 */
/* A vCPU's power state (PSCI CPU_ON/OFF, system events): arm64/power.c. */
#ifndef HVK_ARM64_POWER_H
#define HVK_ARM64_POWER_H

#include <linux/bitops.h>
#include <linux/kvm.h>
#include <linux/types.h>

#include "request.h"

struct hvk_vcpu;

/* The vCPU's mp_state changed or a CPU_ON reset is waiting for it. */
#define HVK_ARM64_REQ_POWER	(HVK_REQ_ARCH_FIRST + 0)

void hvk_arm64_power_init(struct hvk_vcpu *vcpu, bool off);
bool hvk_arm64_power_is_off(struct hvk_vcpu *vcpu);
void hvk_arm64_power_set(struct hvk_vcpu *vcpu, u32 mp_state);
void hvk_arm64_power_off(struct hvk_vcpu *vcpu);
bool hvk_arm64_power_on(struct hvk_vcpu *vcpu, u64 pc, u64 x0, bool be);
int hvk_arm64_power_wait(struct hvk_vcpu *vcpu);

/**
 * hvk_arm64_power_check() - the power state before an entry, fast path
 * @vcpu: the vCPU, on its own thread
 *
 * A runnable vCPU with no power request goes on without the lock;
 * anything else is hvk_arm64_power_wait()'s. CPU_ON posts its request
 * before it makes the vCPU runnable (arm64/power.c): reading the state
 * first, then (smp_rmb()) the request, a RUNNABLE that CPU_ON wrote
 * comes with its request. A stop posted after this check is seen by
 * hvk_vcpu_enter_guest_mode(), which refuses the entry.
 *
 * Return: 0 when runnable, -EINTR when a signal is pending.
 */
static inline int hvk_arm64_power_check(struct hvk_vcpu *vcpu)
{
	u32 st = READ_ONCE(vcpu->arch.mp_state);

	smp_rmb();
	if (likely(st == KVM_MP_STATE_RUNNABLE &&
		   !test_bit(HVK_ARM64_REQ_POWER, &vcpu->requests)))
		return 0;
	return hvk_arm64_power_wait(vcpu);
}

#endif /* HVK_ARM64_POWER_H */

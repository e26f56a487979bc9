/* SPDX-License-Identifier: GPL-2.0 */
/* A vCPU's power state (PSCI CPU_ON/OFF, system events): arm64/power.c. */
#ifndef HVK_ARM64_POWER_H
#define HVK_ARM64_POWER_H

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

#endif /* HVK_ARM64_POWER_H */

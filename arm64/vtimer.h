/* SPDX-License-Identifier: GPL-2.0 */
/* The guest's generic timers and WFI: arm64/vtimer.c. */
#ifndef HVK_ARM64_VTIMER_H
#define HVK_ARM64_VTIMER_H

#include <linux/types.h>

#include "request.h"

struct hvk_vcpu;

/* A guest timer the vCPU waits for in WFI reached its compare value. */
#define HVK_ARM64_REQ_TIMER	(HVK_REQ_ARCH_FIRST + 1)

u64 hvk_arm64_counter(void);
void hvk_arm64_vtimer_vcpu_init(struct hvk_vcpu *vcpu);
void hvk_arm64_vtimer_vcpu_destroy(struct hvk_vcpu *vcpu);
bool hvk_arm64_vtimer_update_run(struct hvk_vcpu *vcpu);
void hvk_arm64_wfi(struct hvk_vcpu *vcpu);
void hvk_arm64_vtimer_vgic(struct hvk_vcpu *vcpu);

#endif /* HVK_ARM64_VTIMER_H */

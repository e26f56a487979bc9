/* SPDX-License-Identifier: GPL-2.0 */
/* The C half of the world switch: arm64/world.c. */
#ifndef HVK_ARM64_WORLD_H
#define HVK_ARM64_WORLD_H

#include <linux/types.h>

struct hvk_vcpu;

void hvk_arm64_world_init(void);
u32 hvk_arm64_enter_once(struct hvk_vcpu *vcpu);

#endif /* HVK_ARM64_WORLD_H */

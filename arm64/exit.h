/* SPDX-License-Identifier: GPL-2.0 */
/* Exit handling and MMIO completion: arm64/exit.c. */
#ifndef HVK_ARM64_EXIT_H
#define HVK_ARM64_EXIT_H

#include <linux/types.h>

struct hvk_vcpu;

int hvk_arm64_handle_exit(struct hvk_vcpu *vcpu);
void hvk_arm64_mmio_complete(struct hvk_vcpu *vcpu);

#endif /* HVK_ARM64_EXIT_H */

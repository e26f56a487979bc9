/* SPDX-License-Identifier: GPL-2.0 */
/* PSCI and SMCCC calls over HVC: arm64/psci.c. */
#ifndef HVK_ARM64_PSCI_H
#define HVK_ARM64_PSCI_H

#include <linux/types.h>

struct hvk_vcpu;

int hvk_arm64_psci_call(struct hvk_vcpu *vcpu);
u64 hvk_arm64_vcpu_mpidr(u32 id);

#endif /* HVK_ARM64_PSCI_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trapped system registers, the ID registers' guest view, the system
 * registers' ONE_REG ids and their reset values: arm64/sysreg.c.
 */
#ifndef HVK_ARM64_SYSREG_TRAP_H
#define HVK_ARM64_SYSREG_TRAP_H

#include <linux/types.h>

struct hvk_vcpu;

int hvk_arm64_handle_sysreg(struct hvk_vcpu *vcpu);
bool hvk_arm64_id_reg_read(u32 encoding, u64 *val);
int hvk_arm64_sysreg_one_reg(struct hvk_vcpu *vcpu, u64 id, u64 *val,
			     bool set);
unsigned int hvk_arm64_sysreg_list(u64 *ids);
void hvk_arm64_vcpu_reset_sysregs(struct hvk_vcpu *vcpu);

#endif /* HVK_ARM64_SYSREG_TRAP_H */

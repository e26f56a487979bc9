/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest registers by number, instruction skipping and exception
 * injection: arm64/inject.c.
 */
#ifndef HVK_ARM64_INJECT_H
#define HVK_ARM64_INJECT_H

#include <linux/types.h>

struct hvk_vcpu;

u64 hvk_arm64_get_reg(struct hvk_vcpu *vcpu, unsigned int rt);
void hvk_arm64_set_reg(struct hvk_vcpu *vcpu, unsigned int rt, u64 val);
bool hvk_arm64_guest_at_el0(struct hvk_vcpu *vcpu);
void hvk_arm64_skip_instr(struct hvk_vcpu *vcpu);
void hvk_arm64_inject_undef(struct hvk_vcpu *vcpu);
void hvk_arm64_inject_abort(struct hvk_vcpu *vcpu, bool iabt, u64 addr);

#endif /* HVK_ARM64_INJECT_H */

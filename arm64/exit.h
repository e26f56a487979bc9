/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit handling, MMIO completion, exception injection and guest register
 * access by number: arm64/exit.c.
 */
#ifndef HVK_ARM64_EXIT_H
#define HVK_ARM64_EXIT_H

#include <linux/types.h>

struct hvk_vcpu;

int hvk_arm64_handle_exit(struct hvk_vcpu *vcpu);
void hvk_arm64_mmio_complete(struct hvk_vcpu *vcpu);
void hvk_arm64_skip_instr(struct hvk_vcpu *vcpu);
void hvk_arm64_inject_undef(struct hvk_vcpu *vcpu);
void hvk_arm64_inject_abort(struct hvk_vcpu *vcpu, bool iabt, u64 addr);
u64 hvk_arm64_get_reg(struct hvk_vcpu *vcpu, unsigned int rt);
void hvk_arm64_set_reg(struct hvk_vcpu *vcpu, unsigned int rt, u64 val);

#endif /* HVK_ARM64_EXIT_H */

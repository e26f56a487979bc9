/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 vCPU setup: KVM_ARM_VCPU_INIT, the core registers (ONE_REG,
 * KVM_GET_REG_LIST) and the MP state. arm64/vcpu_regs.c.
 */
#ifndef HVK_ARM64_VCPU_REGS_H
#define HVK_ARM64_VCPU_REGS_H

#include <linux/kvm.h>

struct hvk_vcpu;

/* The one target hvk offers and accepts (KVM_ARM_PREFERRED_TARGET). */
#define HVK_ARM64_TARGET	KVM_ARM_TARGET_GENERIC_V8

void hvk_arm64_preferred_target(struct kvm_vcpu_init *init);
void hvk_arm64_vcpu_create(struct hvk_vcpu *vcpu);
long hvk_arm64_vcpu_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			  unsigned long arg);

#endif /* HVK_ARM64_VCPU_REGS_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 state embedded in core's struct hvk_vm and struct hvk_vcpu.
 * core/ includes this through -I$(src)/arm64 (see Kbuild).
 */
#ifndef HVK_ARM64_HVK_ARCH_H
#define HVK_ARM64_HVK_ARCH_H

#include <linux/types.h>
#include <linux/kvm.h>

struct hvk_arch_vm {
	u32 ipa_bits;		/* guest physical address size, 32..limit */
};

/**
 * struct hvk_arch_vcpu - arm64 per-vCPU state
 * @regs: the core registers, kept in the KVM_REG_ARM_CORE layout (struct
 *        kvm_regs) so that a core register id's offset indexes it
 *        directly; the world switch will load them from here
 * @initialized: KVM_ARM_VCPU_INIT succeeded (KVM: vcpu->arch.target >= 0)
 * @target: the target KVM_ARM_VCPU_INIT accepted
 * @features: the feature bits KVM_ARM_VCPU_INIT accepted (first word)
 * @mp_state: KVM_MP_STATE_RUNNABLE or KVM_MP_STATE_STOPPED
 */
struct hvk_arch_vcpu {
	struct kvm_regs regs;
	bool initialized;
	u32 target;
	u32 features;
	u32 mp_state;
};

#endif /* HVK_ARM64_HVK_ARCH_H */

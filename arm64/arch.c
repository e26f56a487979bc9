// SPDX-License-Identifier: GPL-2.0
/*
 * The rest of the arch contract (core/arch.h) on arm64: VM types, ioctl
 * defaults and limits, matching the in-tree KVM's answers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/printk.h>

#include "arch.h"
#include "hvk.h"
#include "hyp.h"

long hvk_arch_check_extension(struct hvk_vm *vm, long ext)
{
	switch (ext) {
	case KVM_CAP_ARM_VM_IPA_SIZE:
		return hvk_hyp.ipa_limit;
	default:
		return 0;
	}
}

long hvk_arch_dev_ioctl(unsigned int ioctl, unsigned long arg)
{
	return -EINVAL;
}

/*
 * KVM_CREATE_VM's type on arm64 carries the IPA size in its low byte
 * (KVM_VM_TYPE_ARM_IPA_SIZE): 0 means the historical 40 bits, anything
 * else must lie between 32 bits and the host's limit. Other bits are
 * undefined and refused.
 */
int hvk_arch_vm_init(struct hvk_vm *vm, unsigned long type)
{
	u32 bits;

	if (type & ~KVM_VM_TYPE_ARM_IPA_SIZE_MASK)
		return -EINVAL;
	bits = KVM_VM_TYPE_ARM_IPA_SIZE(type);
	if (!bits)
		bits = HVK_DEFAULT_IPA_BITS;
	if (bits < HVK_MIN_IPA_BITS || bits > hvk_hyp.ipa_limit)
		return -EINVAL;
	vm->arch.ipa_bits = bits;
	return 0;
}

void hvk_arch_vm_destroy(struct hvk_vm *vm)
{
}

long hvk_arch_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
		       unsigned long arg)
{
	return -EINVAL;
}

/* A slot must lie below the VM's IPA size; KVM says -EFAULT. */
int hvk_arch_memslot_check(struct hvk_vm *vm,
			   const struct kvm_userspace_memory_region *mem)
{
	if (mem->guest_phys_addr + mem->memory_size > BIT_ULL(vm->arch.ipa_bits))
		return -EFAULT;
	return 0;
}

int hvk_arch_vcpu_create(struct hvk_vcpu *vcpu)
{
	return 0;
}

void hvk_arch_vcpu_destroy(struct hvk_vcpu *vcpu)
{
}

/*
 * Guest execution arrives with the world switch. Until then a vCPU can
 * never be initialised (KVM_ARM_VCPU_INIT is unknown), and KVM's answer
 * to KVM_RUN on an uninitialised vCPU is -ENOEXEC.
 */
int hvk_arch_vcpu_run(struct hvk_vcpu *vcpu)
{
	pr_info_ratelimited("KVM_RUN: guest execution is not implemented on arm64 yet\n");
	return -ENOEXEC;
}

long hvk_arch_vcpu_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 unsigned long arg)
{
	return -EINVAL;
}

/*
 * kvm_run, then the coalesced-MMIO ring's page: KVM on arm64 reports
 * both in KVM_GET_VCPU_MMAP_SIZE, and so do we (the ring stays empty
 * while KVM_CAP_COALESCED_MMIO is 0).
 */
unsigned int hvk_arch_run_pages(void)
{
	return KVM_COALESCED_MMIO_PAGE_OFFSET + 1;
}

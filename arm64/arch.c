// SPDX-License-Identifier: GPL-2.0
/*
 * The rest of the arch contract (core/arch.h) on arm64: VM types, ioctl
 * defaults and limits, matching the in-tree KVM's answers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/printk.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "arm64.h"
#include "hvk.h"
#include "hyp.h"
#include "irq.h"
#include "irq/vgic.h"
#include "irqchip.h"
#include "mmu/mmu.h"
#include "vgic-hw.h"
#include "vcpu_regs.h"
#include "vtimer.h"

long hvk_arch_check_extension(struct hvk_vm *vm, long ext)
{
	switch (ext) {
	case KVM_CAP_ARM_VM_IPA_SIZE:
		return hvk_hyp.ipa_limit;
	/* arm64/vcpu_regs.c: core registers and RUNNABLE/STOPPED. */
	case KVM_CAP_ONE_REG:
	case KVM_CAP_MP_STATE:
	/* arm64/psci.c, arm64/exit.c */
	case KVM_CAP_ARM_PSCI:
	case KVM_CAP_ARM_PSCI_0_2:
	case KVM_CAP_ARM_NISV_TO_USER:
	/* mmu/mmu.c: writes to read-only slots exit as MMIO */
	case KVM_CAP_READONLY_MEM:
	/* KVM_IRQ_LINE's vcpu2_index field (irq/vgic.c) */
	case KVM_CAP_ARM_IRQ_LINE_LAYOUT_2:
		return 1;
	/* the vGICv3 device (irq/vgic*.c), where the CPUs have GICv3 */
	case KVM_CAP_DEVICE_CTRL:
	case KVM_CAP_IRQCHIP:
		return hvk_arm64_vgic_usable();
	/*
	 * GSI routes and irqfds (core/irq.c) to the vGIC's SPIs. Not
	 * KVM_CAP_SIGNAL_MSI: MSIs need an ITS, which hvk does not offer
	 * (KVM_SIGNAL_MSI answers -ENODEV), and a VMM that sees the cap
	 * creates an in-kernel ITS (QEMU's virt does) instead of falling
	 * back to wired SPIs.
	 */
	case KVM_CAP_IRQFD:
	case KVM_CAP_IRQFD_RESAMPLE:
	case KVM_CAP_IRQ_ROUTING:
		return hvk_arm64_vgic_usable() ? hvk_irq_check_extension(ext) : 0;
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
	struct hvk_pgt_fmt fmt;
	u32 bits;
	int r;

	if (type & ~KVM_VM_TYPE_ARM_IPA_SIZE_MASK)
		return -EINVAL;
	bits = KVM_VM_TYPE_ARM_IPA_SIZE(type);
	if (!bits)
		bits = HVK_DEFAULT_IPA_BITS;
	if (bits < HVK_MIN_IPA_BITS || bits > hvk_hyp.ipa_limit)
		return -EINVAL;
	vm->arch.ipa_bits = bits;
	/* The guest's virtual counter starts at 0 with the VM, as KVM's. */
	vm->arch.cntvoff = hvk_arm64_counter();
	r = hvk_arm64_s2_init(vm, &fmt);
	if (r)
		return r;
	return hvk_mmu_init(vm, &fmt);
}

/*
 * The vGIC goes first (its devices leave the I/O bus), then the stage-2
 * table: its last flush uses the VMID. A VMID is only a number, reused
 * after a rollover.
 */
void hvk_arch_vm_destroy(struct hvk_vm *vm)
{
	hvk_vgic_destroy(vm);
	hvk_mmu_destroy(vm);
}

void hvk_arch_memslot_unmap(struct hvk_vm *vm, u64 gpa, u64 size)
{
	hvk_mmu_unmap_range(vm, gpa, size);
}

/*
 * KVM_ENABLE_CAP on the VM fd: flags must be 0; of the arm64 VM
 * capabilities only KVM_CAP_ARM_NISV_TO_USER exists here (data aborts
 * without a valid syndrome exit with KVM_EXIT_ARM_NISV). Anything else
 * is -EINVAL, as KVM says for a capability it cannot enable.
 */
static int arm64_vm_enable_cap(struct hvk_vm *vm,
			     const struct kvm_enable_cap *cap)
{
	if (cap->flags)
		return -EINVAL;
	switch (cap->cap) {
	case KVM_CAP_ARM_NISV_TO_USER:
		WRITE_ONCE(vm->arch.nisv_to_user, true);
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * KVM_ARM_PREFERRED_TARGET is a VM ioctl (KVM API,
 * "KVM_ARM_PREFERRED_TARGET"): the target to pass to KVM_ARM_VCPU_INIT,
 * with no feature bits.
 */
long hvk_arch_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
		       unsigned long arg)
{
	struct kvm_vcpu_init init;
	struct kvm_enable_cap cap;

	switch (ioctl) {
	case KVM_CREATE_DEVICE:
		return hvk_arm64_create_device(vm, (void __user *)arg);
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS:
		return hvk_arm64_irq_line(vm, ioctl, (void __user *)arg);
	case KVM_ENABLE_CAP:
		if (copy_from_user(&cap, (void __user *)arg, sizeof(cap)))
			return -EFAULT;
		return arm64_vm_enable_cap(vm, &cap);
	case KVM_ARM_PREFERRED_TARGET:
		hvk_arm64_preferred_target(&init);
		if (copy_to_user((void __user *)arg, &init, sizeof(init)))
			return -EFAULT;
		return 0;
	default:
		return -EINVAL;
	}
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
	/* No vCPU after the vGIC's CTRL_INIT (KVM: -EBUSY); vm->lock held */
	if (hvk_vgic_initialized(vcpu->vm))
		return -EBUSY;
	hvk_arm64_vcpu_create(vcpu);
	return 0;
}

void hvk_arch_vcpu_destroy(struct hvk_vcpu *vcpu)
{
	hvk_arm64_vtimer_vcpu_destroy(vcpu);
	hvk_vgic_vcpu_destroy(vcpu);
}

long hvk_arch_vcpu_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 unsigned long arg)
{
	return hvk_arm64_vcpu_ioctl(vcpu, ioctl, arg);
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

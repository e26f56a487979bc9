// SPDX-License-Identifier: GPL-2.0
/*
 * The rest of the arch contract (core/arch.h) on x86: capabilities, the
 * ioctls core/ does not know, and the arch part of VMs and vCPUs.
 *
 * hvk's ABI is KVM's, so every answer here is what KVM in Linux 6.1
 * gives on x86 (arch/x86/kvm/x86.c, virt/kvm/kvm_main.c), including the
 * errno for an ioctl it does not know. Taking the hardware is vmx.c's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kvm.h>
#include <linux/printk.h>
#include <asm/processor.h>

#include "arch.h"
#include "hvk.h"

long hvk_arch_check_extension(struct hvk_vm *vm, long ext)
{
	/*
	 * Every x86 capability KVM reports describes guest execution, guest
	 * state or an x86 ioctl, none of which works before KVM_RUN does:
	 * report none rather than promise what is not there.
	 */
	return 0;
}

long hvk_arch_dev_ioctl(unsigned int ioctl, unsigned long arg)
{
	/* kvm_arch_dev_ioctl(): unknown system ioctls are -EINVAL on x86. */
	return -EINVAL;
}

int hvk_arch_vm_init(struct hvk_vm *vm, unsigned long type)
{
	/* kvm_arch_init_vm(): x86 has one VM type, 0 (KVM_X86_DEFAULT_VM). */
	if (type)
		return -EINVAL;
	/* Later: the EPT root is allocated here. */
	return 0;
}

void hvk_arch_vm_destroy(struct hvk_vm *vm)
{
}

long hvk_arch_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
		       unsigned long arg)
{
	/* kvm_arch_vm_ioctl(): unknown VM ioctls are -ENOTTY on x86. */
	return -ENOTTY;
}

static unsigned int vmx_phys_bits(void)
{
	if (boot_cpu_data.extended_cpuid_level >= 0x80000008)
		return cpuid_eax(0x80000008) & 0xff;
	return boot_cpu_data.x86_phys_bits;
}

int hvk_arch_memslot_check(struct hvk_vm *vm,
			   const struct kvm_userspace_memory_region *mem)
{
	u64 last = mem->guest_phys_addr + mem->memory_size - 1;

	/*
	 * EPT translates guest-physical addresses up to the host's
	 * MAXPHYADDR (SDM Vol. 3C 29.3.2 "EPT Translation Mechanism": bits
	 * above it must be 0), so a slot reaching past it could never be
	 * mapped. KVM refuses it with -EINVAL, and so do we. CPUID
	 * 0x80000008 gives the raw width; boot_cpu_data may be reduced by
	 * memory encryption keys.
	 */
	if (last >> vmx_phys_bits())
		return -EINVAL;
	return 0;
}

int hvk_arch_vcpu_create(struct hvk_vcpu *vcpu)
{
	/* Later: the VMCS, the VPID and the MSR bitmap are set up here. */
	return 0;
}

void hvk_arch_vcpu_destroy(struct hvk_vcpu *vcpu)
{
}

int hvk_arch_vcpu_run(struct hvk_vcpu *vcpu)
{
	pr_info_ratelimited("KVM_RUN is not implemented yet on x86\n");
	return -EOPNOTSUPP;
}

long hvk_arch_vcpu_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 unsigned long arg)
{
	/* kvm_arch_vcpu_ioctl(): unknown vCPU ioctls are -EINVAL on x86. */
	return -EINVAL;
}

unsigned int hvk_arch_run_pages(void)
{
	/*
	 * KVM_GET_VCPU_MMAP_SIZE is three pages on x86 KVM: struct kvm_run,
	 * the string-I/O data page (KVM_PIO_PAGE_OFFSET) and the coalesced
	 * MMIO ring (KVM_COALESCED_MMIO_PAGE_OFFSET, empty while zero and
	 * unused until KVM_CAP_COALESCED_MMIO is reported). Same size, same
	 * offsets, so a VMM sizes and maps the area as it does on KVM.
	 */
	return KVM_COALESCED_MMIO_PAGE_OFFSET + 1;
}

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
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/processor.h>

#include "apic.h"
#include "arch.h"
#include "caps.h"
#include "hvk.h"
#include "inject.h"
#include "insn.h"
#include "irq.h"
#include "mmu/ept.h"
#include "mmu/mmu.h"
#include "run.h"

long hvk_arch_check_extension(struct hvk_vm *vm, long ext)
{
	/* Only what works: each of these is exercised by the selftests. */
	switch (ext) {
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_IOEVENTFD_NO_LENGTH:	/* core/ioeventfd.c, io.c, mmio.c */
	case KVM_CAP_VCPU_EVENTS:		/* inject.c */
		return 1;
	case KVM_CAP_USER_NMI:
		return vmx_has_vnmi();
	case KVM_CAP_SET_BOOT_CPU_ID:		/* irqchip.c, apic.c */
	case KVM_CAP_TSC_DEADLINE_TIMER:
	/* the in-kernel irqchip: irq/ (LAPIC, PIC, IOAPIC, PIT), irqchip.c */
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_HLT:
		return 1;
	/* GSI routes, irqfds and MSIs: core/irq.c */
	case KVM_CAP_IRQFD:
	case KVM_CAP_IRQFD_RESAMPLE:
	case KVM_CAP_SIGNAL_MSI:
	case KVM_CAP_IRQ_ROUTING:
		return hvk_irq_check_extension(ext);
	default:
		return 0;
	}
}

static long vmx_get_msr_index_list(void __user *argp)
{
	struct kvm_msr_list __user *ulist = argp;
	struct kvm_msr_list list;
	u32 n = vmx_msr_index_count;

	if (copy_from_user(&list, ulist, sizeof(list)))
		return -EFAULT;
	if (put_user(n, &ulist->nmsrs))
		return -EFAULT;
	if (list.nmsrs < n)
		return -E2BIG;
	if (copy_to_user(ulist->indices, vmx_msr_index_list,
			 n * sizeof(u32)))
		return -EFAULT;
	return 0;
}

long hvk_arch_dev_ioctl(unsigned int ioctl, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_GET_MSR_INDEX_LIST:
		return vmx_get_msr_index_list(argp);
	case KVM_GET_SUPPORTED_CPUID:
		return vmx_get_supported_cpuid(argp);
	default:
		/* kvm_arch_dev_ioctl(): unknown system ioctls are -EINVAL. */
		return -EINVAL;
	}
}

int hvk_arch_vm_init(struct hvk_vm *vm, unsigned long type)
{
	struct hvk_pgt_fmt fmt;

	/* kvm_arch_init_vm(): x86 has one VM type, 0 (KVM_X86_DEFAULT_VM). */
	if (type)
		return -EINVAL;
	ept_fmt_init(&fmt, false);
	/*
	 * 2 MiB leaves only if the CPU has them (IA32_VMX_EPT_VPID_CAP bit
	 * 16, A.10): a PDE with bit 7 set is otherwise an EPT
	 * misconfiguration (29.3.3.1).
	 */
	if (!(vmx_caps.ept & VMX_EPT_2MB_PAGE_BIT))
		fmt.block_levels &= ~BIT(2);
	return hvk_mmu_init(vm, &fmt);
}

void hvk_arch_vm_destroy(struct hvk_vm *vm)
{
	vmx_irqchip_vm_destroy(vm);
	hvk_mmu_destroy(vm);
}

void hvk_arch_memslot_unmap(struct hvk_vm *vm, u64 gpa, u64 size)
{
	hvk_mmu_unmap_range(vm, gpa, size);
}

long hvk_arch_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
		       unsigned long arg)
{
	u64 addr;
	long r;

	r = vmx_irqchip_vm_ioctl(vm, ioctl, arg);
	if (r != -ENOIOCTLCMD)
		return r;
	switch (ioctl) {
	case KVM_SET_TSS_ADDR:
		/*
		 * The three pages of a real-mode TSS must fit below 4 GiB
		 * (KVM's check). hvk runs real mode natively (unrestricted
		 * guest) and needs no TSS: the address is only kept.
		 */
		if (arg > (unsigned int)(-3 * PAGE_SIZE))
			return -EINVAL;
		vm->arch.tss_addr = arg;
		return 0;
	case KVM_SET_IDENTITY_MAP_ADDR:
		if (copy_from_user(&addr, (void __user *)arg, sizeof(addr)))
			return -EFAULT;
		/* KVM: only before the first vCPU; the page is never used. */
		mutex_lock(&vm->lock);
		if (vm->nr_vcpus) {
			mutex_unlock(&vm->lock);
			return -EINVAL;
		}
		vm->arch.identity_map_addr = addr;
		mutex_unlock(&vm->lock);
		return 0;
	default:
		/* kvm_arch_vm_ioctl(): unknown VM ioctls are -ENOTTY on x86. */
		return -ENOTTY;
	}
}

u64 hvk_arch_mmu_leaf_attrs(struct hvk_vm *vm, unsigned int prot, int level)
{
	/*
	 * Guest RAM is write-back, whatever the guest's PAT says (IPAT):
	 * it is host memory the host also uses cached, and the guest's
	 * MTRRs and PAT are not virtualized.
	 */
	return ept_leaf_attrs(prot, EPT_MT_WB, true);
}

void hvk_arch_mmu_sync_page(phys_addr_t phys, u64 size, unsigned int prot)
{
	/* x86 caches are coherent with instruction fetch and DMA. */
}

static void vmx_invept_ipi(void *eptp)
{
	enum vmx_insn_status st;

	if (vmx_caps.ept & VMX_EPT_EXTENT_CONTEXT_BIT)
		st = vmx_invept(VMX_EPT_EXTENT_CONTEXT, *(u64 *)eptp);
	else
		st = vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (st != VMX_OK)
		pr_err_ratelimited("CPU%d: INVEPT failed (%d)\n",
				   smp_processor_id(), st);
}

void hvk_arch_mmu_flush(struct hvk_vm *vm)
{
	/*
	 * 28.3.3.1 "Operations that Invalidate Cached Mappings": mappings
	 * derived from EPT may be cached on every CPU that ran the guest,
	 * and survive VMCLEAR; INVEPT them all.
	 */
	u64 eptp = vmx_eptp(vm);

	on_each_cpu(vmx_invept_ipi, &eptp, 1);
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

long hvk_arch_vcpu_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 unsigned long arg)
{
	long r;

	r = vmx_events_ioctl(vcpu, ioctl, (void __user *)arg);
	if (r != -ENOIOCTLCMD)
		return r;
	r = vmx_apic_ioctl(vcpu, ioctl, (void __user *)arg);
	if (r != -ENOIOCTLCMD)
		return r;
	return vmx_vcpu_regs_ioctl(vcpu, ioctl, (void __user *)arg);
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

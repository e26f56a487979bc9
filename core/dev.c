// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvk: the system fd, module parameters, module init and exit.
 *
 * The system fd answers the KVM system ioctls (KVM_GET_API_VERSION,
 * KVM_CHECK_EXTENSION, KVM_CREATE_VM, KVM_GET_VCPU_MMAP_SIZE) exactly as
 * <linux/kvm.h> defines them, so a KVM client can open /dev/hvk instead
 * of /dev/kvm. Everything arch-specific goes through core/arch.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "arch.h"
#include "hvk.h"
#include "../uapi/hvk.h"

unsigned int hvk_max_vcpus = 64;
module_param_named(max_vcpus, hvk_max_vcpus, uint, 0444);
MODULE_PARM_DESC(max_vcpus,
		 "vCPUs per VM, reported as KVM_CAP_MAX_VCPUS (1-256, default 64)");

/**
 * hvk_vm_check_extension() - KVM_CHECK_EXTENSION on the system or a VM fd
 * @vm: the VM asked through, or NULL for the system fd
 * @ext: the KVM_CAP_* number
 *
 * Generic capabilities are answered here; the rest by the arch, which
 * reports only what works. Unknown capabilities are 0, never an error.
 *
 * Return: the capability's value.
 */
long hvk_vm_check_extension(struct hvk_vm *vm, long ext)
{
	switch (ext) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_IMMEDIATE_EXIT:	/* core/vcpu.c checks it */
	case KVM_CAP_IOEVENTFD:		/* core/ioeventfd.c */
	case KVM_CAP_IOEVENTFD_ANY_LENGTH:
	case KVM_CAP_COALESCED_PIO:	/* core/coalesced.c */
	case KVM_CAP_BINARY_STATS_FD:	/* core/stats.c */
		return 1;
	case KVM_CAP_COALESCED_MMIO:
		return KVM_COALESCED_MMIO_PAGE_OFFSET;
	case KVM_CAP_NR_MEMSLOTS:
		return HVK_MEMSLOTS;
	case KVM_CAP_NR_VCPUS:
		return min(num_online_cpus(), hvk_max_vcpus);
	case KVM_CAP_MAX_VCPUS:
		return hvk_max_vcpus;
	case KVM_CAP_MAX_VCPU_ID:
		return HVK_MAX_VCPU_ID;
	default:
		return hvk_arch_check_extension(vm, ext);
	}
}

static long hvk_dev_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return hvk_vm_check_extension(NULL, arg);
	case KVM_CREATE_VM:
		return hvk_create_vm(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return hvk_arch_run_pages() * PAGE_SIZE;
	default:
		return hvk_arch_dev_ioctl(ioctl, arg);
	}
}

static const struct file_operations hvk_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvk_dev_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice hvk_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= HVK_DEV_NAME,
	.fops	= &hvk_dev_fops,
	.mode	= 0600,
};

static int __init hvk_init(void)
{
	int r;

	if (hvk_max_vcpus < 1 || hvk_max_vcpus > HVK_MAX_VCPUS_LIMIT) {
		pr_err("max_vcpus=%u out of range 1-%u\n", hvk_max_vcpus,
		       HVK_MAX_VCPUS_LIMIT);
		return -EINVAL;
	}

	r = hvk_irq_init();
	if (r)
		return r;
	r = hvk_arch_init();
	if (r)
		goto err_irq_exit;

	r = misc_register(&hvk_misc);
	if (r) {
		pr_err("cannot register /dev/hvk: %d\n", r);
		goto err_arch_exit;
	}
	pr_info("/dev/hvk ready (KVM API %d, up to %u vCPUs per VM)\n",
		KVM_API_VERSION, hvk_max_vcpus);
	return 0;

err_arch_exit:
	hvk_arch_exit();
err_irq_exit:
	hvk_irq_exit();
	return r;
}

static void __exit hvk_exit(void)
{
	/*
	 * Every VM and vCPU fd pins the module, so by now no VM exists and
	 * the hardware can be given back.
	 */
	misc_deregister(&hvk_misc);
	hvk_arch_exit();
	hvk_irq_exit();
	pr_info("unloaded\n");
}

module_init(hvk_init);
module_exit(hvk_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvk: hardware-assisted virtualization with a KVM-compatible ABI");
MODULE_AUTHOR("The hvk developers");

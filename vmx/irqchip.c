// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 in-kernel irqchip, glued to the VM (core/arch.h's irq hooks):
 * KVM_CREATE_IRQCHIP (a local APIC per vCPU, the PIC pair and the
 * IOAPIC), KVM's default GSI routing, delivery of routes (MSIs to the
 * LAPICs, pins to the PIC and IOAPIC), KVM_IRQ_LINE(_STATUS),
 * KVM_SET_BOOT_CPU_ID, and the arch devices on the in-kernel I/O bus.
 *
 * As in KVM 6.1, KVM_CREATE_IRQCHIP comes before the first vCPU (-EINVAL
 * after), so every vCPU gets its LAPIC when it is created; the boot CPU
 * (KVM_SET_BOOT_CPU_ID, id 0 by default) starts RUNNABLE, the others
 * wait for INIT and SIPI (UNINITIALIZED).
 *
 * TODO(merge): the PIC and the IOAPIC (irq/pic.c, irq/ioapic.c, another
 * branch) are not in this tree: KVM_CREATE_IRQCHIP leaves chip->pic and
 * chip->ioapic NULL and every path here that would reach them checks
 * for NULL. At the merge, create them in vmx_create_irqchip(), free them
 * in vmx_irqchip_vm_destroy(), register their ports (0x20, 0xa0,
 * 0x4d0-0x4d1) and page (0xfec00000) with vmx_iodev kinds and dispatch
 * them in hvk_arch_io_read/write(), and report KVM_CAP_IRQCHIP.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "apic.h"
#include "arch.h"
#include "hvk.h"
#include "irq.h"
#include "lapic.h"
#include "x86.h"

#define VMX_LAPIC_PAGE		0xfee00000ULL
#define VMX_IOAPIC_PINS		24
#define VMX_PIC_PINS		16

/* What an HVK_IO_ARCH range's dev points to: which model answers. */
enum vmx_iodev_kind {
	VMX_IODEV_LAPIC,
};

struct vmx_iodev {
	enum vmx_iodev_kind kind;
};

/* The xAPIC page: one range for all vCPUs, each answered by its own. */
static const struct vmx_iodev vmx_lapic_iodev = { VMX_IODEV_LAPIC };

bool hvk_arch_irqchip_ready(struct hvk_vm *vm)
{
	/* Published with release once set up (vmx_create_irqchip()). */
	return smp_load_acquire(&vm->irqchip) != NULL;
}

bool hvk_arch_irq_routing_allowed(struct hvk_vm *vm)
{
	return hvk_arch_irqchip_ready(vm);
}

/* 6.1's kvm_set_routing_entry() for x86: pins in range, plain MSIs. */
int hvk_arch_irq_route_check(struct hvk_vm *vm, struct hvk_irq_route *r)
{
	switch (r->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		switch (r->chip.irqchip) {
		case KVM_IRQCHIP_PIC_MASTER:
		case KVM_IRQCHIP_PIC_SLAVE:
			return r->chip.pin < VMX_PIC_PINS / 2 ? 0 : -EINVAL;
		case KVM_IRQCHIP_IOAPIC:
			return r->chip.pin < VMX_IOAPIC_PINS ? 0 : -EINVAL;
		default:
			return -EINVAL;
		}
	case KVM_IRQ_ROUTING_MSI:
		return r->msi.flags ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

int hvk_arch_irq_deliver(struct hvk_vm *vm, const struct hvk_irq_route *r,
			 int src, int level, bool line_status)
{
	struct hvk_irqchip *chip = smp_load_acquire(&vm->irqchip);
	struct hvk_apic_irq irq;

	if (!chip)
		return -1;
	if (r->type == KVM_IRQ_ROUTING_MSI) {
		if (!level)
			return -1;
		lapic_msi_to_irq(r->msi.addr, r->msi.data, &irq);
		return lapic_deliver(vm, NULL, &irq);
	}
	switch (r->chip.irqchip) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		if (!chip->pic)
			return -1;
		return pic_set_irq(chip->pic, r->chip.pin +
				   (r->chip.irqchip == KVM_IRQCHIP_PIC_SLAVE ?
				    8 : 0), src, level);
	case KVM_IRQCHIP_IOAPIC:
		if (!chip->ioapic)
			return -1;
		return ioapic_set_irq(chip->ioapic, r->chip.pin, src, level,
				      line_status);
	default:
		return -1;
	}
}

int hvk_arch_io_read(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		     void *val)
{
	const struct vmx_iodev *d = dev;

	switch (d->kind) {
	case VMX_IODEV_LAPIC:
		return lapic_mmio_read(vcpu, addr, len, val);
	}
	return -EOPNOTSUPP;
}

int hvk_arch_io_write(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		      const void *val)
{
	const struct vmx_iodev *d = dev;

	switch (d->kind) {
	case VMX_IODEV_LAPIC:
		return lapic_mmio_write(vcpu, addr, len, val);
	}
	return -EOPNOTSUPP;
}

/*
 * KVM's default routing (virt/kvm/irqchip.c, x86 irq_comm.c): GSI n to
 * IOAPIC pin n for 0-23, and GSIs 0-15 also to PIC pin n % 8 of the
 * master (0-7) or the slave (8-15).
 */
static int vmx_default_routing(struct hvk_vm *vm)
{
	struct kvm_irq_routing_entry *e;
	unsigned int n = 0, gsi;
	int r;

	e = kcalloc(VMX_IOAPIC_PINS + VMX_PIC_PINS, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	for (gsi = 0; gsi < VMX_IOAPIC_PINS; gsi++) {
		if (gsi < VMX_PIC_PINS) {
			e[n].gsi = gsi;
			e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
			e[n].u.irqchip.irqchip = gsi < 8 ?
				KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
			e[n].u.irqchip.pin = gsi % 8;
			n++;
		}
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e[n].u.irqchip.pin = gsi;
		n++;
	}
	r = hvk_irq_routing_set(vm, e, n);
	kfree(e);
	return r;
}

/* KVM_CREATE_IRQCHIP (6.1: -EEXIST twice, -EINVAL once vCPUs exist). */
static long vmx_create_irqchip(struct hvk_vm *vm)
{
	struct hvk_io_range range = {
		.addr = VMX_LAPIC_PAGE,
		.len = PAGE_SIZE,
		.kind = HVK_IO_ARCH,
		.dev = (void *)&vmx_lapic_iodev,
	};
	struct hvk_irqchip *chip;
	long r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->irqchip)
		goto out;
	r = -EINVAL;
	if (vm->nr_vcpus)
		goto out;
	r = -ENOMEM;
	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	if (!chip)
		goto out;
	/* TODO(merge): chip->pic and chip->ioapic (see the top). */
	r = hvk_io_bus_register(vm, HVK_MMIO_BUS, &range);
	if (r)
		goto out_free;
	smp_store_release(&vm->irqchip, chip);
	mutex_unlock(&vm->lock);

	r = vmx_default_routing(vm);
	if (r)
		pr_warn_ratelimited("default GSI routing failed (%ld)\n", r);
	return 0;

out_free:
	kfree(chip);
out:
	mutex_unlock(&vm->lock);
	return r;
}

void vmx_irqchip_vm_destroy(struct hvk_vm *vm)
{
	/* Core frees the bus tables after us; the LAPIC range is static. */
	kfree(vm->irqchip);
	vm->irqchip = NULL;
}

/* KVM_IRQ_LINE and KVM_IRQ_LINE_STATUS (the latter writes back status). */
static long vmx_irq_line(struct hvk_vm *vm, void __user *argp, bool status)
{
	struct kvm_irq_level line;
	int r;

	if (copy_from_user(&line, argp, sizeof(line)))
		return -EFAULT;
	if (!hvk_arch_irqchip_ready(vm))
		return -ENXIO;
	r = hvk_irq_set(vm, HVK_IRQ_SRC_USER, line.irq, line.level, status);
	if (status) {
		line.status = r;
		if (copy_to_user(argp, &line, sizeof(line)))
			return -EFAULT;
	}
	return 0;
}

/* KVM_SET_BOOT_CPU_ID: only before the first vCPU (6.1: -EBUSY). */
static long vmx_set_boot_cpu_id(struct hvk_vm *vm, unsigned long arg)
{
	long r = 0;

	mutex_lock(&vm->lock);
	if (vm->nr_vcpus)
		r = -EBUSY;
	else
		vm->arch.boot_cpu_id = arg;
	mutex_unlock(&vm->lock);
	return r;
}

/**
 * vmx_irqchip_vm_ioctl() - the irqchip's VM ioctls
 * @vm: the VM
 * @ioctl: the ioctl
 * @arg: its argument
 *
 * Return: the result, or -ENOIOCTLCMD if @ioctl is none of these.
 */
long vmx_irqchip_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_CREATE_IRQCHIP:
		return vmx_create_irqchip(vm);
	case KVM_IRQ_LINE:
		return vmx_irq_line(vm, argp, false);
	case KVM_IRQ_LINE_STATUS:
		return vmx_irq_line(vm, argp, true);
	case KVM_SET_BOOT_CPU_ID:
		return vmx_set_boot_cpu_id(vm, arg);
	default:
		return -ENOIOCTLCMD;
	}
}

/* A vCPU of a VM with an irqchip gets its LAPIC; APs wait for SIPI. */
int vmx_irqchip_vcpu_create(struct hvk_vcpu *vcpu)
{
	struct hvk_vm *vm = vcpu->vm;
	bool bsp = vcpu->id == vm->arch.boot_cpu_id;
	int r;

	if (!hvk_arch_irqchip_ready(vm))
		return 0;
	r = lapic_create(vcpu, bsp);
	if (r)
		return r;
	vcpu->arch.apic_base = lapic_get_base(vcpu);
	if (!bsp)
		vcpu->arch.mp_state = KVM_MP_STATE_UNINITIALIZED;
	return 0;
}

void vmx_irqchip_vcpu_destroy(struct hvk_vcpu *vcpu)
{
	lapic_destroy(vcpu);
}

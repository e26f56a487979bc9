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
 * The PIC pair and the IOAPIC (irq/pic.c, irq/ioapic.c) put themselves
 * on the I/O bus when created; the PIT (irq/pit.c) comes with
 * KVM_CREATE_PIT2. Their state goes through KVM_GET/SET_IRQCHIP and
 * KVM_GET/SET_PIT2. Every bus device's dev pointer starts with a kind:
 * the LAPIC page's is vmx_iodev's (0), the others' x86_iodev's (> 0).
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
#include "x86_dev.h"

#define VMX_LAPIC_PAGE		0xfee00000ULL
#define VMX_IOAPIC_PINS		24
#define VMX_PIC_PINS		16

/*
 * What an HVK_IO_ARCH range's dev points to: which model answers. The
 * PIC, IOAPIC and PIT number theirs from 1 (enum x86_iodev_kind).
 */
enum vmx_iodev_kind {
	VMX_IODEV_LAPIC = 0,
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

/*
 * kvm_arch_irqfd_allowed(): no irqfd without an in-kernel irqchip; with
 * KVM_CREATE_IRQCHIP's whole one, resampling irqfds too.
 */
int hvk_arch_irqfd_allowed(struct hvk_vm *vm, bool resample)
{
	return hvk_arch_irqchip_ready(vm) ? 0 : -EINVAL;
}

/* kvm_arch_can_set_irq_routing(): not without an in-kernel irqchip. */
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
			return r->chip.pin < VMX_PIC_PINS / 2 ? 0 : -EINVAL;
		case KVM_IRQCHIP_PIC_SLAVE:
			/*
			 * Kept as the pair's IRQ 8-15, as KVM does: the
			 * PIC reports the slave's EOIs so (hvk_irq_ack()).
			 */
			if (r->chip.pin >= VMX_PIC_PINS / 2)
				return -EINVAL;
			r->chip.pin += VMX_PIC_PINS / 2;
			return 0;
		case KVM_IRQCHIP_IOAPIC:
			return r->chip.pin < VMX_IOAPIC_PINS ? 0 : -EINVAL;
		default:
			return -EINVAL;
		}
	case KVM_IRQ_ROUTING_MSI:
		/*
		 * Core took only KVM_MSI_VALID_DEVID as a flag, which x86
		 * KVM accepts and ignores; its one other check (the
		 * address_hi bits with KVM_CAP_X2APIC_API's format) cannot
		 * apply: that capability is not offered.
		 */
		return 0;
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
		return pic_set_irq(chip->pic, r->chip.pin, src, level);
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

	if (d->kind == VMX_IODEV_LAPIC)
		return lapic_mmio_read(vcpu, addr, len, val);
	return x86_irqchip_io(vcpu, dev, addr, len, val, false);
}

int hvk_arch_io_write(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		      const void *val)
{
	const struct vmx_iodev *d = dev;

	if (d->kind == VMX_IODEV_LAPIC)
		return lapic_mmio_write(vcpu, addr, len, val);
	return x86_irqchip_io(vcpu, dev, addr, len, (void *)val, true);
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
	chip->pic = pic_create(vm);
	if (IS_ERR(chip->pic)) {
		r = PTR_ERR(chip->pic);
		goto out_free;
	}
	chip->ioapic = ioapic_create(vm);
	if (IS_ERR(chip->ioapic)) {
		r = PTR_ERR(chip->ioapic);
		goto out_pic;
	}
	r = hvk_io_bus_register(vm, HVK_MMIO_BUS, &range);
	if (r)
		goto out_ioapic;
	smp_store_release(&vm->irqchip, chip);
	mutex_unlock(&vm->lock);

	r = vmx_default_routing(vm);
	if (r)
		pr_warn_ratelimited("default GSI routing failed (%ld)\n", r);
	return 0;

out_ioapic:
	ioapic_destroy(chip->ioapic);
out_pic:
	pic_destroy(chip->pic);
out_free:
	kfree(chip);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * The VM's last reference is gone: no vCPU runs, irqfds are gone (core
 * frees them before the arch). The PIT first: its timer raises IRQ 0
 * through the PIC and the IOAPIC. Core frees the bus tables after us;
 * the LAPIC range's device is static.
 */
void vmx_irqchip_vm_destroy(struct hvk_vm *vm)
{
	struct hvk_irqchip *chip = vm->irqchip;

	if (!chip)
		return;
	mutex_lock(&vm->lock);
	if (chip->pit)
		pit_destroy(chip->pit);
	ioapic_destroy(chip->ioapic);
	pic_destroy(chip->pic);
	mutex_unlock(&vm->lock);
	kfree(chip);
	vm->irqchip = NULL;
}

/* KVM_GET_IRQCHIP / KVM_SET_IRQCHIP, KVM 6.1's checks and their order. */
static long vmx_irqchip_state(struct hvk_vm *vm, void __user *argp,
			      bool set)
{
	struct hvk_irqchip *chip = smp_load_acquire(&vm->irqchip);
	struct kvm_irqchip *c;
	long r;

	c = memdup_user(argp, sizeof(*c));
	if (IS_ERR(c))
		return PTR_ERR(c);
	r = -ENXIO;
	if (!chip)
		goto out;
	switch (c->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		r = set ? pic_set_state(chip->pic, c->chip_id, &c->chip.pic) :
			  pic_get_state(chip->pic, c->chip_id, &c->chip.pic);
		break;
	case KVM_IRQCHIP_IOAPIC:
		if (set)
			ioapic_set_state(chip->ioapic, &c->chip.ioapic);
		else
			ioapic_get_state(chip->ioapic, &c->chip.ioapic);
		r = 0;
		break;
	default:
		r = -EINVAL;
		break;
	}
	if (!r && !set && copy_to_user(argp, c, sizeof(*c)))
		r = -EFAULT;
	/* A restored PIC may now raise INTR: the vCPU taking ExtINT looks. */
	if (!r && set)
		lapic_pic_intr_changed(vm);
out:
	kfree(c);
	return r;
}

/* KVM_CREATE_PIT2: after the PIC (-ENOENT), once (-EEXIST). */
static long vmx_create_pit2(struct hvk_vm *vm, void __user *argp)
{
	struct kvm_pit_config cfg;
	struct hvk_irqchip *chip;
	struct hvk_pit *pit;
	long r;

	if (copy_from_user(&cfg, argp, sizeof(cfg)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	chip = vm->irqchip;
	r = -EEXIST;
	if (chip && chip->pit)
		goto out;
	r = -ENOENT;
	if (!chip)
		goto out;
	pit = pit_create(vm, cfg.flags);
	if (IS_ERR(pit)) {
		r = PTR_ERR(pit);
		goto out;
	}
	WRITE_ONCE(chip->pit, pit);
	r = 0;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM_GET_PIT2 / KVM_SET_PIT2: -ENXIO without a PIT. */
static long vmx_pit2_state(struct hvk_vm *vm, void __user *argp, bool set)
{
	struct hvk_irqchip *chip;
	struct kvm_pit_state2 st;
	long r = 0;

	if (set && copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	chip = vm->irqchip;
	if (!chip || !chip->pit) {
		r = -ENXIO;
	} else if (set) {
		pit_set_state(chip->pit, &st);
	} else {
		memset(&st, 0, sizeof(st));
		pit_get_state(chip->pit, &st);
	}
	mutex_unlock(&vm->lock);
	if (!r && !set && copy_to_user(argp, &st, sizeof(st)))
		r = -EFAULT;
	return r;
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
	case KVM_GET_IRQCHIP:
		return vmx_irqchip_state(vm, argp, false);
	case KVM_SET_IRQCHIP:
		return vmx_irqchip_state(vm, argp, true);
	case KVM_CREATE_PIT2:
		return vmx_create_pit2(vm, argp);
	case KVM_GET_PIT2:
		return vmx_pit2_state(vm, argp, false);
	case KVM_SET_PIT2:
		return vmx_pit2_state(vm, argp, true);
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

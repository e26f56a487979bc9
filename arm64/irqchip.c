// SPDX-License-Identifier: GPL-2.0
/*
 * The arch's answers to core/irq.c (core/arch.h) and the VM ioctls of the
 * interrupt controller on arm64: the in-kernel vGICv3 (irq/vgic*.c) is
 * created with KVM_CREATE_DEVICE, driven with KVM_IRQ_LINE and GSI routes
 * to its SPIs, and its distributor and redistributors are HVK_IO_ARCH
 * devices on the I/O bus.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kvm.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "hvk.h"
#include "irq.h"
#include "irq/vgic.h"
#include "irqchip.h"
#include "vgic-hw.h"

/* KVM_IRQCHIP_NUM_PINS on arm64: SPIs 32..1019 */
#define ARM64_IRQCHIP_PINS	(1020 - 32)

/* KVM's irqchip_in_kernel() on arm64: a vGIC was created. */
bool hvk_arch_irqchip_ready(struct hvk_vm *vm)
{
	return READ_ONCE(vm->irqchip) != NULL;
}

/* kvm_arch_intc_initialized(): no irqfd before the vGIC is initialized. */
int hvk_arch_irqfd_allowed(struct hvk_vm *vm, bool resample)
{
	return hvk_vgic_initialized(vm) ? 0 : -EAGAIN;
}

/*
 * KVM on arm64 takes a routing table at any time, vGIC or not (the
 * routes go nowhere until there is one), with these checks.
 */
bool hvk_arch_irq_routing_allowed(struct hvk_vm *vm)
{
	return true;
}

int hvk_arch_irq_route_check(struct hvk_vm *vm, struct hvk_irq_route *r)
{
	switch (r->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (r->chip.irqchip >= 1 || r->chip.pin >= ARM64_IRQCHIP_PINS)
			return -EINVAL;
		return 0;
	case KVM_IRQ_ROUTING_MSI:
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * A pin is SPI 32 + pin. MSIs would need an ITS, which hvk does not
 * offer (KVM_CAP_MSI_DEVID 0): never delivered.
 */
int hvk_arch_irq_deliver(struct hvk_vm *vm, const struct hvk_irq_route *r,
			 int src, int level, bool line_status)
{
	if (r->type != KVM_IRQ_ROUTING_IRQCHIP)
		return -ENODEV;
	return hvk_vgic_inject(vm, NULL, r->chip.pin + VGIC_NR_PRIVATE, src,
			       level, false);
}

int hvk_arch_io_read(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		     void *val)
{
	return hvk_vgic_io(vcpu, dev, addr, len, val, false);
}

int hvk_arch_io_write(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		      const void *val)
{
	return hvk_vgic_io(vcpu, dev, addr, len, (void *)val, true);
}

/*
 * KVM_CREATE_DEVICE: only KVM_DEV_TYPE_ARM_VGIC_V3 exists here (no
 * GICv2 emulation, no ITS, no VFIO device): -ENODEV for the others, also
 * with KVM_CREATE_DEVICE_TEST. One vGIC per VM (-EEXIST), and none once
 * a vCPU has run (-EBUSY), as KVM.
 */
static long arm64_create_device(struct hvk_vm *vm, void __user *argp)
{
	struct kvm_create_device cd;
	unsigned int i;
	int r, fd;

	if (copy_from_user(&cd, argp, sizeof(cd)))
		return -EFAULT;
	if (cd.type != KVM_DEV_TYPE_ARM_VGIC_V3 || !hvk_arm64_vgic_usable())
		return -ENODEV;
	if (cd.flags & KVM_CREATE_DEVICE_TEST)
		return 0;

	mutex_lock(&vm->lock);
	r = -EBUSY;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (READ_ONCE(vm->vcpus[i]->arch.has_run))
			goto out;
	r = hvk_vgic_create(vm);
out:
	mutex_unlock(&vm->lock);
	if (r)
		return r;
	fd = hvk_vgic_device_fd(vm);
	if (fd < 0)
		return fd;
	cd.fd = fd;
	/* As KVM: the fd stays installed if the copy fails. */
	if (copy_to_user(argp, &cd, sizeof(cd)))
		return -EFAULT;
	return 0;
}

/*
 * KVM_IRQ_LINE and KVM_IRQ_LINE_STATUS. Without a vGIC, hvk has no way
 * to drive the CPU's IRQ/FIQ lines from userspace (KVM_ARM_IRQ_TYPE_CPU):
 * -EINVAL, as before; PPIs and SPIs need the vGIC (-ENXIO, as KVM).
 */
long hvk_arm64_irq_line(struct hvk_vm *vm, unsigned int ioctl,
			void __user *argp)
{
	struct kvm_irq_level l;
	u32 type;
	int r;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (!READ_ONCE(vm->irqchip)) {
		type = (l.irq >> KVM_ARM_IRQ_TYPE_SHIFT) & KVM_ARM_IRQ_TYPE_MASK;
		return type == KVM_ARM_IRQ_TYPE_PPI ||
		       type == KVM_ARM_IRQ_TYPE_SPI ? -ENXIO : -EINVAL;
	}
	r = hvk_vgic_irq_line(vm, &l);
	if (r)
		return r;
	/*
	 * arm64 KVM reports no status: the struct goes back as it came (its
	 * status shares the union with irq).
	 */
	if (ioctl == KVM_IRQ_LINE_STATUS && copy_to_user(argp, &l, sizeof(l)))
		return -EFAULT;
	return 0;
}

long hvk_arm64_create_device(struct hvk_vm *vm, void __user *argp)
{
	return arm64_create_device(vm, argp);
}

/**
 * hvk_arm64_vgic_first_run() - KVM_RUN's vGIC checks, each time until one
 * passes (KVM's kvm_vgic_map_resources() and kvm_timer_enable())
 * @vcpu: the vCPU, its mutex held, in a VM with a vGIC
 *
 * Return: 0, or the errno KVM_RUN gives (-ENXIO, -EINVAL, -EBUSY: see
 * hvk_vgic_first_run(); -EINVAL if both timers got one PPI).
 */
int hvk_arm64_vgic_first_run(struct hvk_vcpu *vcpu)
{
	struct hvk_vm *vm = vcpu->vm;
	struct hvk_irqchip *vgic = vm->irqchip;
	int r;

	if (vcpu->arch.has_run)
		return 0;
	r = hvk_vgic_first_run(vcpu);
	if (r) {
		/* KVM: a VM whose vGIC cannot be mapped is dead (-EIO on) */
		hvk_vm_mark_dead(vm);
		return r;
	}
	if (vgic->vtimer_ppi == vgic->ptimer_ppi)
		return -EINVAL;
	/* The timers own their PPIs from now on: KVM_IRQ_LINE is ignored. */
	hvk_vgic_inject(vm, vcpu, vgic->vtimer_ppi, 0, false, true);
	hvk_vgic_inject(vm, vcpu, vgic->ptimer_ppi, 0, false, true);
	vcpu->arch.timer_lines = 0;
	vcpu->arch.timer_armed = false;
	return 0;
}

/*
 * KVM_{SET,GET,HAS}_DEVICE_ATTR on a vCPU: only KVM_ARM_VCPU_TIMER_CTRL
 * (the timers' PPIs, KVM API "Generic vcpu interface"), with KVM 6.1's
 * rules: setting needs the vGIC (-EINVAL), a PPI (-EINVAL), no KVM_RUN
 * yet (-EBUSY), and applies to every vCPU. Other groups: -ENXIO.
 */
long hvk_arm64_vcpu_attr(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 void __user *argp)
{
	struct hvk_irqchip *vgic = READ_ONCE(vcpu->vm->irqchip);
	struct kvm_device_attr attr;
	int __user *uaddr;
	u32 *ppi;
	int irq;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	if (attr.group != KVM_ARM_VCPU_TIMER_CTRL)
		return -ENXIO;
	if (attr.attr != KVM_ARM_VCPU_TIMER_IRQ_VTIMER &&
	    attr.attr != KVM_ARM_VCPU_TIMER_IRQ_PTIMER)
		return -ENXIO;
	if (ioctl == KVM_HAS_DEVICE_ATTR)
		return 0;
	uaddr = u64_to_user_ptr(attr.addr);
	if (ioctl == KVM_GET_DEVICE_ATTR) {
		if (!vgic)
			irq = attr.attr == KVM_ARM_VCPU_TIMER_IRQ_VTIMER ? 27 : 30;
		else
			irq = attr.attr == KVM_ARM_VCPU_TIMER_IRQ_VTIMER ?
			      READ_ONCE(vgic->vtimer_ppi) :
			      READ_ONCE(vgic->ptimer_ppi);
		return put_user(irq, uaddr);
	}
	if (!vgic)
		return -EINVAL;
	if (get_user(irq, uaddr))
		return -EFAULT;
	if (irq < VGIC_NR_SGIS || irq >= VGIC_NR_PRIVATE)
		return -EINVAL;
	if (vcpu->arch.has_run)
		return -EBUSY;
	ppi = attr.attr == KVM_ARM_VCPU_TIMER_IRQ_VTIMER ? &vgic->vtimer_ppi :
							   &vgic->ptimer_ppi;
	WRITE_ONCE(*ppi, irq);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The arch's answers to core/irq.c (core/arch.h): no in-kernel irqchip
 * exists yet on this arch, so nothing is ready, nothing is delivered and
 * no arch device sits on the in-kernel I/O bus. Routing tables are
 * validated and kept already, as KVM does without a vGIC.
 * The irqchip replaces these.
 */
#define pr_fmt(fmt) "hvk: " fmt

#include <linux/errno.h>

#include "arch.h"
#include "irq.h"

bool hvk_arch_irqchip_ready(struct hvk_vm *vm)
{
	return false;
}

/* kvm_arch_intc_initialized(): no irqfd before the vGIC is initialized. */
int hvk_arch_irqfd_allowed(struct hvk_vm *vm, bool resample)
{
	return -EAGAIN;
}

/*
 * KVM on arm64 takes a routing table at any time, vGIC or not (the
 * routes go nowhere until there is one), with these checks.
 */
bool hvk_arch_irq_routing_allowed(struct hvk_vm *vm)
{
	return true;
}

/* SPIs, INTIDs 32-1019 (GICv3 spec, INTID ranges): pins 0-987. */
#define HVK_VGIC_NR_SPI_PINS	(1020 - 32)

int hvk_arch_irq_route_check(struct hvk_vm *vm, struct hvk_irq_route *r)
{
	switch (r->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (r->chip.irqchip >= KVM_NR_IRQCHIPS ||
		    r->chip.pin >= HVK_VGIC_NR_SPI_PINS)
			return -EINVAL;
		return 0;
	case KVM_IRQ_ROUTING_MSI:
		/* Any MSI, devid or not: the ITS judges it on delivery. */
		return 0;
	default:
		return -EINVAL;
	}
}

int hvk_arch_irq_deliver(struct hvk_vm *vm, const struct hvk_irq_route *r,
			 int src, int level, bool line_status)
{
	return -1;
}

/* No arch device is on the bus yet: nothing registers HVK_IO_ARCH. */
int hvk_arch_io_read(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		     void *val)
{
	return -EOPNOTSUPP;
}

int hvk_arch_io_write(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		      const void *val)
{
	return -EOPNOTSUPP;
}

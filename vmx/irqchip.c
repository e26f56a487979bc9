// SPDX-License-Identifier: GPL-2.0
/*
 * The arch's answers to core/irq.c (core/arch.h): no in-kernel irqchip
 * exists yet on this arch, so nothing is ready, nothing is delivered and
 * no arch device sits on the in-kernel I/O bus.
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

/* kvm_arch_irqfd_allowed(): no irqfd without an in-kernel irqchip. */
int hvk_arch_irqfd_allowed(struct hvk_vm *vm, bool resample)
{
	return -EINVAL;
}

/* kvm_arch_can_set_irq_routing(): not without an in-kernel irqchip. */
bool hvk_arch_irq_routing_allowed(struct hvk_vm *vm)
{
	return false;
}

int hvk_arch_irq_route_check(struct hvk_vm *vm, struct hvk_irq_route *r)
{
	return -EINVAL;
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

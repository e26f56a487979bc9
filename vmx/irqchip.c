// SPDX-License-Identifier: GPL-2.0
/*
 * The arch's answers to core/irq.c (core/arch.h): no in-kernel irqchip
 * exists yet on this arch, so nothing is ready and nothing is delivered.
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

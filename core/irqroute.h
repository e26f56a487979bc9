/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GSI routing table as pure logic: validation of KVM_SET_GSI_ROUTING
 * entries, the table layout, lookup by GSI and by irqchip pin.
 *
 * Like iorange.h: no locking, no allocation, no user access. core/irq.c
 * allocates a table of irqroute_size() bytes, builds it with
 * irqroute_build() and publishes it with RCU; the host unit test
 * selftests/unit/irqroute_test.c builds this file with kernel_shim.h.
 *
 * The rules are KVM 6.1's (virt/kvm/irqchip.c, kvm_set_irq_routing()):
 *   - every gsi must be below HVK_MAX_IRQ_ROUTES, checked for the whole
 *     table before any entry is looked at;
 *   - an MSI entry may carry KVM_MSI_VALID_DEVID in its flags and nothing
 *     else; any other entry must have flags 0;
 *   - only KVM_IRQ_ROUTING_IRQCHIP and KVM_IRQ_ROUTING_MSI exist here (x86
 *     KVM also takes HV_SINT and XEN_EVTCHN: hvk has neither);
 *   - one GSI may name several irqchip pins, one per irqchip (x86: the PIC
 *     and the IOAPIC), but an MSI GSI names exactly one route;
 *   - the arch then checks (and may adjust) each entry: which irqchips and
 *     pins exist, which MSIs it takes.
 * Every violation is -EINVAL and leaves the old table in place.
 *
 * Layout: routes are grouped by GSI in the order given (a counting sort),
 * @first[g] .. @first[g + 1] being GSI g's; lookup is two loads. The pin
 * map (irqchip, pin) -> GSI, for an ack from the irqchip, is sorted for a
 * binary search. When two GSIs name one pin, the later entry wins, as
 * KVM's chip[][] map does.
 */
#ifndef HVK_CORE_IRQROUTE_H
#define HVK_CORE_IRQROUTE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kvm.h>
#include <linux/nospec.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#define array_index_nospec(index, size)	(index)
#endif

/* The largest routing table KVM accepts (KVM_MAX_IRQ_ROUTES). */
#define HVK_MAX_IRQ_ROUTES	4096

/**
 * struct hvk_irq_route - one entry of the routing table, validated
 * @gsi: the GSI it belongs to
 * @type: KVM_IRQ_ROUTING_IRQCHIP or KVM_IRQ_ROUTING_MSI
 * @chip: for IRQCHIP: which irqchip (KVM_IRQCHIP_PIC_MASTER, ... on x86;
 *        0 on arm64) and which pin of it
 * @msi: for MSI: address, data and (KVM_MSI_VALID_DEVID in flags) devid
 */
struct hvk_irq_route {
	u32 gsi;
	u32 type;
	union {
		struct {
			u32 irqchip;
			u32 pin;
		} chip;
		struct {
			u64 addr;
			u32 data;
			u32 flags;
			u32 devid;
		} msi;
	};
};

/* One irqchip pin and the GSI an ack of it names. */
struct hvk_irq_pin_gsi {
	u32 irqchip;
	u32 pin;
	u32 gsi;
	u32 seq;	/* position among the table's irqchip entries */
};

/**
 * struct hvk_irq_routing - a routing table, immutable once published
 * @nr: routes
 * @nr_gsis: highest GSI + 1 (0 for an empty table)
 * @nr_pins: entries of @pins
 * @first: @nr_gsis + 1 offsets into @routes
 * @pins: sorted by (irqchip, pin), one per pin
 * @routes: grouped by GSI
 */
struct hvk_irq_routing {
	u32 nr;
	u32 nr_gsis;
	u32 nr_pins;
	u32 *first;
	struct hvk_irq_pin_gsi *pins;
	struct hvk_irq_route routes[];
};

/* The arch's check of one entry: 0 or -EINVAL; may adjust the route. */
typedef int (*irqroute_check_fn)(void *arg, struct hvk_irq_route *r);

int irqroute_prepare(const struct kvm_irq_routing_entry *ue, u32 nr,
		     u32 *nr_gsis);
size_t irqroute_size(u32 nr, u32 nr_gsis);
int irqroute_from_user(const struct kvm_irq_routing_entry *ue,
		       struct hvk_irq_route *r);
int irqroute_build(struct hvk_irq_routing *rt,
		   const struct kvm_irq_routing_entry *ue, u32 nr, u32 nr_gsis,
		   irqroute_check_fn check, void *arg);
int irqroute_pin_gsi(const struct hvk_irq_routing *rt, u32 irqchip, u32 pin);

/**
 * irqroute_lookup() - the routes of one GSI
 * @rt: the table, or NULL (no table yet: no routes)
 * @gsi: the GSI
 * @routes: set to the first route
 *
 * Return: how many routes @gsi has (0 if none).
 */
static inline u32 irqroute_lookup(const struct hvk_irq_routing *rt, u32 gsi,
				  const struct hvk_irq_route **routes)
{
	if (!rt || gsi >= rt->nr_gsis)
		return 0;
	/* @gsi comes from userspace (KVM_IRQFD, KVM_IRQ_LINE). */
	gsi = array_index_nospec(gsi, rt->nr_gsis);
	*routes = &rt->routes[rt->first[gsi]];
	return rt->first[gsi + 1] - rt->first[gsi];
}

#endif /* HVK_CORE_IRQROUTE_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * GSI routing tables, as pure functions (see irqroute.h).
 */
#ifdef __KERNEL__
#include <linux/overflow.h>
#include <linux/sort.h>
#define irqroute_sort(base, n, size, cmp)	sort(base, n, size, cmp, NULL)
#else
#include <stdlib.h>
#define irqroute_sort(base, n, size, cmp)	qsort(base, n, size, cmp)
#endif

#include "irqroute.h"

/**
 * irqroute_prepare() - the checks KVM makes on a whole table first
 * @ue: the entries
 * @nr: how many (the caller has refused more than HVK_MAX_IRQ_ROUTES)
 * @nr_gsis: set to the highest GSI + 1, 0 for an empty table
 *
 * Return: 0, or -EINVAL if any GSI is HVK_MAX_IRQ_ROUTES or above.
 */
int irqroute_prepare(const struct kvm_irq_routing_entry *ue, u32 nr,
		     u32 *nr_gsis)
{
	u32 i, n = 0;

	for (i = 0; i < nr; i++) {
		if (ue[i].gsi >= HVK_MAX_IRQ_ROUTES)
			return -EINVAL;
		if (ue[i].gsi + 1 > n)
			n = ue[i].gsi + 1;
	}
	*nr_gsis = n;
	return 0;
}

/*
 * One allocation holds the header, the routes, the GSI offsets and the
 * pin map, in that order (8-byte members first).
 */
size_t irqroute_size(u32 nr, u32 nr_gsis)
{
	return sizeof(struct hvk_irq_routing) +
	       nr * sizeof(struct hvk_irq_route) +
	       nr * sizeof(struct hvk_irq_pin_gsi) +
	       (nr_gsis + 1) * sizeof(u32);
}

/**
 * irqroute_from_user() - one KVM_SET_GSI_ROUTING entry as a route
 * @ue: the entry
 * @r: the route, filled in
 *
 * Checks what does not depend on the arch: the type and its flags.
 *
 * Return: 0 or -EINVAL.
 */
int irqroute_from_user(const struct kvm_irq_routing_entry *ue,
		       struct hvk_irq_route *r)
{
	/* KVM checks the flags for the type before the type itself. */
	if (ue->type == KVM_IRQ_ROUTING_MSI) {
		if (ue->flags & ~KVM_MSI_VALID_DEVID)
			return -EINVAL;
	} else if (ue->flags) {
		return -EINVAL;
	}

	r->gsi = ue->gsi;
	r->type = ue->type;
	switch (ue->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		r->chip.irqchip = ue->u.irqchip.irqchip;
		r->chip.pin = ue->u.irqchip.pin;
		return 0;
	case KVM_IRQ_ROUTING_MSI:
		r->msi.addr = (u64)ue->u.msi.address_hi << 32 |
			      ue->u.msi.address_lo;
		r->msi.data = ue->u.msi.data;
		r->msi.flags = ue->flags;
		r->msi.devid = ue->u.msi.devid;
		return 0;
	default:
		return -EINVAL;
	}
}

static int irqroute_pin_cmp(const void *a, const void *b)
{
	const struct hvk_irq_pin_gsi *x = a, *y = b;

	if (x->irqchip != y->irqchip)
		return x->irqchip < y->irqchip ? -1 : 1;
	if (x->pin != y->pin)
		return x->pin < y->pin ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Sort the pin map and keep, for each pin, the entry given last. Tables
 * usually come in pin order (arm64's GSI n -> SPI n, QEMU's): then the
 * sort, most of a large table's build time, is skipped.
 */
static void irqroute_pins_finish(struct hvk_irq_routing *rt)
{
	u32 i, n = 0;

	for (i = 1; i < rt->nr_pins; i++)
		if (irqroute_pin_cmp(&rt->pins[i - 1], &rt->pins[i]) > 0)
			break;
	if (i < rt->nr_pins)
		irqroute_sort(rt->pins, rt->nr_pins, sizeof(*rt->pins),
			      irqroute_pin_cmp);
	for (i = 0; i < rt->nr_pins; i++) {
		if (n && rt->pins[n - 1].irqchip == rt->pins[i].irqchip &&
		    rt->pins[n - 1].pin == rt->pins[i].pin)
			n--;	/* a later entry for the same pin */
		rt->pins[n++] = rt->pins[i];
	}
	rt->nr_pins = n;
}

/**
 * irqroute_build() - validate entries into a new table
 * @rt: zeroed memory of irqroute_size(@nr, @nr_gsis) bytes
 * @ue: the entries, already through irqroute_prepare()
 * @nr: how many
 * @nr_gsis: from irqroute_prepare()
 * @check: the arch's check of each route (called after the generic ones)
 * @arg: for @check
 *
 * Return: 0, or -EINVAL for the first bad entry (then @rt is garbage).
 */
int irqroute_build(struct hvk_irq_routing *rt,
		   const struct kvm_irq_routing_entry *ue, u32 nr, u32 nr_gsis,
		   irqroute_check_fn check, void *arg)
{
	u32 *first;
	u32 i, g;
	int r;

	rt->nr = nr;
	rt->nr_gsis = nr_gsis;
	rt->pins = (struct hvk_irq_pin_gsi *)&rt->routes[nr];
	first = (u32 *)&rt->pins[nr];
	rt->first = first;

	/* Counting sort by GSI: first[g] is where GSI g's routes start. */
	for (i = 0; i < nr; i++)
		first[ue[i].gsi + 1]++;
	for (g = 0; g < nr_gsis; g++)
		first[g + 1] += first[g];

	for (i = 0; i < nr; i++) {
		struct hvk_irq_route route = { 0 }, *slot;
		u32 gsi = ue[i].gsi;

		r = irqroute_from_user(&ue[i], &route);
		if (r)
			return r;
		/*
		 * The slots of this GSI already filled (a filled slot has a
		 * non-zero type) must all be irqchip pins of other irqchips.
		 */
		for (slot = &rt->routes[first[gsi]]; slot->type; slot++)
			if (slot->type != KVM_IRQ_ROUTING_IRQCHIP ||
			    route.type != KVM_IRQ_ROUTING_IRQCHIP ||
			    slot->chip.irqchip == route.chip.irqchip)
				return -EINVAL;
		r = check(arg, &route);
		if (r)
			return r;
		route.gsi = gsi;	/* the arch adjusts pins, not GSIs */
		*slot = route;
		if (route.type == KVM_IRQ_ROUTING_IRQCHIP) {
			struct hvk_irq_pin_gsi *p = &rt->pins[rt->nr_pins];

			p->irqchip = route.chip.irqchip;
			p->pin = route.chip.pin;
			p->gsi = gsi;
			p->seq = rt->nr_pins++;
		}
	}
	irqroute_pins_finish(rt);
	return 0;
}

/**
 * irqroute_pin_gsi() - the GSI an irqchip pin is routed from
 * @rt: the table, or NULL
 * @irqchip: the irqchip
 * @pin: its pin (as the arch's check left it)
 *
 * Return: the GSI, or -1 if no entry names the pin.
 */
int irqroute_pin_gsi(const struct hvk_irq_routing *rt, u32 irqchip, u32 pin)
{
	u32 lo = 0, hi;

	if (!rt)
		return -1;
	hi = rt->nr_pins;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;
		const struct hvk_irq_pin_gsi *p = &rt->pins[mid];

		if (p->irqchip == irqchip && p->pin == pin)
			return p->gsi;
		if (p->irqchip < irqchip ||
		    (p->irqchip == irqchip && p->pin < pin))
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

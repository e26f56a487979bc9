// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAPIC as a pure state machine (see i82093.h).
 */
#ifdef __KERNEL__
#include <linux/nospec.h>
#else
#define array_index_nospec(i, n)	(i)
#endif

#include "i82093.h"
#include "x86.h"

static bool i82093_rte_level(u64 rte)
{
	return rte & IOAPIC_RTE_LEVEL;
}

void i82093_init(struct i82093 *a, struct hvk_vm *vm)
{
	unsigned int pin;

	*a = (struct i82093){ .vm = vm, .base = IOAPIC_BASE };
	/* After reset every entry is masked, the rest zero (82093AA 3.2.4). */
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		a->rte[pin] = IOAPIC_RTE_MASKED;
}

/*
 * Send @pin's message if its entry lets it: not masked, and for a level
 * entry not still waiting for its EOI (remote IRR). A level entry's
 * remote IRR is set once the message is out, whether or not a LAPIC
 * took it, as KVM does.
 *
 * Return: -1 if nothing was sent, else lapic_deliver()'s answer.
 */
static int i82093_service(struct i82093 *a, unsigned int pin)
{
	u64 rte = a->rte[pin];
	struct hvk_apic_irq irq;
	int ret;

	if ((rte & IOAPIC_RTE_MASKED) ||
	    (i82093_rte_level(rte) && (rte & IOAPIC_RTE_REMOTE_IRR)))
		return -1;

	irq = (struct hvk_apic_irq){
		.dest = rte >> IOAPIC_RTE_DEST_SHIFT,
		.vector = rte & IOAPIC_RTE_VECTOR,
		.delivery_mode = (rte >> IOAPIC_RTE_DM_SHIFT) & 7,
		.dest_logical = rte & IOAPIC_RTE_DEST_LOGICAL,
		.level = true,
		.trigger_level = i82093_rte_level(rte),
	};
	if (!irq.trigger_level)
		a->irr_delivered |= 1u << pin;
	ret = lapic_deliver(a->vm, NULL, &irq);
	if (ret && irq.trigger_level)
		a->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	return ret;
}

/* The pin's line is asserted (wire level, whoever drives it). */
static int i82093_assert(struct i82093 *a, unsigned int pin)
{
	u32 bit = 1u << pin, old = a->irr;

	a->irr |= bit;
	if (!i82093_rte_level(a->rte[pin])) {
		a->irr_delivered &= ~bit;
		/* No new edge: the line was already up. */
		if (old & bit)
			return 0;
	}
	return i82093_service(a, pin);
}

/**
 * i82093_set_irq() - drive @pin from @src
 * @a: the IOAPIC
 * @pin: 0-23
 * @src: enum hvk_irq_source
 * @level: the source's new level
 *
 * The pin's line is the OR of every source's level. An edge entry sends
 * its message on a rising line, a level entry while the line is high and
 * remote IRR is clear.
 *
 * Return: as KVM's KVM_IRQ_LINE_STATUS for an IOAPIC pin: 1 for a line
 * lowered, 0 for an edge that was already up (coalesced), -1 if masked
 * or a level interrupt still awaits its EOI, else the number of LAPICs
 * that took the message (lapic_deliver()).
 */
int i82093_set_irq(struct i82093 *a, unsigned int pin, unsigned int src,
		   int level)
{
	if (pin >= IOAPIC_NR_PINS || src >= 8)
		return -1;
	pin = array_index_nospec(pin, IOAPIC_NR_PINS);
	if (level)
		a->levels[pin] |= 1u << src;
	else
		a->levels[pin] &= ~(1u << src);
	if (!a->levels[pin]) {
		a->irr &= ~(1u << pin);
		return 1;
	}
	return i82093_assert(a, pin);
}

/**
 * i82093_eoi_pins() - a LAPIC's EOI of level-triggered @vector, part 1
 * @a: the IOAPIC
 * @vector: the vector
 *
 * Return: the pins whose entry names @vector: the caller tells core
 * (hvk_irq_ack()) with no lock held, then calls i82093_eoi_finish().
 * Remote IRR stays set until then, so a line that a resampler raises
 * again meanwhile is latched, not sent twice.
 */
u32 i82093_eoi_pins(struct i82093 *a, u8 vector)
{
	unsigned int pin;
	u32 pins = 0;

	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		if ((a->rte[pin] & IOAPIC_RTE_VECTOR) == vector)
			pins |= 1u << pin;
	return pins;
}

/*
 * Part 2: clear remote IRR of @pins and send again those whose line is
 * still asserted (82093AA 3.2.4: a level interrupt "is delivered again"
 * while the line stays high).
 */
void i82093_eoi_finish(struct i82093 *a, u32 pins)
{
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		if (!(pins & (1u << pin)) || !i82093_rte_level(a->rte[pin]))
			continue;
		a->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		if (a->irr & (1u << pin))
			i82093_service(a, pin);
	}
}

static u32 i82093_read_indirect(struct i82093 *a)
{
	u32 sel = a->ioregsel, pin;
	u64 rte;

	switch (sel) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return (a->id & 0xf) << 24;
	case IOAPIC_REG_VER:
		return ((IOAPIC_NR_PINS - 1) << 16) | IOAPIC_VERSION;
	}
	pin = (sel - IOAPIC_REG_REDIR) >> 1;
	if (sel < IOAPIC_REG_REDIR || pin >= IOAPIC_NR_PINS)
		return ~0u;
	rte = a->rte[array_index_nospec(pin, IOAPIC_NR_PINS)];
	return (sel & 1) ? rte >> 32 : (u32)rte;
}

static void i82093_write_rte(struct i82093 *a, unsigned int pin, bool high,
			     u32 val)
{
	const u64 ro = IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR;
	u64 old = a->rte[pin], rte;

	if (high)
		rte = (old & 0xffffffffULL) | ((u64)val << 32);
	else
		rte = (old & ~0xffffffffULL) | val;
	rte = (rte & ~ro) | (old & ro);
	/*
	 * An edge entry has no remote IRR. Linux relies on this to end a
	 * level interrupt on IOAPICs without an EOI register (it flips the
	 * entry to edge and back), as KVM's model and real parts do.
	 */
	if (!i82093_rte_level(rte))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	a->rte[pin] = rte;
	/* A level line that is up and now may be sent (unmasked, ...). */
	if (i82093_rte_level(rte) && (a->irr & (1u << pin)))
		i82093_service(a, pin);
}

static void i82093_write_indirect(struct i82093 *a, u32 val)
{
	u32 sel = a->ioregsel, pin;

	switch (sel) {
	case IOAPIC_REG_ID:
		a->id = (val >> 24) & 0xf;
		return;
	case IOAPIC_REG_VER:
	case IOAPIC_REG_ARB:
		return;		/* read-only */
	}
	pin = (sel - IOAPIC_REG_REDIR) >> 1;
	if (sel < IOAPIC_REG_REDIR || pin >= IOAPIC_NR_PINS)
		return;
	i82093_write_rte(a, array_index_nospec(pin, IOAPIC_NR_PINS), sel & 1,
			 val);
}

/**
 * i82093_read() - a guest read of the register at @offset from the base
 * @a: the IOAPIC
 * @offset: 0 (IOREGSEL) or 0x10 (IOWIN); anything else reads 0, as in
 *          KVM (the 82093AA decodes nothing else)
 *
 * Return: the 32-bit register.
 */
u32 i82093_read(struct i82093 *a, u64 offset)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		return a->ioregsel;
	case IOAPIC_WINDOW:
		return i82093_read_indirect(a);
	}
	return 0;
}

/* A guest write of @val to @offset (IOREGSEL keeps its 8 bits). */
void i82093_write(struct i82093 *a, u64 offset, u32 val)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		a->ioregsel = val & 0xff;
		break;
	case IOAPIC_WINDOW:
		i82093_write_indirect(a, val);
		break;
	}
}

/*
 * KVM_GET_IRQCHIP: irr holds the asserted lines, less the edge lines
 * already delivered (their edge is spent), as KVM reports it.
 */
void i82093_get_state(const struct i82093 *a, struct kvm_ioapic_state *s)
{
	unsigned int pin;

	*s = (struct kvm_ioapic_state){
		.base_address = a->base,
		.ioregsel = a->ioregsel,
		.id = a->id,
		.irr = a->irr & ~a->irr_delivered,
	};
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		s->redirtbl[pin].bits = a->rte[pin];
}

/*
 * KVM_SET_IRQCHIP: the registers as given (base_address is kept for
 * KVM_GET_IRQCHIP but the window does not move, as in KVM), then every
 * pin in @s->irr asserted anew, which sends what the table lets through.
 * The per-source levels stay as they were: the sources still drive
 * their lines.
 */
void i82093_set_state(struct i82093 *a, const struct kvm_ioapic_state *s)
{
	unsigned int pin;

	a->base = s->base_address;
	a->ioregsel = s->ioregsel & 0xff;
	a->id = s->id & 0xf;
	a->irr = 0;
	a->irr_delivered = 0;
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		a->rte[pin] = s->redirtbl[pin].bits;
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		if (s->irr & (1u << pin))
			i82093_assert(a, pin);
}

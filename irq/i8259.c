// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A pair as a pure state machine (see i8259.h).
 *
 * Priorities: IR n has priority (n - priority_add) mod 8, 0 the highest;
 * rotation moves priority_add so that the IR just served becomes the
 * lowest (datasheet, "Automatic Rotation" and "Specific Rotation").
 */
#include "i8259.h"

#define I8259_NONE	8	/* "no IR" as a priority */

static unsigned int i8259_chip_of(unsigned int irq)
{
	return irq >> 3;
}

/* The priority (0 highest) of the best IR in @mask, or I8259_NONE. */
static unsigned int i8259_best(const struct i8259 *c, u8 mask)
{
	unsigned int prio;

	for (prio = 0; prio < 8; prio++)
		if (mask & (1u << ((prio + c->priority_add) & 7)))
			return prio;
	return I8259_NONE;
}

static unsigned int i8259_ir_of(const struct i8259 *c, unsigned int prio)
{
	return (prio + c->priority_add) & 7;
}

/*
 * The IR this chip would raise INT for, or -1: the best unmasked request
 * must beat everything in service. In special mask mode a masked level
 * in service does not hold back the others (datasheet, OCW3 SMM); in
 * special fully nested mode the master lets its slave interrupt a slave
 * interrupt in service (ICW4 SFNM), so IR2 in service does not count.
 */
static int i8259_pending(const struct i8259_pair *p, unsigned int chip)
{
	const struct i8259 *c = &p->chip[chip];
	unsigned int req, cur;
	u8 in_service = c->isr;

	req = i8259_best(c, c->irr & ~c->imr);
	if (req == I8259_NONE)
		return -1;
	if (c->special_mask)
		in_service &= ~c->imr;
	if (chip == 0 && c->sfnm)
		in_service &= ~(1u << I8259_CASCADE_IRQ);
	cur = i8259_best(c, in_service);
	return req < cur ? (int)i8259_ir_of(c, req) : -1;
}

/*
 * The slave's INT drives the master's IR2, edge-triggered as on a PC
 * (the ELCR cannot make IR0-2 level). Re-latching it whenever the slave
 * asserts INT, as KVM does, keeps a request that arrives while the
 * slave's INT stays high (auto-EOI) from being lost; a request withdrawn
 * before the INTA cycle then reaches the CPU as a spurious IRQ 15, as
 * on the real part.
 */
static void i8259_cascade(struct i8259_pair *p)
{
	if (i8259_pending(p, 1) >= 0)
		p->chip[0].irr |= 1u << I8259_CASCADE_IRQ;
}

static void i8259_clear_isr(struct i8259_pair *p, unsigned int chip,
			    unsigned int ir)
{
	struct i8259 *c = &p->chip[chip];

	if (!(c->isr & (1u << ir)))
		return;
	c->isr &= ~(1u << ir);
	/* The master's IR2 is the cascade, not a line anything drives. */
	if (chip || ir != I8259_CASCADE_IRQ)
		p->acked |= 1u << (ir + 8 * chip);
}

/*
 * Acknowledge @ir (an INTA cycle or a poll): in service from now on; an
 * edge request is consumed, a level one stays while its line is high.
 */
static void i8259_ack(struct i8259_pair *p, unsigned int chip,
		      unsigned int ir)
{
	struct i8259 *c = &p->chip[chip];
	u8 bit = 1u << ir;

	c->isr |= bit;
	if (!(c->elcr & bit))
		c->irr &= ~bit;
	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->priority_add = (ir + 1) & 7;
		i8259_clear_isr(p, chip, ir);
	}
}

void i8259_init(struct i8259_pair *p)
{
	*p = (struct i8259_pair){};
	/* IRQ 0-2 and 8 and 13 are ISA edge lines on every PC chipset. */
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
}

/**
 * i8259_set_irq() - drive IRQ @irq from @src
 * @p: the pair
 * @irq: 0-15
 * @src: enum hvk_irq_source
 * @level: the source's new level
 *
 * The line is the OR of every source's level. An edge IR latches a
 * request on a rising line; a level IR requests while the line is high.
 *
 * Return: as KVM's KVM_IRQ_LINE_STATUS reports a PIC pin: -1 if the IR
 * is masked, 0 if a request was already latched (coalesced), 1 otherwise.
 */
int i8259_set_irq(struct i8259_pair *p, unsigned int irq, unsigned int src,
		  int level)
{
	struct i8259 *c;
	u8 bit;
	int ret = 1;
	bool high;

	if (irq >= I8259_NR_IRQS || src >= 8)
		return -1;
	c = &p->chip[i8259_chip_of(irq)];
	bit = 1u << (irq & 7);
	if (level)
		p->levels[irq] |= 1u << src;
	else
		p->levels[irq] &= ~(1u << src);
	high = p->levels[irq] != 0;

	if (high) {
		if ((c->elcr & bit) || !(c->line & bit)) {
			ret = !(c->irr & bit);
			c->irr |= bit;
		}
		c->line |= bit;
	} else {
		if (c->elcr & bit)
			c->irr &= ~bit;
		c->line &= ~bit;
	}
	i8259_cascade(p);
	return (c->imr & bit) ? -1 : ret;
}

/* Is the master's INT output asserted? */
bool i8259_output(struct i8259_pair *p)
{
	i8259_cascade(p);
	return i8259_pending(p, 0) >= 0;
}

/**
 * i8259_intack() - the CPU's interrupt acknowledge cycle
 * @p: the pair
 *
 * With nothing to deliver (a request withdrawn since INT rose) the chip
 * answers with its IR7 vector and sets no in-service bit: the spurious
 * IRQ 7, or IRQ 15 when the master took IR2 and the slave has nothing.
 *
 * Return: the vector.
 */
int i8259_intack(struct i8259_pair *p)
{
	int ir, ir2, vec;

	i8259_cascade(p);
	ir = i8259_pending(p, 0);
	if (ir < 0)
		return p->chip[0].irq_base + 7;
	i8259_ack(p, 0, ir);
	if (ir != I8259_CASCADE_IRQ) {
		vec = p->chip[0].irq_base + ir;
	} else {
		ir2 = i8259_pending(p, 1);
		if (ir2 >= 0)
			i8259_ack(p, 1, ir2);
		else
			ir2 = 7;
		vec = p->chip[1].irq_base + ir2;
	}
	i8259_cascade(p);
	return vec;
}

/*
 * ICW1: start the initialization sequence. Per the datasheet the edge
 * sense is reset (an edge IR needs a new rising edge), the mask cleared,
 * IR7 given the lowest priority, special mask mode cleared, reads set to
 * IRR, and with IC4 = 0 every ICW4 function is zero. In-service bits are
 * dropped too, so a guest that re-initializes (kexec, a reboot without a
 * reset) does not inherit a stuck level.
 */
static void i8259_icw1(struct i8259_pair *p, unsigned int chip, u8 val)
{
	struct i8259 *c = &p->chip[chip];
	unsigned int ir;

	c->init4 = val & 0x01;
	c->irr &= c->elcr & c->line;
	c->imr = 0;
	for (ir = 0; ir < 8; ir++)
		i8259_clear_isr(p, chip, ir);
	c->priority_add = 0;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	if (!c->init4) {
		c->sfnm = false;
		c->auto_eoi = false;
	}
	c->init_state = 1;
}

/* OCW2: end of interrupt and rotation commands (R, SL, EOI; L2-L0). */
static void i8259_ocw2(struct i8259_pair *p, unsigned int chip, u8 val)
{
	struct i8259 *c = &p->chip[chip];
	unsigned int prio, ir = val & 7;

	switch (val >> 5) {
	case 0:			/* rotate in AEOI mode: clear */
		c->rotate_on_aeoi = false;
		break;
	case 4:			/* rotate in AEOI mode: set */
		c->rotate_on_aeoi = true;
		break;
	case 1:			/* non-specific EOI */
	case 5:			/* rotate on non-specific EOI */
		prio = i8259_best(c, c->isr);
		if (prio == I8259_NONE)
			break;
		ir = i8259_ir_of(c, prio);
		if (val >> 5 == 5)
			c->priority_add = (ir + 1) & 7;
		i8259_clear_isr(p, chip, ir);
		break;
	case 3:			/* specific EOI */
		i8259_clear_isr(p, chip, ir);
		break;
	case 7:			/* rotate on specific EOI */
		c->priority_add = (ir + 1) & 7;
		i8259_clear_isr(p, chip, ir);
		break;
	case 6:			/* set priority: L2-L0 the lowest */
		c->priority_add = (ir + 1) & 7;
		break;
	default:		/* 2: no operation */
		break;
	}
}

static void i8259_write_cmd(struct i8259_pair *p, unsigned int chip, u8 val)
{
	struct i8259 *c = &p->chip[chip];

	if (val & 0x10) {
		i8259_icw1(p, chip, val);
	} else if (val & 0x08) {	/* OCW3 */
		if (val & 0x04)
			c->poll = true;
		if (val & 0x02)
			c->read_isr = val & 0x01;
		if (val & 0x40)
			c->special_mask = val & 0x20;
	} else {
		i8259_ocw2(p, chip, val);
	}
}

static void i8259_write_data(struct i8259 *c, u8 val)
{
	switch (c->init_state) {
	case 1:			/* ICW2: T7-T3 of the vectors */
		c->irq_base = val & 0xf8;
		c->init_state = 2;
		break;
	case 2:			/* ICW3: the cascade wiring is fixed */
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3:			/* ICW4: uPM, AEOI, BUF, M/S, SFNM */
		c->auto_eoi = val & 0x02;
		c->sfnm = val & 0x10;
		c->init_state = 0;
		break;
	default:		/* OCW1 */
		c->imr = val;
		break;
	}
}

/*
 * A poll (OCW3 P, then a read): the read is the acknowledge. The answer
 * is I (bit 7, a request was pending) and W2-W0 (its IR), or 0.
 */
static u8 i8259_poll(struct i8259_pair *p, unsigned int chip)
{
	int ir;

	p->chip[chip].poll = false;
	if (chip == 0)
		i8259_cascade(p);
	ir = i8259_pending(p, chip);
	if (ir < 0)
		return 0;
	i8259_ack(p, chip, ir);
	return 0x80 | ir;
}

/**
 * i8259_write() - a guest's byte to one of the pair's ports
 * @p: the pair
 * @port: 0x20, 0x21 (master), 0xa0, 0xa1 (slave), 0x4d0, 0x4d1 (ELCR)
 * @val: the byte
 */
void i8259_write(struct i8259_pair *p, u16 port, u8 val)
{
	unsigned int chip;

	switch (port) {
	case 0x20: case 0x21:
	case 0xa0: case 0xa1:
		chip = port >> 7;
		if (port & 1)
			i8259_write_data(&p->chip[chip], val);
		else
			i8259_write_cmd(p, chip, val);
		break;
	case 0x4d0: case 0x4d1:
		chip = port & 1;
		p->chip[chip].elcr = val & p->chip[chip].elcr_mask;
		break;
	default:
		return;
	}
	i8259_cascade(p);
}

/**
 * i8259_read() - a guest's read of one of the pair's ports
 * @p: the pair
 * @port: as for i8259_write()
 *
 * Return: the byte (0xff for a port that is not the pair's).
 */
u8 i8259_read(struct i8259_pair *p, u16 port)
{
	struct i8259 *c;
	u8 val;

	switch (port) {
	case 0x20: case 0x21:
	case 0xa0: case 0xa1:
		c = &p->chip[port >> 7];
		if (c->poll)
			val = i8259_poll(p, port >> 7);
		else if (port & 1)
			val = c->imr;
		else
			val = c->read_isr ? c->isr : c->irr;
		break;
	case 0x4d0: case 0x4d1:
		return p->chip[port & 1].elcr;
	default:
		return 0xff;
	}
	i8259_cascade(p);
	return val;
}

/* KVM_GET_IRQCHIP for KVM_IRQCHIP_PIC_MASTER (0) or _SLAVE (1). */
void i8259_get_state(const struct i8259_pair *p, unsigned int chip,
		     struct kvm_pic_state *s)
{
	const struct i8259 *c = &p->chip[chip & 1];

	*s = (struct kvm_pic_state){
		.last_irr = c->line,
		.irr = c->irr,
		.imr = c->imr,
		.isr = c->isr,
		.priority_add = c->priority_add,
		.irq_base = c->irq_base,
		.read_reg_select = c->read_isr,
		.poll = c->poll,
		.special_mask = c->special_mask,
		.init_state = c->init_state,
		.auto_eoi = c->auto_eoi,
		.rotate_on_auto_eoi = c->rotate_on_aeoi,
		.special_fully_nested_mode = c->sfnm,
		.init4 = c->init4,
		.elcr = c->elcr,
		.elcr_mask = c->elcr_mask,
	};
}

/*
 * KVM_SET_IRQCHIP: every field as given, like KVM's copy; the sub-byte
 * fields are reduced to what the registers can hold.
 */
void i8259_set_state(struct i8259_pair *p, unsigned int chip,
		     const struct kvm_pic_state *s)
{
	struct i8259 *c = &p->chip[chip & 1];

	c->line = s->last_irr;
	c->irr = s->irr;
	c->imr = s->imr;
	c->isr = s->isr;
	c->priority_add = s->priority_add & 7;
	c->irq_base = s->irq_base;
	c->read_isr = s->read_reg_select;
	c->poll = s->poll;
	c->special_mask = s->special_mask;
	c->init_state = s->init_state & 3;
	c->auto_eoi = s->auto_eoi;
	c->rotate_on_aeoi = s->rotate_on_auto_eoi;
	c->sfnm = s->special_fully_nested_mode;
	c->init4 = s->init4;
	c->elcr = s->elcr;
	c->elcr_mask = s->elcr_mask;
	i8259_cascade(p);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * irq/i8259.c on the host: the PIC pair driven through its ports the way
 * Linux (arch/x86/kernel/i8259.c) and SeaBIOS program it, checked against
 * the 8259A datasheet: initialization, priorities and nesting, every EOI
 * and rotation command, auto-EOI, ELCR level lines, the cascade, spurious
 * IRQ 7 and 15, poll, special mask mode, per-source OR'ing and the
 * KVM_GET/SET_IRQCHIP state.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "irq/i8259.h"

enum { SRC_USER, SRC_RESAMPLE, SRC_PIT };

/* Linux's init_8259A(0): vectors 0x30 and 0x38, cascade on IR2. */
static void linux_init(struct i8259_pair *p, bool aeoi)
{
	i8259_write(p, 0x21, 0xff);
	i8259_write(p, 0xa1, 0xff);
	i8259_write(p, 0x20, 0x11);		/* ICW1: edge, cascade, ICW4 */
	i8259_write(p, 0x21, 0x30);		/* ICW2 */
	i8259_write(p, 0x21, 1 << 2);		/* ICW3: slave on IR2 */
	i8259_write(p, 0x21, aeoi ? 0x03 : 0x01);	/* ICW4: 8086 (AEOI) */
	i8259_write(p, 0xa0, 0x11);
	i8259_write(p, 0xa1, 0x38);
	i8259_write(p, 0xa1, 2);		/* ICW3: slave id 2 */
	i8259_write(p, 0xa1, 0x01);
	i8259_write(p, 0x21, 0xfb);		/* all masked but the cascade */
	i8259_write(p, 0xa1, 0xff);
}

static void unmask(struct i8259_pair *p, unsigned int irq)
{
	u16 port = irq < 8 ? 0x21 : 0xa1;

	i8259_write(p, port, i8259_read(p, port) & ~(1 << (irq & 7)));
}

static u8 read_isr(struct i8259_pair *p, u16 cmd)
{
	u8 v;

	i8259_write(p, cmd, 0x0b);	/* OCW3: read ISR */
	v = i8259_read(p, cmd);
	i8259_write(p, cmd, 0x0a);	/* back to IRR */
	return v;
}

static void pulse(struct i8259_pair *p, unsigned int irq)
{
	i8259_set_irq(p, irq, SRC_USER, 1);
	i8259_set_irq(p, irq, SRC_USER, 0);
}

/* Linux's mask_and_ack_8259A() EOI for @irq: specific EOIs. */
static void linux_eoi(struct i8259_pair *p, unsigned int irq)
{
	if (irq >= 8) {
		i8259_write(p, 0xa0, 0x60 + (irq & 7));
		i8259_write(p, 0x20, 0x60 + 2);
	} else {
		i8259_write(p, 0x20, 0x60 + irq);
	}
}

TEST(linux_init_and_probe)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	EXPECT_EQ(0, p.chip[0].init_state);
	EXPECT_EQ(0, p.chip[1].init_state);
	EXPECT_EQ(0x30, p.chip[0].irq_base);
	EXPECT_EQ(0x38, p.chip[1].irq_base);
	/* probe_8259A(): the mask reads back. */
	i8259_write(&p, 0x21, 0xfb);
	EXPECT_EQ(0xfb, i8259_read(&p, 0x21));
	EXPECT_EQ(0xff, i8259_read(&p, 0xa1));
	EXPECT_FALSE(i8259_output(&p));

	/* A masked edge is latched in IRR but raises no INT. */
	EXPECT_EQ(-1, i8259_set_irq(&p, 0, SRC_PIT, 1));
	EXPECT_FALSE(i8259_output(&p));
	EXPECT_EQ(0x01, i8259_read(&p, 0x20));	/* IRR */
	i8259_set_irq(&p, 0, SRC_PIT, 0);
	unmask(&p, 0);
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x30, i8259_intack(&p));
	EXPECT_EQ(0x01, read_isr(&p, 0x20));
	EXPECT_EQ(0x00, i8259_read(&p, 0x20));	/* edge IRR consumed */
	EXPECT_FALSE(i8259_output(&p));
	p.acked = 0;
	linux_eoi(&p, 0);
	EXPECT_EQ(0, read_isr(&p, 0x20));
	EXPECT_EQ(1, p.acked);
}

TEST(priority_and_nesting)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x21, 0x00);
	pulse(&p, 5);
	pulse(&p, 3);
	pulse(&p, 1);
	/* Fully nested: lowest IR first, each blocking those below it. */
	EXPECT_EQ(0x31, i8259_intack(&p));
	EXPECT_FALSE(i8259_output(&p));
	pulse(&p, 0);				/* higher: nests */
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x30, i8259_intack(&p));
	EXPECT_EQ(0x03, read_isr(&p, 0x20));
	i8259_write(&p, 0x20, 0x20);		/* non-specific EOI: IR0 */
	EXPECT_EQ(0x02, read_isr(&p, 0x20));
	EXPECT_FALSE(i8259_output(&p));
	i8259_write(&p, 0x20, 0x20);		/* IR1 */
	EXPECT_EQ(0x33, i8259_intack(&p));
	i8259_write(&p, 0x20, 0x20);
	EXPECT_EQ(0x35, i8259_intack(&p));
	i8259_write(&p, 0x20, 0x20);
	EXPECT_EQ(0, read_isr(&p, 0x20));
	EXPECT_FALSE(i8259_output(&p));
}

TEST(eoi_kinds_and_rotation)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x21, 0x00);
	pulse(&p, 4);
	pulse(&p, 6);
	EXPECT_EQ(0x34, i8259_intack(&p));
	pulse(&p, 1);
	EXPECT_EQ(0x31, i8259_intack(&p));
	EXPECT_EQ(0x12, read_isr(&p, 0x20));
	/* Specific EOI of the lower one leaves the higher in service. */
	i8259_write(&p, 0x20, 0x60 | 4);
	EXPECT_EQ(0x02, read_isr(&p, 0x20));
	/* IR6 still waits behind IR1. */
	EXPECT_FALSE(i8259_output(&p));
	/* Rotate on non-specific EOI: IR1 ends and becomes the lowest. */
	i8259_write(&p, 0x20, 0xa0);
	EXPECT_EQ(0, read_isr(&p, 0x20));
	EXPECT_EQ(2, p.chip[0].priority_add);
	pulse(&p, 1);
	/* Now IR2 is the highest: IR6 beats IR1. */
	EXPECT_EQ(0x36, i8259_intack(&p));
	EXPECT_FALSE(i8259_output(&p));	/* IR1 is below IR6 now */
	/* Rotate on specific EOI: IR6 lowest, so IR7 the highest. */
	i8259_write(&p, 0x20, 0xe0 | 6);
	EXPECT_EQ(7, p.chip[0].priority_add);
	EXPECT_EQ(0x31, i8259_intack(&p));
	i8259_write(&p, 0x20, 0x20);
	/* Set priority: IR5 lowest -> IR6 highest. */
	i8259_write(&p, 0x20, 0xc0 | 5);
	EXPECT_EQ(6, p.chip[0].priority_add);
	pulse(&p, 5);
	pulse(&p, 7);
	EXPECT_EQ(0x37, i8259_intack(&p));
	/* IR5 is now the lowest: it may not nest into IR7. */
	EXPECT_FALSE(i8259_output(&p));
	i8259_write(&p, 0x20, 0x20);
	EXPECT_EQ(0x35, i8259_intack(&p));
	/* A no-op OCW2 and an EOI with nothing in service change nothing. */
	i8259_write(&p, 0x20, 0x20);
	i8259_write(&p, 0x20, 0x40);
	i8259_write(&p, 0x20, 0x20);
	EXPECT_EQ(0, read_isr(&p, 0x20));
}

TEST(auto_eoi)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, true);
	i8259_write(&p, 0x21, 0x00);
	pulse(&p, 3);
	p.acked = 0;
	EXPECT_EQ(0x33, i8259_intack(&p));
	EXPECT_EQ(0, read_isr(&p, 0x20));
	EXPECT_EQ(1 << 3, p.acked);
	/* Rotate in AEOI mode: the served IR becomes the lowest. */
	i8259_write(&p, 0x20, 0x80);
	pulse(&p, 3);
	EXPECT_EQ(0x33, i8259_intack(&p));
	EXPECT_EQ(4, p.chip[0].priority_add);
	i8259_write(&p, 0x20, 0x00);
	EXPECT_FALSE(p.chip[0].rotate_on_aeoi);
	/* ICW1 without IC4 clears AEOI. */
	i8259_write(&p, 0x20, 0x10);
	i8259_write(&p, 0x21, 0x30);
	i8259_write(&p, 0x21, 0x04);
	EXPECT_EQ(0, p.chip[0].init_state);
	EXPECT_FALSE(p.chip[0].auto_eoi);
}

TEST(elcr_level)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	/* IRQ 0-2, 8 and 13 cannot be level. */
	i8259_write(&p, 0x4d0, 0xff);
	i8259_write(&p, 0x4d1, 0xff);
	EXPECT_EQ(0xf8, i8259_read(&p, 0x4d0));
	EXPECT_EQ(0xde, i8259_read(&p, 0x4d1));
	i8259_write(&p, 0x4d0, 0x20);		/* IRQ 5 level */
	i8259_write(&p, 0x4d1, 0x04);		/* IRQ 10 level */
	i8259_write(&p, 0x21, 0x00);
	i8259_write(&p, 0xa1, 0x00);

	EXPECT_EQ(1, i8259_set_irq(&p, 5, SRC_USER, 1));
	EXPECT_EQ(0, i8259_set_irq(&p, 5, SRC_USER, 1));	/* coalesced */
	EXPECT_EQ(0x35, i8259_intack(&p));
	/* A level request stays in IRR while the line is high... */
	EXPECT_EQ(0x20, i8259_read(&p, 0x20));
	EXPECT_FALSE(i8259_output(&p));
	p.acked = 0;
	i8259_write(&p, 0x20, 0x20);
	EXPECT_EQ(1 << 5, p.acked);
	/* ...and comes again after the EOI. */
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x35, i8259_intack(&p));
	i8259_set_irq(&p, 5, SRC_USER, 0);
	EXPECT_EQ(0, i8259_read(&p, 0x20));
	i8259_write(&p, 0x20, 0x20);
	EXPECT_FALSE(i8259_output(&p));

	/* Level on the slave, through the cascade. */
	i8259_set_irq(&p, 10, SRC_RESAMPLE, 1);
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x3a, i8259_intack(&p));
	p.acked = 0;
	linux_eoi(&p, 10);
	EXPECT_EQ(1 << 10, p.acked);		/* not the cascade IR2 */
	EXPECT_EQ(0x3a, i8259_intack(&p));
	i8259_set_irq(&p, 10, SRC_RESAMPLE, 0);
	linux_eoi(&p, 10);
	EXPECT_FALSE(i8259_output(&p));
}

TEST(edge_needs_a_new_edge)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x21, 0x00);
	EXPECT_EQ(1, i8259_set_irq(&p, 4, SRC_USER, 1));
	EXPECT_EQ(0x34, i8259_intack(&p));
	i8259_write(&p, 0x20, 0x20);
	/* Still high, no new edge: nothing. */
	i8259_set_irq(&p, 4, SRC_USER, 1);
	EXPECT_FALSE(i8259_output(&p));
	i8259_set_irq(&p, 4, SRC_USER, 0);
	i8259_set_irq(&p, 4, SRC_USER, 1);
	EXPECT_TRUE(i8259_output(&p));
}

TEST(sources_or)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x4d0, 0x80);		/* IRQ 7 level */
	i8259_write(&p, 0x21, 0x00);
	i8259_set_irq(&p, 7, SRC_USER, 1);
	i8259_set_irq(&p, 7, SRC_RESAMPLE, 1);
	i8259_set_irq(&p, 7, SRC_USER, 0);
	EXPECT_TRUE(i8259_output(&p));		/* the other source holds it */
	i8259_set_irq(&p, 7, SRC_RESAMPLE, 0);
	EXPECT_FALSE(i8259_output(&p));
	EXPECT_EQ(0, p.chip[0].line);
	/* Bad arguments are refused, not stored. */
	EXPECT_EQ(-1, i8259_set_irq(&p, 16, SRC_USER, 1));
	EXPECT_EQ(-1, i8259_set_irq(&p, 1, 8, 1));
}

TEST(cascade)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	unmask(&p, 12);
	EXPECT_EQ(-1, i8259_set_irq(&p, 14, SRC_USER, 1));	/* masked */
	EXPECT_FALSE(i8259_output(&p));
	EXPECT_EQ(1, i8259_set_irq(&p, 12, SRC_USER, 1));
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x3c, i8259_intack(&p));
	EXPECT_EQ(0x04, read_isr(&p, 0x20));
	EXPECT_EQ(0x10, read_isr(&p, 0xa0));
	/* A second slave IRQ of lower priority waits for the slave's EOI. */
	unmask(&p, 15);
	pulse(&p, 15);
	EXPECT_FALSE(i8259_output(&p));
	linux_eoi(&p, 12);
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x3f, i8259_intack(&p));
	EXPECT_EQ(0x80, read_isr(&p, 0xa0));	/* a real IRQ 15 */
	linux_eoi(&p, 15);
	EXPECT_EQ(0, read_isr(&p, 0x20));
	EXPECT_EQ(0, read_isr(&p, 0xa0));
	/* While the master serves IR1, a slave IRQ (IR2) waits... */
	unmask(&p, 1);
	pulse(&p, 1);
	EXPECT_EQ(0x31, i8259_intack(&p));
	i8259_set_irq(&p, 12, SRC_USER, 0);
	pulse(&p, 12);
	EXPECT_FALSE(i8259_output(&p));
	linux_eoi(&p, 1);
	EXPECT_EQ(0x3c, i8259_intack(&p));
	linux_eoi(&p, 12);
	/* ...but nests into IR3. */
	unmask(&p, 3);
	pulse(&p, 3);
	EXPECT_EQ(0x33, i8259_intack(&p));
	pulse(&p, 12);
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x3c, i8259_intack(&p));
}

TEST(special_fully_nested)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x20, 0x11);
	i8259_write(&p, 0x21, 0x30);
	i8259_write(&p, 0x21, 0x04);
	i8259_write(&p, 0x21, 0x11);		/* ICW4: SFNM, 8086 */
	i8259_write(&p, 0x21, 0x00);
	i8259_write(&p, 0xa1, 0x00);
	pulse(&p, 13);
	EXPECT_EQ(0x3d, i8259_intack(&p));
	/* A higher slave IRQ interrupts the slave IRQ in service. */
	pulse(&p, 9);
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x39, i8259_intack(&p));
	/* A lower one does not. */
	pulse(&p, 14);
	EXPECT_FALSE(i8259_output(&p));
}

TEST(spurious)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x4d0, 0x20);
	i8259_write(&p, 0x4d1, 0x08);		/* IRQ 5 and 11 level */
	i8259_write(&p, 0x21, 0x00);
	i8259_write(&p, 0xa1, 0x00);
	/* Nothing at all: IRQ 7's vector, nothing in service. */
	EXPECT_EQ(0x37, i8259_intack(&p));
	EXPECT_EQ(0, read_isr(&p, 0x20));
	/* A level request withdrawn before the INTA cycle: spurious 7. */
	i8259_set_irq(&p, 5, SRC_USER, 1);
	EXPECT_TRUE(i8259_output(&p));
	i8259_set_irq(&p, 5, SRC_USER, 0);
	EXPECT_EQ(0x37, i8259_intack(&p));
	EXPECT_EQ(0, read_isr(&p, 0x20));
	/* The same on the slave: the master took IR2, the slave says 15. */
	i8259_set_irq(&p, 11, SRC_USER, 1);
	EXPECT_TRUE(i8259_output(&p));
	i8259_set_irq(&p, 11, SRC_USER, 0);
	EXPECT_EQ(0x3f, i8259_intack(&p));
	EXPECT_EQ(0x04, read_isr(&p, 0x20));	/* Linux EOIs the master */
	EXPECT_EQ(0x00, read_isr(&p, 0xa0));
	i8259_write(&p, 0x20, 0x62);
	EXPECT_FALSE(i8259_output(&p));
}

TEST(poll)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x21, 0x00);
	i8259_write(&p, 0x20, 0x0c);		/* OCW3: poll */
	EXPECT_EQ(0x00, i8259_read(&p, 0x20));	/* nothing pending */
	pulse(&p, 6);
	i8259_write(&p, 0x20, 0x0c);
	EXPECT_EQ(0x86, i8259_read(&p, 0x20));	/* I + W2-W0 */
	EXPECT_EQ(0x40, read_isr(&p, 0x20));	/* the read acknowledged */
	EXPECT_FALSE(i8259_output(&p));
	/* One read only: the next is the IRR again. */
	EXPECT_EQ(0x00, i8259_read(&p, 0x20));
	i8259_write(&p, 0x20, 0x20);
	EXPECT_EQ(0, read_isr(&p, 0x20));
}

TEST(special_mask)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x21, 0x00);
	pulse(&p, 3);
	EXPECT_EQ(0x33, i8259_intack(&p));
	i8259_write(&p, 0x21, 0x08);		/* mask the IR in service */
	pulse(&p, 5);
	EXPECT_FALSE(i8259_output(&p));		/* held back by IR3 */
	i8259_write(&p, 0x20, 0x68);		/* OCW3: set SMM */
	EXPECT_TRUE(i8259_output(&p));
	EXPECT_EQ(0x35, i8259_intack(&p));
	i8259_write(&p, 0x20, 0x65);		/* specific EOI IR5 */
	i8259_write(&p, 0x20, 0x48);		/* OCW3: reset SMM */
	EXPECT_FALSE(p.chip[0].special_mask);
	EXPECT_EQ(0x08, read_isr(&p, 0x20));
}

TEST(reinit_drops_in_service)
{
	struct i8259_pair p;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x21, 0x00);
	pulse(&p, 4);
	EXPECT_EQ(0x34, i8259_intack(&p));
	p.acked = 0;
	linux_init(&p, false);
	EXPECT_EQ(0, read_isr(&p, 0x20));
	EXPECT_EQ(1 << 4, p.acked);
	EXPECT_EQ(0xfb, i8259_read(&p, 0x21));
}

TEST(state_round_trip)
{
	struct i8259_pair p, q;
	struct kvm_pic_state s[2], t[2];
	unsigned int i;

	i8259_init(&p);
	linux_init(&p, false);
	i8259_write(&p, 0x4d1, 0x08);
	i8259_write(&p, 0x21, 0x00);
	i8259_write(&p, 0xa1, 0x00);
	pulse(&p, 12);
	i8259_set_irq(&p, 11, SRC_USER, 1);
	EXPECT_EQ(0x3b, i8259_intack(&p));
	pulse(&p, 1);
	i8259_get_state(&p, 0, &s[0]);
	i8259_get_state(&p, 1, &s[1]);
	EXPECT_EQ(0x38, s[1].irq_base);
	EXPECT_EQ(0x08, s[1].isr);
	EXPECT_EQ(0x08, s[1].elcr);
	EXPECT_EQ(0xde, s[1].elcr_mask);
	EXPECT_EQ(0x08, s[1].last_irr);
	EXPECT_EQ(0x04, s[0].isr);

	i8259_init(&q);
	for (i = 0; i < 2; i++)
		i8259_set_state(&q, i, &s[i]);
	for (i = 0; i < 2; i++) {
		i8259_get_state(&q, i, &t[i]);
		EXPECT_EQ(0, memcmp(&s[i], &t[i], sizeof(s[i])));
	}
	/* The copy behaves the same: IR1 nests into the cascade. */
	EXPECT_TRUE(i8259_output(&q));
	EXPECT_EQ(0x31, i8259_intack(&q));
	EXPECT_EQ(0x31, i8259_intack(&p));
	/* Out-of-range fields are cut to what the registers hold. */
	s[0].init_state = 7;
	s[0].priority_add = 9;
	i8259_set_state(&q, 0, &s[0]);
	EXPECT_EQ(3, q.chip[0].init_state);
	EXPECT_EQ(1, q.chip[0].priority_add);
}

TEST_HARNESS_MAIN

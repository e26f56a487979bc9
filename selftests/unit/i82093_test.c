// SPDX-License-Identifier: GPL-2.0
/*
 * irq/i82093.c on the host, with lapic_deliver() recorded: the IOAPIC's
 * registers through IOREGSEL/IOWIN, redirection entries and their
 * read-only bits, edge and level pins (remote IRR, EOI and re-delivery
 * of a line still high), masking, per-source OR'ing, the values
 * KVM_IRQ_LINE_STATUS reports, and the KVM_GET/SET_IRQCHIP state.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "irq/i82093.h"
#include "irq/x86.h"

enum { SRC_USER, SRC_RESAMPLE, SRC_PIT };

/* What lapic_deliver() saw, and what it answers. */
static struct hvk_apic_irq sent[64];
static unsigned int nr_sent;
static int deliver_ret = 1;

int lapic_deliver(struct hvk_vm *vm, struct hvk_vcpu *src,
		  const struct hvk_apic_irq *irq)
{
	(void)vm;
	(void)src;
	if (nr_sent < 64)
		sent[nr_sent] = *irq;
	nr_sent++;
	return deliver_ret;
}

static void reset_sent(void)
{
	nr_sent = 0;
	deliver_ret = 1;
	memset(sent, 0, sizeof(sent));
}

static u32 rd(struct i82093 *a, u32 reg)
{
	i82093_write(a, IOAPIC_REGSEL, reg);
	return i82093_read(a, IOAPIC_WINDOW);
}

static void wr(struct i82093 *a, u32 reg, u32 val)
{
	i82093_write(a, IOAPIC_REGSEL, reg);
	i82093_write(a, IOAPIC_WINDOW, val);
}

/* Program @pin as Linux does: high half (destination) first. */
static void set_rte(struct i82093 *a, unsigned int pin, u64 rte)
{
	wr(a, IOAPIC_REG_REDIR + 2 * pin + 1, rte >> 32);
	wr(a, IOAPIC_REG_REDIR + 2 * pin, (u32)rte);
}

static u64 get_rte(struct i82093 *a, unsigned int pin)
{
	return (u64)rd(a, IOAPIC_REG_REDIR + 2 * pin + 1) << 32 |
	       rd(a, IOAPIC_REG_REDIR + 2 * pin);
}

/* The IOAPIC side of a LAPIC EOI, as irq/ioapic.c sequences it. */
static u32 eoi(struct i82093 *a, u8 vector)
{
	u32 pins = i82093_eoi_pins(a, vector);

	i82093_eoi_finish(a, pins);
	return pins;
}

TEST(id_version_arbitration)
{
	struct i82093 a;

	i82093_init(&a, NULL);
	EXPECT_EQ(0x00170011, rd(&a, IOAPIC_REG_VER));
	EXPECT_EQ(0, rd(&a, IOAPIC_REG_ID));
	wr(&a, IOAPIC_REG_ID, 0x0a000000);
	EXPECT_EQ(0x0a000000, rd(&a, IOAPIC_REG_ID));
	EXPECT_EQ(0x0a000000, rd(&a, IOAPIC_REG_ARB));
	wr(&a, IOAPIC_REG_ID, 0xf5ffffff);	/* only the 4 ID bits */
	EXPECT_EQ(0x05000000, rd(&a, IOAPIC_REG_ID));
	wr(&a, IOAPIC_REG_VER, 0);		/* read-only */
	EXPECT_EQ(0x00170011, rd(&a, IOAPIC_REG_VER));
	/* IOREGSEL keeps 8 bits; beyond the table reads all ones. */
	i82093_write(&a, IOAPIC_REGSEL, 0x1234);
	EXPECT_EQ(0x34, i82093_read(&a, IOAPIC_REGSEL));
	EXPECT_EQ(0xffffffffu, rd(&a, 0x10 + 2 * 24));
	EXPECT_EQ(0xffffffffu, rd(&a, 0x05));
	/* Offsets other than IOREGSEL and IOWIN read 0 and ignore writes. */
	EXPECT_EQ(0, i82093_read(&a, 0x20));
	i82093_write(&a, 0x40, 0xffffffff);
	EXPECT_EQ(0x00170011, rd(&a, IOAPIC_REG_VER));
}

TEST(redirection_table)
{
	struct i82093 a;
	unsigned int pin;

	i82093_init(&a, NULL);
	/* Reset: every entry masked. */
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		EXPECT_EQ(IOAPIC_RTE_MASKED, get_rte(&a, pin));
	set_rte(&a, 5, 0x0300000000012b45ULL);
	EXPECT_EQ(0x0300000000012b45ULL & ~IOAPIC_RTE_DELIVS,
		  get_rte(&a, 5));
	/* Delivery status and remote IRR cannot be written. */
	set_rte(&a, 6, IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS |
		       IOAPIC_RTE_LEVEL | 0x51);
	EXPECT_EQ(IOAPIC_RTE_LEVEL | 0x51, get_rte(&a, 6));
	/* Halves are independent. */
	wr(&a, IOAPIC_REG_REDIR + 2 * 6 + 1, 0xff000000);
	EXPECT_EQ(0xff00000000000000ULL | IOAPIC_RTE_LEVEL | 0x51,
		  get_rte(&a, 6));
	EXPECT_EQ(IOAPIC_RTE_MASKED, get_rte(&a, 23));
}

TEST(edge)
{
	struct i82093 a;

	reset_sent();
	i82093_init(&a, NULL);
	/* Masked: nothing sent, -1. */
	EXPECT_EQ(-1, i82093_set_irq(&a, 4, SRC_USER, 1));
	EXPECT_EQ(0, nr_sent);
	i82093_set_irq(&a, 4, SRC_USER, 0);
	/* A masked edge is lost: unmasking does not send it. */
	i82093_set_irq(&a, 4, SRC_USER, 1);
	set_rte(&a, 4, 0x0100000000000834ULL);	/* logical dest 1, vec 0x34 */
	EXPECT_EQ(0, nr_sent);
	i82093_set_irq(&a, 4, SRC_USER, 0);

	deliver_ret = 2;
	EXPECT_EQ(2, i82093_set_irq(&a, 4, SRC_USER, 1));
	ASSERT_EQ(1, nr_sent);
	EXPECT_EQ(0x34, sent[0].vector);
	EXPECT_EQ(1, sent[0].dest);
	EXPECT_TRUE(sent[0].dest_logical);
	EXPECT_EQ(HVK_APIC_DM_FIXED, sent[0].delivery_mode);
	EXPECT_FALSE(sent[0].trigger_level);
	EXPECT_TRUE(sent[0].level);
	EXPECT_EQ(0, sent[0].shorthand);
	/* Up again without going down: no edge, coalesced. */
	EXPECT_EQ(0, i82093_set_irq(&a, 4, SRC_USER, 1));
	EXPECT_EQ(1, nr_sent);
	EXPECT_EQ(1, i82093_set_irq(&a, 4, SRC_USER, 0));
	EXPECT_EQ(2, i82093_set_irq(&a, 4, SRC_USER, 1));
	EXPECT_EQ(2, nr_sent);
	/* An edge has no remote IRR, and an EOI of its vector sends nothing. */
	EXPECT_EQ(0, get_rte(&a, 4) & IOAPIC_RTE_REMOTE_IRR);
	eoi(&a, 0x34);
	EXPECT_EQ(2, nr_sent);
	/* Delivery modes pass through: NMI, lowest priority, ExtINT. */
	set_rte(&a, 7, 0x0000000000000400ULL);
	i82093_set_irq(&a, 7, SRC_USER, 1);
	EXPECT_EQ(HVK_APIC_DM_NMI, sent[2].delivery_mode);
	set_rte(&a, 8, 0x0f00000000000100ULL | 0x41);
	i82093_set_irq(&a, 8, SRC_USER, 1);
	EXPECT_EQ(HVK_APIC_DM_LOWEST, sent[3].delivery_mode);
	EXPECT_EQ(0x0f, sent[3].dest);
	EXPECT_FALSE(sent[3].dest_logical);
	set_rte(&a, 0, 0x0000000000000700ULL);
	i82093_set_irq(&a, 0, SRC_PIT, 1);
	EXPECT_EQ(HVK_APIC_DM_EXTINT, sent[4].delivery_mode);
}

TEST(level_remote_irr_eoi)
{
	struct i82093 a;
	u32 pins;

	reset_sent();
	i82093_init(&a, NULL);
	set_rte(&a, 10, IOAPIC_RTE_LEVEL | IOAPIC_RTE_POLARITY_LOW | 0x61);
	EXPECT_EQ(1, i82093_set_irq(&a, 10, SRC_RESAMPLE, 1));
	ASSERT_EQ(1, nr_sent);
	EXPECT_TRUE(sent[0].trigger_level);
	EXPECT_EQ(0x61, sent[0].vector);
	EXPECT_TRUE(get_rte(&a, 10) & IOAPIC_RTE_REMOTE_IRR);
	/* Waiting for the EOI: nothing more is sent, -1. */
	EXPECT_EQ(-1, i82093_set_irq(&a, 10, SRC_RESAMPLE, 1));
	EXPECT_EQ(1, nr_sent);
	/* EOI of another vector does nothing. */
	EXPECT_EQ(0, eoi(&a, 0x62));
	EXPECT_TRUE(get_rte(&a, 10) & IOAPIC_RTE_REMOTE_IRR);
	/* EOI with the line still high: sent again. */
	pins = eoi(&a, 0x61);
	EXPECT_EQ(1u << 10, pins);
	EXPECT_EQ(2, nr_sent);
	EXPECT_TRUE(get_rte(&a, 10) & IOAPIC_RTE_REMOTE_IRR);
	/* The device quiets (the resampler lowers it before the finish). */
	pins = i82093_eoi_pins(&a, 0x61);
	EXPECT_EQ(1, i82093_set_irq(&a, 10, SRC_RESAMPLE, 0));
	i82093_eoi_finish(&a, pins);
	EXPECT_EQ(2, nr_sent);
	EXPECT_EQ(0, get_rte(&a, 10) & IOAPIC_RTE_REMOTE_IRR);
	/* Raised again: sent at once. */
	i82093_set_irq(&a, 10, SRC_RESAMPLE, 1);
	EXPECT_EQ(3, nr_sent);
	/* A line re-raised between part 1 and 2 of an EOI is sent once. */
	pins = i82093_eoi_pins(&a, 0x61);
	i82093_set_irq(&a, 10, SRC_RESAMPLE, 0);
	EXPECT_EQ(-1, i82093_set_irq(&a, 10, SRC_RESAMPLE, 1));
	EXPECT_EQ(3, nr_sent);
	i82093_eoi_finish(&a, pins);
	EXPECT_EQ(4, nr_sent);
	/* Linux's no-EOI-register trick: edge and back clears remote IRR. */
	i82093_set_irq(&a, 10, SRC_RESAMPLE, 0);
	set_rte(&a, 10, 0x61);
	EXPECT_EQ(0, get_rte(&a, 10) & IOAPIC_RTE_REMOTE_IRR);
	set_rte(&a, 10, IOAPIC_RTE_LEVEL | 0x61);
	EXPECT_EQ(0, get_rte(&a, 10) & IOAPIC_RTE_REMOTE_IRR);
	EXPECT_EQ(4, nr_sent);
}

TEST(level_masking)
{
	struct i82093 a;

	reset_sent();
	i82093_init(&a, NULL);
	set_rte(&a, 3, IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | 0x70);
	EXPECT_EQ(-1, i82093_set_irq(&a, 3, SRC_USER, 1));
	EXPECT_EQ(0, nr_sent);
	/* Unmasking a level line that is up sends it. */
	set_rte(&a, 3, IOAPIC_RTE_LEVEL | 0x70);
	EXPECT_EQ(1, nr_sent);
	/* Masked while awaiting the EOI: the EOI re-sends nothing... */
	set_rte(&a, 3, IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | 0x70);
	eoi(&a, 0x70);
	EXPECT_EQ(1, nr_sent);
	EXPECT_EQ(0, get_rte(&a, 3) & IOAPIC_RTE_REMOTE_IRR);
	/* ...until it is unmasked with the line still up. */
	set_rte(&a, 3, IOAPIC_RTE_LEVEL | 0x70);
	EXPECT_EQ(2, nr_sent);
	/* A message no LAPIC took still sets remote IRR, as in KVM. */
	reset_sent();
	deliver_ret = -1;
	set_rte(&a, 9, IOAPIC_RTE_LEVEL | 0x71);
	EXPECT_EQ(-1, i82093_set_irq(&a, 9, SRC_USER, 1));
	EXPECT_TRUE(get_rte(&a, 9) & IOAPIC_RTE_REMOTE_IRR);
}

TEST(sources_or)
{
	struct i82093 a;

	reset_sent();
	i82093_init(&a, NULL);
	set_rte(&a, 11, IOAPIC_RTE_LEVEL | 0x80);
	i82093_set_irq(&a, 11, SRC_USER, 1);
	i82093_set_irq(&a, 11, SRC_RESAMPLE, 1);
	EXPECT_EQ(1, nr_sent);
	/* One source lowering leaves the line up: the EOI re-sends. */
	i82093_set_irq(&a, 11, SRC_USER, 0);
	eoi(&a, 0x80);
	EXPECT_EQ(2, nr_sent);
	i82093_set_irq(&a, 11, SRC_RESAMPLE, 0);
	eoi(&a, 0x80);
	EXPECT_EQ(2, nr_sent);
	EXPECT_EQ(0, a.irr);
	/* Out of range: refused. */
	EXPECT_EQ(-1, i82093_set_irq(&a, 24, SRC_USER, 1));
	EXPECT_EQ(-1, i82093_set_irq(&a, 1, 9, 1));
	EXPECT_EQ(0, a.irr);
}

TEST(eoi_shared_vector)
{
	struct i82093 a;

	reset_sent();
	i82093_init(&a, NULL);
	set_rte(&a, 16, IOAPIC_RTE_LEVEL | 0x90);
	set_rte(&a, 17, IOAPIC_RTE_LEVEL | 0x90);
	i82093_set_irq(&a, 16, SRC_USER, 1);
	i82093_set_irq(&a, 17, SRC_USER, 1);
	EXPECT_EQ(2, nr_sent);
	i82093_set_irq(&a, 16, SRC_USER, 0);
	/* Both pins are acked; only the one still up is sent again. */
	EXPECT_EQ((1u << 16) | (1u << 17), eoi(&a, 0x90));
	EXPECT_EQ(3, nr_sent);
	EXPECT_EQ(0, get_rte(&a, 16) & IOAPIC_RTE_REMOTE_IRR);
	EXPECT_TRUE(get_rte(&a, 17) & IOAPIC_RTE_REMOTE_IRR);
}

TEST(state_round_trip)
{
	struct i82093 a, b;
	struct kvm_ioapic_state s, t;

	reset_sent();
	i82093_init(&a, NULL);
	wr(&a, IOAPIC_REG_ID, 0x02000000);
	set_rte(&a, 1, 0x31);				/* edge */
	set_rte(&a, 2, IOAPIC_RTE_LEVEL | 0x32);	/* level */
	set_rte(&a, 3, IOAPIC_RTE_MASKED | 0x33);	/* masked edge */
	i82093_set_irq(&a, 1, SRC_USER, 1);
	i82093_set_irq(&a, 2, SRC_USER, 1);
	i82093_set_irq(&a, 3, SRC_USER, 1);
	EXPECT_EQ(2, nr_sent);
	i82093_write(&a, IOAPIC_REGSEL, 0x14);
	i82093_get_state(&a, &s);
	EXPECT_EQ(IOAPIC_BASE, s.base_address);
	EXPECT_EQ(0x14, s.ioregsel);
	EXPECT_EQ(2, s.id);
	/* The delivered edge is spent; the level and the masked edge are up. */
	EXPECT_EQ((1u << 2) | (1u << 3), s.irr);
	EXPECT_TRUE(s.redirtbl[2].bits & IOAPIC_RTE_REMOTE_IRR);
	EXPECT_EQ(IOAPIC_RTE_MASKED, s.redirtbl[23].bits);

	/* Restore into a fresh IOAPIC: the level pin awaits its EOI. */
	reset_sent();
	i82093_init(&b, NULL);
	i82093_set_state(&b, &s);
	EXPECT_EQ(0, nr_sent);
	i82093_get_state(&b, &t);
	EXPECT_EQ(0, memcmp(&s, &t, sizeof(s)));
	eoi(&b, 0x32);
	EXPECT_EQ(1, nr_sent);
	/* Without remote IRR, restoring sends the level pin. */
	reset_sent();
	s.redirtbl[2].bits &= ~IOAPIC_RTE_REMOTE_IRR;
	i82093_init(&b, NULL);
	i82093_set_state(&b, &s);
	EXPECT_EQ(1, nr_sent);
	EXPECT_EQ(0x32, sent[0].vector);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * irq/vgic-regs.c on the host: reset state, the GICD/GICR register banks
 * as the guest and as userspace see them (IHI 0069 12.9/12.11, KVM's
 * device API for ISPENDR/ICPENDR), and the list-register choice and fold.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "irq/vgic-regs.h"

#define NR_IRQS	96

struct gic {
	struct vgic_irq priv[32];
	struct vgic_irq spis[NR_IRQS - 32];
	struct vgic_regs_view dist, redist, user;
};

static void gic_reset(struct gic *g)
{
	unsigned int n;

	for (n = 0; n < 32; n++)
		vgic_irq_reset_private(&g->priv[n], n);
	for (n = 0; n < NR_IRQS - 32; n++)
		vgic_irq_reset_spi(&g->spis[n]);
	g->dist = (struct vgic_regs_view){ .spis = g->spis, .nr_irqs = NR_IRQS };
	g->redist = (struct vgic_regs_view){ .priv = g->priv };
	g->user = g->dist;
	g->user.uaccess = true;
}

static uint64_t rd(struct vgic_regs_view *v, uint32_t reg, uint32_t len)
{
	uint64_t val = ~0ULL;

	vgic_bank_read(v, reg, len, &val);
	return val;
}

TEST(reset_state)
{
	struct gic g;

	gic_reset(&g);
	/* SGIs enabled, all Group 1; SGIs edge (read-only), PPIs level */
	EXPECT_EQ(0xffff, rd(&g.redist, 0x100, 4));
	EXPECT_EQ(0xffffffff, rd(&g.redist, 0x080, 4));
	EXPECT_EQ(0xaaaaaaaa, rd(&g.redist, 0xc00, 4));
	EXPECT_EQ(0, rd(&g.redist, 0xc04, 4));
	/* SPIs: disabled edge; the distributor has no INTIDs 0-31 */
	EXPECT_EQ(0, rd(&g.dist, 0x104, 4));
	EXPECT_EQ(0xaaaaaaaa, rd(&g.dist, 0xc08, 4));
	EXPECT_EQ(0, rd(&g.dist, 0x100, 4));
	EXPECT_EQ(0, rd(&g.dist, 0xc00, 4));
	/* beyond NR_IRQS: RAZ */
	EXPECT_EQ(0, rd(&g.dist, 0x10c, 4));
}

TEST(enable_pending_active)
{
	struct gic g;

	gic_reset(&g);
	EXPECT_TRUE(vgic_bank_write(&g.dist, 0x104, 4, 0x11));
	EXPECT_EQ(0x11, rd(&g.dist, 0x104, 4));
	EXPECT_EQ(0x11, rd(&g.dist, 0x184, 4));
	EXPECT_FALSE(vgic_bank_write(&g.dist, 0x104, 4, 0x01));	/* no change */
	EXPECT_TRUE(vgic_bank_write(&g.dist, 0x184, 4, 0x01));
	EXPECT_EQ(0x10, rd(&g.dist, 0x104, 4));
	/* writes to 0-31 through the distributor are ignored */
	EXPECT_FALSE(vgic_bank_write(&g.dist, 0x180, 4, 0xffffffff));
	EXPECT_EQ(0xffff, rd(&g.redist, 0x100, 4));

	/* guest: ISPENDR sets, ICPENDR clears the latch */
	vgic_bank_write(&g.dist, 0x204, 4, 0x6);
	EXPECT_EQ(0x6, rd(&g.dist, 0x204, 4));
	EXPECT_EQ(0x6, rd(&g.dist, 0x284, 4));
	vgic_bank_write(&g.dist, 0x284, 4, 0x2);
	EXPECT_EQ(0x4, rd(&g.dist, 0x204, 4));

	/* a level SPI with its line high: pending for the guest only */
	g.spis[3].level = 1;
	g.spis[3].line = 1;
	EXPECT_EQ(0xc, rd(&g.dist, 0x204, 4));
	EXPECT_EQ(0x4, rd(&g.user, 0x204, 4));
	/* ICPENDR from the guest leaves the line; from userspace RAZ/WI */
	vgic_bank_write(&g.dist, 0x284, 4, 0x8);
	EXPECT_EQ(0xc, rd(&g.dist, 0x204, 4));
	EXPECT_EQ(0, rd(&g.user, 0x284, 4));
	vgic_bank_write(&g.user, 0x284, 4, 0x4);
	EXPECT_EQ(0x4, rd(&g.user, 0x204, 4));
	/* userspace ISPENDR writes the latch exactly, clears included */
	vgic_bank_write(&g.user, 0x204, 4, 0x1);
	EXPECT_EQ(0x1, rd(&g.user, 0x204, 4));

	vgic_bank_write(&g.dist, 0x304, 4, 0x80);
	EXPECT_EQ(0x80, rd(&g.dist, 0x384, 4));
	vgic_bank_write(&g.dist, 0x384, 4, 0x80);
	EXPECT_EQ(0, rd(&g.dist, 0x304, 4));
}

TEST(priority_config_group)
{
	struct gic g;

	gic_reset(&g);
	vgic_bank_write(&g.dist, 0x420, 4, 0x40302010);
	EXPECT_EQ(0x10, g.spis[0].prio);
	EXPECT_EQ(0x40, g.spis[3].prio);
	vgic_bank_write(&g.dist, 0x421, 1, 0xa0);	/* byte access */
	EXPECT_EQ(0x4030a010, rd(&g.dist, 0x420, 4));
	EXPECT_EQ(0xa0, rd(&g.dist, 0x421, 1));
	/* 0-31 through the distributor: RAZ/WI */
	vgic_bank_write(&g.dist, 0x400, 4, 0xffffffff);
	EXPECT_EQ(0, rd(&g.dist, 0x400, 4));
	EXPECT_EQ(0, g.priv[0].prio);

	/* SGIs stay edge; PPIs and SPIs follow ICFGR */
	vgic_bank_write(&g.redist, 0xc00, 4, 0);
	EXPECT_EQ(0xaaaaaaaa, rd(&g.redist, 0xc00, 4));
	vgic_bank_write(&g.redist, 0xc04, 4, 0x2);
	EXPECT_EQ(0, (int)g.priv[16].level);
	EXPECT_EQ(1, (int)g.priv[17].level);
	vgic_bank_write(&g.dist, 0xc08, 4, 0);
	EXPECT_EQ(1, (int)g.spis[0].level);

	vgic_bank_write(&g.dist, 0x084, 4, 0xfffffffe);
	EXPECT_EQ(0, (int)g.spis[0].group);
	EXPECT_EQ(1, (int)g.spis[1].group);
	/* other sizes of 32-bit registers: RAZ/WI */
	EXPECT_EQ(0, rd(&g.dist, 0x104, 2));
}

TEST(pick_order_and_overflow)
{
	struct vgic_irq irq[8];
	struct vgic_pick p;
	unsigned int n;

	memset(irq, 0, sizeof(irq));
	for (n = 0; n < 8; n++) {
		irq[n].enabled = 1;
		irq[n].group = 1;
		irq[n].latch = 1;
		irq[n].prio = 0x80;
	}
	irq[5].prio = 0x10;		/* best pending */
	irq[6].latch = 0;
	irq[6].active = 1;		/* active: first of all */
	irq[6].prio = 0xf0;
	irq[2].enabled = 0;		/* disabled: not offered */
	irq[7].group = 0;		/* Group 0 off below */

	vgic_pick_init(&p, 4, 2);
	for (n = 0; n < 8; n++)
		vgic_pick_add(&p, &irq[n], 40 + n);
	EXPECT_EQ(6, p.count);		/* 0, 1, 3, 4, 5, 6 */
	ASSERT_EQ(4, p.n);
	EXPECT_EQ(46, p.intid[0]);
	EXPECT_EQ(45, p.intid[1]);
	EXPECT_EQ(40, p.intid[2]);
	EXPECT_EQ(41, p.intid[3]);

	/* an active interrupt is kept even when disabled */
	irq[6].enabled = 0;
	vgic_pick_init(&p, 16, 3);
	for (n = 0; n < 8; n++)
		vgic_pick_add(&p, &irq[n], 40 + n);
	EXPECT_EQ(7, p.count);
	EXPECT_EQ(46, p.intid[0]);
	/* nothing when the distributor's groups are off */
	vgic_pick_init(&p, 16, 0);
	for (n = 0; n < 8; n++)
		vgic_pick_add(&p, &irq[n], 40 + n);
	EXPECT_EQ(1, p.count);		/* the active one only */
}

TEST(lr_encode_and_fold)
{
	struct vgic_irq e = { .enabled = 1, .group = 1, .latch = 1,
			      .prio = 0xa0 };
	struct vgic_irq l = { .enabled = 1, .group = 1, .level = 1,
			      .line = 1, .prio = 0x20 };
	uint64_t lr;

	lr = vgic_lr_encode(&e, 40);
	EXPECT_EQ(40 | ICH_LR_PENDING | ICH_LR_GROUP |
		  (0xa0ULL << ICH_LR_PRIO_SHIFT), lr);
	/* acknowledged: the latch goes, active stays */
	EXPECT_FALSE(vgic_lr_fold(&e, lr, (lr & ~ICH_LR_PENDING) |
				  ICH_LR_ACTIVE));
	EXPECT_EQ(0, (int)e.latch);
	EXPECT_EQ(1, (int)e.active);
	/* untouched: stays pending */
	e.latch = 1;
	e.active = 0;
	EXPECT_FALSE(vgic_lr_fold(&e, lr, lr));
	EXPECT_EQ(1, (int)e.latch);

	lr = vgic_lr_encode(&l, 33);
	EXPECT_TRUE(lr & ICH_LR_EOI);		/* level: EOI maintenance */
	/* acked and deactivated in one run: resample */
	EXPECT_TRUE(vgic_lr_fold(&l, lr, 33));
	EXPECT_EQ(1, vgic_irq_pending(&l));	/* line still high */
	/* active -> pending again (EOI'd with the line high): resample */
	l.active = 1;
	lr = vgic_lr_encode(&l, 33);
	EXPECT_EQ(ICH_LR_PENDING | ICH_LR_ACTIVE,
		  lr & (ICH_LR_PENDING | ICH_LR_ACTIVE));
	EXPECT_TRUE(vgic_lr_fold(&l, lr, (lr & ~ICH_LR_ACTIVE)));
	EXPECT_EQ(0, (int)l.active);
	/* still active: no */
	l.active = 1;
	lr = vgic_lr_encode(&l, 33);
	EXPECT_FALSE(vgic_lr_fold(&l, lr, lr));
}

TEST_HARNESS_MAIN

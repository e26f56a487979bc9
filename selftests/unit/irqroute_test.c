// SPDX-License-Identifier: GPL-2.0
/*
 * core/irqroute.c on the host: KVM_SET_GSI_ROUTING's validation (KVM 6.1's
 * rules: gsi range, flags per type, unknown types, several irqchip pins
 * per GSI but one MSI, the arch's check), lookup by GSI with several
 * routes per GSI in the order given, the pin -> GSI map (the later entry
 * wins), and random tables against a brute-force model.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "irqroute.h"

/* x86's pins as KVM checks them: PIC 0-7 per chip, IOAPIC 0-23. */
static int x86_check(void *arg, struct hvk_irq_route *r)
{
	int *calls = arg;

	if (calls)
		(*calls)++;
	if (r->type != KVM_IRQ_ROUTING_IRQCHIP)
		return 0;
	switch (r->chip.irqchip) {
	case KVM_IRQCHIP_PIC_SLAVE:
		if (r->chip.pin >= 8)
			return -EINVAL;
		r->chip.pin += 8;	/* the slave's pins are 8-15 */
		return 0;
	case KVM_IRQCHIP_PIC_MASTER:
		return r->chip.pin >= 8 ? -EINVAL : 0;
	case KVM_IRQCHIP_IOAPIC:
		return r->chip.pin >= 24 ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

static int accept_all(void *arg, struct hvk_irq_route *r)
{
	(void)arg;
	(void)r;
	return 0;
}

static struct kvm_irq_routing_entry chip(uint32_t gsi, uint32_t irqchip,
					 uint32_t pin)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = irqchip, .pin = pin },
	};
	return e;
}

static struct kvm_irq_routing_entry msi(uint32_t gsi, uint64_t addr,
					uint32_t data, uint32_t flags,
					uint32_t devid)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI, .flags = flags,
		.u.msi = { .address_lo = (uint32_t)addr,
			   .address_hi = addr >> 32, .data = data,
			   .devid = devid },
	};
	return e;
}

/* Build a table as core/irq.c does; NULL with *err set on failure. */
static struct hvk_irq_routing *build(const struct kvm_irq_routing_entry *ue,
				     uint32_t nr, irqroute_check_fn check,
				     void *arg, int *err)
{
	struct hvk_irq_routing *rt;
	uint32_t nr_gsis;

	*err = irqroute_prepare(ue, nr, &nr_gsis);
	if (*err)
		return NULL;
	rt = calloc(1, irqroute_size(nr, nr_gsis));
	if (!rt) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = irqroute_build(rt, ue, nr, nr_gsis, check, arg);
	if (*err) {
		free(rt);
		return NULL;
	}
	return rt;
}

static int build_err(const struct kvm_irq_routing_entry *ue, uint32_t nr)
{
	struct hvk_irq_routing *rt;
	int err;

	rt = build(ue, nr, x86_check, NULL, &err);
	free(rt);
	return err;
}

TEST(empty_table_has_no_routes)
{
	const struct hvk_irq_route *r;
	struct hvk_irq_routing *rt;
	int err;

	rt = build(NULL, 0, x86_check, NULL, &err);
	ASSERT_EQ(0, err);
	EXPECT_EQ(0, rt->nr_gsis);
	EXPECT_EQ(0, irqroute_lookup(rt, 0, &r));
	EXPECT_EQ(0, irqroute_lookup(rt, 4095, &r));
	EXPECT_EQ(0, irqroute_lookup(NULL, 0, &r));
	EXPECT_EQ(-1, irqroute_pin_gsi(rt, 0, 0));
	EXPECT_EQ(-1, irqroute_pin_gsi(NULL, 0, 0));
	free(rt);
}

TEST(gsi_limit)
{
	struct kvm_irq_routing_entry ok = chip(HVK_MAX_IRQ_ROUTES - 1,
					       KVM_IRQCHIP_IOAPIC, 3);
	struct kvm_irq_routing_entry e[2] = {
		chip(1, KVM_IRQCHIP_IOAPIC, 1),
		chip(HVK_MAX_IRQ_ROUTES, KVM_IRQCHIP_IOAPIC, 2),
	};
	const struct hvk_irq_route *r;
	struct hvk_irq_routing *rt;
	uint32_t n;
	int err;

	EXPECT_EQ(-EINVAL, build_err(e, 2));
	e[1].gsi = ~0U;
	EXPECT_EQ(-EINVAL, build_err(e, 2));
	/* The range check covers the whole table before any entry. */
	EXPECT_EQ(-EINVAL, irqroute_prepare(e, 2, &n));

	rt = build(&ok, 1, x86_check, NULL, &err);
	ASSERT_EQ(0, err);
	EXPECT_EQ(HVK_MAX_IRQ_ROUTES, rt->nr_gsis);
	ASSERT_EQ(1, irqroute_lookup(rt, HVK_MAX_IRQ_ROUTES - 1, &r));
	EXPECT_EQ(3, r->chip.pin);
	EXPECT_EQ(0, irqroute_lookup(rt, HVK_MAX_IRQ_ROUTES, &r));
	EXPECT_EQ(0, irqroute_lookup(rt, 0, &r));
	free(rt);
}

TEST(flags_and_types)
{
	struct kvm_irq_routing_entry e;

	e = chip(0, KVM_IRQCHIP_IOAPIC, 0);
	e.flags = KVM_MSI_VALID_DEVID;	/* only MSIs may have it */
	EXPECT_EQ(-EINVAL, build_err(&e, 1));
	e.flags = 0x80;
	EXPECT_EQ(-EINVAL, build_err(&e, 1));

	e = msi(0, 0xfee00000, 0x30, KVM_MSI_VALID_DEVID, 7);
	EXPECT_EQ(0, build_err(&e, 1));
	e.flags = KVM_MSI_VALID_DEVID | 2;
	EXPECT_EQ(-EINVAL, build_err(&e, 1));
	e.flags = 2;
	EXPECT_EQ(-EINVAL, build_err(&e, 1));

	e = chip(0, KVM_IRQCHIP_IOAPIC, 0);
	e.type = 0;
	EXPECT_EQ(-EINVAL, build_err(&e, 1));
	e.type = KVM_IRQ_ROUTING_S390_ADAPTER;
	EXPECT_EQ(-EINVAL, build_err(&e, 1));
	e.type = KVM_IRQ_ROUTING_HV_SINT;
	EXPECT_EQ(-EINVAL, build_err(&e, 1));
	e.type = 1000;
	EXPECT_EQ(-EINVAL, build_err(&e, 1));
}

TEST(msi_fields)
{
	struct kvm_irq_routing_entry e[2] = {
		msi(5, 0x12345678fee01000ULL, 0x4041, KVM_MSI_VALID_DEVID, 99),
		msi(6, 0xfee00000, 0x31, 0, 0),
	};
	const struct hvk_irq_route *r;
	struct hvk_irq_routing *rt;
	int err;

	rt = build(e, 2, x86_check, NULL, &err);
	ASSERT_EQ(0, err);
	ASSERT_EQ(1, irqroute_lookup(rt, 5, &r));
	EXPECT_EQ(KVM_IRQ_ROUTING_MSI, r->type);
	EXPECT_EQ(5, r->gsi);
	EXPECT_EQ(0x12345678fee01000ULL, r->msi.addr);
	EXPECT_EQ(0x4041, r->msi.data);
	EXPECT_EQ(KVM_MSI_VALID_DEVID, r->msi.flags);
	EXPECT_EQ(99, r->msi.devid);
	ASSERT_EQ(1, irqroute_lookup(rt, 6, &r));
	EXPECT_EQ(0, r->msi.flags);
	EXPECT_EQ(0, irqroute_lookup(rt, 4, &r));
	/* MSIs are not irqchip pins: nothing to ack. */
	EXPECT_EQ(0, rt->nr_pins);
	free(rt);
}

/* x86's default table: GSIs 0-15 on the PICs and the IOAPIC. */
TEST(several_routes_per_gsi_in_order)
{
	struct kvm_irq_routing_entry e[48];
	const struct hvk_irq_route *r;
	struct hvk_irq_routing *rt;
	unsigned int i, n = 0;
	int err;

	for (i = 0; i < 24; i++) {
		e[n++] = chip(i, KVM_IRQCHIP_IOAPIC, i);
		if (i < 16)
			e[n++] = chip(i, i < 8 ? KVM_IRQCHIP_PIC_MASTER :
					 KVM_IRQCHIP_PIC_SLAVE, i % 8);
	}
	rt = build(e, n, x86_check, NULL, &err);
	ASSERT_EQ(0, err);
	EXPECT_EQ(24, rt->nr_gsis);
	for (i = 0; i < 24; i++) {
		ASSERT_EQ(i < 16 ? 2 : 1, irqroute_lookup(rt, i, &r));
		EXPECT_EQ(KVM_IRQCHIP_IOAPIC, r[0].chip.irqchip);
		EXPECT_EQ(i, r[0].chip.pin);
		EXPECT_EQ(i, r[0].gsi);
		if (i < 16) {
			EXPECT_EQ(i < 8 ? KVM_IRQCHIP_PIC_MASTER :
				  KVM_IRQCHIP_PIC_SLAVE, r[1].chip.irqchip);
			/* The arch's adjustment: slave pins are 8-15. */
			EXPECT_EQ(i, r[1].chip.pin);
			EXPECT_EQ(i, r[1].gsi);
		}
		EXPECT_EQ((int)i, irqroute_pin_gsi(rt, KVM_IRQCHIP_IOAPIC, i));
	}
	EXPECT_EQ(3, irqroute_pin_gsi(rt, KVM_IRQCHIP_PIC_MASTER, 3));
	EXPECT_EQ(11, irqroute_pin_gsi(rt, KVM_IRQCHIP_PIC_SLAVE, 11));
	EXPECT_EQ(-1, irqroute_pin_gsi(rt, KVM_IRQCHIP_PIC_SLAVE, 3));
	EXPECT_EQ(-1, irqroute_pin_gsi(rt, KVM_IRQCHIP_IOAPIC, 24));
	EXPECT_EQ(0, irqroute_lookup(rt, 24, &r));
	free(rt);
}

TEST(duplicates)
{
	struct kvm_irq_routing_entry e[4];

	/* Three irqchips on one GSI: fine. */
	e[0] = chip(9, KVM_IRQCHIP_PIC_MASTER, 1);
	e[1] = chip(9, KVM_IRQCHIP_PIC_SLAVE, 1);
	e[2] = chip(9, KVM_IRQCHIP_IOAPIC, 9);
	EXPECT_EQ(0, build_err(e, 3));
	/* The same irqchip twice on one GSI, even another pin: -EINVAL. */
	e[3] = chip(9, KVM_IRQCHIP_IOAPIC, 10);
	EXPECT_EQ(-EINVAL, build_err(e, 4));
	/* An MSI shares its GSI with nothing, before or after it. */
	e[0] = msi(4, 0xfee00000, 0x30, 0, 0);
	e[1] = chip(4, KVM_IRQCHIP_IOAPIC, 4);
	EXPECT_EQ(-EINVAL, build_err(e, 2));
	e[0] = chip(4, KVM_IRQCHIP_IOAPIC, 4);
	e[1] = msi(4, 0xfee00000, 0x30, 0, 0);
	EXPECT_EQ(-EINVAL, build_err(e, 2));
	e[0] = msi(4, 0xfee00000, 0x30, 0, 0);
	e[1] = msi(4, 0xfee00000, 0x31, 0, 0);
	EXPECT_EQ(-EINVAL, build_err(e, 2));
	/* The same entry twice. */
	e[0] = chip(4, KVM_IRQCHIP_IOAPIC, 4);
	e[1] = e[0];
	EXPECT_EQ(-EINVAL, build_err(e, 2));
	/* One pin from two GSIs is allowed. */
	e[0] = chip(4, KVM_IRQCHIP_IOAPIC, 4);
	e[1] = chip(5, KVM_IRQCHIP_IOAPIC, 4);
	EXPECT_EQ(0, build_err(e, 2));
}

TEST(arch_check_called_and_refuses)
{
	struct kvm_irq_routing_entry e[3] = {
		chip(0, KVM_IRQCHIP_IOAPIC, 0),
		msi(1, 0xfee00000, 0x30, 0, 0),
		chip(2, KVM_IRQCHIP_PIC_MASTER, 2),
	};
	struct hvk_irq_routing *rt;
	int calls = 0, err;

	rt = build(e, 3, x86_check, &calls, &err);
	ASSERT_EQ(0, err);
	EXPECT_EQ(3, calls);
	free(rt);

	e[2] = chip(2, KVM_IRQCHIP_PIC_MASTER, 8);
	EXPECT_EQ(-EINVAL, build_err(e, 3));
	e[2] = chip(2, KVM_IRQCHIP_PIC_SLAVE, 8);
	EXPECT_EQ(-EINVAL, build_err(e, 3));
	e[2] = chip(2, KVM_IRQCHIP_IOAPIC, 24);
	EXPECT_EQ(-EINVAL, build_err(e, 3));
	e[2] = chip(2, 3, 0);
	EXPECT_EQ(-EINVAL, build_err(e, 3));
	/* A generic error comes before the arch is asked. */
	calls = 0;
	e[2] = chip(0, KVM_IRQCHIP_IOAPIC, 1);
	rt = build(e, 3, x86_check, &calls, &err);
	EXPECT_EQ(NULL, rt);
	EXPECT_EQ(-EINVAL, err);
	EXPECT_EQ(2, calls);
}

TEST(pin_map_later_entry_wins)
{
	struct kvm_irq_routing_entry e[4] = {
		chip(10, KVM_IRQCHIP_IOAPIC, 5),
		chip(3, KVM_IRQCHIP_IOAPIC, 5),
		chip(7, KVM_IRQCHIP_IOAPIC, 6),
		chip(1, KVM_IRQCHIP_IOAPIC, 6),
	};
	struct hvk_irq_routing *rt;
	int err;

	rt = build(e, 4, x86_check, NULL, &err);
	ASSERT_EQ(0, err);
	EXPECT_EQ(3, irqroute_pin_gsi(rt, KVM_IRQCHIP_IOAPIC, 5));
	EXPECT_EQ(1, irqroute_pin_gsi(rt, KVM_IRQCHIP_IOAPIC, 6));
	EXPECT_EQ(2, rt->nr_pins);
	free(rt);
}

/*
 * Random tables (mostly valid) against a model: a flat list kept in the
 * order given; lookups and the pin map must agree with it.
 */
TEST(random_against_model)
{
	static struct kvm_irq_routing_entry e[HVK_MAX_IRQ_ROUTES];
	unsigned int iter, built = 0, big = 0;

	srand(2);
	for (iter = 0; iter < 3000; iter++) {
		uint32_t nr = rand() % (iter % 200 ? 64 : HVK_MAX_IRQ_ROUTES);
		uint32_t span = 1 + rand() % (rand() % 4 ? 32 : 4096);
		const struct hvk_irq_route *r;
		struct hvk_irq_routing *rt;
		int err, want = 0;
		uint32_t i, j, g;

		for (i = 0; i < nr; i++) {
			if (nr > 64 && iter % 400) {
				/* Big and valid: two irqchips on each GSI. */
				e[i] = chip(i / 2, i % 2, rand() % 1024);
			} else if (nr > 64) {
				/* Big, one GSI each, then one duplicate. */
				e[i] = chip(i, rand() % 4, rand() % 1024);
				if (i == nr - 1 && i)
					e[i].gsi = rand() % i;
			} else if (rand() % 8 == 0) {
				e[i] = msi(rand() % span, rand(), rand(), 0, 0);
			} else {
				e[i] = chip(rand() % span, rand() % 4,
					    rand() % 1024);
			}
		}
		/* The model: KVM's duplicate rule, entry by entry. */
		for (i = 0; i < nr && !want; i++) {
			for (j = 0; j < i && !want; j++)
				if (e[j].gsi == e[i].gsi &&
				    (e[j].type != KVM_IRQ_ROUTING_IRQCHIP ||
				     e[i].type != KVM_IRQ_ROUTING_IRQCHIP ||
				     e[j].u.irqchip.irqchip ==
				     e[i].u.irqchip.irqchip))
					want = -EINVAL;
		}
		rt = build(e, nr, accept_all, NULL, &err);
		ASSERT_EQ(want, err) TH_LOG("iteration %u, %u entries", iter, nr);
		if (err)
			continue;
		built++;
		big += nr > 64;
		for (g = 0; g < rt->nr_gsis + 2; g++) {
			uint32_t n = irqroute_lookup(rt, g, &r), k = 0;

			for (i = 0; i < nr; i++) {
				if (e[i].gsi != g)
					continue;
				ASSERT_LT(k, n);
				EXPECT_EQ(e[i].type, r[k].type);
				EXPECT_EQ(g, r[k].gsi);
				if (e[i].type == KVM_IRQ_ROUTING_IRQCHIP) {
					EXPECT_EQ(e[i].u.irqchip.pin,
						  r[k].chip.pin);
				} else {
					EXPECT_EQ(e[i].u.msi.data,
						  r[k].msi.data);
				}
				k++;
			}
			EXPECT_EQ(k, n) TH_LOG("gsi %u", g);
		}
		/* Each pin maps to the GSI of its last entry, or none. */
		for (i = 0; i < 64; i++) {
			uint32_t c = rand() % 4, p = rand() % 1024;
			int last = -1;

			if (nr && i % 2) {
				j = rand() % nr;
				if (e[j].type == KVM_IRQ_ROUTING_IRQCHIP) {
					c = e[j].u.irqchip.irqchip;
					p = e[j].u.irqchip.pin;
				}
			}
			for (j = 0; j < nr; j++)
				if (e[j].type == KVM_IRQ_ROUTING_IRQCHIP &&
				    e[j].u.irqchip.irqchip == c &&
				    e[j].u.irqchip.pin == p)
					last = e[j].gsi;
			EXPECT_EQ(last, irqroute_pin_gsi(rt, c, p));
		}
		free(rt);
	}
	/* Both outcomes, and some tables of more than 64 entries, seen. */
	EXPECT_LT(300, built);
	EXPECT_GT(2700, built);
	EXPECT_LT(0, big);
}

TEST_HARNESS_MAIN

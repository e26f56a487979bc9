// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of core/memslot.c: the KVM memslot rules and the gfn
 * lookup, without a kernel. Built and run by selftests/unit/Makefile.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "memslot.h"

#define PG	4096ULL

static struct kvm_userspace_memory_region region(u32 slot, u64 gpa,
						 u64 size, u64 hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = hva,
	};
	return r;
}


static struct hvk_memslots *empty(void)
{
	return calloc(1, sizeof(struct hvk_memslots));
}

/* Plan and commit one region; returns the errno or 0. */
static int apply(struct hvk_memslots **slots,
		 const struct kvm_userspace_memory_region *r, u32 valid_flags)
{
	enum memslot_change change;
	struct hvk_memslots *new;
	int err;

	err = memslot_check_region(r, valid_flags);
	if (err)
		return err;
	err = memslot_plan(*slots, r, &change);
	if (err || change == MEMSLOT_NONE)
		return err;
	new = calloc(1, sizeof(*new) +
		     ((*slots)->nr + 1) * sizeof(struct hvk_memslot));
	memslot_commit(*slots, new, change, r);
	free(*slots);
	*slots = new;
	return 0;
}

static void assert_sorted(struct __test_metadata *_metadata,
			  const struct hvk_memslots *s)
{
	u32 i;

	for (i = 1; i < s->nr; i++)
		ASSERT_LE(s->slots[i - 1].base_gfn + s->slots[i - 1].npages,
			  s->slots[i].base_gfn)
			TH_LOG("slots %u and %u out of order or overlapping",
			       i - 1, i);
}

TEST(check_region_rejects_malformed)
{
	struct kvm_userspace_memory_region r;

	r = region(0, 0, 16 * PG, 0x10000000);
	EXPECT_EQ(0, memslot_check_region(&r, 0));

	r.flags = KVM_MEM_LOG_DIRTY_PAGES;
	EXPECT_EQ(-EINVAL, memslot_check_region(&r, 0))
		TH_LOG("flags outside valid_flags must be -EINVAL");
	EXPECT_EQ(0, memslot_check_region(&r, KVM_MEM_LOG_DIRTY_PAGES));

	r = region(0, 0x800, 16 * PG, 0x10000000);
	EXPECT_EQ(-EINVAL, memslot_check_region(&r, 0)) TH_LOG("gpa unaligned");
	r = region(0, 0, 16 * PG + 1, 0x10000000);
	EXPECT_EQ(-EINVAL, memslot_check_region(&r, 0)) TH_LOG("size unaligned");
	r = region(0, 0, 16 * PG, 0x10000010);
	EXPECT_EQ(-EINVAL, memslot_check_region(&r, 0)) TH_LOG("hva unaligned");
	r = region(HVK_MEMSLOTS, 0, 16 * PG, 0x10000000);
	EXPECT_EQ(-EINVAL, memslot_check_region(&r, 0)) TH_LOG("slot too big");
	r = region(HVK_MEMSLOTS - 1, 0, 16 * PG, 0x10000000);
	EXPECT_EQ(0, memslot_check_region(&r, 0)) TH_LOG("last slot id");
	r = region(1u << 16, 0, 16 * PG, 0x10000000);
	EXPECT_EQ(-EINVAL, memslot_check_region(&r, 0))
		TH_LOG("address space 1 does not exist");
	r = region(0, ~0ULL - PG + 1, 2 * PG, 0x10000000);
	EXPECT_EQ(-EINVAL, memslot_check_region(&r, 0)) TH_LOG("gpa wraps");
	r = region(0, 0, (HVK_MEMSLOT_MAX_PAGES + 1) * PG, 0x10000000);
	EXPECT_EQ(-EINVAL, memslot_check_region(&r, 0)) TH_LOG("too many pages");
}

TEST(create_find_delete)
{
	struct hvk_memslots *s = empty();
	struct kvm_userspace_memory_region r;
	const struct hvk_memslot *m;

	r = region(3, 0x100000, 16 * PG, 0x7f0000000000);
	ASSERT_EQ(0, apply(&s, &r, 0));
	r = region(1, 0, 4 * PG, 0x7f1000000000);
	ASSERT_EQ(0, apply(&s, &r, 0));
	r = region(7, 0x200000, 1 * PG, 0x7f2000000000);
	ASSERT_EQ(0, apply(&s, &r, 0));
	ASSERT_EQ(3, s->nr);
	assert_sorted(_metadata, s);

	m = memslot_find(s, 0x100);
	ASSERT_NE(NULL, m) TH_LOG("first page of slot 3");
	EXPECT_EQ(3, m->id);
	m = memslot_find(s, 0x10f);
	ASSERT_NE(NULL, m) TH_LOG("last page of slot 3");
	EXPECT_EQ(3, m->id);
	EXPECT_EQ(NULL, memslot_find(s, 0x110)) TH_LOG("one past slot 3");
	EXPECT_EQ(NULL, memslot_find(s, 4)) TH_LOG("gap after slot 1");
	m = memslot_find(s, 0);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(1, m->id);
	m = memslot_find(s, 0x200);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(7, m->id);
	EXPECT_EQ(NULL, memslot_find(s, ~0ULL)) TH_LOG("top gfn");

	r = region(3, 0, 0, 0);
	ASSERT_EQ(0, apply(&s, &r, 0)) TH_LOG("size 0 deletes");
	EXPECT_EQ(2, s->nr);
	EXPECT_EQ(NULL, memslot_find(s, 0x100));
	EXPECT_EQ(-EINVAL, apply(&s, &r, 0))
		TH_LOG("deleting a missing slot is -EINVAL");
	free(s);
}

TEST(find_in_empty_table)
{
	struct hvk_memslots *s = empty();

	EXPECT_EQ(NULL, memslot_find(s, 0));
	EXPECT_EQ(NULL, memslot_by_id(s, 0));
	free(s);
}

TEST(overlap_is_eexist)
{
	struct hvk_memslots *s = empty();
	struct kvm_userspace_memory_region r;

	r = region(0, 0x10000, 16 * PG, 0x7f0000000000);
	ASSERT_EQ(0, apply(&s, &r, 0));
	r = region(1, 0x10000 + 15 * PG, 2 * PG, 0x7f1000000000);
	EXPECT_EQ(-EEXIST, apply(&s, &r, 0)) TH_LOG("tail overlap");
	r = region(1, 0x10000 - PG, 2 * PG, 0x7f1000000000);
	EXPECT_EQ(-EEXIST, apply(&s, &r, 0)) TH_LOG("head overlap");
	r = region(1, 0, 64 * PG, 0x7f1000000000);
	EXPECT_EQ(-EEXIST, apply(&s, &r, 0)) TH_LOG("covering overlap");
	r = region(1, 0x10000 - PG, PG, 0x7f1000000000);
	EXPECT_EQ(0, apply(&s, &r, 0)) TH_LOG("adjacent below is fine");
	r = region(2, 0x10000 + 16 * PG, PG, 0x7f2000000000);
	EXPECT_EQ(0, apply(&s, &r, 0)) TH_LOG("adjacent above is fine");
	EXPECT_EQ(3, s->nr);
	assert_sorted(_metadata, s);
	free(s);
}

TEST(modify_rules)
{
	struct hvk_memslots *s = empty();
	struct kvm_userspace_memory_region r;
	enum memslot_change change;

	r = region(0, 0x10000, 16 * PG, 0x7f0000000000);
	ASSERT_EQ(0, apply(&s, &r, KVM_MEM_READONLY));

	ASSERT_EQ(0, memslot_plan(s, &r, &change));
	EXPECT_EQ(MEMSLOT_NONE, change) TH_LOG("identical region is no-op");

	r.memory_size = 8 * PG;
	EXPECT_EQ(-EINVAL, apply(&s, &r, 0)) TH_LOG("resize refused");
	r.memory_size = 16 * PG;
	r.userspace_addr += PG * 16;
	EXPECT_EQ(-EINVAL, apply(&s, &r, 0)) TH_LOG("new hva refused");
	r.userspace_addr -= PG * 16;
	r.flags = KVM_MEM_READONLY;
	EXPECT_EQ(-EINVAL, apply(&s, &r, KVM_MEM_READONLY))
		TH_LOG("flipping READONLY refused");
	r.flags = KVM_MEM_LOG_DIRTY_PAGES;
	ASSERT_EQ(0, memslot_plan(s, &r, &change));
	EXPECT_EQ(MEMSLOT_FLAGS, change);
	r.flags = 0;

	r.guest_phys_addr = 0x80000;
	ASSERT_EQ(0, memslot_plan(s, &r, &change));
	EXPECT_EQ(MEMSLOT_MOVE, change);
	ASSERT_EQ(0, apply(&s, &r, 0));
	EXPECT_EQ(NULL, memslot_find(s, 0x10)) TH_LOG("old place empty");
	ASSERT_NE(NULL, memslot_find(s, 0x80)) TH_LOG("new place mapped");

	/* A move may overlap its own old place but not another slot. */
	r = region(1, 0x100000, PG, 0x7f1000000000);
	ASSERT_EQ(0, apply(&s, &r, 0));
	r = region(0, 0x80000 + 8 * PG, 16 * PG, 0x7f0000000000);
	EXPECT_EQ(0, apply(&s, &r, 0)) TH_LOG("move onto own old range");
	r = region(0, 0x100000 - 8 * PG, 16 * PG, 0x7f0000000000);
	EXPECT_EQ(-EEXIST, apply(&s, &r, 0)) TH_LOG("move onto slot 1");
	free(s);
}

/* Random tables against a brute-force model of the same lookups. */
TEST(random_against_model)
{
	struct hvk_memslots *s = empty();
	int owner[1024];	/* gfn -> slot id or -1 */
	unsigned int seed = 12345;
	int i, gfn, ok = 0;

	memset(owner, -1, sizeof(owner));
	for (i = 0; i < 4000; i++) {
		struct kvm_userspace_memory_region r;
		u32 id = rand_r(&seed) % 16;
		u64 base = rand_r(&seed) % 1000;
		u64 n = 1 + rand_r(&seed) % 24;
		bool del = rand_r(&seed) % 4 == 0;
		int err, g;

		if (base + n > 1024)
			n = 1024 - base;
		r = region(id, base * PG, del ? 0 : n * PG,
			   0x7f0000000000ULL + id * 0x100000000ULL);
		/* A live slot can only move: keep its size. */
		if (!del && memslot_by_id(s, id))
			r.memory_size = memslot_by_id(s, id)->npages * PG;
		err = apply(&s, &r, 0);
		if (err)
			continue;
		ok++;
		for (g = 0; g < 1024; g++)
			if (owner[g] == (int)id)
				owner[g] = -1;
		for (g = 0; !del && g < (int)(r.memory_size / PG); g++) {
			ASSERT_EQ(-1, owner[base + g])
				TH_LOG("accepted an overlapping slot %u", id);
			owner[base + g] = id;
		}
		assert_sorted(_metadata, s);
		for (gfn = 0; gfn < 1024; gfn++) {
			const struct hvk_memslot *m = memslot_find(s, gfn);

			ASSERT_EQ(owner[gfn], m ? (int)m->id : -1)
				TH_LOG("gfn %d after step %d", gfn, i);
		}
	}
	EXPECT_GT(ok, 1000) TH_LOG("too few accepted updates to mean much");
	free(s);
}

TEST_HARNESS_MAIN

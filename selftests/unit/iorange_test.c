// SPDX-License-Identifier: GPL-2.0
/*
 * core/iorange.c on the host: tables built by random inserts and removes
 * are sorted with correct max_last, and a lookup (binary search plus the
 * walk back that IORANGE_MAY_REACH bounds) finds exactly the ranges a
 * brute-force scan finds, overlaps, zero-length ranges and the top of
 * the address space included.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "iorange.h"

#define MAXR	64

static struct hvk_io_ranges *alloc_ranges(unsigned int n)
{
	return calloc(1, sizeof(struct hvk_io_ranges) +
			 n * sizeof(struct hvk_io_range));
}

/* Every range that covers [addr, addr + len), found the table's way. */
static unsigned int lookup(const struct hvk_io_ranges *rs, uint64_t addr,
			   uint32_t len, uint64_t *found)
{
	unsigned int n = 0;
	int i;

	for (i = iorange_last_at_or_below(rs, addr);
	     IORANGE_MAY_REACH(rs, i, addr); i--)
		if (iorange_covers(&rs->r[i], addr, len))
			found[n++] = (uintptr_t)rs->r[i].dev;
	return n;
}

static unsigned int brute(const struct hvk_io_ranges *rs, uint64_t addr,
			  uint32_t len, uint64_t *found)
{
	unsigned int n = 0, i;

	for (i = 0; i < rs->nr; i++)
		if (iorange_covers(&rs->r[i], addr, len))
			found[n++] = (uintptr_t)rs->r[i].dev;
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void check_table(struct __test_metadata *_metadata,
			const struct hvk_io_ranges *rs)
{
	uint64_t max = 0;
	unsigned int i;

	for (i = 0; i < rs->nr; i++) {
		uint64_t last = iorange_last(&rs->r[i]);

		if (i)
			ASSERT_LE(rs->r[i - 1].addr, rs->r[i].addr);
		max = last > max ? last : max;
		ASSERT_EQ(max, rs->r[i].max_last);
	}
}

TEST(covers_and_end)
{
	struct hvk_io_range r = { .addr = 0x100, .len = 8 };
	struct hvk_io_range z = { .addr = 0x200, .len = 0 };
	struct hvk_io_range top = { .addr = ~0ULL - 3, .len = 16 };

	EXPECT_TRUE(iorange_covers(&r, 0x100, 8));
	EXPECT_TRUE(iorange_covers(&r, 0x104, 4));
	EXPECT_FALSE(iorange_covers(&r, 0x104, 8));
	EXPECT_FALSE(iorange_covers(&r, 0xff, 2));
	EXPECT_TRUE(iorange_covers(&z, 0x200, 8));
	EXPECT_TRUE(iorange_covers(&z, 0x200, 1));
	EXPECT_FALSE(iorange_covers(&z, 0x201, 1));
	EXPECT_EQ(0x200, iorange_last(&z));
	EXPECT_EQ(0x107, iorange_last(&r));
	/* A range past the top saturates; an access that wraps is no hit. */
	EXPECT_EQ(~0ULL, iorange_last(&top));
	EXPECT_TRUE(iorange_covers(&top, ~0ULL, 1));
	EXPECT_TRUE(iorange_covers(&top, ~0ULL - 3, 2));
	EXPECT_FALSE(iorange_covers(&top, ~0ULL - 1, 4));
}

TEST(empty_table)
{
	struct hvk_io_ranges *rs = alloc_ranges(0);
	uint64_t f[1];

	ASSERT_NE(NULL, rs);
	EXPECT_EQ(-1, iorange_last_at_or_below(rs, 0));
	EXPECT_EQ(-1, iorange_last_at_or_below(rs, ~0ULL));
	EXPECT_EQ(0, lookup(rs, 5, 1, f));
	free(rs);
}

TEST(remove_missing_is_enoent)
{
	struct hvk_io_ranges *a = alloc_ranges(1), *b = alloc_ranges(1);
	struct hvk_io_range r = { .addr = 1, .len = 1, .dev = (void *)1 };
	struct hvk_io_ranges *c = alloc_ranges(1);

	iorange_insert(a, b, &r, true);
	EXPECT_EQ(1, b->nr_counted);
	EXPECT_EQ(-ENOENT, iorange_remove(b, c, (void *)2, true));
	EXPECT_EQ(0, iorange_remove(b, c, (void *)1, true));
	EXPECT_EQ(0, c->nr);
	EXPECT_EQ(0, c->nr_counted);
	free(a);
	free(b);
	free(c);
}

/* Random tables against a brute-force scan, with mostly small addresses. */
TEST(random_against_brute_force)
{
	struct hvk_io_ranges *rs = alloc_ranges(0), *n;
	uint64_t devs[MAXR], f1[MAXR], f2[MAXR];
	unsigned int nr = 0, iter, next = 1, k;

	srand(1);
	for (iter = 0; iter < 20000; iter++) {
		if (nr < MAXR && (nr == 0 || rand() % 3)) {
			struct hvk_io_range r = { 0 };

			r.addr = rand() % 4 == 0 ? ~0ULL - rand() % 64 :
				 (uint64_t)(rand() % 256);
			r.len = rand() % 5 == 0 ? 0 : rand() % (rand() % 8 ? 16 : 200);
			r.dev = (void *)(uintptr_t)next;
			n = alloc_ranges(rs->nr + 1);
			iorange_insert(rs, n, &r, r.len & 1);
			devs[nr++] = next++;
		} else {
			k = rand() % nr;
			n = alloc_ranges(rs->nr ? rs->nr - 1 : 0);
			ASSERT_EQ(0, iorange_remove(rs, n,
				(void *)(uintptr_t)devs[k], false));
			devs[k] = devs[--nr];
		}
		free(rs);
		rs = n;
		ASSERT_EQ(nr, rs->nr);
		check_table(_metadata, rs);
		for (k = 0; k < 8; k++) {
			uint64_t a = rand() % 3 ? (uint64_t)(rand() % 300) :
				     ~0ULL - rand() % 80;
			uint32_t len = 1U << (rand() % 4);
			unsigned int c1 = lookup(rs, a, len, f1);
			unsigned int c2 = brute(rs, a, len, f2);

			ASSERT_EQ(c2, c1) TH_LOG("iter %u addr %#llx len %u",
						 iter, (unsigned long long)a,
						 len);
			qsort(f1, c1, sizeof(f1[0]), cmp_u64);
			qsort(f2, c2, sizeof(f2[0]), cmp_u64);
			ASSERT_EQ(0, memcmp(f1, f2, c1 * sizeof(f1[0])));
		}
	}
	free(rs);
}

TEST_HARNESS_MAIN

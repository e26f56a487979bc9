// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of mmu/pgtable.c, mmu/ept.c and mmu/stage2.c: descriptor
 * encodings against values worked out by hand from the Intel SDM and the
 * Arm ARM, the walker (map, unmap, lookup, free) on a fake physical
 * memory, and a randomized run against a simple model.
 *
 * "Physical" memory is a pool of host pages; page i has the fake physical
 * address POOL_BASE + i * 4096, so phys->virt is an index computation and
 * a walker that followed a host pointer, or an address it never got from
 * the allocator, trips an assertion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "mmu/ept.h"
#include "mmu/pgtable.h"
#include "mmu/stage2.h"

#define PG		0x1000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
#define POOL_PAGES	1024
#define POOL_BASE	0x7650000000ULL		/* 64 KiB aligned, fake */

enum { PAGE_FREE, PAGE_USED, PAGE_USED_TAIL };

static struct pool {
	u8 *mem;
	u8 state[POOL_PAGES];
	u8 order[POOL_PAGES];
	unsigned int allocs;	/* zalloc calls that succeeded */
	unsigned int frees;	/* free calls, by page block */
	unsigned int bad_frees;	/* double or mismatched frees */
	int fail_after;		/* zalloc fails after this many; <0 never */
} pool;

static void pool_init(void)
{
	free(pool.mem);
	memset(&pool, 0, sizeof(pool));
	pool.mem = aligned_alloc(PG, POOL_PAGES * PG);
	if (!pool.mem)
		abort();
	memset(pool.mem, 0x5a, POOL_PAGES * PG);	/* not zero: catch it */
	pool.fail_after = -1;
}

static void *pool_zalloc(void *arg, unsigned int order, u64 *phys)
{
	unsigned int n = 1U << order, i, j;

	(void)arg;
	if (pool.fail_after == 0)
		return NULL;
	for (i = 0; i + n <= POOL_PAGES; i += n) {
		for (j = 0; j < n; j++)
			if (pool.state[i + j] != PAGE_FREE)
				break;
		if (j < n)
			continue;
		for (j = 0; j < n; j++)
			pool.state[i + j] = j ? PAGE_USED_TAIL : PAGE_USED;
		pool.order[i] = order;
		memset(pool.mem + i * PG, 0, n * PG);
		*phys = POOL_BASE + i * PG;
		pool.allocs++;
		if (pool.fail_after > 0)
			pool.fail_after--;
		return pool.mem + i * PG;
	}
	return NULL;
}

static void pool_free(void *arg, void *virt, u64 phys, unsigned int order)
{
	u64 i = (phys - POOL_BASE) / PG;
	unsigned int j;

	(void)arg;
	if (phys < POOL_BASE || i >= POOL_PAGES ||
	    virt != pool.mem + i * PG || pool.state[i] != PAGE_USED ||
	    pool.order[i] != order) {
		pool.bad_frees++;
		return;
	}
	for (j = 0; j < (1U << order); j++) {
		pool.state[i + j] = PAGE_FREE;
		memset(pool.mem + (i + j) * PG, 0xa5, PG);	/* poison */
	}
	pool.frees++;
}

void *hvk_pgt_test_phys_to_virt(u64 phys)
{
	u64 i = (phys - POOL_BASE) / PG;

	if (phys < POOL_BASE || i >= POOL_PAGES ||
	    pool.state[i] == PAGE_FREE) {
		fprintf(stderr, "phys_to_virt(%#llx): not a table page\n",
			(unsigned long long)phys);
		abort();
	}
	return pool.mem + i * PG;
}

/* Page blocks allocated and not freed: the tables in use. */
static unsigned int live(void)
{
	return pool.allocs - pool.frees;
}

static const struct hvk_pgt_mm_ops ops = {
	.zalloc = pool_zalloc,
	.free = pool_free,
};

/* The descriptor at @idx of the table at @table_phys. */
static u64 entry(u64 table_phys, unsigned int idx)
{
	return ((u64 *)hvk_pgt_test_phys_to_virt(table_phys))[idx];
}

static void ept_setup(struct __test_metadata *_metadata, struct hvk_pgt *pgt,
		      bool gb)
{
	struct hvk_pgt_fmt fmt;

	pool_init();
	ept_fmt_init(&fmt, gb);
	ASSERT_EQ(0, hvk_pgt_init(pgt, &fmt, &ops))
		TH_LOG("EPT hvk_pgt_init");
}

static void s2_setup(struct __test_metadata *_metadata, struct hvk_pgt *pgt,
		     unsigned int ipa_bits)
{
	struct stage2_geometry geo;
	struct hvk_pgt_fmt fmt;

	pool_init();
	ASSERT_EQ(0, stage2_geometry(ipa_bits, &geo))
		TH_LOG("stage2_geometry(%u)", ipa_bits);
	stage2_fmt_init(&fmt, &geo);
	ASSERT_EQ(0, hvk_pgt_init(pgt, &fmt, &ops))
		TH_LOG("stage-2 hvk_pgt_init, IPA %u bits", ipa_bits);
}

/* Top up and map; the cache is drained so allocation counts are exact. */
static int map(struct hvk_pgt *pgt, u64 gpa, u64 phys, int level, u64 attrs,
	       unsigned int flags, u64 *detached)
{
	struct hvk_pgt_cache cache = { 0 };
	int err;

	err = hvk_pgt_cache_topup(&cache, &ops, HVK_PGT_CACHE_MAX);
	if (err)
		return err;
	err = hvk_pgt_map(pgt, &cache, gpa, phys, level, attrs, flags,
			  detached);
	hvk_pgt_cache_drain(&cache, &ops);
	return err;
}

static void teardown(struct __test_metadata *_metadata, struct hvk_pgt *pgt)
{
	hvk_pgt_free_tree(pgt, &ops);
	EXPECT_EQ(pool.allocs, pool.frees)
		TH_LOG("every table page allocated is freed");
	EXPECT_EQ(0, pool.bad_frees)
		TH_LOG("no page freed twice or with the wrong order");
	EXPECT_EQ(NULL, pgt->root) TH_LOG("root cleared by free_tree");
}

/* ------------------------------------------------------------------ */
/* Encodings */

TEST(ept_leaf_bits)
{
	/* SDM Vol. 3C Table 29-6 (PTE): R/W/X 2:0, memtype 5:3, IPAT 6. */
	EXPECT_EQ(0x77, ept_leaf_attrs(HVK_PGT_PROT_RWX, EPT_MT_WB, true))
		TH_LOG("RWX, WB (6 << 3 = 0x30), ignore PAT (0x40)");
	EXPECT_EQ(0x31, ept_leaf_attrs(HVK_PGT_PROT_R, EPT_MT_WB, false))
		TH_LOG("read-only WB");
	EXPECT_EQ(0x03, ept_leaf_attrs(HVK_PGT_PROT_R | HVK_PGT_PROT_W,
				       EPT_MT_UC, false))
		TH_LOG("RW, UC (0)");
	EXPECT_EQ(0x34, ept_leaf_attrs(HVK_PGT_PROT_X, EPT_MT_WB, false))
		TH_LOG("execute-only WB");
	EXPECT_EQ(0, ept_leaf_attrs(HVK_PGT_PROT_W, EPT_MT_WB, false))
		TH_LOG("write without read is a misconfiguration (29.3.3.1)");
	EXPECT_EQ(0, ept_leaf_attrs(HVK_PGT_PROT_W | HVK_PGT_PROT_X,
				    EPT_MT_WB, false))
		TH_LOG("write+execute without read is a misconfiguration");
	EXPECT_EQ(0, ept_leaf_attrs(0, EPT_MT_WB, false))
		TH_LOG("no access would be a not-present entry");

	EXPECT_EQ(1ULL << 7, EPT_PAGE_SIZE) TH_LOG("Table 29-5 bit 7");
	EXPECT_EQ(1ULL << 8, EPT_ACCESSED) TH_LOG("accessed bit 8");
	EXPECT_EQ(1ULL << 9, EPT_DIRTY) TH_LOG("dirty bit 9");
	EXPECT_EQ(6, EPT_MT_WB) TH_LOG("WB memory type is 6");
}

TEST(ept_prot_round_trip)
{
	unsigned int prot, mt;

	for (prot = 0; prot <= HVK_PGT_PROT_RWX; prot++) {
		for (mt = 0; mt < 8; mt++) {
			u64 a = ept_leaf_attrs(prot, mt, mt & 1);

			if (!a)
				continue;
			EXPECT_EQ(prot, ept_leaf_prot(a))
				TH_LOG("prot %u survives encode/decode", prot);
			EXPECT_EQ(mt, ept_leaf_memtype(a))
				TH_LOG("memtype %u survives", mt);
			EXPECT_EQ(!!(mt & 1), !!(a & EPT_IGNORE_PAT));
		}
	}
}

TEST(eptp_value)
{
	/* Table 29-1: memtype 2:0 = WB 6, walk length - 1 = 3 in 5:3. */
	EXPECT_EQ(0x1234501eULL, ept_eptp(0x12345000, false))
		TH_LOG("WB | (4 - 1) << 3 | PML4 address");
	EXPECT_EQ(0x1234505eULL, ept_eptp(0x12345000, true))
		TH_LOG("... | A/D enable bit 6");
	EXPECT_EQ(0xfffffffff01eULL, ept_eptp(0xfffffffff000ULL, false))
		TH_LOG("48-bit PML4 address kept");
}

TEST(ept_table_and_block_descriptors)
{
	struct hvk_pgt_fmt f;
	u64 a = ept_leaf_attrs(HVK_PGT_PROT_RWX, EPT_MT_WB, true);

	ept_fmt_init(&f, true);
	/* Tables 29-2/3/5: R/W/X set, bit 7 clear, address 51:12. */
	EXPECT_EQ(0xabc000007ULL, hvk_pgt_table_desc(&f, 0xabc000000ULL))
		TH_LOG("EPT table descriptor = address | RWX");
	EXPECT_EQ(0x400000f7ULL, hvk_pgt_leaf_desc(&f, SZ_1G, 2, a))
		TH_LOG("2 MiB PDE = address | bit 7 | IPAT | WB | RWX");
	EXPECT_EQ(0x40000077ULL, hvk_pgt_leaf_desc(&f, SZ_1G, 3, a))
		TH_LOG("PTE: bit 7 clear");
	EXPECT_TRUE(hvk_pgt_desc_is_table(&f, 0xabc000007ULL, 0));
	EXPECT_FALSE(hvk_pgt_desc_is_leaf(&f, 0xabc000007ULL, 2));
	EXPECT_TRUE(hvk_pgt_desc_is_leaf(&f, 0x400000f7ULL, 2));
	EXPECT_TRUE(hvk_pgt_desc_is_leaf(&f, 0x400000f7ULL, 1))
		TH_LOG("1 GiB PDPTE allowed with gb_pages");
	EXPECT_FALSE(hvk_pgt_desc_is_leaf(&f, 0x400000f7ULL, 0))
		TH_LOG("no block in a PML4E");
	EXPECT_FALSE(hvk_pgt_desc_present(&f, 0x40000070ULL))
		TH_LOG("R=W=X=0 is not present");
	EXPECT_EQ(0x40000000ULL, hvk_pgt_desc_oa(&f, 0x400003f7ULL))
		TH_LOG("output address ignores A/D (9:8)");
	ept_fmt_init(&f, false);
	EXPECT_FALSE(hvk_pgt_desc_is_leaf(&f, 0x400000f7ULL, 1))
		TH_LOG("1 GiB blocks off without gb_pages");
}

TEST(stage2_leaf_bits)
{
	u64 rw = HVK_PGT_PROT_R | HVK_PGT_PROT_W;

	/*
	 * Arm ARM D8 stage 2 block/page attributes: MemAttr 5:2 Normal WB
	 * 0b1111 (0x3c), S2AP 7:6 RW 0b11 (0xc0), SH 9:8 IS 0b11 (0x300),
	 * AF 10 (0x400), XN 54.
	 */
	EXPECT_EQ(0x7fcULL | (1ULL << 54),
		  stage2_leaf_attrs(rw, S2_MT_NORMAL))
		TH_LOG("RW Normal WB inner-shareable, not executable");
	EXPECT_EQ(0x7fcULL, stage2_leaf_attrs(HVK_PGT_PROT_RWX, S2_MT_NORMAL))
		TH_LOG("RWX Normal: XN clear");
	EXPECT_EQ(0x77cULL, stage2_leaf_attrs(HVK_PGT_PROT_R | HVK_PGT_PROT_X,
					      S2_MT_NORMAL))
		TH_LOG("read-only executable: S2AP 0b01");
	EXPECT_EQ(0x4c4ULL | (1ULL << 54), stage2_leaf_attrs(rw, S2_MT_DEVICE))
		TH_LOG("Device-nGnRE MemAttr 0b0001 (0x4), SH 0, XN");
	EXPECT_EQ(0x4c4ULL | (1ULL << 54),
		  stage2_leaf_attrs(HVK_PGT_PROT_RWX, S2_MT_DEVICE))
		TH_LOG("device memory never executable");
}

TEST(stage2_prot_round_trip)
{
	unsigned int prot;

	for (prot = 0; prot <= HVK_PGT_PROT_RWX; prot++) {
		u64 a = stage2_leaf_attrs(prot, S2_MT_NORMAL);

		EXPECT_EQ(prot, stage2_leaf_prot(a))
			TH_LOG("prot %u survives encode/decode", prot);
		EXPECT_EQ(S2_MEMATTR_NORMAL_WB, stage2_leaf_memattr(a));
		EXPECT_EQ(S2_MEMATTR_DEVICE_nGnRE,
			  stage2_leaf_memattr(stage2_leaf_attrs(prot,
								S2_MT_DEVICE)));
	}
}

TEST(stage2_descriptor_types)
{
	struct stage2_geometry geo;
	struct hvk_pgt_fmt f;
	u64 a = stage2_leaf_attrs(HVK_PGT_PROT_RWX, S2_MT_NORMAL);

	ASSERT_EQ(0, stage2_geometry(40, &geo));
	stage2_fmt_init(&f, &geo);
	/* D8 descriptor types: table/page 0b11, block 0b01. */
	EXPECT_EQ(0x12345003ULL, hvk_pgt_table_desc(&f, 0x12345000))
		TH_LOG("table = address | 0b11");
	EXPECT_EQ(0x40000000ULL | 0x7fd, hvk_pgt_leaf_desc(&f, SZ_1G, 2, a))
		TH_LOG("block = address | attrs | 0b01");
	EXPECT_EQ(0x40000000ULL | 0x7ff, hvk_pgt_leaf_desc(&f, SZ_1G, 3, a))
		TH_LOG("page = address | attrs | 0b11");
	EXPECT_TRUE(hvk_pgt_desc_is_table(&f, 0x12345003ULL, 2));
	EXPECT_FALSE(hvk_pgt_desc_is_leaf(&f, 0x12345003ULL, 2));
	EXPECT_TRUE(hvk_pgt_desc_is_leaf(&f, 0x12345003ULL, 3))
		TH_LOG("0b11 at level 3 is a page");
	EXPECT_FALSE(hvk_pgt_desc_is_leaf(&f, 0x12345001ULL, 3))
		TH_LOG("0b01 at level 3 is reserved");
	EXPECT_FALSE(hvk_pgt_desc_present(&f, 0x12345002ULL))
		TH_LOG("bit 0 clear: invalid");
	EXPECT_EQ(0xfffffffff000ULL,
		  hvk_pgt_desc_oa(&f, 0xfffffffff7ffULL | (1ULL << 54)))
		TH_LOG("OA is bits 47:12");
}

/*
 * Arm ARM, stage 2, 4 KiB granule: start level 2 for T0SZ 30..39, 1 for
 * 21..33, 0 for 16..24; up to 16 concatenated tables. hvk's choice is the
 * fewest levels (see stage2.c).
 */
TEST(stage2_geometry_all_ipa_sizes)
{
	static const struct { u8 level, pages; } want[49] = {
		[32] = { 2, 4 }, [33] = { 2, 8 }, [34] = { 2, 16 },
		[35] = { 1, 1 }, [36] = { 1, 1 }, [37] = { 1, 1 },
		[38] = { 1, 1 }, [39] = { 1, 1 }, [40] = { 1, 2 },
		[41] = { 1, 4 }, [42] = { 1, 8 }, [43] = { 1, 16 },
		[44] = { 0, 1 }, [45] = { 0, 1 }, [46] = { 0, 1 },
		[47] = { 0, 1 }, [48] = { 0, 1 },
	};
	static const u8 t0sz_lo[3] = { 16, 21, 30 };
	static const u8 t0sz_hi[3] = { 24, 33, 39 };
	struct stage2_geometry g;
	unsigned int ipa;

	for (ipa = 32; ipa <= 48; ipa++) {
		unsigned int covered;

		ASSERT_EQ(0, stage2_geometry(ipa, &g)) TH_LOG("IPA %u", ipa);
		EXPECT_EQ(ipa, g.ipa_bits);
		EXPECT_EQ(want[ipa].level, g.start_level)
			TH_LOG("IPA %u: start level", ipa);
		EXPECT_EQ(want[ipa].pages, g.root_pages)
			TH_LOG("IPA %u: concatenated tables", ipa);
		EXPECT_EQ(64 - ipa, g.t0sz) TH_LOG("IPA %u: T0SZ", ipa);
		EXPECT_EQ(2 - g.start_level, g.sl0)
			TH_LOG("IPA %u: SL0 (0b00 = L2, 0b01 = L1, 0b10 = L0)",
			       ipa);
		EXPECT_GE(g.t0sz, t0sz_lo[g.start_level])
			TH_LOG("IPA %u: T0SZ in the start level's range", ipa);
		EXPECT_LE(g.t0sz, t0sz_hi[g.start_level])
			TH_LOG("IPA %u: T0SZ in the start level's range", ipa);
		/* The root covers exactly 2^ipa, or more for partial roots. */
		covered = hvk_pgt_level_shift(g.start_level) + 9;
		while ((1U << (covered - hvk_pgt_level_shift(g.start_level) -
			       9)) < g.root_pages)
			covered++;
		EXPECT_GE(covered, ipa) TH_LOG("IPA %u covered", ipa);
		EXPECT_TRUE(g.root_pages == 1 || covered == ipa)
			TH_LOG("IPA %u: no more concatenation than needed",
			       ipa);
	}
	EXPECT_EQ(-EINVAL, stage2_geometry(31, &g)) TH_LOG("below 32");
	EXPECT_EQ(-EINVAL, stage2_geometry(49, &g)) TH_LOG("above 48");
	EXPECT_EQ(-EINVAL, stage2_geometry(0, &g));
}

TEST(stage2_vtcr_value)
{
	struct stage2_geometry g;

	ASSERT_EQ(0, stage2_geometry(40, &g));
	/*
	 * T0SZ 24 (0x18), SL0 0b01 (0x40), IRGN0/ORGN0 WBWA (0x100, 0x400),
	 * SH0 IS (0x3000), TG0 4K (0), PS 0b010 40 bits (0x20000), RES1 31.
	 */
	EXPECT_EQ(0x80023558ULL, stage2_vtcr(&g, 2)) TH_LOG("VTCR_EL2, 40");
	ASSERT_EQ(0, stage2_geometry(48, &g));
	EXPECT_EQ(0x80053590ULL, stage2_vtcr(&g, 5))
		TH_LOG("T0SZ 16, SL0 0b10, PS 0b101 (48 bits)");
	ASSERT_EQ(0, stage2_geometry(32, &g));
	EXPECT_EQ(0x80003520ULL, stage2_vtcr(&g, 0))
		TH_LOG("T0SZ 32, SL0 0b00, PS 0b000");
}

/* ------------------------------------------------------------------ */
/* Walker */

TEST(ept_map_4k_descriptors_at_each_level)
{
	u64 a = ept_leaf_attrs(HVK_PGT_PROT_RWX, EPT_MT_WB, true);
	u64 gpa = (3ULL << 39) | (5ULL << 30) | (7ULL << 21) | (9ULL << 12);
	struct hvk_pgt_walk w;
	struct hvk_pgt pgt;
	u64 pdpt, pd, pt;
	int l;

	ept_setup(_metadata, &pgt, false);
	ASSERT_EQ(0, map(&pgt, gpa, 0xabcde000ULL, 3, a, 0, NULL));
	EXPECT_EQ(4, live()) TH_LOG("root + PDPT + PD + PT");

	ASSERT_EQ(0, hvk_pgt_lookup(&pgt, gpa + 0x123, &w));
	EXPECT_EQ(3, w.level) TH_LOG("leaf is a PTE");
	pdpt = w.desc[0] & EPT_ADDR_MASK;
	pd = w.desc[1] & EPT_ADDR_MASK;
	pt = w.desc[2] & EPT_ADDR_MASK;
	EXPECT_EQ(pdpt | 7, entry(pgt.root_phys, 3)) TH_LOG("PML4E[3]");
	EXPECT_EQ(pd | 7, entry(pdpt, 5)) TH_LOG("PDPTE[5]");
	EXPECT_EQ(pt | 7, entry(pd, 7)) TH_LOG("PDE[7]");
	EXPECT_EQ(0xabcde077ULL, entry(pt, 9)) TH_LOG("PTE[9]");
	for (l = 0; l < 4; l++)
		EXPECT_EQ(w.desc[l], l == 0 ? entry(pgt.root_phys, 3) :
			  l == 1 ? entry(pdpt, 5) : l == 2 ? entry(pd, 7) :
			  entry(pt, 9)) TH_LOG("walk.desc[%d]", l);

	EXPECT_EQ(-ENOENT, hvk_pgt_lookup(&pgt, gpa + PG, &w));
	EXPECT_EQ(3, w.level) TH_LOG("neighbour: PTE not present");
	EXPECT_EQ(-ENOENT, hvk_pgt_lookup(&pgt, gpa + SZ_1G, &w));
	EXPECT_EQ(1, w.level) TH_LOG("other 1 GiB: PDPTE not present");
	EXPECT_EQ(-ENOENT, hvk_pgt_lookup(&pgt, 0, &w));
	EXPECT_EQ(0, w.level) TH_LOG("gpa 0: PML4E not present");
	EXPECT_EQ(-ERANGE, hvk_pgt_lookup(&pgt, 1ULL << 48, &w))
		TH_LOG("beyond 48 bits");

	/* A second page in the same PT allocates nothing. */
	ASSERT_EQ(0, map(&pgt, gpa + PG, 0x1000ULL, 3, a, 0, NULL));
	EXPECT_EQ(4, live()) TH_LOG("tables reused");
	EXPECT_EQ(0x1077ULL, entry(pt, 10));
	teardown(_metadata, &pgt);
}

TEST(ept_map_2m_block)
{
	u64 a = ept_leaf_attrs(HVK_PGT_PROT_R | HVK_PGT_PROT_W, EPT_MT_WB,
			       true);
	struct hvk_pgt_walk w;
	struct hvk_pgt pgt;

	ept_setup(_metadata, &pgt, false);
	ASSERT_EQ(0, map(&pgt, SZ_1G + SZ_2M, 0x80000000ULL, 2, a, 0, NULL));
	EXPECT_EQ(3, live()) TH_LOG("root + PDPT + PD only");
	ASSERT_EQ(0, hvk_pgt_lookup(&pgt, SZ_1G + SZ_2M + 0x1ff123, &w));
	EXPECT_EQ(2, w.level) TH_LOG("leaf is a PDE");
	EXPECT_EQ(0x800000f3ULL, w.desc[2])
		TH_LOG("address | bit 7 | IPAT | WB | RW");
	EXPECT_EQ(0, w.desc[3]);
	EXPECT_EQ(-EEXIST, map(&pgt, SZ_1G + SZ_2M + PG, 0x1000, 3, a, 0,
			       NULL)) TH_LOG("4K inside a block");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 0, 1, a, 0, NULL))
		TH_LOG("1 GiB refused without gb_pages");
	teardown(_metadata, &pgt);

	ept_setup(_metadata, &pgt, true);
	ASSERT_EQ(0, map(&pgt, 2 * SZ_1G, SZ_1G, 1, a, 0, NULL));
	ASSERT_EQ(0, hvk_pgt_lookup(&pgt, 3 * SZ_1G - 1, &w));
	EXPECT_EQ(1, w.level) TH_LOG("1 GiB PDPTE");
	EXPECT_EQ(0x400000f3ULL, w.desc[1]);
	teardown(_metadata, &pgt);
}

TEST(map_refuses_overwrite)
{
	u64 a = ept_leaf_attrs(HVK_PGT_PROT_RWX, EPT_MT_WB, true);
	u64 ro = ept_leaf_attrs(HVK_PGT_PROT_R, EPT_MT_WB, true);
	struct hvk_pgt_walk w;
	struct hvk_pgt pgt;
	u64 pt;

	ept_setup(_metadata, &pgt, false);
	ASSERT_EQ(0, map(&pgt, 0x5000, 0x9000, 3, a, 0, NULL));
	EXPECT_EQ(0, map(&pgt, 0x5000, 0x9000, 3, a, 0, NULL))
		TH_LOG("same leaf again is success");
	EXPECT_EQ(-EEXIST, map(&pgt, 0x5000, 0xa000, 3, a, 0, NULL))
		TH_LOG("other address refused");
	EXPECT_EQ(-EEXIST, map(&pgt, 0x5000, 0x9000, 3, ro, 0, NULL))
		TH_LOG("other permissions refused");
	ASSERT_EQ(0, hvk_pgt_lookup(&pgt, 0x5000, &w));
	EXPECT_EQ(0x9077ULL, w.desc[3]) TH_LOG("leaf unchanged");

	/* The CPU set A/D: still the same mapping. */
	pt = w.desc[2] & EPT_ADDR_MASK;
	((u64 *)hvk_pgt_test_phys_to_virt(pt))[5] |= EPT_ACCESSED | EPT_DIRTY;
	EXPECT_EQ(0, map(&pgt, 0x5000, 0x9000, 3, a, 0, NULL))
		TH_LOG("A/D bits ignored in the comparison");
	EXPECT_EQ(0x9377ULL, entry(pt, 5)) TH_LOG("A/D bits kept");

	EXPECT_EQ(-EEXIST, map(&pgt, 0, 0x200000, 2, a, 0, NULL))
		TH_LOG("block over a table without REPLACE_TABLE");
	EXPECT_EQ(-EEXIST, map(&pgt, 0, 0x200000, 2, a,
			       HVK_PGT_MAP_REPLACE_TABLE, NULL))
		TH_LOG("REPLACE_TABLE needs somewhere to hand the table");
	teardown(_metadata, &pgt);
}

TEST(map_block_replaces_table)
{
	u64 a = stage2_leaf_attrs(HVK_PGT_PROT_RWX, S2_MT_NORMAL);
	unsigned int before;
	struct hvk_pgt_walk w;
	struct hvk_pgt pgt;
	u64 detached = 1, pt;

	s2_setup(_metadata, &pgt, 40);
	ASSERT_EQ(0, map(&pgt, SZ_2M + 3 * PG, 0x7000, 3, a, 0, NULL));
	ASSERT_EQ(0, map(&pgt, SZ_2M + 4 * PG, 0x8000, 3, a, 0, NULL));
	ASSERT_EQ(0, hvk_pgt_lookup(&pgt, SZ_2M, &w) == -ENOENT ? 0 : 1);
	pt = w.desc[2] & S2_ADDR_MASK;
	before = live();
	ASSERT_EQ(0, map(&pgt, SZ_2M, 0x40000000, 2, a,
			 HVK_PGT_MAP_REPLACE_TABLE, &detached));
	EXPECT_EQ(pt, detached) TH_LOG("old level-3 table handed back");
	ASSERT_EQ(0, hvk_pgt_lookup(&pgt, SZ_2M + 4 * PG, &w));
	EXPECT_EQ(2, w.level);
	EXPECT_EQ(0x40000000ULL | 0x7fd, w.desc[2]) TH_LOG("block installed");
	hvk_pgt_free_subtree(&pgt.fmt, detached, 3, &ops);
	EXPECT_EQ(before - 1, live()) TH_LOG("detached table freed");

	/* A fresh map elsewhere reports no detached table. */
	ASSERT_EQ(0, map(&pgt, 0, 0, 2, a, HVK_PGT_MAP_REPLACE_TABLE,
			 &detached));
	EXPECT_EQ(0, detached);
	teardown(_metadata, &pgt);
}

TEST(map_bad_arguments)
{
	u64 a = ept_leaf_attrs(HVK_PGT_PROT_RWX, EPT_MT_WB, true);
	u64 s = stage2_leaf_attrs(HVK_PGT_PROT_RWX, S2_MT_NORMAL);
	struct hvk_pgt_cache cache = { 0 };
	struct hvk_pgt pgt;

	ept_setup(_metadata, &pgt, false);
	EXPECT_EQ(-EINVAL, map(&pgt, 0x800, 0, 3, a, 0, NULL)) TH_LOG("gpa");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 0x800, 3, a, 0, NULL)) TH_LOG("phys");
	EXPECT_EQ(-EINVAL, map(&pgt, PG, 0, 2, a, 0, NULL))
		TH_LOG("gpa not 2 MiB aligned for a block");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, PG, 2, a, 0, NULL))
		TH_LOG("phys not 2 MiB aligned for a block");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 0, 0, a, 0, NULL)) TH_LOG("level 0");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 0, 4, a, 0, NULL)) TH_LOG("level 4");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 0, 3, a | 0x1000, 0, NULL))
		TH_LOG("address bits in attrs");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 0, 3, a | EPT_PAGE_SIZE, 0, NULL))
		TH_LOG("type bit in attrs");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 0, 3, 0, 0, NULL))
		TH_LOG("not-present leaf (EPT R=W=X=0)");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 1ULL << 52, 3, a, 0, NULL))
		TH_LOG("phys beyond 52 bits");
	EXPECT_EQ(-ERANGE, map(&pgt, 1ULL << 48, 0, 3, a, 0, NULL))
		TH_LOG("gpa beyond 48 bits");
	EXPECT_EQ(-ENOMEM, hvk_pgt_map(&pgt, &cache, 0, 0, 3, a, 0, NULL))
		TH_LOG("empty cache, tables missing");
	EXPECT_EQ(-EINVAL, hvk_pgt_cache_topup(&cache, &ops,
					       HVK_PGT_CACHE_MAX + 1));
	pool.fail_after = 1;
	EXPECT_EQ(-ENOMEM, hvk_pgt_cache_topup(&cache, &ops, 3))
		TH_LOG("allocator failure reported");
	EXPECT_EQ(1, cache.nr) TH_LOG("what was allocated stays cached");
	pool.fail_after = -1;
	hvk_pgt_cache_drain(&cache, &ops);
	EXPECT_EQ(0, cache.nr);
	teardown(_metadata, &pgt);

	s2_setup(_metadata, &pgt, 32);
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 0, 1, s, 0, NULL))
		TH_LOG("no level-1 block above a level-2 start");
	EXPECT_EQ(-ERANGE, map(&pgt, 1ULL << 32, 0, 3, s, 0, NULL))
		TH_LOG("beyond a 32-bit IPA");
	EXPECT_EQ(-EINVAL, map(&pgt, 0, 1ULL << 48, 3, s, 0, NULL))
		TH_LOG("phys beyond stage-2 OA bits 47:12");
	teardown(_metadata, &pgt);

	{
		struct hvk_pgt_fmt f;

		pool_init();
		ept_fmt_init(&f, false);
		f.root_pages = 3;
		EXPECT_EQ(-EINVAL, hvk_pgt_init(&pgt, &f, &ops))
			TH_LOG("root pages must be a power of two");
		ept_fmt_init(&f, false);
		f.ia_bits = 49;
		EXPECT_EQ(-EINVAL, hvk_pgt_init(&pgt, &f, &ops))
			TH_LOG("IA wider than the root covers");
		EXPECT_EQ(0, pool.allocs);
	}
}

TEST(stage2_concatenated_roots)
{
	static const struct { unsigned int ipa; u64 gpa; } cases[] = {
		{ 32, 0xffe00000ULL },		/* level 2 index 2047 */
		{ 34, 0x3ffe00000ULL },		/* level 2 index 8191 */
		{ 40, 0xffffe00000ULL },	/* level 1 index 1023 */
		{ 43, 0x7ffffe00000ULL },	/* level 1 index 8191 */
	};
	u64 a = stage2_leaf_attrs(HVK_PGT_PROT_RWX, S2_MT_NORMAL);
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hvk_pgt_walk w;
		struct hvk_pgt pgt;
		unsigned int idx, start;

		s2_setup(_metadata, &pgt, cases[i].ipa);
		start = pgt.fmt.start_level;
		EXPECT_EQ(0, pgt.root_phys %
			     (pgt.fmt.root_pages * PG))
			TH_LOG("IPA %u: root aligned to its size",
			       cases[i].ipa);
		ASSERT_EQ(0, map(&pgt, cases[i].gpa, 0x200000, 2, a, 0, NULL));
		ASSERT_EQ(0, hvk_pgt_lookup(&pgt, cases[i].gpa, &w));
		EXPECT_EQ(2, w.level);
		idx = cases[i].gpa >> hvk_pgt_level_shift(start);
		EXPECT_EQ(pgt.fmt.root_pages * 512 - 1, idx)
			TH_LOG("IPA %u: last root entry", cases[i].ipa);
		/* The entry lives in the last concatenated page. */
		EXPECT_EQ(w.desc[start],
			  entry(pgt.root_phys + (idx / 512) * PG, idx % 512))
			TH_LOG("IPA %u: root page %u entry %u", cases[i].ipa,
			       idx / 512, idx % 512);
		if (start == 2)
			EXPECT_EQ(0x200000ULL | 0x7fd, w.desc[2]);
		EXPECT_EQ(-ERANGE, hvk_pgt_lookup(&pgt, 1ULL << cases[i].ipa,
						  &w));
		teardown(_metadata, &pgt);
	}
}

TEST(unmap_ranges_and_changed)
{
	u64 a = ept_leaf_attrs(HVK_PGT_PROT_RWX, EPT_MT_WB, true);
	struct hvk_pgt_walk w;
	struct hvk_pgt pgt;
	u64 g;

	ept_setup(_metadata, &pgt, false);
	/* Pages across a 1 GiB boundary (so across PDs and PTs). */
	for (g = SZ_1G - 4 * PG; g < SZ_1G + 4 * PG; g += PG)
		ASSERT_EQ(0, map(&pgt, g, g, 3, a, 0, NULL));
	ASSERT_EQ(0, map(&pgt, 4 * SZ_2M, 0, 2, a, 0, NULL));

	EXPECT_EQ(0, hvk_pgt_unmap(&pgt, 0, SZ_2M))
		TH_LOG("nothing there: no change");
	EXPECT_EQ(1, hvk_pgt_unmap(&pgt, SZ_1G - 2 * PG, 3 * PG))
		TH_LOG("partial, spanning two PTs and two PDs");
	for (g = SZ_1G - 4 * PG; g < SZ_1G + 4 * PG; g += PG) {
		bool gone = g >= SZ_1G - 2 * PG && g < SZ_1G + PG;

		EXPECT_EQ(gone ? -ENOENT : 0, hvk_pgt_lookup(&pgt, g, &w))
			TH_LOG("gpa %#llx %s", (unsigned long long)g,
			       gone ? "unmapped" : "kept");
	}
	EXPECT_EQ(0, hvk_pgt_unmap(&pgt, SZ_1G - 2 * PG, 3 * PG))
		TH_LOG("second unmap of the same range changes nothing");

	EXPECT_EQ(1, hvk_pgt_unmap(&pgt, 4 * SZ_2M + 5 * PG, PG))
		TH_LOG("one page of a block");
	EXPECT_EQ(-ENOENT, hvk_pgt_lookup(&pgt, 4 * SZ_2M, &w))
		TH_LOG("the whole block goes (refaulted lazily)");

	EXPECT_EQ(1, hvk_pgt_unmap(&pgt, 0, 1ULL << 48)) TH_LOG("everything");
	for (g = SZ_1G - 4 * PG; g < SZ_1G + 4 * PG; g += PG)
		EXPECT_EQ(-ENOENT, hvk_pgt_lookup(&pgt, g, &w));
	EXPECT_EQ(0, hvk_pgt_unmap(&pgt, 0, ~0xfffULL))
		TH_LOG("range clipped to 48 bits, nothing left");
	EXPECT_EQ(-EINVAL, hvk_pgt_unmap(&pgt, 0x800, PG)) TH_LOG("gpa align");
	EXPECT_EQ(-EINVAL, hvk_pgt_unmap(&pgt, 0, 0x800)) TH_LOG("size align");
	EXPECT_EQ(-EINVAL, hvk_pgt_unmap(&pgt, ~0xfffULL, 2 * PG))
		TH_LOG("wrapping range");
	EXPECT_EQ(0, hvk_pgt_unmap(&pgt, 1ULL << 48, PG))
		TH_LOG("beyond the input range: nothing");
	EXPECT_EQ(0, hvk_pgt_unmap(&pgt, PG, 0)) TH_LOG("empty range");
	teardown(_metadata, &pgt);
}

TEST(free_tree_frees_each_table_once)
{
	u64 a = stage2_leaf_attrs(HVK_PGT_PROT_RWX, S2_MT_NORMAL);
	unsigned int ipa;

	for (ipa = 32; ipa <= 48; ipa++) {
		struct hvk_pgt pgt;
		u64 top = 1ULL << ipa, g;
		int err;

		s2_setup(_metadata, &pgt, ipa);
		/* Scattered pages: many tables at every level. */
		for (g = 0; g < 64; g++) {
			u64 gpa = (g * 0x9e3779b97f4a7c15ULL) % top & ~(PG - 1);

			ASSERT_EQ(0, map(&pgt, gpa, gpa, 3, a, 0, NULL))
				TH_LOG("IPA %u gpa %#llx", ipa,
				       (unsigned long long)gpa);
		}
		err = map(&pgt, top - SZ_2M, 0, 2, a, 0, NULL);
		EXPECT_TRUE(err == 0 || err == -EEXIST)
			TH_LOG("IPA %u: block at the top", ipa);
		EXPECT_LT(pgt.fmt.start_level == 2 ? 8U : 16U, live())
			TH_LOG("IPA %u: tables were built", ipa);
		teardown(_metadata, &pgt);
		EXPECT_EQ(0, live()) TH_LOG("IPA %u: nothing leaked", ipa);
		EXPECT_EQ(0, pgt.root_phys);
	}
}

/* ------------------------------------------------------------------ */
/* Randomized, against a model */

#define NREG		10

struct model_region {
	u64 base;
	bool table;		/* a level-3 table exists for the region */
	bool block;
	u64 block_phys;
	u64 block_attrs;
	bool page[512];
	u64 page_phys[512];
	u64 page_attrs[512];
};

static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 rnd_attrs(bool ept)
{
	static const unsigned int eprot[] = {
		HVK_PGT_PROT_R, HVK_PGT_PROT_R | HVK_PGT_PROT_W,
		HVK_PGT_PROT_RWX, HVK_PGT_PROT_R | HVK_PGT_PROT_X,
	};
	unsigned int prot = eprot[rnd() % 4];

	if (ept)
		return ept_leaf_attrs(prot, rnd() % 2 ? EPT_MT_WB : EPT_MT_UC,
				      true);
	return stage2_leaf_attrs(prot, rnd() % 4 ? S2_MT_NORMAL :
					       S2_MT_DEVICE);
}

/* Checks every page of every region against the model. */
static void model_check(struct __test_metadata *_metadata,
			struct hvk_pgt *pgt, struct model_region *r,
			unsigned int nreg)
{
	unsigned int i, p;

	for (i = 0; i < nreg; i++) {
		for (p = 0; p < 512; p++) {
			u64 gpa = r[i].base + p * PG;
			struct hvk_pgt_walk w;
			int err = hvk_pgt_lookup(pgt, gpa + 0x800, &w);
			u64 d = w.desc[w.level];

			if (r[i].block) {
				ASSERT_EQ(0, err);
				ASSERT_EQ(2, w.level);
				ASSERT_EQ(hvk_pgt_leaf_desc(&pgt->fmt,
							    r[i].block_phys, 2,
							    r[i].block_attrs),
					  d) TH_LOG("block at %#llx",
						    (unsigned long long)gpa);
			} else if (r[i].page[p]) {
				ASSERT_EQ(0, err);
				ASSERT_EQ(3, w.level);
				ASSERT_EQ(hvk_pgt_leaf_desc(&pgt->fmt,
							    r[i].page_phys[p],
							    3,
							    r[i].page_attrs[p]),
					  d) TH_LOG("page at %#llx",
						    (unsigned long long)gpa);
			} else {
				ASSERT_EQ(-ENOENT, err)
					TH_LOG("hole at %#llx",
					       (unsigned long long)gpa);
			}
		}
	}
}

static void random_run(struct __test_metadata *_metadata, bool ept,
		       unsigned int ipa, u64 seed)
{
	static const u64 cand[] = {
		0, SZ_2M, SZ_1G - SZ_2M, SZ_1G, 0xffe00000ULL,
		(1ULL << 39) - SZ_2M, 1ULL << 39, (1ULL << 40) - SZ_2M,
		(1ULL << 44) + SZ_1G, (1ULL << 48) - SZ_2M, 0x3fc00000ULL,
		(1ULL << 34) - SZ_2M,
	};
	struct model_region *r = calloc(NREG, sizeof(*r));
	unsigned int pages = 0, blocks = 0, replaced = 0, eexist = 0;
	unsigned int unmapped = 0;
	struct hvk_pgt pgt;
	unsigned int nreg = 0, i, op;

	ASSERT_NE(NULL, r);
	rng_state = seed;
	if (ept)
		ept_setup(_metadata, &pgt, false);
	else
		s2_setup(_metadata, &pgt, ipa);
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]) && nreg < NREG; i++)
		if (cand[i] < 1ULL << pgt.fmt.ia_bits)
			r[nreg++].base = cand[i];

	for (op = 0; op < 4000; op++) {
		struct model_region *m = &r[rnd() % nreg];
		unsigned int kind = rnd() % 8;
		int err;

		if (kind < 4) {			/* map a page */
			unsigned int p = rnd() % 512;
			u64 phys = (rnd() % (1ULL << 30)) << 12;
			u64 attrs = rnd_attrs(ept);
			int want;

			if (m->page[p] && rnd() % 2) {	/* same again */
				phys = m->page_phys[p];
				attrs = m->page_attrs[p];
			}
			if (m->block)
				want = -EEXIST;
			else if (!m->page[p])
				want = 0;
			else if (m->page_phys[p] == phys &&
				 m->page_attrs[p] == attrs)
				want = 0;
			else
				want = -EEXIST;
			err = map(&pgt, m->base + p * PG, phys, 3, attrs, 0,
				  NULL);
			ASSERT_EQ(want, err) TH_LOG("op %u: map page %#llx",
				  op, (unsigned long long)(m->base + p * PG));
			eexist += err == -EEXIST;
			if (!err && !m->block) {
				pages++;
				m->table = true;
				m->page[p] = true;
				m->page_phys[p] = phys;
				m->page_attrs[p] = attrs;
			}
		} else if (kind < 6) {		/* map a block */
			u64 phys = (rnd() % (1ULL << 21)) << 21;
			u64 attrs = rnd_attrs(ept), det = 0;
			int want = 0;

			if (m->block && rnd() % 2) {
				phys = m->block_phys;
				attrs = m->block_attrs;
			}
			if (m->block && (m->block_phys != phys ||
					 m->block_attrs != attrs))
				want = -EEXIST;
			err = map(&pgt, m->base, phys, 2, attrs,
				  HVK_PGT_MAP_REPLACE_TABLE, &det);
			ASSERT_EQ(want, err) TH_LOG("op %u: map block %#llx",
				  op, (unsigned long long)m->base);
			if (!err && !m->block) {
				EXPECT_EQ(m->table, det != 0)
					TH_LOG("op %u: table handed back iff "
					       "one was there", op);
				if (det)
					hvk_pgt_free_subtree(&pgt.fmt, det, 3,
							     &ops);
				replaced += !!det;
				blocks++;
				memset(m->page, 0, sizeof(m->page));
				m->table = false;
				m->block = true;
				m->block_phys = phys;
				m->block_attrs = attrs;
			}
		} else {			/* unmap a range */
			u64 start = m->base + (rnd() % 600) * PG;
			u64 len = (1 + rnd() % 1100) * PG;
			bool changed = false;
			unsigned int j, p;

			for (j = 0; j < nreg; j++) {
				u64 b = r[j].base, e = b + SZ_2M;

				if (e <= start || b >= start + len)
					continue;
				if (r[j].block) {
					r[j].block = false;
					changed = true;
				}
				for (p = 0; p < 512; p++) {
					u64 g = b + p * PG;

					if (g < start || g >= start + len ||
					    !r[j].page[p])
						continue;
					r[j].page[p] = false;
					changed = true;
				}
			}
			err = hvk_pgt_unmap(&pgt, start, len);
			unmapped += err == 1;
			ASSERT_EQ(changed, err)
				TH_LOG("op %u: unmap [%#llx, +%#llx) changed",
				       op, (unsigned long long)start,
				       (unsigned long long)len);
		}
		if (op % 100 == 0)
			model_check(_metadata, &pgt, r, nreg);
	}
	model_check(_metadata, &pgt, r, nreg);
	/* The run must have gone through every case. */
	EXPECT_LT(100, pages) TH_LOG("pages mapped: %u", pages);
	EXPECT_LT(20, blocks) TH_LOG("blocks mapped: %u", blocks);
	EXPECT_LT(5, replaced) TH_LOG("tables replaced: %u", replaced);
	EXPECT_LT(20, eexist) TH_LOG("refused overwrites: %u", eexist);
	EXPECT_LT(50, unmapped) TH_LOG("effective unmaps: %u", unmapped);
	EXPECT_EQ(0, hvk_pgt_unmap(&pgt, 0, 1ULL << pgt.fmt.ia_bits) < 0);
	for (i = 0; i < nreg; i++) {
		r[i].block = false;
		memset(r[i].page, 0, sizeof(r[i].page));
	}
	model_check(_metadata, &pgt, r, nreg);
	teardown(_metadata, &pgt);
	free(r);
}

TEST(random_ept)
{
	random_run(_metadata, true, 48, 0x1234567887654321ULL);
}

TEST(random_stage2_all_starts)
{
	static const unsigned int ipas[] = { 32, 34, 36, 40, 43, 44, 48 };
	unsigned int i;

	for (i = 0; i < sizeof(ipas) / sizeof(ipas[0]); i++)
		random_run(_metadata, false, ipas[i],
			   0x9e3779b97f4a7c15ULL + i);
}

TEST_HARNESS_MAIN

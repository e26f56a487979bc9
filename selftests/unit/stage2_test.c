// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of the stage-2 choices arm64/ makes on top of
 * mmu/stage2.[ch] (pgtable_test.c covers the format and the walker):
 *   - the FEAT_S2FWB leaf encoding hvk uses when HCR_EL2.FWB is set;
 *   - the VTCR_EL2 value of every IPA size hvk accepts, with the PS and
 *     VS bits arm64/mmu.c adds, checked field by field against the Arm
 *     ARM's rules for a 4 KiB granule (VTCR_EL2.{T0SZ,SL0}, concatenated
 *     start-level tables).
 */
#include "kselftest_harness.h"
#include "mmu/stage2.h"

/* MemAttr is bits 5:2 of a stage-2 leaf. */
static unsigned int memattr(u64 attrs)
{
	return (attrs >> 2) & 0xf;
}

/*
 * With HCR_EL2.FWB = 1 (Arm ARM, "Stage 2 memory type and Cacheability
 * attributes when FEAT_S2FWB is enabled"), MemAttr 0b0110 forces Normal
 * Write-Back whatever stage 1 says; 0b0001 is still Device-nGnRE.
 * Everything else in the leaf is as without FWB.
 */
TEST(fwb_normal_memattr)
{
	static const unsigned int prots[] = {
		HVK_PGT_PROT_R, HVK_PGT_PROT_R | HVK_PGT_PROT_W,
		HVK_PGT_PROT_R | HVK_PGT_PROT_X, HVK_PGT_PROT_RWX,
	};
	unsigned int i;

	for (i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		u64 fwb = stage2_leaf_attrs(prots[i], S2_MT_NORMAL_FWB);
		u64 plain = stage2_leaf_attrs(prots[i], S2_MT_NORMAL);

		EXPECT_EQ(0x6U, memattr(fwb)) TH_LOG("prot %#x", prots[i]);
		EXPECT_EQ(0xfU, memattr(plain)) TH_LOG("prot %#x", prots[i]);
		/* Only MemAttr differs: S2AP, SH, AF, XN the same. */
		EXPECT_EQ(plain & ~S2_MEMATTR_MASK, fwb & ~S2_MEMATTR_MASK)
			TH_LOG("prot %#x", prots[i]);
		EXPECT_EQ(prots[i], stage2_leaf_prot(fwb))
			TH_LOG("prot %#x round trip", prots[i]);
	}
	/* RWX, Inner Shareable, AF: 0x400 | 0x300 | 0xc0 | MemAttr 6 << 2. */
	EXPECT_EQ(0x7d8ULL, stage2_leaf_attrs(HVK_PGT_PROT_RWX,
					      S2_MT_NORMAL_FWB));
	EXPECT_EQ(0x1U, memattr(stage2_leaf_attrs(HVK_PGT_PROT_R |
						  HVK_PGT_PROT_W,
						  S2_MT_DEVICE)));
}

/*
 * VTCR_EL2 as arm64/mmu.c builds it: stage2_vtcr() with PS = the PA
 * range capped at 48 bits (0b101), plus VS (bit 19) for 16-bit VMIDs.
 * Every field is decoded back and checked against the Arm ARM:
 *   T0SZ = 64 - IPA bits;
 *   SL0 0b00 (level 2): T0SZ 30..39, 0b01 (level 1): 21..33,
 *   0b10 (level 0): 16..24;
 *   the start level then resolves (64 - T0SZ) - shift(level) bits, at
 *   most 9 + 4 (16 concatenated tables), and hvk takes the deepest
 *   start level that can (fewest levels per walk);
 *   IRGN0 = ORGN0 = 0b01 (WBWA), SH0 = 0b11, TG0 = 0b00 (4 KiB), bit 31
 *   RES1.
 */
TEST(vtcr_every_ipa_size)
{
	static const unsigned int t0sz_lo[3] = { 16, 21, 30 };
	static const unsigned int t0sz_hi[3] = { 24, 33, 39 };
	static const unsigned int shift[3] = { 39, 30, 21 };
	struct stage2_geometry g;
	unsigned int ipa;

	for (ipa = 32; ipa <= 48; ipa++) {
		u64 vtcr;
		unsigned int t0sz, sl0, level, bits;

		ASSERT_EQ(0, stage2_geometry(ipa, &g)) TH_LOG("IPA %u", ipa);
		vtcr = stage2_vtcr(&g, 5) | (1ULL << 19);
		t0sz = vtcr & 0x3f;
		sl0 = (vtcr >> 6) & 3;
		EXPECT_EQ(64 - ipa, t0sz) TH_LOG("IPA %u T0SZ", ipa);
		ASSERT_LE(sl0, 2U) TH_LOG("IPA %u: SL0 0b11 is not for 4K",
					  ipa);
		level = 2 - sl0;
		EXPECT_GE(t0sz, t0sz_lo[level]) TH_LOG("IPA %u SL0 %u", ipa,
						       sl0);
		EXPECT_LE(t0sz, t0sz_hi[level]) TH_LOG("IPA %u SL0 %u", ipa,
						       sl0);
		bits = ipa - shift[level];
		EXPECT_LE(bits, 13U) TH_LOG("IPA %u: at most 16 tables", ipa);
		EXPECT_EQ(bits > 9 ? 1U << (bits - 9) : 1U, g.root_pages)
			TH_LOG("IPA %u: concatenated tables", ipa);
		if (level < 2)
			EXPECT_GT(ipa - shift[level + 1], 13U)
				TH_LOG("IPA %u: level %u would do with fewer "
				       "levels", ipa, level + 1);
		EXPECT_EQ(1ULL, (vtcr >> 8) & 3) TH_LOG("IRGN0 WBWA");
		EXPECT_EQ(1ULL, (vtcr >> 10) & 3) TH_LOG("ORGN0 WBWA");
		EXPECT_EQ(3ULL, (vtcr >> 12) & 3) TH_LOG("SH0 Inner");
		EXPECT_EQ(0ULL, (vtcr >> 14) & 3) TH_LOG("TG0 4 KiB");
		EXPECT_EQ(5ULL, (vtcr >> 16) & 7) TH_LOG("PS 48 bits");
		EXPECT_EQ(1ULL, (vtcr >> 19) & 1) TH_LOG("VS 16-bit VMID");
		EXPECT_EQ(1ULL, (vtcr >> 31) & 1) TH_LOG("RES1 bit 31");
		EXPECT_EQ(0ULL, vtcr >> 32) TH_LOG("IPA %u: nothing above",
						   ipa);
	}
}

TEST_HARNESS_MAIN

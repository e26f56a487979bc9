// SPDX-License-Identifier: GPL-2.0
/*
 * Arm stage-2 translation (4 KiB granule) as a struct hvk_pgt_fmt, and the
 * VTCR_EL2 geometry. See stage2.h.
 */
#include "stage2.h"

/**
 * stage2_geometry() - start level and concatenation for an IPA size
 * @ipa_bits:	32..48
 * @geo:	filled in
 *
 * With a 4 KiB granule each level resolves 9 bits: level 2 IA[29:21],
 * level 1 IA[38:30], level 0 IA[47:39]. The Arm ARM allows, for stage 2
 * with a 4 KiB granule and no FEAT_LPA2 (rules for VTCR_EL2.{SL0,T0SZ},
 * "Determining the start level ... concatenated translation tables"):
 *
 *   SL0 = 0b00, start level 2: T0SZ 30..39 (IPA 25..34 bits)
 *   SL0 = 0b01, start level 1: T0SZ 21..33 (IPA 31..43 bits)
 *   SL0 = 0b10, start level 0: T0SZ 16..24 (IPA 40..48 bits)
 *
 * where the start level resolves up to 4 bits more than 9 by
 * concatenating up to 16 tables, physically contiguous and aligned to
 * their total size. Where two start levels are allowed (IPA 31..34 and
 * 40..43 bits), hvk takes the higher-numbered start level, i.e. one
 * level fewer with concatenated tables: every walk (each TLB miss) is one
 * memory access shorter, for at most 15 extra root pages per VM:
 *
 *   IPA 32..34: start level 2, 4/8/16 tables (2-level walk)
 *   IPA 35..39: start level 1, 1 table (32..512 entries used)
 *   IPA 40..43: start level 1, 2/4/8/16 tables (e.g. 40 bits: 2 tables)
 *   IPA 44..48: start level 0, 1 table (32..512 entries used)
 *
 * The caller must also keep @ipa_bits within the PA size in VTCR_EL2.PS
 * (ID_AA64MMFR0_EL1.PARange): an IPA wider than the PA range faults.
 *
 * Return: 0, or -EINVAL if @ipa_bits is outside 32..48.
 */
int stage2_geometry(unsigned int ipa_bits, struct stage2_geometry *geo)
{
	int level;

	if (ipa_bits < S2_IPA_BITS_MIN || ipa_bits > S2_IPA_BITS_MAX)
		return -EINVAL;
	for (level = 2; level >= 0; level--) {
		unsigned int bits = ipa_bits - hvk_pgt_level_shift(level);

		/* 9 bits per table, 4 more from up to 16 tables. */
		if (bits > HVK_PGT_LEVEL_BITS + 4)
			continue;
		geo->ipa_bits = ipa_bits;
		geo->t0sz = 64 - ipa_bits;
		geo->sl0 = 2 - level;
		geo->start_level = level;
		geo->root_pages = bits > HVK_PGT_LEVEL_BITS ?
				  1U << (bits - HVK_PGT_LEVEL_BITS) : 1;
		return 0;
	}
	return -EINVAL;	/* not reached for 32..48 */
}

/**
 * stage2_vtcr() - VTCR_EL2 translation fields for a geometry
 * @geo:	from stage2_geometry()
 * @ps:		VTCR_EL2.PS, the PA size (ID_AA64MMFR0_EL1.PARange encoding)
 *
 * T0SZ, SL0, 4 KiB granule, table walks Inner/Outer Write-Back
 * Write-Allocate and Inner Shareable, PS, and the RES1 bit 31. VMID size
 * (VS), HA/HD and the rest are the caller's.
 *
 * Return: those VTCR_EL2 bits.
 */
u64 stage2_vtcr(const struct stage2_geometry *geo, unsigned int ps)
{
	return ((u64)geo->t0sz << HVK_VTCR_T0SZ_SHIFT) |
	       ((u64)geo->sl0 << HVK_VTCR_SL0_SHIFT) |
	       HVK_VTCR_IRGN0_WBWA | HVK_VTCR_ORGN0_WBWA | HVK_VTCR_SH0_IS |
	       HVK_VTCR_TG0_4K |
	       (((u64)ps << HVK_VTCR_PS_SHIFT) & HVK_VTCR_PS_MASK) |
	       HVK_VTCR_RES1;
}

/**
 * stage2_fmt_init() - describe stage 2 for the walker
 * @fmt:	filled in
 * @geo:	from stage2_geometry()
 *
 * Blocks at levels 1 (1 GiB) and 2 (2 MiB), when at or below the start
 * level. The hardware may set AF (FEAT_HAFDBS with VTCR_EL2.HA), so it is
 * not compared when a map meets an existing leaf.
 */
void stage2_fmt_init(struct hvk_pgt_fmt *fmt,
		     const struct stage2_geometry *geo)
{
	unsigned int blocks = (1U << 1) | (1U << 2);

	*fmt = (struct hvk_pgt_fmt) {
		.ia_bits = geo->ipa_bits,
		.start_level = geo->start_level,
		.root_pages = geo->root_pages,
		.block_levels = blocks & ~((1U << geo->start_level) - 1),
		.present_mask = S2_DESC_VALID,
		.type_mask = S2_DESC_TYPE_MASK,
		.table_type = S2_DESC_TYPE_TABLE,
		.block_type = S2_DESC_TYPE_BLOCK,
		.page_type = S2_DESC_TYPE_PAGE,
		.table_attrs = 0,
		.oa_mask = S2_ADDR_MASK,
		.hw_mask = S2_AF,
	};
}

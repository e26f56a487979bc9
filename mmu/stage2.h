/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arm stage-2 translation, 4 KiB granule, without FEAT_LPA2 (Arm ARM D8,
 * "The AArch64 Virtual Memory System Architecture": VMSAv8-64 descriptor
 * formats and stage 2 attribute fields), and the VTCR_EL2 geometry for a
 * VM's IPA size.
 *
 * Descriptor types, bits[1:0]: 0bx0 invalid; at levels 0..2, 0b11 is a
 * table and 0b01 a block (levels 1 and 2 only for 4 KiB); at level 3,
 * 0b11 is a page and 0b01 is reserved. Next-level table and output
 * addresses are bits[47:12].
 */
#ifndef HVK_MMU_STAGE2_H
#define HVK_MMU_STAGE2_H

#include "pgtable.h"

#define S2_DESC_VALID		(1ULL << 0)
#define S2_DESC_TABLE		(1ULL << 1)	/* table at 0..2, page at 3 */
#define S2_DESC_TYPE_MASK	(S2_DESC_VALID | S2_DESC_TABLE)
#define S2_DESC_TYPE_TABLE	(S2_DESC_VALID | S2_DESC_TABLE)
#define S2_DESC_TYPE_BLOCK	S2_DESC_VALID
#define S2_DESC_TYPE_PAGE	(S2_DESC_VALID | S2_DESC_TABLE)
#define S2_ADDR_MASK		0x0000fffffffff000ULL	/* bits 47:12 */

/* Stage-2 lower attributes of block and page descriptors. */
#define S2_MEMATTR_SHIFT	2
#define S2_MEMATTR_MASK		(0xfULL << S2_MEMATTR_SHIFT)	/* 5:2 */
/* MemAttr[3:0] without FEAT_S2FWB (HCR_EL2.FWB = 0). */
#define S2_MEMATTR_DEVICE_nGnRnE 0x0
#define S2_MEMATTR_DEVICE_nGnRE	0x1
#define S2_MEMATTR_NORMAL_NC	0x5	/* outer and inner Non-cacheable */
#define S2_MEMATTR_NORMAL_WB	0xf	/* outer and inner Write-Back */
/*
 * MemAttr[3:0] with FEAT_S2FWB and HCR_EL2.FWB = 1: 0b0110 makes the
 * result Normal Write-Back whatever stage 1 says (even with the guest's
 * MMU off), so no cache maintenance is needed for the guest to see what
 * the host wrote through its cacheable alias.
 */
#define S2_MEMATTR_FWB_NORMAL_WB 0x6
#define S2_AP_SHIFT		6
#define S2_AP_MASK		(3ULL << S2_AP_SHIFT)		/* 7:6 */
#define S2_AP_R			(1ULL << S2_AP_SHIFT)		/* S2AP[0] */
#define S2_AP_W			(2ULL << S2_AP_SHIFT)		/* S2AP[1] */
#define S2_SH_SHIFT		8
#define S2_SH_MASK		(3ULL << S2_SH_SHIFT)		/* 9:8 */
#define S2_SH_NS		0x0
#define S2_SH_OS		0x2
#define S2_SH_IS		0x3
#define S2_AF			(1ULL << 10)
/* Upper attributes. */
#define S2_DBM			(1ULL << 51)
#define S2_XN_SHIFT		53
#define S2_XN_MASK		(3ULL << S2_XN_SHIFT)		/* 54:53 */
/*
 * XN[1] (bit 54) alone: not executable at EL1 or EL0. Without FEAT_XNX,
 * bit 53 is RES0 and bit 54 is XN, so this value means the same.
 */
#define S2_XN			(1ULL << 54)

enum stage2_memtype {
	S2_MT_NORMAL,		/* RAM: Normal WB, inner shareable */
	S2_MT_DEVICE,		/* MMIO passthrough: Device-nGnRE */
	S2_MT_NORMAL_FWB,	/* RAM, forced Normal WB (HCR_EL2.FWB = 1) */
};

/**
 * stage2_leaf_attrs() - encode the attributes of a stage-2 page or block
 * @prot:	HVK_PGT_PROT_* bits; R and W map to S2AP, no X sets XN
 * @memtype:	S2_MT_NORMAL, S2_MT_NORMAL_FWB (only with HCR_EL2.FWB set)
 *		or S2_MT_DEVICE (the Device encoding is the same either way)
 *
 * AF is set: hvk does not track access through access-flag faults.
 * Device memory is never executable and its SH field is 0 (shareability
 * is ignored for Device memory).
 *
 * Return: the attribute bits (the valid/type bits are the walker's).
 */
static inline u64 stage2_leaf_attrs(unsigned int prot,
				    enum stage2_memtype memtype)
{
	u64 attrs = S2_AF;

	if (prot & HVK_PGT_PROT_R)
		attrs |= S2_AP_R;
	if (prot & HVK_PGT_PROT_W)
		attrs |= S2_AP_W;
	if (memtype == S2_MT_DEVICE) {
		attrs |= (u64)S2_MEMATTR_DEVICE_nGnRE << S2_MEMATTR_SHIFT;
		attrs |= S2_XN;
	} else {
		attrs |= (u64)(memtype == S2_MT_NORMAL_FWB ?
			       S2_MEMATTR_FWB_NORMAL_WB :
			       S2_MEMATTR_NORMAL_WB) << S2_MEMATTR_SHIFT;
		attrs |= (u64)S2_SH_IS << S2_SH_SHIFT;
		if (!(prot & HVK_PGT_PROT_X))
			attrs |= S2_XN;
	}
	return attrs;
}

/* HVK_PGT_PROT_* access granted by a stage-2 leaf. */
static inline unsigned int stage2_leaf_prot(u64 desc)
{
	return (desc & S2_AP_R ? HVK_PGT_PROT_R : 0) |
	       (desc & S2_AP_W ? HVK_PGT_PROT_W : 0) |
	       (desc & S2_XN_MASK ? 0 : HVK_PGT_PROT_X);
}

static inline unsigned int stage2_leaf_memattr(u64 desc)
{
	return (desc & S2_MEMATTR_MASK) >> S2_MEMATTR_SHIFT;
}

/* VTCR_EL2 fields (Arm ARM, VTCR_EL2 register description). */
#define HVK_VTCR_T0SZ_SHIFT	0
#define HVK_VTCR_T0SZ_MASK	(0x3fULL << HVK_VTCR_T0SZ_SHIFT)
#define HVK_VTCR_SL0_SHIFT	6
#define HVK_VTCR_SL0_MASK	(3ULL << HVK_VTCR_SL0_SHIFT)
#define HVK_VTCR_IRGN0_WBWA	(1ULL << 8)
#define HVK_VTCR_ORGN0_WBWA	(1ULL << 10)
#define HVK_VTCR_SH0_IS		(3ULL << 12)
#define HVK_VTCR_TG0_4K		(0ULL << 14)
#define HVK_VTCR_PS_SHIFT	16
#define HVK_VTCR_PS_MASK	(7ULL << HVK_VTCR_PS_SHIFT)
#define HVK_VTCR_RES1		(1ULL << 31)

/* IPA sizes a VM may ask for (KVM_VM_TYPE_ARM_IPA_SIZE), 4 KiB granule. */
#define S2_IPA_BITS_MIN		32
#define S2_IPA_BITS_MAX		48
#define S2_MAX_CONCAT		16

/**
 * struct stage2_geometry - where a stage-2 walk starts for an IPA size
 * @ipa_bits:	  input address size, 32..48
 * @t0sz:	  VTCR_EL2.T0SZ = 64 - @ipa_bits
 * @sl0:	  VTCR_EL2.SL0 for a 4 KiB granule: 2 - @start_level
 * @start_level:  first lookup level, 0..2
 * @root_pages:	  concatenated tables at the start level, 1..16
 */
struct stage2_geometry {
	u8 ipa_bits;
	u8 t0sz;
	u8 sl0;
	u8 start_level;
	u8 root_pages;
};

int stage2_geometry(unsigned int ipa_bits, struct stage2_geometry *geo);
u64 stage2_vtcr(const struct stage2_geometry *geo, unsigned int ps);
void stage2_fmt_init(struct hvk_pgt_fmt *fmt,
		     const struct stage2_geometry *geo);

#endif

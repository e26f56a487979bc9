/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel EPT format (SDM Vol. 3C, 29.3 "The Extended Page Table Mechanism
 * (EPT)"): 4-level tables (PML4, PDPT, PD, PT = levels 0..3 of
 * pgtable.h), 4 KiB pages and 2 MiB blocks (1 GiB blocks if the CPU
 * reports them), and the EPTP that points the VMCS at the PML4.
 *
 * Entry formats are SDM Vol. 3C Tables 29-1 (EPTP), 29-2 .. 29-7 (PML4E,
 * PDPTE mapping 1 GiB / referencing a PD, PDE mapping 2 MiB / referencing
 * a PT, PTE). Bits not named here are reserved or ignored and left 0.
 */
#ifndef HVK_MMU_EPT_H
#define HVK_MMU_EPT_H

#include "pgtable.h"

/* All EPT paging-structure entries. */
#define EPT_READ		(1ULL << 0)	/* read access */
#define EPT_WRITE		(1ULL << 1)	/* write access */
#define EPT_EXEC		(1ULL << 2)	/* (supervisor) execute */
#define EPT_RWX			(EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_ACCESSED		(1ULL << 8)	/* if EPTP[6] is set */
#define EPT_USER_EXEC		(1ULL << 10)	/* mode-based execute ctl */
#define EPT_ADDR_MASK		0x000ffffffffff000ULL	/* bits 51:12 */

/* Leaves only: PTEs, and PDEs/PDPTEs with bit 7 set. */
#define EPT_MEMTYPE_SHIFT	3
#define EPT_MEMTYPE_MASK	(7ULL << EPT_MEMTYPE_SHIFT)	/* 5:3 */
#define EPT_IGNORE_PAT		(1ULL << 6)
#define EPT_DIRTY		(1ULL << 9)	/* if EPTP[6] is set */
#define EPT_SUPPRESS_VE		(1ULL << 63)

/* PDPTE/PDE: 1 maps a 1 GiB/2 MiB page, 0 references the next table. */
#define EPT_PAGE_SIZE		(1ULL << 7)

/* Memory types (SDM Vol. 3A, "Methods of Caching Available"). */
#define EPT_MT_UC		0
#define EPT_MT_WC		1
#define EPT_MT_WT		4
#define EPT_MT_WP		5
#define EPT_MT_WB		6

/* EPTP (Table 29-1). */
#define EPTP_MT_SHIFT		0	/* 2:0, UC (0) or WB (6) */
#define EPTP_MT_MASK		(7ULL << EPTP_MT_SHIFT)
#define EPTP_PWL_SHIFT		3	/* 5:3, page-walk length - 1 */
#define EPTP_PWL_MASK		(7ULL << EPTP_PWL_SHIFT)
#define EPTP_PWL_4		(3ULL << EPTP_PWL_SHIFT)
#define EPTP_AD_ENABLE		(1ULL << 6)	/* accessed and dirty flags */
#define EPTP_ADDR_MASK		EPT_ADDR_MASK	/* PML4 address */

/* 4-level EPT: 48-bit guest-physical addresses. */
#define EPT_GPA_BITS		48

/**
 * ept_leaf_attrs() - encode the attributes of an EPT page or block
 * @prot:	HVK_PGT_PROT_* bits
 * @memtype:	EPT_MT_* (EPT_MT_WB for RAM)
 * @ignore_pat:	set EPT_IGNORE_PAT, so the guest PAT cannot weaken @memtype
 *
 * Write without read is an EPT misconfiguration (SDM 29.3.3.1), and an
 * entry without R, W and X is not present, so both yield 0, which
 * hvk_pgt_map() refuses. Execute-only needs the CPU's support
 * (IA32_VMX_EPT_VPID_CAP bit 0): the caller checks it.
 *
 * Return: the attribute bits, or 0 if @prot cannot be encoded.
 */
static inline u64 ept_leaf_attrs(unsigned int prot, unsigned int memtype,
				 bool ignore_pat)
{
	u64 attrs = 0;

	if ((prot & HVK_PGT_PROT_W) && !(prot & HVK_PGT_PROT_R))
		return 0;
	if (!(prot & HVK_PGT_PROT_RWX))
		return 0;
	if (prot & HVK_PGT_PROT_R)
		attrs |= EPT_READ;
	if (prot & HVK_PGT_PROT_W)
		attrs |= EPT_WRITE;
	if (prot & HVK_PGT_PROT_X)
		attrs |= EPT_EXEC;
	attrs |= ((u64)memtype << EPT_MEMTYPE_SHIFT) & EPT_MEMTYPE_MASK;
	if (ignore_pat)
		attrs |= EPT_IGNORE_PAT;
	return attrs;
}

/* HVK_PGT_PROT_* access granted by an EPT leaf. */
static inline unsigned int ept_leaf_prot(u64 desc)
{
	return (desc & EPT_READ ? HVK_PGT_PROT_R : 0) |
	       (desc & EPT_WRITE ? HVK_PGT_PROT_W : 0) |
	       (desc & EPT_EXEC ? HVK_PGT_PROT_X : 0);
}

/* EPT_MT_* of an EPT leaf. */
static inline unsigned int ept_leaf_memtype(u64 desc)
{
	return (desc & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT;
}

void ept_fmt_init(struct hvk_pgt_fmt *fmt, bool gb_pages);
u64 ept_eptp(u64 pml4_phys, bool ad);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Intel EPT as a struct hvk_pgt_fmt, and the EPTP. See ept.h.
 */
#include "ept.h"

/**
 * ept_fmt_init() - describe 4-level EPT for the walker
 * @fmt:	filled in
 * @gb_pages:	allow 1 GiB blocks (IA32_VMX_EPT_VPID_CAP bit 17)
 *
 * An entry is present if any of R/W/X is set (SDM 29.3.2); bit 7 tells a
 * PDE or PDPTE that maps a block from one that references a table, and is
 * ignored in PTEs, where 0 is written. Tables get R/W/X all set so that
 * the leaf alone decides access (access is the AND along the walk).
 */
void ept_fmt_init(struct hvk_pgt_fmt *fmt, bool gb_pages)
{
	*fmt = (struct hvk_pgt_fmt) {
		.ia_bits = EPT_GPA_BITS,
		.start_level = 0,
		.root_pages = 1,
		.block_levels = (1U << 2) | (gb_pages ? 1U << 1 : 0),
		.present_mask = EPT_RWX,
		.type_mask = EPT_PAGE_SIZE,
		.table_type = 0,
		.block_type = EPT_PAGE_SIZE,
		.page_type = 0,
		.table_attrs = EPT_RWX,
		.oa_mask = EPT_ADDR_MASK,
		.hw_mask = EPT_ACCESSED | EPT_DIRTY,
	};
}

/**
 * ept_eptp() - EPT pointer for a 4-level table
 * @pml4_phys:	physical address of the PML4 (struct hvk_pgt.root_phys)
 * @ad:		enable accessed/dirty flags (IA32_VMX_EPT_VPID_CAP bit 21)
 *
 * Memory type WB for the paging structures (IA32_VMX_EPT_VPID_CAP bit 14
 * says the CPU supports it), page-walk length 4.
 *
 * Return: the value for the VMCS EPT pointer field.
 */
u64 ept_eptp(u64 pml4_phys, bool ad)
{
	return (pml4_phys & EPTP_ADDR_MASK) |
	       ((u64)EPT_MT_WB << EPTP_MT_SHIFT) | EPTP_PWL_4 |
	       (ad ? EPTP_AD_ENABLE : 0);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Format-neutral guest-physical radix page tables: the walker shared by
 * EPT (mmu/ept.c) and arm64 stage-2 (mmu/stage2.c).
 *
 * Levels are numbered as in the Arm ARM for a 4 KiB granule, whatever the
 * format: level 3 maps 4 KiB pages, level 2 maps 2 MiB blocks, level 1
 * 1 GiB blocks, level 0 is the top of a 48-bit space. A 4-level EPT is
 * start level 0 (PML4 = 0, PDPT = 1, PD = 2, PT = 3); a stage-2 table
 * starts at level 0, 1 or 2 depending on the IPA size (VTCR_EL2.SL0), and
 * its start level may be made of up to 16 physically contiguous
 * ("concatenated") tables.
 *
 * Design: no indirect calls on the walk.
 *
 * The format is plain data (struct hvk_pgt_fmt): the geometry and a
 * handful of masks that say how a descriptor tells "present", "table",
 * "block" and "page" apart, and where its output address lives. Both
 * formats fit that mould, so the walker reads descriptors with ANDs and
 * compares instead of calling ->is_table() and friends. The format's own
 * leaf attributes (permissions, memory type, shareability, AF ...) are
 * encoded once by the caller with the format's static inline helpers
 * (ept_leaf_attrs(), stage2_leaf_attrs()), so they are compiled in, not
 * dispatched. phys->virt is a compile-time choice too: phys_to_virt() in
 * the kernel, a function supplied by the test on the host.
 *
 * Allocation does not happen in the walk either: hvk_pgt_map() takes
 * zeroed table pages from a struct hvk_pgt_cache that the caller filled
 * beforehand with hvk_pgt_cache_topup(), outside its MMU lock (the fault
 * path walks under a spinlock, where GFP_KERNEL cannot be used). The only
 * indirect calls are the struct hvk_pgt_mm_ops allocator and free hooks,
 * made when topping the cache up, draining it, and tearing a tree down.
 *
 * Concurrency: writers (map, unmap, free) must be serialised by the
 * caller. Descriptors are read and written with READ_ONCE()/WRITE_ONCE(),
 * and a new table is published after its zeroed contents (smp_wmb()), so
 * a lockless lookup sees either the old or the new entry. Making changes
 * visible to the hardware walker (DSB on arm64) and invalidating TLBs
 * (INVEPT, TLBI IPAS2E1IS) is the caller's job: unmap reports whether
 * anything changed, and a map that replaces a table by a block hands the
 * old table back for the caller to free after the flush.
 */
#ifndef HVK_MMU_PGTABLE_H
#define HVK_MMU_PGTABLE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#endif

#define HVK_PGT_PAGE_SHIFT	12
#define HVK_PGT_PAGE_SIZE	(1ULL << HVK_PGT_PAGE_SHIFT)
#define HVK_PGT_LEVEL_BITS	9
#define HVK_PGT_ENTRIES		(1U << HVK_PGT_LEVEL_BITS)
#define HVK_PGT_LAST_LEVEL	3
#define HVK_PGT_MAX_LEVELS	4
/* Concatenated start-level tables: at most 16 (Arm ARM, stage 2). */
#define HVK_PGT_MAX_ROOT_PAGES	16
/* Tables one map can need below the root: levels 1, 2 and 3. */
#define HVK_PGT_CACHE_MAX	(HVK_PGT_MAX_LEVELS - 1)

/**
 * hvk_pgt_level_shift() - log2 of the size one entry at @level maps
 * @level: 0..3
 *
 * Return: 39, 30, 21 or 12.
 */
static inline unsigned int hvk_pgt_level_shift(int level)
{
	return HVK_PGT_PAGE_SHIFT +
	       HVK_PGT_LEVEL_BITS * (HVK_PGT_LAST_LEVEL - level);
}

static inline u64 hvk_pgt_level_size(int level)
{
	return 1ULL << hvk_pgt_level_shift(level);
}

/**
 * struct hvk_pgt_fmt - a descriptor format and geometry, as plain data
 * @ia_bits:	  input (guest-physical) address size; gpas at or above
 *		  1 << @ia_bits are refused
 * @start_level:  level of the root table, 0..2
 * @root_pages:	  number of concatenated root tables (1..16), physically
 *		  contiguous and aligned to their total size
 * @block_levels: bit L set if a block (leaf above level 3) is allowed at
 *		  level L
 * @present_mask: a descriptor is present iff (desc & @present_mask) != 0
 * @type_mask:	  bits that distinguish table, block and page descriptors
 * @table_type:	  (desc & @type_mask) of a table descriptor (levels 0..2)
 * @block_type:	  (desc & @type_mask) of a block descriptor (levels 1..2)
 * @page_type:	  (desc & @type_mask) of a page descriptor (level 3)
 * @table_attrs:  further bits every table descriptor carries (the EPT
 *		  R/W/X bits, so that the leaf alone decides access)
 * @oa_mask:	  output address bits of any descriptor
 * @hw_mask:	  bits the hardware may set in a leaf behind our back
 *		  (EPT accessed/dirty, stage-2 AF/DBM): ignored when deciding
 *		  whether a map request matches the leaf already there
 *
 * A table descriptor is (phys | @table_type | @table_attrs); a leaf is
 * (phys | @block_type or @page_type | attrs from the format's encoder).
 */
struct hvk_pgt_fmt {
	u8 ia_bits;
	u8 start_level;
	u8 root_pages;
	u8 block_levels;
	u64 present_mask;
	u64 type_mask;
	u64 table_type;
	u64 block_type;
	u64 page_type;
	u64 table_attrs;
	u64 oa_mask;
	u64 hw_mask;
};

/**
 * struct hvk_pgt_mm_ops - where table pages come from and go to
 * @zalloc:	allocate 2^@order zeroed, physically contiguous pages aligned
 *		to their size; return the kernel-virtual address and store
 *		the physical one in *@phys, or return NULL
 * @free:	free what @zalloc returned, with the same @order
 * @arg:	passed to both
 *
 * Called only from hvk_pgt_init(), hvk_pgt_cache_topup(),
 * hvk_pgt_cache_drain() and hvk_pgt_free_tree(): never during a walk.
 */
struct hvk_pgt_mm_ops {
	void *(*zalloc)(void *arg, unsigned int order, u64 *phys);
	void (*free)(void *arg, void *virt, u64 phys, unsigned int order);
	void *arg;
};

/**
 * struct hvk_pgt_cache - zeroed table pages ready for hvk_pgt_map()
 * @nr:		pages held
 * @virt:	their kernel-virtual addresses
 * @phys:	their physical addresses
 */
struct hvk_pgt_cache {
	unsigned int nr;
	void *virt[HVK_PGT_CACHE_MAX];
	u64 phys[HVK_PGT_CACHE_MAX];
};

/**
 * struct hvk_pgt - one guest-physical address space
 * @fmt:	format and geometry (copied in by hvk_pgt_init())
 * @root:	kernel-virtual address of the (first) root table
 * @root_phys:	its physical address, for the EPTP or VTTBR_EL2
 */
struct hvk_pgt {
	struct hvk_pgt_fmt fmt;
	u64 *root;
	u64 root_phys;
};

/**
 * struct hvk_pgt_walk - what hvk_pgt_lookup() saw
 * @level:	level of the last descriptor read: the leaf's level when one
 *		was found, else where the walk met a non-present entry
 * @desc:	descriptors read, indexed by level (levels above the start
 *		level and below @level are left 0)
 */
struct hvk_pgt_walk {
	int level;
	u64 desc[HVK_PGT_MAX_LEVELS];
};

/* Access a leaf grants, for the formats' leaf encoders. */
#define HVK_PGT_PROT_R		(1U << 0)
#define HVK_PGT_PROT_W		(1U << 1)
#define HVK_PGT_PROT_X		(1U << 2)
#define HVK_PGT_PROT_RWX	(HVK_PGT_PROT_R | HVK_PGT_PROT_W | \
				 HVK_PGT_PROT_X)

/* hvk_pgt_map() flags */
/* A table where the block goes may be replaced by the block. */
#define HVK_PGT_MAP_REPLACE_TABLE	(1U << 0)

#ifndef __KERNEL__
/* Host builds: the test supplies the phys->virt lookup of its fake RAM. */
void *hvk_pgt_test_phys_to_virt(u64 phys);
#endif

int hvk_pgt_init(struct hvk_pgt *pgt, const struct hvk_pgt_fmt *fmt,
		 const struct hvk_pgt_mm_ops *ops);
int hvk_pgt_cache_topup(struct hvk_pgt_cache *cache,
			const struct hvk_pgt_mm_ops *ops, unsigned int min);
void hvk_pgt_cache_drain(struct hvk_pgt_cache *cache,
			 const struct hvk_pgt_mm_ops *ops);
int hvk_pgt_map(struct hvk_pgt *pgt, struct hvk_pgt_cache *cache, u64 gpa,
		u64 phys, int level, u64 attrs, unsigned int flags,
		u64 *detached);
int hvk_pgt_unmap(struct hvk_pgt *pgt, u64 gpa, u64 size);
int hvk_pgt_lookup(const struct hvk_pgt *pgt, u64 gpa,
		   struct hvk_pgt_walk *walk);
void hvk_pgt_free_subtree(const struct hvk_pgt_fmt *fmt, u64 table_phys,
			  int level, const struct hvk_pgt_mm_ops *ops);
void hvk_pgt_free_tree(struct hvk_pgt *pgt, const struct hvk_pgt_mm_ops *ops);

/**
 * hvk_pgt_desc_oa() - output address of a descriptor at a level
 * @fmt:	format
 * @desc:	a present table or leaf descriptor
 *
 * Leaves are written with an output address aligned to their size, and
 * the bits below it are RES0 (stage 2) or reserved (EPT), so one mask
 * serves every level.
 *
 * Return: the next table's physical address for a table, the base of the
 * page or block for a leaf.
 */
static inline u64 hvk_pgt_desc_oa(const struct hvk_pgt_fmt *fmt, u64 desc)
{
	return desc & fmt->oa_mask;
}

static inline bool hvk_pgt_desc_present(const struct hvk_pgt_fmt *fmt,
					u64 desc)
{
	return (desc & fmt->present_mask) != 0;
}

static inline bool hvk_pgt_desc_is_table(const struct hvk_pgt_fmt *fmt,
					 u64 desc, int level)
{
	return level < HVK_PGT_LAST_LEVEL && hvk_pgt_desc_present(fmt, desc) &&
	       (desc & fmt->type_mask) == fmt->table_type;
}

static inline bool hvk_pgt_desc_is_leaf(const struct hvk_pgt_fmt *fmt,
					u64 desc, int level)
{
	if (!hvk_pgt_desc_present(fmt, desc))
		return false;
	if (level == HVK_PGT_LAST_LEVEL)
		return (desc & fmt->type_mask) == fmt->page_type;
	return (fmt->block_levels & (1U << level)) &&
	       (desc & fmt->type_mask) == fmt->block_type;
}

/**
 * hvk_pgt_table_desc() - table descriptor pointing at a next-level table
 * @fmt:	format
 * @phys:	physical address of the table, page aligned
 *
 * Return: the descriptor.
 */
static inline u64 hvk_pgt_table_desc(const struct hvk_pgt_fmt *fmt, u64 phys)
{
	return (phys & fmt->oa_mask) | fmt->table_type | fmt->table_attrs;
}

/**
 * hvk_pgt_leaf_desc() - page (level 3) or block descriptor
 * @fmt:	format
 * @phys:	output address, aligned to the level's size
 * @level:	1..3
 * @attrs:	format attributes from ept_leaf_attrs()/stage2_leaf_attrs()
 *
 * Return: the descriptor.
 */
static inline u64 hvk_pgt_leaf_desc(const struct hvk_pgt_fmt *fmt, u64 phys,
				    int level, u64 attrs)
{
	return (phys & fmt->oa_mask) | attrs |
	       (level == HVK_PGT_LAST_LEVEL ? fmt->page_type :
					      fmt->block_type);
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Format-neutral guest-physical radix page tables. See pgtable.h for the
 * design; ept.c and stage2.c supply the formats as data.
 */
#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/barrier.h>
#define hvk_pgt_va(phys)	((u64 *)__va(phys))
#else
#include "kernel_shim.h"
#ifndef READ_ONCE
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#endif
#ifndef smp_wmb
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#define hvk_pgt_va(phys)	((u64 *)hvk_pgt_test_phys_to_virt(phys))
#endif

#include "pgtable.h"

/* Index of @addr in the table at @level; the root may be concatenated. */
static inline unsigned int hvk_pgt_index(const struct hvk_pgt_fmt *fmt,
					 u64 addr, int level)
{
	u64 idx = addr >> hvk_pgt_level_shift(level);

	if (level == fmt->start_level)
		return idx;	/* < root_pages * 512: addr < 1 << ia_bits */
	return idx & (HVK_PGT_ENTRIES - 1);
}

static inline unsigned int hvk_pgt_root_order(const struct hvk_pgt_fmt *fmt)
{
	unsigned int order = 0;

	while ((1U << order) < fmt->root_pages)
		order++;
	return order;
}

static bool hvk_pgt_fmt_valid(const struct hvk_pgt_fmt *fmt)
{
	unsigned int order = hvk_pgt_root_order(fmt);
	unsigned int shift;

	if (fmt->start_level > HVK_PGT_LAST_LEVEL - 1 || !fmt->root_pages ||
	    fmt->root_pages > HVK_PGT_MAX_ROOT_PAGES ||
	    (1U << order) != fmt->root_pages)
		return false;
	shift = hvk_pgt_level_shift(fmt->start_level);
	/* The root must be needed, and must cover the whole input range. */
	if (fmt->ia_bits <= shift ||
	    fmt->ia_bits > shift + HVK_PGT_LEVEL_BITS + order)
		return false;
	/* Blocks only at levels 1 and 2, and never above the root. */
	if (fmt->block_levels & ~((1U << 1) | (1U << 2)) ||
	    fmt->block_levels & ((1U << fmt->start_level) - 1))
		return false;
	if (!fmt->present_mask || !fmt->oa_mask ||
	    fmt->oa_mask & (HVK_PGT_PAGE_SIZE - 1))
		return false;
	return true;
}

/**
 * hvk_pgt_init() - allocate an empty root for a format
 * @pgt:	the address space to set up
 * @fmt:	format and geometry, copied into @pgt
 * @ops:	allocator for the root (root_pages contiguous pages)
 *
 * Return: 0, -EINVAL for an inconsistent @fmt, or -ENOMEM.
 */
int hvk_pgt_init(struct hvk_pgt *pgt, const struct hvk_pgt_fmt *fmt,
		 const struct hvk_pgt_mm_ops *ops)
{
	void *root;
	u64 phys;

	pgt->root = NULL;
	pgt->root_phys = 0;
	if (!hvk_pgt_fmt_valid(fmt))
		return -EINVAL;
	root = ops->zalloc(ops->arg, hvk_pgt_root_order(fmt), &phys);
	if (!root)
		return -ENOMEM;
	pgt->fmt = *fmt;
	pgt->root = root;
	pgt->root_phys = phys;
	return 0;
}

/**
 * hvk_pgt_cache_topup() - make sure @cache holds at least @min pages
 * @cache:	the cache
 * @ops:	allocator (may sleep in the kernel: call outside the MMU lock)
 * @min:	pages wanted, at most HVK_PGT_CACHE_MAX; a map at level L of
 *		a tree starting at level S needs at most L - S
 *
 * Return: 0, -EINVAL if @min is too large, or -ENOMEM (the pages
 * allocated so far stay in the cache).
 */
int hvk_pgt_cache_topup(struct hvk_pgt_cache *cache,
			const struct hvk_pgt_mm_ops *ops, unsigned int min)
{
	if (min > HVK_PGT_CACHE_MAX)
		return -EINVAL;
	while (cache->nr < min) {
		u64 phys;
		void *virt = ops->zalloc(ops->arg, 0, &phys);

		if (!virt)
			return -ENOMEM;
		cache->virt[cache->nr] = virt;
		cache->phys[cache->nr] = phys;
		cache->nr++;
	}
	return 0;
}

/**
 * hvk_pgt_cache_drain() - give every cached page back
 * @cache:	the cache, empty afterwards
 * @ops:	->free is called once per page
 */
void hvk_pgt_cache_drain(struct hvk_pgt_cache *cache,
			 const struct hvk_pgt_mm_ops *ops)
{
	while (cache->nr) {
		cache->nr--;
		ops->free(ops->arg, cache->virt[cache->nr],
			  cache->phys[cache->nr], 0);
	}
}

/**
 * hvk_pgt_map() - map one page or block, creating tables on the way
 * @pgt:	address space
 * @cache:	zeroed pages for the tables that are missing
 * @gpa:	guest-physical address, aligned to the level's size
 * @phys:	host-physical address, aligned likewise
 * @level:	3 for a 4 KiB page, 2 for a 2 MiB block, 1 for a 1 GiB block
 *		(if the format allows it at that level)
 * @attrs:	leaf attributes encoded by the format (no address bits, no
 *		type bits); must make the leaf present
 * @flags:	HVK_PGT_MAP_REPLACE_TABLE to let a block replace a table
 * @detached:	if not NULL, receives the physical address of a replaced
 *		table (0 if none): the caller frees it with
 *		hvk_pgt_free_subtree(fmt, *detached, level + 1, ops) once
 *		the TLBs are flushed, because the hardware may still be
 *		walking it
 *
 * An identical leaf (ignoring the bits the hardware updates) already there
 * is success: two vCPUs may fault on the same page. Any other leaf, a
 * block above the target level, or a table at the target level without
 * HVK_PGT_MAP_REPLACE_TABLE, is refused: unmap first.
 *
 * Return: 0; -EINVAL for bad alignment, level or attributes; -ERANGE for a
 * gpa outside the input range; -EEXIST as above; -ENOMEM if @cache ran
 * out (tables already linked in stay, empty).
 */
int hvk_pgt_map(struct hvk_pgt *pgt, struct hvk_pgt_cache *cache, u64 gpa,
		u64 phys, int level, u64 attrs, unsigned int flags,
		u64 *detached)
{
	const struct hvk_pgt_fmt *fmt = &pgt->fmt;
	u64 size, new, new_table, *table;
	int l;

	if (detached)
		*detached = 0;
	if (level < fmt->start_level || level > HVK_PGT_LAST_LEVEL)
		return -EINVAL;
	if (level < HVK_PGT_LAST_LEVEL && !(fmt->block_levels & (1U << level)))
		return -EINVAL;
	size = hvk_pgt_level_size(level);
	if ((gpa | phys) & (size - 1) || phys & ~fmt->oa_mask)
		return -EINVAL;
	if (attrs & (fmt->oa_mask | fmt->type_mask))
		return -EINVAL;
	new = hvk_pgt_leaf_desc(fmt, phys, level, attrs);
	if (!hvk_pgt_desc_present(fmt, new))
		return -EINVAL;
	if (gpa >> fmt->ia_bits)
		return -ERANGE;

	table = pgt->root;
	for (l = fmt->start_level; ; l++) {
		u64 *ptep = &table[hvk_pgt_index(fmt, gpa, l)];
		u64 old = READ_ONCE(*ptep);

		if (l == level) {
			if (!((old ^ new) & ~fmt->hw_mask))
				return 0;
			if (hvk_pgt_desc_is_table(fmt, old, l)) {
				if (!(flags & HVK_PGT_MAP_REPLACE_TABLE) ||
				    !detached)
					return -EEXIST;
				*detached = hvk_pgt_desc_oa(fmt, old);
			} else if (hvk_pgt_desc_present(fmt, old)) {
				return -EEXIST;
			}
			WRITE_ONCE(*ptep, new);
			return 0;
		}
		if (!hvk_pgt_desc_present(fmt, old)) {
			if (!cache->nr)
				return -ENOMEM;
			cache->nr--;
			table = cache->virt[cache->nr];
			new_table = cache->phys[cache->nr];
			new_table = hvk_pgt_table_desc(fmt, new_table);
			/* Zeroed contents before the entry that links them. */
			smp_wmb();
			WRITE_ONCE(*ptep, new_table);
			continue;
		}
		if (!hvk_pgt_desc_is_table(fmt, old, l))
			return -EEXIST;	/* a block covers gpa */
		table = hvk_pgt_va(hvk_pgt_desc_oa(fmt, old));
	}
}

static bool hvk_pgt_unmap_level(const struct hvk_pgt_fmt *fmt, u64 *table,
				int level, u64 start, u64 end)
{
	u64 size = hvk_pgt_level_size(level);
	bool changed = false;
	u64 addr, next;

	for (addr = start; addr < end; addr = next) {
		u64 *ptep = &table[hvk_pgt_index(fmt, addr, level)];
		u64 old = READ_ONCE(*ptep);

		next = (addr & ~(size - 1)) + size;
		if (next > end)
			next = end;
		if (!hvk_pgt_desc_present(fmt, old))
			continue;
		if (hvk_pgt_desc_is_table(fmt, old, level)) {
			changed |= hvk_pgt_unmap_level(fmt,
					hvk_pgt_va(hvk_pgt_desc_oa(fmt, old)),
					level + 1, addr, next);
			continue;
		}
		/*
		 * A leaf, possibly a block only partly inside the range: it
		 * goes whole. The tables are filled lazily, so the rest of
		 * the block faults back in if it is still mapped by a slot.
		 */
		WRITE_ONCE(*ptep, 0);
		changed = true;
	}
	return changed;
}

/**
 * hvk_pgt_unmap() - clear the leaves mapping [@gpa, @gpa + @size)
 * @pgt:	address space
 * @gpa:	start, page aligned
 * @size:	length, page aligned; clipped to the input range
 *
 * Blocks that overlap the range are cleared whole (see above). Tables are
 * kept, even when they become empty, until hvk_pgt_free_tree().
 *
 * Return: 1 if any descriptor changed (the caller must flush the TLBs for
 * the range before relying on it being unmapped), 0 if none did, -EINVAL
 * for a misaligned or wrapping range.
 */
int hvk_pgt_unmap(struct hvk_pgt *pgt, u64 gpa, u64 size)
{
	const struct hvk_pgt_fmt *fmt = &pgt->fmt;
	u64 limit = 1ULL << fmt->ia_bits;
	u64 end = gpa + size;

	if ((gpa | size) & (HVK_PGT_PAGE_SIZE - 1) || end < gpa)
		return -EINVAL;
	if (end > limit)
		end = limit;
	if (gpa >= end)
		return 0;
	return hvk_pgt_unmap_level(fmt, pgt->root, fmt->start_level, gpa, end);
}

/**
 * hvk_pgt_lookup() - walk to the leaf that maps @gpa
 * @pgt:	address space
 * @gpa:	any guest-physical address
 * @walk:	descriptors seen, by level, and where the walk stopped
 *
 * Return: 0 with a leaf at @walk->level; -ENOENT if a non-present entry
 * was met at @walk->level; -ERANGE for a gpa outside the input range;
 * -EIO for a present descriptor that is neither table nor leaf.
 */
int hvk_pgt_lookup(const struct hvk_pgt *pgt, u64 gpa,
		   struct hvk_pgt_walk *walk)
{
	const struct hvk_pgt_fmt *fmt = &pgt->fmt;
	const u64 *table = pgt->root;
	int l;

	for (l = 0; l < HVK_PGT_MAX_LEVELS; l++)
		walk->desc[l] = 0;
	walk->level = fmt->start_level;
	if (gpa >> fmt->ia_bits)
		return -ERANGE;

	for (l = fmt->start_level; l <= HVK_PGT_LAST_LEVEL; l++) {
		u64 desc = READ_ONCE(table[hvk_pgt_index(fmt, gpa, l)]);

		walk->desc[l] = desc;
		walk->level = l;
		if (!hvk_pgt_desc_present(fmt, desc))
			return -ENOENT;
		if (hvk_pgt_desc_is_leaf(fmt, desc, l))
			return 0;
		if (!hvk_pgt_desc_is_table(fmt, desc, l))
			return -EIO;
		table = hvk_pgt_va(hvk_pgt_desc_oa(fmt, desc));
	}
	return -EIO;
}

static void hvk_pgt_free_table(const struct hvk_pgt_fmt *fmt, u64 *table,
			       u64 phys, int level, unsigned int entries,
			       unsigned int order,
			       const struct hvk_pgt_mm_ops *ops)
{
	unsigned int i;

	for (i = 0; level < HVK_PGT_LAST_LEVEL && i < entries; i++) {
		u64 desc = READ_ONCE(table[i]);

		if (hvk_pgt_desc_is_table(fmt, desc, level)) {
			u64 child = hvk_pgt_desc_oa(fmt, desc);

			hvk_pgt_free_table(fmt, hvk_pgt_va(child), child,
					   level + 1, HVK_PGT_ENTRIES, 0, ops);
		}
	}
	ops->free(ops->arg, table, phys, order);
}

/**
 * hvk_pgt_free_subtree() - free a (detached) table and all tables below it
 * @fmt:	format
 * @table_phys:	physical address of a single (non-root) table page
 * @level:	its level
 * @ops:	->free is called once per table page
 */
void hvk_pgt_free_subtree(const struct hvk_pgt_fmt *fmt, u64 table_phys,
			  int level, const struct hvk_pgt_mm_ops *ops)
{
	hvk_pgt_free_table(fmt, hvk_pgt_va(table_phys), table_phys, level,
			   HVK_PGT_ENTRIES, 0, ops);
}

/**
 * hvk_pgt_free_tree() - free every table of an address space
 * @pgt:	address space; its root is NULL afterwards
 * @ops:	->free is called once per table page, and once for the root
 *		with the order of its concatenated pages
 *
 * The caller makes sure no CPU can walk the tables any more (VMID/EPTP no
 * longer loaded, TLBs flushed).
 */
void hvk_pgt_free_tree(struct hvk_pgt *pgt, const struct hvk_pgt_mm_ops *ops)
{
	const struct hvk_pgt_fmt *fmt = &pgt->fmt;

	if (!pgt->root)
		return;
	hvk_pgt_free_table(fmt, pgt->root, pgt->root_phys, fmt->start_level,
			   fmt->root_pages * HVK_PGT_ENTRIES,
			   hvk_pgt_root_order(fmt), ops);
	pgt->root = NULL;
	pgt->root_phys = 0;
}

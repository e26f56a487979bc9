// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical memory: fault-in from memslots, pinning, invalidation.
 * The model and the locking rules are in mmu.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "hvk.h"
#include "mmu.h"

#define HVK_BLOCK_PAGES		(1UL << (hvk_pgt_level_shift(2) - PAGE_SHIFT))

static void *hvk_mmu_zalloc(void *arg, unsigned int order, u64 *phys)
{
	struct page *page;

	page = alloc_pages(GFP_KERNEL_ACCOUNT | __GFP_ZERO, order);
	if (!page)
		return NULL;
	*phys = page_to_phys(page);
	return page_address(page);
}

static void hvk_mmu_free(void *arg, void *virt, u64 phys, unsigned int order)
{
	free_pages((unsigned long)virt, order);
}

static const struct hvk_pgt_mm_ops hvk_mmu_ops = {
	.zalloc	= hvk_mmu_zalloc,
	.free	= hvk_mmu_free,
};

/**
 * hvk_mmu_init() - create the VM's empty guest-physical table
 * @vm: the VM, from hvk_arch_vm_init()
 * @fmt: the arch's table format and geometry for this VM
 *
 * Core tears it down with hvk_mmu_destroy() when the VM dies.
 *
 * Return: 0, or -ENOMEM / -EINVAL from the table code.
 */
int hvk_mmu_init(struct hvk_vm *vm, const struct hvk_pgt_fmt *fmt)
{
	struct hvk_mmu *mmu = &vm->mmu;
	int r;

	mutex_init(&mmu->lock);
	xa_init(&mmu->pinned);
	r = hvk_pgt_init(&mmu->pgt, fmt, &hvk_mmu_ops);
	if (r)
		return r;
	mmu->ready = true;
	return 0;
}

/* Drop the pins of [first, last] (gfns). Only after the TLB flush. */
static void hvk_mmu_unpin_range(struct hvk_mmu *mmu, u64 first, u64 last)
{
	struct page *page;
	unsigned long gfn;

	xa_for_each_range(&mmu->pinned, gfn, page, first, last) {
		xa_erase(&mmu->pinned, gfn);
		unpin_user_page(page);
		mmu->nr_pinned--;
		cond_resched();
	}
}

/**
 * hvk_mmu_destroy() - free the table and unpin every page
 * @vm: the VM; no vCPU runs any more, the arch part is still alive (the
 *      flush needs its EPTP or VMID)
 */
void hvk_mmu_destroy(struct hvk_vm *vm)
{
	struct hvk_mmu *mmu = &vm->mmu;

	if (!mmu->ready)
		return;
	/* A later VM may get the same root or VMID: no stale entry may live. */
	hvk_arch_mmu_flush(vm);
	hvk_pgt_free_tree(&mmu->pgt, &hvk_mmu_ops);
	hvk_mmu_unpin_range(mmu, 0, ULONG_MAX);
	xa_destroy(&mmu->pinned);
	mmu->ready = false;
	mutex_destroy(&mmu->lock);
}

/**
 * hvk_mmu_unmap_range() - forget the mappings of a deleted or changed slot
 * @vm: the VM
 * @gpa: start of the range, page aligned
 * @size: length, page aligned
 *
 * Called by core after the new memslot table is published and no reader
 * sees the old one. Clears the entries, flushes the TLBs of every CPU
 * and then unpins the pages.
 */
void hvk_mmu_unmap_range(struct hvk_vm *vm, u64 gpa, u64 size)
{
	struct hvk_mmu *mmu = &vm->mmu;
	int changed;

	if (!mmu->ready || !size)
		return;
	mutex_lock(&mmu->lock);
	changed = hvk_pgt_unmap(&mmu->pgt, gpa, size);
	mmu->invalidate_seq++;
	if (changed > 0)
		hvk_arch_mmu_flush(vm);
	hvk_mmu_unpin_range(mmu, gpa >> PAGE_SHIFT,
			    ((gpa + size) >> PAGE_SHIFT) - 1);
	mutex_unlock(&mmu->lock);
}

/* What the fault path learnt from the memslots, copied out of RCU. */
struct hvk_fault {
	u64 gfn;
	unsigned long hva;
	bool writable;
	/* the 2 MiB-aligned gfn range is inside the slot and congruent */
	bool block_ok;
	unsigned long block_hva;
	u64 block_gfn;
};

static int hvk_mmu_lookup(struct hvk_vm *vm, u64 gpa, struct hvk_fault *f)
{
	const struct hvk_memslot *slot;
	u64 gfn = gpa >> PAGE_SHIFT;
	int r = -ENOENT;

	rcu_read_lock();
	slot = memslot_find(rcu_dereference(vm->memslots), gfn);
	if (slot) {
		u64 off = gfn - slot->base_gfn;
		u64 bgfn = gfn & ~(u64)(HVK_BLOCK_PAGES - 1);

		f->gfn = gfn;
		f->hva = slot->userspace_addr + (off << PAGE_SHIFT);
		f->writable = !(slot->flags & KVM_MEM_READONLY);
		/*
		 * A block maps 2 MiB of guest memory to 2 MiB of host memory:
		 * only if the whole block lies in this slot and the hva is as
		 * aligned as the gpa within it.
		 */
		f->block_gfn = bgfn;
		f->block_hva = f->hva - ((gfn - bgfn) << PAGE_SHIFT);
		f->block_ok = bgfn >= slot->base_gfn &&
			      bgfn + HVK_BLOCK_PAGES <=
				slot->base_gfn + slot->npages &&
			      IS_ALIGNED(f->block_hva, HVK_BLOCK_PAGES << PAGE_SHIFT);
		r = 0;
	}
	rcu_read_unlock();
	return r;
}

/*
 * Is the 4 KiB page we pinned part of a physically contiguous, aligned
 * 2 MiB run (a THP or hugetlb page) that covers the whole block?
 */
static bool hvk_mmu_block_backed(struct hvk_fault *f, struct page *page)
{
	unsigned long idx = f->gfn - f->block_gfn;
	unsigned long pfn = page_to_pfn(page);
	struct folio *folio = page_folio(page);
	unsigned long first = folio_pfn(folio);

	if (!IS_ALIGNED(pfn - idx, HVK_BLOCK_PAGES))
		return false;
	return pfn - idx >= first &&
	       pfn - idx + HVK_BLOCK_PAGES <= first + folio_nr_pages(folio);
}

/*
 * Pin the whole block; true if the 512 pages are the expected contiguous
 * run (the mapping cannot have changed under us in a way that matters:
 * if it did, we map what we pinned, which is still this process's).
 */
static bool hvk_mmu_pin_block(struct hvk_fault *f, unsigned int gup,
			      struct page **pages)
{
	unsigned long i;
	long n;

	n = pin_user_pages_fast(f->block_hva, HVK_BLOCK_PAGES, gup, pages);
	if (n == HVK_BLOCK_PAGES) {
		for (i = 1; i < HVK_BLOCK_PAGES; i++)
			if (page_to_pfn(pages[i]) != page_to_pfn(pages[0]) + i)
				break;
		if (i == HVK_BLOCK_PAGES &&
		    IS_ALIGNED(page_to_pfn(pages[0]), HVK_BLOCK_PAGES))
			return true;
	}
	if (n > 0)
		unpin_user_pages(pages, n);
	return false;
}

static int hvk_mmu_record_pins(struct hvk_mmu *mmu, u64 gfn,
			       struct page **pages, unsigned long n)
{
	unsigned long i;
	int r;

	for (i = 0; i < n; i++) {
		r = xa_insert(&mmu->pinned, gfn + i, pages[i],
			      GFP_KERNEL_ACCOUNT);
		if (r) {
			while (i--)
				xa_erase(&mmu->pinned, gfn + i);
			return r;
		}
	}
	mmu->nr_pinned += n;
	return 0;
}

/* hvk_mmu_fault() with or without trying a 2 MiB block. */
static int __hvk_mmu_fault(struct hvk_vm *vm, u64 gpa, unsigned int access,
			   bool try_block)
{
	struct hvk_mmu *mmu = &vm->mmu;
	struct hvk_pgt_cache cache = { };
	struct page **pages = NULL, *page;
	unsigned long seq, npages = 1;
	unsigned int gup = FOLL_LONGTERM, prot;
	struct hvk_fault f;
	int level = HVK_PGT_LAST_LEVEL, r;
	u64 map_gfn;

	if (!mmu->ready)
		return -EFAULT;
	if (gpa >> mmu->pgt.fmt.ia_bits)
		return -ENOENT;

retry:
	if (fatal_signal_pending(current))
		return -EINTR;
	seq = READ_ONCE(mmu->invalidate_seq);
	smp_rmb();	/* the seq before the slots it guards */
	r = hvk_mmu_lookup(vm, gpa, &f);
	if (r)
		return r;
	if ((access & HVK_PGT_PROT_W) && !f.writable)
		return -EPERM;

	prot = HVK_PGT_PROT_R | HVK_PGT_PROT_X;
	if (f.writable) {
		/* Break COW now: the guest writes behind the host MM's back. */
		gup |= FOLL_WRITE;
		prot |= HVK_PGT_PROT_W;
	}

	r = pin_user_pages_fast(f.hva, 1, gup, &page);
	if (r != 1)
		return r == -ENOMEM || r == -EINTR ? r : -EFAULT;
	pages = &page;
	map_gfn = f.gfn;

	if (try_block && f.block_ok &&
	    (mmu->pgt.fmt.block_levels & BIT(2)) &&
	    hvk_mmu_block_backed(&f, page)) {
		struct page **block;

		block = kvmalloc_array(HVK_BLOCK_PAGES, sizeof(*block),
				       GFP_KERNEL_ACCOUNT);
		if (block && hvk_mmu_pin_block(&f, gup, block)) {
			unpin_user_page(page);
			pages = block;
			npages = HVK_BLOCK_PAGES;
			map_gfn = f.block_gfn;
			level = 2;
		} else {
			kvfree(block);
		}
	}

	r = hvk_pgt_cache_topup(&cache, &hvk_mmu_ops, HVK_PGT_CACHE_MAX);
	if (r)
		goto out_unpin;

	mutex_lock(&mmu->lock);
	if (mmu->invalidate_seq != seq) {
		/* A slot changed since the lookup: start again. */
		mutex_unlock(&mmu->lock);
		hvk_pgt_cache_drain(&cache, &hvk_mmu_ops);
		unpin_user_pages(pages, npages);
		if (npages > 1)
			kvfree(pages);
		pages = NULL;
		goto retry;
	}
	if (xa_load(&mmu->pinned, f.gfn)) {
		/* Another vCPU mapped it first. */
		r = 0;
		goto out_unlock;
	}
	r = hvk_mmu_record_pins(mmu, map_gfn, pages, npages);
	if (r) {
		/* Part of the block is mapped as pages already: use a page. */
		if (r == -EBUSY && npages > 1)
			r = -EAGAIN;
		goto out_unlock;
	}
	hvk_arch_mmu_sync_page(page_to_phys(pages[0]),
			       (u64)npages << PAGE_SHIFT, prot);
	r = hvk_pgt_map(&mmu->pgt, &cache, map_gfn << PAGE_SHIFT,
			page_to_phys(pages[0]), level,
			hvk_arch_mmu_leaf_attrs(vm, prot, level), 0, NULL);
	if (r) {
		unsigned long i;

		for (i = 0; i < npages; i++)
			xa_erase(&mmu->pinned, map_gfn + i);
		mmu->nr_pinned -= npages;
		if (r == -EEXIST && npages > 1)
			r = -EAGAIN;
		goto out_unlock;
	}
	mutex_unlock(&mmu->lock);
	hvk_pgt_cache_drain(&cache, &hvk_mmu_ops);
	if (npages > 1)
		kvfree(pages);
	return 0;

out_unlock:
	mutex_unlock(&mmu->lock);
out_unpin:
	hvk_pgt_cache_drain(&cache, &hvk_mmu_ops);
	unpin_user_pages(pages, npages);
	if (npages > 1)
		kvfree(pages);
	return r;
}

/**
 * hvk_mmu_fault() - map the page behind a guest-physical address
 * @vm: the VM
 * @gpa: the faulting guest-physical address
 * @access: HVK_PGT_PROT_R/W/X bits of the access that faulted
 *
 * RAM slots are mapped read, write and execute; read-only slots read and
 * execute. A 2 MiB block is used when the slot covers the whole aligned
 * block and the backing is a THP or hugetlb page.
 *
 * Return: 0 when the access can be retried; -ENOENT when no memslot
 * covers @gpa (MMIO); -EPERM for a write to a KVM_MEM_READONLY slot
 * (MMIO); -EFAULT when the slot's memory cannot be pinned; -ENOMEM;
 * -EINTR on a fatal signal.
 */
int hvk_mmu_fault(struct hvk_vm *vm, u64 gpa, unsigned int access)
{
	int r = __hvk_mmu_fault(vm, gpa, access, true);

	/*
	 * -EAGAIN: the block overlaps pages already mapped one by one (the
	 * backing became huge later). Map this access as a page instead.
	 */
	if (r == -EAGAIN)
		r = __hvk_mmu_fault(vm, gpa, access, false);
	return r;
}

/*
 * Copy between a kernel buffer and guest-physical memory, through the
 * memslots and the VMM's mapping of them (the uaccess routines fault
 * pages in as needed and fail cleanly on a bad hva).
 */
static int hvk_guest_copy(struct hvk_vm *vm, u64 gpa, void *buf,
			  unsigned int len, bool write)
{
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gpa));
		const struct hvk_memslot *slot;
		unsigned long hva = 0;
		bool ro = false;

		rcu_read_lock();
		slot = memslot_find(rcu_dereference(vm->memslots),
				    gpa >> PAGE_SHIFT);
		if (slot) {
			hva = slot->userspace_addr +
			      ((gpa >> PAGE_SHIFT) - slot->base_gfn) *
			      PAGE_SIZE + offset_in_page(gpa);
			ro = slot->flags & KVM_MEM_READONLY;
		}
		rcu_read_unlock();
		if (!slot)
			return -ENOENT;
		if (write && ro)
			return -EPERM;
		if (write ? copy_to_user((void __user *)hva, buf, n) :
			    copy_from_user(buf, (void __user *)hva, n))
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * hvk_guest_read() - read guest-physical memory
 * @vm: the VM, from one of its vCPU threads (its mm is current)
 * @gpa: guest-physical address
 * @buf: destination
 * @len: bytes
 *
 * Return: 0; -ENOENT if part of the range is in no memslot; -EFAULT if
 * the VMM's memory behind it cannot be read.
 */
int hvk_guest_read(struct hvk_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	return hvk_guest_copy(vm, gpa, buf, len, false);
}

/**
 * hvk_guest_write() - write guest-physical memory
 * @vm: the VM, from one of its vCPU threads
 * @gpa: guest-physical address
 * @buf: source
 * @len: bytes
 *
 * Return: as hvk_guest_read(), and -EPERM for a read-only slot.
 */
int hvk_guest_write(struct hvk_vm *vm, u64 gpa, const void *buf,
		    unsigned int len)
{
	return hvk_guest_copy(vm, gpa, (void *)buf, len, true);
}

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
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "hvk.h"
#include "mmu.h"
#include "trace.h"

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
 * The arch owns the table (mmu/ sits above core/, which never calls it):
 * hvk_arch_vm_init() calls this, hvk_arch_vm_destroy() hvk_mmu_destroy()
 * and hvk_arch_memslot_unmap() hvk_mmu_unmap_range(). Sets vm->mmu.
 *
 * Return: 0, or -ENOMEM / -EINVAL from the table code.
 */
int hvk_mmu_init(struct hvk_vm *vm, const struct hvk_pgt_fmt *fmt)
{
	struct hvk_mmu *mmu;
	int r;

	mmu = kzalloc(sizeof(*mmu), GFP_KERNEL_ACCOUNT);
	if (!mmu)
		return -ENOMEM;
	mutex_init(&mmu->lock);
	xa_init(&mmu->pinned);
	xa_init(&mmu->blocks);
	r = hvk_pgt_init(&mmu->pgt, fmt, &hvk_mmu_ops);
	if (r) {
		mutex_destroy(&mmu->lock);
		kfree(mmu);
		return r;
	}
	vm->mmu = mmu;
	return 0;
}

/*
 * The pins: @pinned maps a gfn to the 4 KiB page mapped there, @blocks a
 * 2 MiB block number (gfn / 512) to the first of its 512 pages, the one
 * page pinned for the block (hvk_mmu_pin_block()). The
 * entry's xarray tag says whether the guest could write the memory, so
 * that unpinning marks it dirty: the guest wrote behind the host MM's
 * back, and a shared file mapping must write that back.
 */
#define HVK_PIN_DIRTY	1

static int hvk_mmu_record_pin(struct xarray *xa, unsigned long index,
			      struct page *page, bool dirty)
{
	return xa_insert(xa, index,
			 xa_tag_pointer(page, dirty ? HVK_PIN_DIRTY : 0),
			 GFP_KERNEL_ACCOUNT);
}

/* Marking one page dirty marks its whole folio, a block's included. */
static void hvk_mmu_unpin(void *entry)
{
	unpin_user_page_range_dirty_lock(xa_untag_pointer(entry), 1,
					 xa_pointer_tag(entry) == HVK_PIN_DIRTY);
}

/*
 * Pinned guest memory counts against the VMM's RLIMIT_MEMLOCK, as other
 * long-term pinners (VFIO, io_uring, RDMA) count theirs: a user who can
 * open /dev/hvk cannot make unlimited memory unswappable. CAP_IPC_LOCK
 * lifts the limit. The uncharge may come after the process has exited
 * (the VM dies when its last fd goes), when there is nothing to uncharge.
 */
static int hvk_mmu_charge(struct hvk_vm *vm, unsigned long npages)
{
	return account_locked_vm(vm->mm, npages, true);
}

static void hvk_mmu_uncharge(struct hvk_vm *vm, unsigned long npages)
{
	if (npages && mmget_not_zero(vm->mm)) {
		account_locked_vm(vm->mm, npages, false);
		mmput(vm->mm);
	}
}

/* Drop the pins of gfns [first, last]. Only after the TLB flush. */
static void hvk_mmu_unpin_range(struct hvk_vm *vm, u64 first, u64 last)
{
	struct hvk_mmu *mmu = vm->mmu;
	unsigned long index, before = mmu->nr_pinned;
	void *entry;

	xa_for_each_range(&mmu->pinned, index, entry, first, last) {
		xa_erase(&mmu->pinned, index);
		hvk_mmu_unpin(entry);
		mmu->nr_pinned--;
		cond_resched();
	}
	/* A block lies wholly inside one slot: whole blocks go. */
	xa_for_each_range(&mmu->blocks, index, entry, first / HVK_BLOCK_PAGES,
			  last / HVK_BLOCK_PAGES) {
		xa_erase(&mmu->blocks, index);
		hvk_mmu_unpin(entry);
		mmu->nr_pinned -= HVK_BLOCK_PAGES;
		cond_resched();
	}
	WRITE_ONCE(vm->stats.pinned_pages, mmu->nr_pinned);
	hvk_mmu_uncharge(vm, before - mmu->nr_pinned);
}

/* Whether gfn is mapped already, as a page or inside a block. */
static bool hvk_mmu_is_mapped(struct hvk_mmu *mmu, u64 gfn)
{
	return xa_load(&mmu->pinned, gfn) ||
	       xa_load(&mmu->blocks, gfn / HVK_BLOCK_PAGES);
}

/**
 * hvk_mmu_destroy() - free the table and unpin every page
 * @vm: the VM; no vCPU runs any more, the arch part is still alive (the
 *      flush needs its EPTP or VMID)
 */
void hvk_mmu_destroy(struct hvk_vm *vm)
{
	struct hvk_mmu *mmu = vm->mmu;

	if (!mmu)
		return;
	/* A later VM may get the same root or VMID: no stale entry may live. */
	hvk_arch_mmu_flush(vm);
	hvk_pgt_free_tree(&mmu->pgt, &hvk_mmu_ops);
	hvk_pgt_cache_drain(&mmu->cache, &hvk_mmu_ops);
	hvk_mmu_unpin_range(vm, 0, ULONG_MAX);
	xa_destroy(&mmu->pinned);
	xa_destroy(&mmu->blocks);
	mutex_destroy(&mmu->lock);
	vm->mmu = NULL;
	kfree(mmu);
}

/**
 * hvk_mmu_unmap_range() - forget the mappings of a deleted or changed slot
 * @vm: the VM
 * @gpa: start of the range, page aligned
 * @size: length, page aligned
 *
 * Called through hvk_arch_memslot_unmap() once the new memslot table is
 * published and no reader sees the old one. Clears the entries, flushes
 * the TLBs of every CPU and then unpins the pages.
 */
void hvk_mmu_unmap_range(struct hvk_vm *vm, u64 gpa, u64 size)
{
	struct hvk_mmu *mmu = vm->mmu;
	int changed;

	if (!mmu || !size)
		return;
	mutex_lock(&mmu->lock);
	changed = hvk_pgt_unmap(&mmu->pgt, gpa, size);
	WRITE_ONCE(mmu->invalidate_seq, mmu->invalidate_seq + 1);
	/* A range the table refuses is a hvk bug: flush all the same. */
	WARN_ON_ONCE(changed < 0);
	if (changed) {
		hvk_arch_mmu_flush(vm);
		vm->stats.tlb_flushes++;
	}
	hvk_mmu_unpin_range(vm, gpa >> PAGE_SHIFT,
			    ((gpa + size) >> PAGE_SHIFT) - 1);
	mutex_unlock(&mmu->lock);
}

/* What the fault path learnt from the memslots, copied out of SRCU. */
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
	int r = -ENOENT, idx;

	idx = srcu_read_lock(&vm->srcu);
	slot = memslot_find(srcu_dereference(vm->memslots, &vm->srcu), gfn);
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
	srcu_read_unlock(&vm->srcu, idx);
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
 * One pin holds a whole block. A pinned page keeps its folio (the THP or
 * hugetlb page) allocated, unsplit and unmigrated, and the block maps
 * only pages of that folio; so the guest can never reach a page that is
 * not its own, even if the VMM remaps the range (see mmu.h). The pin
 * taken is the block's first page, checked to be where the folio says.
 */
static struct page *hvk_mmu_pin_block(struct hvk_fault *f, unsigned int gup,
				      struct page *faulting)
{
	unsigned long want = page_to_pfn(faulting) - (f->gfn - f->block_gfn);
	struct page *first;

	if (pin_user_pages_fast(f->block_hva, 1, gup, &first) != 1)
		return NULL;
	if (page_to_pfn(first) != want ||
	    page_folio(first) != page_folio(faulting)) {
		unpin_user_page(first);
		return NULL;
	}
	return first;
}

/* hvk_mmu_fault() with or without trying a 2 MiB block. */
static int __hvk_mmu_fault(struct hvk_vm *vm, u64 gpa, unsigned int access,
			   bool try_block)
{
	struct hvk_mmu *mmu = vm->mmu;
	unsigned int gup = FOLL_LONGTERM, prot;
	int level, r;
	unsigned long seq, npages;
	struct page *block, *page;
	struct hvk_fault f;
	u64 map_gfn;

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
	map_gfn = f.gfn;
	npages = 1;
	level = HVK_PGT_LAST_LEVEL;

	if (try_block && f.block_ok &&
	    (mmu->pgt.fmt.block_levels & BIT(2)) &&
	    hvk_mmu_block_backed(&f, page)) {
		block = hvk_mmu_pin_block(&f, gup, page);
		if (block) {
			unpin_user_page(page);
			page = block;
			npages = HVK_BLOCK_PAGES;
			map_gfn = f.block_gfn;
			level = 2;
		}
	}

	r = hvk_mmu_charge(vm, npages);
	if (r) {
		unpin_user_page(page);
		return r;
	}

	mutex_lock(&mmu->lock);
	if (mmu->invalidate_seq != seq) {
		/* A slot changed since the lookup: start again. */
		mutex_unlock(&mmu->lock);
		unpin_user_page(page);
		hvk_mmu_uncharge(vm, npages);
		goto retry;
	}
	r = 0;
	if (hvk_mmu_is_mapped(mmu, f.gfn))
		goto out_unlock;	/* another vCPU mapped it first */
	/*
	 * Table pages for the map, kept from one fault to the next: the
	 * mutex lets us sleep here, and the cache is rarely empty.
	 */
	r = hvk_pgt_cache_topup(&mmu->cache, &hvk_mmu_ops, HVK_PGT_CACHE_MAX);
	if (r)
		goto out_unlock;
	if (npages > 1)
		r = hvk_mmu_record_pin(&mmu->blocks, map_gfn / HVK_BLOCK_PAGES,
				       page, f.writable);
	else
		r = hvk_mmu_record_pin(&mmu->pinned, map_gfn, page,
				       f.writable);
	if (r)
		goto out_unlock;
	hvk_arch_mmu_sync_page(page_to_phys(page), (u64)npages << PAGE_SHIFT,
			       prot);
	r = hvk_pgt_map(&mmu->pgt, &mmu->cache, map_gfn << PAGE_SHIFT,
			page_to_phys(page), level,
			hvk_arch_mmu_leaf_attrs(vm, prot, level), 0, NULL);
	if (r) {
		if (npages > 1)
			xa_erase(&mmu->blocks, map_gfn / HVK_BLOCK_PAGES);
		else
			xa_erase(&mmu->pinned, map_gfn);
		goto out_unlock;
	}
	mmu->nr_pinned += npages;
	WRITE_ONCE(vm->stats.pinned_pages, mmu->nr_pinned);
	vm->stats.pages_mapped++;
	trace_hvk_map(map_gfn << PAGE_SHIFT, level, f.writable);
	mutex_unlock(&mmu->lock);
	return 0;

out_unlock:
	mutex_unlock(&mmu->lock);
	unpin_user_page(page);
	hvk_mmu_uncharge(vm, npages);
	/*
	 * A block over pages already mapped one by one (the backing became
	 * huge later) is refused by the table: map this access as a page.
	 */
	if (r == -EEXIST && npages > 1)
		r = -EAGAIN;
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
	int r;

	if (!vm->mmu)
		return -EFAULT;
	if (gpa >> vm->mmu->pgt.fmt.ia_bits)
		return -ENOENT;
	r = __hvk_mmu_fault(vm, gpa, access, true);
	if (r == -EAGAIN)
		r = __hvk_mmu_fault(vm, gpa, access, false);
	return r;
}

/* One copy, page by page, inside the caller's SRCU read section. */
static int __hvk_guest_copy(struct hvk_vm *vm, u64 gpa, void *buf,
			    unsigned int len, bool write)
{
	const struct hvk_memslots *slots;

	slots = srcu_dereference(vm->memslots, &vm->srcu);
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gpa));
		const struct hvk_memslot *slot;
		unsigned long hva;

		slot = memslot_find(slots, gpa >> PAGE_SHIFT);
		if (!slot)
			return -ENOENT;
		if (write && (slot->flags & KVM_MEM_READONLY))
			return -EPERM;
		hva = slot->userspace_addr +
		      ((gpa >> PAGE_SHIFT) - slot->base_gfn) * PAGE_SIZE +
		      offset_in_page(gpa);
		if (write ? copy_to_user((void __user *)hva, buf, n) :
			    copy_from_user(buf, (void __user *)hva, n))
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Copy between a kernel buffer and guest-physical memory, through the
 * memslots and the VMM's mapping of them (the uaccess routines fault
 * pages in as needed and fail cleanly on a bad hva). The slot's hva is
 * used only inside the SRCU read section that found it: the copy may
 * sleep, and a slot deleted meanwhile must not be written once
 * KVM_SET_USER_MEMORY_REGION has returned (the update waits for us).
 */
static int hvk_guest_copy(struct hvk_vm *vm, u64 gpa, void *buf,
			  unsigned int len, bool write)
{
	int idx, r;

	idx = srcu_read_lock(&vm->srcu);
	r = __hvk_guest_copy(vm, gpa, buf, len, write);
	srcu_read_unlock(&vm->srcu, idx);
	return r;
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

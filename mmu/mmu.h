/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-physical memory of one VM: the EPT or stage-2 table built lazily
 * from the memslots, and the user pages it maps.
 *
 * Memory model: pin on fault. The first guest access to a page faults
 * (EPT violation, stage-2 data/instruction abort); hvk_mmu_fault() looks
 * the gpa up in the memslots, pins the backing user page with
 * pin_user_pages_fast(FOLL_LONGTERM) and maps it. The pin is held until
 * the slot is deleted, moved or changed, or the VM dies: then the entries
 * are cleared, the TLBs flushed (hvk_arch_mmu_flush()) and only then the
 * pages unpinned, so the guest can never reach a page the host has
 * reused. The price, next to KVM's MMU notifiers: guest memory cannot be
 * swapped, migrated or split while mapped, and a VMM that munmap()s or
 * remaps a slot's memory behind hvk's back keeps the guest on the old
 * pages (still its own, never anyone else's) until it updates the slot.
 * That is the simple, safe half; notifiers can come behind this seam.
 *
 * The table format is plain data (struct hvk_pgt_fmt, chosen by the arch
 * in hvk_arch_vm_init()); leaf attributes, cache maintenance and TLB
 * invalidation are the arch's, bound at link time (core/arch.h).
 *
 * Locking: @lock (a mutex: pinning and TLB flushes sleep) serialises every
 * table write and @pinned. Faults pin before taking it and recheck
 * @invalidate_seq under it, so a fault that raced with a slot update
 * drops its page and retries instead of mapping a stale one.
 */
#ifndef HVK_MMU_MMU_H
#define HVK_MMU_MMU_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "pgtable.h"

struct hvk_vm;

struct hvk_mmu {
	struct hvk_pgt pgt;		/* root_phys: for EPTP / VTTBR_EL2 */
	struct mutex lock;
	unsigned long invalidate_seq;	/* bumped by every unmap */
	struct xarray pinned;		/* gfn -> the 4 KiB page pinned */
	struct xarray blocks;		/* gfn / 512 -> first page of a block */
	unsigned long nr_pinned;	/* pages pinned, blocks included; also
					 * in vm->stats.pinned_pages */
	struct hvk_pgt_cache cache;	/* table pages for the next maps */
};

int hvk_mmu_init(struct hvk_vm *vm, const struct hvk_pgt_fmt *fmt);
void hvk_mmu_destroy(struct hvk_vm *vm);
int hvk_mmu_fault(struct hvk_vm *vm, u64 gpa, unsigned int access);
void hvk_mmu_unmap_range(struct hvk_vm *vm, u64 gpa, u64 size);
int hvk_guest_read(struct hvk_vm *vm, u64 gpa, void *buf, unsigned int len);
int hvk_guest_write(struct hvk_vm *vm, u64 gpa, const void *buf,
		    unsigned int len);

#endif /* HVK_MMU_MMU_H */

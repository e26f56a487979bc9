/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memslots: which guest-physical pages are backed by which user memory.
 *
 * This file and memslot.c are pure logic: no locking, no allocation, no
 * user access. core/vm.c wraps them with the VM lock, RCU publication and
 * access_ok(); the fault paths (mmu/) look pages up with memslot_find().
 * The same two files also build as a host unit test
 * (selftests/unit/memslot_test.c), with a small shim for the kernel types.
 *
 * A struct hvk_memslots is immutable once published: an update builds a
 * new one with memslot_commit() and swaps the pointer, so lookups never
 * take a lock. Slots are kept sorted by base_gfn and never overlap, which
 * makes memslot_find() a binary search.
 */
#ifndef HVK_CORE_MEMSLOT_H
#define HVK_CORE_MEMSLOT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kvm.h>
#include <linux/types.h>
#include <asm/page.h>
#else
#include "kernel_shim.h"
#endif

/* Slot ids userspace may use (KVM_CAP_NR_MEMSLOTS). */
#define HVK_MEMSLOTS		512
/* Largest slot in pages, as KVM's KVM_MEM_MAX_NR_PAGES. */
#define HVK_MEMSLOT_MAX_PAGES	((1ULL << 31) - 1)

struct hvk_memslot {
	u64 base_gfn;
	u64 npages;
	u64 userspace_addr;
	u32 flags;
	u16 id;
};

struct hvk_memslots {
	u32 nr;
	struct hvk_memslot slots[];	/* sorted by base_gfn */
};

/* What a KVM_SET_USER_MEMORY_REGION call does to the table. */
enum memslot_change {
	MEMSLOT_NONE,		/* same as the slot already there */
	MEMSLOT_CREATE,
	MEMSLOT_DELETE,
	MEMSLOT_MOVE,		/* same hva and size, new gpa */
	MEMSLOT_FLAGS,		/* same place, new flags */
};

int memslot_check_region(const struct kvm_userspace_memory_region *mem,
			 u32 valid_flags);
int memslot_plan(const struct hvk_memslots *slots,
		 const struct kvm_userspace_memory_region *mem,
		 enum memslot_change *change);
void memslot_commit(const struct hvk_memslots *old, struct hvk_memslots *new,
		    enum memslot_change change,
		    const struct kvm_userspace_memory_region *mem);
const struct hvk_memslot *memslot_find(const struct hvk_memslots *slots,
				       u64 gfn);
const struct hvk_memslot *memslot_by_id(const struct hvk_memslots *slots,
					u16 id);

#endif /* HVK_CORE_MEMSLOT_H */

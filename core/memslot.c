// SPDX-License-Identifier: GPL-2.0
/*
 * Memslot rules and lookup, as pure functions (see memslot.h).
 *
 * The rules are KVM's, so that a VMM written for /dev/kvm sees the same
 * answers (Documentation/virt/kvm/api.rst, KVM_SET_USER_MEMORY_REGION):
 * every malformed region is -EINVAL, a new or moved slot that overlaps
 * another is -EEXIST, an existing slot can only be deleted (size 0),
 * moved (new gpa) or have its flags changed.
 */
#include "memslot.h"

/**
 * memslot_check_region() - reject a malformed region, whatever the table
 * @mem: the region from userspace
 * @valid_flags: KVM_MEM_* flags this VM supports
 *
 * Does not check that the hva range is user memory: the caller does that
 * with access_ok(), which needs the current task.
 *
 * Return: 0 or -EINVAL.
 */
int memslot_check_region(const struct kvm_userspace_memory_region *mem,
			 u32 valid_flags)
{
	const u64 page_mask = PAGE_SIZE - 1;

	if (mem->flags & ~valid_flags)
		return -EINVAL;
	/*
	 * The top 16 bits of the slot pick an address space (KVM uses 1 for
	 * x86 SMM). hvk has one address space.
	 */
	if (mem->slot >= HVK_MEMSLOTS)
		return -EINVAL;
	if ((mem->memory_size & page_mask) ||
	    (mem->guest_phys_addr & page_mask) ||
	    (mem->userspace_addr & page_mask))
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr)
		return -EINVAL;
	if (mem->userspace_addr + mem->memory_size < mem->userspace_addr)
		return -EINVAL;
	if ((mem->memory_size >> PAGE_SHIFT) > HVK_MEMSLOT_MAX_PAGES)
		return -EINVAL;
	return 0;
}

/**
 * memslot_by_id() - the slot with a given id
 * @slots: the table
 * @id: slot id
 *
 * Only on the (rare) update path, so a linear walk is fine.
 *
 * Return: the slot or NULL.
 */
const struct hvk_memslot *memslot_by_id(const struct hvk_memslots *slots,
					u16 id)
{
	u32 i;

	for (i = 0; i < slots->nr; i++)
		if (slots->slots[i].id == id)
			return &slots->slots[i];
	return NULL;
}

static bool memslot_overlaps(const struct hvk_memslots *slots, u16 id,
			     u64 base_gfn, u64 npages)
{
	u32 i;

	for (i = 0; i < slots->nr; i++) {
		const struct hvk_memslot *s = &slots->slots[i];

		if (s->id == id)
			continue;
		if (base_gfn < s->base_gfn + s->npages &&
		    s->base_gfn < base_gfn + npages)
			return true;
	}
	return false;
}

/**
 * memslot_plan() - decide what a well-formed region does to the table
 * @slots: the current table
 * @mem: a region that passed memslot_check_region()
 * @change: set to the change to make
 *
 * Return: 0 (with *change, possibly MEMSLOT_NONE), -EINVAL for a change
 * KVM does not allow (deleting a missing slot, resizing, moving the hva,
 * flipping KVM_MEM_READONLY) or -EEXIST for an overlap.
 */
int memslot_plan(const struct hvk_memslots *slots,
		 const struct kvm_userspace_memory_region *mem,
		 enum memslot_change *change)
{
	const struct hvk_memslot *old = memslot_by_id(slots, mem->slot);
	u64 base_gfn = mem->guest_phys_addr >> PAGE_SHIFT;
	u64 npages = mem->memory_size >> PAGE_SHIFT;

	if (!npages) {
		if (!old)
			return -EINVAL;
		*change = MEMSLOT_DELETE;
		return 0;
	}

	if (!old) {
		*change = MEMSLOT_CREATE;
	} else {
		if (mem->userspace_addr != old->userspace_addr ||
		    npages != old->npages ||
		    ((mem->flags ^ old->flags) & KVM_MEM_READONLY))
			return -EINVAL;
		if (base_gfn != old->base_gfn)
			*change = MEMSLOT_MOVE;
		else if (mem->flags != old->flags)
			*change = MEMSLOT_FLAGS;
		else
			*change = MEMSLOT_NONE;
	}

	if ((*change == MEMSLOT_CREATE || *change == MEMSLOT_MOVE) &&
	    memslot_overlaps(slots, mem->slot, base_gfn, npages))
		return -EEXIST;
	return 0;
}

/**
 * memslot_commit() - build the table after a planned change
 * @old: the current table
 * @new: room for old->nr + 1 slots; filled here
 * @change: from memslot_plan(), not MEMSLOT_NONE
 * @mem: the region
 *
 * Copies @old without the slot being replaced, then inserts the new slot
 * at its sorted place (unless deleting).
 */
void memslot_commit(const struct hvk_memslots *old, struct hvk_memslots *new,
		    enum memslot_change change,
		    const struct kvm_userspace_memory_region *mem)
{
	struct hvk_memslot slot = {
		.base_gfn = mem->guest_phys_addr >> PAGE_SHIFT,
		.npages = mem->memory_size >> PAGE_SHIFT,
		.userspace_addr = mem->userspace_addr,
		.flags = mem->flags,
		.id = mem->slot,
	};
	bool inserted = change == MEMSLOT_DELETE;
	u32 i, n = 0;

	for (i = 0; i < old->nr; i++) {
		const struct hvk_memslot *s = &old->slots[i];

		if (s->id == slot.id)
			continue;
		if (!inserted && slot.base_gfn < s->base_gfn) {
			new->slots[n++] = slot;
			inserted = true;
		}
		new->slots[n++] = *s;
	}
	if (!inserted)
		new->slots[n++] = slot;
	new->nr = n;
}

/**
 * memslot_find() - the slot that holds a guest frame
 * @slots: the table
 * @gfn: guest frame number
 *
 * Return: the slot, or NULL if @gfn is in no slot (MMIO to the VMM).
 */
const struct hvk_memslot *memslot_find(const struct hvk_memslots *slots,
				       u64 gfn)
{
	u32 lo = 0, hi = slots->nr;

	/* Find the last slot whose base_gfn <= gfn. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (slots->slots[mid].base_gfn <= gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	if (gfn - slots->slots[lo - 1].base_gfn < slots->slots[lo - 1].npages)
		return &slots->slots[lo - 1];
	return NULL;
}

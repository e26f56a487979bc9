/* SPDX-License-Identifier: GPL-2.0 */
/*
 * I/O ranges: which device of a VM's in-kernel I/O bus claims which guest
 * addresses (MMIO guest-physical addresses, or x86 ports).
 *
 * Pure logic like memslot.h: no locking, no allocation. core/iobus.c
 * publishes a table under the VM's SRCU and rebuilds it on every
 * registration; the unit test selftests/unit/iorange_test.c builds this
 * file on the host.
 *
 * Unlike memslots, ranges may overlap: several ioeventfds on one address
 * that differ only in the value they match, a coalesced zone around an
 * ioeventfd. A table is sorted by start address, and each entry records
 * the largest last address of itself and every entry before it
 * (@max_last), so a lookup is a binary search for the last start at or below the address
 * and a walk back that stops as soon as no earlier range can reach it:
 * O(log n + candidates), whatever the overlaps.
 */
#ifndef HVK_CORE_IORANGE_H
#define HVK_CORE_IORANGE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#endif

/* What sits behind a range; core/iobus.c dispatches on it. */
enum hvk_io_kind {
	HVK_IO_IOEVENTFD,	/* core/ioeventfd.c */
	HVK_IO_COALESCED,	/* core/coalesced.c */
	HVK_IO_ARCH,		/* an in-kernel device model: hvk_arch_io_*() */
};

struct hvk_io_range {
	u64 addr;
	u64 len;	/* 0: the address alone, whatever the access size */
	u64 max_last;	/* largest iorange_last() of entries 0..this one */
	enum hvk_io_kind kind;
	void *dev;
};

struct hvk_io_ranges {
	u32 nr;
	u32 nr_counted;	/* entries that count against HVK_IO_MAX_DEVS */
	struct hvk_io_range r[];	/* sorted by addr, then len */
};

/*
 * Devices other than ioeventfds a bus takes (KVM's NR_IOBUS_DEVS: a
 * VMM's coalesced zones and, later, in-kernel device models). ioeventfds
 * are bounded by the fds their owner may open, as in KVM; a full bus
 * takes no more of them either.
 */
#define HVK_IO_MAX_DEVS		1000

/*
 * The last address of @r (inclusive, so that a range may end at the top
 * of the space), saturating for a range that would run past it.
 */
static inline u64 iorange_last(const struct hvk_io_range *r)
{
	u64 len = r->len ? r->len : 1;

	return r->addr + (len - 1) < r->addr ? ~0ULL : r->addr + (len - 1);
}

/* Does @r cover every byte of the access [addr, addr + len)? */
static inline bool iorange_covers(const struct hvk_io_range *r, u64 addr,
				  u32 len)
{
	if (!r->len)
		return addr == r->addr;
	return len && addr >= r->addr && addr + (len - 1) >= addr &&
	       addr + (len - 1) <= iorange_last(r);
}

void iorange_insert(const struct hvk_io_ranges *old, struct hvk_io_ranges *new,
		    const struct hvk_io_range *add, bool counted);
int iorange_remove(const struct hvk_io_ranges *old, struct hvk_io_ranges *new,
		   const void *dev, bool counted);
int iorange_last_at_or_below(const struct hvk_io_ranges *rs, u64 addr);

/*
 * Every entry that may cover an access at @addr, most specific start
 * first: for (i = iorange_last_at_or_below(rs, addr); IORANGE_MAY_REACH(
 * rs, i, addr); i--).
 */
#define IORANGE_MAY_REACH(rs, i, addr) \
	((i) >= 0 && (rs)->r[(i)].max_last >= (addr))

#endif /* HVK_CORE_IORANGE_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * I/O range tables, as pure functions (see iorange.h).
 */
#include "iorange.h"

static bool iorange_before(const struct hvk_io_range *a,
			   const struct hvk_io_range *b)
{
	return a->addr < b->addr || (a->addr == b->addr && a->len < b->len);
}

/* Recompute @max_last from entry @from on. */
static void iorange_fix_max(struct hvk_io_ranges *rs, u32 from)
{
	u64 max = from ? rs->r[from - 1].max_last : 0;
	u32 i;

	for (i = from; i < rs->nr; i++) {
		u64 last = iorange_last(&rs->r[i]);

		if (last > max)
			max = last;
		rs->r[i].max_last = max;
	}
}

/**
 * iorange_insert() - a copy of a table with one more range
 * @old: the current table
 * @new: room for @old->nr + 1 entries; filled in
 * @add: the range (its max_last is computed here)
 * @counted: whether it counts against HVK_IO_MAX_DEVS (the caller
 *           checked @old->nr_counted)
 *
 * A new range goes after the ranges equal to it, so that devices on one
 * address are tried in the order they were registered.
 */
void iorange_insert(const struct hvk_io_ranges *old, struct hvk_io_ranges *new,
		    const struct hvk_io_range *add, bool counted)
{
	u32 i, at = old->nr;

	for (i = 0; i < old->nr; i++) {
		if (iorange_before(add, &old->r[i])) {
			at = i;
			break;
		}
	}
	new->nr = old->nr + 1;
	new->nr_counted = old->nr_counted + counted;
	for (i = 0; i < at; i++)
		new->r[i] = old->r[i];
	new->r[at] = *add;
	for (i = at; i < old->nr; i++)
		new->r[i + 1] = old->r[i];
	iorange_fix_max(new, at);
}

/**
 * iorange_remove() - a copy of a table without the range of @dev
 * @old: the current table
 * @new: room for @old->nr - 1 entries (at least one); filled in
 * @dev: the device whose (single) range goes
 * @counted: whether that range counted against HVK_IO_MAX_DEVS
 *
 * Return: 0, or -ENOENT if @dev has no range here (@new is then unused).
 */
int iorange_remove(const struct hvk_io_ranges *old, struct hvk_io_ranges *new,
		   const void *dev, bool counted)
{
	u32 i, at;

	for (at = 0; at < old->nr; at++)
		if (old->r[at].dev == dev)
			break;
	if (at == old->nr)
		return -ENOENT;
	new->nr = old->nr - 1;
	new->nr_counted = old->nr_counted - counted;
	for (i = 0; i < at; i++)
		new->r[i] = old->r[i];
	for (i = at + 1; i < old->nr; i++)
		new->r[i - 1] = old->r[i];
	iorange_fix_max(new, at);
	return 0;
}

/**
 * iorange_last_at_or_below() - where a lookup for @addr starts
 * @rs: the table
 * @addr: the accessed address
 *
 * Return: the index of the last range that starts at or below @addr, or
 * -1 if every range starts above it.
 */
int iorange_last_at_or_below(const struct hvk_io_ranges *rs, u64 addr)
{
	u32 lo = 0, hi = rs->nr;

	/* The first index whose start is above @addr, in [lo, hi]. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (rs->r[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)lo - 1;
}

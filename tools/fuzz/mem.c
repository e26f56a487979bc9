// SPDX-License-Identifier: GPL-2.0
/*
 * Executors for host memory (mmap, munmap, MADV_DONTNEED, mprotect) and
 * memslots (KVM_SET_USER_MEMORY_REGION: valid, overlapping, deleted,
 * moved, changed and garbage regions, checked against the model).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"

#define PAGE	4096UL

/* ---- host memory ---- */

static const size_t mem_sizes[8] = {
	512 << 10, 64 << 10, 4 << 10, 2 << 20,
	3 << 12, 1 << 20, 128 << 10, 256 << 10,
};

void op_mmap_mem(struct st *s, const struct op *o)
{
	int i, n = 0, l[MAX_MEMS];
	size_t size = mem_sizes[o->a[0] % 8];
	void *p;

	for (i = 0; i < MAX_MEMS; i++)
		if (!s->mem[i].hva)
			l[n++] = i;
	if (!n)
		return;
	i = l[o->a[1] % n];
	ncalls++;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | (o->a[2] & 1 ? MAP_POPULATE : 0),
		 -1, 0);
	if (p == MAP_FAILED)
		fail("mmap of %zu bytes: %s", size, strerror(errno));
	if (o->a[2] & 2)
		madvise(p, size, MADV_HUGEPAGE);
	s->mem[i].hva = p;
	s->mem[i].size = size;
}

void op_munmap_mem(struct st *s, const struct op *o)
{
	int i = pick_mem(s, o->a[0]);

	if (i < 0)
		return;
	ncalls++;
	switch (o->a[1] % 4) {
	case 0:
	case 1:	/* slots keep pointing at it: KVM_RUN sees -EFAULT */
		munmap(s->mem[i].hva, s->mem[i].size);
		s->mem[i].hva = NULL;
		break;
	case 2:	/* drop the pages: a pinned page stays the guest's */
		madvise(s->mem[i].hva, s->mem[i].size, MADV_DONTNEED);
		break;
	default: /* read-only: writable pins fail */
		mprotect(s->mem[i].hva, s->mem[i].size, PROT_READ);
		break;
	}
}

/* ---- memslots ---- */

int slot_overlaps(struct vm *vm, int skip, uint64_t gpa, uint64_t size)
{
	int i;

	for (i = 0; i < MAX_SLOTS; i++)
		if (i != skip && vm->slot[i].used &&
		    gpa < vm->slot[i].gpa + vm->slot[i].size &&
		    vm->slot[i].gpa < gpa + size)
			return 1;
	return 0;
}

struct slot *guest_slot(struct st *s, struct vm *vm, uint64_t r,
			uint64_t min_size, uint64_t max_gpa)
{
	int i;

	for (i = 0; i < MAX_SLOTS; i++) {
		struct slot *t = &vm->slot[(i + r) % MAX_SLOTS];
		struct mem *m = t->mem >= 0 ? &s->mem[t->mem] : NULL;

		if (t->used && m && m->hva && t->size >= min_size &&
		    t->gpa < max_gpa && t->hva >= (uintptr_t)m->hva &&
		    t->hva + t->size <= (uintptr_t)m->hva + m->size)
			return t;
	}
	return NULL;
}

uint64_t other_slot_gpa(struct vm *vm, struct slot *sl, uint64_t none)
{
	int i;

	for (i = 0; i < MAX_SLOTS; i++)
		if (vm->slot[i].used && &vm->slot[i] != sl)
			return vm->slot[i].gpa;
	return none;
}

static long set_region(struct vm *vm, uint32_t slot, uint32_t flags,
		       uint64_t gpa, uint64_t size, uint64_t hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = hva,
	};

	return xioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&r);
}

/* A guest physical address for a new slot of @size. */
static uint64_t rand_gpa(uint64_t r, uint64_t size)
{
#ifdef __x86_64__
	static const uint64_t bases[4] = { 0, 0x100000, 0xe0000, 0x40000000 };
#else
	static const uint64_t bases[4] = {
		0x40000000, 0x80000000, 0x10000000, 0
	};
#endif
	uint64_t g;

	if (r % 3)
		g = bases[(r >> 4) % 4] + ((r >> 8) % 16) * size;
	else
		g = ((r >> 8) % (1ULL << 32)) & ~(PAGE - 1);
#ifdef __x86_64__
	/* KVM keeps the TSS (KVM_SET_TSS_ADDR) and its own pages up here. */
	g %= 0xf0000000ULL;
#endif
	return g;
}

static int free_slot(struct vm *vm, uint64_t r)
{
	int i, n = 0, l[MAX_SLOTS];

	for (i = 0; i < MAX_SLOTS; i++)
		if (!vm->slot[i].used)
			l[n++] = i;
	return n ? l[r % n] : -1;
}

static int used_slot(struct vm *vm, uint64_t r)
{
	int i, n = 0, l[MAX_SLOTS];

	for (i = 0; i < MAX_SLOTS; i++)
		if (vm->slot[i].used)
			l[n++] = i;
	return n ? l[r % n] : -1;
}

static void expect(struct vm *vm, long r, int err, const char *what,
		   uint32_t slot, uint64_t gpa, uint64_t size, uint32_t flags)
{
	if (vm->dirty || vm->fd < 0)
		return;
	if (err == 0 && r != 0)
		fail("%s: KVM_SET_USER_MEMORY_REGION(slot %u, flags %#x, gpa "
		     "%#llx, size %#llx) failed: %s", what, slot, flags,
		     (unsigned long long)gpa, (unsigned long long)size,
		     strerror(errno));
	if (err && (r != -1 || errno != err))
		fail("%s: KVM_SET_USER_MEMORY_REGION(slot %u, flags %#x, gpa "
		     "%#llx, size %#llx) = %ld (%s), expected %s", what, slot,
		     flags, (unsigned long long)gpa, (unsigned long long)size,
		     r, r ? strerror(errno) : "ok", strerrorname_np(err));
}

void set_slot(struct st *s, struct vm *vm, const struct op *o)
{
	uint64_t a1 = o->a[1], a2 = o->a[2], a3 = o->a[3];
	uint64_t gpa, size, hva, off;
	struct slot *sl;
	uint32_t flags;
	int i, m, ov;
	long r;

	switch (o->a[0] % 16) {
	case 0: case 1: case 2: case 3:	/* a valid new slot */
		i = free_slot(vm, a1);
		m = pick_mem(s, a1 >> 8);
		if (i < 0 || m < 0)
			return;
		off = 0;
		size = s->mem[m].size;
		if (a2 & 1 && size > PAGE) {	/* part of the mapping */
			off = ((a2 >> 8) % (size / PAGE)) * PAGE;
			size = size - off;
		}
		gpa = rand_gpa(a3, size);
		flags = (a2 & 6) == 6 ? KVM_MEM_READONLY : 0;
		hva = (uint64_t)(uintptr_t)s->mem[m].hva + off;
		ov = slot_overlaps(vm, -1, gpa, size);
		r = set_region(vm, i, flags, gpa, size, hva);
		expect(vm, r, ov ? EEXIST : 0, "new slot", i, gpa, size,
		       flags);
		if (r == 0) {
			sl = &vm->slot[i];
			sl->used = 1;
			sl->flags = flags;
			sl->gpa = gpa;
			sl->size = size;
			sl->hva = hva;
			sl->mem = m;
			if (ov)
				vm->dirty = 1;
		}
		return;
	case 4: case 5:	/* delete */
		i = used_slot(vm, a1);
		if (i < 0)
			return;
		r = set_region(vm, i, 0, vm->slot[i].gpa, 0, vm->slot[i].hva);
		expect(vm, r, 0, "delete", i, vm->slot[i].gpa, 0, 0);
		if (r == 0)
			vm->slot[i].used = 0;
		return;
	case 6: case 7:	/* move */
		i = used_slot(vm, a1);
		if (i < 0)
			return;
		sl = &vm->slot[i];
		gpa = rand_gpa(a3, sl->size);
		ov = slot_overlaps(vm, i, gpa, sl->size);
		r = set_region(vm, i, sl->flags, gpa, sl->size, sl->hva);
		expect(vm, r, ov ? EEXIST : 0, "move", i, gpa, sl->size,
		       sl->flags);
		if (r == 0) {
			sl->gpa = gpa;
			if (ov)
				vm->dirty = 1;
		}
		return;
	case 8:	/* KVM_MEM_READONLY cannot change on a live slot */
		i = used_slot(vm, a1);
		if (i < 0)
			return;
		sl = &vm->slot[i];
		r = set_region(vm, i, sl->flags ^ KVM_MEM_READONLY, sl->gpa,
			       sl->size, sl->hva);
		expect(vm, r, EINVAL, "flip READONLY", i, sl->gpa, sl->size,
		       sl->flags ^ KVM_MEM_READONLY);
		if (r == 0)
			vm->dirty = 1;
		return;
	case 9:	/* nor can its size or host address */
		i = used_slot(vm, a1);
		if (i < 0)
			return;
		sl = &vm->slot[i];
		r = set_region(vm, i, sl->flags, sl->gpa,
			       a2 & 1 ? sl->size + PAGE : sl->size,
			       a2 & 1 ? sl->hva : sl->hva + PAGE);
		expect(vm, r, EINVAL, "resize or new hva", i, sl->gpa,
		       sl->size, sl->flags);
		if (r == 0)
			vm->dirty = 1;
		return;
	case 10: /* dirty logging: hvk refuses, KVM takes it */
		i = used_slot(vm, a1);
		if (i < 0)
			return;
		sl = &vm->slot[i];
		r = set_region(vm, i, sl->flags | KVM_MEM_LOG_DIRTY_PAGES,
			       sl->gpa, sl->size, sl->hva);
		if (r == 0)
			sl->flags |= KVM_MEM_LOG_DIRTY_PAGES;
		return;
	default: /* garbage near the boundaries */
		i = (a1 & 3) ? (int)(a1 >> 8) % 16 :
		    (int)((a1 >> 8) ^ (a1 & 0x10 ? 0x10000 : 0));
		flags = (a1 & 0xc) ? (a1 >> 32) & 7 : (uint32_t)(a1 >> 32);
		switch (a2 % 4) {
		case 0:
			gpa = a3 & ~(PAGE - 1);
			break;
		case 1:
			gpa = (a3 & 0xfffff) | 1;
			break;
		case 2:
			gpa = -(uint64_t)PAGE * ((a3 % 4) + 1);
			break;
		default:
			gpa = 1ULL << (32 + a3 % 24);
			break;
		}
		switch ((a2 >> 2) % 4) {
		case 0:
			size = PAGE * (1 + (a2 >> 8) % 64);
			break;
		case 1:
			size = (a2 >> 8) & 0xfffff;
			break;
		case 2:
			size = 1ULL << (20 + (a2 >> 8) % 44);
			break;
		default:
			size = -(uint64_t)PAGE;
			break;
		}
		m = pick_mem(s, a3 >> 8);
		hva = (a2 & 0x10) || m < 0 ? bad_ptr(a3 >> 16) :
		      (uint64_t)(uintptr_t)s->mem[m].hva;
		r = set_region(vm, i, flags, gpa, size, hva);
		if (r == 0)
			vm->dirty = 1;
		return;
	}
}


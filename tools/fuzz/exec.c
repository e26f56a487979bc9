// SPDX-License-Identifier: GPL-2.0
/*
 * Executors for the system fd, VM fds, host memory and memslots, and the
 * dispatch of every op. The model in struct st is what the fuzzer knows
 * of the kernel's state; an "expect" below is a call that a correct KVM
 * implementation must answer that way given the model.
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

void st_init(struct st *s)
{
	int i, j;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < MAX_SYS; i++)
		s->sys[i] = -1;
	for (i = 0; i < MAX_VMS; i++) {
		s->vm[i].fd = -1;
		for (j = 0; j < MAX_VCPUS; j++)
			s->vm[i].cpu[j].fd = -1;
	}
}

void close_vcpu(struct vcpu *c, long run_size)
{
	if (c->run)
		munmap(c->run, run_size);
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int vm_used(struct vm *vm)
{
	int i;

	if (vm->fd >= 0)
		return 1;
	for (i = 0; i < MAX_VCPUS; i++)
		if (vm->cpu[i].fd >= 0 || vm->cpu[i].run)
			return 1;
	return 0;
}

void close_vm(struct st *s, struct vm *vm)
{
	int i;

	for (i = 0; i < MAX_VCPUS; i++)
		close_vcpu(&vm->cpu[i], s->run_size);
	if (vm->fd >= 0)
		close(vm->fd);
	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	for (i = 0; i < MAX_VCPUS; i++)
		vm->cpu[i].fd = -1;
}

void st_teardown(struct st *s)
{
	int i;

	for (i = 0; i < MAX_VMS; i++)
		close_vm(s, &s->vm[i]);
	for (i = 0; i < MAX_SYS; i++)
		if (s->sys[i] >= 0)
			close(s->sys[i]);
	for (i = 0; i < MAX_MEMS; i++)
		if (s->mem[i].hva)
			munmap(s->mem[i].hva, s->mem[i].size);
	st_init(s);
}

/* ---- picking ---- */

int pick_sys(struct st *s, uint64_t r)
{
	int i, n = 0, l[MAX_SYS];

	for (i = 0; i < MAX_SYS; i++)
		if (s->sys[i] >= 0)
			l[n++] = i;
	return n ? s->sys[l[r % n]] : -1;
}

int vm_sys(struct st *s)
{
	return pick_sys(s, 0);
}

struct vm *pick_vm(struct st *s, uint64_t r)
{
	int i, n = 0, l[MAX_VMS];

	for (i = 0; i < MAX_VMS; i++)
		if (vm_used(&s->vm[i]))
			l[n++] = i;
	return n ? &s->vm[l[r % n]] : NULL;
}

struct vcpu *pick_vcpu(struct vm *vm, uint64_t r)
{
	int i, n = 0, l[MAX_VCPUS];

	if (!vm)
		return NULL;
	for (i = 0; i < MAX_VCPUS; i++)
		if (vm->cpu[i].fd >= 0)
			l[n++] = i;
	return n ? &vm->cpu[l[r % n]] : NULL;
}

int pick_mem(struct st *s, uint64_t r)
{
	int i, n = 0, l[MAX_MEMS];

	for (i = 0; i < MAX_MEMS; i++)
		if (s->mem[i].hva)
			l[n++] = i;
	return n ? l[r % n] : -1;
}

/* ---- system fd ---- */

static void op_open_dev(struct st *s, const struct op *o)
{
	int i, fd;

	for (i = 0; i < MAX_SYS && s->sys[i] >= 0; i++)
		;
	ncalls++;
	fd = open(cfg.dev, (o->a[1] & 1 ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		if (!(o->a[1] & 1))
			fail("open(%s): %s", cfg.dev, strerror(errno));
		return;
	}
	if (i == MAX_SYS)
		close(fd);
	else
		s->sys[i] = fd;
}

static void op_close_dev(struct st *s, const struct op *o)
{
	int i;

	for (i = 0; i < MAX_SYS; i++)
		if (s->sys[i] >= 0 && s->sys[i] == pick_sys(s, o->a[0])) {
			close(s->sys[i]);
			s->sys[i] = -1;
			return;
		}
}

/* A capability number: small ones, around the known range, or wild. */
static long rand_cap(uint64_t r)
{
	switch (r % 4) {
	case 0:
	case 1:
		return (r >> 8) % 240;
	case 2:
		return (long)(r >> 8);
	default:
		return -(long)((r >> 8) % 4);
	}
}

static void op_sys_misc(struct st *s, const struct op *o)
{
	int sys = pick_sys(s, o->a[1]);
	long r;

	if (sys < 0)
		return;
	switch (o->a[0] % 4) {
	case 0:
		/* KVM: a non-zero argument is -EINVAL */
		r = xioctl(sys, KVM_GET_API_VERSION, o->a[2] & 1 ? o->a[3] : 0);
		if (r != KVM_API_VERSION && !(o->a[2] & 1 && o->a[3]))
			fail("KVM_GET_API_VERSION = %ld, expected %d", r,
			     KVM_API_VERSION);
		break;
	case 1:
		r = xioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
		if (r != 1)
			fail("KVM_CHECK_EXTENSION(KVM_CAP_USER_MEMORY) on the "
			     "device = %ld (%s), expected 1", r,
			     strerror(errno));
		break;
	case 2:
		r = xioctl(sys, KVM_GET_VCPU_MMAP_SIZE, o->a[2] & 1 ? o->a[3] : 0);
		if (o->a[2] & 1 && o->a[3])
			break;
		if (r < (long)PAGE || (s->run_size && r != s->run_size))
			fail("KVM_GET_VCPU_MMAP_SIZE = %ld (%s), before %ld",
			     r, strerror(errno), s->run_size);
		s->run_size = r;
		break;
	default:
		xioctl(sys, KVM_CHECK_EXTENSION, rand_cap(o->a[2]));
		break;
	}
}

/* ---- VMs ---- */

static void op_create_vm(struct st *s, const struct op *o)
{
	int sys = pick_sys(s, o->a[1]), i, fd;
	unsigned long type;
	long r;

	if (sys < 0)
		return;
	switch (o->a[0] % 4) {
	case 0:
		type = 0;
		break;
	case 1:
		type = arch_vm_types[(o->a[2] >> 8) % arch_nvm_types];
		break;
	case 2:
		type = o->a[2];
		break;
	default:
		type = o->a[2] % 256;
		break;
	}
	fd = xioctl(sys, KVM_CREATE_VM, type);
	if (fd < 0) {
		if (type == 0)
			fail("KVM_CREATE_VM(0): %s", strerror(errno));
		return;
	}
	if (!s->run_size)
		s->run_size = xioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	run_area = s->run_size;
	/* A fresh VM must have user memory (KVM_CAP_CHECK_EXTENSION_VM). */
	r = xioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
	if (r != 1)
		fail("fresh VM (type %#lx): KVM_CHECK_EXTENSION("
		     "KVM_CAP_USER_MEMORY) = %ld (%s), expected 1", type, r,
		     strerror(errno));
	for (i = 0; i < MAX_VMS && vm_used(&s->vm[i]); i++)
		;
	if (i == MAX_VMS) {
		close(fd);	/* created and destroyed at once */
		return;
	}
	/* An entry whose VM went with its last vCPU: forget it all. */
	close_vm(s, &s->vm[i]);
	s->vm[i].fd = fd;
	s->vm[i].type = type;
}

static void op_close_vm(struct st *s, const struct op *o)
{
	struct vm *vm = pick_vm(s, o->a[0]);

	if (!vm)
		return;
	if (o->a[1] & 1) {
		/* The VM fd only: its vCPUs keep the VM alive. */
		if (vm->fd >= 0)
			close(vm->fd);
		vm->fd = -1;
	} else {
		close_vm(s, vm);
	}
}

static void op_vm_misc(struct st *s, const struct op *o)
{
	struct vm *vm = pick_vm(s, o->a[1]);
	struct kvm_enable_cap cap;
	long r;

	if (!vm)
		return;
	switch (o->a[0] % 4) {
	case 0:
		r = xioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY);
		if (vm->fd >= 0 && r != 1)
			fail("VM: KVM_CHECK_EXTENSION(KVM_CAP_USER_MEMORY) = "
			     "%ld (%s)", r, strerror(errno));
		break;
	case 1:
		xioctl(vm->fd, KVM_CHECK_EXTENSION, rand_cap(o->a[2]));
		break;
	case 2:
		memset(&cap, 0, sizeof(cap));
		cap.cap = rand_cap(o->a[2]);
		cap.flags = o->a[3] & 0x100 ? o->a[3] >> 32 : 0;
		cap.args[0] = o->a[3] & 0x200 ? o->a[3] : o->a[3] % 4;
#ifdef __x86_64__
		/* No HLT passthrough: see README (the Bochs lab and IF=0). */
		if (cap.cap == KVM_CAP_X86_DISABLE_EXITS)
			cap.cap = 0;
#endif
		if (xioctl(vm->fd, KVM_ENABLE_CAP, (unsigned long)&cap) == 0)
			vm->dirty = 1;
		break;
	default:
		xioctl(vm->fd, KVM_ENABLE_CAP, bad_ptr(o->a[2]));
		break;
	}
}

/* ---- host memory ---- */

static const size_t mem_sizes[8] = {
	512 << 10, 64 << 10, 4 << 10, 2 << 20,
	3 << 12, 1 << 20, 128 << 10, 256 << 10,
};

static void op_mmap_mem(struct st *s, const struct op *o)
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

static void op_munmap_mem(struct st *s, const struct op *o)
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

/* ---- bad and unknown ioctls ---- */

static void op_bad_ioctl(struct st *s, const struct op *o)
{
	struct vm *vm = pick_vm(s, o->a[1]);
	struct vcpu *c = pick_vcpu(vm, o->a[1] >> 8);
	unsigned long nr, req, arg;
	int fd;

	switch (o->a[0] % 3) {
	case 0:
		fd = pick_sys(s, o->a[1]);
		break;
	case 1:
		fd = vm ? vm->fd : -1;
		break;
	default:
		fd = c ? c->fd : -1;
		break;
	}
	if (fd < 0)
		return;
	nr = o->a[2] & 0xff;
	switch ((o->a[2] >> 8) % 4) {
	case 0:	/* no data: only numbers KVM leaves free */
		req = _IOC(_IOC_NONE, KVMIO, 0xf0 | (nr & 0xf), 0);
		break;
	case 1:	/* a KVMIO number with a random direction and size */
		req = _IOC((o->a[2] >> 16) % 4, KVMIO, nr,
			   (o->a[2] >> 24) % 4096);
		if (req == KVM_RUN)
			req = _IOC(_IOC_NONE, KVMIO, 0xff, 0);
		break;
	case 2:	/* a foreign type byte */
		req = _IOC((o->a[2] >> 16) % 4, (o->a[2] >> 24) & 0xff, nr,
			   (o->a[2] >> 32) % 4096);
		if (((req >> _IOC_TYPESHIFT) & 0xff) == KVMIO)
			req ^= 1 << _IOC_TYPESHIFT;
		break;
	default: /* a wholly random number */
		req = (unsigned int)(o->a[2] >> 32);
		if (((req >> _IOC_TYPESHIFT) & 0xff) == KVMIO)
			req ^= 1 << _IOC_TYPESHIFT;
		break;
	}
	arg = o->a[3] & 1 ? (unsigned long)scratch(o->a[3], 4096) :
	      bad_ptr(o->a[3] >> 1);
	xioctl(fd, req, arg);
}

void exec_op(struct st *s, const struct op *o)
{
	struct vm *vm;
	int sys;

	switch (o->kind) {
	case OP_OPEN_DEV:
		op_open_dev(s, o);
		break;
	case OP_CLOSE_DEV:
		op_close_dev(s, o);
		break;
	case OP_SYS_MISC:
		op_sys_misc(s, o);
		break;
	case OP_SYS_ARCH:
		sys = pick_sys(s, o->a[1]);
		if (sys >= 0)
			arch_sys_op(s, sys, o);
		break;
	case OP_CREATE_VM:
		op_create_vm(s, o);
		break;
	case OP_CLOSE_VM:
		op_close_vm(s, o);
		break;
	case OP_VM_MISC:
		op_vm_misc(s, o);
		break;
	case OP_VM_ARCH:
		vm = pick_vm(s, o->a[1]);
		if (vm)
			arch_vm_op(s, vm, o);
		break;
	case OP_MMAP_MEM:
		op_mmap_mem(s, o);
		break;
	case OP_MUNMAP_MEM:
		op_munmap_mem(s, o);
		break;
	case OP_SET_SLOT:
		vm = pick_vm(s, o->a[1] >> 32);
		if (vm && vm->fd >= 0)
			set_slot(s, vm, o);
		break;
	case OP_BAD_IOCTL:
		op_bad_ioctl(s, o);
		break;
	case OP_RACE:
		do_race(s, o);
		break;
	default:
		exec_vcpu_op(s, o);
		break;
	}
}

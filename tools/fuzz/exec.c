// SPDX-License-Identifier: GPL-2.0
/*
 * The model's life cycle and picking, unknown ioctls and bad pointers, and
 * the dispatch of every op. The model in struct st is what the fuzzer
 * knows of the kernel's state; an "expect" in the executors is a call
 * that a correct KVM implementation must answer that way given it.
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

int vm_used(struct vm *vm)
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

/* ---- bad and unknown ioctls ---- */

void op_bad_ioctl(struct st *s, const struct op *o)
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

// SPDX-License-Identifier: GPL-2.0
/*
 * Executors for the system fd (open, close, API version, capabilities,
 * run-area size) and VM fds (create with random types, close, capability
 * checks, ENABLE_CAP).
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

/* ---- system fd ---- */

void op_open_dev(struct st *s, const struct op *o)
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

void op_close_dev(struct st *s, const struct op *o)
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

void op_sys_misc(struct st *s, const struct op *o)
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

void op_create_vm(struct st *s, const struct op *o)
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

void op_close_vm(struct st *s, const struct op *o)
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

void op_vm_misc(struct st *s, const struct op *o)
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


// SPDX-License-Identifier: GPL-2.0
/*
 * OP_RACE: one vCPU runs (this thread, timer-bounded) while a second
 * thread, after a delay drawn from the op, destroys or changes something
 * the run depends on: the vCPU's fd, the memory behind a slot, a slot
 * (deleted or moved), the VM fd, another VM (created and destroyed), or
 * another vCPU of the same VM run at the same time.
 *
 * Which thing and when come from the op; how the two threads interleave
 * does not: a replay repeats the calls, not the interleaving. With
 * --single the action runs in line, before or after the run, and the
 * replay is exact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"

struct race {
	struct st *s;
	struct vm *vm;
	struct vcpu *c;		/* the vCPU the main thread runs */
	struct vcpu *other;	/* another vCPU of the VM, or NULL */
	const struct op *o;
	int closed_fd;		/* the action closed c's fd */
	int closed_vm;
};

static void race_action(struct race *r)
{
	const struct op *o = r->o;
	struct st *s = r->s;
	struct op so;
	int i, sys, vm, m;

	switch (o->a[1] % 8) {
	case 0:	/* close the running vCPU's fd */
		__atomic_add_fetch(&ncalls, 1, __ATOMIC_RELAXED);
		close(r->c->fd);
		r->closed_fd = 1;
		break;
	case 1:	/* munmap the memory behind a slot of this VM */
		for (i = 0; i < MAX_SLOTS; i++) {
			struct slot *sl = &r->vm->slot[(i + o->a[2]) %
							 MAX_SLOTS];

			if (sl->used && sl->mem >= 0 && s->mem[sl->mem].hva) {
				__atomic_add_fetch(&ncalls, 1, __ATOMIC_RELAXED);
				munmap(s->mem[sl->mem].hva,
				       s->mem[sl->mem].size);
				s->mem[sl->mem].hva = NULL;
				break;
			}
		}
		break;
	case 2:	/* delete a slot */
	case 3:	/* move a slot */
		memset(&so, 0, sizeof(so));
		so.kind = OP_SET_SLOT;
		so.a[0] = o->a[1] % 8 == 2 ? 4 : 6;
		so.a[1] = o->a[2];
		so.a[2] = o->a[3];
		so.a[3] = o->a[3] >> 13;
		if (r->vm->fd >= 0)
			set_slot(s, r->vm, &so);
		break;
	case 4:	/* a whole VM's life */
		sys = pick_sys(s, 0);
		if (sys < 0)
			break;
		vm = xioctl(sys, KVM_CREATE_VM, 0);
		if (vm < 0)
			fail("KVM_CREATE_VM(0) during a run: %s",
			     strerror(errno));
		m = pick_mem(s, o->a[2]);
		if (m >= 0) {
			struct kvm_userspace_memory_region rg = {
				.slot = 0, .memory_size = s->mem[m].size,
				.guest_phys_addr = 0x40000000,
				.userspace_addr = (uintptr_t)s->mem[m].hva,
			};

			if (xioctl(vm, KVM_SET_USER_MEMORY_REGION,
				   (unsigned long)&rg))
				fail("new VM during a run: slot 0: %s",
				     strerror(errno));
		}
		i = xioctl(vm, KVM_CREATE_VCPU, 0);
		if (i < 0)
			fail("new VM during a run: KVM_CREATE_VCPU(0): %s",
			     strerror(errno));
		close(i);
		close(vm);
		break;
	case 5:	/* close the VM fd */
		__atomic_add_fetch(&ncalls, 1, __ATOMIC_RELAXED);
		if (r->vm->fd >= 0)
			close(r->vm->fd);
		r->closed_vm = 1;
		break;
	default: /* run another vCPU at the same time */
		if (r->other)
			do_run(s, r->vm, r->other, o->a[3], 2);
		break;
	}
}

static void *race_thread(void *arg)
{
	struct race *r = arg;

	usleep(r->o->a[2] % (cfg.timer_ms * 1000));
	race_action(r);
	return NULL;
}

void do_race(struct st *s, const struct op *o)
{
	struct vm *vm = pick_vm(s, o->a[0]);
	struct vcpu *c = pick_vcpu(vm, o->a[0] >> 8), *other;
	struct race r;
	pthread_t t;
	sigset_t set, old;

	if (!c)
		return;
	other = pick_vcpu(vm, o->a[0] >> 16);
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.vm = vm;
	r.c = c;
	r.other = other != c ? other : NULL;
	r.o = o;
	if (cfg.single) {
		if (o->a[0] & 1)
			race_action(&r);
		do_run(s, vm, c, o->a[3], 2);
		if (!(o->a[0] & 1))
			race_action(&r);
	} else {
		/* SIGALRM is the main thread's: block it in the new one. */
		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		pthread_sigmask(SIG_BLOCK, &set, &old);
		if (pthread_create(&t, NULL, race_thread, &r))
			fail("pthread_create: %s", strerror(errno));
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		do_run(s, vm, c, o->a[3], 2);
		pthread_join(t, NULL);
	}
	if (r.closed_fd) {
		c->fd = -1;
		close_vcpu(c, s->run_size);
	}
	if (r.closed_vm)
		vm->fd = -1;
}

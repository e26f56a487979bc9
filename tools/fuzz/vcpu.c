// SPDX-License-Identifier: GPL-2.0
/*
 * Executors for vCPU fds: creation, the run area, KVM_RUN with its checks
 * (each run ended by a timer signal, exits the device may give).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"

static void op_create_vcpu(struct st *s, const struct op *o)
{
	struct vm *vm = pick_vm(s, o->a[1]);
	int i, id, fd, valid = 0, dup = 0, n = 0;
	struct vcpu *c;

	if (!vm || vm->fd < 0)
		return;
	for (i = 0; i < MAX_VCPUS; i++)
		n += vm->cpu[i].fd >= 0;
	switch (o->a[0] % 4) {
	case 0:	/* the next id never used in this VM */
		id = vm->nvcpus_made;
		valid = n < MAX_VCPUS && id < MAX_VCPUS;
		break;
	case 1:
		id = (o->a[2] >> 8) % 1024;
		break;
	case 2:
		id = (int)(o->a[2] >> 16);
		break;
	default: /* an id in use: -EEXIST */
		c = pick_vcpu(vm, o->a[2]);
		if (!c)
			return;
		id = c->id;
		dup = 1;
		break;
	}
	fd = xioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (dup && fd >= 0 && !vm->dirty)
		fail("KVM_CREATE_VCPU(%d) twice succeeded", id);
	if (dup && fd < 0 && errno != EEXIST && !vm->dirty)
		fail("KVM_CREATE_VCPU(%d) twice: %s, expected EEXIST", id,
		     strerror(errno));
	if (fd < 0) {
		if (valid && !vm->dirty)
			fail("KVM_CREATE_VCPU(%d) (vCPU %d of the VM): %s", id,
			     n, strerror(errno));
		return;
	}
	if (id >= vm->nvcpus_made && id < 1024)
		vm->nvcpus_made = id + 1;
	for (i = 0; i < MAX_VCPUS && vm->cpu[i].fd >= 0; i++)
		;
	if (i == MAX_VCPUS) {
		close(fd);
		return;
	}
	c = &vm->cpu[i];
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->id = id;
	arch_vcpu_created(s, vm, c);
}

static void op_vcpu_mmap(struct st *s, struct vm *vm, struct vcpu *c,
			 const struct op *o)
{
	void *p;
	int fd;

	(void)vm;
	if (!s->run_size)
		return;
	switch (o->a[0] % 8) {
	case 0: case 1: case 2: case 3:
		if (c->run)
			return;
		ncalls++;
		p = mmap(NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 c->fd, 0);
		if (p == MAP_FAILED)
			fail("mmap of the vCPU's run area (%ld bytes): %s",
			     s->run_size, strerror(errno));
		c->run = p;
		/* It must be there: read and write a field. */
		c->run->immediate_exit = 0;
		(void)*(volatile uint32_t *)&c->run->exit_reason;
		break;
	case 4:
		if (!c->run)
			return;
		ncalls++;
		munmap(c->run, s->run_size);
		c->run = NULL;
		break;
	default: /* odd offsets, sizes, flags and fds; never touched */
		fd = o->a[1] & 1 ? c->fd : o->a[1] & 2 ? vm->fd :
		     pick_sys(s, 0);
		ncalls++;
		p = mmap(NULL, 4096 * (1 + (o->a[2] % 4)),
			 PROT_READ | (o->a[2] & 4 ? PROT_WRITE : 0) |
			 (o->a[2] & 8 ? PROT_EXEC : 0),
			 o->a[2] & 16 ? MAP_PRIVATE : MAP_SHARED, fd,
			 4096 * ((o->a[3] % 4) ? o->a[3] % 4 : o->a[3] >> 40));
		if (p != MAP_FAILED)
			munmap(p, 4096 * (1 + (o->a[2] % 4)));
		break;
	}
}

/*
 * Up to @nruns KVM_RUNs of @c, each ended by SIGALRM after cfg.timer_ms
 * at the latest; the watchdog calls a run that outlives cfg.hang_ms a
 * hang. Exits are answered by arch_exit(); reads get values from @r.
 */
void do_run(struct st *s, struct vm *vm, struct vcpu *c, uint64_t r,
	    int nruns)
{
	struct kvm_run *run = c->run;
	int n, ie, err;
	long ret;

	(void)s;
	for (n = 0; n < nruns; n++) {
		ie = run && (rnd(&r) % 16) == 0;
		if (ie)
			run->immediate_exit = 1;
		runner_begin();
		ret = xioctl(c->fd, KVM_RUN, 0);
		err = errno;
		runner_end();
		if (ie)
			run->immediate_exit = 0;
		if (ret == 0)
			c->ran = vm->ran = 1;
		__atomic_add_fetch(&run_stats[ret ? (err == EINTR ? ST_EINTR :
						      ST_ERR) :
					      !run ? ST_UNSEEN :
					      run->exit_reason < 40 ?
					      run->exit_reason : 39],
				   1, __ATOMIC_RELAXED);
		/*
		 * KVM 6.1 returns EINTR, or an earlier error: never enters
		 * the guest. Completing an I/O or MMIO exit may give the next
		 * one of the same instruction first (x86 string and split
		 * accesses): only those exits are allowed.
		 */
		if (ie && ret == 0 && run->exit_reason != KVM_EXIT_MMIO &&
		    run->exit_reason != KVM_EXIT_IO)
			fail("KVM_RUN with immediate_exit set ran the guest "
			     "(exit reason %u), expected EINTR",
			     run->exit_reason);
		if (ret == -1 && err == EINTR && !ie && run &&
		    run->exit_reason != KVM_EXIT_INTR)
			fail("KVM_RUN: EINTR with exit reason %u, expected "
			     "KVM_EXIT_INTR", run->exit_reason);
		/* A guest that ran into its timer usually stops here. */
		if (ret == -1 && err == EINTR) {
			if (rnd(&r) % 4)
				return;
			continue;
		}
		if (ret)
			return;		/* not runnable now: fine */
		if (!run)
			continue;
		if (!arch_exit_ok(run->exit_reason))
			fail("KVM_RUN: exit reason %u unexpected",
			     run->exit_reason);
		if (arch_exit(vm, c, &r))
			return;
	}
}

void exec_vcpu_op(struct st *s, const struct op *o)
{
	struct vm *vm;
	struct vcpu *c;

	if (o->kind == OP_CREATE_VCPU) {
		op_create_vcpu(s, o);
		return;
	}
	vm = pick_vm(s, o->a[1]);
	c = pick_vcpu(vm, o->a[1] >> 16);
	if (!c)
		return;
	switch (o->kind) {
	case OP_CLOSE_VCPU:
		close_vcpu(c, s->run_size);
		break;
	case OP_VCPU_MMAP:
		op_vcpu_mmap(s, vm, c, o);
		break;
	case OP_VCPU_STATE:
		arch_vcpu_state(s, vm, c, o);
		break;
	case OP_GUEST:
		arch_guest(s, vm, c, o);
		break;
	case OP_RUN:
		do_run(s, vm, c, o->a[2], 1 + o->a[0] % 16);
		break;
	}
}

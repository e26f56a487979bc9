// SPDX-License-Identifier: GPL-2.0
/*
 * The program generator: a program is a pure function of (seed, index).
 * Nothing here looks at a result: the executors interpret each op's
 * random words against whatever state the calls before it left.
 */
#include <stdio.h>
#include <string.h>
#include "fuzz.h"

static const char *const names[OP_NR] = {
	[OP_OPEN_DEV] = "open_dev",	[OP_CLOSE_DEV] = "close_dev",
	[OP_SYS_MISC] = "sys_misc",	[OP_SYS_ARCH] = "sys_arch",
	[OP_CREATE_VM] = "create_vm",	[OP_CLOSE_VM] = "close_vm",
	[OP_VM_MISC] = "vm_misc",	[OP_VM_ARCH] = "vm_arch",
	[OP_MMAP_MEM] = "mmap_mem",	[OP_MUNMAP_MEM] = "munmap_mem",
	[OP_SET_SLOT] = "set_slot",	[OP_CREATE_VCPU] = "create_vcpu",
	[OP_CLOSE_VCPU] = "close_vcpu",	[OP_VCPU_MMAP] = "vcpu_mmap",
	[OP_VCPU_STATE] = "vcpu_state",	[OP_GUEST] = "guest",
	[OP_RUN] = "run",		[OP_BAD_IOCTL] = "bad_ioctl",
	[OP_RACE] = "race",
};

/* Relative weights of the op kinds after a program's prologue. */
static const unsigned int weight[OP_NR] = {
	[OP_OPEN_DEV] = 2,	[OP_CLOSE_DEV] = 1,
	[OP_SYS_MISC] = 4,	[OP_SYS_ARCH] = 3,
	[OP_CREATE_VM] = 2,	[OP_CLOSE_VM] = 1,
	[OP_VM_MISC] = 4,	[OP_VM_ARCH] = 3,
	[OP_MMAP_MEM] = 3,	[OP_MUNMAP_MEM] = 1,
	[OP_SET_SLOT] = 8,	[OP_CREATE_VCPU] = 3,
	[OP_CLOSE_VCPU] = 1,	[OP_VCPU_MMAP] = 2,
	[OP_VCPU_STATE] = 10,	[OP_GUEST] = 6,
	[OP_RUN] = 10,		[OP_BAD_IOCTL] = 5,
	[OP_RACE] = 3,
};

/* The prologue most programs start with: a VM that can run a guest. */
static const struct {
	uint16_t kind;
	int force;		/* force a0's low byte: the "valid" choice */
} prologue[] = {
	{ OP_OPEN_DEV, 1 },	/* a1 even: O_RDWR */
	{ OP_CREATE_VM, 1 },	/* a0 % 4 == 0: type 0 */
	{ OP_MMAP_MEM, 1 },	/* a0 % 8 == 0: 512 KiB */
	{ OP_SET_SLOT, 1 },	/* a0 % 16 == 0: a valid new slot */
	{ OP_CREATE_VCPU, 1 },	/* a0 % 4 == 0: the next free id */
	{ OP_VCPU_MMAP, 1 },	/* a0 % 8 == 0: map */
	{ OP_GUEST, 0 },
	{ OP_RUN, 0 },
};

const char *op_name(int kind)
{
	return kind >= 0 && kind < OP_NR && names[kind] ? names[kind] : "?";
}

static int pick_kind(uint64_t *s)
{
	unsigned int total = 0, r;
	int k;

	for (k = 0; k < OP_NR; k++)
		total += weight[k];
	r = rnd(s) % total;
	for (k = 0; k < OP_NR; k++) {
		if (r < weight[k])
			return k;
		r -= weight[k];
	}
	return OP_RUN;
}

void gen_prog(struct prog *p, uint64_t seed, uint64_t idx)
{
	uint64_t s = seed ^ (idx * 0xd1342543de82ef95ULL);
	int i, j, np = 0;

	memset(p, 0, sizeof(*p));
	rnd(&s);
	p->seed = s;
	p->idx = idx;
	p->n = 16 + rnd(&s) % (MAX_OPS - 16);
	if (rnd(&s) % 8)
		np = sizeof(prologue) / sizeof(prologue[0]);
	for (i = 0; i < p->n; i++) {
		struct op *o = &p->ops[i];

		o->kind = i < np ? prologue[i].kind : pick_kind(&s);
		for (j = 0; j < 4; j++)
			o->a[j] = rnd(&s);
		if (i < np && prologue[i].force) {
			o->a[0] &= ~0xffULL;
			o->a[1] &= ~1ULL;
		}
	}
}

void print_op(const struct op *o, int i)
{
	printf("  %2d %-11s %016llx %016llx %016llx %016llx\n", i,
	       op_name(o->kind), (unsigned long long)o->a[0],
	       (unsigned long long)o->a[1], (unsigned long long)o->a[2],
	       (unsigned long long)o->a[3]);
}

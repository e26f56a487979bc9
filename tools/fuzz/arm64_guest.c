// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guests: layouts and PSTATEs, guest code drawn from random words
 * and from a small instruction table, and the answers to their exits.
 *
 * A guest uses one slot of at least 16 KiB at base B: a vector table at B
 * (each entry: PSCI SYSTEM_OFF over HVC, or random words), code from
 * B+0x1000, zeros (UDF) elsewhere. It starts at EL1h, EL1t or EL0t with
 * random DAIF, x1 pointing at an MMIO address (past the slot, another
 * slot, a hole, beyond the IPA space), the other registers random.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"
#include "arm64.h"

/* ---- guest code ---- */

struct code {
	uint32_t *p;
	size_t n, max;	/* in words */
};

static void w(struct code *k, uint32_t insn)
{
	if (k->n < k->max)
		k->p[k->n++] = insn;
}

/* movz/movk xR, the 64-bit @v */
static void mov64(struct code *k, int reg, uint64_t v)
{
	int i;

	w(k, 0xd2800000 | ((v & 0xffff) << 5) | reg);
	for (i = 1; i < 4; i++)
		if ((v >> (16 * i)) & 0xffff)
			w(k, 0xf2800000 | (i << 21) |
			  (((v >> (16 * i)) & 0xffff) << 5) | reg);
}

static const uint32_t psci_fns[] = {
	0x84000000, 0x84000001, 0x84000002, 0xc4000003, 0xc4000004,
	0x84000008, 0x84000009, 0x8400000a, 0xc4000012, 0x8400000c,
	0x80000000, 0x86000000, 0xffffffff,
};

static void insn(struct code *k, uint64_t *r, uint64_t mmio)
{
	static const uint32_t simple[] = {
		0xf9000020, 0xb9000020, 0x79000020, 0x39000020, /* str [x1] */
		0xf9400020, 0xb9400020, 0x79400020, 0x39400020, /* ldr [x1] */
		0x39800020, 0xb9800020,		/* ldrsb, ldrsw */
		0xa9000420, 0xa9400420,		/* stp, ldp: no ISV */
		0xf8408420, 0xf8008420,		/* ldr/str post-index */
		0xd4000002, 0xd4000003,		/* hvc #0, smc #0 */
		0xd4000001, 0xd4200000,		/* svc, brk */
		0xd69f03e0,			/* eret */
		0xd503207f, 0xd503205f,		/* wfi, wfe */
		0xd503201f, 0xd5033fdf, 0xd5033f9f, /* nop, isb, dsb sy */
		0xd50343df, 0xd50342ff,		/* msr daifset/daifclr, #0xf/2 */
		0xd50b7e21, 0xd50b7421, 0xd50b7521, /* dc civac/zva, ic ivau */
		0xd508871f, 0xd5087801, 0xd5087621, /* tlbi, at, dc ivac */
		0xd5181000, 0xd5182000, 0xd5182040, /* msr sctlr/ttbr0/tcr */
		0xd518c000, 0xd518a200, 0xd5181040, /* vbar, mair, cpacr */
		0x14000000,			/* b . */
		0x00000000,			/* udf */
	};
	uint64_t x = rnd(r);

	switch (x % 8) {
	case 0:	/* x1: an MMIO address, maybe misaligned */
		mov64(k, 1, mmio + ((x >> 8) % 64) * ((x >> 4) & 1 ? 1 : 8));
		break;
	case 1:	/* x0: a PSCI function or a value; x1, x2 args */
		if ((x >> 3) & 1) {
			mov64(k, 0, psci_fns[(x >> 8) % 13]);
			mov64(k, 1, (x >> 16) % 4);
			mov64(k, 2, arm64_boundary(x >> 20));
			w(k, 0xd4000002);
		} else {
			mov64(k, 0, arm64_boundary(x >> 8));
		}
		break;
	case 2:	/* mrs/msr of a random system register */
		w(k, ((x >> 3) & 1 ? 0xd5300000 : 0xd5100000) |
		  ((x >> 8) & 0xfffe0) | ((x >> 40) % 31));
		break;
	case 3:	/* random words */
		w(k, x >> 32);
		break;
	case 4:	/* a short branch */
		w(k, 0x14000000 | ((x >> 8) % 16));
		break;
	default:
		w(k, simple[(x >> 8) % (sizeof(simple) / sizeof(simple[0]))]);
		break;
	}
}

static uint64_t mmio_addr(struct vm *vm, struct slot *sl, uint64_t r)
{
	switch (r % 5) {
	case 0:
		return sl->gpa + sl->size;
	case 1:
		return other_slot_gpa(vm, sl, 0x09000000);
	case 2:
		return 0x09000000;
	case 3:
		return 1ULL << (40 + (r >> 8) % 12);	/* beyond the IPA */
	default:
		return (r >> 8) & 0xfffffffff000ULL;
	}
}

void arch_guest(struct st *s, struct vm *vm, struct vcpu *c,
		const struct op *o)
{
	static const uint64_t pstates[] = { 0x5, 0x4, 0x0, 0x10, 0x9 };
	struct slot *sl;
	uint64_t r = o->a[3], B, v, mmio;
	struct code k;
	uint8_t *h;
	int i, e;

	sl = guest_slot(s, vm, o->a[2], L_MIN, ~0ULL);
	if (!sl)
		return;
	B = sl->gpa;
	h = (uint8_t *)(uintptr_t)sl->hva;
	ncalls++;
	if (mprotect(h, sl->size, PROT_READ | PROT_WRITE))
		fail("mprotect: %s", strerror(errno));
	memset(h, 0, sl->size < 0x40000 ? sl->size : 0x40000);
	mmio = mmio_addr(vm, sl, o->a[0] >> 8);

	/* Vectors: SYSTEM_OFF, or random words (o->a[1] bit 12). */
	k.p = (uint32_t *)h;
	k.n = 0;
	k.max = 0x800 / 4;
	for (e = 0; e < 16; e++) {
		k.n = e * 32;
		if (o->a[1] & 0x1000) {
			for (i = 0; i < 8; i++)
				insn(&k, &r, mmio);
		} else {
			mov64(&k, 0, 0x84000008);
			w(&k, 0xd4000002);
			w(&k, 0x14000000);
		}
	}
	k.p = (uint32_t *)(h + L_CODE);
	k.n = 0;
	k.max = 4 + o->a[1] % 1024;
	if (k.max > (sl->size - L_CODE) / 4)
		k.max = (sl->size - L_CODE) / 4;
	while (k.n < k.max)
		insn(&k, &r, mmio);
	__builtin___clear_cache((char *)h, (char *)h + L_CODE + k.max * 4);

	if (!c->inited)
		return;
	for (i = 0; i < 31; i++) {
		v = i == 1 ? mmio : rnd(&r) % (i < 4 ? 0x10000 : ~0ULL);
		arm64_one_reg(c->fd, KVM_SET_ONE_REG, REG_X(i), &v);
	}
	v = B + L_CODE;
	if (arm64_one_reg(c->fd, KVM_SET_ONE_REG, REG_PC, &v) && !vm->dirty)
		fail("KVM_SET_ONE_REG(pc): %s", strerror(errno));
	c->entry = v;
	v = pstates[o->a[0] % 5] | ((o->a[1] >> 16) & 0x3c0);
	arm64_one_reg(c->fd, KVM_SET_ONE_REG, REG_PSTATE, &v);
	v = B + sl->size - 16;
	arm64_one_reg(c->fd, KVM_SET_ONE_REG, REG_SP_EL1, &v);
	v = B;
	arm64_one_reg(c->fd, KVM_SET_ONE_REG, REG_VBAR_EL1, &v);
	c->mode = o->a[0] % 5;
}

/* ---- exits ---- */

int arch_exit_ok(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_MMIO:
	case KVM_EXIT_SYSTEM_EVENT:
	case KVM_EXIT_ARM_NISV:
	case KVM_EXIT_INTERNAL_ERROR:
	case KVM_EXIT_FAIL_ENTRY:
	case KVM_EXIT_INTR:
		return 1;
	default:
		return 0;
	}
}

int arch_exit(struct vm *vm, struct vcpu *c, uint64_t *r)
{
	struct kvm_run *run = c->run;
	uint64_t n;

	(void)vm;
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		if (run->mmio.len < 1 || run->mmio.len > 8)
			fail("KVM_EXIT_MMIO: len %u", run->mmio.len);
		if (!run->mmio.is_write) {
			n = rnd(r);
			memcpy(run->mmio.data, &n, 8);
		}
		return 0;
	case KVM_EXIT_INTR:
		return 0;
	default:
		return 1;
	}
}

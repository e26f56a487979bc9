// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: the VM and vCPU ioctls of this arch (PREFERRED_TARGET,
 * VCPU_INIT, ONE_REG, REG_LIST, MP_STATE, ENABLE_CAP, device attributes),
 * guest layouts and PSTATEs, and guest code drawn from random words and
 * from a small instruction table.
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

const char arch_name[] = "arm64";
/* 0 (40-bit IPA) and KVM_VM_TYPE_ARM_IPA_SIZE(n) for a few n */
const unsigned long arch_vm_types[] = { 0, 32, 36, 40, 44, 48, 31, 52 };
const int arch_nvm_types = 8;

#define CORE(f) (KVM_REG_ARM64 | KVM_REG_ARM_CORE | KVM_REG_SIZE_U64 | \
		 KVM_REG_ARM_CORE_REG(f))
#define REG_X(i)	CORE(regs.regs[i])
#define REG_PC		CORE(regs.pc)
#define REG_PSTATE	CORE(regs.pstate)
#define REG_SP_EL1	CORE(sp_el1)
#define REG_VBAR_EL1	ARM64_SYS_REG(3, 0, 12, 0, 0)

#define L_CODE		0x1000
#define L_MIN		0x4000

static uint64_t boundary(uint64_t r)
{
	static const uint64_t v[] = {
		0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
		0xfffffffffffff000ULL, 0x3c5, 0x10, 0x3c0, 0x1f,
	};

	return r & 1 ? v[(r >> 1) % (sizeof(v) / sizeof(v[0]))] : r >> 1;
}

/* The register list of the first vCPU that gave one. */
static uint64_t *reg_ids;
static uint64_t nreg_ids;

static uint64_t rand_reg(uint64_t r)
{
	if (nreg_ids && (r & 3))
		return reg_ids[(r >> 2) % nreg_ids];
	if (r & 4)
		return REG_X((r >> 3) % 31);
	return KVM_REG_ARM64 | ((r >> 3) & 0x00ff0000ffffULL) |
	       ((uint64_t)((r >> 40) % 8) << KVM_REG_SIZE_SHIFT);
}

static int one_reg(int fd, unsigned long req, uint64_t id, void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return xioctl(fd, req, (unsigned long)&r);
}

void arch_sys_op(struct st *s, int sys, const struct op *o)
{
	long r;

	(void)s;
	switch (o->a[0] % 2) {
	case 0:
		r = xioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
		if (r < 32)
			fail("KVM_CHECK_EXTENSION(KVM_CAP_ARM_VM_IPA_SIZE) = "
			     "%ld (%s)", r, r < 0 ? strerror(errno) : "");
		break;
	default:
		xioctl(sys, KVM_ARM_PREFERRED_TARGET, bad_ptr(o->a[2]));
		break;
	}
}

void arch_vm_op(struct st *s, struct vm *vm, const struct op *o)
{
	struct kvm_vcpu_init init;
	struct kvm_enable_cap cap;
	struct kvm_create_device cd;
	struct kvm_irq_level irq;

	(void)s;
	switch (o->a[0] % 5) {
	case 0:
		if (o->a[2] & 1) {
			xioctl(vm->fd, KVM_ARM_PREFERRED_TARGET,
			       bad_ptr(o->a[3]));
			break;
		}
		if (xioctl(vm->fd, KVM_ARM_PREFERRED_TARGET,
			   (unsigned long)&init) && vm->fd >= 0)
			fail("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		break;
	case 1:
		memset(&cap, 0, sizeof(cap));
		cap.cap = KVM_CAP_ARM_NISV_TO_USER;
		if (o->a[2] & 1) {
			cap.flags = o->a[3];
			cap.args[0] = o->a[3] >> 8;
		}
		if (xioctl(vm->fd, KVM_ENABLE_CAP, (unsigned long)&cap) &&
		    !(o->a[2] & 1) && vm->fd >= 0 && !vm->dirty)
			fail("KVM_ENABLE_CAP(KVM_CAP_ARM_NISV_TO_USER): %s",
			     strerror(errno));
		break;
	case 2:
		irq.irq = o->a[2];
		irq.level = o->a[3] & 1;
		xioctl(vm->fd, KVM_IRQ_LINE, o->a[3] & 2 ? bad_ptr(o->a[3]) :
		       (unsigned long)&irq);
		break;
	case 3:	/* may create a vGIC on KVM: unmodelled from here on */
		memset(&cd, 0, sizeof(cd));
		cd.type = o->a[2] % 12;
		cd.flags = o->a[2] & 0x100 ? KVM_CREATE_DEVICE_TEST : 0;
		if (xioctl(vm->fd, KVM_CREATE_DEVICE, o->a[3] & 1 ?
			   bad_ptr(o->a[3]) : (unsigned long)&cd) == 0) {
			vm->dirty = 1;
			if (!cd.flags)
				close(cd.fd);
		}
		break;
	default:
		xioctl(vm->fd, KVM_ARM_SET_DEVICE_ADDR, o->a[3] & 1 ?
		       bad_ptr(o->a[3]) : (unsigned long)scratch(o->a[2], 16));
		break;
	}
}

static int vcpu_init(struct vm *vm, struct vcpu *c, uint32_t features)
{
	struct kvm_vcpu_init init;

	if (xioctl(vm->fd, KVM_ARM_PREFERRED_TARGET, (unsigned long)&init))
		return -1;
	memset(init.features, 0, sizeof(init.features));
	init.features[0] = features;
	return xioctl(c->fd, KVM_ARM_VCPU_INIT, (unsigned long)&init);
}

int arch_vcpu_created(struct st *s, struct vm *vm, struct vcpu *c)
{
	(void)s;
	if (vcpu_init(vm, c, 1U << KVM_ARM_VCPU_PSCI_0_2)) {
		if (!vm->dirty)
			fail("KVM_ARM_VCPU_INIT(preferred target, PSCI 0.2) "
			     "of a new vCPU: %s", strerror(errno));
		return -1;
	}
	c->inited = 1;
	return 0;
}

static void reg_list(struct vm *vm, struct vcpu *c, const struct op *o)
{
	struct kvm_reg_list *l, probe = { .n = 0 };
	uint64_t n;

	if (o->a[2] & 1) {	/* any n: room for as many as there are */
		l = calloc(1, sizeof(*l) + 16384 * 8);
		if (!l)
			fail("calloc");
		l->n = boundary(o->a[3]);
		xioctl(c->fd, KVM_GET_REG_LIST, o->a[2] & 2 ?
		       bad_ptr(o->a[3]) : (unsigned long)l);
		if (!(o->a[2] & 2) && l->n > 16384)
			fail("KVM_GET_REG_LIST: n = %llu",
			     (unsigned long long)l->n);
		free(l);
		return;
	}
	if (xioctl(c->fd, KVM_GET_REG_LIST, (unsigned long)&probe) != -1 ||
	    errno != E2BIG) {
		if (c->inited && !vm->dirty)
			fail("KVM_GET_REG_LIST with n = 0: %s, expected E2BIG",
			     strerror(errno));
		return;
	}
	n = probe.n;
	if (!n || n > 100000)
		fail("KVM_GET_REG_LIST: n = %llu", (unsigned long long)n);
	l = calloc(1, sizeof(*l) + n * 8);
	if (!l)
		fail("calloc");
	l->n = n;
	if (xioctl(c->fd, KVM_GET_REG_LIST, (unsigned long)l))
		fail("KVM_GET_REG_LIST with n = %llu: %s",
		     (unsigned long long)n, strerror(errno));
	if (!reg_ids) {
		reg_ids = malloc(n * 8);
		if (!reg_ids)
			fail("malloc");
		memcpy(reg_ids, l->reg, n * 8);
		nreg_ids = n;
	}
	free(l);
}

void arch_vcpu_state(struct st *s, struct vm *vm, struct vcpu *c,
		     const struct op *o)
{
	uint64_t val[64], v, back;
	struct kvm_mp_state mp;
	struct kvm_device_attr at;
	struct kvm_vcpu_events ev;
	int i;

	(void)s;
	switch (o->a[0] % 9) {
	case 0:
		reg_list(vm, c, o);
		break;
	case 1: case 2:
		memset(val, 0, sizeof(val));
		one_reg(c->fd, KVM_GET_ONE_REG, rand_reg(o->a[2]),
			o->a[3] & 1 ? (void *)bad_ptr(o->a[3]) : val);
		break;
	case 3:
		for (i = 0; i < 64; i++)
			val[i] = boundary(o->a[3] * (i + 1));
		one_reg(c->fd, KVM_SET_ONE_REG, rand_reg(o->a[2]),
			(o->a[3] & 0xf) == 1 ? (void *)bad_ptr(o->a[3]) : val);
		break;
	case 4:	/* round trip of a general register */
		i = o->a[2] % 31;
		v = boundary(o->a[3]);
		if (one_reg(c->fd, KVM_SET_ONE_REG, REG_X(i), &v)) {
			if (c->inited && !vm->dirty)
				fail("KVM_SET_ONE_REG(x%d): %s", i,
				     strerror(errno));
			break;
		}
		if (one_reg(c->fd, KVM_GET_ONE_REG, REG_X(i), &back))
			fail("KVM_GET_ONE_REG(x%d): %s", i, strerror(errno));
		/*
		 * An AArch32 vCPU (PSTATE.M[4]) may keep 32 bits (KVM does in
		 * the AArch32 modes it knows).
		 */
		if (!one_reg(c->fd, KVM_GET_ONE_REG, REG_PSTATE, val) &&
		    (val[0] & 0x10) && back == (uint32_t)v)
			back = v;
		if (back != v && !vm->dirty)
			fail("x%d: set %#llx, read back %#llx", i,
			     (unsigned long long)v, (unsigned long long)back);
		break;
	case 5:
		if (vcpu_init(vm, c, o->a[2] & 1 ? (uint32_t)o->a[3] :
			      (uint32_t)o->a[3] & 0x7f) == 0)
			c->inited = 1;
		break;
	case 6:
		mp.mp_state = o->a[2] & 1 ? o->a[2] >> 1 : (o->a[2] >> 1) % 8;
		xioctl(c->fd, KVM_SET_MP_STATE, (unsigned long)&mp);
		xioctl(c->fd, KVM_GET_MP_STATE, o->a[3] & 1 ?
		       bad_ptr(o->a[3]) : (unsigned long)&mp);
		break;
	case 7:
		memset(&at, 0, sizeof(at));
		at.group = o->a[2] % 4;
		at.attr = (o->a[2] >> 8) % 4;
		at.addr = o->a[3] & 1 ? bad_ptr(o->a[3]) :
			  (uintptr_t)scratch(o->a[3], 64);
		xioctl(c->fd, (o->a[2] >> 16) % 3 == 0 ? KVM_HAS_DEVICE_ATTR :
		       (o->a[2] >> 16) % 3 == 1 ? KVM_GET_DEVICE_ATTR :
		       KVM_SET_DEVICE_ATTR, (unsigned long)&at);
		break;
	default: /* KVM: pending SError injection; hvk: not offered */
		memset(&ev, 0, sizeof(ev));
		if (xioctl(c->fd, KVM_GET_VCPU_EVENTS, (unsigned long)&ev))
			break;
		ev.exception.serror_pending = o->a[2] & 1;
		ev.exception.serror_has_esr = (o->a[2] >> 1) & 1;
		ev.exception.serror_esr = o->a[3] & 0x1ffffff;
		xioctl(c->fd, o->a[2] & 4 ? KVM_ARM_VCPU_FINALIZE :
		       KVM_SET_VCPU_EVENTS, (unsigned long)&ev);
		break;
	}
}

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
			mov64(k, 2, boundary(x >> 20));
			w(k, 0xd4000002);
		} else {
			mov64(k, 0, boundary(x >> 8));
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
	int i;

	switch (r % 5) {
	case 0:
		return sl->gpa + sl->size;
	case 1:
		for (i = 0; i < MAX_SLOTS; i++)
			if (vm->slot[i].used && &vm->slot[i] != sl)
				return vm->slot[i].gpa;
		return 0x09000000;
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
	struct slot *sl = NULL;
	uint64_t r = o->a[3], B, v, mmio;
	struct code k;
	uint8_t *h;
	int i, e;

	for (i = 0; i < MAX_SLOTS; i++) {
		struct slot *t = &vm->slot[(i + o->a[2]) % MAX_SLOTS];

		if (t->used && t->mem >= 0 && s->mem[t->mem].hva &&
		    t->size >= L_MIN &&
		    t->hva >= (uintptr_t)s->mem[t->mem].hva &&
		    t->hva + t->size <= (uintptr_t)s->mem[t->mem].hva +
		    s->mem[t->mem].size) {
			sl = t;
			break;
		}
	}
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
		one_reg(c->fd, KVM_SET_ONE_REG, REG_X(i), &v);
	}
	v = B + L_CODE;
	if (one_reg(c->fd, KVM_SET_ONE_REG, REG_PC, &v) && !vm->dirty)
		fail("KVM_SET_ONE_REG(pc): %s", strerror(errno));
	c->entry = v;
	v = pstates[o->a[0] % 5] | ((o->a[1] >> 16) & 0x3c0);
	one_reg(c->fd, KVM_SET_ONE_REG, REG_PSTATE, &v);
	v = B + sl->size - 16;
	one_reg(c->fd, KVM_SET_ONE_REG, REG_SP_EL1, &v);
	v = B;
	one_reg(c->fd, KVM_SET_ONE_REG, REG_VBAR_EL1, &v);
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

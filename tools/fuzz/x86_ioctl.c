// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64: the system, VM and vCPU ioctls of this arch (CPUID and MSR
 * lists, TSS and identity-map addresses, REGS, SREGS, FPU, MSRS, CPUID2,
 * MP_STATE, interrupts and NMIs, KVM-only queries). Guests: x86_guest.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "fuzz.h"
#include "x86.h"

const char arch_name[] = "x86_64";
const unsigned long arch_vm_types[] = { 0, 1, 2, 0x80000000UL };
const int arch_nvm_types = 4;

const uint32_t x86_msrs[] = {
	0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0xc1, 0x174, 0x175, 0x176,
	0x179, 0x17a, 0x1a0, 0x1d9, 0x277, 0x2ff, 0x38f, 0x480, 0x48d,
	0x6e0, 0x800, 0x830, 0xc0000080, 0xc0000081, 0xc0000082,
	0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103,
	0x4b564d00, 0x4b564d01, 0x40000000, 0xffffffff,
};
const unsigned int x86_nmsrs = sizeof(x86_msrs) / sizeof(x86_msrs[0]);

uint64_t x86_boundary(uint64_t r)
{
	static const uint64_t v[] = {
		0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
		0xfffffffffffff000ULL, 0x0000800000000000ULL,
		0x00007ffffffff000ULL,
	};

	return r & 1 ? v[(r >> 1) % (sizeof(v) / sizeof(v[0]))] : r >> 1;
}

/* ---- system and VM fds ---- */

static struct kvm_cpuid2 *supported;	/* guest CPUID: supported, no VMX */

static struct kvm_cpuid2 *cpuid_alloc(unsigned int n)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n *
				      sizeof(struct kvm_cpuid_entry2));

	if (!c)
		fail("calloc");
	c->nent = n;
	return c;
}

static void get_supported(int sys)
{
	unsigned int i;

	if (supported)
		return;
	supported = cpuid_alloc(256);
	if (xioctl(sys, KVM_GET_SUPPORTED_CPUID, (unsigned long)supported))
		fail("KVM_GET_SUPPORTED_CPUID(nent 256): %s",
		     strerror(errno));
	for (i = 0; i < supported->nent; i++)
		if (supported->entries[i].function == 1)
			supported->entries[i].ecx &= ~(1U << 5);
}

void arch_sys_op(struct st *s, int sys, const struct op *o)
{
	static const uint32_t nents[] = { 0, 1, 2, 255, 256, 257, 0x10000,
					   0xffffffff };
	struct kvm_cpuid2 *c;
	struct kvm_msr_list *l;
	uint32_t n;

	(void)s;
	switch (o->a[0] % 4) {
	case 0:
		get_supported(sys);
		/* fall through */
	case 1:
		n = nents[o->a[2] % 8];
		c = cpuid_alloc(n < 300 ? n : 300);
		c->nent = n;
		xioctl(sys, o->a[0] % 4 ? KVM_GET_EMULATED_CPUID :
		       KVM_GET_SUPPORTED_CPUID,
		       o->a[3] & 1 ? bad_ptr(o->a[3]) : (unsigned long)c);
		free(c);
		break;
	case 2:
		n = nents[o->a[2] % 8];
		l = calloc(1, sizeof(*l) + 16384 * 4);
		if (!l)
			fail("calloc");
		l->nmsrs = n;
		if (xioctl(sys, o->a[3] & 2 ? KVM_GET_MSR_FEATURE_INDEX_LIST :
			   KVM_GET_MSR_INDEX_LIST, o->a[3] & 1 ?
			   bad_ptr(o->a[3] >> 2) : (unsigned long)l) == 0 &&
		    l->nmsrs > n)
			fail("KVM_GET_MSR_INDEX_LIST wrote %u entries into "
			     "room for %u", l->nmsrs, n);
		free(l);
		break;
	default: {
		struct {
			struct kvm_msrs h;
			struct kvm_msr_entry e[4];
		} m;

		memset(&m, 0, sizeof(m));
		m.h.nmsrs = o->a[2] & 1 ? 4 : (uint32_t)x86_boundary(o->a[2] >> 1);
		for (n = 0; n < 4; n++)
			m.e[n].index = x86_msrs[(o->a[3] >> (8 * n)) % x86_nmsrs];
		xioctl(sys, KVM_GET_MSRS, (unsigned long)&m);
		break;
	}
	}
}

void arch_vm_op(struct st *s, struct vm *vm, const struct op *o)
{
	uint64_t v = o->a[2];

	(void)s;
	switch (o->a[0] % 4) {
	case 0:
		xioctl(vm->fd, KVM_SET_TSS_ADDR, o->a[3] & 1 ? 0xfffbd000 :
		       x86_boundary(v));
		break;
	case 1:
		v = o->a[3] & 1 ? 0xfeffc000 : x86_boundary(v);
		xioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR,
		       o->a[3] & 2 ? bad_ptr(v) : (unsigned long)&v);
		break;
	case 2:	/* read-only queries KVM answers and hvk may not */
		xioctl(vm->fd, o->a[3] & 1 ? KVM_GET_CLOCK : KVM_GET_PIT2,
		       o->a[3] & 2 ? bad_ptr(v) :
		       (unsigned long)scratch(v, 4096));
		break;
	default:
		xioctl(vm->fd, KVM_SET_NR_MMU_PAGES, v % 4096);
		break;
	}
}

/* ---- vCPU state ---- */

int arch_vcpu_created(struct st *s, struct vm *vm, struct vcpu *c)
{
	int sys = pick_sys(s, 0);

	if (sys < 0)
		return 0;
	get_supported(sys);
	if (xioctl(c->fd, KVM_SET_CPUID2, (unsigned long)supported) &&
	    !vm->dirty)
		fail("KVM_SET_CPUID2 (supported table) on a new vCPU: %s",
		     strerror(errno));
	return 0;
}

static void state_regs(struct vm *vm, struct vcpu *c, const struct op *o)
{
	struct kvm_regs r, back;
	uint64_t *f = (uint64_t *)&r;
	int i;

	if (o->a[2] & 1) {
		xioctl(c->fd, o->a[2] & 2 ? KVM_GET_REGS : KVM_SET_REGS,
		       bad_ptr(o->a[3]));
		return;
	}
	if (xioctl(c->fd, KVM_GET_REGS, (unsigned long)&r))
		fail("KVM_GET_REGS: %s", strerror(errno));
	for (i = 0; i < 16; i++)	/* the GPRs */
		if ((o->a[3] >> i) & 1)
			f[i] = x86_boundary(o->a[2] >> (i + 2)) ^ i;
	if (o->a[3] & (1ULL << 20))
		r.rip = x86_boundary(o->a[2] >> 20);
	if (o->a[3] & (1ULL << 21))
		r.rflags = cfg.kvm ? (r.rflags | 0x202) : o->a[2] >> 24;
	if (xioctl(c->fd, KVM_SET_REGS, (unsigned long)&r))
		return;
	if (xioctl(c->fd, KVM_GET_REGS, (unsigned long)&back))
		fail("KVM_GET_REGS: %s", strerror(errno));
	if (!vm->dirty && memcmp(&back, &r, 16 * 8))
		fail("KVM_SET_REGS then KVM_GET_REGS: GPRs differ");
}

static void mutate(void *p, size_t len, uint64_t r)
{
	uint8_t *b = p;
	int i, n = 1 + r % 4;

	for (i = 0; i < n; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		if (r & 1)
			b[(r >> 8) % len] ^= 1 << ((r >> 40) % 8);
		else
			b[(r >> 8) % len] = r >> 32;
	}
}

static void state_sregs(struct vcpu *c, const struct op *o)
{
	struct kvm_sregs sr;

	if (o->a[2] & 1) {
		xioctl(c->fd, o->a[2] & 2 ? KVM_GET_SREGS : KVM_SET_SREGS,
		       bad_ptr(o->a[3]));
		return;
	}
	if (xioctl(c->fd, KVM_GET_SREGS, (unsigned long)&sr))
		fail("KVM_GET_SREGS: %s", strerror(errno));
	switch ((o->a[2] >> 1) % 4) {
	case 0:
		sr.cr0 = x86_boundary(o->a[3]);
		break;
	case 1:
		sr.cr4 = o->a[3] & 1 ? sr.cr4 ^ (1ULL << (o->a[3] >> 1) % 32) :
			 x86_boundary(o->a[3]);
		break;
	case 2:
		sr.efer ^= 1ULL << ((o->a[3] >> 1) % 16);
		break;
	default:
		mutate(&sr, sizeof(sr), o->a[3]);
		break;
	}
	xioctl(c->fd, KVM_SET_SREGS, (unsigned long)&sr);
}

static void state_msrs(struct vcpu *c, const struct op *o)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[8];
	} m;
	int i;

	memset(&m, 0, sizeof(m));
	m.h.nmsrs = o->a[2] & 1 ? 1 + (o->a[2] >> 1) % 8 :
		    (uint32_t)x86_boundary(o->a[2] >> 1);
	if (m.h.nmsrs > 8 && !(o->a[2] & 2))
		m.h.nmsrs = 8;
	for (i = 0; i < 8; i++) {
		m.e[i].index = (o->a[3] >> (8 * i)) & 0x80 ?
			       (uint32_t)(o->a[2] * (i + 7) >> 13) :
			       x86_msrs[(o->a[3] >> (8 * i)) % x86_nmsrs];
		m.e[i].data = x86_boundary(o->a[3] * (i + 3));
	}
	if (o->a[0] & 0x100) {
		xioctl(c->fd, KVM_SET_MSRS, (unsigned long)&m);
	} else {
		xioctl(c->fd, KVM_GET_MSRS, o->a[2] & 4 ? bad_ptr(o->a[3]) :
		       (unsigned long)&m);
	}
}

static void state_cpuid(struct vm *vm, struct vcpu *c, const struct op *o)
{
	static const uint32_t nents[] = { 0, 1, 255, 256, 257, 0x7fffffff };
	struct kvm_cpuid2 *cp;
	uint32_t n;

	if (o->a[2] & 1 && supported) {	/* the supported table, mutated */
		n = supported->nent;
		cp = cpuid_alloc(n);
		memcpy(cp, supported, sizeof(*cp) + n * sizeof(cp->entries[0]));
		if (n)
			mutate(cp->entries, n * sizeof(cp->entries[0]),
			       o->a[3]);
		/* KVM checks EFER.LME and more against it: unmodelled. */
		if (xioctl(c->fd, KVM_SET_CPUID2, (unsigned long)cp) == 0)
			vm->dirty = 1;
	} else {
		n = nents[(o->a[2] >> 1) % 6];
		cp = cpuid_alloc(n < 300 ? n : 300);
		cp->nent = n;
		if (xioctl(c->fd, o->a[2] & 2 ? KVM_GET_CPUID2 : KVM_SET_CPUID2,
			   o->a[2] & 4 ? bad_ptr(o->a[3]) : (unsigned long)cp) ==
		    0 && !(o->a[2] & 2))
			vm->dirty = 1;
	}
	free(cp);
}

void arch_vcpu_state(struct st *s, struct vm *vm, struct vcpu *c,
		     const struct op *o)
{
	struct kvm_fpu fpu;
	struct kvm_mp_state mp;

	(void)s;
	switch (o->a[0] % 10) {
	case 0: case 1:
		state_regs(vm, c, o);
		break;
	case 2: case 3:
		state_sregs(c, o);
		break;
	case 4:
		if (xioctl(c->fd, KVM_GET_FPU, (unsigned long)&fpu))
			fail("KVM_GET_FPU: %s", strerror(errno));
		if (o->a[2] & 1)
			fpu.mxcsr = x86_boundary(o->a[3]);
		else
			mutate(&fpu, sizeof(fpu), o->a[3]);
		xioctl(c->fd, KVM_SET_FPU, o->a[2] & 2 ? bad_ptr(o->a[3]) :
		       (unsigned long)&fpu);
		break;
	case 5:
		state_msrs(c, o);
		break;
	case 6:
		state_cpuid(vm, c, o);
		break;
	case 7:
		mp.mp_state = o->a[2] & 1 ? o->a[2] >> 1 : (o->a[2] >> 1) % 8;
		if (xioctl(c->fd, KVM_SET_MP_STATE, (unsigned long)&mp) == 0 &&
		    mp.mp_state != KVM_MP_STATE_RUNNABLE)
			vm->dirty = 1;
		xioctl(c->fd, KVM_GET_MP_STATE, o->a[3] & 1 ?
		       bad_ptr(o->a[3]) : (unsigned long)&mp);
		break;
	case 8: { /* queries KVM answers and hvk may not */
		static const unsigned long q[] = {
			KVM_GET_VCPU_EVENTS, KVM_GET_DEBUGREGS, KVM_GET_XCRS,
			KVM_GET_LAPIC, KVM_GET_XSAVE, KVM_TRANSLATE,
			KVM_GET_SREGS2, KVM_KVMCLOCK_CTRL,
		};
		xioctl(c->fd, q[o->a[2] % 8], o->a[3] & 1 ? bad_ptr(o->a[3]) :
		       (unsigned long)scratch(o->a[3], 8192));
		break;
	}
	default: { /* interrupts and NMIs from userspace (no irqchip) */
		struct kvm_interrupt irq = { .irq = o->a[2] % 256 };

		if (o->a[3] & 1)
			xioctl(c->fd, KVM_NMI, 0);
		else
			xioctl(c->fd, KVM_INTERRUPT, o->a[3] & 2 ?
			       bad_ptr(o->a[3]) : (unsigned long)&irq);
		break;
	}
	}
}


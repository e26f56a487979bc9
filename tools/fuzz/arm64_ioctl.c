// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: the VM and vCPU ioctls of this arch (PREFERRED_TARGET,
 * VCPU_INIT, ONE_REG, REG_LIST, MP_STATE, ENABLE_CAP, device attributes,
 * vCPU events). Guests: arm64_guest.c.
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

const char arch_name[] = "arm64";
/* 0 (40-bit IPA) and KVM_VM_TYPE_ARM_IPA_SIZE(n) for a few n */
const unsigned long arch_vm_types[] = { 0, 32, 36, 40, 44, 48, 31, 52 };
const int arch_nvm_types = 8;

uint64_t arm64_boundary(uint64_t r)
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

int arm64_one_reg(int fd, unsigned long req, uint64_t id, void *val)
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
		l->n = arm64_boundary(o->a[3]);
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
		arm64_one_reg(c->fd, KVM_GET_ONE_REG, rand_reg(o->a[2]),
			o->a[3] & 1 ? (void *)bad_ptr(o->a[3]) : val);
		break;
	case 3:
		for (i = 0; i < 64; i++)
			val[i] = arm64_boundary(o->a[3] * (i + 1));
		arm64_one_reg(c->fd, KVM_SET_ONE_REG, rand_reg(o->a[2]),
			(o->a[3] & 0xf) == 1 ? (void *)bad_ptr(o->a[3]) : val);
		break;
	case 4:	/* round trip of a general register */
		i = o->a[2] % 31;
		v = arm64_boundary(o->a[3]);
		if (arm64_one_reg(c->fd, KVM_SET_ONE_REG, REG_X(i), &v)) {
			if (c->inited && !vm->dirty)
				fail("KVM_SET_ONE_REG(x%d): %s", i,
				     strerror(errno));
			break;
		}
		if (arm64_one_reg(c->fd, KVM_GET_ONE_REG, REG_X(i), &back))
			fail("KVM_GET_ONE_REG(x%d): %s", i, strerror(errno));
		/*
		 * An AArch32 vCPU (PSTATE.M[4]) may keep 32 bits (KVM does in
		 * the AArch32 modes it knows).
		 */
		if (!arm64_one_reg(c->fd, KVM_GET_ONE_REG, REG_PSTATE, val) &&
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

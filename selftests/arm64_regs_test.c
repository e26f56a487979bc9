// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 vCPU setup: KVM_ARM_PREFERRED_TARGET, KVM_ARM_VCPU_INIT, the core
 * registers through KVM_GET/SET_ONE_REG and KVM_GET_REG_LIST, and
 * KVM_GET/SET_MP_STATE. No guest runs.
 *
 * Expectations are Linux 6.1 KVM's (arch/arm64/kvm/arm.c
 * kvm_arch_vcpu_ioctl, kvm_vcpu_set_target; guest.c get_core_reg,
 * set_core_reg, core_reg_size_from_offset; reset.c kvm_reset_vcpu). KVM
 * lists more than the core registers in KVM_GET_REG_LIST (system, timer,
 * firmware registers); against KVM only the core ids are checked.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

/* A core register id: offset in 32-bit words into struct kvm_regs. */
#define CORE_ID(size, field) \
	(KVM_REG_ARM64 | KVM_REG_ARM_CORE | (size) | KVM_REG_ARM_CORE_REG(field))
#define ID_X(i)		CORE_ID(KVM_REG_SIZE_U64, regs.regs[i])
#define ID_SP		CORE_ID(KVM_REG_SIZE_U64, regs.sp)
#define ID_PC		CORE_ID(KVM_REG_SIZE_U64, regs.pc)
#define ID_PSTATE	CORE_ID(KVM_REG_SIZE_U64, regs.pstate)
#define ID_SP_EL1	CORE_ID(KVM_REG_SIZE_U64, sp_el1)
#define ID_ELR_EL1	CORE_ID(KVM_REG_SIZE_U64, elr_el1)
#define ID_SPSR(i)	CORE_ID(KVM_REG_SIZE_U64, spsr[i])
#define ID_V(i)		CORE_ID(KVM_REG_SIZE_U128, fp_regs.vregs[i])
#define ID_FPSR		CORE_ID(KVM_REG_SIZE_U32, fp_regs.fpsr)
#define ID_FPCR		CORE_ID(KVM_REG_SIZE_U32, fp_regs.fpcr)

/* X0-X30, SP, PC, PSTATE, SP_EL1, ELR_EL1, SPSR[5], V0-V31, FPSR, FPCR */
#define NR_CORE_IDS	(31 + 3 + 2 + KVM_NR_SPSR + 32 + 2)

/* PSTATE after reset: EL1h, D, A, I and F masked. */
#define RESET_PSTATE	(PSR_MODE_EL1h | PSR_A_BIT | PSR_I_BIT | \
			 PSR_F_BIT | PSR_D_BIT)

/* Every core id KVM_REG_ARM_CORE has, in offset order. */
static int core_ids(uint64_t *ids)
{
	int i, n = 0;

	for (i = 0; i < 31; i++)
		ids[n++] = ID_X(i);
	ids[n++] = ID_SP;
	ids[n++] = ID_PC;
	ids[n++] = ID_PSTATE;
	ids[n++] = ID_SP_EL1;
	ids[n++] = ID_ELR_EL1;
	for (i = 0; i < KVM_NR_SPSR; i++)
		ids[n++] = ID_SPSR(i);
	for (i = 0; i < 32; i++)
		ids[n++] = ID_V(i);
	ids[n++] = ID_FPSR;
	ids[n++] = ID_FPCR;
	return n;
}

static int get_reg(int vcpu, uint64_t id, void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu, KVM_GET_ONE_REG, &r);
}

static int set_reg(int vcpu, uint64_t id, const void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

static unsigned int id_size(uint64_t id)
{
	return 1U << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}

FIXTURE(regs) {
	int vm;
	int vcpu;
	struct kvm_vcpu_init pref;
};

FIXTURE_SETUP(regs)
{
	int r;

	self->vcpu = -1;
	ASSERT_OK(self->vm, hvk_new_vm(), "KVM_CREATE_VM");
	ASSERT_OK(self->vcpu, ioctl(self->vm, KVM_CREATE_VCPU, 0),
		  "KVM_CREATE_VCPU(id 0)");
	memset(&self->pref, 0xa5, sizeof(self->pref));
	ASSERT_OK(r, ioctl(self->vm, KVM_ARM_PREFERRED_TARGET, &self->pref),
		  "KVM_ARM_PREFERRED_TARGET on the VM fd");
}

FIXTURE_TEARDOWN(regs)
{
	if (self->vcpu >= 0)
		close(self->vcpu);
	if (self->vm >= 0)
		close(self->vm);
}

/* KVM_ARM_VCPU_INIT with the preferred target and @features0. */
static int vcpu_init(int vcpu, const struct kvm_vcpu_init *pref,
		     uint32_t features0)
{
	struct kvm_vcpu_init init = { .target = pref->target };

	init.features[0] = features0;
	return ioctl(vcpu, KVM_ARM_VCPU_INIT, &init);
}

TEST_F(regs, preferred_target)
{
	unsigned int i;

	for (i = 0; i < 7; i++) {
		EXPECT_EQ(0, self->pref.features[i])
			TH_LOG("KVM_ARM_PREFERRED_TARGET must report no "
			       "features: features[%u] = %#x", i,
			       self->pref.features[i]);
	}
	/* KVM 6.1 picks the target from MIDR_EL1; hvk offers GENERIC_V8. */
	if (!hvk_lab_kvm())
		EXPECT_EQ(KVM_ARM_TARGET_GENERIC_V8, self->pref.target)
			TH_LOG("hvk's preferred target must be "
			       "KVM_ARM_TARGET_GENERIC_V8");
}

TEST_F(regs, init_bad_target_or_features)
{
	struct kvm_vcpu_init init = { .target = self->pref.target + 1 };
	int r;

	EXPECT_ERRNO(ioctl(self->vcpu, KVM_ARM_VCPU_INIT, &init), EINVAL,
		     "KVM_ARM_VCPU_INIT with a target other than the "
		     "preferred one");
	EXPECT_ERRNO(vcpu_init(self->vcpu, &self->pref, 1U << 31), ENOENT,
		     "KVM_ARM_VCPU_INIT with unknown feature bit 31");
	init.target = self->pref.target;
	init.features[1] = 1;
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_ARM_VCPU_INIT, &init), ENOENT,
		     "KVM_ARM_VCPU_INIT with unknown feature bit 32");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_ARM_VCPU_INIT, NULL), EFAULT,
		     "KVM_ARM_VCPU_INIT with a NULL struct pointer");
	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref,
			       1U << KVM_ARM_VCPU_PSCI_0_2),
		  "KVM_ARM_VCPU_INIT with PSCI_0_2 after the failures");
	EXPECT_ERRNO(vcpu_init(self->vcpu, &self->pref,
			       1U << KVM_ARM_VCPU_POWER_OFF), EINVAL,
		     "a second KVM_ARM_VCPU_INIT with other features");
	EXPECT_OK(r, vcpu_init(self->vcpu, &self->pref,
			       1U << KVM_ARM_VCPU_PSCI_0_2),
		  "a second KVM_ARM_VCPU_INIT with the same features");
}

TEST_F(regs, before_init_enoexec)
{
	struct kvm_reg_list list = { .n = 0 };
	uint64_t v = 0;

	EXPECT_ERRNO(get_reg(self->vcpu, ID_PC, &v), ENOEXEC,
		     "KVM_GET_ONE_REG(PC) before KVM_ARM_VCPU_INIT");
	EXPECT_ERRNO(set_reg(self->vcpu, ID_PC, &v), ENOEXEC,
		     "KVM_SET_ONE_REG(PC) before KVM_ARM_VCPU_INIT");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_GET_REG_LIST, &list), ENOEXEC,
		     "KVM_GET_REG_LIST before KVM_ARM_VCPU_INIT");
}

TEST_F(regs, reset_values)
{
	uint64_t v, x5 = 0x1234;
	int i, r;

	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref, 0),
		  "KVM_ARM_VCPU_INIT");
	for (i = 0; i < 31; i++) {
		v = ~0ULL;
		ASSERT_OK(r, get_reg(self->vcpu, ID_X(i), &v),
			  "KVM_GET_ONE_REG(X%d)", i);
		EXPECT_EQ(0, v) TH_LOG("X%d must be 0 after reset", i);
	}
	v = ~0ULL;
	ASSERT_OK(r, get_reg(self->vcpu, ID_SP, &v), "KVM_GET_ONE_REG(SP)");
	EXPECT_EQ(0, v) TH_LOG("SP must be 0 after reset");
	v = ~0ULL;
	ASSERT_OK(r, get_reg(self->vcpu, ID_PC, &v), "KVM_GET_ONE_REG(PC)");
	EXPECT_EQ(0, v) TH_LOG("PC must be 0 after reset");
	ASSERT_OK(r, get_reg(self->vcpu, ID_PSTATE, &v),
		  "KVM_GET_ONE_REG(PSTATE)");
	EXPECT_EQ(RESET_PSTATE, v)
		TH_LOG("PSTATE after reset must be EL1h with DAIF masked "
		       "(0x3c5), got %#llx", (unsigned long long)v);

	/* A repeated INIT resets the registers again. */
	ASSERT_OK(r, set_reg(self->vcpu, ID_X(5), &x5), "KVM_SET_ONE_REG(X5)");
	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref, 0),
		  "a second KVM_ARM_VCPU_INIT");
	ASSERT_OK(r, get_reg(self->vcpu, ID_X(5), &v), "KVM_GET_ONE_REG(X5)");
	EXPECT_EQ(0, v) TH_LOG("a second KVM_ARM_VCPU_INIT must reset X5");
}

/* Set @id to @val (of its size), read it back, compare. */
static void round_trip(struct __test_metadata *_metadata, int vcpu,
		       uint64_t id, const char *name, const void *val)
{
	unsigned char out[16];
	unsigned int size = id_size(id);
	int r;

	memset(out, 0xee, sizeof(out));
	EXPECT_OK(r, set_reg(vcpu, id, val), "KVM_SET_ONE_REG(%s)", name);
	EXPECT_OK(r, get_reg(vcpu, id, out), "KVM_GET_ONE_REG(%s)", name);
	EXPECT_EQ(0, memcmp(val, out, size))
		TH_LOG("%s (%u bytes) must read back as set", name, size);
}

TEST_F(regs, round_trips)
{
	unsigned char v128[16];
	uint64_t v;
	uint32_t v32;
	char name[16];
	int i, j, r;

	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref, 0),
		  "KVM_ARM_VCPU_INIT");
	for (i = 0; i < 31; i++) {
		v = 0x0123456789abcdefULL ^ ((uint64_t)i << 56) ^ i;
		snprintf(name, sizeof(name), "X%d", i);
		round_trip(_metadata, self->vcpu, ID_X(i), name, &v);
	}
	v = 0xffff800012345670ULL;
	round_trip(_metadata, self->vcpu, ID_SP, "SP", &v);
	v = 0x40080000ULL;
	round_trip(_metadata, self->vcpu, ID_PC, "PC", &v);
	v = 0xffff800000001230ULL;
	round_trip(_metadata, self->vcpu, ID_SP_EL1, "SP_EL1", &v);
	v = 0xffff800000004560ULL;
	round_trip(_metadata, self->vcpu, ID_ELR_EL1, "ELR_EL1", &v);
	v = 0x3c4;
	round_trip(_metadata, self->vcpu, ID_SPSR(0), "SPSR[0]", &v);
	for (i = 0; i < 32; i++) {
		for (j = 0; j < 16; j++)
			v128[j] = i * 16 + j + 1;
		snprintf(name, sizeof(name), "V%d", i);
		round_trip(_metadata, self->vcpu, ID_V(i), name, v128);
	}
	v32 = 0x08000000;	/* FPSR.QC */
	round_trip(_metadata, self->vcpu, ID_FPSR, "FPSR", &v32);
	v32 = 0x00c00000;	/* FPCR.RMode = RZ */
	round_trip(_metadata, self->vcpu, ID_FPCR, "FPCR", &v32);
	v = PSR_MODE_EL1t;
	round_trip(_metadata, self->vcpu, ID_PSTATE, "PSTATE (EL1t)", &v);
	v = PSR_MODE_EL0t;
	round_trip(_metadata, self->vcpu, ID_PSTATE, "PSTATE (EL0t)", &v);
}

TEST_F(regs, bad_ids)
{
	uint64_t v[2] = { 0, 0 };
	uint64_t end = sizeof(struct kvm_regs) / sizeof(uint32_t);
	int r;

	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref, 0),
		  "KVM_ARM_VCPU_INIT");
	/* core_reg_addr(): a size other than the field's is -EINVAL. */
	EXPECT_ERRNO(get_reg(self->vcpu, CORE_ID(KVM_REG_SIZE_U32, regs.pc), v),
		     EINVAL, "KVM_GET_ONE_REG(PC) with size U32");
	EXPECT_ERRNO(set_reg(self->vcpu, CORE_ID(KVM_REG_SIZE_U128, regs.pc), v),
		     EINVAL, "KVM_SET_ONE_REG(PC) with size U128");
	EXPECT_ERRNO(get_reg(self->vcpu, CORE_ID(KVM_REG_SIZE_U64, fp_regs.fpsr),
			     v), EINVAL, "KVM_GET_ONE_REG(FPSR) with size U64");
	/* An offset into the middle of a register is no register. */
	EXPECT_ERRNO(get_reg(self->vcpu, ID_PC + 1, v), EINVAL,
		     "KVM_GET_ONE_REG at PC's offset + 1 word");
	EXPECT_ERRNO(get_reg(self->vcpu, ID_V(3) + 2, v), EINVAL,
		     "KVM_GET_ONE_REG (U128) at V3's offset + 2 words");
	/* Past struct kvm_regs: -ENOENT. */
	EXPECT_ERRNO(get_reg(self->vcpu, KVM_REG_ARM64 | KVM_REG_ARM_CORE |
			     KVM_REG_SIZE_U64 | end, v), ENOENT,
		     "KVM_GET_ONE_REG at the word past struct kvm_regs");
	EXPECT_ERRNO(get_reg(self->vcpu, KVM_REG_ARM64 | KVM_REG_ARM_CORE |
			     KVM_REG_SIZE_U64 | 0xfff0, v), ENOENT,
		     "KVM_GET_ONE_REG at core offset 0xfff0");
	/* Not KVM_REG_ARM64 in the upper half: -EINVAL. */
	EXPECT_ERRNO(get_reg(self->vcpu, ID_PC & ~KVM_REG_ARCH_MASK, v), EINVAL,
		     "KVM_GET_ONE_REG(PC) without KVM_REG_ARM64");
	/* Bad user pointers. */
	EXPECT_ERRNO(get_reg(self->vcpu, ID_PC, NULL), EFAULT,
		     "KVM_GET_ONE_REG(PC) into a NULL pointer");
	EXPECT_ERRNO(set_reg(self->vcpu, ID_X(0), NULL), EFAULT,
		     "KVM_SET_ONE_REG(X0) from a NULL pointer");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_GET_ONE_REG, NULL), EFAULT,
		     "KVM_GET_ONE_REG with a NULL struct kvm_one_reg");
}

TEST_F(regs, pstate_modes)
{
	uint64_t v, old;
	int r;

	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref, 0),
		  "KVM_ARM_VCPU_INIT");
	v = 0x1d3;	/* AArch32 SVC, A, I, F: needs an AArch32 EL1 */
	EXPECT_ERRNO(set_reg(self->vcpu, ID_PSTATE, &v), EINVAL,
		     "PSTATE with AArch32 SVC mode on an AArch64 vCPU");
	v = PSR_MODE_EL2h;
	EXPECT_ERRNO(set_reg(self->vcpu, ID_PSTATE, &v), EINVAL,
		     "PSTATE with EL2h mode");
	ASSERT_OK(r, get_reg(self->vcpu, ID_PSTATE, &old),
		  "KVM_GET_ONE_REG(PSTATE)");
	EXPECT_EQ(RESET_PSTATE, old)
		TH_LOG("a refused PSTATE write must leave PSTATE as it was");
}

TEST_F(regs, reg_list)
{
	uint64_t want[NR_CORE_IDS], buf[64];
	__u64 *got;
	struct kvm_reg_list *list;
	unsigned int n, i, j;
	int r, nwant;

	nwant = core_ids(want);
	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref, 0),
		  "KVM_ARM_VCPU_INIT");
	list = calloc(1, sizeof(*list));
	ASSERT_NE(NULL, list);
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_GET_REG_LIST, list), E2BIG,
		     "KVM_GET_REG_LIST with n = 0");
	n = list->n;
	ASSERT_LE((unsigned int)nwant, n)
		TH_LOG("at least the %d core registers are listed, n said %u",
		       nwant, n);
	free(list);
	list = calloc(1, sizeof(*list) + n * sizeof(uint64_t));
	ASSERT_NE(NULL, list);
	list->n = n;
	ASSERT_OK(r, ioctl(self->vcpu, KVM_GET_REG_LIST, list),
		  "KVM_GET_REG_LIST with n = %u", n);
	got = list->reg;
	for (i = 0; i < (unsigned int)nwant; i++) {
		for (j = 0; j < n && got[j] != want[i]; j++)
			;
		EXPECT_LT(j, n) {
			TH_LOG("core id %#llx must be listed",
			       (unsigned long long)want[i]);
		}
	}
	/*
	 * Every listed id (core, system, timer ...) reads, and takes back
	 * what it read: what a VMM saving and restoring a vCPU relies on.
	 */
	for (j = 0; j < n; j++) {
		ASSERT_GE(sizeof(buf), KVM_REG_SIZE(got[j]))
			TH_LOG("listed %#llx is wider than the test's buffer",
			       (unsigned long long)got[j]);
		memset(buf, 0, sizeof(buf));
		EXPECT_OK(r, get_reg(self->vcpu, got[j], buf),
			  "KVM_GET_ONE_REG(listed %#llx)",
			  (unsigned long long)got[j]);
		EXPECT_OK(r, set_reg(self->vcpu, got[j], buf),
			  "KVM_SET_ONE_REG(listed %#llx)",
			  (unsigned long long)got[j]);
	}
	free(list);
}

static uint32_t mp_state(struct __test_metadata *_metadata, int vcpu)
{
	struct kvm_mp_state mp = { .mp_state = 0xdead };
	int r;

	EXPECT_OK(r, ioctl(vcpu, KVM_GET_MP_STATE, &mp), "KVM_GET_MP_STATE");
	return mp.mp_state;
}

TEST_F(regs, mp_state_power_off)
{
	struct kvm_mp_state mp;
	int r;

	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref,
			       1U << KVM_ARM_VCPU_POWER_OFF),
		  "KVM_ARM_VCPU_INIT with POWER_OFF");
	EXPECT_EQ(KVM_MP_STATE_STOPPED, mp_state(_metadata, self->vcpu))
		TH_LOG("a vCPU initialised with POWER_OFF must be STOPPED");
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	EXPECT_OK(r, ioctl(self->vcpu, KVM_SET_MP_STATE, &mp),
		  "KVM_SET_MP_STATE(RUNNABLE)");
	EXPECT_EQ(KVM_MP_STATE_RUNNABLE, mp_state(_metadata, self->vcpu))
		TH_LOG("after KVM_SET_MP_STATE(RUNNABLE)");
	mp.mp_state = KVM_MP_STATE_STOPPED;
	EXPECT_OK(r, ioctl(self->vcpu, KVM_SET_MP_STATE, &mp),
		  "KVM_SET_MP_STATE(STOPPED)");
	EXPECT_EQ(KVM_MP_STATE_STOPPED, mp_state(_metadata, self->vcpu))
		TH_LOG("after KVM_SET_MP_STATE(STOPPED)");
	mp.mp_state = 1000;
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_SET_MP_STATE, &mp), EINVAL,
		     "KVM_SET_MP_STATE(1000)");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_GET_MP_STATE, NULL), EFAULT,
		     "KVM_GET_MP_STATE into a NULL pointer");
}

TEST_F(regs, mp_state_runnable)
{
	int r;

	ASSERT_OK(r, vcpu_init(self->vcpu, &self->pref, 0),
		  "KVM_ARM_VCPU_INIT without POWER_OFF");
	EXPECT_EQ(KVM_MP_STATE_RUNNABLE, mp_state(_metadata, self->vcpu))
		TH_LOG("a vCPU initialised without POWER_OFF must be RUNNABLE");
}

TEST(caps)
{
	int sys = hvk_open_dev();

	ASSERT_LE(0, sys) TH_LOG("open(%s)", hvk_dev_path());
	EXPECT_LT(0, hvk_cap(sys, KVM_CAP_ONE_REG))
		TH_LOG("KVM_CHECK_EXTENSION(KVM_CAP_ONE_REG) must be > 0");
	EXPECT_LT(0, hvk_cap(sys, KVM_CAP_MP_STATE))
		TH_LOG("KVM_CHECK_EXTENSION(KVM_CAP_MP_STATE) must be > 0");
	close(sys);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI through HVC, handled in the kernel: PSCI_VERSION, PSCI_FEATURES,
 * MIGRATE_INFO_TYPE, unknown function ids, SYSTEM_OFF / SYSTEM_RESET
 * (/ SYSTEM_RESET2 when the version has it) as KVM_EXIT_SYSTEM_EVENT,
 * CPU_ON / AFFINITY_INFO / CPU_OFF with a second vCPU running in its own
 * thread, vCPUs that are off blocking in KVM_RUN until a signal, and SMC
 * (not a PSCI conduit for KVM guests).
 *
 * Expectations are Linux 6.1 KVM's (arch/arm64/kvm/psci.c, hypercalls.c,
 * handle_exit.c handle_smc). The PSCI version may differ (hvk may offer
 * 0.2 or 1.x; KVM 6.1 offers 1.1): what a version implies is checked for
 * the version the guest reads.
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include "arm64_guest.h"

/* The SMCCC Standard Secure Service range KVM leaves unimplemented. */
#define PSCI_UNUSED_FN		PSCI_0_2_FN(0x1f)
#define PSCI_UNUSED_FN64	PSCI_0_2_FN64(0x1e)
#define SIP_FN			0x82000000	/* SiP service call 0 */
/* MIGRATE_INFO_TYPE: "Trusted OS not present or does not need migration". */
#define PSCI_TOS_MP		2

/* Each HVC's x0 goes out through an MMIO store; then the next call. */
GUEST_CODE(g_hvc_loop,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"1:	hvc	#0\n"
	"str	x0, [x19]\n"
	"b	1b\n");

/* The same with SMC. */
GUEST_CODE(g_smc_loop,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"1:	smc	#0\n"
	"str	x0, [x19]\n"
	"b	1b\n");

FIXTURE(psci) {
	struct g_vm g;
	uint32_t version;
};

/* One call through g_hvc_loop: x0..x3 in, x0 out. */
static uint64_t call(struct __test_metadata *_metadata, struct g_vm *g,
		     uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	g_set64(g, 0, G_X(0), fn);
	g_set64(g, 0, G_X(1), a1);
	g_set64(g, 0, G_X(2), a2);
	g_set64(g, 0, G_X(3), a3);
	return g_run_mmio(g, 0, G_MMIO_GPA, 8, 1);
}

FIXTURE_SETUP(psci)
{
	g_vm_with_code(&self->g, g_hvc_loop);
	self->version = call(_metadata, &self->g, PSCI_0_2_FN_PSCI_VERSION,
			     0, 0, 0);
}

FIXTURE_TEARDOWN(psci)
{
	g_vm_destroy(&self->g);
}

TEST_F(psci, version)
{
	uint32_t v = self->version;

	EXPECT_TRUE(v == 0x2 || v == 0x10000 || v == 0x10001)
		TH_LOG("PSCI_VERSION %#x: expected 0.2, 1.0 or 1.1", v);
	if (hvk_lab_kvm())
		EXPECT_EQ(0x10001, v) TH_LOG("KVM 6.1 offers PSCI 1.1");
	/* The 64-bit id of VERSION does not exist: not supported. */
	EXPECT_EQ(G_PSCI_NOT_SUPPORTED,
		  (int64_t)call(_metadata, &self->g,
				PSCI_0_2_FN64(0), 0, 0, 0))
		TH_LOG("the SMC64 id of PSCI_VERSION (0xc4000000)");
}

TEST_F(psci, features)
{
	static const uint32_t listed[] = {
		PSCI_0_2_FN_PSCI_VERSION, PSCI_0_2_FN_CPU_OFF,
		PSCI_0_2_FN_CPU_ON, PSCI_0_2_FN64_CPU_ON,
		PSCI_0_2_FN_AFFINITY_INFO, PSCI_0_2_FN64_AFFINITY_INFO,
		PSCI_0_2_FN_MIGRATE_INFO_TYPE, PSCI_0_2_FN_SYSTEM_OFF,
		PSCI_0_2_FN_SYSTEM_RESET, PSCI_1_0_FN_PSCI_FEATURES,
	};
	static const uint32_t unlisted[] = {
		PSCI_UNUSED_FN, PSCI_UNUSED_FN64, PSCI_0_2_FN_MIGRATE,
		/* KVM: only with KVM_CAP_ARM_SYSTEM_SUSPEND enabled. */
		PSCI_1_0_FN_SYSTEM_SUSPEND, PSCI_1_0_FN64_SYSTEM_SUSPEND,
	};
	unsigned int i;
	int64_t r;

	if (self->version < 0x10000) {
		/* PSCI_FEATURES is a 1.0 function. */
		r = call(_metadata, &self->g, PSCI_1_0_FN_PSCI_FEATURES,
			 PSCI_0_2_FN_PSCI_VERSION, 0, 0);
		EXPECT_EQ(G_PSCI_NOT_SUPPORTED, r)
			TH_LOG("PSCI_FEATURES under PSCI %#x", self->version);
		return;
	}
	for (i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
		r = call(_metadata, &self->g, PSCI_1_0_FN_PSCI_FEATURES,
			 listed[i], 0, 0);
		EXPECT_EQ(0, r) TH_LOG("PSCI_FEATURES(%#x) = %lld: must be "
				       "supported (0)", listed[i],
				       (long long)r);
	}
	for (i = 0; i < sizeof(unlisted) / sizeof(unlisted[0]); i++) {
		r = call(_metadata, &self->g, PSCI_1_0_FN_PSCI_FEATURES,
			 unlisted[i], 0, 0);
		EXPECT_EQ(G_PSCI_NOT_SUPPORTED, r)
			TH_LOG("PSCI_FEATURES(%#x) = %lld: must be "
			       "NOT_SUPPORTED", unlisted[i], (long long)r);
	}
	r = call(_metadata, &self->g, PSCI_1_0_FN_PSCI_FEATURES,
		 PSCI_1_1_FN64_SYSTEM_RESET2, 0, 0);
	EXPECT_EQ(self->version >= 0x10001 ? 0 : G_PSCI_NOT_SUPPORTED, r)
		TH_LOG("PSCI_FEATURES(SYSTEM_RESET2) under PSCI %#x: %lld",
		       self->version, (long long)r);
}

TEST_F(psci, unknown_ids_and_preserved_registers)
{
	static const uint64_t fns[] = {
		PSCI_UNUSED_FN, PSCI_UNUSED_FN64, SIP_FN,
		0xc6000000,		/* an OEM service call */
		0x0,			/* Arm Architecture, yielding */
		PSCI_0_2_FN_MIGRATE,	/* no Trusted OS to migrate */
	};
	uint64_t v;
	unsigned int i;
	int r;

	for (r = 4; r <= 17; r++)
		g_set64(&self->g, 0, G_X(r), 0xa5a5000000000000ULL | r);
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		v = call(_metadata, &self->g, fns[i], 1, 2, 3);
		EXPECT_EQ(G_PSCI_NOT_SUPPORTED, (int64_t)v)
			TH_LOG("HVC with unknown function id %#llx: x0 = "
			       "%#llx, expected NOT_SUPPORTED (-1)",
			       (unsigned long long)fns[i],
			       (unsigned long long)v);
	}
	v = call(_metadata, &self->g, PSCI_0_2_FN_MIGRATE_INFO_TYPE, 0, 0, 0);
	EXPECT_EQ(PSCI_TOS_MP, v) TH_LOG("MIGRATE_INFO_TYPE");
	/* SMCCC 1.1: x4-x17 survive a call. */
	for (r = 4; r <= 17; r++) {
		v = g_get64(&self->g, 0, G_X(r));
		EXPECT_EQ(0xa5a5000000000000ULL | r, v)
			TH_LOG("x%d must be preserved across HVC calls", r);
	}
}

/* KVM_RUN must exit with a system event of @type and @flags. */
static void expect_event(struct __test_metadata *_metadata, struct g_vm *g,
			 uint32_t type, uint64_t flags, const char *what)
{
	struct kvm_run *run = g->run[0];
	struct kvm_mp_state mp = { .mp_state = 0xdead };
	uint64_t pc;
	int r, err;

	g_run_expect(g, 0, KVM_EXIT_SYSTEM_EVENT);
	EXPECT_EQ(type, run->system_event.type)
		TH_LOG("%s: system_event.type %u", what,
		       run->system_event.type);
	EXPECT_EQ(1, run->system_event.ndata)
		TH_LOG("%s: system_event.ndata", what);
	EXPECT_EQ(flags, run->system_event.data[0])
		TH_LOG("%s: system_event.data[0] (flags) %#llx", what,
		       (unsigned long long)run->system_event.data[0]);
	/*
	 * KVM preloads x0 with INTERNAL_FAILURE, for a guest resumed anyway;
	 * PC is past the HVC.
	 */
	EXPECT_EQ(G_PSCI_INTERNAL_FAILURE, (int64_t)g_get64(g, 0, G_X(0)))
		TH_LOG("%s: x0 after the exit", what);
	pc = g_get64(g, 0, G_PC);
	EXPECT_EQ(G_RAM_GPA + 8, pc) TH_LOG("%s: PC past the HVC", what);
	/* Every vCPU is off now: KVM_RUN sleeps until a signal. */
	EXPECT_OK(r, ioctl(g->vcpu[0], KVM_GET_MP_STATE, &mp),
		  "KVM_GET_MP_STATE");
	EXPECT_EQ(KVM_MP_STATE_STOPPED, mp.mp_state)
		TH_LOG("%s: the vCPU must be STOPPED", what);
	g_alarm_ms(200, 0);
	r = g_run_raw(g, 0, &err);
	g_alarm_ms(0, 0);
	EXPECT_EQ(-1, r) TH_LOG("%s: KVM_RUN again must sleep until the "
				"signal, got %d, exit %s", what, r,
				g_exit_name(run->exit_reason));
	EXPECT_EQ(EINTR, err) TH_LOG("%s: KVM_RUN again: %s", what,
				     hvk_errname(err));
	EXPECT_EQ(KVM_EXIT_INTR, run->exit_reason);
	EXPECT_EQ(pc, g_get64(g, 0, G_PC))
		TH_LOG("%s: the stopped vCPU did not run", what);
}

TEST_F(psci, system_off)
{
	g_set64(&self->g, 0, G_X(0), PSCI_0_2_FN_SYSTEM_OFF);
	expect_event(_metadata, &self->g, KVM_SYSTEM_EVENT_SHUTDOWN, 0,
		     "SYSTEM_OFF");
}

TEST_F(psci, system_reset)
{
	g_set64(&self->g, 0, G_X(0), PSCI_0_2_FN_SYSTEM_RESET);
	expect_event(_metadata, &self->g, KVM_SYSTEM_EVENT_RESET, 0,
		     "SYSTEM_RESET");
}

TEST_F(psci, system_reset2)
{
	int64_t r;

	if (self->version < 0x10001) {
		r = call(_metadata, &self->g, PSCI_1_1_FN64_SYSTEM_RESET2,
			 0, 0, 0);
		EXPECT_EQ(G_PSCI_NOT_SUPPORTED, r)
			TH_LOG("SYSTEM_RESET2 under PSCI %#x", self->version);
		return;
	}
	/* Architectural reset types other than 0 (warm) do not exist. */
	r = call(_metadata, &self->g, PSCI_1_1_FN64_SYSTEM_RESET2, 1, 0, 0);
	EXPECT_EQ(G_PSCI_INVALID_PARAMS, r)
		TH_LOG("SYSTEM_RESET2 with reset type 1");
	g_set64(&self->g, 0, G_X(0), PSCI_1_1_FN64_SYSTEM_RESET2);
	g_set64(&self->g, 0, G_X(1), 0);
	expect_event(_metadata, &self->g, KVM_SYSTEM_EVENT_RESET,
		     KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2,
		     "SYSTEM_RESET2 (warm)");
}

/* A VMM's reboot: after SYSTEM_RESET, KVM_ARM_VCPU_INIT again and run. */
TEST_F(psci, reset_then_init_runs_again)
{
	struct kvm_vcpu_init init = { .target = self->g.pref.target };
	struct kvm_mp_state mp = { .mp_state = 0xdead };
	int r;

	g_set64(&self->g, 0, G_X(0), PSCI_0_2_FN_SYSTEM_RESET);
	g_run_expect(&self->g, 0, KVM_EXIT_SYSTEM_EVENT);
	EXPECT_EQ(KVM_SYSTEM_EVENT_RESET, self->g.run[0]->system_event.type);
	init.features[0] = 1U << KVM_ARM_VCPU_PSCI_0_2;
	ASSERT_OK(r, ioctl(self->g.vcpu[0], KVM_ARM_VCPU_INIT, &init),
		  "KVM_ARM_VCPU_INIT after SYSTEM_RESET");
	EXPECT_OK(r, ioctl(self->g.vcpu[0], KVM_GET_MP_STATE, &mp),
		  "KVM_GET_MP_STATE");
	EXPECT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state)
		TH_LOG("KVM_ARM_VCPU_INIT powers the vCPU on again");
	EXPECT_EQ(0, g_get64(&self->g, 0, G_PC)) TH_LOG("PC reset to 0");
	g_set64(&self->g, 0, G_PC, G_RAM_GPA);
	EXPECT_EQ(self->version,
		  call(_metadata, &self->g, PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0))
		TH_LOG("the re-initialised vCPU runs the guest from the start");
}

/*
 * KVM 6.1 traps SMC and answers -1 in x0 without calling PSCI. (Later
 * KVMs, 6.12 in the lab, take SMC as a PSCI conduit like HVC: this test
 * holds hvk to 6.1, the reference of every test here.)
 */
TEST(smc_not_supported)
{
	struct g_vm g;
	uint64_t v;

	g_vm_with_code(&g, g_smc_loop);
	g_set64(&g, 0, G_X(0), PSCI_0_2_FN_PSCI_VERSION);
	v = g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	EXPECT_EQ(~0ULL, v) TH_LOG("SMC #0 with PSCI_VERSION: x0 = %#llx",
				   (unsigned long long)v);
	g_set64(&g, 0, G_X(0), PSCI_0_2_FN_SYSTEM_OFF);
	v = g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	EXPECT_EQ(~0ULL, v)
		TH_LOG("SMC #0 with SYSTEM_OFF must not shut down: x0 = "
		       "%#llx", (unsigned long long)v);
	g_vm_destroy(&g);
}

/* A vCPU created off sleeps in KVM_RUN until it is made runnable. */
TEST(powered_off_vcpu_sleeps)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct g_vm g;
	int r, err;

	g_vm_create(_metadata, &g);
	g_vcpu_add(_metadata, &g, 0, (1U << KVM_ARM_VCPU_PSCI_0_2) |
		   (1U << KVM_ARM_VCPU_POWER_OFF));
	g_load(_metadata, &g, 0, g_hvc_loop, g_hvc_loop_end);
	g_set64(&g, 0, G_PC, G_RAM_GPA);
	g_set64(&g, 0, G_X(0), PSCI_0_2_FN_PSCI_VERSION);
	g_alarm_ms(200, 0);
	r = g_run_raw(&g, 0, &err);
	g_alarm_ms(0, 0);
	EXPECT_EQ(-1, r) TH_LOG("KVM_RUN of a vCPU initialised with "
				"POWER_OFF must sleep until a signal: got "
				"%d, exit %s", r,
				g_exit_name(g.run[0]->exit_reason));
	EXPECT_EQ(EINTR, err) TH_LOG("%s", hvk_errname(err));
	EXPECT_EQ(KVM_EXIT_INTR, g.run[0]->exit_reason);
	EXPECT_EQ(G_RAM_GPA, g_get64(&g, 0, G_PC))
		TH_LOG("the sleeping vCPU did not run");
	ASSERT_OK(r, ioctl(g.vcpu[0], KVM_SET_MP_STATE, &mp),
		  "KVM_SET_MP_STATE(RUNNABLE)");
	EXPECT_LE(0x2, (uint32_t)g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1))
		TH_LOG("made RUNNABLE, it runs: PSCI_VERSION >= 0.2");
	g_vm_destroy(&g);
}

/*
 * CPU_ON: vCPU 0 starts vCPU 1 at g_secondary with a context id (the
 * first CPU_ON's function id in x24, context id in x25, and bits ORed into
 * its target and entry point in x26), checks
 * CPU_ON's errors and AFFINITY_INFO, releases vCPU 1 (a flag in RAM), which
 * then calls CPU_OFF; vCPU 0 waits for AFFINITY_INFO to say OFF and ends
 * with SYSTEM_OFF. Results go out as MMIO stores at fixed offsets.
 */
#define FLAG_GPA	(G_RAM_GPA + G_DATA_OFF)
#define CTX_ID		0x1122334455667788

GUEST_SYM(g_secondary);
GUEST_CODE(g_cpu_on,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x20, =" G_STR(FLAG_GPA) "\n"
	"str	xzr, [x20]\n"
	"mrs	x1, mpidr_el1\n"
	"str	x1, [x19, #0x08]\n"
	"mov	x0, x24\n"
	"orr	x1, x26, #1\n"
	"adr	x2, g_secondary\n"
	"orr	x2, x2, x26\n"
	"mov	x3, x25\n"
	"hvc	#0\n"
	"str	x0, [x19, #0x10]\n"
	"ldr	x0, =" G_STR(PSCI_0_2_FN64_CPU_ON) "\n"
	"mov	x1, #1\n"
	"adr	x2, g_secondary\n"
	"mov	x3, #0\n"
	"hvc	#0\n"
	"str	x0, [x19, #0x18]\n"
	"ldr	x0, =" G_STR(PSCI_0_2_FN64_AFFINITY_INFO) "\n"
	"mov	x1, #1\n"
	"mov	x2, #0\n"
	"hvc	#0\n"
	"str	x0, [x19, #0x20]\n"
	"ldr	x0, =" G_STR(PSCI_0_2_FN64_AFFINITY_INFO) "\n"
	"mov	x1, #7\n"
	"mov	x2, #0\n"
	"hvc	#0\n"
	"str	x0, [x19, #0x28]\n"
	"ldr	x0, =" G_STR(PSCI_0_2_FN64_CPU_ON) "\n"
	"mov	x1, #7\n"
	"adr	x2, g_secondary\n"
	"hvc	#0\n"
	"str	x0, [x19, #0x30]\n"
	"mov	x1, #1\n"
	"str	x1, [x20]\n"
	"1:	ldr	x0, =" G_STR(PSCI_0_2_FN64_AFFINITY_INFO) "\n"
	"mov	x1, #1\n"
	"mov	x2, #0\n"
	"hvc	#0\n"
	"cbz	x0, 1b\n"
	"str	x0, [x19, #0x38]\n"
	"ldr	x0, =" G_STR(PSCI_0_2_FN_SYSTEM_OFF) "\n"
	"hvc	#0\n"
	"b	.\n"
	"g_secondary:\n"
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"str	x0, [x19, #0x100]\n"
	"mrs	x1, mpidr_el1\n"
	"str	x1, [x19, #0x108]\n"
	"mrs	x1, CurrentEL\n"
	"str	x1, [x19, #0x110]\n"
	"ldr	x20, =" G_STR(FLAG_GPA) "\n"
	"2:	ldr	x1, [x20]\n"
	"cbz	x1, 2b\n"
	"ldr	x0, =" G_STR(PSCI_0_2_FN_CPU_OFF) "\n"
	"hvc	#0\n"
	"str	x0, [x19, #0x118]\n"
	"b	.\n");

/* What vCPU 1's thread saw. */
struct secondary {
	struct g_vm *g;
	volatile int stop;
	volatile int done;
	int nwrites;
	uint64_t off[8], data[8];
	int last_ret, last_err;
	uint32_t last_exit;
	int unexpected;		/* an exit other than an MMIO write */
};

static void *secondary_thread(void *arg)
{
	struct secondary *s = arg;
	struct kvm_run *run = s->g->run[1];
	sigset_t set;

	/* g_run_expect()'s SIGALRM is the main thread's. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (!s->stop) {
		s->last_ret = g_run_raw(s->g, 1, &s->last_err);
		s->last_exit = run->exit_reason;
		if (s->last_ret < 0) {
			if (s->last_err == EINTR)
				continue;
			break;
		}
		if (run->exit_reason != KVM_EXIT_MMIO || !run->mmio.is_write) {
			s->unexpected = 1;
			break;
		}
		if (s->nwrites < 8) {
			s->off[s->nwrites] = run->mmio.phys_addr - G_MMIO_GPA;
			s->data[s->nwrites] = g_mmio_data(run);
		}
		s->nwrites++;
	}
	s->done = 1;
	return NULL;
}

FIXTURE(cpu_on) {
	int unused;
};

FIXTURE_VARIANT(cpu_on) {
	uint32_t fn;
	uint64_t hi;		/* ORed into the target and entry point */
	uint64_t want_ctx;	/* vCPU 1's x0 */
};

/* SMC64: the context id whole. */
FIXTURE_VARIANT_ADD(cpu_on, smc64) {
	.fn = PSCI_0_2_FN64_CPU_ON, .hi = 0, .want_ctx = CTX_ID,
};

/* SMC32: arguments are 32-bit, their upper halves ignored. */
FIXTURE_VARIANT_ADD(cpu_on, smc32) {
	.fn = PSCI_0_2_FN_CPU_ON, .hi = 0xabcd000000000000ULL,
	.want_ctx = CTX_ID & 0xffffffff,
};

FIXTURE_SETUP(cpu_on)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(cpu_on)
{
}

TEST_F(cpu_on, affinity_info_cpu_off)
{
	static const struct { uint64_t off; int64_t want; const char *what; }
	primary[] = {
		{ 0x08, 0x80000000, "vCPU 0's MPIDR_EL1" },
		{ 0x10, G_PSCI_SUCCESS, "CPU_ON(1)" },
		{ 0x18, G_PSCI_ALREADY_ON, "CPU_ON(1) again" },
		{ 0x20, 0, "AFFINITY_INFO(1) = ON" },
		{ 0x28, G_PSCI_INVALID_PARAMS,
		  "AFFINITY_INFO(7), no such CPU" },
		{ 0x30, G_PSCI_INVALID_PARAMS, "CPU_ON(7), no such CPU" },
		{ 0x38, 1, "AFFINITY_INFO(1) = OFF after its CPU_OFF" },
	};
	struct secondary s = { 0 };
	struct kvm_mp_state mp = { .mp_state = 0xdead };
	struct g_vm g;
	pthread_t th;
	uint64_t v, t0;
	unsigned int i;
	int r;

	g_vm_create(_metadata, &g);
	g_vcpu_add(_metadata, &g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	g_vcpu_add(_metadata, &g, 1, (1U << KVM_ARM_VCPU_PSCI_0_2) |
		   (1U << KVM_ARM_VCPU_POWER_OFF));
	g_load(_metadata, &g, 0, g_cpu_on, g_cpu_on_end);
	g_set64(&g, 0, G_PC, G_RAM_GPA);
	g_set64(&g, 0, G_X(24), variant->fn);
	g_set64(&g, 0, G_X(25), CTX_ID);
	g_set64(&g, 0, G_X(26), variant->hi);
	/* Wherever vCPU 1 would start on its own: CPU_ON must move it. */
	g_set64(&g, 1, G_PC, G_HOLE_GPA);
	EXPECT_OK(r, ioctl(g.vcpu[1], KVM_GET_MP_STATE, &mp),
		  "KVM_GET_MP_STATE(vCPU 1)");
	EXPECT_EQ(KVM_MP_STATE_STOPPED, mp.mp_state);

	s.g = &g;
	ASSERT_EQ(0, pthread_create(&th, NULL, secondary_thread, &s));
	for (i = 0; i < sizeof(primary) / sizeof(primary[0]); i++) {
		v = g_run_mmio(&g, 0, G_MMIO_GPA + primary[i].off, 8, 1);
		EXPECT_EQ(primary[i].want, (int64_t)v)
			TH_LOG("%s: %#llx", primary[i].what,
			       (unsigned long long)v);
	}
	g_run_expect(&g, 0, KVM_EXIT_SYSTEM_EVENT);
	EXPECT_EQ(KVM_SYSTEM_EVENT_SHUTDOWN, g.run[0]->system_event.type);

	/* vCPU 1 sleeps in KVM_RUN now (CPU_OFF): wake its thread. */
	s.stop = 1;
	g.run[1]->immediate_exit = 1;
	t0 = g_now_ms();
	while (!s.done && g_now_ms() - t0 < 5000) {
		pthread_kill(th, SIGUSR1);
		usleep(10000);
	}
	ASSERT_TRUE(s.done) TH_LOG("vCPU 1's thread did not leave KVM_RUN "
				   "on SIGUSR1");
	pthread_join(th, NULL);

	EXPECT_FALSE(s.unexpected)
		TH_LOG("vCPU 1: unexpected exit %u (%s)", s.last_exit,
		       g_exit_name(s.last_exit));
	EXPECT_EQ(-1, s.last_ret);
	EXPECT_EQ(EINTR, s.last_err)
		TH_LOG("vCPU 1's last KVM_RUN: %s", hvk_errname(s.last_err));
	ASSERT_EQ(3, s.nwrites)
		TH_LOG("vCPU 1 stores its x0, MPIDR_EL1 and CurrentEL, and "
		       "nothing after CPU_OFF: %d stores", s.nwrites);
	EXPECT_EQ(0x100, s.off[0]);
	EXPECT_EQ(variant->want_ctx, s.data[0])
		TH_LOG("vCPU 1 starts with the context id in x0: %#llx",
		       (unsigned long long)s.data[0]);
	EXPECT_EQ(0x108, s.off[1]);
	EXPECT_EQ(0x80000001, s.data[1])
		TH_LOG("vCPU 1's MPIDR_EL1: %#llx",
		       (unsigned long long)s.data[1]);
	EXPECT_EQ(0x110, s.off[2]);
	EXPECT_EQ(1 << 2, s.data[2]) TH_LOG("vCPU 1 starts at EL1");
	EXPECT_OK(r, ioctl(g.vcpu[1], KVM_GET_MP_STATE, &mp),
		  "KVM_GET_MP_STATE(vCPU 1)");
	EXPECT_EQ(KVM_MP_STATE_STOPPED, mp.mp_state)
		TH_LOG("vCPU 1 after CPU_OFF and SYSTEM_OFF");
	g_vm_destroy(&g);
}

TEST_HARNESS_MAIN

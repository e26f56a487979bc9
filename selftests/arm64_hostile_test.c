// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests on arm64 (issue 9): each tiny guest does one thing a
 * guest should not get away with, and the host must keep control (a
 * signal ends KVM_RUN within a second), the guest must see only its own
 * memory and state, and the lab log must show no splat (tools/lab/run
 * fails the run on one).
 *
 *   - spinning at EL1 with PSTATE.DAIF masked: a timer signal ends
 *     KVM_RUN (host interrupts reach EL2 whatever the guest masks);
 *   - a 2-vCPU VM exiting continuously on both CPUs while other VMs are
 *     created and destroyed with few VMIDs (hvk reloaded with
 *     vmid_limit=3: a generation wrap every other VM), each guest reading
 *     a per-VM token from its own RAM through stage 2 in a loop;
 *   - HVC and SMC with garbage function ids and x1-x17;
 *   - the system registers of features hvk does not offer (SME's
 *     TPIDR2_EL0, S1POE's POR_EL0/POR_EL1, FPMR, the EL2 fine-grained
 *     trap registers, HCRX_EL2, ICH_VMCR_EL2) and the GIC CPU interface
 *     state a guest reaches through ICC_PMR_EL1/ICC_IGRPEN1_EL1 (its
 *     ICH_VMCR_EL2): what one VM writes must not show in another;
 *   - random bytes as EL1 code, many seeds, every KVM_RUN bounded.
 *
 * Every expectation is Linux 6.1 KVM's, and every case runs against
 * both (--kvm); where the lab cannot show a defect the case says so.
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include <sched.h>
#include <sys/auxv.h>
#include <asm/hwcap.h>

#include "arm64_guest.h"

#ifndef HWCAP2_SME
#define HWCAP2_SME	(1UL << 23)
#endif
#ifndef HWCAP2_FPMR
#define HWCAP2_FPMR	(1UL << 48)
#endif
#ifndef HWCAP2_POE
#define HWCAP2_POE	(1UL << 63)
#endif

/* xorshift64: the same garbage on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Keep this thread on CPU @cpu (so two VMs meet on one physical CPU). */
static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- spinning with DAIF masked ---------------------------------------- */

GUEST_CODE(g_spin_masked,
	"msr	daifset, #0xf\n"
	"isb\n"
	"1:	b	1b\n");

/*
 * The guest masks every exception it can and never traps. Host timer
 * interrupts still reach EL2 (HCR_EL2.IMO; with pseudo-NMIs hvk keeps
 * ICC_PMR_EL1 open, see arm64/run.c), the vCPU thread sees the signal
 * and KVM_RUN returns -EINTR. Within a second of the signal, every time.
 */
TEST(spin_daif_masked_ended_by_signal)
{
	struct g_vm g;
	uint64_t t0, dt;
	int i, r, err;

	g_vm_with_code(&g, g_spin_masked);
	for (i = 0; i < 5; i++) {
		t0 = g_now_ms();
		g_alarm_ms(100, 0);
		r = g_run_raw(&g, 0, &err);
		dt = g_now_ms() - t0;
		g_alarm_ms(0, 0);
		EXPECT_EQ(-1, r) TH_LOG("run %d: KVM_RUN returned %d, exit %s",
					i, r,
					g_exit_name(g.run[0]->exit_reason));
		EXPECT_EQ(EINTR, err) TH_LOG("run %d: %s", i,
					     hvk_errname(err));
		EXPECT_EQ(KVM_EXIT_INTR, g.run[0]->exit_reason);
		EXPECT_GE(1100, dt) TH_LOG("run %d: KVM_RUN came back %llu "
					   "ms after a 100 ms timer", i,
					   (unsigned long long)dt);
		EXPECT_EQ(G_RAM_GPA + 8, g_get64(&g, 0, G_PC))
			TH_LOG("run %d: the guest spins at its loop", i);
	}
	g_vm_destroy(&g);
}

/* ---- the VMID stress --------------------------------------------------- */

#define TOKEN_OFF	G_DATA_OFF
#define STRESS_MS	3000
#define CHURN_MIN	20
#define STRESS_MAX_MS	45000

/*
 * x21: the token this VM's RAM holds at TOKEN_OFF. In a loop: an HVC
 * handled in the kernel (PSCI_VERSION: an exit and a re-entry that does
 * not return to userspace, each taking a VMID snapshot), then a load of
 * the token through stage 2. Every 64 rounds an MMIO store of the round
 * count (progress, at G_MMIO_GPA); a mismatch is stored at G_MMIO_GPA +
 * 8, for ever. x22 counts rounds; x23 stops after that many progress
 * reports when non-zero (the churned VMs).
 */
GUEST_CODE(g_token_loop,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x20, =" G_STR(G_RAM_GPA + TOKEN_OFF) "\n"
	"mov	x22, #0\n"
	"1:	ldr	x0, =" G_STR(PSCI_0_2_FN_PSCI_VERSION) "\n"
	"hvc	#0\n"
	"ldr	x1, [x20]\n"
	"cmp	x1, x21\n"
	"b.ne	3f\n"
	"add	x22, x22, #1\n"
	"tst	x22, #63\n"
	"b.ne	1b\n"
	"str	x22, [x19]\n"
	"cbz	x23, 1b\n"
	"subs	x23, x23, #1\n"
	"b.ne	1b\n"
	"2:	str	xzr, [x19, #16]\n"
	"b	2b\n"
	"3:	str	x1, [x19, #8]\n"
	"b	3b\n");

struct stress_vcpu {
	struct g_vm *g;
	int i;
	pthread_t th;
	volatile int *stop;
	uint64_t progress, bad_token, exits;
	int other;		/* unexpected KVM_RUN outcome */
	uint32_t other_reason;
	int other_err;
};

static void *stress_vcpu_thread(void *arg)
{
	struct stress_vcpu *v = arg;
	struct kvm_run *run = v->g->run[v->i];
	int r, err;

	while (!*v->stop) {
		r = g_run_raw(v->g, v->i, &err);
		if (r < 0) {
			if (err == EINTR)
				continue;
			v->other++;
			v->other_err = err;
			break;
		}
		v->exits++;
		if (run->exit_reason == KVM_EXIT_MMIO &&
		    run->mmio.phys_addr == G_MMIO_GPA) {
			v->progress++;
			continue;
		}
		if (run->exit_reason == KVM_EXIT_MMIO &&
		    run->mmio.phys_addr == G_MMIO_GPA + 8) {
			v->bad_token = g_mmio_data(run);
			break;
		}
		v->other++;
		v->other_reason = run->exit_reason;
		break;
	}
	return NULL;
}

/* A VM of @nvcpus vCPUs running g_token_loop with @token in its RAM. */
static void token_vm(struct __test_metadata *_metadata, struct g_vm *g,
		     int nvcpus, uint64_t token, uint64_t reports)
{
	int i;

	g_vm_create(_metadata, g);
	g_load(_metadata, g, 0, g_token_loop, g_token_loop_end);
	memcpy(g->ram + TOKEN_OFF, &token, sizeof(token));
	for (i = 0; i < nvcpus; i++) {
		g_vcpu_add(_metadata, g, i, 1U << KVM_ARM_VCPU_PSCI_0_2);
		g_set64(g, i, G_PC, G_RAM_GPA);
		g_set64(g, i, G_X(21), token);
		g_set64(g, i, G_X(23), reports);
	}
}

/* insmod/rmmod hvk with @params; 0 on success. */
static int reload_hvk(const char *params)
{
	char cmd[256];
	const char *ko = getenv("HVK_KO");

	snprintf(cmd, sizeof(cmd), "rmmod hvk && insmod %s %s",
		 ko && *ko ? ko : "/hvk.ko", params);
	return system(cmd);
}

static unsigned int hvk_vmid_limit(void)
{
	unsigned int v = 0;
	FILE *f = fopen("/sys/module/hvk/parameters/vmid_limit", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%u", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/*
 * A 2-vCPU VM exits continuously on both CPUs (an in-kernel HVC per
 * round, an MMIO exit to userspace every 64) while this thread creates
 * VMs, runs each for a few hundred rounds and destroys it. Under hvk
 * the module is reloaded with vmid_limit=3 first: VMIDs 1 and 2 only, so
 * the generation wraps every other VM and the big VM's two vCPUs keep
 * reallocating their VMID under each other, the race of issue 9 defect
 * 3. Every VM holds its own token at the same guest address; a guest
 * that read another's token (a stage-2 TLB entry of another VM under a
 * reused VMID) reports it.
 *
 * What the lab can show: the stress runs, the host keeps control, the
 * guests see their own tokens, no splat. It cannot show the cross-VM
 * TLB hit itself: QEMU's TCG drops its whole software TLB for the
 * stage-2 regime whenever VTTBR_EL2 changes value, so a stale VMID never
 * finds stale entries there. The fix (one atomic generation/VMID
 * snapshot per entry, arm64/vmid.c) is argued in its comment.
 *
 * Under --kvm there is no such knob (KVM 6.1's VMID allocator has 16
 * bits and does not wrap in a test): the same VMs run with the same
 * expectations.
 */
/* The harness's default 30 s is tight for the slower cases under TCG. */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, vmid_stress_guests_see_own_memory, 90)
{
	struct stress_vcpu v[2];
	volatile int stop = 0;
	struct g_vm big, c;
	uint64_t s = 0x5eed, t0, token, created = 0, n;
	unsigned int limit;
	int i, r, reloaded = 0;

	if (!hvk_lab_kvm()) {
		r = reload_hvk("vmid_limit=3");
		ASSERT_EQ(0, r) TH_LOG("reloading hvk with vmid_limit=3");
		reloaded = 1;
		limit = hvk_vmid_limit();
		EXPECT_EQ(3, limit) TH_LOG("vmid_limit after the reload");
	}

	token_vm(_metadata, &big, 2, 0xb16b16b16b16b16bULL, 0);
	memset(v, 0, sizeof(v));
	for (i = 0; i < 2; i++) {
		v[i].g = &big;
		v[i].i = i;
		v[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&v[i].th, NULL,
					    stress_vcpu_thread, &v[i]));
	}

	/*
	 * At least STRESS_MS and CHURN_MIN VMs (QEMU's -cpu max is several
	 * times slower than neoverse-n1), at most STRESS_MAX_MS.
	 */
	t0 = g_now_ms();
	while ((g_now_ms() - t0 < STRESS_MS || created < CHURN_MIN) &&
	       g_now_ms() - t0 < STRESS_MAX_MS) {
		token = rnd(&s);
		token_vm(_metadata, &c, 1, token, 4);
		for (n = 0; n < 4; n++)
			EXPECT_EQ(64 * (n + 1),
				  g_run_mmio(&c, 0, G_MMIO_GPA, 8, 1))
				TH_LOG("churned VM %llu: progress report %llu",
				       (unsigned long long)created,
				       (unsigned long long)n);
		g_run_mmio(&c, 0, G_MMIO_GPA + 16, 8, 1);
		g_vm_destroy(&c);
		created++;
		if (_metadata->passed == 0)
			break;
	}

	stop = 1;
	for (i = 0; i < 2; i++) {
		/* A signal ends a KVM_RUN in progress (no SA_RESTART). */
		while (pthread_tryjoin_np(v[i].th, NULL)) {
			pthread_kill(v[i].th, SIGUSR1);
			usleep(10000);
		}
	}
	g_vm_destroy(&big);

	TH_LOG("%llu VMs created and destroyed; vCPU 0: %llu exits to user, "
	       "%llu progress; vCPU 1: %llu, %llu",
	       (unsigned long long)created,
	       (unsigned long long)v[0].exits,
	       (unsigned long long)v[0].progress,
	       (unsigned long long)v[1].exits,
	       (unsigned long long)v[1].progress);
	EXPECT_LE(CHURN_MIN, created) TH_LOG("too few VMs in %d ms",
					     STRESS_MAX_MS);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, v[i].bad_token)
			TH_LOG("vCPU %d read another VM's token %#llx", i,
			       (unsigned long long)v[i].bad_token);
		EXPECT_EQ(0, v[i].other)
			TH_LOG("vCPU %d: unexpected outcome: exit %u (%s), "
			       "errno %s", i, v[i].other_reason,
			       g_exit_name(v[i].other_reason),
			       hvk_errname(v[i].other_err));
		EXPECT_LE(4, v[i].progress)
			TH_LOG("vCPU %d made too little progress", i);
	}

	if (reloaded) {
		r = reload_hvk("");
		EXPECT_EQ(0, r) TH_LOG("reloading hvk without vmid_limit");
	}
}

/* ---- HVC and SMC with garbage ----------------------------------------- */

#define GARB_CALLS	256
#define GARB_WORDS	18		/* x0..x17 */

/*
 * For each of GARB_CALLS records of x0..x17 at G_DATA_OFF: load them,
 * HVC (x24 == 0) or SMC (x24 != 0), store x0..x17 back over the record.
 * Then one MMIO store. x19-x24 are not part of any record.
 */
#define LDREC \
	"ldp	x0, x1, [x20]\n" "ldp	x2, x3, [x20, #16]\n" \
	"ldp	x4, x5, [x20, #32]\n" "ldp	x6, x7, [x20, #48]\n" \
	"ldp	x8, x9, [x20, #64]\n" "ldp	x10, x11, [x20, #80]\n" \
	"ldp	x12, x13, [x20, #96]\n" "ldp	x14, x15, [x20, #112]\n" \
	"ldp	x16, x17, [x20, #128]\n"
#define STREC \
	"stp	x0, x1, [x20]\n" "stp	x2, x3, [x20, #16]\n" \
	"stp	x4, x5, [x20, #32]\n" "stp	x6, x7, [x20, #48]\n" \
	"stp	x8, x9, [x20, #64]\n" "stp	x10, x11, [x20, #80]\n" \
	"stp	x12, x13, [x20, #96]\n" "stp	x14, x15, [x20, #112]\n" \
	"stp	x16, x17, [x20, #128]\n"

GUEST_CODE(g_garbage_calls,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x20, =" G_STR(G_RAM_GPA + G_DATA_OFF) "\n"
	"mov	x21, #" G_STR(GARB_CALLS) "\n"
	"1:\n" LDREC
	"cbnz	x24, 2f\n"
	"hvc	#0\n"
	"b	3f\n"
	"2:	smc	#0\n"
	"3:\n" STREC
	"add	x20, x20, #" G_STR(GARB_WORDS * 8) "\n"
	"subs	x21, x21, #1\n"
	"b.ne	1b\n"
	"str	x21, [x19]\n"
	"b	.\n");

/*
 * A function id no KVM 6.1 service answers: SMCCC owners 0 (Arm
 * architecture), 4 (standard secure: PSCI, TRNG) and 6 (standard
 * hypervisor / vendor hypervisor: KVM's own services) and KVM's PSCI 0.1
 * ids are left out; everything else, fast or yielding, 32 or 64 bits,
 * with garbage in x0's upper half (SMCCC looks at w0 only).
 */
static uint64_t garbage_fn(uint64_t *s)
{
	uint64_t v;
	uint32_t w, owner;

	for (;;) {
		v = rnd(s);
		w = (uint32_t)v;
		owner = (w >> 24) & 0x3f;
		if (owner == 0 || owner == 4 || owner == 5 || owner == 6)
			continue;
		if (w >= 0x95c1ba5e && w <= 0x95c1ba61)
			continue;
		return v;
	}
}

static void garbage_calls(struct __test_metadata *_metadata, bool smc,
			  uint64_t seed)
{
	uint64_t *rec, (*in)[GARB_WORDS], s = seed;
	struct g_vm g;
	int c, w, bad = 0;

	in = calloc(GARB_CALLS, sizeof(*in));
	ASSERT_NE(NULL, in);
	g_vm_with_code(&g, g_garbage_calls);
	rec = (uint64_t *)(g.ram + G_DATA_OFF);
	ASSERT_LE(G_DATA_OFF + GARB_CALLS * GARB_WORDS * 8, g.ram_size);
	for (c = 0; c < GARB_CALLS; c++) {
		in[c][0] = garbage_fn(&s);
		for (w = 1; w < GARB_WORDS; w++)
			in[c][w] = rnd(&s);
	}
	memcpy(rec, in, GARB_CALLS * sizeof(*in));
	g_set64(&g, 0, G_X(24), smc);
	EXPECT_EQ(0, g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1))
		TH_LOG("the guest made all %d calls and came back",
		       GARB_CALLS);
	for (c = 0; c < GARB_CALLS && bad < 5; c++) {
		uint64_t *out = rec + c * GARB_WORDS;

		/* x0: NOT_SUPPORTED (-1), as KVM 6.1 answers. */
		if (out[0] != ~0ULL) {
			bad++;
			TH_LOG("%s call %d, fn %#llx: x0 = %#llx, expected -1",
			       smc ? "SMC" : "HVC", c,
			       (unsigned long long)in[c][0],
			       (unsigned long long)out[0]);
		}
		for (w = 1; w < GARB_WORDS; w++) {
			/*
			 * KVM 6.1 answers an HVC with smccc_set_retval(-1,
			 * 0, 0, 0): x1-x3 cleared. Its SMC handler only
			 * writes x0. Nothing else changes.
			 */
			uint64_t want = !smc && w <= 3 ? 0 : in[c][w];

			if (out[w] == want)
				continue;
			bad++;
			TH_LOG("%s call %d, fn %#llx: x%d = %#llx, expected "
			       "%#llx", smc ? "SMC" : "HVC", c,
			       (unsigned long long)in[c][0], w,
			       (unsigned long long)out[w],
			       (unsigned long long)want);
		}
	}
	EXPECT_EQ(0, bad);
	g_vm_destroy(&g);
	free(in);
}

TEST(hvc_garbage_not_supported)
{
	garbage_calls(_metadata, false, 0x4856431234ULL);
}

TEST(smc_garbage_not_supported)
{
	garbage_calls(_metadata, true, 0x534d43abcdULL);
}

/* ---- registers of features hvk does not offer -------------------------- */

/*
 * A probe guest for one system register: VBAR_EL1 catches every
 * exception, puts ESR_EL1 in x21 and steps over the instruction. Unless
 * x24 is set, MSR REG, x22 (ESR or -1 stored at G_MMIO_GPA), then MRS
 * (ESR or -1 at G_MMIO_GPA + 8, the value at G_MMIO_GPA + 16).
 */
#define PROBE_VECTOR \
	"mrs	x21, esr_el1\n" \
	"mrs	x25, elr_el1\n" \
	"add	x25, x25, #4\n" \
	"msr	elr_el1, x25\n" \
	"eret\n" \
	".balign 0x80\n"
#define PROBE_VECTOR4	PROBE_VECTOR PROBE_VECTOR PROBE_VECTOR PROBE_VECTOR

#define PROBE_GUEST(name, reg)						\
	GUEST_CODE(name,						\
		"adr	x0, 9f\n"					\
		"msr	vbar_el1, x0\n"					\
		"isb\n"							\
		"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"			\
		"mov	x21, #-1\n"					\
		"cbnz	x24, 1f\n"					\
		"msr	" reg ", x22\n"					\
		"isb\n"							\
		"1:	str	x21, [x19]\n"				\
		"mov	x21, #-1\n"					\
		"mov	x1, #0\n"					\
		"mrs	x1, " reg "\n"					\
		"str	x21, [x19, #8]\n"				\
		"str	x1, [x19, #16]\n"				\
		"b	.\n"						\
		".balign 2048\n"					\
		"9:\n"							\
		PROBE_VECTOR4 PROBE_VECTOR4 PROBE_VECTOR4 PROBE_VECTOR4)

PROBE_GUEST(g_p_tpidr2, "S3_3_C13_C0_5");	/* TPIDR2_EL0 */
PROBE_GUEST(g_p_por_el0, "S3_3_C10_C2_4");	/* POR_EL0 */
PROBE_GUEST(g_p_por_el1, "S3_0_C10_C2_4");	/* POR_EL1 */
PROBE_GUEST(g_p_fpmr, "S3_3_C4_C4_2");		/* FPMR */
PROBE_GUEST(g_p_smcr, "S3_0_C1_C2_6");		/* SMCR_EL1 */
PROBE_GUEST(g_p_tcr2, "S3_0_C2_C0_3");		/* TCR2_EL1 */
PROBE_GUEST(g_p_hcrx, "S3_4_C1_C2_2");		/* HCRX_EL2 */
PROBE_GUEST(g_p_hfgrtr, "S3_4_C1_C1_4");		/* HFGRTR_EL2 */
PROBE_GUEST(g_p_hfgwtr, "S3_4_C1_C1_5");		/* HFGWTR_EL2 */
PROBE_GUEST(g_p_hfgitr, "S3_4_C1_C1_6");		/* HFGITR_EL2 */
PROBE_GUEST(g_p_hdfgrtr, "S3_4_C3_C1_4");	/* HDFGRTR_EL2 */
PROBE_GUEST(g_p_hdfgwtr, "S3_4_C3_C1_5");	/* HDFGWTR_EL2 */
PROBE_GUEST(g_p_ich_vmcr, "S3_4_C12_C11_7");	/* ICH_VMCR_EL2 */
PROBE_GUEST(g_p_icc_pmr, "S3_0_C4_C6_0");	/* ICC_PMR_EL1 */
PROBE_GUEST(g_p_icc_igrpen1, "S3_0_C12_C12_7");	/* ICC_IGRPEN1_EL1 */

/* What one probe saw: the ESRs of its MSR and MRS (-1: none), the value. */
struct probe_res {
	uint64_t esr_w, esr_r, val;
};

static void run_probe(struct __test_metadata *_metadata, const char *start,
		      const char *end, bool write, uint64_t marker,
		      struct probe_res *res)
{
	struct g_vm g;

	g_vm_create(_metadata, &g);
	g_vcpu_add(_metadata, &g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	g_load(_metadata, &g, 0, start, end);
	g_set64(&g, 0, G_PC, G_RAM_GPA);
	g_set64(&g, 0, G_X(22), marker);
	g_set64(&g, 0, G_X(24), !write);
	res->esr_w = g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	res->esr_r = g_run_mmio(&g, 0, G_MMIO_GPA + 8, 8, 1);
	res->val = g_run_mmio(&g, 0, G_MMIO_GPA + 16, 8, 1);
	g_vm_destroy(&g);
}

#define NO_EXC		(~0ULL)
#define EC_UNKNOWN	0
#define EC_SME		0x1d

static uint64_t host_tpidr2(void)
{
	uint64_t v;

	asm volatile("mrs %0, S3_3_C13_C0_5" : "=r"(v));
	return v;
}

static void set_host_tpidr2(uint64_t v)
{
	asm volatile("msr S3_3_C13_C0_5, %0" : : "r"(v));
}

struct probe_case {
	const char *name;
	const char *start, *end;
	uint64_t marker;
	/* the host has the feature (0: never for EL1 / EL2 registers) */
	unsigned long hwcap2;
	bool el2;		/* an EL2 register: UNDEF at EL1, always */
};

#define PROBE(n, g, m, cap, el2) \
	{ n, g, g##_end, m, cap, el2 }

FIXTURE(probe) {
	int unused;
};

FIXTURE_VARIANT(probe) {
	struct probe_case c;
};

FIXTURE_VARIANT_ADD(probe, tpidr2_el0) {
	PROBE("TPIDR2_EL0", g_p_tpidr2, 0x1234567890abcdefULL, HWCAP2_SME, 0)
};
FIXTURE_VARIANT_ADD(probe, por_el0) {
	PROBE("POR_EL0", g_p_por_el0, 0x1111111111111111ULL, HWCAP2_POE, 0)
};
FIXTURE_VARIANT_ADD(probe, por_el1) {
	PROBE("POR_EL1", g_p_por_el1, 0x2222222222222222ULL, HWCAP2_POE, 0)
};
FIXTURE_VARIANT_ADD(probe, fpmr) {
	PROBE("FPMR", g_p_fpmr, 0x3f, HWCAP2_FPMR, 0)
};
FIXTURE_VARIANT_ADD(probe, smcr_el1) {
	PROBE("SMCR_EL1", g_p_smcr, 0x3, HWCAP2_SME, 0)
};
FIXTURE_VARIANT_ADD(probe, tcr2_el1) {
	PROBE("TCR2_EL1", g_p_tcr2, 0x1, 0, 0)
};
FIXTURE_VARIANT_ADD(probe, hcrx_el2) {
	PROBE("HCRX_EL2", g_p_hcrx, 0x0, 0, 1)
};
FIXTURE_VARIANT_ADD(probe, hfgrtr_el2) {
	PROBE("HFGRTR_EL2", g_p_hfgrtr, 0x0, 0, 1)
};
FIXTURE_VARIANT_ADD(probe, hfgwtr_el2) {
	PROBE("HFGWTR_EL2", g_p_hfgwtr, 0x0, 0, 1)
};
FIXTURE_VARIANT_ADD(probe, hfgitr_el2) {
	PROBE("HFGITR_EL2", g_p_hfgitr, 0x0, 0, 1)
};
FIXTURE_VARIANT_ADD(probe, hdfgrtr_el2) {
	PROBE("HDFGRTR_EL2", g_p_hdfgrtr, 0x0, 0, 1)
};
FIXTURE_VARIANT_ADD(probe, hdfgwtr_el2) {
	PROBE("HDFGWTR_EL2", g_p_hdfgwtr, 0x0, 0, 1)
};
FIXTURE_VARIANT_ADD(probe, ich_vmcr_el2) {
	PROBE("ICH_VMCR_EL2", g_p_ich_vmcr, 0x0, 0, 1)
};
/*
 * With HCR_EL2.IMO set and no vGIC, a guest's ICC_PMR_EL1 and
 * ICC_IGRPEN1_EL1 are the virtual CPU interface's ICV_ registers, whose
 * state lives in ICH_VMCR_EL2 (GICv3 architecture, "ICH_VMCR_EL2"):
 * switched per vCPU, or a VM reads what the last one wrote.
 */
FIXTURE_VARIANT_ADD(probe, icc_pmr_el1) {
	PROBE("ICC_PMR_EL1", g_p_icc_pmr, 0x80, 0, 0)
};
FIXTURE_VARIANT_ADD(probe, icc_igrpen1_el1) {
	PROBE("ICC_IGRPEN1_EL1", g_p_icc_igrpen1, 0x1, 0, 0)
};

FIXTURE_SETUP(probe)
{
	/* Both VMs on one CPU: state left in a CPU must not cross. */
	pin_to(0);
}

FIXTURE_TEARDOWN(probe)
{
}

/*
 * VM A writes the marker to the register and reads it back; then VM B,
 * on the same CPU, only reads it. Each access either is UNDEFINED for
 * the guest (EC 0 in ESR_EL1) or works on the guest's own copy: B never
 * sees A's marker. EL2 registers are UNDEFINED at EL1, always. On
 * neoverse-n1, the lab's CPU, every register here is UNDEFINED (the
 * GIC's through hvk's ICH_HCR_EL2 traps); under HVK_LAB_QEMU_CPU=max
 * (QEMU 7.2: SME and HCX, no FGT) TPIDR2_EL0 is reachable and must be
 * the guest's own. Where the host kernel uses SME (HWCAP2_SME; Debian's
 * 6.1 does not), the VMM thread's own TPIDR2_EL0 must come back
 * unchanged from KVM_RUN.
 */
TEST_F(probe, not_shared_between_vms)
{
	const struct probe_case *c = &variant->c;
	unsigned long hwcap2 = getauxval(AT_HWCAP2);
	bool sme = hwcap2 & HWCAP2_SME;
	struct probe_res a, b;
	uint64_t mine = 0xfeedfacecafe0001ULL;

	if (sme)
		set_host_tpidr2(mine);
	run_probe(_metadata, c->start, c->end, true, c->marker, &a);
	run_probe(_metadata, c->start, c->end, false, 0, &b);
	TH_LOG("%s: VM A: MSR ESR %#llx, MRS ESR %#llx, value %#llx; "
	       "VM B: MRS ESR %#llx, value %#llx", c->name,
	       (unsigned long long)a.esr_w, (unsigned long long)a.esr_r,
	       (unsigned long long)a.val, (unsigned long long)b.esr_r,
	       (unsigned long long)b.val);
	if (sme)
		EXPECT_EQ(mine, host_tpidr2())
			TH_LOG("the VMM thread's TPIDR2_EL0 after the guests");

	if (c->el2) {
		EXPECT_EQ(EC_UNKNOWN, G_ESR_EC(a.esr_w))
			TH_LOG("%s write must be UNDEFINED (ESR %#llx)",
			       c->name, (unsigned long long)a.esr_w);
		EXPECT_NE(NO_EXC, a.esr_w);
		EXPECT_NE(NO_EXC, b.esr_r);
		EXPECT_EQ(EC_UNKNOWN, G_ESR_EC(b.esr_r))
			TH_LOG("%s read must be UNDEFINED (ESR %#llx)",
			       c->name, (unsigned long long)b.esr_r);
		return;
	}
	/* Reachable (or trapped): never A's value in B. */
	if (b.esr_r == NO_EXC && a.esr_w == NO_EXC && a.esr_r == NO_EXC &&
	    a.val == c->marker) {
		/*
		 * Two leaks of KVM 6.1 seen in the lab under --kvm, not an
		 * ABI hvk must copy (logged there, asserted for hvk):
		 * - it does not load or save ICH_VMCR_EL2 for a VM without
		 *   an in-kernel vGIC (vgic_v3_load() returns early), so VM
		 *   B reads VM A's ICC_PMR_EL1 and ICC_IGRPEN1_EL1;
		 * - on an SME CPU under a kernel built without
		 *   CONFIG_ARM64_SME (Debian's 6.1, HVK_LAB_QEMU_CPU=max)
		 *   it neither traps nor switches TPIDR2_EL0.
		 */
		if (hvk_lab_kvm() && (!strncmp(c->name, "ICC_", 4) ||
				      !strcmp(c->name, "TPIDR2_EL0"))) {
			if (b.val == c->marker)
				TH_LOG("%s: KVM 6.1 without a vGIC: VM B "
				       "reads VM A's %#llx (KVM's leak)",
				       c->name,
				       (unsigned long long)c->marker);
		} else {
			EXPECT_NE(c->marker, b.val)
				TH_LOG("%s: VM B reads VM A's %#llx",
				       c->name,
				       (unsigned long long)c->marker);
		}
	}
	/*
	 * A fault is UNDEFINED (EC 0), or for SME's registers on a CPU with
	 * SME the guest's own CPACR_EL1.SMEN trap (EC 0x1d, taken at EL1
	 * before any EL2 trap, Arm ARM D19.2 SMCR_EL1).
	 */
	if (b.esr_r != NO_EXC)
		EXPECT_TRUE(G_ESR_EC(b.esr_r) == EC_UNKNOWN ||
			    (c->hwcap2 == HWCAP2_SME &&
			     G_ESR_EC(b.esr_r) == EC_SME))
			TH_LOG("%s: a fault other than UNDEFINED",
			       c->name);
}

/* ---- random bytes as EL1 code ------------------------------------------ */

/*
 * Every vector steps over the instruction that trapped; VBAR_EL1 and
 * CPACR_EL1 (x2) are set, then PSTATE from x3 (DAIF masked or not) and a
 * jump into the garbage (x1).
 */
#define SKIP_VECTOR \
	"mrs	x28, elr_el1\n" \
	"add	x28, x28, #4\n" \
	"msr	elr_el1, x28\n" \
	"eret\n" \
	".balign 0x80\n"
#define SKIP_VECTOR4	SKIP_VECTOR SKIP_VECTOR SKIP_VECTOR SKIP_VECTOR

GUEST_CODE(g_rand_entry,
	"adr	x0, 9f\n"
	"msr	vbar_el1, x0\n"
	"msr	cpacr_el1, x2\n"
	"msr	daif, x3\n"
	"isb\n"
	"br	x1\n"
	".balign 2048\n"
	"9:\n"
	SKIP_VECTOR4 SKIP_VECTOR4 SKIP_VECTOR4 SKIP_VECTOR4);

#define RAND_SEEDS	40
#define RAND_MS		300
/* No KVM_RUN may outlast a 20 ms tick by more than this. */
#define RAND_RUN_MAX_MS	1000

TEST_F_TIMEOUT(slow, random_el1_code_bounded, 120)
{
	uint64_t seed, s, t0, t1, worst = 0;
	int k, r, err, runs = 0, bad = 0;
	struct g_vm g;
	size_t i;

	for (k = 0; k < RAND_SEEDS && !bad; k++) {
		uint32_t *w;
		struct kvm_run *run;

		seed = 0x9e3779b97f4a7c15ULL * (k + 1);
		s = seed;
		g_vm_with_code(&g, g_rand_entry);
		run = g.run[0];
		w = (uint32_t *)g.ram;
		for (i = 0; i < g.ram_size / 4; i++)
			w[i] = rnd(&s);
		g_load(_metadata, &g, 0, g_rand_entry, g_rand_entry_end);
		for (i = 4; i < 31; i++) {
			uint64_t v = rnd(&s);

			switch (v & 3) {
			case 0: v = (v >> 2) & 0xff; break;
			case 1: v = G_RAM_GPA + ((v >> 2) % g.ram_size); break;
			case 2: v = G_MMIO_GPA + ((v >> 2) & 0xffff); break;
			default: break;
			}
			g_set64(&g, 0, G_X(i), v);
		}
		g_set64(&g, 0, G_PC, G_RAM_GPA);
		g_set64(&g, 0, G_X(1), G_RAM_GPA + 0x2000 +
			(rnd(&s) % ((g.ram_size - 0x2000) / 4)) * 4);
		g_set64(&g, 0, G_X(2), k & 1 ? 3 << 20 : 0);
		g_set64(&g, 0, G_X(3), k & 2 ? 0x3c0 : 0);
		g_alarm_ms(20, 20);
		t0 = g_now_ms();
		while (g_now_ms() - t0 < RAND_MS) {
			t1 = g_now_ms();
			r = g_run_raw(&g, 0, &err);
			t1 = g_now_ms() - t1;
			worst = t1 > worst ? t1 : worst;
			runs++;
			if (t1 > RAND_RUN_MAX_MS) {
				bad++;
				TH_LOG("seed %#llx: a KVM_RUN took %llu ms",
				       (unsigned long long)seed,
				       (unsigned long long)t1);
			}
			if (r < 0 && err == EINTR)
				continue;
			if (r < 0 && err == ENOSYS) {
				/* MMIO without syndrome: skip it. */
				g_set64(&g, 0, G_PC, g_get64(&g, 0, G_PC) + 4);
				continue;
			}
			if (r < 0) {
				bad++;
				TH_LOG("seed %#llx: KVM_RUN failed: %s",
				       (unsigned long long)seed,
				       hvk_errname(err));
				break;
			}
			if (run->exit_reason == KVM_EXIT_MMIO) {
				if (!run->mmio.is_write)
					g_mmio_fill(run, rnd(&s));
				continue;
			}
			if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
				break;
			bad++;
			TH_LOG("seed %#llx: exit %u (%s)",
			       (unsigned long long)seed, run->exit_reason,
			       g_exit_name(run->exit_reason));
			break;
		}
		g_alarm_ms(0, 0);
		g_vm_destroy(&g);
	}
	TH_LOG("%d seeds, %d KVM_RUNs, longest %llu ms", k, runs,
	       (unsigned long long)worst);
	EXPECT_EQ(0, bad);
}

/* ---- Spectre-BHB: hvk does for guest exits what the host does -------- */

/* The last line of the kernel log containing @needle, or "" (in @buf). */
static void last_log_line(const char *needle, char *buf, size_t len)
{
	char line[512];
	FILE *f = popen("dmesg", "r");

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			snprintf(buf, len, "%s", line);
	pclose(f);
}

/*
 * The host reports its own Spectre-BHB state in
 * /sys/devices/system/cpu/vulnerabilities/spectre_v2 ("..., BHB" when it
 * mitigates its entries, "but not BHB" or nothing when it does not);
 * hvk says at load what its exit path runs (arm64/spectre.c). They must
 * agree: a host that mitigates gets a mitigation on guest exits too. In
 * the lab (neoverse-n1, "Mitigation: CSV2, BHB") hvk runs the kernel's
 * loop of 24. What the lab cannot show: CLRBHB and the SMCCC firmware
 * workarounds (QEMU 7.2 implements neither), and whether the loop
 * actually defeats branch history injection (TCG predicts nothing).
 * Under --kvm there is no hvk line: KVM applies its own vectors.
 */
TEST(spectre_bhb_as_host)
{
	char host[256] = "", hvk[512];
	FILE *f;
	bool host_bhb;

	if (hvk_lab_kvm())
		SKIP(return, "the in-tree KVM: hvk's choice is not loaded");
	f = fopen("/sys/devices/system/cpu/vulnerabilities/spectre_v2", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(host, sizeof(host), f));
	fclose(f);
	last_log_line("hvk: Spectre-BHB on guest exits:", hvk, sizeof(hvk));
	TH_LOG("host: %s", host);
	TH_LOG("hvk: %s", hvk);
	ASSERT_NE(0, hvk[0]) TH_LOG("no Spectre-BHB line from hvk's load");
	host_bhb = strstr(host, "BHB") && !strstr(host, "not BHB");
	if (host_bhb) {
		EXPECT_TRUE(strstr(hvk, "CLRBHB") ||
			    strstr(hvk, "branch loop") ||
			    strstr(hvk, "WORKAROUND_3"))
			TH_LOG("the host mitigates Spectre-BHB, hvk's exits "
			       "do not");
	} else {
		EXPECT_EQ(NULL, strstr(hvk, "branch loop"))
			TH_LOG("the host runs no BHB loop, hvk does");
	}
}

TEST_HARNESS_MAIN

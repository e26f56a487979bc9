// SPDX-License-Identifier: GPL-2.0
/*
 * How a KVM_RUN ends when the guest does not ask for it: a spinning guest
 * interrupted by a signal (a timer, or pthread_kill from another thread),
 * immediate_exit, WFI with nothing pending (no vGIC, no timer: it sleeps
 * until a signal), and garbage as guest code (every KVM_RUN returns, the
 * vCPU is usable afterwards).
 *
 * Expectations are Linux 6.1 KVM's (arch/arm64/kvm/arm.c
 * kvm_arch_vcpu_ioctl_run; handle_exit.c kvm_handle_wfx).
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include "arm64_guest.h"

/* Spin at the first instruction. */
GUEST_CODE(g_spin,
	"b	.\n");

/* KVM_RUN must return -1/EINTR with KVM_EXIT_INTR, the guest at @pc. */
static void expect_intr(struct __test_metadata *_metadata, struct g_vm *g,
			int r, int err, uint64_t pc, const char *what)
{
	EXPECT_EQ(-1, r) TH_LOG("%s: KVM_RUN returned %d, exit %s", what, r,
				g_exit_name(g->run[0]->exit_reason));
	EXPECT_EQ(EINTR, err) TH_LOG("%s: %s", what, hvk_errname(err));
	EXPECT_EQ(KVM_EXIT_INTR, g->run[0]->exit_reason)
		TH_LOG("%s: exit reason %u (%s)", what,
		       g->run[0]->exit_reason,
		       g_exit_name(g->run[0]->exit_reason));
	EXPECT_EQ(pc, g_get64(g, 0, G_PC)) TH_LOG("%s: guest PC", what);
}

TEST(spin_ended_by_timer_signal)
{
	struct g_vm g;
	uint64_t t0;
	int i, r, err;

	g_vm_with_code(&g, g_spin);
	for (i = 0; i < 3; i++) {
		t0 = g_now_ms();
		g_alarm_ms(100, 0);
		r = g_run_raw(&g, 0, &err);
		g_alarm_ms(0, 0);
		expect_intr(_metadata, &g, r, err, G_RAM_GPA,
			    "spin + SIGALRM");
		/* It ran until the signal, not less. */
		EXPECT_LE(90, g_now_ms() - t0)
			TH_LOG("KVM_RUN #%d returned after %llu ms, before "
			       "the 100 ms timer", i,
			       (unsigned long long)(g_now_ms() - t0));
	}
	g_vm_destroy(&g);
}

struct kicker {
	pthread_t target;
	unsigned int delay_ms;
};

static void *kick_thread(void *arg)
{
	struct kicker *k = arg;

	usleep(k->delay_ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

TEST(spin_ended_by_pthread_kill)
{
	struct kicker k = { .target = pthread_self(), .delay_ms = 100 };
	struct g_vm g;
	pthread_t th;
	int r, err;

	g_vm_with_code(&g, g_spin);
	ASSERT_EQ(0, pthread_create(&th, NULL, kick_thread, &k));
	r = g_run_raw(&g, 0, &err);
	pthread_join(th, NULL);
	expect_intr(_metadata, &g, r, err, G_RAM_GPA,
		    "spin + SIGUSR1 from another thread");
	g_vm_destroy(&g);
}

/* A store at once: any entry into the guest would exit with MMIO. */
GUEST_CODE(g_store_first,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"str	x19, [x19]\n"
	"b	.\n");

TEST(immediate_exit_does_not_run)
{
	struct g_vm g;
	int i, r, err;

	g_vm_with_code(&g, g_store_first);
	g.run[0]->immediate_exit = 1;
	for (i = 0; i < 2; i++) {
		r = g_run_raw(&g, 0, &err);
		EXPECT_EQ(-1, r) TH_LOG("KVM_RUN with immediate_exit = 1 "
					"returned %d, exit %s", r,
					g_exit_name(g.run[0]->exit_reason));
		EXPECT_EQ(EINTR, err) TH_LOG("%s", hvk_errname(err));
		EXPECT_EQ(G_RAM_GPA, g_get64(&g, 0, G_PC))
			TH_LOG("the guest did not run");
		EXPECT_EQ(0, g_get64(&g, 0, G_X(19)))
			TH_LOG("not even its first instruction");
	}
	g.run[0]->immediate_exit = 0;
	EXPECT_EQ(G_MMIO_GPA, g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1))
		TH_LOG("without immediate_exit it runs");
	g_vm_destroy(&g);
}

/* WFI with nothing pending, then a store. */
GUEST_CODE(g_wfi,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"wfi\n"
	"str	x19, [x19, #8]\n"
	"b	.\n");

TEST(wfi_sleeps_until_signal)
{
	struct g_vm g;
	uint64_t t0;
	int r, err;

	g_vm_with_code(&g, g_wfi);
	t0 = g_now_ms();
	g_alarm_ms(200, 0);
	r = g_run_raw(&g, 0, &err);
	g_alarm_ms(0, 0);
	/*
	 * No vGIC and no timer: nothing can wake the vCPU but a signal. KVM
	 * completes the WFI when the signal ends its sleep (PC past it).
	 */
	expect_intr(_metadata, &g, r, err, G_RAM_GPA + 8,
		    "WFI with nothing pending + SIGALRM");
	EXPECT_LE(190, g_now_ms() - t0)
		TH_LOG("KVM_RUN returned after %llu ms, before the 200 ms "
		       "timer", (unsigned long long)(g_now_ms() - t0));
	EXPECT_EQ(G_MMIO_GPA, g_run_mmio(&g, 0, G_MMIO_GPA + 8, 8, 1))
		TH_LOG("after the WFI the guest goes on");
	g_vm_destroy(&g);
}

/* xorshift64: the same garbage on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Sets VBAR_EL1 to a vector table whose every entry skips the instruction
 * that trapped (so the guest walks on through the garbage rather than
 * looping on its first undefined instruction) and CPACR_EL1 (x2: FP on or
 * off), then jumps into the garbage (x1). The garbage may well rewrite
 * all of it; that is fine too.
 */
#define SKIP_VECTOR \
	"mrs	x28, elr_el1\n" \
	"add	x28, x28, #4\n" \
	"msr	elr_el1, x28\n" \
	"eret\n" \
	".balign 0x80\n"
#define SKIP_VECTOR4	SKIP_VECTOR SKIP_VECTOR SKIP_VECTOR SKIP_VECTOR

GUEST_SYM(g_garbage_vectors);
GUEST_CODE(g_garbage_entry,
	"adr	x0, g_garbage_vectors\n"
	"msr	vbar_el1, x0\n"
	"msr	cpacr_el1, x2\n"
	"isb\n"
	"br	x1\n"
	".balign 2048\n"
	"g_garbage_vectors:\n"
	SKIP_VECTOR4 SKIP_VECTOR4 SKIP_VECTOR4 SKIP_VECTOR4);

#define GARBAGE_RUNS	300
#define GARBAGE_MS	3000

/* How the runs of one garbage guest ended. */
struct garbage_stats {
	int runs, mmio, intr, events, nisv_errors;
	int other_exit, other_errno;
	uint32_t last_exit;
	int last_err;
};

static void run_garbage(struct __test_metadata *_metadata, struct g_vm *g,
			uint64_t seed, struct garbage_stats *st)
{
	uint32_t *w = (uint32_t *)g->ram;
	struct kvm_run *run = g->run[0];
	uint64_t t0, s = seed;
	size_t i;
	int r, err;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < g->ram_size / 4; i++)
		w[i] = rnd(&s);
	/* Registers: small values, RAM and MMIO addresses, and noise. */
	for (i = 0; i < 31; i++) {
		uint64_t v = rnd(&s);

		switch (v & 3) {
		case 0: v = (v >> 2) & 0xff; break;
		case 1: v = G_RAM_GPA + ((v >> 2) % g->ram_size); break;
		case 2: v = G_MMIO_GPA + ((v >> 2) & 0xffff); break;
		default: break;
		}
		g_set64(g, 0, G_X(i), v);
	}
	g_load(_metadata, g, 0, g_garbage_entry, g_garbage_entry_end);
	g_set64(g, 0, G_PC, G_RAM_GPA);
	g_set64(g, 0, G_X(1), G_RAM_GPA + 0x2000 +
		(rnd(&s) % ((g->ram_size - 0x2000) / 4)) * 4);
	g_set64(g, 0, G_X(2), seed & 1 ? 3 << 20 : 0);
	/* A guest that never exits still gets back to us: a periodic tick. */
	g_alarm_ms(20, 20);
	t0 = g_now_ms();
	while (st->runs < GARBAGE_RUNS && g_now_ms() - t0 < GARBAGE_MS) {
		st->runs++;
		r = g_run_raw(g, 0, &err);
		if (r < 0) {
			st->last_err = err;
			if (err == EINTR) {
				st->intr++;
				continue;
			}
			/*
			 * An MMIO access without syndrome: KVM gives up on
			 * it; skip it, as a VMM could, and go on.
			 */
			if (err == ENOSYS) {
				uint64_t pc = g_get64(g, 0, G_PC);

				st->nisv_errors++;
				g_set64(g, 0, G_PC, pc + 4);
				continue;
			}
			st->other_errno++;
			break;
		}
		st->last_exit = run->exit_reason;
		if (run->exit_reason == KVM_EXIT_MMIO) {
			st->mmio++;
			if (!run->mmio.is_write)
				g_mmio_fill(run, rnd(&s));
			continue;
		}
		if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT) {
			st->events++;
			break;
		}
		st->other_exit++;
		break;
	}
	g_alarm_ms(0, 0);
}

/* Good code after garbage: the vCPU is reset and runs it. */
static void run_good_after(struct __test_metadata *_metadata,
			   struct g_vm *g)
{
	struct kvm_vcpu_init init = { .target = g->pref.target };
	int r;

	init.features[0] = 1U << KVM_ARM_VCPU_PSCI_0_2;
	ASSERT_OK(r, ioctl(g->vcpu[0], KVM_ARM_VCPU_INIT, &init),
		  "KVM_ARM_VCPU_INIT after the garbage");
	g_load(_metadata, g, 0, g_store_first, g_store_first_end);
	g_set64(g, 0, G_PC, G_RAM_GPA);
	EXPECT_EQ(G_MMIO_GPA, g_run_mmio(g, 0, G_MMIO_GPA, 8, 1))
		TH_LOG("the reset vCPU runs good code after the garbage");
}

FIXTURE(garbage) {
	struct g_vm g;
};

FIXTURE_VARIANT(garbage) {
	uint64_t seed;
};

FIXTURE_VARIANT_ADD(garbage, seed1) { .seed = 1 };
FIXTURE_VARIANT_ADD(garbage, seed2) { .seed = 0x9e3779b97f4a7c15ULL };
FIXTURE_VARIANT_ADD(garbage, seed3) { .seed = 0xdeadbeefcafef00dULL };
FIXTURE_VARIANT_ADD(garbage, seed4) { .seed = 42 };

FIXTURE_SETUP(garbage)
{
	g_vm_with_code(&self->g, g_spin);
}

FIXTURE_TEARDOWN(garbage)
{
	g_vm_destroy(&self->g);
}

TEST_F_TIMEOUT(garbage, runs_bounded, 60)
{
	struct garbage_stats st;

	run_garbage(_metadata, &self->g, variant->seed, &st);
	TH_LOG("seed %#llx: %d KVM_RUNs: %d MMIO, %d EINTR, %d system "
	       "events, %d ENOSYS; last exit %s, last errno %s",
	       (unsigned long long)variant->seed, st.runs, st.mmio, st.intr,
	       st.events, st.nisv_errors, g_exit_name(st.last_exit),
	       hvk_errname(st.last_err));
	/*
	 * Every KVM_RUN came back (we are here), each with an outcome KVM
	 * gives garbage: an MMIO exit, a signal, a PSCI system event, or
	 * ENOSYS for an MMIO access without syndrome.
	 */
	EXPECT_EQ(0, st.other_exit)
		TH_LOG("unexpected exit reason %u (%s)", st.last_exit,
		       g_exit_name(st.last_exit));
	EXPECT_EQ(0, st.other_errno)
		TH_LOG("unexpected KVM_RUN error %s",
		       hvk_errname(st.last_err));
	run_good_after(_metadata, &self->g);
}

TEST_HARNESS_MAIN

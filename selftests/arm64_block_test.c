// SPDX-License-Identifier: GPL-2.0
/*
 * Kicks and blocking, beyond what arm64_exit_test and arm64_psci_test
 * cover (one signal into a spinning guest, WFI with no timer, one
 * CPU_ON of a powered-off vCPU):
 *   - a spinning vCPU kicked out by another thread's signal, many times
 *     in a row, each KVM_RUN ending promptly with -EINTR;
 *   - immediate_exit set from a signal handler, as the KVM API
 *     documents it, whether the signal lands before or during KVM_RUN;
 *   - WFI with the guest's virtual timer armed far in the future: only
 *     a signal ends it, and the armed timer does not end it early;
 *   - WFI with the virtual timer armed near: the timer wakes the vCPU,
 *     and KVM_RUN returns -EINTR with the line in device_irq_level (no
 *     in-kernel irqchip: KVM API, "KVM_CAP_ARM_USER_IRQ");
 *   - a vCPU that turns itself off (CPU_OFF) and is turned on again by
 *     another vCPU (CPU_ON), many times, its thread blocked in KVM_RUN
 *     in between.
 *
 * Expectations are Linux 6.1 KVM's (arch/arm64/kvm/arm.c
 * kvm_arch_vcpu_ioctl_run, handle_exit.c kvm_handle_wfx, arch_timer.c,
 * psci.c). "Promptly" is a liveness bound, generous for the emulated lab
 * (QEMU TCG), not a speed measurement.
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include <linux/psci.h>

#include "arm64_guest.h"

/* A kicked KVM_RUN must return within this (TCG is slow, not this slow). */
#define PROMPT_MS	3000

GUEST_CODE(g_spin,
	"b	.\n");

struct kicker {
	pthread_t target;
	volatile int returned;	/* the target's KVM_RUN is back */
	volatile int quit;
	volatile int go;	/* a KVM_RUN is starting: start kicking */
	unsigned int sent;
};

/*
 * Signal the target every 2 ms while its KVM_RUN has not returned: a
 * signal that lands before the ioctl is taken in userspace, and KVM_RUN
 * would then spin on, so one signal alone could not make the test
 * deterministic.
 */
static void *kick_thread(void *arg)
{
	struct kicker *k = arg;

	while (!k->quit) {
		if (!k->go || k->returned) {
			usleep(500);
			continue;
		}
		pthread_kill(k->target, SIGUSR1);
		k->sent++;
		usleep(2000);
	}
	return NULL;
}

TEST(spin_kicked_by_signal_many_times)
{
	struct kicker k = { .target = pthread_self() };
	struct g_vm g;
	uint64_t t0, dt, worst = 0;
	pthread_t th;
	int i, r, err;

	g_signals_init();
	g_vm_with_code(&g, g_spin);
	ASSERT_EQ(0, pthread_create(&th, NULL, kick_thread, &k));
	for (i = 0; i < 50; i++) {
		k.returned = 0;
		__sync_synchronize();
		k.go = 1;
		t0 = g_now_ms();
		/* A safety net only: the kicker ends it long before. */
		g_alarm_ms(PROMPT_MS * 3, 0);
		r = g_run_raw(&g, 0, &err);
		g_alarm_ms(0, 0);
		dt = g_now_ms() - t0;
		k.returned = 1;
		k.go = 0;
		if (dt > worst)
			worst = dt;
		ASSERT_EQ(-1, r) TH_LOG("run %d: KVM_RUN returned %d, exit %s",
					i, r,
					g_exit_name(g.run[0]->exit_reason));
		ASSERT_EQ(EINTR, err) TH_LOG("run %d: %s", i,
					     hvk_errname(err));
		ASSERT_EQ(KVM_EXIT_INTR, g.run[0]->exit_reason)
			TH_LOG("run %d: exit %s", i,
			       g_exit_name(g.run[0]->exit_reason));
		EXPECT_EQ(G_RAM_GPA, g_get64(&g, 0, G_PC))
			TH_LOG("run %d: the guest spins at its first "
			       "instruction", i);
		ASSERT_GT(PROMPT_MS, dt)
			TH_LOG("run %d: the kicked KVM_RUN took %llu ms", i,
			       (unsigned long long)dt);
	}
	k.quit = 1;
	pthread_join(th, NULL);
	TH_LOG("50 kicked runs, %u signals sent, slowest %llu ms", k.sent,
	       (unsigned long long)worst);
	g_vm_destroy(&g);
}

static struct kvm_run *ie_run;

/* KVM API, "immediate_exit": the VMM's signal handler sets it. */
static void ie_handler(int sig)
{
	(void)sig;
	ie_run->immediate_exit = 1;
}

static void *ie_thread(void *arg)
{
	struct kicker *k = arg;

	pthread_kill(k->target, SIGUSR2);
	return NULL;
}

TEST(immediate_exit_from_signal_handler_many_times)
{
	struct kicker k = { .target = pthread_self() };
	struct sigaction sa;
	struct g_vm g;
	pthread_t th;
	int i, r, err;

	g_signals_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ie_handler;
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	g_vm_with_code(&g, g_spin);
	ie_run = g.run[0];
	for (i = 0; i < 100; i++) {
		g.run[0]->immediate_exit = 0;
		/*
		 * One signal, before or during KVM_RUN: either way KVM_RUN
		 * ends with -EINTR (the handler ran first, or the signal
		 * interrupts the guest), never spins on.
		 */
		ASSERT_EQ(0, pthread_create(&th, NULL, ie_thread, &k));
		if (i & 1)
			usleep(1000);
		g_alarm_ms(PROMPT_MS * 3, 0);
		r = g_run_raw(&g, 0, &err);
		g_alarm_ms(0, 0);
		pthread_join(th, NULL);
		ASSERT_EQ(-1, r) TH_LOG("run %d: KVM_RUN returned %d", i, r);
		ASSERT_EQ(EINTR, err) TH_LOG("run %d: %s", i,
					     hvk_errname(err));
		EXPECT_EQ(G_RAM_GPA, g_get64(&g, 0, G_PC));
	}
	/* Set and left set: no entry at all, every time. */
	g.run[0]->immediate_exit = 1;
	for (i = 0; i < 100; i++) {
		r = g_run_raw(&g, 0, &err);
		ASSERT_EQ(-1, r);
		ASSERT_EQ(EINTR, err);
	}
	signal(SIGUSR2, SIG_DFL);
	g_vm_destroy(&g);
}

/*
 * Arm the virtual timer x21 counter ticks from now (enabled, unmasked),
 * WFI, then store the counter to MMIO +0x08: the guest got past WFI.
 */
GUEST_CODE(g_wfi_timer,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"isb\n"
	"mrs	x1, cntvct_el0\n"
	"add	x1, x1, x21\n"
	"msr	cntv_cval_el0, x1\n"
	"mov	x1, #1\n"
	"msr	cntv_ctl_el0, x1\n"
	"isb\n"
	"wfi\n"
	"mrs	x1, cntvct_el0\n"
	"str	x1, [x19, #8]\n"
	"b	.\n");
/* Offset of the instruction after the WFI. */
#define WFI_NEXT_OFF	(9 * 4)

static uint64_t cntfrq(void)
{
	uint64_t f;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

TEST(wfi_far_timer_ended_by_signal)
{
	struct g_vm g;
	uint64_t t0, dt;
	int r, err;

	g_signals_init();
	g_vm_with_code(&g, g_wfi_timer);
	/* An hour away: nothing but the signal can end this WFI. */
	g_set64(&g, 0, G_X(21), cntfrq() * 3600);
	t0 = g_now_ms();
	g_alarm_ms(300, 0);
	r = g_run_raw(&g, 0, &err);
	g_alarm_ms(0, 0);
	dt = g_now_ms() - t0;
	EXPECT_EQ(-1, r) TH_LOG("KVM_RUN returned %d, exit %s", r,
				g_exit_name(g.run[0]->exit_reason));
	EXPECT_EQ(EINTR, err) TH_LOG("%s", hvk_errname(err));
	EXPECT_EQ(KVM_EXIT_INTR, g.run[0]->exit_reason);
	EXPECT_LE(290, dt) TH_LOG("KVM_RUN returned after %llu ms, before "
				  "the 300 ms signal: the armed timer woke "
				  "it early", (unsigned long long)dt);
	/* KVM completes the WFI when it wakes (PC past it). */
	EXPECT_EQ(G_RAM_GPA + WFI_NEXT_OFF, g_get64(&g, 0, G_PC));
	EXPECT_EQ(0, g.run[0]->s.regs.device_irq_level &
		  KVM_ARM_DEV_EL1_VTIMER)
		TH_LOG("the timer line is low an hour before it fires");
	g_vm_destroy(&g);
}

TEST(wfi_near_timer_wakes_vcpu)
{
	uint64_t t0, dt, freq = cntfrq();
	struct g_vm g;
	int r, err, i;

	g_signals_init();
	g_vm_with_code(&g, g_wfi_timer);
	/* 100 ms away. */
	g_set64(&g, 0, G_X(21), freq / 10);
	t0 = g_now_ms();
	/* Only a safety net: the timer must end the WFI well before. */
	g_alarm_ms(PROMPT_MS * 3, 0);
	r = g_run_raw(&g, 0, &err);
	g_alarm_ms(0, 0);
	dt = g_now_ms() - t0;
	/*
	 * Without an in-kernel irqchip the timer line going high ends
	 * KVM_RUN before the next entry: -EINTR, KVM_EXIT_INTR, the line
	 * in device_irq_level, the WFI completed.
	 */
	EXPECT_EQ(-1, r) TH_LOG("KVM_RUN returned %d, exit %s", r,
				g_exit_name(g.run[0]->exit_reason));
	EXPECT_EQ(EINTR, err) TH_LOG("%s", hvk_errname(err));
	EXPECT_EQ(KVM_EXIT_INTR, g.run[0]->exit_reason);
	EXPECT_NE(0, g.run[0]->s.regs.device_irq_level &
		  KVM_ARM_DEV_EL1_VTIMER)
		TH_LOG("device_irq_level %#llx: the timer line is high",
		       (unsigned long long)g.run[0]->s.regs.device_irq_level);
	EXPECT_LE(90, dt) TH_LOG("woken after %llu ms, before the timer",
				 (unsigned long long)dt);
	EXPECT_GT(PROMPT_MS, dt) TH_LOG("woken after %llu ms: the timer did "
					"not wake the vCPU",
					(unsigned long long)dt);
	EXPECT_EQ(G_RAM_GPA + WFI_NEXT_OFF, g_get64(&g, 0, G_PC));
	/*
	 * The guest goes on past the WFI (the line stays high: the next
	 * KVM_RUNs enter, it does not change again).
	 */
	for (i = 0; i < 3; i++) {
		g_alarm_ms(PROMPT_MS * 3, 0);
		r = g_run_raw(&g, 0, &err);
		g_alarm_ms(0, 0);
		if (r == 0)
			break;
	}
	EXPECT_EQ(0, r) TH_LOG("after the wake-up: %s", hvk_errname(err));
	EXPECT_EQ(KVM_EXIT_MMIO, g.run[0]->exit_reason);
	EXPECT_EQ(G_MMIO_GPA + 8, g.run[0]->mmio.phys_addr);
	g_vm_destroy(&g);
}

/*
 * vCPU 0 turns vCPU 1 on with context id i (1..N), waits until vCPU 1
 * wrote i to the flag word, then until AFFINITY_INFO says it is off
 * again (it calls CPU_OFF right after the store); after N rounds it
 * stores N + 1 to MMIO +0x08 and calls SYSTEM_OFF. A failed CPU_ON
 * stores its result to MMIO +0x10 and stops.
 */
#define ROUNDS		20
#define FLAG_GPA	(G_RAM_GPA + G_DATA_OFF)

GUEST_SYM(g_cycle_secondary);
GUEST_CODE(g_cpu_cycle,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x20, =" G_STR(FLAG_GPA) "\n"
	"str	xzr, [x20]\n"
	"mov	x21, #1\n"
	"1:	ldr	x0, =" G_STR(PSCI_0_2_FN64_CPU_ON) "\n"
	"mov	x1, #1\n"
	"adr	x2, g_cycle_secondary\n"
	"mov	x3, x21\n"
	"hvc	#0\n"
	"cbz	x0, 2f\n"
	"str	x0, [x19, #0x10]\n"
	"b	.\n"
	"2:	ldr	x1, [x20]\n"
	"cmp	x1, x21\n"
	"b.ne	2b\n"
	"3:	ldr	x0, =" G_STR(PSCI_0_2_FN64_AFFINITY_INFO) "\n"
	"mov	x1, #1\n"
	"mov	x2, #0\n"
	"hvc	#0\n"
	"cmp	x0, #1\n"
	"b.ne	3b\n"
	"add	x21, x21, #1\n"
	"cmp	x21, #" G_STR(ROUNDS) " + 1\n"
	"b.ne	1b\n"
	"str	x21, [x19, #0x08]\n"
	"ldr	x0, =" G_STR(PSCI_0_2_FN_SYSTEM_OFF) "\n"
	"hvc	#0\n"
	"b	.\n"
	"g_cycle_secondary:\n"
	"ldr	x20, =" G_STR(FLAG_GPA) "\n"
	"str	x0, [x20]\n"
	"ldr	x0, =" G_STR(PSCI_0_2_FN_CPU_OFF) "\n"
	"hvc	#0\n"
	"b	.\n");

struct secondary {
	struct g_vm *g;
	volatile int stop;
	volatile int done;
	int runs, eintr, other;
	uint32_t other_exit;
};

/* vCPU 1's thread: KVM_RUN until told to stop; count what comes back. */
static void *secondary_thread(void *arg)
{
	struct secondary *s = arg;
	sigset_t set;
	int r, err;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while (!s->stop) {
		r = g_run_raw(s->g, 1, &err);
		s->runs++;
		if (r < 0 && err == EINTR) {
			s->eintr++;
			continue;
		}
		s->other++;
		s->other_exit = s->g->run[1]->exit_reason;
		break;
	}
	s->done = 1;
	return NULL;
}

TEST(cpu_off_on_cycles)
{
	struct secondary s = { 0 };
	struct g_vm g;
	pthread_t th;
	uint64_t v, t0;

	g_signals_init();
	g_vm_create(_metadata, &g);
	g_vcpu_add(_metadata, &g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	g_vcpu_add(_metadata, &g, 1, (1U << KVM_ARM_VCPU_PSCI_0_2) |
		   (1U << KVM_ARM_VCPU_POWER_OFF));
	g_load(_metadata, &g, 0, g_cpu_cycle, g_cpu_cycle_end);
	g_set64(&g, 0, G_PC, G_RAM_GPA);
	g_set64(&g, 1, G_PC, G_HOLE_GPA);

	s.g = &g;
	ASSERT_EQ(0, pthread_create(&th, NULL, secondary_thread, &s));
	v = g_run_mmio(&g, 0, G_MMIO_GPA + 0x08, 8, 1);
	EXPECT_EQ(ROUNDS + 1, v) TH_LOG("vCPU 0 finished after %llu rounds",
					(unsigned long long)v - 1);
	g_run_expect(&g, 0, KVM_EXIT_SYSTEM_EVENT);
	EXPECT_EQ(KVM_SYSTEM_EVENT_SHUTDOWN, g.run[0]->system_event.type);

	s.stop = 1;
	t0 = g_now_ms();
	while (!s.done && g_now_ms() - t0 < 5000) {
		pthread_kill(th, SIGUSR1);
		usleep(10000);
	}
	ASSERT_TRUE(s.done) TH_LOG("vCPU 1's thread did not leave KVM_RUN "
				   "on SIGUSR1");
	pthread_join(th, NULL);
	/*
	 * vCPU 1 never exits to userspace: CPU_ON, its store to RAM and
	 * CPU_OFF are all in the kernel, and between rounds it sleeps in
	 * the same KVM_RUN.
	 */
	EXPECT_EQ(0, s.other) TH_LOG("vCPU 1: exit %u (%s)", s.other_exit,
				     g_exit_name(s.other_exit));
	EXPECT_LE(1, s.eintr);
	g_vm_destroy(&g);
}

TEST_HARNESS_MAIN

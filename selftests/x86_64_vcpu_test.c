// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 vCPUs running: two vCPUs of one VM in two threads at once;
 * KVM_RUN on one vCPU from two threads (serialized); a spinning guest
 * interrupted by a signal (-EINTR, KVM_EXIT_INTR) and resumed;
 * kvm_run.immediate_exit; random bytes as guest code end in a clean exit.
 *
 * Spinning guests run with RFLAGS.IF=1: Bochs turns host interrupts into
 * VM exits only then (see the lab notes), so a signal can reach the
 * thread in KVM_RUN. Expectations are Linux 6.1 kvm_intel's
 * (arch/x86/kvm/x86.c kvm_arch_vcpu_ioctl_run, vcpu_run;
 * kernel/entry/kvm.c for signals; virt/kvm/kvm_main.c kvm_vcpu_ioctl
 * takes vcpu->mutex around KVM_RUN).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "lib.h"
#include "x86_guest.h"

#define PORT_DONE	0x60
#define PORT_IN		0x61
#define RDV_LOOPS	2000

/*
 * rdv: rendezvous of two vCPUs. Sets its flag [RDI], spins until the
 * other's [RSI] is set, adds 1 to [RDI + 4] RDV_LOOPS times, OUTs its
 * id (BL) and halts.
 * spin: adds 1 to the dword at RES forever.
 * in_out: IN from PORT_IN into EAX, OUT of EAX to PORT_DONE, halts.
 * xmm_watch: puts a value in XMM0 and spins until XMM0 holds anything
 * else, which it OUTs to PORT_DONE.
 */
asm(
"	.pushsection .rodata.x86_vcpu_guest, \"a\"\n"
XG_ASM_PRELUDE
"	.code64\n"
"	.balign 16\n"
"vcpu_blob: exc_stubs\n"
"vcpu_rdv:\n"
"	movl $1, (%rdi)\n"
"1:	pause\n"
"	cmpl $0, (%rsi)\n"
"	je 1b\n"
"	mov $" XG_STR(RDV_LOOPS) ", %ecx\n"
"2:	incl 4(%rdi)\n"
"	dec %ecx\n"
"	jnz 2b\n"
"	mov %bl, %al\n"
"	outb %al, $" XG_STR(PORT_DONE) "\n"
"	hlt\n"
"vcpu_spin:\n"
"	incl RES\n"
"	jmp vcpu_spin\n"
"vcpu_in_out:\n"
"	inl $" XG_STR(PORT_IN) ", %eax\n"
"vcpu_in_out_after_in:\n"
"	outl %eax, $" XG_STR(PORT_DONE) "\n"
"	hlt\n"
"vcpu_xmm_watch:\n"
"	mov $0x11223344, %eax\n"
"	movd %eax, %xmm0\n"
"1:	movd %xmm0, %eax\n"
"	cmp $0x11223344, %eax\n"
"	je 1b\n"
"	outl %eax, $" XG_STR(PORT_DONE) "\n"
"	hlt\n"
"vcpu_blob_end:\n"
"	.popsection\n"
);

extern const char vcpu_blob[], vcpu_blob_end[], vcpu_rdv[], vcpu_spin[];
extern const char vcpu_in_out[], vcpu_in_out_after_in[], vcpu_xmm_watch[];

#define ADDR(label)	XG_ADDR(vcpu_blob, label)

static uint32_t guest_u32(struct xg *g, uint64_t gpa)
{
	return __atomic_load_n((uint32_t *)xg_gpa(g, gpa), __ATOMIC_SEQ_CST);
}

/* What a vCPU thread saw. */
struct runner {
	struct xg *g;
	int cpu;
	pthread_t thread;
	int ret, err;		/* of the last KVM_RUN */
	uint32_t exit1, exit2;	/* exit reasons of runs 1 and 2 */
	uint8_t out;		/* the byte of the first exit's OUT */
	int done;		/* order of completion, 0 while running */
};

static int done_seq;

/* Run the rendezvous guest: an OUT, then HLT. */
static void *rdv_thread(void *arg)
{
	struct runner *r = arg;
	struct kvm_run *run = r->g->cpu[r->cpu].run;

	r->ret = xg_run(r->g, r->cpu);
	r->err = errno;
	r->exit1 = run->exit_reason;
	if (r->ret == 0 && run->exit_reason == KVM_EXIT_IO) {
		r->out = *(uint8_t *)xg_io_data(run);
		r->ret = xg_run(r->g, r->cpu);
		r->err = errno;
		r->exit2 = run->exit_reason;
	}
	return NULL;
}

TEST(two_vcpus_two_threads)
{
	struct runner r[2];
	uint64_t flag[2] = { XG_RES + 0x100, XG_RES + 0x200 };
	uint64_t stack[2] = { XG_STACK, XG_STACK1 };
	struct xg g;
	int i;

	ASSERT_EQ(0, xg_create(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	ASSERT_EQ(0, xg_add_vcpu(&g, 1))
		TH_LOG("vCPU 1: %s: %s", xg_step, hvk_errname(errno));
	ASSERT_EQ(0, xg_load(&g, vcpu_blob, vcpu_blob_end));
	XG_SET_STUBS(&g, XG_LONG64, XG_CODE);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, xg_enter(&g, i, XG_LONG64, ADDR(vcpu_rdv),
				      stack[i]))
			TH_LOG("vCPU %d: %s: %s", i, xg_step,
			       hvk_errname(errno));
		ASSERT_EQ(0, xg_set_gprs(&g, i, 0xa0 + i, flag[!i], flag[i]));
	}
	for (i = 0; i < 2; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].g = &g;
		r[i].cpu = i;
		ASSERT_EQ(0, pthread_create(&r[i].thread, NULL, rdv_thread,
					    &r[i]));
	}
	for (i = 0; i < 2; i++)
		pthread_join(r[i].thread, NULL);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(KVM_EXIT_IO, r[i].exit1)
			TH_LOG("vCPU %d: first exit: the OUT after the "
			       "rendezvous, got %s", i,
			       xg_exit_name(r[i].exit1));
		EXPECT_EQ(0xa0 + i, r[i].out)
			TH_LOG("vCPU %d OUTs its own RBX", i);
		EXPECT_EQ(0, r[i].ret)
			TH_LOG("vCPU %d: KVM_RUN: %s", i,
			       hvk_errname(r[i].err));
		EXPECT_EQ(KVM_EXIT_HLT, r[i].exit2)
			TH_LOG("vCPU %d: second exit", i);
		EXPECT_EQ(RDV_LOOPS, guest_u32(&g, flag[i] + 4))
			TH_LOG("vCPU %d's counter, on its own stack and "
			       "registers", i);
	}
	xg_destroy(&g);
}

/* KVM_RUN of the spinning guest until a signal ends it. */
static void *spin_thread(void *arg)
{
	struct runner *r = arg;

	r->ret = xg_run(r->g, r->cpu);
	r->err = errno;
	r->exit1 = r->g->cpu[r->cpu].run->exit_reason;
	__atomic_store_n(&r->done, __atomic_add_fetch(&done_seq, 1,
						      __ATOMIC_SEQ_CST),
			 __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * Wait until the spinning guest's counter moves: a thread is in the
 * guest. Polls every 1 ms, at most @tries times; 0 if it moved.
 */
static int wait_guest_runs(struct xg *g, int tries)
{
	uint32_t c0 = guest_u32(g, XG_RES);

	while (tries-- > 0) {
		usleep(1000);
		if (guest_u32(g, XG_RES) != c0)
			return 0;
	}
	return -1;
}

/* Signal @r's thread until its KVM_RUN returns (at most @tries ms). */
static int kick_until_done(struct runner *r, int tries)
{
	while (!__atomic_load_n(&r->done, __ATOMIC_SEQ_CST) && tries-- > 0) {
		pthread_kill(r->thread, SIGUSR1);
		usleep(1000);
	}
	return __atomic_load_n(&r->done, __ATOMIC_SEQ_CST) ? 0 : -1;
}

TEST(run_one_vcpu_from_two_threads)
{
	struct runner a = { 0 }, b = { 0 };
	struct xg g;

	hvk_noop_signals();
	ASSERT_EQ(0, xg_create(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	ASSERT_EQ(0, xg_load(&g, vcpu_blob, vcpu_blob_end));
	ASSERT_EQ(0, xg_enter(&g, 0, XG_LONG64, ADDR(vcpu_spin), XG_STACK));
	a.g = b.g = &g;
	ASSERT_EQ(0, pthread_create(&a.thread, NULL, spin_thread, &a));
	ASSERT_EQ(0, wait_guest_runs(&g, 20000))
		TH_LOG("thread A's guest never ran");
	ASSERT_EQ(0, pthread_create(&b.thread, NULL, spin_thread, &b));
	/* B must wait for A's KVM_RUN, however long that takes. */
	usleep(100000);
	EXPECT_EQ(0, __atomic_load_n(&b.done, __ATOMIC_SEQ_CST))
		TH_LOG("thread B's KVM_RUN returned while thread A's ran: "
		       "ret %d, %s", b.ret, hvk_errname(b.err));
	ASSERT_EQ(0, kick_until_done(&a, 20000))
		TH_LOG("SIGUSR1 never ended thread A's KVM_RUN");
	/* Now B gets the vCPU and runs the guest. */
	EXPECT_EQ(0, wait_guest_runs(&g, 20000))
		TH_LOG("thread B never ran the guest after A returned");
	ASSERT_EQ(0, kick_until_done(&b, 20000))
		TH_LOG("SIGUSR1 never ended thread B's KVM_RUN");
	pthread_join(a.thread, NULL);
	pthread_join(b.thread, NULL);
	EXPECT_TRUE(a.ret == -1 && a.err == EINTR)
		TH_LOG("thread A: KVM_RUN must fail with EINTR, got %d %s",
		       a.ret, hvk_errname(a.err));
	EXPECT_TRUE(b.ret == -1 && b.err == EINTR)
		TH_LOG("thread B: KVM_RUN must fail with EINTR, got %d %s",
		       b.ret, hvk_errname(b.err));
	EXPECT_LT(a.done, b.done) TH_LOG("A's KVM_RUN ends before B's");
	EXPECT_EQ(KVM_EXIT_INTR, a.exit1) TH_LOG("A's exit reason");
	EXPECT_EQ(KVM_EXIT_INTR, b.exit1) TH_LOG("B's exit reason");
	xg_destroy(&g);
}

TEST(signal_interrupts_spinning_guest)
{
	struct kvm_run *run;
	struct kvm_regs regs;
	uint32_t c1, c2;
	struct xg g;
	int i, r;

	hvk_noop_signals();
	ASSERT_EQ(0, xg_create(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	run = g.cpu[0].run;
	ASSERT_EQ(0, xg_load(&g, vcpu_blob, vcpu_blob_end));
	ASSERT_EQ(0, xg_enter(&g, 0, XG_LONG64, ADDR(vcpu_spin), XG_STACK));
	for (i = 0; i < 2; i++) {
		c1 = guest_u32(&g, XG_RES);
		hvk_alarm_us(50000, 0);
		errno = 0;
		r = xg_run(&g, 0);
		ASSERT_TRUE(r == -1 && errno == EINTR)
			TH_LOG("run %d: SIGALRM must end KVM_RUN with EINTR, "
			       "got %d %s", i, r, hvk_errname(errno));
		EXPECT_EQ(KVM_EXIT_INTR, run->exit_reason)
			TH_LOG("run %d: exit reason %s", i,
			       xg_exit_str(run));
		c2 = guest_u32(&g, XG_RES);
		EXPECT_NE(c1, c2)
			TH_LOG("run %d: the guest ran until the signal", i);
		ASSERT_OK(r, ioctl(g.cpu[0].fd, KVM_GET_REGS, &regs),
			  "KVM_GET_REGS");
		EXPECT_TRUE(regs.rip >= ADDR(vcpu_spin) &&
			    regs.rip < ADDR(vcpu_in_out))
			TH_LOG("run %d: RIP %#llx inside the spin loop", i,
			       (unsigned long long)regs.rip);
	}
	xg_destroy(&g);
}

/* Another task on the vCPU thread's CPU, filling XMM0 and yielding. */
static void *xmm_scribbler(void *arg)
{
	volatile int *stop = arg;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!*stop) {
		asm volatile("movq %0, %%xmm0" : : "r" (0xdeadbeefcafebabeULL)
			     : "xmm0");
		sched_yield();
	}
	return NULL;
}

/*
 * The guest's FPU registers are its own while it runs, whatever else
 * the CPU ran in between (other tasks, kernel FPU users in softirqs):
 * a guest watching XMM0 never sees another task's value. Both threads
 * share one CPU so that they keep taking it from each other.
 */
TEST(fpu_not_shared_with_other_tasks)
{
	volatile int stop = 0;
	struct kvm_run *run;
	cpu_set_t one;
	pthread_t t;
	struct xg g;
	int r;

	hvk_noop_signals();
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	ASSERT_EQ(0, xg_create(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	run = g.cpu[0].run;
	ASSERT_EQ(0, xg_load(&g, vcpu_blob, vcpu_blob_end));
	ASSERT_EQ(0, xg_enter(&g, 0, XG_LONG64, ADDR(vcpu_xmm_watch),
			      XG_STACK));
	ASSERT_EQ(0, pthread_create(&t, NULL, xmm_scribbler, (void *)&stop));
	hvk_alarm_us(300000, 0);
	errno = 0;
	r = xg_run(&g, 0);
	stop = 1;
	pthread_join(t, NULL);
	EXPECT_TRUE(r == -1 && errno == EINTR)
		TH_LOG("the guest must spin until SIGALRM, its XMM0 intact; "
		       "got %d %s, %s (XMM0 held %#x)", r,
		       hvk_errname(errno), xg_exit_str(run),
		       run->exit_reason == KVM_EXIT_IO ?
		       *(uint32_t *)xg_io_data(run) : 0);
	xg_destroy(&g);
}

/*
 * A VM entry that fails on invalid guest state (here reserved RFLAGS bit
 * 3, 26.3.1.4 "Checks on Guest RIP, RSP and RFLAGS") ends KVM_RUN with
 * KVM_EXIT_FAIL_ENTRY and the reason (33, bit 31 set); once the VMM has
 * fixed the state, the vCPU runs again.
 */
TEST(failed_entry_then_fixed)
{
	struct kvm_regs regs;
	struct kvm_run *run;
	struct xg g;
	int r;

	ASSERT_EQ(0, xg_create(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	run = g.cpu[0].run;
	ASSERT_EQ(0, xg_load(&g, vcpu_blob, vcpu_blob_end));
	ASSERT_EQ(0, xg_enter(&g, 0, XG_LONG64, ADDR(vcpu_in_out_after_in),
			      XG_STACK));
	ASSERT_OK(r, ioctl(g.cpu[0].fd, KVM_GET_REGS, &regs), "KVM_GET_REGS");
	regs.rflags |= 1 << 3;
	ASSERT_OK(r, ioctl(g.cpu[0].fd, KVM_SET_REGS, &regs), "KVM_SET_REGS");
	XG_RUN_EXPECT(&g, 0, KVM_EXIT_FAIL_ENTRY, "RFLAGS bit 3 set");
	EXPECT_EQ(0x80000021ULL,
		  run->fail_entry.hardware_entry_failure_reason)
		TH_LOG("failure reason: invalid guest state (33) | bit 31");
	regs.rflags &= ~(1ULL << 3);
	ASSERT_OK(r, ioctl(g.cpu[0].fd, KVM_SET_REGS, &regs), "KVM_SET_REGS");
	XG_EXPECT_IO(&g, 0, KVM_EXIT_IO_OUT, 4, PORT_DONE, 1,
		     "OUT after the state was fixed");
	XG_RUN_EXPECT(&g, 0, KVM_EXIT_HLT, "HLT after the state was fixed");
	xg_destroy(&g);
}

TEST(immediate_exit)
{
	struct kvm_run *run;
	struct kvm_regs regs;
	struct xg g;
	int r;

	ASSERT_EQ(0, xg_create(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	run = g.cpu[0].run;
	ASSERT_EQ(0, xg_load(&g, vcpu_blob, vcpu_blob_end));
	ASSERT_EQ(0, xg_enter(&g, 0, XG_LONG64, ADDR(vcpu_in_out),
			      XG_STACK));

	/* Before the first run: nothing runs, the exit reason stays. */
	run->immediate_exit = 1;
	run->exit_reason = KVM_EXIT_UNKNOWN;
	EXPECT_ERRNO(xg_run(&g, 0), EINTR,
		     "KVM_RUN with immediate_exit=1 on a new vCPU");
	EXPECT_EQ(KVM_EXIT_UNKNOWN, run->exit_reason)
		TH_LOG("KVM 6.1 leaves exit_reason alone on immediate_exit");
	ASSERT_OK(r, ioctl(g.cpu[0].fd, KVM_GET_REGS, &regs), "KVM_GET_REGS");
	EXPECT_EQ(ADDR(vcpu_in_out), regs.rip)
		TH_LOG("the guest must not have run: RIP at its entry");

	run->immediate_exit = 0;
	XG_EXPECT_IO(&g, 0, KVM_EXIT_IO_IN, 4, PORT_IN, 1, "IN EAX");
	memcpy(xg_io_data(run), "\x78\x56\x34\x12", 4);
	/*
	 * The pending IN completes even with immediate_exit set (how a VMM
	 * finishes an exit before it saves the vCPU's state), and the guest
	 * runs no further.
	 */
	run->immediate_exit = 1;
	EXPECT_ERRNO(xg_run(&g, 0), EINTR,
		     "KVM_RUN with immediate_exit=1 after an IN exit");
	EXPECT_EQ(KVM_EXIT_IO, run->exit_reason)
		TH_LOG("exit_reason still the IN's");
	ASSERT_OK(r, ioctl(g.cpu[0].fd, KVM_GET_REGS, &regs), "KVM_GET_REGS");
	EXPECT_EQ(0x12345678, (uint32_t)regs.rax)
		TH_LOG("the IN's data is in EAX");
	EXPECT_EQ(ADDR(vcpu_in_out_after_in), regs.rip)
		TH_LOG("RIP just past the IN, not further");

	run->immediate_exit = 0;
	XG_EXPECT_IO(&g, 0, KVM_EXIT_IO_OUT, 4, PORT_DONE, 1, "OUT EAX");
	EXPECT_EQ(0, memcmp(xg_io_data(run), "\x78\x56\x34\x12", 4))
		TH_LOG("the guest OUTs the value its IN got");
	XG_RUN_EXPECT(&g, 0, KVM_EXIT_HLT, "HLT");
	xg_destroy(&g);
}

FIXTURE(garbage) {
	struct xg g;
};

FIXTURE_VARIANT(garbage) {
	enum xg_mode mode;
};

FIXTURE_VARIANT_ADD(garbage, real) { .mode = XG_REAL };
FIXTURE_VARIANT_ADD(garbage, long64) { .mode = XG_LONG64 };

FIXTURE_SETUP(garbage)
{
	hvk_noop_signals();
}

FIXTURE_TEARDOWN(garbage)
{
}

#define GARBAGE_SEEDS	6
#define GARBAGE_RUNS	64

/*
 * Random bytes as guest code: every KVM_RUN ends in a clean exit or, when
 * the guest spins, in EINTR from a 20 ms SIGALRM. I/O and MMIO reads get
 * zeros and the guest goes on, up to GARBAGE_RUNS runs; HLT, SHUTDOWN,
 * INTERNAL_ERROR, FAIL_ENTRY and an exception stub's report end it. The
 * vCPU stays usable (KVM_GET_REGS).
 */
TEST_F(garbage, random_code)
{
	struct kvm_regs regs;
	struct kvm_run *run;
	int s, n;

	for (s = 1; s <= GARBAGE_SEEDS; s++) {
		ASSERT_EQ(0, xg_create(&self->g))
			TH_LOG("VM set-up: %s: %s", xg_step,
			       hvk_errname(errno));
		run = self->g.cpu[0].run;
		ASSERT_EQ(0, xg_enter(&self->g, 0, variant->mode,
				      XG_GARBAGE_CODE, XG_STACK));
		xg_garbage_memory(&self->g, variant->mode, vcpu_blob,
				  vcpu_blob_end, 0x9e3779b97f4a7c15ULL * s);
		TH_LOG("seed %d (%s)", s, xg_mode_name(variant->mode));
		n = xg_garbage_run(&self->g, s, GARBAGE_RUNS);
		TH_LOG("seed %d: %d runs, last %s", s, n, xg_exit_str(run));
		EXPECT_EQ(0, ioctl(self->g.cpu[0].fd, KVM_GET_REGS, &regs))
			TH_LOG("seed %d: KVM_GET_REGS after the garbage", s);
		xg_destroy(&self->g);
	}
}

TEST_HARNESS_MAIN

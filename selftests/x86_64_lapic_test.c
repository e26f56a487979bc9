// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (KVM_CREATE_IRQCHIP) driven by tiny 64-bit
 * guests: xAPIC registers through MMIO at 0xfee00000 (ID, version, SVR,
 * a self-IPI, TPR masking and PPR), x2APIC through MSRs (ID, version,
 * LDR, self-IPI by SELF_IPI and by the ICR, the timer), the timer in
 * one-shot, periodic, masked and TSC-deadline modes (a deadline in the
 * past fires at once, the MSR reads 0 after firing), HLT woken by the
 * timer, two vCPUs sending each other fixed IPIs (physical, logical,
 * all-but-self) and an NMI while the receiver halts (HLT woken by each),
 * INIT and SIPI starting an AP in a real-mode trampoline, the cost of
 * xAPIC accesses (logged), and the state ioctls: KVM_GET/SET_LAPIC, MP
 * state, KVM_SET_BOOT_CPU_ID, with KVM's errnos for misuse.
 *
 * Expectations are Linux 6.1 kvm_intel's (arch/x86/kvm/lapic.c, x86.c).
 * Guests spin with IF=1 (Bochs, LAB.md).
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "kselftest_harness.h"
#include "lib.h"
#include "x86_guest.h"

#define TRAMPOLINE	0x30000		/* SIPI vector 0x30 */

/*
 * RES: +0 self-IPI count, +4 timer count, +8 x2APIC self-IPI count,
 * +12 x2APIC timer count, +16 IPIs on vCPU 1 (0x70), +20 IPIs on vCPU 0
 * (0x71), +24 logical IPIs on vCPU 1 (0x72), +28 TSC-deadline count,
 * +40 vCPU 1 ready, +44 NMIs on vCPU 1, +48 vCPU 0's step in the IPI
 * test.
 */
asm(
"	.pushsection .rodata.x86_lapic_guest, \"a\"\n"
XG_ASM_PRELUDE
"	.set APIC, 0xfee00000\n"
"	.macro eoi\n"
"	push %rax\n"
"	mov $(APIC + 0xb0), %eax\n"
"	movl $0, (%rax)\n"
"	pop %rax\n"
"	.endm\n"
"	.macro x2eoi\n"
"	push %rax\n"
"	push %rcx\n"
"	push %rdx\n"
"	mov $0x80b, %ecx\n"
"	xor %eax, %eax\n"
"	xor %edx, %edx\n"
"	wrmsr\n"
"	pop %rdx\n"
"	pop %rcx\n"
"	pop %rax\n"
"	.endm\n"
"	.macro handler name, counter, how\n"
"	.balign 16\n"
"\\name:\n"
"	incl \\counter\n"
"	\\how\n"
"	iretq\n"
"	.endm\n"
"	.code64\n"
"lapic_start:\n"
"	handler h_self, RES+0, eoi\n"
"	handler h_timer, RES+4, eoi\n"
"	handler h_x2self, RES+8, x2eoi\n"
"	handler h_x2timer, RES+12, x2eoi\n"
"	handler h_ipi70, RES+16, eoi\n"
"	handler h_ipi71, RES+20, eoi\n"
"	handler h_ipi72, RES+24, eoi\n"
"	handler h_tscdl, RES+28, eoi\n"
"	.balign 16\n"
"h_nmi1:\n"
"	incl RES+44\n"
"	iretq\n"
/* xAPIC registers, a self-IPI, TPR masking */
"	.balign 16\n"
"g_xapic:\n"
"	mov $APIC, %esi\n"
"	mov 0x20(%rsi), %eax\n"
"	outl %eax, $0x10\n"
"	mov 0x30(%rsi), %eax\n"
"	outl %eax, $0x11\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	movl $0x40050, 0x300(%rsi)\n"
"1:	cmpl $1, RES\n"
"	jb 1b\n"
"	mov RES, %eax\n"
"	outl %eax, $0x12\n"
"	movl $0x60, 0x80(%rsi)\n"
"	movl $0x40050, 0x300(%rsi)\n"
"	mov $1000, %ecx\n"
"2:	loop 2b\n"
"	mov 0x220(%rsi), %eax\n"
"	outl %eax, $0x13\n"
"	mov RES, %eax\n"
"	outl %eax, $0x14\n"
"	mov 0xa0(%rsi), %eax\n"
"	outl %eax, $0x15\n"
"	movl $0, 0x80(%rsi)\n"
"3:	cmpl $2, RES\n"
"	jb 3b\n"
"	mov 0x220(%rsi), %eax\n"
"	outl %eax, $0x16\n"
"	hlt\n"
/* Timer: one-shot, periodic, masked */
"	.balign 16\n"
"g_timer:\n"
"	mov $APIC, %esi\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	movl $0xb, 0x3e0(%rsi)\n"
"	movl $0x60, 0x320(%rsi)\n"
"	movl $200000, 0x380(%rsi)\n"
"1:	cmpl $1, RES+4\n"
"	jb 1b\n"
"	mov 0x390(%rsi), %eax\n"
"	outl %eax, $0x10\n"
"	movl $0x20060, 0x320(%rsi)\n"
"	movl $500000, 0x380(%rsi)\n"
"2:	cmpl $6, RES+4\n"
"	jb 2b\n"
"	movl $0, 0x380(%rsi)\n"
"	mov RES+4, %eax\n"
"	outl %eax, $0x11\n"
"	movl $0x10060, 0x320(%rsi)\n"
"	movl $100000, 0x380(%rsi)\n"
"3:	mov 0x390(%rsi), %eax\n"
"	test %eax, %eax\n"
"	jnz 3b\n"
"	mov $20000, %ecx\n"
"4:	loop 4b\n"
"	mov 0x230(%rsi), %eax\n"
"	outl %eax, $0x12\n"
"	mov RES+4, %eax\n"
"	outl %eax, $0x13\n"
"	hlt\n"
/* HLT until the one-shot timer fires */
"	.balign 16\n"
"g_hlt:\n"
"	mov $APIC, %esi\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	movl $0xb, 0x3e0(%rsi)\n"
"	movl $0x60, 0x320(%rsi)\n"
"	movl $300000, 0x380(%rsi)\n"
"	sti\n"
"	hlt\n"
"	mov RES+4, %eax\n"
"	outl %eax, $0x10\n"
"	hlt\n"
/* TSC deadline (xAPIC registers, the MSR) */
"	.balign 16\n"
"g_tscdl:\n"
"	mov $APIC, %esi\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	movl $0x40061, 0x320(%rsi)\n"
"	rdtsc\n"
"	shl $32, %rdx\n"
"	or %rdx, %rax\n"
"	add $200000, %rax\n"
"	mov %rax, %rdx\n"
"	shr $32, %rdx\n"
"	mov $0x6e0, %ecx\n"
"	wrmsr\n"
"1:	cmpl $1, RES+28\n"
"	jb 1b\n"
"	mov $0x6e0, %ecx\n"
"	rdmsr\n"
"	or %edx, %eax\n"
"	outl %eax, $0x10\n"
"	rdtsc\n"
"	shl $32, %rdx\n"
"	or %rdx, %rax\n"
"	sub $100000, %rax\n"
"	mov %rax, %rdx\n"
"	shr $32, %rdx\n"
"	mov $0x6e0, %ecx\n"
"	wrmsr\n"
"2:	cmpl $2, RES+28\n"
"	jb 2b\n"
"	mov RES+28, %eax\n"
"	outl %eax, $0x11\n"
"	hlt\n"
/* x2APIC */
"	.balign 16\n"
"g_x2apic:\n"
"	mov $0x1b, %ecx\n"
"	rdmsr\n"
"	or $0xc00, %eax\n"
"	wrmsr\n"
"	mov $0x802, %ecx\n"
"	rdmsr\n"
"	outl %eax, $0x10\n"
"	mov $0x803, %ecx\n"
"	rdmsr\n"
"	outl %eax, $0x11\n"
"	mov $0x80f, %ecx\n"
"	mov $0x1ff, %eax\n"
"	xor %edx, %edx\n"
"	wrmsr\n"
"	mov $0x83f, %ecx\n"
"	mov $0x52, %eax\n"
"	wrmsr\n"
"1:	cmpl $1, RES+8\n"
"	jb 1b\n"
"	mov $0x830, %ecx\n"
"	mov $0x40052, %eax\n"
"	xor %edx, %edx\n"
"	wrmsr\n"
"2:	cmpl $2, RES+8\n"
"	jb 2b\n"
"	mov $0x83e, %ecx\n"
"	mov $0xb, %eax\n"
"	wrmsr\n"
"	mov $0x832, %ecx\n"
"	mov $0x62, %eax\n"
"	wrmsr\n"
"	mov $0x838, %ecx\n"
"	mov $200000, %eax\n"
"	wrmsr\n"
"3:	cmpl $1, RES+12\n"
"	jb 3b\n"
"	mov $0x80d, %ecx\n"
"	rdmsr\n"
"	outl %eax, $0x12\n"
"	mov RES+8, %eax\n"
"	outl %eax, $0x13\n"
"	hlt\n"
/* Two vCPUs: vCPU 0 */
"	.balign 16\n"
"g_ipi0:\n"
"	mov $APIC, %esi\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	movl $0x01000000, 0xd0(%rsi)\n"
"1:	cmpl $1, RES+40\n"
"	jb 1b\n"
"	movl $1, RES+48\n"
"	movl $0x01000000, 0x310(%rsi)\n"
"	movl $0x70, 0x300(%rsi)\n"
"2:	cmpl $1, RES+20\n"
"	jb 2b\n"
"	movl $2, RES+48\n"
"	movl $0x02000000, 0x310(%rsi)\n"
"	movl $0x872, 0x300(%rsi)\n"
"3:	cmpl $1, RES+24\n"
"	jb 3b\n"
"	movl $3, RES+48\n"
"	movl $0xc0070, 0x300(%rsi)\n"
"4:	cmpl $2, RES+16\n"
"	jb 4b\n"
"	movl $4, RES+48\n"
"	movl $0x01000000, 0x310(%rsi)\n"
"	movl $0x400, 0x300(%rsi)\n"
"5:	cmpl $1, RES+44\n"
"	jb 5b\n"
"	movl $5, RES+48\n"
"	mov RES+16, %eax\n"
"	outl %eax, $0x11\n"
"	hlt\n"
/* vCPU 1 */
"	.balign 16\n"
"g_ipi1:\n"
"	mov $APIC, %esi\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	movl $0x02000000, 0xd0(%rsi)\n"
"	movl $1, RES+40\n"
/* Halted (IF=1) until the IPI comes: HLT woken by an IPI. */
"1:	cmpl $1, RES+16\n"
"	jae 2f\n"
"	sti\n"
"	hlt\n"
"	jmp 1b\n"
"2:	movl $0, 0x310(%rsi)\n"
"	movl $0x71, 0x300(%rsi)\n"
/* And until the NMI: HLT woken by an NMI. */
"3:	cmpl $1, RES+44\n"
"	jae 4f\n"
"	hlt\n"
"	jmp 3b\n"
"4:	outb %al, $0x12\n"
"	hlt\n"
/* The same, spinning (IF=1) instead of halting: HVK_LAPIC_IPI_SPIN=1 */
"	.balign 16\n"
"g_ipi1_spin:\n"
"	mov $APIC, %esi\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	movl $0x02000000, 0xd0(%rsi)\n"
"	movl $1, RES+40\n"
"1:	cmpl $1, RES+16\n"
"	jb 1b\n"
"	movl $0, 0x310(%rsi)\n"
"	movl $0x71, 0x300(%rsi)\n"
"2:	cmpl $1, RES+44\n"
"	jb 2b\n"
"	outb %al, $0x12\n"
"	hlt\n"
/* INIT and SIPI from vCPU 0 to vCPU 1 */
"	.balign 16\n"
"g_sipi:\n"
"	mov $APIC, %esi\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	movl $0x01000000, 0x310(%rsi)\n"
"	movl $0x4500, 0x300(%rsi)\n"
"	movl $0x01000000, 0x310(%rsi)\n"
"	movl $0x4630, 0x300(%rsi)\n"
"	outb %al, $0x11\n"
"	hlt\n"
/* Cost of xAPIC accesses: 1000 EOIs, 1000 TPR writes, in TSC cycles */
"	.balign 16\n"
"g_cost:\n"
"	mov $APIC, %esi\n"
"	movl $0x1ff, 0xf0(%rsi)\n"
"	rdtsc\n"
"	mov %eax, %edi\n"
"	mov $1000, %ecx\n"
"1:	movl $0, 0xb0(%rsi)\n"
"	loop 1b\n"
"	rdtsc\n"
"	sub %edi, %eax\n"
"	outl %eax, $0x10\n"
"	rdtsc\n"
"	mov %eax, %edi\n"
"	mov $1000, %ecx\n"
"2:	movl %ecx, %eax\n"
"	and $0xf0, %eax\n"
"	movl %eax, 0x80(%rsi)\n"
"	loop 2b\n"
"	rdtsc\n"
"	sub %edi, %eax\n"
"	outl %eax, $0x11\n"
"	mov 0x80(%rsi), %eax\n"
"	outl %eax, $0x12\n"
"	hlt\n"
"	.code16\n"
"trampoline:\n"
"	mov $0x1234, %ax\n"
"	outw %ax, $0x30\n"
"1:	hlt\n"
"	jmp 1b\n"
"trampoline_end:\n"
"	.code64\n"
"lapic_end:\n"
"	.popsection\n");

extern const char lapic_start[], lapic_end[], h_self[], h_timer[],
	h_x2self[], h_x2timer[], h_ipi70[], h_ipi71[], h_ipi72[], h_tscdl[],
	h_nmi1[], g_xapic[], g_timer[], g_hlt[], g_tscdl[], g_x2apic[],
	g_ipi0[], g_ipi1[], g_ipi1_spin[], g_sipi[], g_cost[], trampoline[], trampoline_end[];

#define A(label) XG_ADDR(lapic_start, label)

static uint32_t res32(struct xg *g, unsigned int off)
{
	uint32_t v;

	memcpy(&v, xg_gpa(g, XG_RES + off), 4);
	return v;
}

/* A VM with the in-kernel irqchip and @n vCPUs, the guest loaded. */
static int lapic_vm(struct xg *g, int n)
{
	struct kvm_cpuid2 *c;
	int i;

	if (xg_create_vm(g))
		return -1;
	if (ioctl(g->vm, KVM_CREATE_IRQCHIP, 0))
		return xg_fail("KVM_CREATE_IRQCHIP");
	for (i = 0; i < n; i++)
		if (xg_add_vcpu(g, i))
			return -1;
	/*
	 * CPUID.1:ECX.TSC_DEADLINE, as a VMM sets it when the device says
	 * KVM_CAP_TSC_DEADLINE_TIMER (KVM does not put it in the supported
	 * table): without it the LVT timer has no TSC-deadline mode.
	 */
	c = xg_guest_cpuid(g->sys);
	if (!c || !xg_cpuid_entry(c, 1, 0))
		return xg_fail("KVM_GET_SUPPORTED_CPUID");
	xg_cpuid_entry(c, 1, 0)->ecx |= 1u << 24;
	for (i = 0; i < n; i++)
		if (ioctl(g->cpu[i].fd, KVM_SET_CPUID2, c)) {
			free(c);
			return xg_fail("KVM_SET_CPUID2 with TSC deadline");
		}
	free(c);
	if (xg_load(g, lapic_start, lapic_end))
		return -1;
	xg_set_gate(g, XG_LONG64, 0x50, A(h_self));
	xg_set_gate(g, XG_LONG64, 0x60, A(h_timer));
	xg_set_gate(g, XG_LONG64, 0x52, A(h_x2self));
	xg_set_gate(g, XG_LONG64, 0x62, A(h_x2timer));
	xg_set_gate(g, XG_LONG64, 0x70, A(h_ipi70));
	xg_set_gate(g, XG_LONG64, 0x71, A(h_ipi71));
	xg_set_gate(g, XG_LONG64, 0x72, A(h_ipi72));
	xg_set_gate(g, XG_LONG64, 0x61, A(h_tscdl));
	xg_set_gate(g, XG_LONG64, 2, A(h_nmi1));
	return 0;
}

static uint32_t out_data(struct xg *g, int cpu)
{
	struct kvm_run *run = g->cpu[cpu].run;
	uint32_t v = 0;

	memcpy(&v, xg_io_data(run), run->io.size);
	return v;
}

/* Run vCPU @cpu to an OUT to @port; return its data. */
#define OUT(g, _c, _p, what) ({					\
	XG_RUN_EXPECT(g, _c, KVM_EXIT_IO, what);			\
	ASSERT_EQ(_p, (g)->cpu[_c].run->io.port)			\
		TH_LOG("%s: expected OUT to %#x, got %s", what, _p,	\
		       xg_exit_str((g)->cpu[_c].run));			\
	out_data(g, _c);						\
})

FIXTURE(lapic) {
	struct xg g;
};

FIXTURE_SETUP(lapic)
{
	memset(&self->g, 0, sizeof(self->g));
	self->g.vm = self->g.sys = -1;
	self->g.mem = MAP_FAILED;
}

FIXTURE_TEARDOWN(lapic)
{
	xg_destroy(&self->g);
}

static void setup(struct __test_metadata *_metadata, struct xg *g, int n,
		  const char *entry)
{
	ASSERT_EQ(0, lapic_vm(g, n))
		TH_LOG("%s: %s", xg_step, hvk_errname(errno));
	ASSERT_EQ(0, xg_enter(g, 0, XG_LONG64, A(entry), XG_STACK))
		TH_LOG("%s: %s", xg_step, hvk_errname(errno));
}

TEST_F(lapic, xapic_regs_selfipi_tpr)
{
	struct xg *g = &self->g;

	setup(_metadata, g, 1, g_xapic);
	EXPECT_EQ(0u, OUT(g, 0, 0x10, "ID"));
	EXPECT_EQ(0x50014u, OUT(g, 0, 0x11, "version"));
	EXPECT_EQ(1u, OUT(g, 0, 0x12, "self-IPI taken"));
	EXPECT_EQ(1u << 16, OUT(g, 0, 0x13, "IRR[95:64] with TPR 0x60") &
		  (1u << 16)) TH_LOG("vector 0x50 waits in the IRR");
	EXPECT_EQ(1u, OUT(g, 0, 0x14, "count while masked by TPR"));
	EXPECT_EQ(0x60u, OUT(g, 0, 0x15, "PPR"));
	EXPECT_EQ(0u, OUT(g, 0, 0x16, "IRR after TPR 0") & (1u << 16));
	EXPECT_EQ(2u, res32(g, 0));
}

TEST_F(lapic, timer_oneshot_periodic_masked)
{
	struct xg *g = &self->g;
	uint32_t n;

	setup(_metadata, g, 1, g_timer);
	EXPECT_EQ(0u, OUT(g, 0, 0x10, "TMCCT after the one-shot fired"));
	n = OUT(g, 0, 0x11, "periodic ticks");
	EXPECT_GE(n, 6u);
	EXPECT_EQ(0u, OUT(g, 0, 0x12, "IRR[127:96], masked timer") & 1);
	EXPECT_EQ(n, OUT(g, 0, 0x13, "count after the masked one-shot"));
}

TEST_F(lapic, hlt_woken_by_timer)
{
	struct xg *g = &self->g;

	setup(_metadata, g, 1, g_hlt);
	EXPECT_EQ(1u, OUT(g, 0, 0x10, "after HLT"))
		TH_LOG("HLT stays in the kernel until the timer fires");
}

TEST_F(lapic, tsc_deadline)
{
	struct xg *g = &self->g;

	setup(_metadata, g, 1, g_tscdl);
	EXPECT_EQ(0u, OUT(g, 0, 0x10, "IA32_TSC_DEADLINE after firing"));
	EXPECT_EQ(2u, OUT(g, 0, 0x11, "a deadline in the past fires"));
}

TEST_F(lapic, x2apic)
{
	struct xg *g = &self->g;

	setup(_metadata, g, 1, g_x2apic);
	EXPECT_EQ(0u, OUT(g, 0, 0x10, "x2APIC ID"));
	EXPECT_EQ(0x50014u, OUT(g, 0, 0x11, "version"));
	EXPECT_EQ(1u, OUT(g, 0, 0x12, "LDR of ID 0"));
	EXPECT_EQ(2u, OUT(g, 0, 0x13, "self-IPIs"));
	EXPECT_EQ(1u, res32(g, 12)) TH_LOG("x2APIC timer");
}

struct ap_arg {
	struct xg *g;
	int ok;
	char msg[256];
};

/*
 * vCPU 1 of the IPI test: runs until its OUT to 0x12 (a port no in-kernel
 * device claims: 0x21, used first, is the PIC's IMR once KVM_CREATE_IRQCHIP
 * has made one, and vCPU 1 then halted for good instead of exiting).
 */
static void *ipi_ap(void *p)
{
	struct ap_arg *a = p;
	struct kvm_run *run = a->g->cpu[1].run;
	sigset_t set;

	/* The watchdog's SIGALRM is for vCPU 0's thread (the test's). */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	for (;;) {
		if (xg_run(a->g, 1)) {
			snprintf(a->msg, sizeof(a->msg), "KVM_RUN: %s",
				 hvk_errname(errno));
			return NULL;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == 0x12) {
			a->ok = 1;
			return NULL;
		}
		snprintf(a->msg, sizeof(a->msg), "unexpected exit %s",
			 xg_exit_str(run));
		return NULL;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(lapic, ipis_between_two_vcpus)
{
	struct xg *g = &self->g;
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct ap_arg a = { .g = g };
	pthread_t t;
	int r;

	/*
	 * Known difference, not understood yet: under kvm_intel in the
	 * lab's Bochs (2 CPUs) this test stalls the whole emulated machine
	 * (no watchdog fires, guest time stops) after the single-vCPU tests
	 * passed, with vCPU 1 halting or spinning (HVK_LAPIC_IPI_SPIN=1)
	 * alike; the INIT/SIPI test, also two vCPUs, passes there. hvk
	 * passes it. HVK_LAPIC_IPI_KVM=1 runs it anyway.
	 */
	if (hvk_lab_kvm() && !getenv("HVK_LAPIC_IPI_KVM"))
		SKIP(return, "stalls the lab's Bochs under kvm_intel (see the test)");
	setup(_metadata, g, 2, g_ipi0);
	ASSERT_OK(r, ioctl(g->cpu[1].fd, KVM_SET_MP_STATE, &mp), "AP runnable");
	ASSERT_EQ(0, xg_enter(g, 1, XG_LONG64, getenv("HVK_LAPIC_IPI_SPIN") ?
			     A(g_ipi1_spin) : A(g_ipi1), XG_STACK1));
	ASSERT_EQ(0, pthread_create(&t, NULL, ipi_ap, &a));
	/* A watchdog: KVM_RUN ends with EINTR, the step says where. */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	alarm(15);
	r = xg_run(g, 0);
	alarm(0);
	if (r) {
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
		ASSERT_EQ(0, r) TH_LOG("vCPU 0: %s at step %u (IPIs: 0x70 %u, "
				       "0x71 %u, 0x72 %u, NMI %u, AP ready %u)",
				       hvk_errname(errno), res32(g, 48),
				       res32(g, 16), res32(g, 20),
				       res32(g, 24), res32(g, 44),
				       res32(g, 40));
	}
	ASSERT_EQ(KVM_EXIT_IO, g->cpu[0].run->exit_reason)
		TH_LOG("vCPU 0: %s", xg_exit_str(g->cpu[0].run));
	EXPECT_EQ(0x11, g->cpu[0].run->io.port);
	EXPECT_EQ(2u, out_data(g, 0));
	pthread_join(t, NULL);
	EXPECT_TRUE(a.ok) TH_LOG("vCPU 1: %s", a.msg);
	EXPECT_EQ(1u, res32(g, 20)) TH_LOG("IPI back to vCPU 0");
	EXPECT_EQ(1u, res32(g, 24)) TH_LOG("logical IPI");
	EXPECT_EQ(1u, res32(g, 44)) TH_LOG("NMI IPI");
}

TEST_F(lapic, init_sipi_starts_ap)
{
	struct xg *g = &self->g;
	struct kvm_mp_state mp;
	struct kvm_run *run;
	int r, tries;

	setup(_metadata, g, 2, g_sipi);
	memcpy(xg_gpa(g, TRAMPOLINE), trampoline, trampoline_end - trampoline);
	ASSERT_OK(r, ioctl(g->cpu[1].fd, KVM_GET_MP_STATE, &mp), "MP state");
	EXPECT_EQ(KVM_MP_STATE_UNINITIALIZED, mp.mp_state);
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_GET_MP_STATE, &mp), "MP state");
	EXPECT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);

	OUT(g, 0, 0x11, "INIT and SIPI sent");
	run = g->cpu[1].run;
	for (tries = 0; tries < 4; tries++) {
		r = xg_run(g, 1);
		if (!(r == -1 && errno == EAGAIN))
			break;
	}
	ASSERT_EQ(0, r) TH_LOG("AP KVM_RUN: %s", hvk_errname(errno));
	ASSERT_EQ(KVM_EXIT_IO, run->exit_reason)
		TH_LOG("AP: %s", xg_exit_str(run));
	EXPECT_EQ(0x30, run->io.port);
	EXPECT_EQ(0x1234u, out_data(g, 1));
	ASSERT_OK(r, ioctl(g->cpu[1].fd, KVM_GET_MP_STATE, &mp), "MP state");
	EXPECT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);
}

/*
 * Not a pass/fail cost check: the cycles are logged (TSC ticks in the
 * lab's Bochs are emulated time, repeatable run to run) to compare the
 * in-kernel MMIO path with kvm_intel's (TPR shadow: no exit for TPR).
 */
TEST_F(lapic, xapic_access_cost)
{
	struct xg *g = &self->g;
	uint32_t eoi, tpr;

	setup(_metadata, g, 1, g_cost);
	eoi = OUT(g, 0, 0x10, "1000 EOIs");
	tpr = OUT(g, 0, 0x11, "1000 TPR writes");
	TH_LOG("xAPIC MMIO: EOI %u cycles, TPR write %u cycles (%s)",
	       eoi / 1000, tpr / 1000, hvk_lab_kvm() ? "kvm_intel" : "hvk");
	/* The last write was 1 & 0xf0 = 0: TPR writes took effect. */
	EXPECT_EQ(0u, OUT(g, 0, 0x12, "TPR after the loop"));
}

static uint32_t reg(const struct kvm_lapic_state *s, unsigned int off)
{
	uint32_t v;

	memcpy(&v, s->regs + off, 4);
	return v;
}

static void set_reg(struct kvm_lapic_state *s, unsigned int off, uint32_t v)
{
	memcpy(s->regs + off, &v, 4);
}

TEST_F(lapic, get_set_lapic)
{
	struct xg *g = &self->g;
	struct kvm_lapic_state s, t;
	unsigned int off;
	int r;

	ASSERT_EQ(0, lapic_vm(g, 2)) TH_LOG("%s", xg_step);
	ASSERT_OK(r, ioctl(g->cpu[1].fd, KVM_GET_LAPIC, &s), "GET_LAPIC");
	EXPECT_EQ(1u << 24, reg(&s, 0x20));
	EXPECT_EQ(0x50014u, reg(&s, 0x30));
	EXPECT_EQ(0xffu, reg(&s, 0xf0));
	EXPECT_EQ(0xffffffffu, reg(&s, 0xe0));
	for (off = 0x320; off <= 0x370; off += 0x10)
		EXPECT_EQ(0x10000u, reg(&s, off)) TH_LOG("LVT %#x", off);

	set_reg(&s, 0xf0, 0x1ff);
	set_reg(&s, 0x80, 0x30);
	set_reg(&s, 0x350, 0x700);
	set_reg(&s, 0xd0, 0x04000000);
	ASSERT_OK(r, ioctl(g->cpu[1].fd, KVM_SET_LAPIC, &s), "SET_LAPIC");
	ASSERT_OK(r, ioctl(g->cpu[1].fd, KVM_GET_LAPIC, &t), "GET_LAPIC");
	EXPECT_EQ(0x1ffu, reg(&t, 0xf0));
	EXPECT_EQ(0x30u, reg(&t, 0x80));
	EXPECT_EQ(0x30u, reg(&t, 0xa0)) TH_LOG("PPR follows the TPR");
	EXPECT_EQ(0x700u, reg(&t, 0x350));
	EXPECT_EQ(0x04000000u, reg(&t, 0xd0));
	EXPECT_EQ(1u << 24, reg(&t, 0x20));

	/* vCPU 0 is untouched. */
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_GET_LAPIC, &t), "GET_LAPIC");
	EXPECT_EQ(0u, reg(&t, 0x20));
	EXPECT_EQ(0u, reg(&t, 0x80));
}

TEST_F(lapic, errnos)
{
	struct xg *g = &self->g;
	struct kvm_interrupt irq = { .irq = 0x40 };
	struct kvm_irq_level line = { .irq = 4, .level = 1 };
	struct kvm_lapic_state s;
	struct kvm_mp_state mp = { KVM_MP_STATE_HALTED };
	int r;

	/* Without an irqchip */
	ASSERT_EQ(0, xg_create(g)) TH_LOG("%s", xg_step);
	EXPECT_EQ(1, ioctl(g->sys, KVM_CHECK_EXTENSION,
			   KVM_CAP_TSC_DEADLINE_TIMER));
	EXPECT_EQ(1, ioctl(g->sys, KVM_CHECK_EXTENSION,
			   KVM_CAP_SET_BOOT_CPU_ID));
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_GET_LAPIC, &s), EINVAL,
		     "GET_LAPIC without irqchip");
	EXPECT_ERRNO(ioctl(g->vm, KVM_IRQ_LINE, &line), ENXIO,
		     "IRQ_LINE without irqchip");
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_SET_MP_STATE, &mp), EINVAL,
		     "HALTED without irqchip");
	EXPECT_ERRNO(ioctl(g->vm, KVM_CREATE_IRQCHIP, 0), EINVAL,
		     "CREATE_IRQCHIP after a vCPU");
	EXPECT_ERRNO(ioctl(g->vm, KVM_SET_BOOT_CPU_ID, 1), EBUSY,
		     "SET_BOOT_CPU_ID after a vCPU");
	xg_destroy(g);

	/* With one */
	ASSERT_EQ(0, xg_create_vm(g)) TH_LOG("%s", xg_step);
	ASSERT_OK(r, ioctl(g->vm, KVM_SET_BOOT_CPU_ID, 1), "boot CPU 1");
	ASSERT_OK(r, ioctl(g->vm, KVM_CREATE_IRQCHIP, 0), "CREATE_IRQCHIP");
	EXPECT_ERRNO(ioctl(g->vm, KVM_CREATE_IRQCHIP, 0), EEXIST, "twice");
	ASSERT_EQ(0, xg_add_vcpu(g, 0)) TH_LOG("%s", xg_step);
	ASSERT_EQ(0, xg_add_vcpu(g, 1)) TH_LOG("%s", xg_step);
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_INTERRUPT, &irq), ENXIO,
		     "KVM_INTERRUPT with the in-kernel PIC");
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_GET_MP_STATE, &mp), "MP 0");
	EXPECT_EQ(KVM_MP_STATE_UNINITIALIZED, mp.mp_state);
	ASSERT_OK(r, ioctl(g->cpu[1].fd, KVM_GET_MP_STATE, &mp), "MP 1");
	EXPECT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state) TH_LOG("the boot CPU");
	mp.mp_state = KVM_MP_STATE_HALTED;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_MP_STATE, &mp), "HALTED");
	mp.mp_state = 100;
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_SET_MP_STATE, &mp), EINVAL,
		     "unknown MP state");
}

TEST_HARNESS_MAIN

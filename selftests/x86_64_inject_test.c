// SPDX-License-Identifier: GPL-2.0
/*
 * Event injection without an in-kernel irqchip, as a VMM with its own PIC
 * drives it: KVM_INTERRUPT into a guest with an IDT, the interrupt window
 * (request_interrupt_window, KVM_EXIT_IRQ_WINDOW_OPEN, if_flag,
 * ready_for_interrupt_injection) while the guest runs with IF=0 and after
 * its STI, KVM_NMI with the NMI window of a running NMI handler,
 * KVM_GET/SET_VCPU_EVENTS round trips and their checks, an exception
 * injected through KVM_SET_VCPU_EVENTS, and events whose delivery an EPT
 * violation interrupts (IDT and stack in memslots the guest never
 * touched) delivered exactly once.
 *
 * Expectations are Linux 6.1 kvm_intel's (arch/x86/kvm/x86.c:
 * kvm_vcpu_ioctl_interrupt, vcpu_run, post_kvm_run_save,
 * kvm_vcpu_ioctl_x86_get/set_vcpu_events, process_nmi). All guests run
 * in 64-bit long mode with IF=1 where they spin (Bochs, LAB.md).
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "lib.h"
#include "x86_guest.h"

#define VEC_A	0x40
#define VEC_B	0x41

/* Fresh slots: never touched by the guest before the event. */
#define STACK_SLOT_GPA	0x200000
#define IDT_SLOT_GPA	0x300000

/*
 * RES+0: interrupt count; RES+4: last vector; RES+8: NMI count;
 * RES+16: the RIP the last interrupt frame saved; RES+24: #UD count.
 */
asm(
"	.pushsection .rodata.x86_inject_guest, \"a\"\n"
XG_ASM_PRELUDE
"	.code64\n"
"inj_start:\n"
/* Handlers */
"	.balign 16\n"
"h_vec_a:\n"
"	movl $0x40, RES+4\n"
"	push %rax\n"
"	mov 8(%rsp), %rax\n"
"	mov %rax, RES+16\n"
"	pop %rax\n"
"	incl RES\n"
"	iretq\n"
"	.balign 16\n"
"h_vec_b:\n"
"	movl $0x41, RES+4\n"
"	incl RES\n"
"	iretq\n"
"	.balign 16\n"
"h_nmi:\n"
"	incl RES+8\n"
"	outb %al, $0x20\n"
"	iretq\n"
"	.balign 16\n"
"h_ud:\n"
"	incl RES+24\n"
"	iretq\n"
/* KVM_INTERRUPT: report ready, spin with IF=1 until the handler ran. */
"	.balign 16\n"
"g_inject:\n"
"	outb %al, $0x10\n"
"g_inject_loop:\n"
"	cmpl $0, RES\n"
"	je g_inject_loop\n"
"g_inject_loop_end:\n"
"	mov RES, %eax\n"
"	outl %eax, $0x11\n"
"	hlt\n"
/* Interrupt window: IF=0 exits, then STI opens the window. */
"	.balign 16\n"
"g_window:\n"
"	cli\n"
"	outb %al, $0x10\n"
"	outb %al, $0x11\n"
"	sti\n"
"	nop\n"
"g_window_open:\n"
"	mov RES, %eax\n"
"	outl %eax, $0x12\n"
"	hlt\n"
/* NMI: spin until two NMIs ran, one after the other. */
"	.balign 16\n"
"g_nmi:\n"
"	outb %al, $0x10\n"
"1:	cmpl $2, RES+8\n"
"	jb 1b\n"
"	mov RES+8, %eax\n"
"	outl %eax, $0x11\n"
"	hlt\n"
/* An exception from KVM_SET_VCPU_EVENTS: #UD, returning to the MOV. */
"	.balign 16\n"
"g_exc:\n"
"	outb %al, $0x10\n"
"	mov RES+24, %eax\n"
"	outl %eax, $0x11\n"
"	hlt\n"
/* Re-injection: the stack is in an untouched slot. */
"	.balign 16\n"
"g_reinj:\n"
"	mov $" XG_STR(STACK_SLOT_GPA) "+0x1000, %rsp\n"
"	outb %al, $0x10\n"
"g_reinj_loop:\n"
"	cmpl $0, RES\n"
"	je g_reinj_loop\n"
"g_reinj_loop_end:\n"
"	mov RES, %eax\n"
"	outl %eax, $0x11\n"
"	hlt\n"
"inj_end:\n"
"	.popsection\n");

extern const char inj_start[], inj_end[], h_vec_a[], h_vec_b[], h_nmi[],
	h_ud[], g_inject[], g_inject_loop[], g_inject_loop_end[], g_window[],
	g_window_open[], g_nmi[], g_exc[], g_reinj[], g_reinj_loop[],
	g_reinj_loop_end[];

#define A(label) XG_ADDR(inj_start, label)

static uint32_t res32(struct xg *g, unsigned int off)
{
	uint32_t v;

	memcpy(&v, xg_gpa(g, XG_RES + off), 4);
	return v;
}

static uint64_t res64(struct xg *g, unsigned int off)
{
	uint64_t v;

	memcpy(&v, xg_gpa(g, XG_RES + off), 8);
	return v;
}

FIXTURE(inject) {
	struct xg g;
};

FIXTURE_SETUP(inject)
{
	struct xg *g = &self->g;

	ASSERT_EQ(0, xg_create(g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	ASSERT_EQ(0, xg_load(g, inj_start, inj_end))
		TH_LOG("%s", xg_step);
	xg_set_gate(g, XG_LONG64, VEC_A, A(h_vec_a));
	xg_set_gate(g, XG_LONG64, VEC_B, A(h_vec_b));
	xg_set_gate(g, XG_LONG64, 2, A(h_nmi));
	xg_set_gate(g, XG_LONG64, 6, A(h_ud));
}

FIXTURE_TEARDOWN(inject)
{
	xg_destroy(&self->g);
}

static void start(struct __test_metadata *_metadata, struct xg *g,
		  const char *entry)
{
	ASSERT_EQ(0, xg_enter(g, 0, XG_LONG64, A(entry), XG_STACK))
		TH_LOG("%s: %s", xg_step, hvk_errname(errno));
}

static void expect_out(struct __test_metadata *_metadata, struct xg *g,
		       unsigned int port, const char *what)
{
	struct kvm_run *run = g->cpu[0].run;

	XG_RUN_EXPECT(g, 0, KVM_EXIT_IO, what);
	ASSERT_EQ(port, run->io.port)
		TH_LOG("%s: expected OUT to %#x, got %s", what, port,
		       xg_exit_str(run));
}

static uint32_t out_data(struct xg *g)
{
	uint32_t v = 0;
	struct kvm_run *run = g->cpu[0].run;

	memcpy(&v, xg_io_data(run), run->io.size);
	return v;
}

static void get_events(struct __test_metadata *_metadata, struct xg *g,
		       struct kvm_vcpu_events *e)
{
	int r;

	memset(e, 0xa5, sizeof(*e));
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_GET_VCPU_EVENTS, e),
		  "KVM_GET_VCPU_EVENTS");
}

TEST_F(inject, caps)
{
	int sys = self->g.sys;

	EXPECT_EQ(1, ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_VCPU_EVENTS));
	/* 6.1 does not report this one (the shadow is in VCPU_EVENTS). */
	EXPECT_EQ(0, ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_INTR_SHADOW));
	EXPECT_EQ(1, ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_NMI));
}

/* KVM_INTERRUPT at an exit where the guest can take it. */
TEST_F(inject, kvm_interrupt)
{
	struct xg *g = &self->g;
	struct kvm_run *run = g->cpu[0].run;
	struct kvm_interrupt irq = { .irq = VEC_A };
	struct kvm_vcpu_events e;
	uint64_t rip;
	int r;

	start(_metadata, g, g_inject);
	expect_out(_metadata, g, 0x10, "ready");
	EXPECT_EQ(1, run->if_flag);
	EXPECT_EQ(1, run->ready_for_interrupt_injection);

	irq.irq = 256;
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_INTERRUPT, &irq), EINVAL,
		     "vector 256");
	irq.irq = VEC_A;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_INTERRUPT, &irq), "KVM_INTERRUPT");
	/* Queued: shown as injected (KVM's ABI), not yet delivered. */
	get_events(_metadata, g, &e);
	EXPECT_EQ(1, e.interrupt.injected);
	EXPECT_EQ(VEC_A, e.interrupt.nr);
	EXPECT_EQ(0, res32(g, 0));

	expect_out(_metadata, g, 0x11, "after the handler");
	EXPECT_EQ(1, out_data(g)) TH_LOG("the handler must run once");
	EXPECT_EQ(VEC_A, res32(g, 4));
	rip = res64(g, 16);
	EXPECT_TRUE(rip >= A(g_inject_loop) && rip < A(g_inject_loop_end))
		TH_LOG("saved RIP %#llx must be in the spin loop",
		       (unsigned long long)rip);
	get_events(_metadata, g, &e);
	EXPECT_EQ(0, e.interrupt.injected);
}

/* The window: IF=0 keeps it shut; STI opens it one instruction later. */
TEST_F(inject, irq_window)
{
	struct xg *g = &self->g;
	struct kvm_run *run = g->cpu[0].run;
	struct kvm_interrupt irq = { .irq = VEC_B };
	struct kvm_regs regs;
	int r;

	start(_metadata, g, g_window);
	expect_out(_metadata, g, 0x10, "after CLI");
	EXPECT_EQ(0, run->if_flag);
	EXPECT_EQ(0, run->ready_for_interrupt_injection);

	run->request_interrupt_window = 1;
	expect_out(_metadata, g, 0x11, "IF=0 with a window requested");
	EXPECT_EQ(0, run->if_flag);
	EXPECT_EQ(0, run->ready_for_interrupt_injection);

	XG_RUN_EXPECT(g, 0, KVM_EXIT_IRQ_WINDOW_OPEN, "after STI; NOP");
	EXPECT_EQ(1, run->if_flag);
	EXPECT_EQ(1, run->ready_for_interrupt_injection);
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_GET_REGS, &regs), "GET_REGS");
	EXPECT_EQ(A(g_window_open), regs.rip)
		TH_LOG("the window opens after the instruction after STI");

	run->request_interrupt_window = 0;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_INTERRUPT, &irq), "KVM_INTERRUPT");
	expect_out(_metadata, g, 0x12, "after the handler");
	EXPECT_EQ(1, out_data(g));
	EXPECT_EQ(VEC_B, res32(g, 4));
}

/* KVM_NMI, and a second one held until the first handler's IRET. */
TEST_F(inject, nmi_and_window)
{
	struct xg *g = &self->g;
	struct kvm_vcpu_events e;
	int r;

	start(_metadata, g, g_nmi);
	expect_out(_metadata, g, 0x10, "ready");
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_NMI), "KVM_NMI");
	get_events(_metadata, g, &e);
	EXPECT_EQ(1, e.nmi.pending);
	EXPECT_EQ(0, e.nmi.masked);

	expect_out(_metadata, g, 0x20, "first NMI handler");
	EXPECT_EQ(1, res32(g, 8));
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_NMI), "second KVM_NMI");
	get_events(_metadata, g, &e);
	EXPECT_EQ(1, e.nmi.masked) TH_LOG("inside the NMI handler");
	EXPECT_EQ(1, e.nmi.pending);
	EXPECT_EQ(0, e.nmi.injected);

	expect_out(_metadata, g, 0x20, "second NMI handler, after IRET");
	EXPECT_EQ(2, res32(g, 8));
	expect_out(_metadata, g, 0x11, "both done");
	EXPECT_EQ(2, out_data(g));
	get_events(_metadata, g, &e);
	EXPECT_EQ(0, e.nmi.masked);
	EXPECT_EQ(0, e.nmi.pending);
}

/* What SET stores GET gives back; bad input gets KVM's EINVAL. */
TEST_F(inject, events_round_trip)
{
	struct xg *g = &self->g;
	struct kvm_vcpu_events e, s;
	int r;

	start(_metadata, g, g_exc);
	expect_out(_metadata, g, 0x10, "ready");
	get_events(_metadata, g, &e);
	EXPECT_EQ(KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		  KVM_VCPUEVENT_VALID_SMM, e.flags);
	EXPECT_EQ(0, e.exception.injected);
	EXPECT_EQ(0, e.interrupt.injected);
	EXPECT_EQ(0, e.interrupt.shadow);
	EXPECT_EQ(0, e.nmi.injected | e.nmi.pending | e.nmi.masked);
	EXPECT_EQ(0, e.smi.smm | e.smi.pending);

	memset(&s, 0, sizeof(s));
	s.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	s.interrupt.injected = 1;
	s.interrupt.nr = 0x77;
	s.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	s.nmi.pending = 1;
	s.nmi.masked = 1;
	s.exception.injected = 1;
	s.exception.nr = 13;
	s.exception.has_error_code = 1;
	s.exception.error_code = 0x1234;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), "SET");
	get_events(_metadata, g, &e);
	EXPECT_EQ(1, e.interrupt.injected);
	EXPECT_EQ(0x77, e.interrupt.nr);
	EXPECT_EQ(KVM_X86_SHADOW_INT_STI, e.interrupt.shadow);
	EXPECT_EQ(1, e.nmi.pending);
	EXPECT_EQ(1, e.nmi.masked);
	EXPECT_EQ(0, e.nmi.injected);
	EXPECT_EQ(1, e.exception.injected);
	EXPECT_EQ(13, e.exception.nr);
	EXPECT_EQ(1, e.exception.has_error_code);
	EXPECT_EQ(0x1234u, e.exception.error_code);

	s.interrupt.shadow = KVM_X86_SHADOW_INT_MOV_SS;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), "SET");
	get_events(_metadata, g, &e);
	EXPECT_EQ(KVM_X86_SHADOW_INT_MOV_SS, e.interrupt.shadow);

	/* Without VALID_SHADOW the shadow stays as it is. */
	s.flags = 0;
	s.interrupt.shadow = 0;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), "SET");
	get_events(_metadata, g, &e);
	EXPECT_EQ(KVM_X86_SHADOW_INT_MOV_SS, e.interrupt.shadow);
	EXPECT_EQ(1, e.nmi.pending) TH_LOG("pending kept without its flag");

	s.flags = 1U << 31;
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), EINVAL,
		     "unknown flag");
	s.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), EINVAL,
		     "payload without KVM_CAP_EXCEPTION_PAYLOAD");
	s.flags = 0;
	s.exception.nr = 2;
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), EINVAL,
		     "NMI as an exception");
	s.exception.nr = 32;
	EXPECT_ERRNO(ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), EINVAL,
		     "exception vector 32");
	/* Not injected: the vector is not checked. */
	s.exception.injected = 0;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), "SET");

	/* A clean state again, then #UD through the exception field. */
	memset(&s, 0, sizeof(s));
	s.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), "clear");
	get_events(_metadata, g, &e);
	EXPECT_EQ(0, e.interrupt.injected | e.nmi.pending | e.nmi.masked |
		  e.exception.injected | e.interrupt.shadow);
	s.exception.injected = 1;
	s.exception.nr = 6;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_VCPU_EVENTS, &s), "#UD");
	expect_out(_metadata, g, 0x11, "after the #UD handler");
	EXPECT_EQ(1, out_data(g)) TH_LOG("the #UD handler must run once");
}

/*
 * Delivery through an IDT and onto a stack in slots the guest never
 * touched: EPT violations cut the delivery short (IDT-vectoring
 * information), the pages are mapped and the event goes in again, once.
 */
TEST_F(inject, reinject_after_ept_fault)
{
	struct xg *g = &self->g;
	struct kvm_interrupt irq = { .irq = VEC_A };
	uint8_t *stack = hvk_alloc(0x1000), *idt = hvk_alloc(0x1000);
	struct kvm_vcpu_events e;
	struct kvm_sregs sr;
	uint32_t *gate;
	uint64_t rip, h = A(h_vec_a);
	int r;

	ASSERT_TRUE(stack != MAP_FAILED && idt != MAP_FAILED);
	ASSERT_OK(r, hvk_set_region(g->vm, 1, 0, STACK_SLOT_GPA, 0x1000,
				    (uintptr_t)stack), "stack slot");
	ASSERT_OK(r, hvk_set_region(g->vm, 2, 0, IDT_SLOT_GPA, 0x1000,
				    (uintptr_t)idt), "IDT slot");
	gate = (uint32_t *)(idt + VEC_A * 16);
	gate[0] = (h & 0xffff) | XG_SEL_CODE64 << 16;
	gate[1] = (h & 0xffff0000) | 0x8e00;
	gate[2] = h >> 32;
	gate[3] = 0;

	start(_metadata, g, g_reinj);
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_GET_SREGS, &sr), "GET_SREGS");
	sr.idt.base = IDT_SLOT_GPA;
	sr.idt.limit = 256 * 16 - 1;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_SREGS, &sr), "SET_SREGS");
	expect_out(_metadata, g, 0x10, "ready");
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_INTERRUPT, &irq), "KVM_INTERRUPT");
	expect_out(_metadata, g, 0x11, "after the handler");
	EXPECT_EQ(1, out_data(g)) TH_LOG("delivered exactly once");
	rip = res64(g, 16);
	EXPECT_TRUE(rip >= A(g_reinj_loop) && rip < A(g_reinj_loop_end))
		TH_LOG("saved RIP %#llx must be in the spin loop",
		       (unsigned long long)rip);
	/* The frame landed on the fresh stack page: RIP at top - 40. */
	memcpy(&rip, stack + 0x1000 - 40, 8);
	EXPECT_TRUE(rip >= A(g_reinj_loop) && rip < A(g_reinj_loop_end))
		TH_LOG("frame RIP %#llx on the new stack",
		       (unsigned long long)rip);
	get_events(_metadata, g, &e);
	EXPECT_EQ(0, e.interrupt.injected);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel PIC pair, IOAPIC and PIT seen from a guest and through
 * their state ioctls, with no interrupt taken (the guest runs with IF=0):
 * Linux's 8259A initialization and what it reads back (IMR, ELCR and its
 * fixed edge lines, IRR and ISR through OCW3), lines raised by the VMM
 * with KVM_IRQ_LINE_STATUS while masked, PIT channel 2 programmed and
 * polled through port 0x61 the way Linux calibrates the TSC (the speaker
 * port in the kernel: KVM_PIT_SPEAKER_DUMMY), counter latches, IOAPIC
 * version and redirection entries through IOREGSEL/IOWIN, and
 * KVM_GET/SET_IRQCHIP and KVM_GET/SET_PIT2 agreeing with all of it; a
 * channel 0 programmed far too fast runs until the VM goes away.
 * Against hvk and kvm_intel alike; skipped where KVM_CAP_IRQCHIP or
 * KVM_CAP_PIT2 is not offered.
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "lib.h"
#include "x86_guest.h"

#define PP_POLL_MAX	100000	/* port 0x61 reads before giving up */

asm(
"	.pushsection .rodata.x86_pic_pit_guest, \"a\"\n"
XG_ASM_PRELUDE
"	.code32\n"
"pp_guest:\n"
"	cli\n"
/* init_8259A(): mask, ICW1-4 on both, vectors 0x30 and 0x38 */
"	mov $0xff, %al\n"
"	out %al, $0x21\n"
"	out %al, $0xa1\n"
"	mov $0x11, %al\n"
"	out %al, $0x20\n"
"	mov $0x30, %al\n"
"	out %al, $0x21\n"
"	mov $0x04, %al\n"
"	out %al, $0x21\n"
"	mov $0x01, %al\n"
"	out %al, $0x21\n"
"	mov $0x11, %al\n"
"	out %al, $0xa0\n"
"	mov $0x38, %al\n"
"	out %al, $0xa1\n"
"	mov $0x02, %al\n"
"	out %al, $0xa1\n"
"	mov $0x01, %al\n"
"	out %al, $0xa1\n"
"	mov $0xfb, %al\n"
"	out %al, $0x21\n"
"	mov $0xff, %al\n"
"	out %al, $0xa1\n"
"	in $0x21, %al\n"
"	mov %al, RES + 0\n"
"	in $0xa1, %al\n"
"	mov %al, RES + 1\n"
/* ELCR: all ones written, the fixed edge lines read back as 0 */
"	mov $0x4d0, %dx\n"
"	mov $0xff, %al\n"
"	out %al, %dx\n"
"	in %dx, %al\n"
"	mov %al, RES + 2\n"
"	inc %dx\n"
"	mov $0xff, %al\n"
"	out %al, %dx\n"
"	in %dx, %al\n"
"	mov %al, RES + 3\n"
"	xor %al, %al\n"
"	out %al, %dx\n"
"	dec %dx\n"
"	mov $0x20, %al\n"		/* IRQ 5 level, the rest edge */
"	out %al, %dx\n"
"	mov $0x600, %dx\n"
"	out %al, %dx\n"			/* exit 1: the VMM raises IRQ 3 and 5 */
"	mov $0x0a, %al\n"
"	out %al, $0x20\n"
"	in $0x20, %al\n"
"	mov %al, RES + 4\n"		/* IRR */
"	mov $0x0b, %al\n"
"	out %al, $0x20\n"
"	in $0x20, %al\n"
"	mov %al, RES + 5\n"		/* ISR */
/* pit_calibrate_tsc(): GATE 2 up, speaker off, mode 0, count 1 ms */
"	in $0x61, %al\n"
"	and $0xfc, %al\n"
"	or $0x01, %al\n"
"	out %al, $0x61\n"
"	mov $0xb0, %al\n"
"	out %al, $0x43\n"
"	mov $0xa9, %al\n"
"	out %al, $0x42\n"
"	mov $0x04, %al\n"
"	out %al, $0x42\n"
"	in $0x61, %al\n"
"	mov %al, RES + 6\n"
"	mov $0x80, %al\n"		/* latch channel 2 */
"	out %al, $0x43\n"
"	in $0x42, %al\n"
"	mov %al, RES + 8\n"
"	in $0x42, %al\n"
"	mov %al, RES + 9\n"
"	mov $0x80, %al\n"
"	out %al, $0x43\n"
"	in $0x42, %al\n"
"	mov %al, RES + 10\n"
"	in $0x42, %al\n"
"	mov %al, RES + 11\n"
"	xor %ecx, %ecx\n"
"1:	inc %ecx\n"
"	cmp $" XG_STR(PP_POLL_MAX) ", %ecx\n"
"	je 2f\n"
"	in $0x61, %al\n"
"	test $0x20, %al\n"		/* OUT 2 */
"	jz 1b\n"
"2:	mov %ecx, RES + 12\n"
"	mov %al, RES + 7\n"
"	mov $0x601, %dx\n"
"	out %al, %dx\n"			/* exit 2 */
/* IOAPIC: version; pin 4 masked edge vector 0x35 to APIC ID 3 */
"	movl $0x01, 0xfec00000\n"
"	mov 0xfec00010, %eax\n"
"	mov %eax, RES + 16\n"
"	movl $0x19, 0xfec00000\n"
"	movl $0x03000000, 0xfec00010\n"
"	mov 0xfec00010, %eax\n"
"	mov %eax, RES + 24\n"
"	movl $0x18, 0xfec00000\n"
"	movl $0x00015035, 0xfec00010\n"	/* remote IRR bit 14: read-only */
"	mov 0xfec00010, %eax\n"
"	mov %eax, RES + 20\n"
/* Channel 0 at a rate no host timer should take: rate generator, 2 */
"	mov $0x34, %al\n"
"	out %al, $0x43\n"
"	mov $0x02, %al\n"
"	out %al, $0x40\n"
"	xor %al, %al\n"
"	out %al, $0x40\n"
"	mov $0x602, %dx\n"
"	out %al, %dx\n"			/* exit 3 */
"	mov $0x603, %dx\n"
"3:	out %al, %dx\n"
"	jmp 3b\n"
"pp_guest_end:\n"
"	.code64\n"
"	.popsection\n"
);

extern const char pp_guest[], pp_guest_end[];

FIXTURE(pp) {
	struct xg g;
};

FIXTURE_SETUP(pp)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	int sys = hvk_open_dev();

	ASSERT_LE(0, sys);
	if (hvk_cap(sys, KVM_CAP_IRQCHIP) <= 0 ||
	    hvk_cap(sys, KVM_CAP_PIT2) <= 0) {
		close(sys);
		self->g.nr_cpus = 0;
		self->g.vm = self->g.sys = -1;
		self->g.mem = MAP_FAILED;
		SKIP(return, "no in-kernel irqchip or PIT (KVM_CAP_IRQCHIP, "
			     "KVM_CAP_PIT2)");
	}
	close(sys);
	ASSERT_EQ(0, xg_create_vm(&self->g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	/* Both before the first vCPU, as KVM wants. */
	ASSERT_EQ(0, ioctl(self->g.vm, KVM_CREATE_IRQCHIP, 0))
		TH_LOG("KVM_CREATE_IRQCHIP: %s", hvk_errname(errno));
	ASSERT_EQ(0, ioctl(self->g.vm, KVM_CREATE_PIT2, &pit))
		TH_LOG("KVM_CREATE_PIT2: %s", hvk_errname(errno));
	ASSERT_EQ(-1, ioctl(self->g.vm, KVM_CREATE_PIT2, &pit));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, xg_add_vcpu(&self->g, 0))
		TH_LOG("vCPU: %s: %s", xg_step, hvk_errname(errno));
	ASSERT_EQ(0, xg_load(&self->g, pp_guest, pp_guest_end));
	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_PROT32, XG_CODE, XG_STACK));
}

FIXTURE_TEARDOWN(pp)
{
	xg_destroy(&self->g);
}

static int irq_line(int vm, uint32_t irq, uint32_t level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	if (ioctl(vm, KVM_IRQ_LINE_STATUS, &l))
		return -1000 - errno;
	return l.status;
}

static int get_chip(int vm, uint32_t id, struct kvm_irqchip *c)
{
	memset(c, 0, sizeof(*c));
	c->chip_id = id;
	return ioctl(vm, KVM_GET_IRQCHIP, c);
}

TEST_F(pp, guest_and_state)
{
	struct xg *g = &self->g;
	uint8_t *res = xg_gpa(g, XG_RES);
	struct kvm_pit_state2 ps, ps2;
	struct kvm_irqchip c;
	uint16_t c1, c2;
	uint32_t v;
	int i;

	XG_EXPECT_IO(g, 0, KVM_EXIT_IO_OUT, 1, 0x600, 1, "PIC programmed");
	EXPECT_EQ(0xfb, res[0]);
	EXPECT_EQ(0xff, res[1]);
	EXPECT_EQ(0xf8, res[2]) TH_LOG("master ELCR: IRQ 0-2 are edge");
	EXPECT_EQ(0xde, res[3]) TH_LOG("slave ELCR: IRQ 8 and 13 are edge");
	/* Masked at the PIC and at the IOAPIC (reset: all masked). */
	EXPECT_EQ(-1, irq_line(g->vm, 3, 1));
	/* Lowering a line is "delivered" at the IOAPIC (KVM's 1). */
	EXPECT_EQ(1, irq_line(g->vm, 3, 0));
	EXPECT_EQ(-1, irq_line(g->vm, 5, 1));

	XG_EXPECT_IO(g, 0, KVM_EXIT_IO_OUT, 1, 0x601, 1, "PIT polled");
	/* A masked edge is latched; the level line is up. */
	EXPECT_EQ(0x28, res[4]) TH_LOG("IRR");
	EXPECT_EQ(0x00, res[5]) TH_LOG("ISR");
	EXPECT_EQ(0x01, res[6] & 0x23) TH_LOG("port 0x61 after the count");
	c1 = res[8] | res[9] << 8;
	c2 = res[10] | res[11] << 8;
	EXPECT_LE(c2, c1) TH_LOG("latched counts %#x then %#x", c1, c2);
	EXPECT_GE(1193, c1);
	EXPECT_NE(0, c2);
	memcpy(&v, res + 12, 4);
	EXPECT_LT(v, PP_POLL_MAX) TH_LOG("OUT 2 never rose");
	EXPECT_EQ(0x21, res[7] & 0x23);
	TH_LOG("latched %#x, %#x; OUT 2 rose after %u reads of port 0x61",
	       c1, c2, v);

	ASSERT_EQ(0, ioctl(g->vm, KVM_GET_PIT2, &ps));
	EXPECT_EQ(0, ps.channels[2].mode);
	EXPECT_EQ(1193, ps.channels[2].count);
	EXPECT_EQ(3, ps.channels[2].rw_mode);
	EXPECT_EQ(1, ps.channels[2].gate);
	EXPECT_EQ(0, ps.channels[2].bcd);
	EXPECT_EQ(0, ps.channels[2].count_latched);
	EXPECT_EQ(0xff, ps.channels[0].mode) TH_LOG("never programmed");
	EXPECT_EQ(0x10000, ps.channels[0].count);
	EXPECT_EQ(0, ps.flags & KVM_PIT_FLAGS_SPEAKER_DATA_ON);
	/* Set what we got: the registers come back (the time restarts). */
	ps.channels[1].mode = 2;
	ps.channels[1].count = 1000;
	ps.channels[1].rw_mode = 3;
	ASSERT_EQ(0, ioctl(g->vm, KVM_SET_PIT2, &ps));
	ASSERT_EQ(0, ioctl(g->vm, KVM_GET_PIT2, &ps2));
	for (i = 0; i < 3; i++) {
		ps.channels[i].count_load_time = 0;
		ps2.channels[i].count_load_time = 0;
	}
	EXPECT_EQ(0, memcmp(&ps, &ps2, sizeof(ps)));

	ASSERT_EQ(0, get_chip(g->vm, KVM_IRQCHIP_PIC_MASTER, &c));
	EXPECT_EQ(0x30, c.chip.pic.irq_base);
	EXPECT_EQ(0xfb, c.chip.pic.imr);
	EXPECT_EQ(0x28, c.chip.pic.irr);
	EXPECT_EQ(0x00, c.chip.pic.isr);
	EXPECT_EQ(0x20, c.chip.pic.elcr);
	EXPECT_EQ(0xf8, c.chip.pic.elcr_mask);
	EXPECT_EQ(0, c.chip.pic.init_state);
	EXPECT_EQ(1, c.chip.pic.init4);
	EXPECT_EQ(0, c.chip.pic.auto_eoi);
	EXPECT_EQ(1, c.chip.pic.read_reg_select);
	/* KVM_SET_IRQCHIP: the guest reads what the VMM put. */
	c.chip.pic.imr = 0xf0;
	c.chip.pic.read_reg_select = 0;
	ASSERT_EQ(0, ioctl(g->vm, KVM_SET_IRQCHIP, &c));
	ASSERT_EQ(0, get_chip(g->vm, KVM_IRQCHIP_PIC_SLAVE, &c));
	EXPECT_EQ(0x38, c.chip.pic.irq_base);
	EXPECT_EQ(0xff, c.chip.pic.imr);
	EXPECT_EQ(0x00, c.chip.pic.elcr);
	EXPECT_EQ(0xde, c.chip.pic.elcr_mask);
	ASSERT_EQ(0, get_chip(g->vm, KVM_IRQCHIP_PIC_MASTER, &c));
	EXPECT_EQ(0xf0, c.chip.pic.imr);
	EXPECT_EQ(-1, get_chip(g->vm, 3, &c));
	EXPECT_EQ(EINVAL, errno);

	XG_EXPECT_IO(g, 0, KVM_EXIT_IO_OUT, 1, 0x602, 1, "IOAPIC programmed");
	memcpy(&v, res + 16, 4);
	EXPECT_EQ(0x00170011, v) TH_LOG("IOAPIC version register");
	memcpy(&v, res + 20, 4);
	EXPECT_EQ(0x00010035, v) TH_LOG("RTE 4 low: remote IRR, delivery status read-only");
	memcpy(&v, res + 24, 4);
	EXPECT_EQ(0x03000000, v) TH_LOG("RTE 4 high");
	ASSERT_EQ(0, get_chip(g->vm, KVM_IRQCHIP_IOAPIC, &c));
	EXPECT_EQ(0xfec00000, c.chip.ioapic.base_address);
	EXPECT_EQ(0x18, c.chip.ioapic.ioregsel);
	EXPECT_EQ(0, c.chip.ioapic.id);
	EXPECT_EQ(0x0300000000010035ULL, c.chip.ioapic.redirtbl[4].bits);
	EXPECT_EQ(0x10000, c.chip.ioapic.redirtbl[0].bits);
	EXPECT_EQ(0x10000, c.chip.ioapic.redirtbl[23].bits);
	/* IRQ 5 (level, masked) is up at the IOAPIC too. */
	EXPECT_EQ(1u << 5, c.chip.ioapic.irr);

	/*
	 * Channel 0 runs (its IRQ 0 masked everywhere) at the minimum
	 * period the host allows; the guest goes on, and the VM's
	 * destruction stops the timer.
	 */
	ASSERT_EQ(0, ioctl(g->vm, KVM_GET_PIT2, &ps));
	EXPECT_EQ(2, ps.channels[0].mode);
	EXPECT_EQ(2, ps.channels[0].count);
	for (i = 0; i < 100; i++)
		XG_EXPECT_IO(g, 0, KVM_EXIT_IO_OUT, 1, 0x603, 1, "spinning");
}

TEST_HARNESS_MAIN

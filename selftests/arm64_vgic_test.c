// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel vGICv3 (KVM_DEV_TYPE_ARM_VGIC_V3) with tiny guests:
 * SPIs from KVM_IRQ_LINE (edge; level staying pending while the line is
 * high), a PPI to one vCPU, the priority mask (a masked interrupt neither
 * taken nor waking WFI), the virtual (PPI 27) and emulated physical (PPI
 * 30) timers waking a WFI, an SGI from one vCPU to another and to all
 * but self, more pending interrupts than list registers, and the
 * guest's writes as userspace reads them. The device ABI itself (errnos,
 * ordering, save/restore through the attribute groups) is in
 * arm64_vgic_dev_test.c.
 *
 * Expectations are Linux 6.1 KVM's; every test runs unchanged against
 * the in-tree KVM (tools/lab/run --kvm).
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include "arm64_guest.h"
#include "arm64_vgic.h"

/*
 * The guest: vectors at +0x800 (IRQ from the current EL, SP_ELx, at
 * +0x280). x20 = the MMIO report page, x21 = GICD, x22 = this vCPU's
 * GICR SGI frame (host-set), x1 = GICD_ICFGR2 value, x3 = role, x7 = the
 * SGI to send, x8 = GICR_ISENABLER0, x9 = ICC_PMR_EL1.
 * Reports (MMIO stores, each an exit): +0 ready, +8 INTID taken,
 * +16 GICD_ISPENDR1 after the EOI, +24 GICD_ISPENDR1 once more, +32
 * SGI sent, +40 count of interrupts taken (the many-pending test).
 */
GUEST_CODE(g_gic,
	"adr	x0, 10f\n"
	"msr	vbar_el1, x0\n"
	"mov	x0, #1\n"
	"msr	" ICC_SRE_EL1 ", x0\n"
	"isb\n"
	"msr	" ICC_PMR_EL1 ", x9\n"
	"mov	x0, #1\n"
	"msr	" ICC_IGRPEN1_EL1 ", x0\n"
	"isb\n"
	"ldr	x20, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x21, =" G_STR(VG_DIST) "\n"
	"mov	w0, #2\n"			/* GICD_CTLR.EnableGrp1 */
	"str	w0, [x21]\n"
	"str	w1, [x21, #0xc08]\n"		/* ICFGR2: SPIs 32-47 */
	"mov	w0, #0xffff\n"
	"str	w0, [x21, #0x104]\n"		/* ISENABLER1: SPIs 32-47 */
	"str	w8, [x22, #0x100]\n"		/* ISENABLER0: PPIs */
	"mov	x23, #0\n"			/* interrupts taken */
	"cmp	x3, #1\n"
	"b.eq	3f\n"
	"cmp	x3, #2\n"
	"b.eq	4f\n"
	"cmp	x3, #3\n"
	"b.eq	5f\n"
	"cmp	x3, #4\n"
	"b.eq	6f\n"
	"cmp	x3, #5\n"
	"b.eq	8f\n"
	/* role 0: report ready, wait for interrupts */
	"msr	daifclr, #2\n"
	"str	xzr, [x20]\n"
	"1:	wfi\n"
	"b	1b\n"
	/* role 1: the virtual timer in ~8 ms, WFI until it fires */
	"3:	msr	daifclr, #2\n"
	"mrs	x0, cntfrq_el0\n"
	"lsr	x0, x0, #7\n"
	"mrs	x4, cntvct_el0\n"
	"add	x0, x0, x4\n"
	"msr	cntv_cval_el0, x0\n"
	"mov	x0, #1\n"
	"msr	cntv_ctl_el0, x0\n"
	"isb\n"
	"b	1b\n"
	/* role 2: send the SGI in x7 (ICC_SGI1R_EL1's format), report */
	"4:	mov	x0, x7\n"
	"msr	" ICC_SGI1R_EL1 ", x0\n"
	"isb\n"
	"str	x0, [x20, #32]\n"
	"b	1b\n"
	/* role 3: many pending: count in x23 without exits, then report */
	"5:	mov	x24, #1\n"			/* quiet handler */
	"msr	daifclr, #2\n"
	"str	xzr, [x20]\n"
	"7:	cmp	x23, x5\n"
	"b.lo	7b\n"
	"str	x23, [x20, #40]\n"
	"b	1b\n"
	/* role 4: an SGI receiver: ready, then WFI */
	"6:	msr	daifclr, #2\n"
	"str	xzr, [x20]\n"
	"b	1b\n"
	/* role 5: the (emulated) physical timer in ~8 ms, WFI */
	"8:	msr	daifclr, #2\n"
	"mrs	x0, cntfrq_el0\n"
	"lsr	x0, x0, #7\n"
	"mrs	x4, cntpct_el0\n"
	"add	x0, x0, x4\n"
	"msr	cntp_cval_el0, x0\n"
	"mov	x0, #1\n"
	"msr	cntp_ctl_el0, x0\n"
	"isb\n"
	"b	1b\n"

	".balign 2048\n"
	"10:\n"
	".skip	0x280\n"
	"mrs	x0, " ICC_IAR1_EL1 "\n"
	"cbnz	x24, 20f\n"
	"str	x0, [x20, #8]\n"
	"msr	" ICC_EOIR1_EL1 ", x0\n"
	"isb\n"
	"cmp	x0, #27\n"
	"b.ne	13f\n"
	"msr	cntv_ctl_el0, xzr\n"		/* the timer: off */
	"isb\n"
	"eret\n"
	"13:	cmp	x0, #30\n"
	"b.ne	11f\n"
	"msr	cntp_ctl_el0, xzr\n"
	"isb\n"
	"eret\n"
	"11:	cmp	x0, #32\n"
	"b.lo	12f\n"
	"ldr	w2, [x21, #0x204]\n"
	"str	x2, [x20, #16]\n"
	"ldr	w2, [x21, #0x204]\n"
	"str	x2, [x20, #24]\n"
	"12:	eret\n"
	/* quiet: record the INTID in RAM at G_DATA_OFF + 8 * count */
	"20:	ldr	x6, =" G_STR(G_RAM_GPA + G_DATA_OFF) "\n"
	"str	x0, [x6, x23, lsl #3]\n"
	"add	x23, x23, #1\n"
	"msr	" ICC_EOIR1_EL1 ", x0\n"
	"isb\n"
	"eret\n");

FIXTURE(vgic) {
	struct g_vm g;
	int gic;
};

FIXTURE_SETUP(vgic)
{
	self->gic = -1;
}

FIXTURE_TEARDOWN(vgic)
{
	if (self->gic >= 0)
		close(self->gic);
	g_vm_destroy(&self->g);
}

/* A VM with @n vCPUs running g_gic in @role, a vGIC set up and ready. */
static void setup(struct __test_metadata *_metadata, FIXTURE_DATA(vgic) *self,
		  int n, uint64_t icfgr2, uint64_t role0)
{
	struct g_vm *g = &self->g;
	int i;

	g_vm_create(_metadata, g);
	for (i = 0; i < n; i++)
		g_vcpu_add(_metadata, g, i, 1U << KVM_ARM_VCPU_PSCI_0_2);
	g_load(_metadata, g, 0, g_gic, g_gic_end);
	self->gic = vg_create(_metadata, g->vm);
	vg_set_addrs(_metadata, self->gic);
	vg_init(_metadata, self->gic);
	for (i = 0; i < n; i++) {
		g_set64(g, i, G_PC, G_RAM_GPA);
		g_set64(g, i, G_X(1), icfgr2);
		g_set64(g, i, G_X(3), role0);
		g_set64(g, i, G_X(22), VG_REDIST + i * 0x20000ULL + 0x10000);
		g_set64(g, i, G_X(24), 0);
		g_set64(g, i, G_X(7), (5ULL << 24) | 2);	/* SGI 5 to Aff0 1 */
		g_set64(g, i, G_X(8), 1ULL << 27);
		g_set64(g, i, G_X(9), 0xff);
	}
}

static int irq_line(int vm, uint32_t type, uint32_t vcpu, uint32_t num,
		    int level)
{
	struct kvm_irq_level l = {
		.irq = (type << KVM_ARM_IRQ_TYPE_SHIFT) |
		       (vcpu << KVM_ARM_IRQ_VCPU_SHIFT) | num,
		.level = level,
	};

	return ioctl(vm, KVM_IRQ_LINE, &l);
}

TEST_F(vgic, spi_edge)
{
	struct g_vm *g = &self->g;
	int r;

	setup(_metadata, self, 1, 0xaaaaaaaa, 0);
	g_run_mmio(g, 0, G_MMIO_GPA, 8, 1);		/* ready */
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 34, 1),
		  "KVM_IRQ_LINE(SPI 34)");
	EXPECT_EQ(34, g_run_mmio(g, 0, G_MMIO_GPA + 8, 8, 1));
	/* edge: not pending any more once taken */
	EXPECT_EQ(0, g_run_mmio(g, 0, G_MMIO_GPA + 16, 8, 1) & 4);
	EXPECT_EQ(0, g_run_mmio(g, 0, G_MMIO_GPA + 24, 8, 1) & 4);
	/* lowering an edge line does nothing; nothing else comes */
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 34, 0),
		  "KVM_IRQ_LINE(SPI 34, 0)");
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 35, 1),
		  "KVM_IRQ_LINE(SPI 35)");
	EXPECT_EQ(35, g_run_mmio(g, 0, G_MMIO_GPA + 8, 8, 1));
}

TEST_F(vgic, spi_level_pending_while_high)
{
	struct g_vm *g = &self->g;
	int r;

	setup(_metadata, self, 1, 0, 0);		/* SPIs 32-47 level */
	g_run_mmio(g, 0, G_MMIO_GPA, 8, 1);
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 33, 1),
		  "KVM_IRQ_LINE(SPI 33, 1)");
	EXPECT_EQ(33, g_run_mmio(g, 0, G_MMIO_GPA + 8, 8, 1));
	/* EOI'd, the line still high: pending again */
	EXPECT_EQ(2, g_run_mmio(g, 0, G_MMIO_GPA + 16, 8, 1) & 2);
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 33, 0),
		  "KVM_IRQ_LINE(SPI 33, 0)");
	EXPECT_EQ(0, g_run_mmio(g, 0, G_MMIO_GPA + 24, 8, 1) & 2);
	/* raised again: taken again */
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 33, 1),
		  "KVM_IRQ_LINE(SPI 33, 1)");
	EXPECT_EQ(33, g_run_mmio(g, 0, G_MMIO_GPA + 8, 8, 1));
}

TEST_F(vgic, vtimer_ppi_wakes_wfi)
{
	struct g_vm *g = &self->g;
	uint64_t t0;

	setup(_metadata, self, 1, 0xaaaaaaaa, 1);
	t0 = g_now_ms();
	EXPECT_EQ(27, g_run_mmio(g, 0, G_MMIO_GPA + 8, 8, 1));
	/* about 8 ms of the guest's counter: not at once, not seconds */
	EXPECT_GE(g_now_ms() - t0, 5);
}

struct runner {
	struct g_vm *g;
	int i, r, err;
};

static void *run_thread(void *arg)
{
	struct runner *rn = arg;

	rn->r = g_run_raw(rn->g, rn->i, &rn->err);
	return NULL;
}

TEST_F(vgic, sgi_to_other_vcpu)
{
	struct g_vm *g = &self->g;
	struct runner rn = { .g = g, .i = 1 };
	struct kvm_run *run1;
	pthread_t t;

	setup(_metadata, self, 2, 0xaaaaaaaa, 2);
	g_set64(g, 1, G_X(3), 4);			/* vCPU 1 receives */
	g_run_mmio(g, 1, G_MMIO_GPA, 8, 1);		/* ready, then WFI */
	g_alarm_ms(G_RUN_LIMIT_MS, 0);
	ASSERT_EQ(0, pthread_create(&t, NULL, run_thread, &rn));
	/* vCPU 0 sends SGI 5 to vCPU 1 (Aff0 1) */
	g_run_mmio(g, 0, G_MMIO_GPA + 32, 8, 1);
	pthread_join(t, NULL);
	g_alarm_ms(0, 0);
	run1 = g->run[1];
	ASSERT_EQ(0, rn.r) TH_LOG("vCPU 1's KVM_RUN: %s", hvk_errname(rn.err));
	ASSERT_EQ(KVM_EXIT_MMIO, run1->exit_reason);
	EXPECT_EQ(G_MMIO_GPA + 8, run1->mmio.phys_addr);
	EXPECT_EQ(5, g_mmio_data(run1));
}

TEST_F(vgic, more_pending_than_list_registers)
{
	struct g_vm *g = &self->g;
	uint64_t *seen;
	uint32_t mask;
	int r, k;

	setup(_metadata, self, 1, 0xaaaaaaaa, 3);
	g_set64(g, 0, G_X(5), 12);
	g_run_mmio(g, 0, G_MMIO_GPA, 8, 1);		/* ready */
	/* 12 edge SPIs at once, more than any CPU's 4..16 LRs hold */
	for (k = 0; k < 12; k++)
		ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 47 - k,
				      1), "KVM_IRQ_LINE(SPI %d)", 47 - k);
	EXPECT_EQ(12, g_run_mmio(g, 0, G_MMIO_GPA + 40, 8, 1));
	/*
	 * Each once. (Among equal priorities the order the CPU interface
	 * picks list registers in is the implementation's: not checked.)
	 */
	seen = (uint64_t *)(g->ram + G_DATA_OFF);
	mask = 0;
	for (k = 0; k < 12; k++) {
		EXPECT_TRUE(seen[k] >= 36 && seen[k] <= 47)
			TH_LOG("interrupt %d: INTID %llu", k,
			       (unsigned long long)seen[k]);
		if (seen[k] >= 36 && seen[k] <= 47)
			mask |= 1u << (seen[k] - 36);
	}
	EXPECT_EQ(0xfff, mask);
}

TEST_F(vgic, guest_reads_distributor)
{
	struct g_vm *g = &self->g;
	uint32_t v;

	setup(_metadata, self, 1, 0xaaaaaaaa, 0);
	g_run_mmio(g, 0, G_MMIO_GPA, 8, 1);
	/* the guest's writes as userspace sees them */
	v = vg_dist_get(_metadata, self->gic, 0x104);
	EXPECT_EQ(0xffff, v);
	v = vg_dist_get(_metadata, self->gic, 0x0);
	EXPECT_EQ(2, v & 2);		/* EnableGrp1 */
	EXPECT_EQ(0x10, v & 0x10);	/* ARE */
	v = vg_dist_get(_metadata, self->gic, 0x4);	/* TYPER */
	EXPECT_EQ(256 / 32 - 1, v & 0x1f);
	v = vg_redist_get(_metadata, self->gic, 0, 0x10100);
	EXPECT_EQ(1u << 27, v & (1u << 27));
}

TEST_F(vgic, ptimer_ppi_wakes_wfi)
{
	struct g_vm *g = &self->g;
	uint64_t t0;

	setup(_metadata, self, 1, 0xaaaaaaaa, 5);
	g_set64(g, 0, G_X(8), 1ULL << 30);
	t0 = g_now_ms();
	EXPECT_EQ(30, g_run_mmio(g, 0, G_MMIO_GPA + 8, 8, 1));
	EXPECT_GE(g_now_ms() - t0, 5);
}

/* KVM_RUN of vCPU @i must block until a 200 ms alarm: -EINTR. */
static void expect_blocks(struct __test_metadata *_metadata,
			  struct g_vm *g, int i)
{
	int r, err;

	g_alarm_ms(200, 0);
	r = g_run_raw(g, i, &err);
	g_alarm_ms(0, 0);
	EXPECT_EQ(-1, r) TH_LOG("vCPU %d ran to exit %u", i,
				 g->run[i]->exit_reason);
	EXPECT_EQ(EINTR, err);
}

TEST_F(vgic, ppi_to_one_vcpu)
{
	struct g_vm *g = &self->g;
	int r;

	setup(_metadata, self, 2, 0xaaaaaaaa, 0);
	g_set64(g, 0, G_X(8), 1ULL << 20);
	g_set64(g, 1, G_X(8), 1ULL << 20);
	g_run_mmio(g, 0, G_MMIO_GPA, 8, 1);
	g_run_mmio(g, 1, G_MMIO_GPA, 8, 1);
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_PPI, 1, 20, 1),
		  "KVM_IRQ_LINE(PPI 20 of vCPU 1)");
	EXPECT_EQ(20, g_run_mmio(g, 1, G_MMIO_GPA + 8, 8, 1));
	expect_blocks(_metadata, g, 0);
	/*
	 * vCPU 1's PPI 20 line is high, vCPU 0's is not (LEVEL_INFO; the
	 * ISPENDR seen by userspace is the latch alone, clear for both).
	 */
	EXPECT_EQ(0, vg_get(_metadata, self->gic,
			    KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, VG_REG(0, 0)) &
		  (1u << 20));
	EXPECT_EQ(1u << 20, vg_get(_metadata, self->gic,
				   KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
				   VG_REG(1, 0)) & (1u << 20));
	EXPECT_EQ(0, vg_redist_get(_metadata, self->gic, 1, 0x10200) &
		  (1u << 20));
}

TEST_F(vgic, priority_mask)
{
	struct g_vm *g = &self->g;
	uint32_t prio = 0x40a00000;	/* SPI 34: 0xa0, SPI 35: 0x40 */
	int r;

	setup(_metadata, self, 1, 0xaaaaaaaa, 0);
	g_set64(g, 0, G_X(9), 0x80);
	ASSERT_EQ(0, vg_attr(self->gic, KVM_SET_DEVICE_ATTR,
			     KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x420, &prio));
	g_run_mmio(g, 0, G_MMIO_GPA, 8, 1);
	/* below the mask: not taken, WFI not woken */
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 34, 1),
		  "KVM_IRQ_LINE(SPI 34)");
	expect_blocks(_metadata, g, 0);
	/* above it: taken */
	ASSERT_OK(r, irq_line(g->vm, KVM_ARM_IRQ_TYPE_SPI, 0, 35, 1),
		  "KVM_IRQ_LINE(SPI 35)");
	EXPECT_EQ(35, g_run_mmio(g, 0, G_MMIO_GPA + 8, 8, 1));
	EXPECT_EQ(4, vg_dist_get(_metadata, self->gic, 0x204) & 4);
}

TEST_F(vgic, sgi_broadcast_all_but_self)
{
	struct g_vm *g = &self->g;
	struct runner rn[2] = { { .g = g, .i = 1 }, { .g = g, .i = 2 } };
	pthread_t t[2];
	int k;

	setup(_metadata, self, 3, 0xaaaaaaaa, 4);
	g_set64(g, 0, G_X(3), 2);
	g_set64(g, 0, G_X(7), (5ULL << 24) | (1ULL << 40));	/* IRM */
	g_run_mmio(g, 1, G_MMIO_GPA, 8, 1);
	g_run_mmio(g, 2, G_MMIO_GPA, 8, 1);
	g_alarm_ms(G_RUN_LIMIT_MS, 0);
	for (k = 0; k < 2; k++)
		ASSERT_EQ(0, pthread_create(&t[k], NULL, run_thread, &rn[k]));
	g_run_mmio(g, 0, G_MMIO_GPA + 32, 8, 1);
	for (k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	g_alarm_ms(0, 0);
	for (k = 0; k < 2; k++) {
		struct kvm_run *run = g->run[k + 1];

		ASSERT_EQ(0, rn[k].r) TH_LOG("vCPU %d: %s", k + 1,
					     hvk_errname(rn[k].err));
		ASSERT_EQ(KVM_EXIT_MMIO, run->exit_reason);
		EXPECT_EQ(G_MMIO_GPA + 8, run->mmio.phys_addr);
		EXPECT_EQ(5, g_mmio_data(run));
	}
	/* not to the sender */
	EXPECT_EQ(0, vg_redist_get(_metadata, self->gic, 0, 0x10200) &
		  (1u << 5));
}

TEST_HARNESS_MAIN

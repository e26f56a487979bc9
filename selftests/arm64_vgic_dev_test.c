// SPDX-License-Identifier: GPL-2.0
/*
 * The vGICv3 device ABI (KVM API, devices/arm-vgic-v3.rst, and KVM 6.1's
 * behaviour): KVM_CREATE_DEVICE and its test flag, one vGIC per VM, the
 * address attributes (alignment, IPA range, set once, region indexes,
 * no mixing REDIST and REDIST_REGION), NR_IRQS, the order of CTRL_INIT,
 * vCPU creation and KVM_RUN with their errnos (a VM whose vGIC fails
 * KVM_RUN's checks is dead: -EIO from then on), KVM_IRQ_LINE's arm64
 * encoding, the vCPU timer attributes, and vGIC state saved through the
 * attribute groups and restored into a fresh VM.
 *
 * Known, deliberate differences from KVM, not tested here: hvk offers no
 * GICv2 emulation, ITS or VFIO device (KVM_CREATE_DEVICE_TEST of those
 * is -ENODEV on hvk), and KVM_IRQ_LINE with KVM_ARM_IRQ_TYPE_CPU without
 * a vGIC is -EINVAL on hvk (KVM drives the vCPU's IRQ line).
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include "arm64_guest.h"
#include "arm64_vgic.h"

/* Exits at once with an MMIO store. */
GUEST_CODE(g_exit,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"1:	str	x0, [x19]\n"
	"b	1b\n");

#define UNDEF_ADDR	(~0ULL)

static int set_addr(int gic, uint64_t type, uint64_t v)
{
	return vg_attr(gic, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		       type, &v) ? errno : 0;
}

static uint64_t region(uint64_t base, uint64_t count, uint64_t index)
{
	return (count << 52) | base | index;
}

/* errno of an attribute access, 0 on success */
#define ATTR(gic, req, grp, at, p) \
	(vg_attr(gic, req, grp, at, p) ? errno : 0)

static int irq_line(int vm, uint32_t type, uint32_t vcpu, uint32_t num,
		    int level)
{
	struct kvm_irq_level l = {
		.irq = (type << KVM_ARM_IRQ_TYPE_SHIFT) |
		       (vcpu << KVM_ARM_IRQ_VCPU_SHIFT) | num,
		.level = level,
	};

	return ioctl(vm, KVM_IRQ_LINE, &l) ? errno : 0;
}

TEST(create_device)
{
	struct kvm_create_device cd = {
		.type = KVM_DEV_TYPE_ARM_VGIC_V3,
		.flags = KVM_CREATE_DEVICE_TEST,
	};
	int vm, gic, err, v;
	uint64_t a;

	vm = hvk_new_vm();
	ASSERT_LE(0, vm);
	EXPECT_EQ(0, ioctl(vm, KVM_CREATE_DEVICE, &cd));
	cd.type = 0xffff;
	EXPECT_EQ(-1, ioctl(vm, KVM_CREATE_DEVICE, &cd));
	EXPECT_EQ(ENODEV, errno);
	cd.flags = 0;
	EXPECT_EQ(-1, ioctl(vm, KVM_CREATE_DEVICE, &cd));
	EXPECT_EQ(ENODEV, errno);

	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_DEVICE_CTRL));
	EXPECT_LT(0, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP));

	gic = vg_create(_metadata, vm);
	EXPECT_EQ(-1, __vg_create(vm, &err));
	EXPECT_EQ(EEXIST, err);

	EXPECT_EQ(0, ATTR(gic, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			  KVM_VGIC_V3_ADDR_TYPE_DIST, NULL));
	EXPECT_EQ(0, ATTR(gic, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			  KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, NULL));
	EXPECT_EQ(ENXIO, ATTR(gic, KVM_HAS_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_ADDR, 99, NULL));
	EXPECT_EQ(ENXIO, ATTR(gic, KVM_HAS_DEVICE_ATTR, 0x77, 0, NULL));
	EXPECT_EQ(0, ATTR(gic, KVM_HAS_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
			  KVM_DEV_ARM_VGIC_CTRL_INIT, NULL));
	EXPECT_EQ(0, ATTR(gic, KVM_HAS_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, NULL));
	EXPECT_EQ(ENXIO, ATTR(gic, KVM_SET_DEVICE_ATTR, 0x77, 0, &a));
	/* not a device ioctl */
	v = ioctl(gic, KVM_RUN, 0);
	EXPECT_EQ(-1, v);
	EXPECT_EQ(ENOTTY, errno);
	close(gic);
	close(vm);
}

TEST(addresses)
{
	struct g_vm g;
	int gic, gic2;
	uint64_t a;

	g_vm_create(_metadata, &g);
	g_vcpu_add(_metadata, &g, 0, 0);
	gic = vg_create(_metadata, g.vm);

	a = 0;
	EXPECT_EQ(0, ATTR(gic, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			  KVM_VGIC_V3_ADDR_TYPE_DIST, &a));
	EXPECT_EQ(UNDEF_ADDR, a);
	EXPECT_EQ(EINVAL, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_DIST,
				   VG_DIST + 0x1000));
	EXPECT_EQ(E2BIG, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_DIST,
				  1ULL << 40));
	EXPECT_EQ(0, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_DIST, VG_DIST));
	EXPECT_EQ(EEXIST, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_DIST,
				   VG_DIST + 0x10000));
	EXPECT_EQ(0, ATTR(gic, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			  KVM_VGIC_V3_ADDR_TYPE_DIST, &a));
	EXPECT_EQ(VG_DIST, a);

	/* regions: count > 0, no flags, index 0 first, then in order */
	EXPECT_EQ(EINVAL, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION,
				   region(VG_REDIST, 0, 0)));
	EXPECT_EQ(EINVAL, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION,
				   region(VG_REDIST, 1, 0) | 0x1000));
	EXPECT_EQ(EINVAL, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION,
				   region(VG_REDIST, 1, 1)));
	EXPECT_EQ(0, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION,
			      region(VG_REDIST, 1, 0)));
	/* overlapping the first one */
	EXPECT_EQ(EINVAL, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION,
				   region(VG_REDIST + 0x10000, 2, 1)));
	EXPECT_EQ(0, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION,
			      region(VG_REDIST + 0x20000, 2, 1)));
	a = 1;
	EXPECT_EQ(0, ATTR(gic, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			  KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &a));
	EXPECT_EQ(region(VG_REDIST + 0x20000, 2, 1), a);
	a = 3;
	EXPECT_EQ(ENOENT, ATTR(gic, KVM_GET_DEVICE_ATTR,
			       KVM_DEV_ARM_VGIC_GRP_ADDR,
			       KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION, &a));
	/* no mixing with the legacy single region */
	EXPECT_EQ(EINVAL, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_REDIST,
				   VG_REDIST + 0x100000));
	a = 0;
	EXPECT_EQ(0, ATTR(gic, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			  KVM_VGIC_V3_ADDR_TYPE_REDIST, &a));
	EXPECT_EQ(VG_REDIST, a);
	EXPECT_EQ(EFAULT, ATTR(gic, KVM_SET_DEVICE_ATTR,
			       KVM_DEV_ARM_VGIC_GRP_ADDR,
			       KVM_VGIC_V3_ADDR_TYPE_DIST, (void *)8));
	close(gic);
	g_vm_destroy(&g);

	/* the legacy region may not overlap the distributor */
	g_vm_create(_metadata, &g);
	g_vcpu_add(_metadata, &g, 0, 0);
	gic2 = vg_create(_metadata, g.vm);
	EXPECT_EQ(0, set_addr(gic2, KVM_VGIC_V3_ADDR_TYPE_DIST, VG_DIST));
	EXPECT_EQ(EINVAL, set_addr(gic2, KVM_VGIC_V3_ADDR_TYPE_REDIST,
				   VG_DIST));
	EXPECT_EQ(EINVAL, set_addr(gic2, KVM_VGIC_V3_ADDR_TYPE_REDIST,
				   VG_REDIST + 0x8000));
	EXPECT_EQ(0, set_addr(gic2, KVM_VGIC_V3_ADDR_TYPE_REDIST, VG_REDIST));
	EXPECT_EQ(EEXIST, set_addr(gic2, KVM_VGIC_V3_ADDR_TYPE_REDIST,
				   VG_REDIST + 0x100000));
	close(gic2);
	g_vm_destroy(&g);
}

TEST(nr_irqs)
{
	int vm, gic;
	uint32_t n;

	vm = hvk_new_vm();
	ASSERT_LE(0, vm);
	gic = vg_create(_metadata, vm);
	n = 0;
	EXPECT_EQ(0, ATTR(gic, KVM_GET_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n));
	EXPECT_EQ(32, n);	/* 32 private ones, no SPI count yet */
	n = 32;
	EXPECT_EQ(EINVAL, ATTR(gic, KVM_SET_DEVICE_ATTR,
			       KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n));
	n = 1056;
	EXPECT_EQ(EINVAL, ATTR(gic, KVM_SET_DEVICE_ATTR,
			       KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n));
	n = 100;
	EXPECT_EQ(EINVAL, ATTR(gic, KVM_SET_DEVICE_ATTR,
			       KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n));
	n = 128;
	EXPECT_EQ(0, ATTR(gic, KVM_SET_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n));
	EXPECT_EQ(EBUSY, ATTR(gic, KVM_SET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n));
	n = 0;
	EXPECT_EQ(0, ATTR(gic, KVM_GET_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n));
	EXPECT_EQ(128, n);
	close(gic);
	close(vm);
}

/*
 * KVM_RUN's checks of the vGIC (KVM's kvm_vgic_map_resources()): a VM
 * that fails them is dead, every later ioctl on it -EIO, as in KVM 6.1.
 */
TEST(run_without_addresses_kills_vm)
{
	struct g_vm g;
	int gic, r, err;
	uint32_t v;

	g_vm_with_code(&g, g_exit);
	gic = vg_create(_metadata, g.vm);
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(ENXIO, err);
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EIO, err);
	EXPECT_EQ(EIO, irq_line(g.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 32, 1));
	EXPECT_EQ(EIO, ATTR(gic, KVM_GET_DEVICE_ATTR,
			    KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &v));
	close(gic);
	g_vm_destroy(&g);
}

TEST(run_before_init)
{
	struct g_vm g;
	int gic, r, err;
	uint32_t v;

	g_vm_with_code(&g, g_exit);
	gic = vg_create(_metadata, g.vm);
	vg_set_addrs(_metadata, gic);
	EXPECT_EQ(EBUSY, irq_line(g.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 32, 1));
	EXPECT_EQ(EBUSY, ATTR(gic, KVM_GET_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0, &v));
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EBUSY, err);
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EIO, err);
	close(gic);
	g_vm_destroy(&g);
}

TEST(init_then_run)
{
	struct g_vm g;
	int gic, fd;
	uint32_t v;

	g_vm_with_code(&g, g_exit);
	gic = vg_create(_metadata, g.vm);
	vg_set_addrs(_metadata, gic);
	vg_init(_metadata, gic);
	vg_init(_metadata, gic);	/* again: nothing to do */
	fd = ioctl(g.vm, KVM_CREATE_VCPU, 1);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EBUSY, errno);

	EXPECT_EQ(EINVAL, irq_line(g.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 31, 1));
	EXPECT_EQ(EINVAL, irq_line(g.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 256, 1));
	EXPECT_EQ(0, irq_line(g.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 255, 1));
	EXPECT_EQ(EINVAL, irq_line(g.vm, KVM_ARM_IRQ_TYPE_PPI, 1, 20, 1));
	EXPECT_EQ(EINVAL, irq_line(g.vm, KVM_ARM_IRQ_TYPE_PPI, 0, 5, 1));
	EXPECT_EQ(0, irq_line(g.vm, KVM_ARM_IRQ_TYPE_PPI, 0, 20, 1));
	EXPECT_EQ(ENXIO, irq_line(g.vm, KVM_ARM_IRQ_TYPE_CPU, 0, 0, 1));
	EXPECT_EQ(EINVAL, irq_line(g.vm, 3, 0, 40, 1));

	g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	/* after a run: the timer PPIs are fixed */
	v = 20;
	EXPECT_EQ(EBUSY, ATTR(g.vcpu[0], KVM_SET_DEVICE_ATTR,
			      KVM_ARM_VCPU_TIMER_CTRL,
			      KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &v));
	close(gic);
	g_vm_destroy(&g);
}

TEST(no_vgic_after_run)
{
	struct g_vm g;
	int err;

	g_vm_with_code(&g, g_exit);
	EXPECT_EQ(ENXIO, irq_line(g.vm, KVM_ARM_IRQ_TYPE_SPI, 0, 40, 1));
	EXPECT_EQ(ENXIO, irq_line(g.vm, KVM_ARM_IRQ_TYPE_PPI, 0, 20, 1));
	g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	EXPECT_EQ(-1, __vg_create(g.vm, &err));
	EXPECT_EQ(EBUSY, err);
	g_vm_destroy(&g);
}

TEST(dist_after_overlapping_region)
{
	struct g_vm g;
	int gic, r, err;

	g_vm_with_code(&g, g_exit);
	gic = vg_create(_metadata, g.vm);
	EXPECT_EQ(0, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_REDIST, VG_REDIST));
	/* the distributor's own check does not look at the regions... */
	EXPECT_EQ(0, set_addr(gic, KVM_VGIC_V3_ADDR_TYPE_DIST, VG_REDIST));
	vg_init(_metadata, gic);
	/* ...KVM_RUN does */
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINVAL, err);
	close(gic);
	g_vm_destroy(&g);
}

TEST(timer_attrs)
{
	struct g_vm g;
	int gic, r, err;
	int v;

	g_vm_with_code(&g, g_exit);
	EXPECT_EQ(0, ATTR(g.vcpu[0], KVM_HAS_DEVICE_ATTR,
			  KVM_ARM_VCPU_TIMER_CTRL,
			  KVM_ARM_VCPU_TIMER_IRQ_VTIMER, NULL));
	EXPECT_EQ(ENXIO, ATTR(g.vcpu[0], KVM_HAS_DEVICE_ATTR,
			      KVM_ARM_VCPU_TIMER_CTRL, 7, NULL));
	v = 0;
	EXPECT_EQ(0, ATTR(g.vcpu[0], KVM_GET_DEVICE_ATTR,
			  KVM_ARM_VCPU_TIMER_CTRL,
			  KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &v));
	EXPECT_EQ(27, v);
	v = 0;
	EXPECT_EQ(0, ATTR(g.vcpu[0], KVM_GET_DEVICE_ATTR,
			  KVM_ARM_VCPU_TIMER_CTRL,
			  KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &v));
	EXPECT_EQ(30, v);
	v = 20;
	/* without a vGIC: no */
	EXPECT_EQ(EINVAL, ATTR(g.vcpu[0], KVM_SET_DEVICE_ATTR,
			       KVM_ARM_VCPU_TIMER_CTRL,
			       KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &v));
	gic = vg_create(_metadata, g.vm);
	vg_set_addrs(_metadata, gic);
	EXPECT_EQ(0, ATTR(g.vcpu[0], KVM_SET_DEVICE_ATTR,
			  KVM_ARM_VCPU_TIMER_CTRL,
			  KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &v));
	v = 0;
	EXPECT_EQ(0, ATTR(g.vcpu[0], KVM_GET_DEVICE_ATTR,
			  KVM_ARM_VCPU_TIMER_CTRL,
			  KVM_ARM_VCPU_TIMER_IRQ_VTIMER, &v));
	EXPECT_EQ(20, v);
	v = 10;		/* an SGI */
	EXPECT_EQ(EINVAL, ATTR(g.vcpu[0], KVM_SET_DEVICE_ATTR,
			       KVM_ARM_VCPU_TIMER_CTRL,
			       KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &v));
	v = 32;		/* an SPI */
	EXPECT_EQ(EINVAL, ATTR(g.vcpu[0], KVM_SET_DEVICE_ATTR,
			       KVM_ARM_VCPU_TIMER_CTRL,
			       KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &v));
	/* both timers on one PPI: KVM_RUN refuses */
	v = 20;
	EXPECT_EQ(0, ATTR(g.vcpu[0], KVM_SET_DEVICE_ATTR,
			  KVM_ARM_VCPU_TIMER_CTRL,
			  KVM_ARM_VCPU_TIMER_IRQ_PTIMER, &v));
	vg_init(_metadata, gic);
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EINVAL, err);
	close(gic);
	g_vm_destroy(&g);
}

/*
 * With a vGICv3 the vCPU has the GIC system registers: ID_AA64PFR0_EL1.GIC
 * is 1 through KVM_GET_ONE_REG (as the guest sees it). (Without one KVM
 * 6.1 shows 1 too on a GICv3 host; hvk shows 0 there, since it makes the
 * registers UNDEFINED for such a VM: not checked.)
 */
TEST(id_reg_shows_gic)
{
	struct g_vm g;
	uint64_t pfr0 = 0;
	int gic;

	g_vm_with_code(&g, g_exit);
	gic = vg_create(_metadata, g.vm);
	ASSERT_EQ(0, g_get_reg(g.vcpu[0], ARM64_SYS_REG(3, 0, 0, 4, 0),
			       &pfr0));
	EXPECT_EQ(1, (pfr0 >> 24) & 0xf);
	close(gic);
	g_vm_destroy(&g);
}

/* The registers the save/restore test moves, distributor and vCPU 0's. */
static const uint32_t dist_regs[] = {
	0x0000,			/* GICD_CTLR */
	0x0084, 0x0104, 0x0204, 0x0304, 0x0420, 0x0424, 0x0c08, 0x6100,
};
static const uint32_t redist_regs[] = {
	0x10080, 0x10100, 0x10200, 0x10400, 0x10410, 0x10c04,
};
static const uint16_t cpu_regs[] = {
	(3 << 14) | (0 << 11) | (4 << 7) | (6 << 3) | 0,	/* PMR */
	(3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 7,	/* IGRPEN1 */
	(3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 3,	/* BPR1 */
};

static int vgic_vm(struct __test_metadata *_metadata, struct g_vm *g)
{
	int gic;

	g_vm_with_code(g, g_exit);
	gic = vg_create(_metadata, g->vm);
	vg_set_addrs(_metadata, gic);
	vg_init(_metadata, gic);
	return gic;
}

TEST(save_restore_fresh_vm)
{
	uint32_t dv[ARRAY_SIZE(dist_regs)], rv[ARRAY_SIZE(redist_regs)];
	uint64_t cv[ARRAY_SIZE(cpu_regs)], v64;
	struct g_vm a, b;
	int ga, gb;
	uint32_t v;
	unsigned int k;

	ga = vgic_vm(_metadata, &a);
	/* state in A, written as a VMM restoring it would */
#define SETD(off, val) do { v = (val); EXPECT_EQ(0, ATTR(ga, \
	KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, (off), &v)); \
	} while (0)
#define SETR(off, val) do { v = (val); EXPECT_EQ(0, ATTR(ga, \
	KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, \
	VG_REG(0, off), &v)); } while (0)
	SETD(0x0000, 2);
	SETD(0x0c08, 0);		/* SPIs 32-47 level */
	SETD(0x0104, 0x5);		/* enable SPIs 32, 34 */
	SETD(0x0204, 0x6);		/* latch SPIs 33, 34 */
	SETD(0x0420, 0x40302010);	/* priorities of 32-35 */
	SETD(0x0424, 0x80706050);
	SETR(0x10100, 1u << 20);
	SETR(0x10200, 1u << 21);
	SETR(0x10400, 0xa0a0a0a0);
	SETR(0x10c04, 0);		/* PPIs level */
	v64 = 0xf0;
	EXPECT_EQ(0, ATTR(ga, KVM_SET_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, VG_REG(0, cpu_regs[0]),
			  &v64));
	v64 = 1;
	EXPECT_EQ(0, ATTR(ga, KVM_SET_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, VG_REG(0, cpu_regs[1]),
			  &v64));
	v = 2;		/* SPI 33's line up */
	EXPECT_EQ(0, ATTR(ga, KVM_SET_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
			  VG_REG(0, 32), &v));

	/* what A shows */
	for (k = 0; k < ARRAY_SIZE(dist_regs); k++)
		dv[k] = vg_dist_get(_metadata, ga, dist_regs[k]);
	for (k = 0; k < ARRAY_SIZE(redist_regs); k++)
		rv[k] = vg_redist_get(_metadata, ga, 0, redist_regs[k]);
	for (k = 0; k < ARRAY_SIZE(cpu_regs); k++)
		EXPECT_EQ(0, ATTR(ga, KVM_GET_DEVICE_ATTR,
				  KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
				  VG_REG(0, cpu_regs[k]), &cv[k]));
	EXPECT_EQ(0x5, dv[2]);
	EXPECT_EQ(0x6, dv[3]);		/* the latch, for userspace */
	EXPECT_EQ(0x40302010, dv[5]);
	EXPECT_EQ(0, dv[7]);
	EXPECT_EQ(1u << 20, rv[1] & (1u << 20));
	EXPECT_EQ(1u << 21, rv[2]);
	EXPECT_EQ(0xa0a0a0a0, rv[3]);
	EXPECT_EQ(0xf0, cv[0]);
	EXPECT_EQ(1, cv[1]);
	v = 0;
	EXPECT_EQ(0, ATTR(ga, KVM_GET_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, VG_REG(0, 32), &v));
	EXPECT_EQ(2, v);

	/* B, fresh, gets A's values and shows the same */
	gb = vgic_vm(_metadata, &b);
	for (k = 0; k < ARRAY_SIZE(dist_regs); k++)
		EXPECT_EQ(0, ATTR(gb, KVM_SET_DEVICE_ATTR,
				  KVM_DEV_ARM_VGIC_GRP_DIST_REGS, dist_regs[k],
				  &dv[k]));
	for (k = 0; k < ARRAY_SIZE(redist_regs); k++)
		EXPECT_EQ(0, ATTR(gb, KVM_SET_DEVICE_ATTR,
				  KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
				  VG_REG(0, redist_regs[k]), &rv[k]));
	for (k = 0; k < ARRAY_SIZE(cpu_regs); k++)
		EXPECT_EQ(0, ATTR(gb, KVM_SET_DEVICE_ATTR,
				  KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
				  VG_REG(0, cpu_regs[k]), &cv[k]));
	for (k = 0; k < ARRAY_SIZE(dist_regs); k++)
		EXPECT_EQ(dv[k], vg_dist_get(_metadata, gb, dist_regs[k]))
			TH_LOG("GICD offset %#x", dist_regs[k]);
	for (k = 0; k < ARRAY_SIZE(redist_regs); k++)
		EXPECT_EQ(rv[k], vg_redist_get(_metadata, gb, 0,
					       redist_regs[k]))
			TH_LOG("GICR offset %#x", redist_regs[k]);
	for (k = 0; k < ARRAY_SIZE(cpu_regs); k++) {
		v64 = ~0ULL;
		EXPECT_EQ(0, ATTR(gb, KVM_GET_DEVICE_ATTR,
				  KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
				  VG_REG(0, cpu_regs[k]), &v64));
		EXPECT_EQ(cv[k], v64) TH_LOG("ICC register %#x", cpu_regs[k]);
	}

	/* bad attributes */
	EXPECT_EQ(EINVAL, ATTR(gb, KVM_GET_DEVICE_ATTR,
			       KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
			       VG_REG(0, 33), &v));
	EXPECT_EQ(EINVAL, ATTR(gb, KVM_GET_DEVICE_ATTR,
			       KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
			       VG_REG(0, 32) | (1 << 10), &v));
	EXPECT_EQ(EINVAL, ATTR(gb, KVM_GET_DEVICE_ATTR,
			       KVM_DEV_ARM_VGIC_GRP_REDIST_REGS,
			       VG_REG(5, 0x10100), &v));
	EXPECT_EQ(ENXIO, ATTR(gb, KVM_HAS_DEVICE_ATTR,
			      KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x20, NULL));
	EXPECT_EQ(0, ATTR(gb, KVM_HAS_DEVICE_ATTR,
			  KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0x104, NULL));
	close(ga);
	close(gb);
	g_vm_destroy(&a);
	g_vm_destroy(&b);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IRQFD, KVM_SET_GSI_ROUTING and KVM_SIGNAL_MSI: the ABI without a
 * guest, with KVM 6.1's answers (virt/kvm/eventfd.c, irqchip.c,
 * kvm_main.c; arch/x86/kvm/irq_comm.c, arch/arm64/kvm/vgic/vgic-irqfd.c).
 *
 * Without an in-kernel irqchip (what hvk has until one is merged):
 *   - KVM_IRQFD: unknown flags -EINVAL first; an assign is refused before
 *     the fds are looked at: -EINVAL on x86 (no irqchip), -EAGAIN on arm64
 *     (vGIC not initialized); a deassign checks only its fd (-EBADF,
 *     -EINVAL for a non-eventfd) and finding nothing is success;
 *   - KVM_SET_GSI_ROUTING: x86 refuses any table (-EINVAL); arm64 takes
 *     and validates one (gsi < 4096, at most 4096 entries, flags, types,
 *     duplicates, irqchip 0 and pins below 988);
 *   - KVM_SIGNAL_MSI: -EINVAL on both.
 * The routing capabilities are advertised all together or not at all, and
 * with an irqchip (KVM_CAP_IRQCHIP) they must be.
 *
 * With an irqchip (x86: KVM_CREATE_IRQCHIP; arm64: a vGICv3 with one
 * vCPU), the positive paths: an irqfd consumes its eventfd's count,
 * duplicates are -EBUSY, deassign unhooks, a closed eventfd frees its
 * irqfd, closing the VM unhooks the rest; x86's routing rules for the PIC
 * and IOAPIC; KVM_SIGNAL_MSI's answers. These run where KVM_CAP_IRQCHIP is
 * advertised and SKIP (saying so) where it is not.
 *
 * hvk only: the irqfd machinery itself (wake-ups consuming counts,
 * resamplers, EPOLLHUP, deassign racing writes, VM destruction with irqfds
 * assigned) runs before hvk has an irqchip, with hvk reloaded with its
 * testing-only irqfd_test_no_irqchip parameter (KVM_IRQFD then assigns
 * without an irqchip; the GSIs reach nothing). Under --kvm that test skips:
 * the irqchip_* tests run the same paths there.
 *
 * A deliberate difference: x86 KVM takes KVM_IRQ_ROUTING_HV_SINT (and
 * XEN_EVTCHN) routes; hvk has no Hyper-V or Xen emulation and refuses
 * them, so no test here uses them.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "lib.h"

#define MAX_ROUTES	4096

FIXTURE(irq) {
	int vm, efd, efd2;
	int dev;		/* arm64: the vGIC device fd, or -1 */
	int vcpu;		/* arm64: the vCPU the vGIC needs, or -1 */
};

FIXTURE_SETUP(irq)
{
	self->dev = -1;
	self->vcpu = -1;
	self->vm = hvk_new_vm();
	ASSERT_LE(0, self->vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));
	self->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, self->efd);
	self->efd2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ASSERT_LE(0, self->efd2);
}

FIXTURE_TEARDOWN(irq)
{
	if (self->dev >= 0)
		close(self->dev);
	if (self->vcpu >= 0)
		close(self->vcpu);
	close(self->efd2);
	close(self->efd);
	if (self->vm >= 0)
		close(self->vm);
}

static int irqfd(int vm, int fd, uint32_t gsi, uint32_t flags, int rfd)
{
	struct kvm_irqfd a = {
		.fd = fd, .gsi = gsi, .flags = flags, .resamplefd = rfd,
	};

	return ioctl(vm, KVM_IRQFD, &a);
}

static int signal_msi(int vm, uint64_t addr, uint32_t data, uint32_t flags,
		      uint32_t devid)
{
	struct kvm_msi m = {
		.address_lo = (uint32_t)addr, .address_hi = addr >> 32,
		.data = data, .flags = flags, .devid = devid,
	};

	return ioctl(vm, KVM_SIGNAL_MSI, &m);
}

/* A KVM_SET_GSI_ROUTING argument with room for MAX_ROUTES entries. */
static struct kvm_irq_routing *routing_alloc(void)
{
	return calloc(1, sizeof(struct kvm_irq_routing) +
			 MAX_ROUTES * sizeof(struct kvm_irq_routing_entry));
}

static struct kvm_irq_routing_entry chip(uint32_t gsi, uint32_t irqchip,
					 uint32_t pin)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = irqchip, .pin = pin },
	};
	return e;
}

static struct kvm_irq_routing_entry msi(uint32_t gsi, uint32_t flags)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI, .flags = flags,
		.u.msi = { .address_lo = 0xfee00000, .data = 0x30,
			   .devid = 1 },
	};
	return e;
}

/* Set a table of @nr entries from @e; 0 or the errno. */
static int set_routing(int vm, const struct kvm_irq_routing_entry *e,
		       uint32_t nr)
{
	struct kvm_irq_routing *rt = routing_alloc();
	int r;

	if (!rt)
		return ENOMEM;
	rt->nr = nr;
	if (nr)
		memcpy(rt->entries, e, nr * sizeof(*e));
	r = ioctl(vm, KVM_SET_GSI_ROUTING, rt) ? errno : 0;
	free(rt);
	return r;
}

/* The eventfd's count, 0 if it is 0 (non-blocking read). */
static uint64_t efd_count(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void efd_signal(int efd)
{
	uint64_t one = 1;

	if (write(efd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/*
 * What KVM_IRQFD's assign gives before an irqchip: kvm_arch_irqfd_allowed()
 * refuses on x86, kvm_arch_intc_initialized() on arm64.
 */
#ifdef __x86_64__
#define NO_IRQCHIP_IRQFD_ERRNO	EINVAL
#else
#define NO_IRQCHIP_IRQFD_ERRNO	EAGAIN
#endif

/* ---- without an irqchip ------------------------------------------ */

/*
 * arm64: KVM_SIGNAL_MSI needs an ITS. KVM has one and advertises the cap;
 * hvk has none, answers -ENODEV, and must not advertise it, or a VMM
 * (QEMU's virt) creates an in-kernel ITS and fails instead of falling
 * back to wired SPIs. So on arm64 the cap follows the ITS device.
 */
static bool its_offered(int vm)
{
#ifdef __aarch64__
	struct kvm_create_device cd = {
		.type = KVM_DEV_TYPE_ARM_VGIC_ITS,
		.flags = KVM_CREATE_DEVICE_TEST,
	};

	return ioctl(vm, KVM_CREATE_DEVICE, &cd) == 0;
#else
	(void)vm;
	return true;
#endif
}

TEST_F(irq, capabilities_all_or_none)
{
	static const struct { long cap, value; const char *name; } caps[] = {
		{ KVM_CAP_IRQFD, 1, "KVM_CAP_IRQFD" },
		{ KVM_CAP_IRQFD_RESAMPLE, 1, "KVM_CAP_IRQFD_RESAMPLE" },
		{ KVM_CAP_IRQ_ROUTING, MAX_ROUTES, "KVM_CAP_IRQ_ROUTING" },
	};
	long irqchip = hvk_cap(self->vm, KVM_CAP_IRQCHIP);
	long msi = hvk_cap(self->vm, KVM_CAP_SIGNAL_MSI);
	unsigned int i, on = 0;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		long v = hvk_cap(self->vm, caps[i].cap);

		EXPECT_TRUE(v == 0 || v == caps[i].value)
			TH_LOG("%s = %ld: 0 or KVM's %ld", caps[i].name, v,
			       caps[i].value);
		on += v != 0;
	}
	EXPECT_TRUE(on == 0 || on == ARRAY_SIZE(caps))
		TH_LOG("%u of the %zu routing capabilities advertised", on,
		       ARRAY_SIZE(caps));
	if (irqchip > 0)
		EXPECT_EQ(ARRAY_SIZE(caps), on)
			TH_LOG("KVM_CAP_IRQCHIP = %ld but routing is not "
			       "advertised", irqchip);
	/* MSIs: only with routing, and on arm64 only with an ITS. */
	EXPECT_EQ(on && its_offered(self->vm) ? 1 : 0, msi)
		TH_LOG("KVM_CAP_SIGNAL_MSI = %ld (routing %s, ITS %s)", msi,
		       on ? "on" : "off", its_offered(self->vm) ? "yes" : "no");
	TH_LOG("KVM_CAP_IRQCHIP %ld, routing capabilities %s, SIGNAL_MSI %ld",
	       irqchip, on ? "advertised" : "not advertised", msi);
}

TEST_F(irq, irqfd_unknown_flags_einval)
{
	unsigned int bit;

	for (bit = 2; bit < 32; bit++) {
		EXPECT_ERRNO(irqfd(self->vm, self->efd, 0, 1U << bit, -1),
			     EINVAL, "flag bit %u", bit);
		EXPECT_ERRNO(irqfd(self->vm, self->efd, 0,
				   KVM_IRQFD_FLAG_DEASSIGN | 1U << bit, -1),
			     EINVAL, "DEASSIGN with flag bit %u", bit);
	}
	/* Checked before the fd. */
	EXPECT_ERRNO(irqfd(self->vm, -1, 0, 4, -1), EINVAL, "bad fd, bad flag");
}

TEST_F(irq, irqfd_efault)
{
	EXPECT_ERRNO(ioctl(self->vm, KVM_IRQFD, NULL), EFAULT, "NULL");
}

TEST_F(irq, irqfd_assign_before_irqchip)
{
	EXPECT_ERRNO(irqfd(self->vm, self->efd, 0, 0, -1),
		     NO_IRQCHIP_IRQFD_ERRNO, "an eventfd on GSI 0");
	EXPECT_ERRNO(irqfd(self->vm, self->efd, 5, KVM_IRQFD_FLAG_RESAMPLE,
			   self->efd2),
		     NO_IRQCHIP_IRQFD_ERRNO, "with a resamplefd");
	/* Before the fds are looked at. */
	EXPECT_ERRNO(irqfd(self->vm, -1, 0, 0, -1), NO_IRQCHIP_IRQFD_ERRNO,
		     "fd -1");
	EXPECT_ERRNO(irqfd(self->vm, self->vm, 0, 0, -1),
		     NO_IRQCHIP_IRQFD_ERRNO, "the VM fd as the eventfd");
	EXPECT_ERRNO(irqfd(self->vm, self->efd, 0, KVM_IRQFD_FLAG_RESAMPLE,
			   -1),
		     NO_IRQCHIP_IRQFD_ERRNO, "resamplefd -1");
	EXPECT_ERRNO(irqfd(self->vm, self->efd, ~0U, 0, -1),
		     NO_IRQCHIP_IRQFD_ERRNO, "GSI 0xffffffff");
	/* Nothing was hooked: the count stays the VMM's. */
	efd_signal(self->efd);
	EXPECT_EQ(1, efd_count(self->efd));
}

TEST_F(irq, irqfd_deassign_checks_only_the_fd)
{
	EXPECT_ERRNO(irqfd(self->vm, -1, 0, KVM_IRQFD_FLAG_DEASSIGN, -1), EBADF,
		     "fd -1");
	EXPECT_ERRNO(irqfd(self->vm, 100000, 0, KVM_IRQFD_FLAG_DEASSIGN, -1),
		     EBADF, "fd 100000");
	EXPECT_ERRNO(irqfd(self->vm, self->vm, 0, KVM_IRQFD_FLAG_DEASSIGN, -1),
		     EINVAL, "the VM fd (not an eventfd)");
	/* Nothing assigned: nothing to do, success. */
	EXPECT_EQ(0, irqfd(self->vm, self->efd, 0, KVM_IRQFD_FLAG_DEASSIGN, -1));
	EXPECT_EQ(0, irqfd(self->vm, self->efd, ~0U, KVM_IRQFD_FLAG_DEASSIGN |
			   KVM_IRQFD_FLAG_RESAMPLE, -1));
}

TEST_F(irq, signal_msi_before_irqchip)
{
	EXPECT_ERRNO(ioctl(self->vm, KVM_SIGNAL_MSI, NULL), EFAULT, "NULL");
	EXPECT_ERRNO(signal_msi(self->vm, 0xfee00000, 0x30, 0, 0), EINVAL,
		     "an MSI");
	EXPECT_ERRNO(signal_msi(self->vm, 0xfee00000, 0x30,
				KVM_MSI_VALID_DEVID, 3),
		     EINVAL, "an MSI with a devid");
	EXPECT_ERRNO(signal_msi(self->vm, 0xfee00000, 0x30, 2, 0), EINVAL,
		     "unknown flags");
}

TEST_F(irq, routing_header_checks)
{
	struct kvm_irq_routing *rt = routing_alloc();

	ASSERT_NE(NULL, rt);
	EXPECT_ERRNO(ioctl(self->vm, KVM_SET_GSI_ROUTING, NULL), EFAULT,
		     "NULL");
	rt->nr = MAX_ROUTES + 1;
	EXPECT_ERRNO(ioctl(self->vm, KVM_SET_GSI_ROUTING, rt), EINVAL,
		     "4097 entries");
	rt->nr = ~0U;
	EXPECT_ERRNO(ioctl(self->vm, KVM_SET_GSI_ROUTING, rt), EINVAL,
		     "0xffffffff entries");
	rt->nr = 0;
	rt->flags = 1;
	EXPECT_ERRNO(ioctl(self->vm, KVM_SET_GSI_ROUTING, rt), EINVAL,
		     "flags 1");
	free(rt);
}

#ifdef __x86_64__
TEST_F(irq, routing_before_irqchip_x86)
{
	struct kvm_irq_routing_entry e[2] = {
		chip(0, KVM_IRQCHIP_IOAPIC, 0), msi(1, 0),
	};

	/* kvm_arch_can_set_irq_routing(): not without an irqchip. */
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 0));
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2));
}
#else
/* arm64 KVM keeps a routing table without a vGIC, with its checks. */
TEST_F(irq, routing_without_vgic_arm64)
{
	struct kvm_irq_routing_entry e[4];

	EXPECT_EQ(0, set_routing(self->vm, e, 0));
	e[0] = chip(0, 0, 0);
	e[1] = chip(1, 0, 987);
	e[2] = msi(2, 0);
	e[3] = msi(4095, KVM_MSI_VALID_DEVID);
	EXPECT_EQ(0, set_routing(self->vm, e, 4));
	/* One SPI from two GSIs is fine. */
	e[1] = chip(1, 0, 0);
	EXPECT_EQ(0, set_routing(self->vm, e, 2));

	e[1] = chip(1, 0, 988);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("pin 988");
	e[1] = chip(1, 1, 0);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("irqchip 1");
	e[1] = chip(4096, 0, 1);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("gsi 4096");
	e[1] = chip(1, 0, 1);
	e[1].flags = KVM_MSI_VALID_DEVID;
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2))
		TH_LOG("an irqchip entry with flags");
	e[1] = msi(1, 2);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("MSI flags 2");
	e[1] = msi(1, KVM_MSI_VALID_DEVID | 2);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2))
		TH_LOG("MSI flags VALID_DEVID | 2");
	e[1] = chip(1, 0, 1);
	e[1].type = 0;
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("type 0");
	e[1].type = KVM_IRQ_ROUTING_S390_ADAPTER;
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("S390_ADAPTER");
	e[1].type = KVM_IRQ_ROUTING_HV_SINT;
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("HV_SINT");
	e[1].type = 99;
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("type 99");

	/* Duplicates: one irqchip, so one pin per GSI; an MSI alone. */
	e[1] = chip(0, 0, 5);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("GSI 0 twice");
	e[1] = msi(0, 0);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2))
		TH_LOG("GSI 0 irqchip and MSI");
	e[0] = msi(0, 0);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("two MSIs");
}

TEST_F(irq, routing_largest_table_arm64)
{
	struct kvm_irq_routing_entry *e = calloc(MAX_ROUTES + 1, sizeof(*e));
	unsigned int i;

	ASSERT_NE(NULL, e);
	for (i = 0; i <= MAX_ROUTES; i++)
		e[i] = i % 3 ? chip(i, 0, i % 988) : msi(i, 0);
	EXPECT_EQ(0, set_routing(self->vm, e, MAX_ROUTES));
	/* A bad last entry refuses the whole table. */
	e[MAX_ROUTES - 1] = chip(MAX_ROUTES - 2, 0, 1);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, MAX_ROUTES));
	free(e);
}

/* Entries beyond the caller's memory: -EFAULT (x86 fails before). */
TEST_F(irq, routing_entries_efault_arm64)
{
	long page = hvk_page_size();
	uint8_t *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_irq_routing *rt;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + page, page, PROT_NONE));
	rt = (struct kvm_irq_routing *)(p + page - sizeof(*rt));
	rt->nr = 1;
	rt->flags = 0;
	EXPECT_ERRNO(ioctl(self->vm, KVM_SET_GSI_ROUTING, rt), EFAULT,
		     "entries in a PROT_NONE page");
	munmap(p, 2 * page);
}
#endif

/* ---- with an irqchip ---------------------------------------------- */

#ifdef __aarch64__
#define VGIC_DIST	0x08000000ULL
#define VGIC_REDIST	0x080a0000ULL

static int vgic_attr(int dev, uint32_t group, uint64_t attr, void *addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uintptr_t)addr,
	};

	return ioctl(dev, KVM_SET_DEVICE_ATTR, &a);
}
#endif

/*
 * Give the VM its in-kernel irqchip, or SKIP when the device has none
 * (hvk before its irqchips land). arm64: a vGICv3 for one vCPU; with
 * @init false it is created but not initialized.
 */
#define NEED_IRQCHIP(init) do {						\
	if (hvk_cap(self->vm, KVM_CAP_IRQCHIP) <= 0)			\
		SKIP(return, "no KVM_CAP_IRQCHIP: no in-kernel irqchip "	\
		     "to test with");					\
	ASSERT_EQ(0, make_irqchip(_metadata, self, init));		\
} while (0)

static int make_irqchip(struct __test_metadata *_metadata,
			FIXTURE_DATA(irq) *self, bool init)
{
#ifdef __x86_64__
	(void)init;
	EXPECT_EQ(0, ioctl(self->vm, KVM_CREATE_IRQCHIP, 0))
		TH_LOG("KVM_CREATE_IRQCHIP: %s", strerror(errno));
	return _metadata->passed ? 0 : -1;
#else
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvm_vcpu_init vi;
	uint64_t dist = VGIC_DIST, redist = VGIC_REDIST;

	if (ioctl(self->vm, KVM_ARM_PREFERRED_TARGET, &vi))
		return -1;
	self->vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	if (self->vcpu < 0 || ioctl(self->vcpu, KVM_ARM_VCPU_INIT, &vi))
		return -1;
	if (ioctl(self->vm, KVM_CREATE_DEVICE, &cd)) {
		TH_LOG("KVM_CREATE_DEVICE(VGIC_V3): %s", strerror(errno));
		return -1;
	}
	self->dev = cd.fd;
	if (vgic_attr(self->dev, KVM_DEV_ARM_VGIC_GRP_ADDR,
		      KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
	    vgic_attr(self->dev, KVM_DEV_ARM_VGIC_GRP_ADDR,
		      KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist)) {
		TH_LOG("vGIC addresses: %s", strerror(errno));
		return -1;
	}
	if (init && vgic_attr(self->dev, KVM_DEV_ARM_VGIC_GRP_CTRL,
			      KVM_DEV_ARM_VGIC_CTRL_INIT, NULL)) {
		TH_LOG("KVM_DEV_ARM_VGIC_CTRL_INIT: %s", strerror(errno));
		return -1;
	}
	return 0;
#endif
}

TEST_F(irq, irqchip_irqfd_consumes_and_deassigns)
{
	NEED_IRQCHIP(true);
	ASSERT_EQ(0, irqfd(self->vm, self->efd, 5, 0, -1))
		TH_LOG("assign: %s", strerror(errno));
	/* The wake-up takes the count: the VMM's read finds nothing. */
	efd_signal(self->efd);
	EXPECT_EQ(0, efd_count(self->efd));
	efd_signal(self->efd);
	efd_signal(self->efd);
	EXPECT_EQ(0, efd_count(self->efd));
	/* Deassign on another GSI finds nothing: still hooked. */
	EXPECT_EQ(0, irqfd(self->vm, self->efd, 6, KVM_IRQFD_FLAG_DEASSIGN,
			   -1));
	efd_signal(self->efd);
	EXPECT_EQ(0, efd_count(self->efd));
	/* Deassigned: the count stays. */
	EXPECT_EQ(0, irqfd(self->vm, self->efd, 5, KVM_IRQFD_FLAG_DEASSIGN,
			   -1));
	efd_signal(self->efd);
	EXPECT_EQ(1, efd_count(self->efd));
	/* And again. */
	EXPECT_EQ(0, irqfd(self->vm, self->efd, 5, 0, -1));
	efd_signal(self->efd);
	EXPECT_EQ(0, efd_count(self->efd));
}

TEST_F(irq, irqchip_irqfd_pending_count_taken_at_assign)
{
	NEED_IRQCHIP(true);
	efd_signal(self->efd);
	ASSERT_EQ(0, irqfd(self->vm, self->efd, 5, 0, -1));
	/*
	 * The count written before is injected at once but left in place,
	 * as KVM does; the next write's wake-up consumes it.
	 */
	efd_signal(self->efd);
	EXPECT_EQ(0, efd_count(self->efd));
}

TEST_F(irq, irqchip_irqfd_busy_and_bad_fds)
{
	NEED_IRQCHIP(true);
	ASSERT_EQ(0, irqfd(self->vm, self->efd, 5, 0, -1));
	EXPECT_ERRNO(irqfd(self->vm, self->efd, 5, 0, -1), EBUSY, "again");
	EXPECT_ERRNO(irqfd(self->vm, self->efd, 6, 0, -1), EBUSY,
		     "another GSI");
	EXPECT_ERRNO(irqfd(self->vm, self->efd, 6, KVM_IRQFD_FLAG_RESAMPLE,
			   self->efd2),
		     EBUSY, "with a resamplefd");
	EXPECT_ERRNO(irqfd(self->vm, -1, 5, 0, -1), EBADF, "fd -1");
	EXPECT_ERRNO(irqfd(self->vm, self->vm, 5, 0, -1), EINVAL,
		     "the VM fd");
	EXPECT_ERRNO(irqfd(self->vm, self->efd2, 5, KVM_IRQFD_FLAG_RESAMPLE,
			   -1),
		     EBADF, "resamplefd -1");
	EXPECT_ERRNO(irqfd(self->vm, self->efd2, 5, KVM_IRQFD_FLAG_RESAMPLE,
			   self->vm),
		     EINVAL, "the VM fd as resamplefd");
	/* None of those hooked efd2. */
	efd_signal(self->efd2);
	EXPECT_EQ(1, efd_count(self->efd2));
}

TEST_F(irq, irqchip_irqfd_resample)
{
	int efd3 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	NEED_IRQCHIP(true);
	ASSERT_LE(0, efd3);
	ASSERT_EQ(0, irqfd(self->vm, self->efd, 10, KVM_IRQFD_FLAG_RESAMPLE,
			   self->efd2));
	/* A second resample irqfd on the same GSI shares its resampler. */
	ASSERT_EQ(0, irqfd(self->vm, efd3, 10, KVM_IRQFD_FLAG_RESAMPLE,
			   self->efd2));
	efd_signal(self->efd);
	EXPECT_EQ(0, efd_count(self->efd));
	/* No guest ended the interrupt: nothing resampled. */
	EXPECT_EQ(0, efd_count(self->efd2));
	EXPECT_EQ(0, irqfd(self->vm, self->efd, 10, KVM_IRQFD_FLAG_DEASSIGN,
			   -1));
	EXPECT_EQ(0, irqfd(self->vm, efd3, 10, KVM_IRQFD_FLAG_DEASSIGN, -1));
	efd_signal(efd3);
	EXPECT_EQ(1, efd_count(efd3));
	close(efd3);
}

TEST_F(irq, irqchip_irqfd_eventfd_closed)
{
	int i;

	NEED_IRQCHIP(true);
	/*
	 * Closing an assigned eventfd (EPOLLHUP) frees its irqfd; a new
	 * eventfd, maybe with the same number, assigns again.
	 */
	for (i = 0; i < 50; i++) {
		int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, irqfd(self->vm, fd, i % 4,
				   i % 2 ? KVM_IRQFD_FLAG_RESAMPLE : 0,
				   self->efd2))
			TH_LOG("round %d: %s", i, strerror(errno));
		efd_signal(fd);
		EXPECT_EQ(0, efd_count(fd));
		close(fd);
	}
}

TEST_F(irq, irqchip_vm_closed_with_irqfds)
{
	NEED_IRQCHIP(true);
	ASSERT_EQ(0, irqfd(self->vm, self->efd, 3, 0, -1));
	ASSERT_EQ(0, irqfd(self->vm, self->efd2, 4, KVM_IRQFD_FLAG_RESAMPLE,
			   self->efd));
	if (self->dev >= 0)
		close(self->dev);
	if (self->vcpu >= 0)
		close(self->vcpu);
	self->dev = self->vcpu = -1;
	close(self->vm);
	self->vm = -1;
	/* The VM took its irqfds with it; the eventfds are the VMM's. */
	efd_signal(self->efd);
	efd_signal(self->efd2);
	EXPECT_EQ(1, efd_count(self->efd));
	EXPECT_EQ(1, efd_count(self->efd2));
}

#ifdef __x86_64__
TEST_F(irq, irqchip_routing_x86)
{
	struct kvm_irq_routing_entry e[48];
	unsigned int i, n = 0;

	NEED_IRQCHIP(true);
	/* The default table: GSIs 0-15 on a PIC and the IOAPIC, 16-23. */
	for (i = 0; i < 24; i++) {
		e[n++] = chip(i, KVM_IRQCHIP_IOAPIC, i);
		if (i < 16)
			e[n++] = chip(i, i < 8 ? KVM_IRQCHIP_PIC_MASTER :
					 KVM_IRQCHIP_PIC_SLAVE, i % 8);
	}
	EXPECT_EQ(0, set_routing(self->vm, e, n));
	EXPECT_EQ(0, set_routing(self->vm, e, 0));

	e[0] = chip(0, KVM_IRQCHIP_PIC_MASTER, 0);
	e[1] = chip(0, KVM_IRQCHIP_PIC_SLAVE, 0);
	e[2] = chip(0, KVM_IRQCHIP_IOAPIC, 0);
	e[3] = msi(1, KVM_MSI_VALID_DEVID);
	EXPECT_EQ(0, set_routing(self->vm, e, 4)) TH_LOG("three irqchips");
	e[3] = chip(0, KVM_IRQCHIP_IOAPIC, 1);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 4)) TH_LOG("IOAPIC twice");
	e[3] = msi(0, 0);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 4)) TH_LOG("MSI on GSI 0");

	e[1] = chip(1, KVM_IRQCHIP_PIC_MASTER, 8);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("PIC pin 8");
	e[1] = chip(1, KVM_IRQCHIP_PIC_SLAVE, 8);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2))
		TH_LOG("slave PIC pin 8");
	e[1] = chip(1, KVM_IRQCHIP_IOAPIC, 24);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("IOAPIC pin 24");
	e[1] = chip(1, 3, 0);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("irqchip 3");
	e[1] = chip(4096, KVM_IRQCHIP_IOAPIC, 1);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("GSI 4096");
	e[1] = msi(1, 2);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("MSI flags 2");
	e[1] = chip(1, KVM_IRQCHIP_IOAPIC, 1);
	e[1].flags = 1;
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2))
		TH_LOG("irqchip entry with flags");
	e[1].flags = 0;
	e[1].type = 99;
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("type 99");
}

TEST_F(irq, irqchip_signal_msi_x86)
{
	NEED_IRQCHIP(true);
	EXPECT_ERRNO(signal_msi(self->vm, 0xfee00000, 0x30, 2, 0), EINVAL,
		     "unknown flags");
	/*
	 * No vCPU, so no local APIC takes it: kvm_set_msi() answers -1,
	 * which userspace sees as -1 with errno EPERM.
	 */
	EXPECT_ERRNO(signal_msi(self->vm, 0xfee00000, 0x30, 0, 0), EPERM,
		     "an MSI to no local APIC");
	/* x86 ignores a devid. */
	EXPECT_ERRNO(signal_msi(self->vm, 0xfee00000, 0x30,
				KVM_MSI_VALID_DEVID, 7),
		     EPERM, "with a devid");
}
#else
TEST_F(irq, irqchip_irqfd_before_vgic_init_arm64)
{
	NEED_IRQCHIP(false);
	/* A vGIC exists but is not initialized: -EAGAIN still. */
	EXPECT_ERRNO(irqfd(self->vm, self->efd, 0, 0, -1), EAGAIN,
		     "vGIC not initialized");
	/* KVM_SIGNAL_MSI: an irqchip is there, but no ITS to take it. */
	EXPECT_ERRNO(signal_msi(self->vm, 0x08080040, 0x30, 0, 0), ENODEV,
		     "no ITS");
}

TEST_F(irq, irqchip_signal_msi_arm64)
{
	NEED_IRQCHIP(true);
	EXPECT_ERRNO(signal_msi(self->vm, 0x08080040, 0x30, 2, 0), EINVAL,
		     "unknown flags");
	EXPECT_ERRNO(signal_msi(self->vm, 0x08080040, 0x30, 0, 0), ENODEV,
		     "no ITS");
}

TEST_F(irq, irqchip_routing_arm64)
{
	struct kvm_irq_routing_entry e[2] = { chip(0, 0, 0), chip(1, 0, 987) };

	NEED_IRQCHIP(true);
	EXPECT_EQ(0, set_routing(self->vm, e, 2));
	e[1] = chip(1, 0, 988);
	EXPECT_EQ(EINVAL, set_routing(self->vm, e, 2)) TH_LOG("pin 988");
}
#endif

/* ---- hvk only: the irqfd machinery with the test knob ---------------- */

#define KNOB "/sys/module/hvk/parameters/irqfd_test_no_irqchip"

static int hvk_reload(const char *args)
{
	char cmd[512];
	const char *ko = getenv("HVK_KO");

	if (!ko)
		return -1;
	snprintf(cmd, sizeof(cmd), "rmmod hvk && insmod %s %s", ko, args);
	return system(cmd);
}

static char knob_value(void)
{
	FILE *f = fopen(KNOB, "r");
	int c;

	if (!f)
		return 0;
	c = fgetc(f);
	fclose(f);
	return c == EOF ? 0 : c;
}

struct writer {
	int efd;
	volatile int stop;
	unsigned long writes;
};

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	uint64_t one = 1;

	/*
	 * Bounded: on a 1-CPU lab guest an endless writer starves the
	 * thread it races with (1.8 million writes seen on x86).
	 */
	while (!w->stop && w->writes < 100000)
		if (write(w->efd, &one, sizeof(one)) == sizeof(one))
			w->writes++;
	return NULL;
}

/* What irqfd_test_no_irqchip lets run, on one VM. */
static void knob_scenario(struct __test_metadata *_metadata, int vm)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int efd3 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct writer w = { 0 };
	pthread_t t;
	int i;

	ASSERT_LE(0, efd);
	ASSERT_LE(0, rfd);
	ASSERT_LE(0, efd3);

	/* Edge: the wake-up consumes the count; deassign unhooks. */
	ASSERT_EQ(0, irqfd(vm, efd, 5, 0, -1)) TH_LOG("%s", strerror(errno));
	efd_signal(efd);
	EXPECT_EQ(0, efd_count(efd));
	EXPECT_ERRNO(irqfd(vm, efd, 6, 0, -1), EBUSY, "efd again");
	EXPECT_EQ(0, irqfd(vm, efd, 5, KVM_IRQFD_FLAG_DEASSIGN, -1));
	efd_signal(efd);
	EXPECT_EQ(1, efd_count(efd));

	/* A count written before the assign is injected at once. */
	efd_signal(efd);
	ASSERT_EQ(0, irqfd(vm, efd, 5, 0, -1));
	efd_signal(efd);
	EXPECT_EQ(0, efd_count(efd));
	EXPECT_EQ(0, irqfd(vm, efd, 5, KVM_IRQFD_FLAG_DEASSIGN, -1));

	/* Two resample irqfds share GSI 10's resampler. */
	ASSERT_EQ(0, irqfd(vm, efd, 10, KVM_IRQFD_FLAG_RESAMPLE, rfd));
	ASSERT_EQ(0, irqfd(vm, efd3, 10, KVM_IRQFD_FLAG_RESAMPLE, rfd));
	efd_signal(efd);
	efd_signal(efd3);
	EXPECT_EQ(0, efd_count(efd));
	EXPECT_EQ(0, efd_count(efd3));
	EXPECT_EQ(0, efd_count(rfd)) TH_LOG("nothing acked, nothing resampled");
	EXPECT_EQ(0, irqfd(vm, efd, 10, KVM_IRQFD_FLAG_DEASSIGN, -1));
	efd_signal(efd);
	EXPECT_EQ(1, efd_count(efd));

	TH_LOG("edge and resample irqfds done");
	/* EPOLLHUP: closed eventfds free their irqfds. */
	for (i = 0; i < 40; i++) {
		int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, irqfd(vm, fd, i % 7,
				   i % 2 ? KVM_IRQFD_FLAG_RESAMPLE : 0, rfd))
			TH_LOG("round %d: %s", i, strerror(errno));
		efd_signal(fd);
		EXPECT_EQ(0, efd_count(fd));
		close(fd);
	}

	TH_LOG("EPOLLHUP done");
	/* Assign and deassign under a stream of writes from a thread. */
	w.efd = efd;
	ASSERT_EQ(0, pthread_create(&t, NULL, writer_thread, &w));
	for (i = 0; i < 100; i++) {
		EXPECT_EQ(0, irqfd(vm, efd, 3, i % 3 ? 0 :
				   KVM_IRQFD_FLAG_RESAMPLE, rfd));
		EXPECT_EQ(0, irqfd(vm, efd, 3, KVM_IRQFD_FLAG_DEASSIGN, -1));
	}
	/* Left assigned, while written, for the VM's destruction. */
	EXPECT_EQ(0, irqfd(vm, efd, 3, 0, -1));
	usleep(10000);
	close(vm);
	w.stop = 1;
	pthread_join(t, NULL);
	TH_LOG("%lu writes from the thread", w.writes);
	/* The VM took its irqfds with it: counts stay the VMM's again. */
	efd_count(efd);
	efd_signal(efd);
	efd_signal(efd3);
	EXPECT_EQ(1, efd_count(efd));
	EXPECT_EQ(1, efd_count(efd3));
	close(efd3);
	close(rfd);
	close(efd);
}

/* The teardown puts hvk back as it was, even after a failed ASSERT. */
FIXTURE(knob) {
	int unused;
};

FIXTURE_SETUP(knob)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(knob)
{
	if (!hvk_lab_kvm() && knob_value() == 'Y')
		EXPECT_EQ(0, hvk_reload(""));
}

TEST_F(knob, hvk_irqfd_machinery)
{
	int vm, i;

	if (hvk_lab_kvm())
		SKIP(return, "the in-tree KVM: the irqchip_* tests run these "
		     "paths there");
	if (!getenv("HVK_KO"))
		SKIP(return, "HVK_KO unset: cannot reload hvk with "
		     "irqfd_test_no_irqchip=1");
	ASSERT_EQ(0, hvk_reload("irqfd_test_no_irqchip=1"));
	ASSERT_EQ('Y', knob_value());

	vm = hvk_new_vm();
	ASSERT_LE(0, vm);
#ifdef __aarch64__
	{
		/* Routes for the GSIs used: deliveries walk them. */
		struct kvm_irq_routing_entry e[4] = {
			chip(3, 0, 3), chip(5, 0, 5), chip(10, 0, 10),
			msi(6, 0),
		};

		ASSERT_EQ(0, set_routing(vm, e, 4));
	}
#endif
	knob_scenario(_metadata, vm);

	/* Many irqfds left on a VM that goes away. */
	vm = hvk_new_vm();
	ASSERT_LE(0, vm);
	{
		int fds[64];

		for (i = 0; i < 64; i++) {
			fds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			ASSERT_LE(0, fds[i]);
			ASSERT_EQ(0, irqfd(vm, fds[i], i, i % 2 ?
					   KVM_IRQFD_FLAG_RESAMPLE : 0,
					   fds[0]));
		}
		close(vm);
		for (i = 0; i < 64; i++)
			close(fds[i]);
	}

	ASSERT_EQ(0, hvk_reload(""));
	EXPECT_EQ('N', knob_value());
	/* Back to KVM's answer. */
	vm = hvk_new_vm();
	ASSERT_LE(0, vm);
	{
		int fd = eventfd(0, EFD_CLOEXEC);

		EXPECT_ERRNO(irqfd(vm, fd, 0, 0, -1), NO_IRQCHIP_IRQFD_ERRNO,
			     "without the knob");
		close(fd);
	}
	close(vm);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IOEVENTFD and KVM_(UN)REGISTER_COALESCED_MMIO: the ABI without a
 * guest. Lengths, flags, overlaps and deassignment get the in-tree KVM's
 * answers (Linux 6.1 virt/kvm/eventfd.c and coalesced_mmio.c), many
 * registrations work, an eventfd closed while registered stays usable to
 * the VM, and the coalesced ring page is mapped by every vCPU. The guest
 * side (a write signals, nothing exits) is in ARCH_iobus_test.c.
 */
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "lib.h"

#define ADDR	0x10000000ULL	/* any gpa: nothing checks it is not RAM */
#define PORT	0x600

FIXTURE(ioev) {
	int sys, vm, efd;
};

FIXTURE_SETUP(ioev)
{
	self->sys = hvk_open_dev();
	ASSERT_LE(0, self->sys);
	self->vm = ioctl(self->sys, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(ioev)
{
	close(self->efd);
	close(self->vm);
	close(self->sys);
}

static int ioev(int vm, uint64_t addr, uint32_t len, int fd, uint32_t flags,
		uint64_t datamatch)
{
	struct kvm_ioeventfd a = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
		.flags = flags,
	};

	return ioctl(vm, KVM_IOEVENTFD, &a) ? errno : 0;
}

TEST_F(ioev, capabilities)
{
	EXPECT_EQ(1, hvk_cap(self->vm, KVM_CAP_IOEVENTFD));
	EXPECT_EQ(1, hvk_cap(self->vm, KVM_CAP_IOEVENTFD_ANY_LENGTH));
	EXPECT_EQ(1, hvk_cap(self->vm, KVM_CAP_COALESCED_PIO));
	EXPECT_EQ(KVM_COALESCED_MMIO_PAGE_OFFSET,
		  hvk_cap(self->vm, KVM_CAP_COALESCED_MMIO));
#ifdef __x86_64__
	EXPECT_EQ(1, hvk_cap(self->vm, KVM_CAP_IOEVENTFD_NO_LENGTH));
#endif
}

TEST_F(ioev, each_length_assigns_and_deassigns)
{
	static const uint32_t lens[] = { 0, 1, 2, 4, 8 };
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint64_t a = ADDR + i * 0x100;

		EXPECT_EQ(0, ioev(self->vm, a, lens[i], self->efd, 0, 0))
			TH_LOG("len %u", lens[i]);
		EXPECT_EQ(0, ioev(self->vm, PORT + i * 8, lens[i], self->efd,
				  KVM_IOEVENTFD_FLAG_PIO, 0))
			TH_LOG("PIO len %u", lens[i]);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint64_t a = ADDR + i * 0x100;

		EXPECT_EQ(0, ioev(self->vm, a, lens[i], self->efd,
				  KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
		EXPECT_EQ(0, ioev(self->vm, PORT + i * 8, lens[i], self->efd,
				  KVM_IOEVENTFD_FLAG_PIO |
				  KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
		/* Gone: a second deassign finds nothing. */
		EXPECT_EQ(ENOENT, ioev(self->vm, a, lens[i], self->efd,
				       KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	}
}

TEST_F(ioev, bad_arguments)
{
	static const uint32_t bad_lens[] = { 3, 5, 6, 7, 9, 16, 0xffffffff };
	unsigned int i;

	for (i = 0; i < sizeof(bad_lens) / sizeof(bad_lens[0]); i++)
		EXPECT_EQ(EINVAL, ioev(self->vm, ADDR, bad_lens[i], self->efd,
				       0, 0)) TH_LOG("len %u", bad_lens[i]);
	/* Unknown flag bits. */
	EXPECT_EQ(EINVAL, ioev(self->vm, ADDR, 4, self->efd, 1U << 5, 0));
	EXPECT_EQ(EINVAL, ioev(self->vm, ADDR, 4, self->efd, 1U << 31, 0));
	/* A range that wraps. */
	EXPECT_EQ(EINVAL, ioev(self->vm, ~0ULL - 1, 4, self->efd, 0, 0));
	/* No length and a datamatch. */
	EXPECT_EQ(EINVAL, ioev(self->vm, ADDR, 0, self->efd,
			       KVM_IOEVENTFD_FLAG_DATAMATCH, 1));
	/* Not an eventfd, not an fd. */
	EXPECT_EQ(EINVAL, ioev(self->vm, ADDR, 4, self->sys, 0, 0));
	EXPECT_EQ(EBADF, ioev(self->vm, ADDR, 4, -1, 0, 0));
	EXPECT_EQ(EBADF, ioev(self->vm, ADDR, 4, 1 << 20, 0, 0));
	EXPECT_EQ(EBADF, ioev(self->vm, ADDR, 4, -1,
			      KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	/* Nothing registered: nothing to deassign. */
	EXPECT_EQ(ENOENT, ioev(self->vm, ADDR, 4, self->efd,
			       KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	/* A bad pointer. */
	EXPECT_EQ(-1, ioctl(self->vm, KVM_IOEVENTFD, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ioev, overlap_rules)
{
	int efd2 = eventfd(0, EFD_CLOEXEC);
	const uint32_t dm = KVM_IOEVENTFD_FLAG_DATAMATCH;

	ASSERT_LE(0, efd2);
	/* Two values on one address and size: both fit. */
	EXPECT_EQ(0, ioev(self->vm, ADDR, 4, self->efd, dm, 1));
	EXPECT_EQ(0, ioev(self->vm, ADDR, 4, efd2, dm, 2));
	/* The same value again, whatever the eventfd. */
	EXPECT_EQ(EEXIST, ioev(self->vm, ADDR, 4, efd2, dm, 1));
	/* A wildcard of that size collides with any value. */
	EXPECT_EQ(EEXIST, ioev(self->vm, ADDR, 4, self->efd, 0, 0));
	/* No length collides with everything at the address. */
	EXPECT_EQ(EEXIST, ioev(self->vm, ADDR, 0, self->efd, 0, 0));
	/* Another size at the same address is another registration. */
	EXPECT_EQ(0, ioev(self->vm, ADDR, 2, self->efd, 0, 0));
	/* The same address on the other bus is independent. */
	EXPECT_EQ(0, ioev(self->vm, ADDR & 0xffff, 4, self->efd,
			  KVM_IOEVENTFD_FLAG_PIO, 0));
	EXPECT_EQ(0, ioev(self->vm, ADDR + 8, 0, self->efd, 0, 0));
	EXPECT_EQ(EEXIST, ioev(self->vm, ADDR + 8, 8, efd2, dm, 5));

	/* Deassign must name the registration exactly. */
	EXPECT_EQ(ENOENT, ioev(self->vm, ADDR, 4, self->efd,
			       dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 2));
	EXPECT_EQ(ENOENT, ioev(self->vm, ADDR, 4, self->efd,
			       KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	EXPECT_EQ(ENOENT, ioev(self->vm, ADDR, 8, self->efd,
			       dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 1));
	EXPECT_EQ(0, ioev(self->vm, ADDR, 4, efd2,
			  dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 2));
	EXPECT_EQ(0, ioev(self->vm, ADDR, 4, self->efd,
			  dm | KVM_IOEVENTFD_FLAG_DEASSIGN, 1));
	/* With both values gone, the wildcard fits. */
	EXPECT_EQ(0, ioev(self->vm, ADDR, 4, self->efd, 0, 0));
	close(efd2);
}

/* Many registrations, then all of them gone again, in another order. */
#define NR_MANY	600

TEST_F(ioev, many_registrations)
{
	int i;

	for (i = 0; i < NR_MANY; i++)
		ASSERT_EQ(0, ioev(self->vm, ADDR + i * 4, 4, self->efd, 0, 0))
			TH_LOG("registration %d", i);
	for (i = 0; i < NR_MANY; i += 2)
		ASSERT_EQ(0, ioev(self->vm, ADDR + i * 4, 4, self->efd,
				  KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	for (i = NR_MANY - 1; i > 0; i -= 2)
		ASSERT_EQ(0, ioev(self->vm, ADDR + i * 4, 4, self->efd,
				  KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	EXPECT_EQ(ENOENT, ioev(self->vm, ADDR + 4, 4, self->efd,
			       KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
}

/*
 * The VM holds the eventfd itself: closing the VMM's fd leaves the
 * registration in place (a new eventfd cannot deassign it), and closing
 * the VM with registrations left frees them (the accounting test would
 * see a leak; here it must simply not crash).
 */
TEST_F(ioev, eventfd_closed_while_registered)
{
	int efd = eventfd(0, EFD_CLOEXEC), efd2;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, ioev(self->vm, ADDR, 4, efd, 0, 0));
	close(efd);
	efd2 = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd2);
	EXPECT_EQ(ENOENT, ioev(self->vm, ADDR, 4, efd2,
			       KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	EXPECT_EQ(EEXIST, ioev(self->vm, ADDR, 4, efd2, 0, 0));
	close(efd2);
}

static int zone(int vm, unsigned long ioctl_nr, uint64_t addr, uint32_t size,
		uint32_t pio)
{
	struct kvm_coalesced_mmio_zone z = {
		.addr = addr, .size = size, .pio = pio,
	};

	return ioctl(vm, ioctl_nr, &z) ? errno : 0;
}

TEST_F(ioev, coalesced_zones)
{
	const unsigned long reg = KVM_REGISTER_COALESCED_MMIO;
	const unsigned long unreg = KVM_UNREGISTER_COALESCED_MMIO;
	int i;

	EXPECT_EQ(0, zone(self->vm, reg, ADDR, 0x1000, 0));
	EXPECT_EQ(0, zone(self->vm, reg, ADDR, 0x1000, 0)); /* overlap: ok */
	EXPECT_EQ(0, zone(self->vm, reg, 0x3f8, 8, 1));
	EXPECT_EQ(EINVAL, zone(self->vm, reg, ADDR, 0x1000, 2));
	EXPECT_EQ(EINVAL, zone(self->vm, unreg, ADDR, 0x1000, 2));
	/* Unregistering removes zones that cover the range, if any. */
	EXPECT_EQ(0, zone(self->vm, unreg, ADDR + 0x100, 0x10, 0));
	EXPECT_EQ(0, zone(self->vm, unreg, ADDR, 0x1000, 0));
	EXPECT_EQ(0, zone(self->vm, unreg, 0x3f8, 8, 1));
	EXPECT_EQ(-1, ioctl(self->vm, reg, NULL));
	EXPECT_EQ(EFAULT, errno);
	/*
	 * A bus takes 1000 devices (KVM's NR_IOBUS_DEVS). ioeventfds do not
	 * count towards it, but a full bus takes no ioeventfd either.
	 */
	ASSERT_EQ(0, ioev(self->vm, ADDR - 0x10, 4, self->efd, 0, 0));
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, zone(self->vm, reg, ADDR + i * 0x10, 8, 0))
			TH_LOG("zone %d", i);
	EXPECT_EQ(ENOSPC, zone(self->vm, reg, ADDR + 0x100000, 8, 0));
	EXPECT_EQ(ENOSPC, ioev(self->vm, ADDR + 0x100000, 4, self->efd, 0, 0));
	EXPECT_EQ(0, zone(self->vm, unreg, ADDR, 8, 0));
	EXPECT_EQ(0, ioev(self->vm, ADDR + 0x100000, 4, self->efd, 0, 0));
	/* The PIO bus has its own 1000. */
	EXPECT_EQ(0, zone(self->vm, reg, 0x80, 1, 1));
}

/* One ring per VM, at the same page offset in every vCPU's mapping. */
TEST_F(ioev, coalesced_ring_is_shared_by_vcpus)
{
	long size = ioctl(self->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	long page = hvk_page_size();
	struct kvm_coalesced_mmio_ring *r0, *r1;
	uint8_t *m0, *m1;
	int c0, c1;

	ASSERT_GE(size, (KVM_COALESCED_MMIO_PAGE_OFFSET + 1) * page);
	c0 = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	c1 = ioctl(self->vm, KVM_CREATE_VCPU, 1);
	ASSERT_LE(0, c0);
	ASSERT_LE(0, c1);
	m0 = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, c0, 0);
	m1 = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, c1, 0);
	ASSERT_NE(MAP_FAILED, m0);
	ASSERT_NE(MAP_FAILED, m1);
	r0 = (void *)(m0 + KVM_COALESCED_MMIO_PAGE_OFFSET * page);
	r1 = (void *)(m1 + KVM_COALESCED_MMIO_PAGE_OFFSET * page);
	EXPECT_EQ(0, r0->first);
	EXPECT_EQ(0, r0->last);
	r0->first = 0x1234;
	EXPECT_EQ(0x1234, r1->first) TH_LOG("vCPUs map different rings");
	r0->first = 0;
	/* Not the kvm_run page, not each other's run page. */
	((struct kvm_run *)m0)->immediate_exit = 1;
	EXPECT_EQ(0, ((struct kvm_run *)m1)->immediate_exit);
	munmap(m0, size);
	munmap(m1, size);
	close(c0);
	close(c1);
}

TEST_HARNESS_MAIN

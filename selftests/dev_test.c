// SPDX-License-Identifier: GPL-2.0
/*
 * The system fd: what /dev/hvk (or /dev/kvm) answers before any VM exists.
 *
 * KVM_GET_API_VERSION, KVM_CHECK_EXTENSION, KVM_GET_VCPU_MMAP_SIZE and
 * KVM_CREATE_VM with good and bad arguments, unknown ioctls, and ioctls
 * that belong to other fds. Expectations are Linux 6.1 KVM's
 * (virt/kvm/kvm_main.c kvm_dev_ioctl, arch/x86/kvm/x86.c and
 * arch/arm64/kvm/arm.c, reset.c).
 */
#include <limits.h>

#include "kselftest_harness.h"
#include "lib.h"

FIXTURE(sys) {
	int fd;
};

FIXTURE_SETUP(sys)
{
	self->fd = hvk_open_dev();
	ASSERT_LE(0, self->fd)
		TH_LOG("open(%s, O_RDWR): %s", hvk_dev_path(),
		       strerror(errno));
}

FIXTURE_TEARDOWN(sys)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(sys, get_api_version_is_12)
{
	EXPECT_EQ(KVM_API_VERSION, ioctl(self->fd, KVM_GET_API_VERSION, 0))
		TH_LOG("KVM_GET_API_VERSION(0) on the system fd must be 12");
}

TEST_F(sys, get_api_version_nonzero_arg_einval)
{
	EXPECT_ERRNO(ioctl(self->fd, KVM_GET_API_VERSION, 1), EINVAL,
		     "KVM_GET_API_VERSION with arg 1");
	EXPECT_ERRNO(ioctl(self->fd, KVM_GET_API_VERSION, ~0UL), EINVAL,
		     "KVM_GET_API_VERSION with arg ~0");
}

/* Capabilities every KVM (and hvk) has, read on the system fd. */
static const struct { long cap; const char *name; } base_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS,
	  "KVM_CAP_DESTROY_MEMORY_REGION_WORKS" },
	{ KVM_CAP_JOIN_MEMORY_REGIONS_WORKS,
	  "KVM_CAP_JOIN_MEMORY_REGIONS_WORKS" },
	{ KVM_CAP_NR_VCPUS, "KVM_CAP_NR_VCPUS" },
	{ KVM_CAP_MAX_VCPUS, "KVM_CAP_MAX_VCPUS" },
	{ KVM_CAP_MAX_VCPU_ID, "KVM_CAP_MAX_VCPU_ID" },
	{ KVM_CAP_NR_MEMSLOTS, "KVM_CAP_NR_MEMSLOTS" },
	{ KVM_CAP_CHECK_EXTENSION_VM, "KVM_CAP_CHECK_EXTENSION_VM" },
#ifdef __aarch64__
	{ KVM_CAP_ARM_VM_IPA_SIZE, "KVM_CAP_ARM_VM_IPA_SIZE" },
#endif
};

TEST_F(sys, check_extension_base_caps_positive)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(base_caps); i++) {
		long v = hvk_cap(self->fd, base_caps[i].cap);

		EXPECT_LT(0, v)
			TH_LOG("KVM_CHECK_EXTENSION(%s) on the system fd must "
			       "be > 0, got %ld (%s)", base_caps[i].name, v,
			       v < 0 ? strerror(errno) : "0");
	}
}

TEST_F(sys, check_extension_vcpu_limits_consistent)
{
	long nr = hvk_cap(self->fd, KVM_CAP_NR_VCPUS);
	long max = hvk_cap(self->fd, KVM_CAP_MAX_VCPUS);
	long max_id = hvk_cap(self->fd, KVM_CAP_MAX_VCPU_ID);

	TH_LOG("NR_VCPUS=%ld MAX_VCPUS=%ld MAX_VCPU_ID=%ld NR_MEMSLOTS=%ld",
	       nr, max, max_id, hvk_cap(self->fd, KVM_CAP_NR_MEMSLOTS));
	ASSERT_LT(0, nr) TH_LOG("KVM_CAP_NR_VCPUS must be > 0");
	EXPECT_LE(nr, max)
		TH_LOG("KVM_CAP_NR_VCPUS (%ld) must be <= KVM_CAP_MAX_VCPUS "
		       "(%ld)", nr, max);
	EXPECT_LE(max, max_id)
		TH_LOG("KVM_CAP_MAX_VCPUS (%ld) must be <= "
		       "KVM_CAP_MAX_VCPU_ID (%ld)", max, max_id);
}

TEST_F(sys, check_extension_unknown_cap_is_0)
{
	static const long caps[] = { HVK_UNKNOWN_CAP, -1, 0x7fffffffL,
				     1L << 40, LONG_MIN };
	unsigned int i;

	/* Unknown caps, negative ones included, answer 0 (no error). */
	for (i = 0; i < ARRAY_SIZE(caps); i++)
		EXPECT_EQ(0, hvk_cap(self->fd, caps[i]))
			TH_LOG("KVM_CHECK_EXTENSION(%ld), a cap no KVM "
			       "defines, must be 0", caps[i]);
}

#ifdef __aarch64__
TEST_F(sys, check_extension_arm_ipa_size_at_least_32)
{
	long ipa = hvk_cap(self->fd, KVM_CAP_ARM_VM_IPA_SIZE);

	EXPECT_LE(32, ipa)
		TH_LOG("KVM_CAP_ARM_VM_IPA_SIZE must be >= 32 (the smallest "
		       "PARange), got %ld", ipa);
	EXPECT_GE(52, ipa)
		TH_LOG("KVM_CAP_ARM_VM_IPA_SIZE must be <= 52, got %ld", ipa);
}
#endif

TEST_F(sys, get_vcpu_mmap_size_page_multiple)
{
	long ps = hvk_page_size();
	long sz = ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	TH_LOG("KVM_GET_VCPU_MMAP_SIZE = %ld (%ld pages)", sz, sz / ps);
	ASSERT_LT(0, sz)
		TH_LOG("KVM_GET_VCPU_MMAP_SIZE(0) must succeed: %s",
		       strerror(errno));
	EXPECT_EQ(0, sz % ps)
		TH_LOG("KVM_GET_VCPU_MMAP_SIZE (%ld) must be a multiple of "
		       "the page size (%ld)", sz, ps);
	EXPECT_LE(sizeof(struct kvm_run), (size_t)sz)
		TH_LOG("KVM_GET_VCPU_MMAP_SIZE (%ld) must hold struct kvm_run "
		       "(%zu bytes)", sz, sizeof(struct kvm_run));
}

TEST_F(sys, get_vcpu_mmap_size_nonzero_arg_einval)
{
	EXPECT_ERRNO(ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 1), EINVAL,
		     "KVM_GET_VCPU_MMAP_SIZE with arg 1");
}

TEST_F(sys, create_vm_type_0)
{
	int vm;

	ASSERT_OK(vm, ioctl(self->fd, KVM_CREATE_VM, 0),
		  "KVM_CREATE_VM(type 0)");
	EXPECT_NE(self->fd, vm) TH_LOG("the VM fd must be a new fd");
	EXPECT_EQ(FD_CLOEXEC, fcntl(vm, F_GETFD) & FD_CLOEXEC)
		TH_LOG("KVM hands out VM fds with O_CLOEXEC");
	close(vm);
}

TEST_F(sys, create_vm_several_at_once)
{
	int vm[4], i;

	for (i = 0; i < 4; i++)
		ASSERT_OK(vm[i], ioctl(self->fd, KVM_CREATE_VM, 0),
			  "KVM_CREATE_VM #%d while %d VMs exist", i, i);
	for (i = 0; i < 4; i++)
		close(vm[i]);
}

#ifdef __x86_64__
TEST_F(sys, create_vm_bad_type_einval)
{
	/* x86 KVM accepts only type 0 (kvm_arch_init_vm) in 6.1. */
	static const unsigned long types[] = { 1, 0x80, 1UL << 20, ~0UL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		EXPECT_ERRNO(ioctl(self->fd, KVM_CREATE_VM, types[i]), EINVAL,
			     "KVM_CREATE_VM(type %#lx) on x86", types[i]);
}
#endif

#ifdef __aarch64__
TEST_F(sys, create_vm_type_bits_outside_ipa_mask_einval)
{
	/* Only bits 0-7 (KVM_VM_TYPE_ARM_IPA_SIZE_MASK) may be set. */
	static const unsigned long types[] = { 1UL << 8, 1UL << 20,
					       (1UL << 20) | 40, ~0UL };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		EXPECT_ERRNO(ioctl(self->fd, KVM_CREATE_VM, types[i]), EINVAL,
			     "KVM_CREATE_VM(type %#lx) on arm64", types[i]);
}

TEST_F(sys, create_vm_ipa_size_below_32_einval)
{
	EXPECT_ERRNO(ioctl(self->fd, KVM_CREATE_VM, 31), EINVAL,
		     "KVM_CREATE_VM(IPA size 31): below the 32-bit minimum");
	EXPECT_ERRNO(ioctl(self->fd, KVM_CREATE_VM, 1), EINVAL,
		     "KVM_CREATE_VM(IPA size 1)");
}

TEST_F(sys, create_vm_ipa_size_above_limit_einval)
{
	long limit = hvk_cap(self->fd, KVM_CAP_ARM_VM_IPA_SIZE);

	ASSERT_LE(32, limit) TH_LOG("KVM_CAP_ARM_VM_IPA_SIZE = %ld", limit);
	EXPECT_ERRNO(ioctl(self->fd, KVM_CREATE_VM, limit + 1), EINVAL,
		     "KVM_CREATE_VM(IPA size %ld): one above the limit "
		     "KVM_CAP_ARM_VM_IPA_SIZE", limit + 1);
	EXPECT_ERRNO(ioctl(self->fd, KVM_CREATE_VM, 0xff), EINVAL,
		     "KVM_CREATE_VM(IPA size 255)");
}

TEST_F(sys, create_vm_ipa_size_limit_and_32_ok)
{
	long limit = hvk_cap(self->fd, KVM_CAP_ARM_VM_IPA_SIZE);
	int vm;

	ASSERT_LE(32, limit) TH_LOG("KVM_CAP_ARM_VM_IPA_SIZE = %ld", limit);
	ASSERT_OK(vm, ioctl(self->fd, KVM_CREATE_VM, limit),
		  "KVM_CREATE_VM(IPA size %ld == KVM_CAP_ARM_VM_IPA_SIZE)",
		  limit);
	close(vm);
	ASSERT_OK(vm, ioctl(self->fd, KVM_CREATE_VM, 32),
		  "KVM_CREATE_VM(IPA size 32, the minimum)");
	close(vm);
}
#endif

TEST_F(sys, unknown_ioctl_einval)
{
	/* kvm_arch_dev_ioctl() answers -EINVAL on both arches. */
	EXPECT_ERRNO(ioctl(self->fd, HVK_UNKNOWN_IOCTL, 0), EINVAL,
		     "unknown KVMIO ioctl nr 0xff on the system fd");
	EXPECT_ERRNO(ioctl(self->fd, HVK_FOREIGN_IOCTL, 0), EINVAL,
		     "foreign-type ioctl TCGETS on the system fd");
	/* Unknown means unknown: the argument is not read first. */
	EXPECT_ERRNO(ioctl(self->fd, HVK_UNKNOWN_IOCTL_RW, NULL), EINVAL,
		     "unknown _IOWR KVMIO ioctl nr 0xfe with a NULL argument "
		     "on the system fd");
}

TEST_F(sys, vm_and_vcpu_ioctls_on_system_fd_einval)
{
	struct kvm_userspace_memory_region r = { 0 };
	void *mem = hvk_alloc(hvk_page_size());

	ASSERT_NE(MAP_FAILED, mem);
	r.memory_size = hvk_page_size();
	r.userspace_addr = (unsigned long)mem;
	EXPECT_ERRNO(ioctl(self->fd, KVM_CREATE_VCPU, 0), EINVAL,
		     "KVM_CREATE_VCPU on the system fd");
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_USER_MEMORY_REGION, &r), EINVAL,
		     "KVM_SET_USER_MEMORY_REGION on the system fd");
	EXPECT_ERRNO(ioctl(self->fd, KVM_RUN, 0), EINVAL,
		     "KVM_RUN on the system fd");
	munmap(mem, hvk_page_size());
}

TEST_F(sys, mmap_system_fd_enodev)
{
	/* The KVM chardev has no mmap method: do_mmap() gives -ENODEV. */
	void *p = mmap(NULL, hvk_page_size(), PROT_READ, MAP_SHARED,
		       self->fd, 0);
	int err = errno;

	EXPECT_EQ(MAP_FAILED, p)
		TH_LOG("mmap of the system fd must fail");
	EXPECT_EQ(ENODEV, err)
		TH_LOG("mmap of the system fd: expected ENODEV, got %s",
		       hvk_errname(err));
	if (p != MAP_FAILED)
		munmap(p, hvk_page_size());
}

TEST(open_twice_independent)
{
	int a = hvk_open_dev(), b = hvk_open_dev(), vm;

	ASSERT_LE(0, a) TH_LOG("first open(%s)", hvk_dev_path());
	ASSERT_LE(0, b) TH_LOG("second open(%s)", hvk_dev_path());
	ASSERT_OK(vm, ioctl(a, KVM_CREATE_VM, 0), "KVM_CREATE_VM on fd a");
	close(a);
	EXPECT_EQ(KVM_API_VERSION, ioctl(b, KVM_GET_API_VERSION, 0))
		TH_LOG("fd b must still answer after fd a is closed");
	EXPECT_LT(0, hvk_cap(vm, KVM_CAP_USER_MEMORY))
		TH_LOG("the VM made through fd a must outlive fd a");
	close(vm);
	close(b);
}

TEST(bad_fd_ebadf)
{
	EXPECT_ERRNO(ioctl(-1, KVM_GET_API_VERSION, 0), EBADF,
		     "KVM_GET_API_VERSION on fd -1");
	EXPECT_ERRNO(ioctl(-1, KVM_CREATE_VM, 0), EBADF,
		     "KVM_CREATE_VM on fd -1");
}

TEST(kvm_ioctls_on_dev_null_enotty)
{
	int fd = open("/dev/null", O_RDWR);

	ASSERT_LE(0, fd) TH_LOG("open(/dev/null)");
	EXPECT_ERRNO(ioctl(fd, KVM_GET_API_VERSION, 0), ENOTTY,
		     "KVM_GET_API_VERSION on /dev/null");
	EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VM, 0), ENOTTY,
		     "KVM_CREATE_VM on /dev/null");
	EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VCPU, 0), ENOTTY,
		     "KVM_CREATE_VCPU on /dev/null");
	close(fd);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU fd: the kvm_run mmap area, unknown and misdirected ioctls, and
 * use from another process. KVM_RUN itself is not exercised here.
 * Expectations are Linux 6.1 KVM's (virt/kvm/kvm_main.c kvm_vcpu_ioctl,
 * kvm_vcpu_mmap, kvm_vcpu_fault; kvm_arch_vcpu_ioctl's default -EINVAL).
 */
#include <setjmp.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "lib.h"

FIXTURE(vcpu) {
	int vm;
	int vcpu;
	long mmap_size;
};

FIXTURE_SETUP(vcpu)
{
	int sys;

	self->vm = self->vcpu = -1;
	sys = hvk_open_dev();
	ASSERT_LE(0, sys)
		TH_LOG("open(%s): %s", hvk_dev_path(), strerror(errno));
	self->mmap_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, self->mmap_size) TH_LOG("KVM_GET_VCPU_MMAP_SIZE");
	ASSERT_OK(self->vm, ioctl(sys, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
	close(sys);
	ASSERT_OK(self->vcpu, ioctl(self->vm, KVM_CREATE_VCPU, 0),
		  "KVM_CREATE_VCPU(id 0)");
}

FIXTURE_TEARDOWN(vcpu)
{
	if (self->vcpu >= 0)
		close(self->vcpu);
	if (self->vm >= 0)
		close(self->vm);
}

TEST_F(vcpu, mmap_run_area)
{
	long ps = hvk_page_size(), off;
	struct kvm_run *run;
	volatile char *p;
	char sum = 0;

	run = mmap(NULL, self->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, run)
		TH_LOG("mmap(KVM_GET_VCPU_MMAP_SIZE = %ld bytes) of the vCPU "
		       "fd: %s", self->mmap_size, strerror(errno));
	EXPECT_EQ(KVM_EXIT_UNKNOWN, run->exit_reason)
		TH_LOG("a fresh vCPU's kvm_run.exit_reason must read as "
		       "KVM_EXIT_UNKNOWN (0): the run page starts zeroed");
	/* Every page KVM_GET_VCPU_MMAP_SIZE reports must be backed. */
	p = (volatile char *)run;
	for (off = 0; off < self->mmap_size; off += ps)
		sum += p[off];
	(void)sum;
	munmap(run, self->mmap_size);
}

TEST_F(vcpu, mmap_run_area_is_shared)
{
	struct kvm_run *a, *b;

	a = mmap(NULL, self->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, a) TH_LOG("first mmap of the vCPU fd");
	b = mmap(NULL, self->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, b) TH_LOG("second mmap of the vCPU fd");
	a->immediate_exit = 1;
	EXPECT_EQ(1, ((volatile struct kvm_run *)b)->immediate_exit)
		TH_LOG("a write to kvm_run.immediate_exit through one mapping "
		       "must be seen through another: both map the vCPU's "
		       "one run page");
	a->immediate_exit = 0;
	munmap(a, self->mmap_size);
	munmap(b, self->mmap_size);
}

static sigjmp_buf fault_env;
static volatile sig_atomic_t fault_sig;

static void fault_handler(int sig)
{
	fault_sig = sig;
	siglongjmp(fault_env, 1);
}

/* Read one byte at @p; the signal it raised, or 0. */
static int touch(volatile const char *p)
{
	struct sigaction sa = { .sa_handler = fault_handler }, old_bus, old_segv;
	char c;

	fault_sig = 0;
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (!sigsetjmp(fault_env, 1)) {
		c = *p;
		(void)c;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return fault_sig;
}

TEST_F(vcpu, mmap_past_mmap_size_sigbus)
{
	long ps = hvk_page_size();
	char *p;
	int sig;

	/*
	 * KVM lets the mmap itself through; the fault on a page past the
	 * ones KVM_GET_VCPU_MMAP_SIZE covers gets VM_FAULT_SIGBUS.
	 */
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->vcpu,
		 self->mmap_size);
	ASSERT_NE(MAP_FAILED, p)
		TH_LOG("mmap of one page at offset KVM_GET_VCPU_MMAP_SIZE "
		       "(%ld) must succeed as with KVM: %s", self->mmap_size,
		       strerror(errno));
	sig = touch(p);
	EXPECT_EQ(SIGBUS, sig)
		TH_LOG("reading the page at offset KVM_GET_VCPU_MMAP_SIZE "
		       "must raise SIGBUS (%d), got signal %d", SIGBUS, sig);
	munmap(p, ps);
}

TEST_F(vcpu, mmap_longer_than_mmap_size_sigbus_past_end)
{
	long ps = hvk_page_size();
	char *p;
	int sig;

	p = mmap(NULL, self->mmap_size + ps, PROT_READ, MAP_SHARED,
		 self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, p)
		TH_LOG("mmap of KVM_GET_VCPU_MMAP_SIZE + 1 page: %s",
		       strerror(errno));
	sig = touch(p);
	EXPECT_EQ(0, sig) TH_LOG("page 0 (kvm_run) must read, got signal %d",
				 sig);
	sig = touch(p + self->mmap_size);
	EXPECT_EQ(SIGBUS, sig)
		TH_LOG("the page after KVM_GET_VCPU_MMAP_SIZE must raise "
		       "SIGBUS, got signal %d", sig);
	munmap(p, self->mmap_size + ps);
}

TEST_F(vcpu, unknown_ioctl_einval)
{
	EXPECT_ERRNO(ioctl(self->vcpu, HVK_UNKNOWN_IOCTL, 0), EINVAL,
		     "unknown KVMIO ioctl nr 0xff on the vCPU fd");
	EXPECT_ERRNO(ioctl(self->vcpu, HVK_UNKNOWN_IOCTL_RW, NULL), EINVAL,
		     "unknown _IOWR KVMIO ioctl nr 0xfe with a NULL argument "
		     "on the vCPU fd: not read first");
}

TEST_F(vcpu, foreign_type_ioctl_einval)
{
	/* kvm_vcpu_ioctl() refuses _IOC_TYPE != KVMIO with -EINVAL. */
	EXPECT_ERRNO(ioctl(self->vcpu, HVK_FOREIGN_IOCTL, 0), EINVAL,
		     "ioctl with type byte 'T' (TCGETS) on the vCPU fd");
	EXPECT_ERRNO(ioctl(self->vcpu, _IO(0xAF, 0x80), 0), EINVAL,
		     "ioctl with type byte 0xAF (KVMIO + 1), nr of KVM_RUN, "
		     "on the vCPU fd");
}

TEST_F(vcpu, system_and_vm_ioctls_on_vcpu_fd_einval)
{
	struct kvm_userspace_memory_region r = { 0 };
	void *mem = hvk_alloc(hvk_page_size());

	ASSERT_NE(MAP_FAILED, mem);
	r.memory_size = hvk_page_size();
	r.userspace_addr = (unsigned long)mem;
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_GET_API_VERSION, 0), EINVAL,
		     "KVM_GET_API_VERSION on the vCPU fd");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_CHECK_EXTENSION,
			   KVM_CAP_USER_MEMORY), EINVAL,
		     "KVM_CHECK_EXTENSION on the vCPU fd");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_GET_VCPU_MMAP_SIZE, 0), EINVAL,
		     "KVM_GET_VCPU_MMAP_SIZE on the vCPU fd");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_CREATE_VM, 0), EINVAL,
		     "KVM_CREATE_VM on the vCPU fd");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_CREATE_VCPU, 1), EINVAL,
		     "KVM_CREATE_VCPU on the vCPU fd");
	EXPECT_ERRNO(ioctl(self->vcpu, KVM_SET_USER_MEMORY_REGION, &r),
		     EINVAL, "KVM_SET_USER_MEMORY_REGION on the vCPU fd");
	munmap(mem, hvk_page_size());
}

TEST_F(vcpu, vcpu_fd_in_forked_child_eio)
{
	/* kvm_vcpu_ioctl() checks kvm->mm before anything else. */
	EXPECT_CHILD_ERRNO(self->vcpu, HVK_UNKNOWN_IOCTL, 0, EIO,
			   "the vCPU fd used from a forked child");
	EXPECT_CHILD_ERRNO(self->vcpu, HVK_FOREIGN_IOCTL, 0, EIO,
			   "the vCPU fd used from a forked child (the mm "
			   "check precedes the type check)");
	/* The parent still owns it. */
	EXPECT_ERRNO(ioctl(self->vcpu, HVK_UNKNOWN_IOCTL, 0), EINVAL,
		     "unknown ioctl on the vCPU fd in the parent afterwards");
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The VM fd: KVM_CHECK_EXTENSION on it, KVM_CREATE_VCPU with good and bad
 * ids and past the vCPU limit, unknown and misdirected ioctls, and use
 * from another process. Expectations are Linux 6.1 KVM's
 * (virt/kvm/kvm_main.c kvm_vm_ioctl, kvm_vm_ioctl_create_vcpu;
 * kvm_arch_vcpu_precreate and kvm_arch_vm_ioctl in arch/x86/kvm/x86.c and
 * arch/arm64/kvm/arm.c).
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "lib.h"

/* Past this many vCPUs, filling a VM is too slow in the lab's emulators. */
#define FILL_LIMIT 256

FIXTURE(vm) {
	int sys;
	int vm;
	long max_vcpus;
	long max_vcpu_id;
};

FIXTURE_SETUP(vm)
{
	self->vm = -1;
	self->sys = hvk_open_dev();
	ASSERT_LE(0, self->sys)
		TH_LOG("open(%s): %s", hvk_dev_path(), strerror(errno));
	ASSERT_OK(self->vm, ioctl(self->sys, KVM_CREATE_VM, 0),
		  "KVM_CREATE_VM(type 0)");
	self->max_vcpus = hvk_cap(self->vm, KVM_CAP_MAX_VCPUS);
	self->max_vcpu_id = hvk_cap(self->vm, KVM_CAP_MAX_VCPU_ID);
	ASSERT_LT(0, self->max_vcpus) TH_LOG("KVM_CAP_MAX_VCPUS on the VM fd");
	ASSERT_LE(self->max_vcpus, self->max_vcpu_id)
		TH_LOG("KVM_CAP_MAX_VCPUS <= KVM_CAP_MAX_VCPU_ID on the VM fd");
}

FIXTURE_TEARDOWN(vm)
{
	if (self->vm >= 0)
		close(self->vm);
	if (self->sys >= 0)
		close(self->sys);
}

static const struct { long cap; const char *name; } caps[] = {
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
	{ HVK_UNKNOWN_CAP, "an unknown cap (1000000)" },
#ifdef __aarch64__
	{ KVM_CAP_ARM_VM_IPA_SIZE, "KVM_CAP_ARM_VM_IPA_SIZE" },
#endif
};

TEST_F(vm, check_extension_matches_system_fd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		long on_sys = hvk_cap(self->sys, caps[i].cap);
		long on_vm = hvk_cap(self->vm, caps[i].cap);

		EXPECT_EQ(on_sys, on_vm)
			TH_LOG("KVM_CHECK_EXTENSION(%s): the VM fd (%ld) must "
			       "agree with the system fd (%ld) for a type-0 VM",
			       caps[i].name, on_vm, on_sys);
	}
	EXPECT_LT(0, hvk_cap(self->vm, KVM_CAP_USER_MEMORY))
		TH_LOG("KVM_CAP_USER_MEMORY on the VM fd must be > 0");
	EXPECT_EQ(0, hvk_cap(self->vm, HVK_UNKNOWN_CAP))
		TH_LOG("an unknown cap on the VM fd must be 0");
}

TEST_F(vm, create_vcpu_id_0)
{
	int vcpu;

	ASSERT_OK(vcpu, ioctl(self->vm, KVM_CREATE_VCPU, 0),
		  "KVM_CREATE_VCPU(id 0)");
	EXPECT_NE(self->vm, vcpu) TH_LOG("the vCPU fd must be a new fd");
	EXPECT_EQ(FD_CLOEXEC, fcntl(vcpu, F_GETFD) & FD_CLOEXEC)
		TH_LOG("KVM hands out vCPU fds with O_CLOEXEC");
	close(vcpu);
}

TEST_F(vm, create_vcpu_highest_id_ok)
{
	int vcpu;

	ASSERT_OK(vcpu, ioctl(self->vm, KVM_CREATE_VCPU,
			      self->max_vcpu_id - 1),
		  "KVM_CREATE_VCPU(id %ld == KVM_CAP_MAX_VCPU_ID - 1)",
		  self->max_vcpu_id - 1);
	close(vcpu);
}

TEST_F(vm, create_vcpu_id_max_vcpu_id_einval)
{
	EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VCPU, self->max_vcpu_id),
		     EINVAL, "KVM_CREATE_VCPU(id %ld == KVM_CAP_MAX_VCPU_ID)",
		     self->max_vcpu_id);
	EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VCPU, self->max_vcpu_id + 1),
		     EINVAL, "KVM_CREATE_VCPU(id KVM_CAP_MAX_VCPU_ID + 1)");
}

TEST_F(vm, create_vcpu_id_u32_max_einval)
{
	EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VCPU, 0xffffffffUL), EINVAL,
		     "KVM_CREATE_VCPU(id (u32)-1)");
	EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VCPU, 0x80000000UL), EINVAL,
		     "KVM_CREATE_VCPU(id 1 << 31)");
}

TEST_F(vm, create_vcpu_duplicate_id_eexist)
{
	int a, b;

	ASSERT_OK(a, ioctl(self->vm, KVM_CREATE_VCPU, 1),
		  "KVM_CREATE_VCPU(id 1)");
	EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VCPU, 1), EEXIST,
		     "a second KVM_CREATE_VCPU(id 1)");
	ASSERT_OK(b, ioctl(self->vm, KVM_CREATE_VCPU, 0),
		  "KVM_CREATE_VCPU(id 0) after the failed duplicate");
	close(a);
	EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VCPU, 1), EEXIST,
		     "KVM_CREATE_VCPU(id 1) after its fd is closed: the vCPU "
		     "lives as long as the VM");
	close(b);
}

TEST_F(vm, create_vcpu_beyond_max_vcpus_einval)
{
	long i, n = self->max_vcpus;
	int *fds;

	if (n > FILL_LIMIT)
		SKIP(return, "KVM_CAP_MAX_VCPUS is %ld (> %d): creating that "
		     "many vCPUs is too slow here", n, FILL_LIMIT);
	fds = calloc(n, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	for (i = 0; i < n; i++)
		ASSERT_OK(fds[i], ioctl(self->vm, KVM_CREATE_VCPU, i),
			  "KVM_CREATE_VCPU(id %ld), vCPU %ld of "
			  "KVM_CAP_MAX_VCPUS %ld", i, i + 1, n);
	if (n < self->max_vcpu_id)
		EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VCPU, n), EINVAL,
			     "KVM_CREATE_VCPU(id %ld): one vCPU more than "
			     "KVM_CAP_MAX_VCPUS", n);
	/* KVM checks the count before it looks for a duplicate id. */
	EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VCPU, 0), EINVAL,
		     "KVM_CREATE_VCPU(id 0, a duplicate) on a VM that has "
		     "KVM_CAP_MAX_VCPUS vCPUs: the limit is checked first");
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

struct race {
	int vm;
	unsigned long id;
	pthread_barrier_t *go;
	int fd;
	int err;
};

static void *create_vcpu_thread(void *p)
{
	struct race *r = p;

	pthread_barrier_wait(r->go);
	errno = 0;
	r->fd = ioctl(r->vm, KVM_CREATE_VCPU, r->id);
	r->err = errno;
	return NULL;
}

#define RACERS 4

TEST_F(vm, create_vcpu_same_id_racing_one_wins)
{
	struct race r[RACERS];
	pthread_barrier_t go;
	pthread_t t[RACERS];
	int i, won = 0;

	ASSERT_LE(RACERS, self->max_vcpus);
	pthread_barrier_init(&go, NULL, RACERS);
	for (i = 0; i < RACERS; i++) {
		r[i] = (struct race){ .vm = self->vm, .id = 2, .go = &go };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, create_vcpu_thread,
					    &r[i]));
	}
	for (i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < RACERS; i++) {
		if (r[i].fd >= 0) {
			won++;
			close(r[i].fd);
			continue;
		}
		EXPECT_EQ(EEXIST, r[i].err)
			TH_LOG("racing KVM_CREATE_VCPU(id 2): a loser must "
			       "get EEXIST, got %s", hvk_errname(r[i].err));
	}
	EXPECT_EQ(1, won)
		TH_LOG("%d threads racing KVM_CREATE_VCPU(id 2): exactly one "
		       "must win, %d did", RACERS, won);
	pthread_barrier_destroy(&go);
}

TEST_F(vm, create_vcpu_distinct_ids_racing_all_win)
{
	struct race r[RACERS];
	pthread_barrier_t go;
	pthread_t t[RACERS];
	int i;

	ASSERT_LE(RACERS, self->max_vcpus);
	pthread_barrier_init(&go, NULL, RACERS);
	for (i = 0; i < RACERS; i++) {
		r[i] = (struct race){ .vm = self->vm, .id = i, .go = &go };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, create_vcpu_thread,
					    &r[i]));
	}
	for (i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < RACERS; i++) {
		EXPECT_LE(0, r[i].fd)
			TH_LOG("racing KVM_CREATE_VCPU(id %d) with other ids "
			       "must succeed, got %s", i,
			       hvk_errname(r[i].err));
		if (r[i].fd >= 0)
			close(r[i].fd);
	}
	pthread_barrier_destroy(&go);
}

TEST_F(vm, unknown_ioctl)
{
	EXPECT_ERRNO(ioctl(self->vm, HVK_UNKNOWN_IOCTL, 0),
		     HVK_VM_UNKNOWN_ERRNO,
		     "unknown KVMIO ioctl nr 0xff on the VM fd (" HVK_ARCH_NAME
		     " KVM: ENOTTY on x86, EINVAL on arm64)");
	EXPECT_ERRNO(ioctl(self->vm, HVK_FOREIGN_IOCTL, 0),
		     HVK_VM_UNKNOWN_ERRNO,
		     "foreign-type ioctl TCGETS on the VM fd");
	EXPECT_ERRNO(ioctl(self->vm, HVK_UNKNOWN_IOCTL_RW, NULL),
		     HVK_VM_UNKNOWN_ERRNO,
		     "unknown _IOWR KVMIO ioctl nr 0xfe with a NULL argument "
		     "on the VM fd: not read first");
}

TEST_F(vm, system_and_vcpu_ioctls_on_vm_fd_unknown)
{
	/* Not VM ioctls: they reach kvm_arch_vm_ioctl()'s default. */
	EXPECT_ERRNO(ioctl(self->vm, KVM_GET_API_VERSION, 0),
		     HVK_VM_UNKNOWN_ERRNO, "KVM_GET_API_VERSION on the VM fd");
	EXPECT_ERRNO(ioctl(self->vm, KVM_CREATE_VM, 0),
		     HVK_VM_UNKNOWN_ERRNO, "KVM_CREATE_VM on the VM fd");
	EXPECT_ERRNO(ioctl(self->vm, KVM_GET_VCPU_MMAP_SIZE, 0),
		     HVK_VM_UNKNOWN_ERRNO,
		     "KVM_GET_VCPU_MMAP_SIZE on the VM fd");
	EXPECT_ERRNO(ioctl(self->vm, KVM_RUN, 0),
		     HVK_VM_UNKNOWN_ERRNO, "KVM_RUN on the VM fd");
}

TEST_F(vm, mmap_vm_fd_enodev)
{
	/* KVM's VM fd has no mmap method: do_mmap() gives -ENODEV. */
	void *p = mmap(NULL, hvk_page_size(), PROT_READ, MAP_SHARED,
		       self->vm, 0);
	int err = errno;

	EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap of the VM fd must fail");
	EXPECT_EQ(ENODEV, err)
		TH_LOG("mmap of the VM fd: expected ENODEV, got %s",
		       hvk_errname(err));
	if (p != MAP_FAILED)
		munmap(p, hvk_page_size());
}

TEST_F(vm, vm_fd_in_forked_child_eio)
{
	struct kvm_userspace_memory_region r = { 0 };
	void *mem = hvk_alloc(hvk_page_size());

	ASSERT_NE(MAP_FAILED, mem);
	r.memory_size = hvk_page_size();
	r.userspace_addr = (unsigned long)mem;
	/* KVM refuses every VM ioctl from an mm other than the creator's. */
	EXPECT_CHILD_ERRNO(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY,
			   EIO, "the VM fd used from a forked child");
	EXPECT_CHILD_ERRNO(self->vm, KVM_CREATE_VCPU, 0, EIO,
			   "the VM fd used from a forked child");
	EXPECT_CHILD_ERRNO(self->vm, KVM_SET_USER_MEMORY_REGION, &r, EIO,
			   "the VM fd used from a forked child");
	EXPECT_CHILD_ERRNO(self->vm, HVK_UNKNOWN_IOCTL, 0, EIO,
			   "the VM fd used from a forked child");
	/* The parent's VM is untouched: vCPU 0 and the slot are still free. */
	EXPECT_LE(0, ioctl(self->vm, KVM_CREATE_VCPU, 0))
		TH_LOG("KVM_CREATE_VCPU(id 0) in the parent after the child "
		       "was refused: %s", strerror(errno));
	EXPECT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &r))
		TH_LOG("slot 0 in the parent after the child was refused: %s",
		       strerror(errno));
	munmap(mem, hvk_page_size());
}

TEST_F(vm, system_fd_in_forked_child_creates_vm)
{
	struct hvk_child_res res;

	/* The system fd is not tied to an mm: a child makes its own VM. */
	ASSERT_EQ(0, hvk_child_ioctl(self->sys, KVM_CREATE_VM, 0, &res))
		TH_LOG("the forked child did not report");
	EXPECT_LE(0, res.ret)
		TH_LOG("KVM_CREATE_VM on an inherited system fd in a forked "
		       "child must succeed, got %ld with %s", res.ret,
		       hvk_errname(res.err));
}

TEST_F(vm, create_vcpu_on_vcpu_fd_einval)
{
	int vcpu;

	ASSERT_OK(vcpu, ioctl(self->vm, KVM_CREATE_VCPU, 0),
		  "KVM_CREATE_VCPU(id 0)");
	EXPECT_ERRNO(ioctl(vcpu, KVM_CREATE_VCPU, 1), EINVAL,
		     "KVM_CREATE_VCPU on a vCPU fd");
	EXPECT_ERRNO(ioctl(vcpu, KVM_CREATE_VM, 0), EINVAL,
		     "KVM_CREATE_VM on a vCPU fd");
	close(vcpu);
}

TEST_HARNESS_MAIN

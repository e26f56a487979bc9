// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes: the system, VM and vCPU fds and the vCPU mapping closed in
 * every order, fork and exit with objects open, many create/close cycles,
 * and the module pinned (rmmod busy) while anything of a VM is alive.
 *
 * As with KVM: a VM lives while its VM fd, a vCPU fd or a vCPU mapping
 * does; the system fd pins only the module. The module is never unloaded
 * here: delete_module() is only tried with O_NONBLOCK while /sys says the
 * module is in use.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "lib.h"

struct objs {
	int vm;
	int vcpu;
	long mmap_size;
	struct kvm_run *run;
};

/* A VM (system fd closed), vCPU 0 and its mapping; 0 or -1. */
static int make_objs(struct objs *o)
{
	int sys = hvk_open_dev();

	memset(o, 0, sizeof(*o));
	o->vm = o->vcpu = -1;
	o->run = MAP_FAILED;
	if (sys < 0)
		return -1;
	o->mmap_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	o->vm = ioctl(sys, KVM_CREATE_VM, 0);
	close(sys);
	if (o->mmap_size <= 0 || o->vm < 0)
		return -1;
	o->vcpu = ioctl(o->vm, KVM_CREATE_VCPU, 0);
	if (o->vcpu < 0)
		return -1;
	o->run = mmap(NULL, o->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      o->vcpu, 0);
	return o->run == MAP_FAILED ? -1 : 0;
}

TEST(close_system_fd_first)
{
	int sys = hvk_open_dev(), vm, vcpu, r;
	void *mem = hvk_alloc(hvk_page_size());

	ASSERT_LE(0, sys) TH_LOG("open(%s)", hvk_dev_path());
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_OK(vm, ioctl(sys, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
	close(sys);
	EXPECT_LT(0, hvk_cap(vm, KVM_CAP_USER_MEMORY))
		TH_LOG("KVM_CHECK_EXTENSION on the VM fd after closing the "
		       "system fd");
	EXPECT_OK(r, hvk_set_region(vm, 0, 0, 0, hvk_page_size(),
				    (uintptr_t)mem),
		  "KVM_SET_USER_MEMORY_REGION after closing the system fd");
	ASSERT_OK(vcpu, ioctl(vm, KVM_CREATE_VCPU, 0),
		  "KVM_CREATE_VCPU after closing the system fd");
	close(vcpu);
	close(vm);
	munmap(mem, hvk_page_size());
}

TEST(close_vm_fd_before_vcpu_fd)
{
	struct kvm_run *run2;
	struct objs o;

	ASSERT_EQ(0, make_objs(&o))
		TH_LOG("VM, vCPU 0 and its mapping: %s", strerror(errno));
	close(o.vm);
	/* The vCPU fd keeps the VM alive: it still answers ioctls. */
	EXPECT_ERRNO(ioctl(o.vcpu, HVK_UNKNOWN_IOCTL, 0), EINVAL,
		     "unknown ioctl on the vCPU fd after its VM fd is closed "
		     "(EINVAL as before, not EIO or EBADF)");
	EXPECT_EQ(KVM_EXIT_UNKNOWN, o.run->exit_reason)
		TH_LOG("the existing mapping still reads kvm_run");
	run2 = mmap(NULL, o.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    o.vcpu, 0);
	ASSERT_NE(MAP_FAILED, run2)
		TH_LOG("a new mmap of the vCPU fd after its VM fd is closed: "
		       "%s", strerror(errno));
	o.run->immediate_exit = 1;
	EXPECT_EQ(1, ((volatile struct kvm_run *)run2)->immediate_exit)
		TH_LOG("the new mapping shows the same run page");
	munmap(run2, o.mmap_size);
	close(o.vcpu);
	munmap(o.run, o.mmap_size);
}

TEST(close_vcpu_fd_then_vm_fd)
{
	struct objs o;
	int vcpu1;

	ASSERT_EQ(0, make_objs(&o))
		TH_LOG("VM, vCPU 0 and its mapping: %s", strerror(errno));
	munmap(o.run, o.mmap_size);
	close(o.vcpu);
	ASSERT_OK(vcpu1, ioctl(o.vm, KVM_CREATE_VCPU, 1),
		  "KVM_CREATE_VCPU(id 1) after vCPU 0's fd is closed");
	EXPECT_ERRNO(ioctl(o.vm, KVM_CREATE_VCPU, 0), EEXIST,
		     "vCPU 0 still exists though its fd is closed");
	close(vcpu1);
	close(o.vm);
}

TEST(munmap_after_all_fds_closed)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o))
		TH_LOG("VM, vCPU 0 and its mapping: %s", strerror(errno));
	close(o.vm);
	close(o.vcpu);
	/* The mapping holds the vCPU file, hence the VM. */
	EXPECT_EQ(KVM_EXIT_UNKNOWN, o.run->exit_reason)
		TH_LOG("the run page still reads after every fd is closed");
	o.run->immediate_exit = 1;
	EXPECT_EQ(0, munmap(o.run, o.mmap_size))
		TH_LOG("munmap of the run area after every fd is closed");
}

TEST(dup_vm_fd)
{
	int vm, vm2, vcpu;

	ASSERT_OK(vm, hvk_new_vm(), "KVM_CREATE_VM");
	vm2 = dup(vm);
	ASSERT_LE(0, vm2) TH_LOG("dup of the VM fd");
	close(vm);
	ASSERT_OK(vcpu, ioctl(vm2, KVM_CREATE_VCPU, 0),
		  "KVM_CREATE_VCPU through a dup of the closed VM fd");
	close(vcpu);
	close(vm2);
}

TEST(interleaved_close_order)
{
	enum { VMS = 6, VCPUS = 3 };
	int fds[VMS * (VCPUS + 1)], n = 0, i, j;

	for (i = 0; i < VMS; i++) {
		int vm;

		ASSERT_OK(vm, hvk_new_vm(), "VM %d", i);
		fds[n++] = vm;
		for (j = 0; j < VCPUS; j++, n++)
			ASSERT_OK(fds[n], ioctl(vm, KVM_CREATE_VCPU, j),
				  "vCPU %d of VM %d", j, i);
	}
	/* Close with stride 5 (coprime to 24): VMs and vCPUs mixed. */
	for (i = 0, j = 0; i < n; i++, j = (j + 5) % n)
		EXPECT_EQ(0, close(fds[j])) TH_LOG("close of fd #%d", j);
}

TEST(child_exits_with_objects_open)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct objs o;

		/* Exit with the VM, vCPU and mapping all still open. */
		_exit(make_objs(&o) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("a child that made a VM, vCPU and mapping and exited "
		       "without closing them: status %#x", status);
}

TEST(child_inherits_and_exits)
{
	struct objs o;
	int status, vcpu1;
	pid_t pid;

	ASSERT_EQ(0, make_objs(&o))
		TH_LOG("VM, vCPU 0 and its mapping: %s", strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The inherited mapping reads; then drop everything. */
		int ok = o.run->exit_reason == KVM_EXIT_UNKNOWN;

		close(o.vcpu);
		close(o.vm);
		_exit(ok ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the child read the inherited run mapping: status %#x",
		       status);
	ASSERT_OK(vcpu1, ioctl(o.vm, KVM_CREATE_VCPU, 1),
		  "the parent's VM works after the child closed its copies");
	close(vcpu1);
	close(o.vcpu);
	close(o.vm);
	munmap(o.run, o.mmap_size);
}

FIXTURE(cycle) {
	char *mem;
	long ps;
};

FIXTURE_SETUP(cycle)
{
	self->ps = hvk_page_size();
	self->mem = hvk_alloc(4 * self->ps);
	ASSERT_NE(MAP_FAILED, self->mem);
}

FIXTURE_TEARDOWN(cycle)
{
	munmap(self->mem, 4 * self->ps);
}

#define CYCLES 200
#define CYCLE_VCPUS 4

TEST_F_TIMEOUT(cycle, create_destroy_200_vms, 600)
{
	int i, j, sys, vm, r, vcpu[CYCLE_VCPUS];
	long mmap_size;
	void *run;

	sys = hvk_open_dev();
	ASSERT_LE(0, sys) TH_LOG("open(%s)", hvk_dev_path());
	mmap_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, mmap_size);
	for (i = 0; i < CYCLES; i++) {
		ASSERT_OK(vm, ioctl(sys, KVM_CREATE_VM, 0), "cycle %d: VM", i);
		ASSERT_OK(r, hvk_set_region(vm, 0, 0, 0, 4 * self->ps,
					    (uintptr_t)self->mem),
			  "cycle %d: memslot", i);
		for (j = 0; j < CYCLE_VCPUS; j++)
			ASSERT_OK(vcpu[j], ioctl(vm, KVM_CREATE_VCPU, j),
				  "cycle %d: vCPU %d", i, j);
		run = mmap(NULL, mmap_size, PROT_READ, MAP_SHARED, vcpu[0], 0);
		ASSERT_NE(MAP_FAILED, run) TH_LOG("cycle %d: mmap", i);
		/* Vary the close order from cycle to cycle. */
		if (i % 2)
			close(vm);
		for (j = 0; j < CYCLE_VCPUS; j++)
			close(vcpu[(i + j) % CYCLE_VCPUS]);
		if (!(i % 2))
			close(vm);
		munmap(run, mmap_size);
	}
	close(sys);
}

/* --- rmmod while busy ------------------------------------------------ */

/* The module's /sys refcnt, or -1. */
static long module_refcnt(const char *mod)
{
	char path[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mod);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

FIXTURE(rmmod) {
	const char *mod;
	long base;		/* refcnt with nothing of ours open */
	struct objs o;
};

FIXTURE_SETUP(rmmod)
{
	self->o.vm = self->o.vcpu = -1;
	self->o.run = MAP_FAILED;
	self->mod = getenv("HVK_MODULE");
	if (!self->mod || !*self->mod)
		SKIP(return, "HVK_MODULE is empty: the hypervisor is built "
		     "into the kernel (arm64 KVM), there is no module to "
		     "remove");
	self->base = module_refcnt(self->mod);
	if (self->base < 0)
		SKIP(return, "/sys/module/%s/refcnt unreadable: no module "
		     "unloading support to test", self->mod);
	ASSERT_EQ(0, make_objs(&self->o))
		TH_LOG("VM, vCPU 0 and its mapping: %s", strerror(errno));
}

FIXTURE_TEARDOWN(rmmod)
{
	if (self->o.run != MAP_FAILED)
		munmap(self->o.run, self->o.mmap_size);
	if (self->o.vcpu >= 0)
		close(self->o.vcpu);
	if (self->o.vm >= 0)
		close(self->o.vm);
}

/*
 * With something of a VM still alive, the module must be pinned (refcnt
 * above its baseline) and delete_module(O_NONBLOCK) must give EWOULDBLOCK.
 * It is only tried when /sys says the module is pinned, so a failing test
 * never unloads the module.
 */
static void check_busy(struct __test_metadata *_metadata, const char *mod,
		       long base, const char *what)
{
	long ref = module_refcnt(mod);

	ASSERT_LT(base, ref)
		TH_LOG("with %s, module %s's refcnt must be above its "
		       "baseline %ld, got %ld (not calling delete_module)",
		       what, mod, base, ref);
	EXPECT_ERRNO(syscall(SYS_delete_module, mod, O_NONBLOCK),
		     EWOULDBLOCK, "delete_module(%s, O_NONBLOCK) with %s",
		     mod, what);
	ASSERT_LE(0, module_refcnt(mod))
		TH_LOG("module %s must still be loaded", mod);
}

/*
 * The 6.1 harness runs the test body even after SKIP() in the fixture
 * setup; return at once then (the test is still reported as skipped).
 */
#define SKIPPED_IN_SETUP() do { if (_metadata->skip) return; } while (0)

TEST_F(rmmod, busy_with_vm_fd)
{
	SKIPPED_IN_SETUP();
	munmap(self->o.run, self->o.mmap_size);
	self->o.run = MAP_FAILED;
	close(self->o.vcpu);
	self->o.vcpu = -1;
	check_busy(_metadata, self->mod, self->base, "a VM fd open");
}

TEST_F(rmmod, busy_with_vcpu_fd_only)
{
	SKIPPED_IN_SETUP();
	munmap(self->o.run, self->o.mmap_size);
	self->o.run = MAP_FAILED;
	close(self->o.vm);
	self->o.vm = -1;
	check_busy(_metadata, self->mod, self->base,
		   "only a vCPU fd open (VM fd closed)");
}

TEST_F(rmmod, busy_with_vcpu_mapping_only)
{
	SKIPPED_IN_SETUP();
	close(self->o.vm);
	self->o.vm = -1;
	close(self->o.vcpu);
	self->o.vcpu = -1;
	check_busy(_metadata, self->mod, self->base,
		   "only a vCPU mapping left (all fds closed)");
}

TEST_F(rmmod, refcnt_back_to_baseline)
{
	long ref;

	SKIPPED_IN_SETUP();
	munmap(self->o.run, self->o.mmap_size);
	self->o.run = MAP_FAILED;
	close(self->o.vcpu);
	self->o.vcpu = -1;
	close(self->o.vm);
	self->o.vm = -1;
	ref = module_refcnt(self->mod);
	EXPECT_EQ(self->base, ref)
		TH_LOG("module %s's refcnt after closing the VM, vCPU and "
		       "mapping must be back to %ld, got %ld (a leaked "
		       "reference)", self->mod, self->base, ref);
}

TEST_HARNESS_MAIN

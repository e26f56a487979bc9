// SPDX-License-Identifier: GPL-2.0
/*
 * hvk-info: show what the hypervisor device offers, then walk a VM's
 * whole life through the KVM API: create a VM, give it memory, add
 * vCPUs, map their kvm_run, try KVM_RUN, and close everything.
 *
 * It is an ordinary KVM client: it opens $HVK_DEV (default /dev/hvk,
 * through libhvk), and runs the same against /dev/kvm. Exit status 0 when every step that
 * must work did.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "libhvk.h"

#define GUEST_MEM	(2UL << 20)

static int failures;

static void step(const char *what, long r)
{
	if (r < 0) {
		printf("  %-40s FAILED: %s\n", what, strerror(errno));
		failures++;
	} else {
		printf("  %-40s ok (%ld)\n", what, r);
	}
}

static const struct { long cap; const char *name; } caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_NR_VCPUS, "KVM_CAP_NR_VCPUS" },
	{ KVM_CAP_MAX_VCPUS, "KVM_CAP_MAX_VCPUS" },
	{ KVM_CAP_MAX_VCPU_ID, "KVM_CAP_MAX_VCPU_ID" },
	{ KVM_CAP_NR_MEMSLOTS, "KVM_CAP_NR_MEMSLOTS" },
	{ KVM_CAP_CHECK_EXTENSION_VM, "KVM_CAP_CHECK_EXTENSION_VM" },
	{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS,
	  "KVM_CAP_DESTROY_MEMORY_REGION_WORKS" },
	{ KVM_CAP_JOIN_MEMORY_REGIONS_WORKS,
	  "KVM_CAP_JOIN_MEMORY_REGIONS_WORKS" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM" },
#ifdef __aarch64__
	{ KVM_CAP_ARM_VM_IPA_SIZE, "KVM_CAP_ARM_VM_IPA_SIZE" },
	{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2" },
#endif
};

int main(void)
{
	const char *dev = hvk_dev_path();
	struct kvm_run *run = MAP_FAILED;
	int sys, vm, vcpu[2];
	long mmap_size;
	unsigned int i;
	void *mem;

	sys = hvk_open_dev();
	if (sys < 0) {
		fprintf(stderr, "hvk-info: cannot open %s: %s\n", dev,
			strerror(errno));
		return 1;
	}
	printf("%s: KVM API version %d\n", dev,
	       ioctl(sys, KVM_GET_API_VERSION, 0));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("  %-40s %d\n", caps[i].name,
		       ioctl(sys, KVM_CHECK_EXTENSION, caps[i].cap));
	mmap_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);

	printf("a VM's life:\n");
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	step("KVM_CREATE_VM", vm);
	if (vm < 0)
		return 1;

	mem = hvk_alloc(GUEST_MEM);
	if (mem == MAP_FAILED)
		return 1;
	step("KVM_SET_USER_MEMORY_REGION 2 MiB @ 0",
	     hvk_set_region(vm, 0, 0, 0, GUEST_MEM, (uintptr_t)mem));

	step("KVM_GET_VCPU_MMAP_SIZE", mmap_size);
	/* vCPU 0 with its kvm_run mapped (hvk_step() names what failed). */
	vcpu[0] = mmap_size > 0 ?
		  hvk_vcpu_create(vm, 0, mmap_size, &run) : -1;
	step(vcpu[0] < 0 ? hvk_step() : "KVM_CREATE_VCPU 0, mmap(kvm_run)",
	     vcpu[0]);
	vcpu[1] = ioctl(vm, KVM_CREATE_VCPU, 1);
	step("KVM_CREATE_VCPU 1", vcpu[1]);
	if (vcpu[0] >= 0) {
		struct kvm_run *r = run;

		printf("  kvm_run.exit_reason = %u\n", r->exit_reason);
		/*
		 * No guest code is loaded, so ask KVM_RUN to return before
		 * entering the guest (immediate_exit): KVM answers -EINTR.
		 * Not a failure of this tool either way: guest execution may
		 * not exist yet.
		 */
		r->immediate_exit = 1;
		if (ioctl(vcpu[0], KVM_RUN, 0) < 0)
			printf("  %-40s %s\n", "KVM_RUN (immediate_exit=1)",
			       strerror(errno));
		munmap(run, mmap_size);
	}

	step("delete memslot 0", hvk_set_region(vm, 0, 0, 0, 0,
						 (uintptr_t)mem));
	close(vcpu[0]);
	close(vm);
	close(vcpu[1]);
	close(sys);
	printf("%s\n", failures ? "FAILED" : "all fds closed: done");
	return failures ? 1 : 0;
}

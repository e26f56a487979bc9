// SPDX-License-Identifier: GPL-2.0
/*
 * libhvk: the device, memslots, vCPUs and struct hvk_vm.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhvk.h"
#include "internal.h"

static __thread const char *last_step = "none";

const char *hvk_step(void)
{
	return last_step;
}

int hvk_fail(const char *step)
{
	last_step = step;
	return -1;
}

const char *hvk_errname(int err)
{
	const char *n = err ? strerrorname_np(err) : "no error";

	return n ? n : "unknown errno";
}

const char *hvk_dev_path(void)
{
	const char *p = getenv(HVK_DEV_ENV);

	return p && *p ? p : HVK_DEV_PATH;
}

int hvk_open_dev(void)
{
	int fd = open(hvk_dev_path(), O_RDWR | O_CLOEXEC);

	return fd < 0 ? hvk_fail("open the device") : fd;
}

int hvk_set_region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		   uint64_t size, uint64_t hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = hva,
	};

	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r))
		return hvk_fail("KVM_SET_USER_MEMORY_REGION");
	return 0;
}

void *hvk_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		hvk_fail("mmap of guest memory");
	return p;
}

int hvk_vcpu_create(int vm, int id, long run_size, struct kvm_run **run)
{
	int fd = ioctl(vm, KVM_CREATE_VCPU, id), err;
	void *p;

	if (fd < 0)
		return hvk_fail("KVM_CREATE_VCPU");
	p = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = errno;
		close(fd);
		errno = err;
		return hvk_fail("mmap of kvm_run");
	}
	*run = p;
	return fd;
}

void hvk_vcpu_destroy(int vcpu, struct kvm_run *run, long run_size)
{
	if (run && run != MAP_FAILED)
		munmap(run, run_size);
	if (vcpu >= 0)
		close(vcpu);
}

void hvk_load_code(void *hva, const void *start, const void *end)
{
	size_t n = (const char *)end - (const char *)start;

	memcpy(hva, start, n);
	/* The guest fetches through its own view; arm64 needs the I-cache
	 * made coherent with what the host just wrote. */
	__builtin___clear_cache((char *)hva, (char *)hva + n);
}

int hvk_vm_create(struct hvk_vm *vm, unsigned long type)
{
	int err;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->sys = hvk_open_dev();
	if (vm->sys < 0)
		return -1;
	vm->run_size = ioctl(vm->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (long)sizeof(struct kvm_run)) {
		if (vm->run_size >= 0)
			errno = EINVAL;
		hvk_fail("KVM_GET_VCPU_MMAP_SIZE");
		goto err;
	}
	vm->fd = ioctl(vm->sys, KVM_CREATE_VM, type);
	if (vm->fd < 0) {
		hvk_fail("KVM_CREATE_VM");
		goto err;
	}
	return 0;
err:
	err = errno;
	hvk_vm_destroy(vm);
	errno = err;
	return -1;
}

void hvk_vm_destroy(struct hvk_vm *vm)
{
	int i;

	for (i = 0; i < vm->nvcpus; i++)
		hvk_vcpu_destroy(vm->vcpu[i].fd, vm->vcpu[i].run,
				 vm->vcpu[i].run_size);
	vm->nvcpus = 0;
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->sys >= 0)
		close(vm->sys);
	vm->fd = vm->sys = -1;
	/* The VM is gone, and its memslots with it: now the backing. */
	for (i = 0; i < vm->nmem; i++)
		munmap(vm->mem[i].hva, vm->mem[i].size);
	vm->nmem = 0;
}

void *hvk_vm_add_mem(struct hvk_vm *vm, uint32_t slot, uint32_t flags,
		     uint64_t gpa, uint64_t size)
{
	struct hvk_mem *m;
	void *p;
	int err;

	if (vm->nmem >= HVK_VM_MAX_SLOTS) {
		errno = ENOSPC;
		hvk_fail("too many memslots for struct hvk_vm");
		return NULL;
	}
	p = hvk_alloc(size);
	if (p == MAP_FAILED)
		return NULL;
	if (hvk_set_region(vm->fd, slot, flags, gpa, size, (uintptr_t)p)) {
		err = errno;
		munmap(p, size);
		errno = err;
		return NULL;
	}
	m = &vm->mem[vm->nmem++];
	m->slot = slot;
	m->flags = flags;
	m->gpa = gpa;
	m->size = size;
	m->hva = p;
	return p;
}

void *hvk_vm_gpa(struct hvk_vm *vm, uint64_t gpa, uint64_t len)
{
	int i;

	for (i = 0; i < vm->nmem; i++) {
		struct hvk_mem *m = &vm->mem[i];

		if (gpa >= m->gpa && len <= m->size &&
		    gpa - m->gpa <= m->size - len)
			return m->hva + (gpa - m->gpa);
	}
	return NULL;
}

int hvk_vm_load(struct hvk_vm *vm, uint64_t gpa, const void *start,
		const void *end)
{
	void *hva = hvk_vm_gpa(vm, gpa, (const char *)end -
			       (const char *)start);

	if (!hva) {
		errno = E2BIG;
		return hvk_fail("guest code outside guest memory");
	}
	hvk_load_code(hva, start, end);
	return 0;
}

struct hvk_vcpu *hvk_vm_add_vcpu(struct hvk_vm *vm, int id)
{
	struct hvk_vcpu *c;

	if (vm->nvcpus >= HVK_VM_MAX_VCPUS) {
		errno = ENOSPC;
		hvk_fail("too many vCPUs for struct hvk_vm");
		return NULL;
	}
	c = &vm->vcpu[vm->nvcpus];
	c->fd = hvk_vcpu_create(vm->fd, id, vm->run_size, &c->run);
	if (c->fd < 0)
		return NULL;
	c->id = id;
	c->run_size = vm->run_size;
	vm->nvcpus++;
	return c;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU fd: KVM_CREATE_VCPU, the vCPU ioctls, the mmap of struct
 * kvm_run, and KVM_RUN's entry into the arch run loop.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "arch.h"
#include "hvk.h"
#include "request.h"

static long hvk_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	struct hvk_vcpu *vcpu = filp->private_data;
	long r;

	if (hvk_vm_unusable(vcpu->vm))
		return -EIO;
	if (_IOC_TYPE(ioctl) != KVMIO)
		return -EINVAL;

	/* One ioctl at a time per vCPU: a second KVM_RUN waits, as in KVM. */
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;

	switch (ioctl) {
	case KVM_RUN:
		if (arg) {
			r = -EINVAL;
			break;
		}
		hvk_vcpu_run_begin(vcpu);
		r = hvk_arch_vcpu_run(vcpu);
		hvk_vcpu_stats_run_done(vcpu, r);
		break;
	case KVM_GET_STATS_FD:
		r = hvk_vcpu_stats_fd(vcpu);
		break;
	default:
		r = hvk_arch_vcpu_ioctl(vcpu, ioctl, arg);
		break;
	}

	mutex_unlock(&vcpu->mutex);
	return r;
}

/*
 * The run area is mapped page by page on fault. Offsets past it get
 * SIGBUS on access, as with KVM, rather than failing mmap().
 */
static vm_fault_t hvk_vcpu_fault(struct vm_fault *vmf)
{
	struct hvk_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff >= vcpu->nr_run_pages)
		return VM_FAULT_SIGBUS;
	/* The VM's one coalesced-MMIO ring, the same page in every vCPU. */
	if (vmf->pgoff == KVM_COALESCED_MMIO_PAGE_OFFSET)
		page = virt_to_page(vcpu->vm->io.ring);
	else
		page = vcpu->run_pages[vmf->pgoff];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hvk_vcpu_vm_ops = {
	.fault = hvk_vcpu_fault,
};

static int hvk_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &hvk_vcpu_vm_ops;
	return 0;
}

static int hvk_vcpu_release(struct inode *inode, struct file *filp)
{
	struct hvk_vcpu *vcpu = filp->private_data;

	/* The vCPU lives on in its VM; only the fd's reference goes. */
	hvk_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations hvk_vcpu_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvk_vcpu_ioctl,
	.mmap		= hvk_vcpu_mmap,
	.release	= hvk_vcpu_release,
	.llseek		= noop_llseek,
};

static void hvk_vcpu_free_run(struct hvk_vcpu *vcpu)
{
	unsigned int i;

	for (i = 0; i < vcpu->nr_run_pages; i++)
		if (vcpu->run_pages[i])
			__free_page(vcpu->run_pages[i]);
	kfree(vcpu->run_pages);
}

static int hvk_vcpu_alloc_run(struct hvk_vcpu *vcpu)
{
	unsigned int i, n = hvk_arch_run_pages();

	vcpu->run_pages = kcalloc(n, sizeof(*vcpu->run_pages),
				  GFP_KERNEL_ACCOUNT);
	if (!vcpu->run_pages)
		return -ENOMEM;
	vcpu->nr_run_pages = n;
	for (i = 0; i < n; i++) {
		/* That page is the VM's ring (hvk_vcpu_fault()), not ours. */
		if (i == KVM_COALESCED_MMIO_PAGE_OFFSET)
			continue;
		vcpu->run_pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!vcpu->run_pages[i]) {
			hvk_vcpu_free_run(vcpu);
			return -ENOMEM;
		}
	}
	vcpu->run = page_address(vcpu->run_pages[0]);
	return 0;
}

/**
 * hvk_vcpu_create() - KVM_CREATE_VCPU
 * @vm: the VM
 * @id: the vCPU id, below KVM_CAP_MAX_VCPU_ID
 *
 * Checks in KVM's order: id range, vCPU count, duplicate id.
 *
 * Return: a new vCPU fd, or -EINVAL, -EEXIST, -ENOMEM.
 */
int hvk_vcpu_create(struct hvk_vm *vm, u32 id)
{
	struct hvk_vcpu *vcpu;
	unsigned int i;
	int r, fd;

	if (id >= HVK_MAX_VCPU_ID)
		return -EINVAL;

	mutex_lock(&vm->lock);
	if (vm->nr_vcpus >= hvk_max_vcpus) {
		r = -EINVAL;
		goto out_unlock;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i]->id == id) {
			r = -EEXIST;
			goto out_unlock;
		}
	}

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu) {
		r = -ENOMEM;
		goto out_unlock;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	init_waitqueue_head(&vcpu->wq);

	r = hvk_vcpu_alloc_run(vcpu);
	if (r)
		goto err_free_vcpu;

	r = hvk_arch_vcpu_create(vcpu);
	if (r)
		goto err_free_run;

	/* The fd's reference; our caller's VM fd keeps vm alive till here. */
	hvk_vm_get(vm);
	fd = anon_inode_getfd("hvk-vcpu", &hvk_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_put_vm;
	}

	/*
	 * Published last: nothing after this point can fail. The release
	 * orders the vCPU's setup and its slot before the count that
	 * lockless readers (hvk_vm_for_each_vcpu()) read with acquire.
	 */
	WRITE_ONCE(vm->vcpus[vm->nr_vcpus], vcpu);
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
	mutex_unlock(&vm->lock);
	return fd;

err_put_vm:
	hvk_vm_put(vm);
	hvk_arch_vcpu_destroy(vcpu);
err_free_run:
	hvk_vcpu_free_run(vcpu);
err_free_vcpu:
	kfree(vcpu);
out_unlock:
	mutex_unlock(&vm->lock);
	return r;
}

/**
 * hvk_vcpu_destroy() - free a vCPU when its VM goes
 * @vcpu: the vCPU; its fd is closed and no thread runs it
 */
void hvk_vcpu_destroy(struct hvk_vcpu *vcpu)
{
	hvk_arch_vcpu_destroy(vcpu);
	hvk_vcpu_free_run(vcpu);
	mutex_destroy(&vcpu->mutex);
	kfree(vcpu);
}

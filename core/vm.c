// SPDX-License-Identifier: GPL-2.0
/*
 * The VM fd: KVM_CREATE_VM, the VM ioctls, memslot updates, and the VM's
 * lifetime (see the rules in hvk.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "hvk.h"

/* KVM_MEM_* flags hvk implements; dirty logging is not done yet. */
#define HVK_MEM_VALID_FLAGS	KVM_MEM_READONLY

static void hvk_vm_destroy(struct kref *ref)
{
	struct hvk_vm *vm = container_of(ref, struct hvk_vm, ref);
	unsigned int i;

	/*
	 * The last reference: no fd and no vCPU thread can reach us, only
	 * irqfds can still inject. They go first, while the vCPUs and the
	 * arch's irqchip they deliver to are still there.
	 */
	hvk_irq_vm_destroy(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		hvk_vcpu_destroy(vm->vcpus[i]);
	hvk_arch_vm_destroy(vm);	/* the guest-physical table too */
	hvk_io_destroy(vm);
	kvfree(rcu_dereference_protected(vm->memslots, 1));
	cleanup_srcu_struct(&vm->srcu);
	mmdrop(vm->mm);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

void hvk_vm_get(struct hvk_vm *vm)
{
	kref_get(&vm->ref);
}

void hvk_vm_put(struct hvk_vm *vm)
{
	kref_put(&vm->ref, hvk_vm_destroy);
}

static struct hvk_memslots *hvk_memslots_alloc(u32 nr)
{
	struct hvk_memslots *slots;

	slots = kvzalloc(struct_size(slots, slots, nr), GFP_KERNEL_ACCOUNT);
	return slots;
}

/*
 * KVM_SET_USER_MEMORY_REGION. Readers of vm->memslots (the fault paths,
 * guest-memory copies) hold vm->srcu, so an update builds a new table,
 * publishes it and frees the old one after an SRCU grace period.
 */
static int hvk_vm_set_memory_region(struct hvk_vm *vm,
				    const struct kvm_userspace_memory_region *mem)
{
	struct hvk_memslots *old, *new;
	const struct hvk_memslot *gone = NULL;
	enum memslot_change change;
	u64 gone_gpa = 0, gone_size = 0;
	int r;

	r = memslot_check_region(mem, HVK_MEM_VALID_FLAGS);
	if (r)
		return r;
	/*
	 * A tagged hva (arm64 TBI, x86 LAM) is refused as KVM does: MMU
	 * notifier ranges are untagged and would never match it.
	 */
	if (mem->userspace_addr != untagged_addr(mem->userspace_addr) ||
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;

	mutex_lock(&vm->lock);
	old = rcu_dereference_protected(vm->memslots,
					lockdep_is_held(&vm->lock));
	r = memslot_plan(old, mem, &change);
	if (r || change == MEMSLOT_NONE)
		goto out_unlock;

	if (change == MEMSLOT_CREATE || change == MEMSLOT_MOVE) {
		r = hvk_arch_memslot_check(vm, mem);
		if (r)
			goto out_unlock;
	}

	new = hvk_memslots_alloc(old->nr + 1);
	if (!new) {
		r = -ENOMEM;
		goto out_unlock;
	}
	/* Deleting, moving or changing a slot drops its old mappings. */
	if (change != MEMSLOT_CREATE)
		gone = memslot_by_id(old, mem->slot);
	if (gone) {
		gone_gpa = gone->base_gfn << PAGE_SHIFT;
		gone_size = gone->npages << PAGE_SHIFT;
	}
	memslot_commit(old, new, change, mem);
	rcu_assign_pointer(vm->memslots, new);
	vm->stats.memslot_updates++;

	/*
	 * Once no reader can see the old table, no fault maps through it
	 * and no emulated access (string I/O, MMIO instruction fetch, page
	 * walk) copies through its hva any more; then the old range is
	 * unmapped, flushed and unpinned. Still under vm->lock, so a second
	 * update waits: KVM_SET_USER_MEMORY_REGION returns only when the
	 * guest can no longer reach the old memory, as with KVM. Expedited:
	 * a normal grace period waits for ticks, which take long in an
	 * emulated lab and in guests with many slot updates.
	 */
	synchronize_srcu_expedited(&vm->srcu);
	if (gone_size)
		hvk_arch_memslot_unmap(vm, gone_gpa, gone_size);
	mutex_unlock(&vm->lock);
	kvfree(old);
	return 0;

out_unlock:
	mutex_unlock(&vm->lock);
	return r;
}

static long hvk_vm_ioctl(struct file *filp, unsigned int ioctl,
			 unsigned long arg)
{
	struct hvk_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	/* A VM belongs to the process that made it, as with KVM. */
	if (hvk_vm_unusable(vm))
		return -EIO;

	switch (ioctl) {
	case KVM_CREATE_VCPU:
		/* KVM takes the id as a u32: the upper bits are ignored. */
		return hvk_vcpu_create(vm, (u32)arg);
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region mem;

		if (copy_from_user(&mem, argp, sizeof(mem)))
			return -EFAULT;
		return hvk_vm_set_memory_region(vm, &mem);
	}
	case KVM_CHECK_EXTENSION:
		return hvk_vm_check_extension(vm, arg);
	case KVM_GET_STATS_FD:
		return hvk_vm_stats_fd(vm);
	case KVM_IOEVENTFD:
		return hvk_ioeventfd_ioctl(vm, argp);
	case KVM_REGISTER_COALESCED_MMIO:
	case KVM_UNREGISTER_COALESCED_MMIO:
		return hvk_coalesced_ioctl(vm, ioctl, argp);
	case KVM_IRQFD:
	case KVM_SET_GSI_ROUTING:
	case KVM_SIGNAL_MSI:
		return hvk_irq_vm_ioctl(vm, ioctl, argp);
	default:
		return hvk_arch_vm_ioctl(vm, ioctl, arg);
	}
}

static int hvk_vm_release(struct inode *inode, struct file *filp)
{
	hvk_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations hvk_vm_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvk_vm_ioctl,
	.release	= hvk_vm_release,
	.llseek		= noop_llseek,
};

/**
 * hvk_create_vm() - KVM_CREATE_VM
 * @type: the machine type; its meaning is the arch's
 *
 * Return: a new VM fd, or a negative errno.
 */
long hvk_create_vm(unsigned long type)
{
	struct hvk_memslots *slots;
	struct hvk_vm *vm;
	int r, fd;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	mmgrab(current->mm);
	vm->mm = current->mm;
	vm->pid = task_pid_nr(current);

	r = init_srcu_struct(&vm->srcu);
	if (r)
		goto err_mmdrop;
	slots = hvk_memslots_alloc(0);
	if (!slots) {
		r = -ENOMEM;
		goto err_cleanup_srcu;
	}
	RCU_INIT_POINTER(vm->memslots, slots);
	r = hvk_io_init(vm);
	if (r)
		goto err_free_memslots;
	r = hvk_irq_vm_init(vm);
	if (r)
		goto err_io_destroy;

	r = hvk_arch_vm_init(vm, type);
	if (r)
		goto err_irq_destroy;

	fd = anon_inode_getfd("hvk-vm", &hvk_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_arch_vm_destroy;
	}
	return fd;

err_arch_vm_destroy:
	hvk_arch_vm_destroy(vm);
err_irq_destroy:
	hvk_irq_vm_destroy(vm);
err_io_destroy:
	hvk_io_destroy(vm);
err_free_memslots:
	kvfree(slots);
err_cleanup_srcu:
	cleanup_srcu_struct(&vm->srcu);
err_mmdrop:
	mmdrop(vm->mm);
	kfree(vm);
	return r;
}

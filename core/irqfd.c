// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IRQFD: writing an eventfd raises a GSI, without a VMM thread
 * entering the kernel for it (Documentation/virt/kvm/api.rst, KVM_IRQFD;
 * the errnos and their order are KVM 6.1's, virt/kvm/eventfd.c).
 *
 * An irqfd hooks a wait-queue entry on its eventfd. A write wakes it in
 * the writer's context with the eventfd's wait-queue lock held and
 * interrupts off: the wake-up reads the count and injects right there
 * (hvk_irq_set() may be called from any context):
 *   - without KVM_IRQFD_FLAG_RESAMPLE, an edge: the GSI is raised and
 *     lowered at once from HVK_IRQ_SRC_USER (an MSI route takes the
 *     raise as its message and ignores the lowering);
 *   - with it, a level: raised from HVK_IRQ_SRC_RESAMPLE and left high
 *     until the guest ends the interrupt; the irqchip's hvk_irq_ack()
 *     then lowers it and signals every resamplefd on that GSI, and the
 *     VMM raises it again through the irqfd if its device still needs it.
 *
 * Lifetime. The VM holds the irqfd, not the other way round: assign adds
 * it to vm->irq.irqfds; deassign, the eventfd's release (the wake-up
 * sees EPOLLHUP) and VM destruction take it off that list
 * (hvk_irqfd_deactivate(), in any context) and queue its shutdown on
 * hvk_irqfd_wq. The shutdown, in process context, unhooks it from the
 * eventfd (which waits for a wake-up in flight, under the wait-queue
 * lock), detaches it from its resampler and frees it. Deassign and VM
 * destruction flush the workqueue: when they return, the irqfds they
 * took off inject no more, and a VM is never freed under a shutdown.
 *
 * Locks: vm->irq.lock (a mutex) serialises assign and deassign and the
 * resampler lists' writers; vm->irq.irqfds_lock (irq-safe spinlock)
 * guards vm->irq.irqfds, since the EPOLLHUP wake-up edits it with the
 * wait-queue lock held. Nothing takes a wait-queue lock while holding
 * irqfds_lock. The resampler lists are read under RCU by hvk_irq_ack().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "arch.h"
#include "hvk.h"
#include "irq.h"
#include "irqfd.h"

/* The resample irqfds of one GSI share one level (HVK_IRQ_SRC_RESAMPLE). */
struct hvk_irqfd_resampler {
	struct list_head node;		/* vm->irq.resamplers (RCU) */
	struct list_head irqfds;	/* their ->resampler_node (RCU) */
	u32 gsi;
};

struct hvk_irqfd {
	struct hvk_vm *vm;
	struct list_head node;		/* vm->irq.irqfds; empty: inactive */
	struct eventfd_ctx *eventfd;
	u32 gsi;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct shutdown;
	/* KVM_IRQFD_FLAG_RESAMPLE only: */
	struct hvk_irqfd_resampler *resampler;
	struct eventfd_ctx *resamplefd;
	struct list_head resampler_node;
};

static struct workqueue_struct *hvk_irqfd_wq;

/*
 * A test knob (selftests/irqfd_test.c): KVM_IRQFD assigns even without an
 * in-kernel irqchip, so that the irqfd machinery (wake-ups, resamplers,
 * EPOLLHUP, VM destruction with irqfds) runs in the lab, under KASAN and
 * lockdep, before an irqchip exists; their GSIs reach no irqchip. Not
 * KVM's behaviour, hence off by default.
 */
static bool irqfd_test_no_irqchip;
module_param(irqfd_test_no_irqchip, bool, 0444);
MODULE_PARM_DESC(irqfd_test_no_irqchip,
		 "testing only: KVM_IRQFD without an in-kernel irqchip (default N)");

/* eventfd_signal() lost its count argument in 6.8. */
static void hvk_irqfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

static void hvk_irqfd_inject(struct hvk_irqfd *irqfd)
{
	struct hvk_vm *vm = irqfd->vm;

	if (irqfd->resampler) {
		hvk_irq_set(vm, HVK_IRQ_SRC_RESAMPLE, irqfd->gsi, 1, false);
	} else {
		hvk_irq_set(vm, HVK_IRQ_SRC_USER, irqfd->gsi, 1, false);
		hvk_irq_set(vm, HVK_IRQ_SRC_USER, irqfd->gsi, 0, false);
	}
}

/* Take an active irqfd off the VM's list and queue its shutdown. */
static void hvk_irqfd_deactivate(struct hvk_irqfd *irqfd)
{
	lockdep_assert_held(&irqfd->vm->irq.irqfds_lock);
	list_del_init(&irqfd->node);
	queue_work(hvk_irqfd_wq, &irqfd->shutdown);
}

/*
 * The eventfd's wake-up: with its wait-queue lock held and interrupts
 * off, in the context of whoever wrote or closed it.
 */
static int hvk_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct hvk_irqfd *irqfd = container_of(wait, struct hvk_irqfd, wait);
	__poll_t flags = key_to_poll(key);
	int ret = 0;

	if (flags & EPOLLIN) {
		u64 cnt;

		/*
		 * Consume the count: each later write wakes us again. The
		 * VM is alive: its destruction unhooks us first.
		 */
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		hvk_irqfd_inject(irqfd);
		ret = 1;
	}

	if (flags & EPOLLHUP) {
		struct hvk_vm *vm = irqfd->vm;
		unsigned long iflags;

		/*
		 * The eventfd is being released. If deassign or the VM's
		 * destruction got here first, the irqfd is off the list and
		 * its shutdown queued already; it cannot have been freed,
		 * since the shutdown unhooks us under the lock we hold.
		 */
		spin_lock_irqsave(&vm->irq.irqfds_lock, iflags);
		if (!list_empty(&irqfd->node))
			hvk_irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&vm->irq.irqfds_lock, iflags);
	}
	return ret;
}

static void hvk_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				 poll_table *pt)
{
	struct hvk_irqfd *irqfd = container_of(pt, struct hvk_irqfd, pt);

	/*
	 * Ahead of ordinary waiters (as KVM): a VMM thread also polling the
	 * eventfd does not see counts the irqfd consumes.
	 */
	add_wait_queue_priority(wqh, &irqfd->wait);
}

/* Join the resampler of @irqfd's GSI, creating it. vm->irq.lock held. */
static int hvk_irqfd_resampler_attach(struct hvk_vm *vm,
				      struct hvk_irqfd *irqfd)
{
	struct hvk_irqfd_resampler *rs;

	lockdep_assert_held(&vm->irq.lock);
	list_for_each_entry(rs, &vm->irq.resamplers, node) {
		if (rs->gsi == irqfd->gsi)
			goto found;
	}
	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs)
		return -ENOMEM;
	rs->gsi = irqfd->gsi;
	INIT_LIST_HEAD(&rs->irqfds);
	list_add_rcu(&rs->node, &vm->irq.resamplers);
found:
	irqfd->resampler = rs;
	list_add_rcu(&irqfd->resampler_node, &rs->irqfds);
	return 0;
}

/*
 * Leave the resampler; the last one out lowers the shared level (nobody
 * is left to be told of an ack) and frees it. Sleeps.
 */
static void hvk_irqfd_resampler_detach(struct hvk_irqfd *irqfd)
{
	struct hvk_irqfd_resampler *rs = irqfd->resampler;
	struct hvk_vm *vm = irqfd->vm;

	mutex_lock(&vm->irq.lock);
	list_del_rcu(&irqfd->resampler_node);
	if (list_empty(&rs->irqfds))
		list_del_rcu(&rs->node);
	else
		rs = NULL;
	mutex_unlock(&vm->irq.lock);
	/* No hvk_irq_ack() still signals our resamplefd or uses @rs. */
	synchronize_rcu();
	if (rs) {
		hvk_irq_set(vm, HVK_IRQ_SRC_RESAMPLE, rs->gsi, 0, false);
		kfree(rs);
	}
}

static void hvk_irqfd_free(struct hvk_irqfd *irqfd)
{
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
	if (irqfd->eventfd)
		eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
}

static void hvk_irqfd_shutdown(struct work_struct *work)
{
	struct hvk_irqfd *irqfd = container_of(work, struct hvk_irqfd,
					       shutdown);
	u64 cnt;

	/* Under the wait-queue lock: waits for a wake-up in flight. */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);
	if (irqfd->resampler)
		hvk_irqfd_resampler_detach(irqfd);
	hvk_irqfd_free(irqfd);
}

static int hvk_irqfd_assign(struct hvk_vm *vm, const struct kvm_irqfd *args)
{
	bool resample = args->flags & KVM_IRQFD_FLAG_RESAMPLE;
	struct hvk_irqfd *irqfd, *tmp;
	struct file *file;
	__poll_t events;
	int r;

	/*
	 * Before anything else, as KVM: x86 refuses (-EINVAL) without an
	 * in-kernel irqchip, arm64 (-EAGAIN) until its vGIC is initialized.
	 */
	r = hvk_arch_irqfd_allowed(vm, resample);
	if (r && !irqfd_test_no_irqchip)
		return r;

	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->vm = vm;
	irqfd->gsi = args->gsi;
	INIT_LIST_HEAD(&irqfd->node);
	INIT_LIST_HEAD(&irqfd->resampler_node);
	INIT_WORK(&irqfd->shutdown, hvk_irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, hvk_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, hvk_irqfd_queue_proc);

	/* Our file reference keeps EPOLLHUP away until we are hooked. */
	file = fget(args->fd);
	if (!file) {
		kfree(irqfd);
		return -EBADF;
	}
	irqfd->eventfd = eventfd_ctx_fileget(file);
	if (IS_ERR(irqfd->eventfd)) {
		r = PTR_ERR(irqfd->eventfd);
		irqfd->eventfd = NULL;
		goto err_free;
	}
	if (resample) {
		irqfd->resamplefd = eventfd_ctx_fdget(args->resamplefd);
		if (IS_ERR(irqfd->resamplefd)) {
			r = PTR_ERR(irqfd->resamplefd);
			irqfd->resamplefd = NULL;
			goto err_free;
		}
	}

	mutex_lock(&vm->irq.lock);
	/* One eventfd drives one irqfd (any GSI): -EBUSY, as KVM. */
	spin_lock_irq(&vm->irq.irqfds_lock);
	list_for_each_entry(tmp, &vm->irq.irqfds, node) {
		if (tmp->eventfd == irqfd->eventfd) {
			spin_unlock_irq(&vm->irq.irqfds_lock);
			r = -EBUSY;
			goto err_unlock;
		}
	}
	spin_unlock_irq(&vm->irq.irqfds_lock);
	if (resample) {
		r = hvk_irqfd_resampler_attach(vm, irqfd);
		if (r)
			goto err_unlock;
	}
	spin_lock_irq(&vm->irq.irqfds_lock);
	list_add_tail(&irqfd->node, &vm->irq.irqfds);
	spin_unlock_irq(&vm->irq.irqfds_lock);

	/*
	 * Hook the wake-up. A count written before it would be missed:
	 * inject for it now, as if it had just been written (the count
	 * itself is consumed by the next wake-up, as with KVM).
	 */
	events = vfs_poll(file, &irqfd->pt);
	if (events & EPOLLIN)
		hvk_irqfd_inject(irqfd);
	mutex_unlock(&vm->irq.lock);
	fput(file);
	return 0;

err_unlock:
	mutex_unlock(&vm->irq.lock);
err_free:
	fput(file);
	hvk_irqfd_free(irqfd);
	return r;
}

/*
 * Every irqfd of this eventfd on this GSI goes; none is not an error.
 * Only the fd is checked (-EBADF, -EINVAL for a non-eventfd), as KVM.
 */
static int hvk_irqfd_deassign(struct hvk_vm *vm, const struct kvm_irqfd *args)
{
	struct hvk_irqfd *irqfd, *tmp;
	struct eventfd_ctx *eventfd;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);

	mutex_lock(&vm->irq.lock);
	spin_lock_irq(&vm->irq.irqfds_lock);
	list_for_each_entry_safe(irqfd, tmp, &vm->irq.irqfds, node) {
		if (irqfd->eventfd == eventfd && irqfd->gsi == args->gsi)
			hvk_irqfd_deactivate(irqfd);
	}
	spin_unlock_irq(&vm->irq.irqfds_lock);
	mutex_unlock(&vm->irq.lock);
	eventfd_ctx_put(eventfd);

	/* On return the GSI gets nothing more from those irqfds. */
	flush_workqueue(hvk_irqfd_wq);
	return 0;
}

/**
 * hvk_irqfd_ioctl() - KVM_IRQFD
 * @vm: the VM
 * @argp: struct kvm_irqfd from userspace
 *
 * Return: 0; -EFAULT; -EINVAL (unknown flags, no irqchip on x86, not an
 * eventfd); -EAGAIN (arm64: vGIC not initialized); -EBADF; -EBUSY (the
 * eventfd already drives an irqfd); -ENOMEM.
 */
int hvk_irqfd_ioctl(struct hvk_vm *vm, void __user *argp)
{
	struct kvm_irqfd args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	if (args.flags & KVM_IRQFD_FLAG_DEASSIGN)
		return hvk_irqfd_deassign(vm, &args);
	return hvk_irqfd_assign(vm, &args);
}

/**
 * hvk_irqfd_destroy_all() - every irqfd of a dying VM goes
 * @vm: the VM at its last reference
 *
 * On return no irqfd injects into @vm any more and all are freed; their
 * eventfds stay usable by the VMM.
 */
void hvk_irqfd_destroy_all(struct hvk_vm *vm)
{
	struct hvk_irqfd *irqfd, *tmp;

	spin_lock_irq(&vm->irq.irqfds_lock);
	list_for_each_entry_safe(irqfd, tmp, &vm->irq.irqfds, node)
		hvk_irqfd_deactivate(irqfd);
	spin_unlock_irq(&vm->irq.irqfds_lock);
	/* Also the shutdowns EPOLLHUP queued before we came. */
	flush_workqueue(hvk_irqfd_wq);
	WARN_ON_ONCE(!list_empty(&vm->irq.resamplers));
}

/**
 * hvk_irq_ack() - see core/irq.h
 * @vm: the VM
 * @irqchip: the irqchip
 * @pin: its pin
 */
void hvk_irq_ack(struct hvk_vm *vm, u32 irqchip, u32 pin)
{
	struct hvk_irqfd_resampler *rs;
	struct hvk_irqfd *irqfd;
	int gsi;

	rcu_read_lock();
	gsi = irqroute_pin_gsi(rcu_dereference(vm->irq_routing), irqchip, pin);
	if (gsi < 0)
		goto out;
	list_for_each_entry_rcu(rs, &vm->irq.resamplers, node) {
		if (rs->gsi != gsi)
			continue;
		/*
		 * Lower the shared level once, then tell every VMM device on
		 * the line; one that still needs the interrupt raises it
		 * again through its irqfd.
		 */
		hvk_irq_set(vm, HVK_IRQ_SRC_RESAMPLE, gsi, 0, false);
		list_for_each_entry_rcu(irqfd, &rs->irqfds, resampler_node)
			hvk_irqfd_signal(irqfd->resamplefd);
		break;
	}
out:
	rcu_read_unlock();
}

int hvk_irqfd_init(void)
{
	hvk_irqfd_wq = alloc_workqueue("hvk-irqfd-cleanup", 0, 0);
	return hvk_irqfd_wq ? 0 : -ENOMEM;
}

void hvk_irqfd_exit(void)
{
	destroy_workqueue(hvk_irqfd_wq);
}

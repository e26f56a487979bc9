// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt routing (core/irq.h): the VM's GSI routing table, raising a
 * GSI, KVM_SIGNAL_MSI, and irqfds (core/irqfd.c) reach the irqchip
 * through here.
 *
 * The table (core/irqroute.c) is immutable once published in
 * vm->irq_routing. Readers, in any context, hold rcu_read_lock() for as
 * long as they use a route; an update publishes a new table under
 * vm->irq.lock and frees the old one after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "hvk.h"
#include "irq.h"
#include "irqfd.h"

int hvk_irq_set(struct hvk_vm *vm, int src, u32 gsi, int level,
		bool line_status)
{
	const struct hvk_irq_route *routes;
	int ret = -1;
	u32 i, n;

	if (WARN_ON_ONCE((unsigned int)src >= HVK_IRQ_NR_SOURCES))
		return -EINVAL;

	rcu_read_lock();
	n = irqroute_lookup(rcu_dereference(vm->irq_routing), gsi, &routes);
	/*
	 * KVM_IRQ_LINE_STATUS's answer across routes (KVM's kvm_set_irq()):
	 * the routes that took the interrupt add up their CPUs; the answer
	 * is < 0 only if none took it.
	 */
	for (i = 0; i < n; i++) {
		int r = hvk_arch_irq_deliver(vm, &routes[i], src, level,
					     line_status);

		if (r < 0)
			continue;
		ret = (ret < 0 ? 0 : ret) + r;
	}
	rcu_read_unlock();
	return ret;
}

static int hvk_irq_route_check(void *arg, struct hvk_irq_route *r)
{
	return hvk_arch_irq_route_check(arg, r);
}

int hvk_irq_routing_set(struct hvk_vm *vm,
			const struct kvm_irq_routing_entry *ue, unsigned int nr)
{
	struct hvk_irq_routing *new, *old;
	u32 nr_gsis;
	int r;

	if (nr > HVK_MAX_IRQ_ROUTES)
		return -EINVAL;
	r = irqroute_prepare(ue, nr, &nr_gsis);
	if (r)
		return r;
	new = kvzalloc(irqroute_size(nr, nr_gsis), GFP_KERNEL_ACCOUNT);
	if (!new)
		return -ENOMEM;
	r = irqroute_build(new, ue, nr, nr_gsis, hvk_irq_route_check, vm);
	if (r) {
		kvfree(new);
		return r;
	}

	mutex_lock(&vm->irq.lock);
	old = rcu_replace_pointer(vm->irq_routing, new,
				  lockdep_is_held(&vm->irq.lock));
	mutex_unlock(&vm->irq.lock);
	/*
	 * Wait for every delivery through the old table, as KVM does before
	 * KVM_SET_GSI_ROUTING returns. Expedited: VMMs update routes on
	 * every MSI-X vector change, and a normal grace period waits ticks.
	 */
	synchronize_rcu_expedited();
	kvfree(old);
	return 0;
}

long hvk_irq_check_extension(long ext)
{
	switch (ext) {
	case KVM_CAP_IRQFD:
	case KVM_CAP_IRQFD_RESAMPLE:
	case KVM_CAP_SIGNAL_MSI:
		return 1;
	case KVM_CAP_IRQ_ROUTING:
		return HVK_MAX_IRQ_ROUTES;
	default:
		return 0;
	}
}

/* KVM_SET_GSI_ROUTING, with the checks and their order of KVM 6.1. */
static int hvk_irq_set_gsi_routing(struct hvk_vm *vm, void __user *argp)
{
	struct kvm_irq_routing __user *urouting = argp;
	struct kvm_irq_routing_entry *entries = NULL;
	struct kvm_irq_routing routing;
	int r;

	if (copy_from_user(&routing, urouting, sizeof(routing)))
		return -EFAULT;
	if (!hvk_arch_irq_routing_allowed(vm))
		return -EINVAL;
	if (routing.nr > HVK_MAX_IRQ_ROUTES || routing.flags)
		return -EINVAL;
	if (routing.nr) {
		entries = vmemdup_user(urouting->entries,
				       array_size(sizeof(*entries),
						  routing.nr));
		if (IS_ERR(entries))
			return PTR_ERR(entries);
	}
	r = hvk_irq_routing_set(vm, entries, routing.nr);
	kvfree(entries);
	return r;
}

/*
 * KVM_SIGNAL_MSI. Without an in-kernel irqchip KVM refuses it (-EINVAL)
 * on both arches; flags other than KVM_MSI_VALID_DEVID too. The answer is
 * then the irqchip's: the CPUs it reached, 0, or -1 (which userspace
 * sees as -1 with errno EPERM, as with KVM).
 */
static int hvk_irq_signal_msi(struct hvk_vm *vm, void __user *argp)
{
	struct hvk_irq_route route = { .type = KVM_IRQ_ROUTING_MSI };
	struct kvm_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (!hvk_arch_irqchip_ready(vm) ||
	    (msi.flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	route.msi.addr = (u64)msi.address_hi << 32 | msi.address_lo;
	route.msi.data = msi.data;
	route.msi.flags = msi.flags;
	route.msi.devid = msi.devid;
	return hvk_arch_irq_deliver(vm, &route, HVK_IRQ_SRC_USER, 1, false);
}

long hvk_irq_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
		      void __user *argp)
{
	switch (ioctl) {
	case KVM_IRQFD:
		return hvk_irqfd_ioctl(vm, argp);
	case KVM_SET_GSI_ROUTING:
		return hvk_irq_set_gsi_routing(vm, argp);
	case KVM_SIGNAL_MSI:
		return hvk_irq_signal_msi(vm, argp);
	default:
		return -ENOTTY;
	}
}

int hvk_irq_init(void)
{
	return hvk_irqfd_init();
}

void hvk_irq_exit(void)
{
	hvk_irqfd_exit();
}

int hvk_irq_vm_init(struct hvk_vm *vm)
{
	mutex_init(&vm->irq.lock);
	spin_lock_init(&vm->irq.irqfds_lock);
	INIT_LIST_HEAD(&vm->irq.irqfds);
	INIT_LIST_HEAD(&vm->irq.resamplers);
	RCU_INIT_POINTER(vm->irq_routing, NULL);
	return 0;
}

void hvk_irq_vm_destroy(struct hvk_vm *vm)
{
	struct hvk_irq_routing *old;

	/* No fd reaches the VM any more: only irqfds can still inject. */
	hvk_irqfd_destroy_all(vm);
	/*
	 * The arch's irqchip is still there, and its timers (the PIT) may
	 * raise GSIs until hvk_arch_vm_destroy(): they find no route once
	 * the table is unpublished, and none still reads the old one when
	 * it is freed.
	 */
	old = rcu_replace_pointer(vm->irq_routing, NULL, true);
	if (old) {
		synchronize_rcu_expedited();
		kvfree(old);
	}
	mutex_destroy(&vm->irq.lock);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Coalesced MMIO and PIO (KVM_REGISTER_COALESCED_MMIO): guest writes to
 * a registered zone are appended to a ring the VMM reads later, instead
 * of each one exiting to userspace. Meant for write-mostly device
 * registers whose side effects can wait (a framebuffer, a UART's data
 * register with nothing to answer); reads still exit, and a VMM drains
 * the ring before it handles any exit.
 *
 * The ring is one page per VM, struct kvm_coalesced_mmio_ring, mapped by
 * every vCPU fd at page KVM_COALESCED_MMIO_PAGE_OFFSET (KVM_CHECK_
 * EXTENSION(KVM_CAP_COALESCED_MMIO) reports that offset). The kernel
 * writes entries at @last, the VMM consumes from @first; one entry stays
 * free so that first == last means empty. A write that finds the ring
 * full is not coalesced: it exits to the VMM as an ordinary MMIO/PIO
 * write, which keeps ordering (the VMM drains the ring first).
 *
 * KVM's rules: zone.pio is 0 or 1 (-EINVAL); registration takes any
 * range, overlaps included, up to the bus's device limit (-ENOSPC);
 * unregistering a range removes every zone of the same kind that covers
 * it, and succeeds even if there was none.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hvk.h"
#include "iobus.h"

#define HVK_COALESCED_MAX						\
	((PAGE_SIZE - sizeof(struct kvm_coalesced_mmio_ring)) /		\
	 sizeof(struct kvm_coalesced_mmio))

struct hvk_coalesced_zone {
	struct list_head node;		/* vm->io.coalesced_zones */
	struct kvm_coalesced_mmio_zone zone;
};

/* Is [addr, addr + len) inside the zone? */
static bool hvk_zone_covers(const struct kvm_coalesced_mmio_zone *z,
			    u64 addr, u64 len)
{
	return addr + len >= addr && addr >= z->addr &&
	       addr + len <= z->addr + z->size;
}

/**
 * hvk_coalesced_write() - a guest write inside a coalesced zone
 * @vm: the VM
 * @dev: the struct hvk_coalesced_zone
 * @addr: the address written
 * @len: bytes, 1 to 8
 * @val: the bytes
 *
 * Return: 0 (queued), or -EOPNOTSUPP (not in the zone, or the ring is
 * full: the write goes to the VMM as an exit).
 */
int hvk_coalesced_write(struct hvk_vm *vm, void *dev, u64 addr, u32 len,
			const void *val)
{
	struct hvk_coalesced_zone *z = dev;
	struct kvm_coalesced_mmio_ring *ring = vm->io.ring;
	struct kvm_coalesced_mmio *e;
	u32 last, first;

	if (!hvk_zone_covers(&z->zone, addr, len) ||
	    len > sizeof(e->data))
		return -EOPNOTSUPP;

	spin_lock(&vm->io.ring_lock);
	/* The VMM writes @first: read it once, and trust neither index. */
	last = READ_ONCE(ring->last);
	first = READ_ONCE(ring->first);
	if (last >= HVK_COALESCED_MAX ||
	    (last + 1) % HVK_COALESCED_MAX == first % HVK_COALESCED_MAX) {
		spin_unlock(&vm->io.ring_lock);
		return -EOPNOTSUPP;
	}
	e = &ring->coalesced_mmio[last];
	e->phys_addr = addr;
	e->len = len;
	e->pio = z->zone.pio;
	memset(e->data, 0, sizeof(e->data));
	memcpy(e->data, val, len);
	/* The entry is whole before the VMM can see @last move past it. */
	smp_wmb();
	WRITE_ONCE(ring->last, (last + 1) % HVK_COALESCED_MAX);
	spin_unlock(&vm->io.ring_lock);
	return 0;
}

static int hvk_coalesced_register(struct hvk_vm *vm,
				  const struct kvm_coalesced_mmio_zone *zone)
{
	struct hvk_coalesced_zone *z;
	struct hvk_io_range range;
	int r;

	if (zone->pio > 1)
		return -EINVAL;
	z = kzalloc(sizeof(*z), GFP_KERNEL_ACCOUNT);
	if (!z)
		return -ENOMEM;
	z->zone = *zone;
	range = (struct hvk_io_range) {
		.addr = zone->addr, .len = zone->size,
		.kind = HVK_IO_COALESCED, .dev = z,
	};

	mutex_lock(&vm->lock);
	r = hvk_io_bus_register(vm, zone->pio ? HVK_PIO_BUS : HVK_MMIO_BUS,
				&range);
	if (!r)
		list_add_tail(&z->node, &vm->io.coalesced_zones);
	mutex_unlock(&vm->lock);
	if (r)
		kfree(z);
	return r;
}

static int hvk_coalesced_unregister(struct hvk_vm *vm,
				    const struct kvm_coalesced_mmio_zone *zone)
{
	enum hvk_io_bus_id bus = zone->pio ? HVK_PIO_BUS : HVK_MMIO_BUS;
	struct hvk_coalesced_zone *z, *tmp;
	int r = 0;

	if (zone->pio > 1)
		return -EINVAL;
	mutex_lock(&vm->lock);
	list_for_each_entry_safe(z, tmp, &vm->io.coalesced_zones, node) {
		if (z->zone.pio != zone->pio ||
		    !hvk_zone_covers(&z->zone, zone->addr, zone->size))
			continue;
		r = hvk_io_bus_unregister(vm, bus, z, HVK_IO_COALESCED);
		if (r)
			break;	/* -ENOMEM: the zone stays, whole */
		list_del(&z->node);
		kfree(z);
	}
	mutex_unlock(&vm->lock);
	return r;
}

/**
 * hvk_coalesced_ioctl() - KVM_(UN)REGISTER_COALESCED_MMIO
 * @vm: the VM
 * @ioctl: which of the two
 * @argp: struct kvm_coalesced_mmio_zone from userspace
 *
 * Return: 0, -EFAULT, -EINVAL, -ENOSPC or -ENOMEM.
 */
int hvk_coalesced_ioctl(struct hvk_vm *vm, unsigned int ioctl,
			void __user *argp)
{
	struct kvm_coalesced_mmio_zone zone;

	if (copy_from_user(&zone, argp, sizeof(zone)))
		return -EFAULT;
	if (ioctl == KVM_REGISTER_COALESCED_MMIO)
		return hvk_coalesced_register(vm, &zone);
	return hvk_coalesced_unregister(vm, &zone);
}

/**
 * hvk_coalesced_init() - the VM's ring page, empty
 * @vm: the new VM
 *
 * Return: 0 or -ENOMEM.
 */
int hvk_coalesced_init(struct hvk_vm *vm)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return -ENOMEM;
	vm->io.ring = page_address(page);
	spin_lock_init(&vm->io.ring_lock);
	INIT_LIST_HEAD(&vm->io.coalesced_zones);
	return 0;
}

/**
 * hvk_coalesced_destroy() - free the zones and the ring of a dying VM
 * @vm: the VM at its last reference (no vCPU fd maps the ring any more:
 *      each mapping holds a vCPU fd's file, which holds the VM)
 */
void hvk_coalesced_destroy(struct hvk_vm *vm)
{
	struct hvk_coalesced_zone *z, *tmp;

	list_for_each_entry_safe(z, tmp, &vm->io.coalesced_zones, node) {
		list_del(&z->node);
		kfree(z);
	}
	free_page((unsigned long)vm->io.ring);
}

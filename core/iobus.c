// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel I/O bus: lookup, dispatch and registration (see iobus.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "arch.h"
#include "hvk.h"
#include "iobus.h"
#include "trace.h"

static struct hvk_io_ranges *hvk_io_ranges_alloc(u32 nr)
{
	struct hvk_io_ranges *rs;

	rs = kvzalloc(struct_size(rs, r, nr), GFP_KERNEL_ACCOUNT);
	return rs;
}

/* The one place a range's kind becomes a call: no indirect calls. */
static int hvk_io_dev_write(struct hvk_vcpu *vcpu,
			    const struct hvk_io_range *r, u64 addr, u32 len,
			    const void *val)
{
	switch (r->kind) {
	case HVK_IO_IOEVENTFD:
		return hvk_ioeventfd_write(r->dev, addr, len, val);
	case HVK_IO_COALESCED:
		return hvk_coalesced_write(vcpu->vm, r->dev, addr, len, val);
	case HVK_IO_ARCH:
		return hvk_arch_io_write(vcpu, r->dev, addr, len, val);
	}
	return -EOPNOTSUPP;
}

/* Of core's own devices none answers reads: those go to the VMM. */
static int hvk_io_dev_read(struct hvk_vcpu *vcpu,
			   const struct hvk_io_range *r, u64 addr, u32 len,
			   void *val)
{
	if (r->kind == HVK_IO_ARCH)
		return hvk_arch_io_read(vcpu, r->dev, addr, len, val);
	return -EOPNOTSUPP;
}

/*
 * Offer an access to the devices of a bus that has some: the ranges that
 * cover it, from the most specific start down, until one device takes it.
 */
static int hvk_io_bus_offer(struct hvk_vcpu *vcpu, enum hvk_io_bus_id bus,
			    u64 addr, u32 len, void *val, bool write)
{
	struct hvk_vm *vm = vcpu->vm;
	const struct hvk_io_ranges *rs;
	const struct hvk_io_range *r;
	int i, idx, ret = -EOPNOTSUPP;

	idx = srcu_read_lock(&vm->srcu);
	rs = srcu_dereference(vm->io.bus[bus], &vm->srcu);
	for (i = iorange_last_at_or_below(rs, addr);
	     IORANGE_MAY_REACH(rs, i, addr); i--) {
		r = &rs->r[i];
		if (!iorange_covers(r, addr, len))
			continue;
		if (write ? !hvk_io_dev_write(vcpu, r, addr, len, val) :
			    !hvk_io_dev_read(vcpu, r, addr, len, val)) {
			ret = 0;
			break;
		}
	}
	srcu_read_unlock(&vm->srcu, idx);
	return ret;
}

static void hvk_io_trace(struct hvk_vcpu *vcpu, enum hvk_io_bus_id bus,
			 u64 addr, u32 len, bool write, bool in_kernel)
{
	if (bus == HVK_PIO_BUS)
		trace_hvk_pio(vcpu->id, addr, len, write, in_kernel);
	else
		trace_hvk_mmio(vcpu->id, addr, len, write, in_kernel);
}

/**
 * hvk_io_bus_write() - offer a guest write to the VM's in-kernel devices
 * @vcpu: the vCPU that wrote
 * @bus: HVK_MMIO_BUS (@addr a gpa) or HVK_PIO_BUS (@addr a port)
 * @addr: the address written
 * @len: bytes, 1 to 8
 * @val: the bytes, in the guest's (little-endian) order
 *
 * The device that takes it ends the search (hvk_io_bus_offer()).
 *
 * Return: 0 if a device took the write, -EOPNOTSUPP if none did.
 */
int hvk_io_bus_write(struct hvk_vcpu *vcpu, enum hvk_io_bus_id bus,
		     u64 addr, u32 len, const void *val)
{
	int r = -EOPNOTSUPP;

	/* Most buses are empty most of the time: one load, no SRCU. */
	if (READ_ONCE(vcpu->vm->io.nr[bus]))
		r = hvk_io_bus_offer(vcpu, bus, addr, len, (void *)val, true);
	hvk_io_trace(vcpu, bus, addr, len, true, !r);
	return r;
}

/**
 * hvk_io_bus_read() - offer a guest read to the VM's in-kernel devices
 * @vcpu: the vCPU that reads
 * @bus: as for hvk_io_bus_write()
 * @addr: the address read
 * @len: bytes, 1 to 8
 * @val: where the device puts the bytes (little-endian)
 *
 * Return: 0 if a device answered (@val holds the data: the backend
 * completes the load at once, as if the VMM had answered), -EOPNOTSUPP
 * if none did.
 */
int hvk_io_bus_read(struct hvk_vcpu *vcpu, enum hvk_io_bus_id bus,
		    u64 addr, u32 len, void *val)
{
	int r = -EOPNOTSUPP;

	if (READ_ONCE(vcpu->vm->io.nr[bus]))
		r = hvk_io_bus_offer(vcpu, bus, addr, len, val, false);
	hvk_io_trace(vcpu, bus, addr, len, false, !r);
	return r;
}

static bool hvk_io_kind_counted(enum hvk_io_kind kind)
{
	return kind != HVK_IO_IOEVENTFD;
}

/* Publish @new on @bus and free the table it replaces, once unread. */
static void hvk_io_bus_swap(struct hvk_vm *vm, enum hvk_io_bus_id bus,
			    struct hvk_io_ranges *new)
{
	struct hvk_io_ranges *old;

	old = rcu_dereference_protected(vm->io.bus[bus],
					lockdep_is_held(&vm->lock));
	rcu_assign_pointer(vm->io.bus[bus], new);
	WRITE_ONCE(vm->io.nr[bus], new->nr);
	synchronize_srcu_expedited(&vm->srcu);
	kvfree(old);
}

/**
 * hvk_io_bus_register() - put a device's range on a bus
 * @vm: the VM, vm->lock held
 * @bus: the bus
 * @range: the range, kind and device (max_last is computed)
 *
 * Return: 0, -ENOSPC past HVK_IO_MAX_DEVS devices that count, -ENOMEM.
 */
int hvk_io_bus_register(struct hvk_vm *vm, enum hvk_io_bus_id bus,
			const struct hvk_io_range *range)
{
	struct hvk_io_ranges *old, *new;
	bool counted = hvk_io_kind_counted(range->kind);

	old = rcu_dereference_protected(vm->io.bus[bus],
					lockdep_is_held(&vm->lock));
	/* Full is full, for ioeventfds too: they only do not count. */
	if (old->nr_counted >= HVK_IO_MAX_DEVS)
		return -ENOSPC;
	new = hvk_io_ranges_alloc(old->nr + 1);
	if (!new)
		return -ENOMEM;
	iorange_insert(old, new, range, counted);
	hvk_io_bus_swap(vm, bus, new);
	return 0;
}

/**
 * hvk_io_bus_unregister() - take a device's range off a bus
 * @vm: the VM, vm->lock held
 * @bus: the bus
 * @dev: the device
 * @kind: its kind
 *
 * On return no vCPU dispatches to @dev any more: the caller may free it.
 *
 * Return: 0, -ENOENT if @dev is not on @bus, -ENOMEM.
 */
int hvk_io_bus_unregister(struct hvk_vm *vm, enum hvk_io_bus_id bus,
			  const void *dev, enum hvk_io_kind kind)
{
	struct hvk_io_ranges *old, *new;
	int r;

	old = rcu_dereference_protected(vm->io.bus[bus],
					lockdep_is_held(&vm->lock));
	new = hvk_io_ranges_alloc(old->nr ? old->nr - 1 : 0);
	if (!new)
		return -ENOMEM;
	r = iorange_remove(old, new, dev, hvk_io_kind_counted(kind));
	if (r) {
		kvfree(new);
		return r;
	}
	hvk_io_bus_swap(vm, bus, new);
	return 0;
}

/**
 * hvk_io_init() - empty buses for a new VM
 * @vm: the VM, from KVM_CREATE_VM; vm->srcu is ready
 *
 * Return: 0 or -ENOMEM; on failure nothing is left to undo.
 */
int hvk_io_init(struct hvk_vm *vm)
{
	int i, r;

	INIT_LIST_HEAD(&vm->io.ioeventfds);
	for (i = 0; i < HVK_NR_IO_BUSES; i++) {
		struct hvk_io_ranges *rs = hvk_io_ranges_alloc(0);

		if (!rs)
			goto err;
		RCU_INIT_POINTER(vm->io.bus[i], rs);
	}
	r = hvk_coalesced_init(vm);
	if (r)
		goto err;
	return 0;

err:
	for (i = 0; i < HVK_NR_IO_BUSES; i++)
		kvfree(rcu_dereference_protected(vm->io.bus[i], 1));
	return -ENOMEM;
}

/**
 * hvk_io_destroy() - free the buses and every device on them
 * @vm: the VM, at its last reference: no vCPU runs, no ioctl is in flight
 */
void hvk_io_destroy(struct hvk_vm *vm)
{
	int i;

	hvk_ioeventfd_destroy_all(vm);
	hvk_coalesced_destroy(vm);
	for (i = 0; i < HVK_NR_IO_BUSES; i++)
		kvfree(rcu_dereference_protected(vm->io.bus[i], 1));
}

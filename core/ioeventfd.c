// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IOEVENTFD: a guest write to an address (and, optionally, of a given
 * value) signals an eventfd instead of exiting to the VMM. A VMM's I/O
 * thread waits on the eventfd; the vCPU thread never leaves the kernel.
 *
 * The rules are KVM's (Documentation/virt/kvm/api.rst, KVM_IOEVENTFD):
 *   - len is 0, 1, 2, 4 or 8; 0 matches a write of any size at @addr
 *     and cannot be combined with DATAMATCH;
 *   - a hit needs the exact address and, for len > 0, the exact size;
 *     with DATAMATCH also the value (its low len bytes, little-endian,
 *     against the whole 64-bit datamatch);
 *   - two registrations collide (-EEXIST) on the same bus and address
 *     when either has len 0, or both have the same len and either is a
 *     wildcard or both match the same value;
 *   - DEASSIGN removes the one registration with the same bus, address,
 *     len, eventfd and match (-ENOENT if none);
 *   - the eventfd is held by reference: the VMM may close its fd.
 * KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY names s390's notification bus.
 * KVM accepts such registrations on every arch but nothing ever writes
 * that bus outside s390; hvk does the same: they are kept, never hit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "hvk.h"
#include "iobus.h"

#define HVK_IOEVENTFD_FLAGS	(KVM_IOEVENTFD_FLAG_DATAMATCH |	\
				 KVM_IOEVENTFD_FLAG_PIO |		\
				 KVM_IOEVENTFD_FLAG_DEASSIGN |		\
				 KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY)

/* The bus an ioeventfd lives on; CCW is s390's, never dispatched here. */
enum hvk_ioeventfd_bus {
	HVK_IOEVENTFD_MMIO = HVK_MMIO_BUS,
	HVK_IOEVENTFD_PIO = HVK_PIO_BUS,
	HVK_IOEVENTFD_CCW,
};

struct hvk_ioeventfd {
	struct list_head node;		/* vm->io.ioeventfds */
	struct eventfd_ctx *ctx;
	u64 addr;
	u64 datamatch;
	u32 len;
	enum hvk_ioeventfd_bus bus;
	bool wildcard;
};

static enum hvk_ioeventfd_bus hvk_ioeventfd_bus(u32 flags)
{
	if (flags & KVM_IOEVENTFD_FLAG_PIO)
		return HVK_IOEVENTFD_PIO;
	if (flags & KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY)
		return HVK_IOEVENTFD_CCW;
	return HVK_IOEVENTFD_MMIO;
}

/* eventfd_signal() lost its count argument in 6.8. */
static void hvk_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/**
 * hvk_ioeventfd_write() - a guest write on an ioeventfd's range
 * @dev: the struct hvk_ioeventfd
 * @addr: the address written
 * @len: bytes written
 * @val: the bytes
 *
 * Return: 0 (signalled), or -EOPNOTSUPP when size or value do not match.
 */
int hvk_ioeventfd_write(void *dev, u64 addr, u32 len, const void *val)
{
	struct hvk_ioeventfd *p = dev;
	u64 v;

	if (addr != p->addr)
		return -EOPNOTSUPP;
	if (p->len) {
		if (len != p->len)
			return -EOPNOTSUPP;
		if (!p->wildcard) {
			/* The low @len bytes, little-endian, zero-extended. */
			v = 0;
			memcpy(&v, val, len);
			v = le64_to_cpu((__force __le64)v);
			if (v != p->datamatch)
				return -EOPNOTSUPP;
		}
	}
	hvk_eventfd_signal(p->ctx);
	return 0;
}

static bool hvk_ioeventfd_collides(struct hvk_vm *vm,
				   const struct hvk_ioeventfd *p)
{
	const struct hvk_ioeventfd *q;

	list_for_each_entry(q, &vm->io.ioeventfds, node) {
		if (q->bus != p->bus || q->addr != p->addr)
			continue;
		if (!q->len || !p->len)
			return true;
		if (q->len == p->len &&
		    (q->wildcard || p->wildcard || q->datamatch == p->datamatch))
			return true;
	}
	return false;
}

static void hvk_ioeventfd_free(struct hvk_ioeventfd *p)
{
	eventfd_ctx_put(p->ctx);
	kfree(p);
}

static int hvk_ioeventfd_assign(struct hvk_vm *vm,
				const struct kvm_ioeventfd *args)
{
	struct hvk_ioeventfd *p;
	int r;

	switch (args->len) {
	case 0: case 1: case 2: case 4: case 8:
		break;
	default:
		return -EINVAL;
	}
	if (args->addr + args->len < args->addr)
		return -EINVAL;
	if (args->flags & ~HVK_IOEVENTFD_FLAGS)
		return -EINVAL;
	if (!args->len && (args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(p->ctx)) {
		r = PTR_ERR(p->ctx);
		kfree(p);
		return r;
	}
	p->addr = args->addr;
	p->len = args->len;
	p->bus = hvk_ioeventfd_bus(args->flags);
	p->wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	if (!p->wildcard)
		p->datamatch = args->datamatch;

	mutex_lock(&vm->lock);
	if (hvk_ioeventfd_collides(vm, p)) {
		r = -EEXIST;
		goto err_unlock;
	}
	if (p->bus != HVK_IOEVENTFD_CCW) {
		struct hvk_io_range range = {
			.addr = p->addr, .len = p->len,
			.kind = HVK_IO_IOEVENTFD, .dev = p,
		};

		r = hvk_io_bus_register(vm, (enum hvk_io_bus_id)p->bus,
					&range);
		if (r)
			goto err_unlock;
	}
	list_add_tail(&p->node, &vm->io.ioeventfds);
	mutex_unlock(&vm->lock);
	return 0;

err_unlock:
	mutex_unlock(&vm->lock);
	hvk_ioeventfd_free(p);
	return r;
}

/* KVM checks nothing but the fd here: a malformed request finds nothing. */
static int hvk_ioeventfd_deassign(struct hvk_vm *vm,
				  const struct kvm_ioeventfd *args)
{
	enum hvk_ioeventfd_bus bus = hvk_ioeventfd_bus(args->flags);
	bool wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	struct hvk_ioeventfd *p, *found = NULL;
	struct eventfd_ctx *ctx;
	int r = -ENOENT;

	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	mutex_lock(&vm->lock);
	list_for_each_entry(p, &vm->io.ioeventfds, node) {
		if (p->bus == bus && p->ctx == ctx && p->addr == args->addr &&
		    p->len == args->len && p->wildcard == wildcard &&
		    (wildcard || p->datamatch == args->datamatch)) {
			found = p;
			break;
		}
	}
	if (found) {
		r = 0;
		if (bus != HVK_IOEVENTFD_CCW)
			r = hvk_io_bus_unregister(vm, (enum hvk_io_bus_id)bus,
						  found, HVK_IO_IOEVENTFD);
		if (!r) {
			list_del(&found->node);
			hvk_ioeventfd_free(found);
		}
	}
	mutex_unlock(&vm->lock);
	eventfd_ctx_put(ctx);
	return r;
}

/**
 * hvk_ioeventfd_ioctl() - KVM_IOEVENTFD
 * @vm: the VM
 * @argp: struct kvm_ioeventfd from userspace
 *
 * Return: 0; -EFAULT, -EINVAL, -EBADF (not an eventfd's fd), -EEXIST,
 * -ENOENT (nothing to deassign), -ENOMEM.
 */
int hvk_ioeventfd_ioctl(struct hvk_vm *vm, void __user *argp)
{
	struct kvm_ioeventfd args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return hvk_ioeventfd_deassign(vm, &args);
	return hvk_ioeventfd_assign(vm, &args);
}

/**
 * hvk_ioeventfd_destroy_all() - drop every ioeventfd of a dying VM
 * @vm: the VM at its last reference (the buses are freed after this)
 */
void hvk_ioeventfd_destroy_all(struct hvk_vm *vm)
{
	struct hvk_ioeventfd *p, *tmp;

	list_for_each_entry_safe(p, tmp, &vm->io.ioeventfds, node) {
		list_del(&p->node);
		hvk_ioeventfd_free(p);
	}
}

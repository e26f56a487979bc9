/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel I/O bus of a VM: guest writes (and reads) that a device
 * in the kernel answers, so that they never reach the VMM.
 *
 * Each backend calls hvk_io_bus_write() / hvk_io_bus_read() with the
 * decoded access before it fills KVM_EXIT_IO or KVM_EXIT_MMIO; 0 means a
 * device took the access (the instruction completes and the guest runs
 * on), -EOPNOTSUPP that none did (the exit goes to userspace as before).
 *
 * The devices today are core's own: ioeventfds (KVM_IOEVENTFD) and
 * coalesced MMIO/PIO zones (KVM_REGISTER_COALESCED_MMIO). Dispatch is a
 * switch on enum hvk_io_kind: direct calls, nothing indirect on the exit
 * path.
 *
 * Locking: each bus is an immutable struct hvk_io_ranges published with
 * RCU semantics under the VM's SRCU (the one that guards memslots);
 * registration holds vm->lock, publishes a new table and waits for the
 * readers before it frees the old one, so a device is never freed while
 * a vCPU still dispatches to it.
 */
#ifndef HVK_CORE_IOBUS_H
#define HVK_CORE_IOBUS_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "iorange.h"

struct hvk_vm;
struct hvk_vcpu;
struct kvm_coalesced_mmio_ring;

enum hvk_io_bus_id {
	HVK_MMIO_BUS,
	HVK_PIO_BUS,
	HVK_NR_IO_BUSES,
};

/* Per VM: the buses and the devices core/ keeps on them. */
struct hvk_vm_io {
	struct hvk_io_ranges __rcu *bus[HVK_NR_IO_BUSES];
	u32 nr[HVK_NR_IO_BUSES];		/* ranges on each bus */
	struct list_head ioeventfds;		/* vm->lock */
	struct list_head coalesced_zones;	/* vm->lock */
	struct kvm_coalesced_mmio_ring *ring;	/* the VM's one ring page */
	spinlock_t ring_lock;			/* writers of @ring */
};

int hvk_io_init(struct hvk_vm *vm);
void hvk_io_destroy(struct hvk_vm *vm);

int hvk_io_bus_write(struct hvk_vcpu *vcpu, enum hvk_io_bus_id bus,
		     u64 addr, u32 len, const void *val);
int hvk_io_bus_read(struct hvk_vcpu *vcpu, enum hvk_io_bus_id bus,
		    u64 addr, u32 len, void *val);

/* For the device files: caller holds vm->lock. */
int hvk_io_bus_register(struct hvk_vm *vm, enum hvk_io_bus_id bus,
			const struct hvk_io_range *range);
int hvk_io_bus_unregister(struct hvk_vm *vm, enum hvk_io_bus_id bus,
			  const void *dev, enum hvk_io_kind kind);

/* core/ioeventfd.c */
int hvk_ioeventfd_ioctl(struct hvk_vm *vm, void __user *argp);
int hvk_ioeventfd_write(void *dev, u64 addr, u32 len, const void *val);
void hvk_ioeventfd_destroy_all(struct hvk_vm *vm);

/* core/coalesced.c */
int hvk_coalesced_init(struct hvk_vm *vm);
int hvk_coalesced_ioctl(struct hvk_vm *vm, unsigned int ioctl,
			void __user *argp);
int hvk_coalesced_write(struct hvk_vm *vm, void *dev, u64 addr, u32 len,
			const void *val);
void hvk_coalesced_destroy(struct hvk_vm *vm);

#endif /* HVK_CORE_IOBUS_H */

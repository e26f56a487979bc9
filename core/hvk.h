/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Core objects: the VM and the vCPU, and how they live and die.
 *
 * Lifetimes, in one place:
 *   - /dev/hvk open: pins the module (fops owner), nothing else.
 *   - VM fd: holds one reference on struct hvk_vm (and pins the module).
 *   - vCPU fd: holds one reference on its VM (and pins the module). The
 *     vCPU itself belongs to the VM and is freed with it, so a vCPU fd
 *     keeps working after its VM fd is closed, as with KVM.
 *   - The VM is destroyed when its last reference goes: irqfds first (they
 *     inject from any context), then vCPUs, memslots, the arch part.
 * Closing the fds in any order therefore frees everything exactly once.
 */
#ifndef HVK_CORE_HVK_H
#define HVK_CORE_HVK_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/srcu.h>
#include <linux/kvm.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "hvk_arch.h"	/* struct hvk_arch_vm, hvk_arch_vcpu: per backend */
#include "iobus.h"
#include "irq.h"
#include "memslot.h"
#include "stats.h"

/* vCPUs per VM and the ids they may take (KVM_CAP_MAX_VCPUS/_VCPU_ID). */
#define HVK_MAX_VCPUS_LIMIT	256
#define HVK_MAX_VCPU_ID		1024

extern unsigned int hvk_max_vcpus;	/* module parameter max_vcpus */

struct kvm_run;
struct hvk_mmu;

struct hvk_vm {
	struct kref ref;
	struct mm_struct *mm;		/* creator's; other mms get -EIO */
	pid_t pid;			/* creator's, for the stats id */

	struct mutex lock;		/* vCPU table, memslot updates */
	/*
	 * vcpus[] grows under @lock and never shrinks while the VM lives:
	 * a new vCPU is stored first and nr_vcpus raised after it with
	 * smp_store_release(), so a reader without @lock (any context,
	 * hvk_vm_for_each_vcpu()) that reads nr_vcpus with acquire sees
	 * every vCPU it counts fully set up.
	 */
	unsigned int nr_vcpus;
	struct hvk_vcpu *vcpus[HVK_MAX_VCPUS_LIMIT];

	/*
	 * Readers hold @srcu for as long as they use what a slot told them
	 * (a fault's lookup, a copy through the slot's hva that may sleep);
	 * an update publishes a new table and waits for them before it
	 * unmaps and unpins the old range and returns to userspace.
	 */
	struct srcu_struct srcu;
	struct hvk_memslots __rcu *memslots;
	struct hvk_vm_io io;			/* in-kernel I/O bus, iobus.h */
	struct hvk_vm_stats stats;		/* stats.h */
	/*
	 * The guest-physical table (EPT / stage 2), opaque here: mmu/mmu.h.
	 * The arch creates it in hvk_arch_vm_init() and frees it in
	 * hvk_arch_vm_destroy(); core never calls mmu/ (see core/arch.h).
	 */
	struct hvk_mmu *mmu;
	struct hvk_irq_routing __rcu *irq_routing;	/* core/irq.c */
	struct hvk_vm_irq irq;			/* irqfds, irq.h */
	/*
	 * The in-kernel interrupt controllers (x86: PIC, IOAPIC, PIT; arm64:
	 * the vGIC distributor), defined in irq/ for each arch and opaque
	 * here. The backend creates them (KVM_CREATE_IRQCHIP, the vGIC
	 * device) and frees them in hvk_arch_vm_destroy(); NULL until then.
	 */
	struct hvk_irqchip *irqchip;
	/*
	 * KVM's vm_dead: set (hvk_vm_mark_dead()) when the VM cannot go on,
	 * e.g. arm64's vGIC failed its first-run checks; from then on every
	 * VM, vCPU and device ioctl is -EIO, as with KVM.
	 */
	bool dead;

	struct hvk_arch_vm arch;
};

struct hvk_vcpu {
	struct hvk_vm *vm;
	u32 id;
	struct mutex mutex;		/* one ioctl at a time, as KVM */

	struct kvm_run *run;		/* hvk_arch_run_pages() pages */
	struct page **run_pages;
	unsigned int nr_run_pages;

	struct hvk_vcpu_stats stats;	/* stats.h; this vCPU's thread */

	/* Requests, kicks and blocking: core/request.h */
	unsigned long requests;		/* HVK_REQ_* bits, atomic bitops */
	int mode;			/* enum hvk_vcpu_mode */
	struct task_struct *run_task;	/* the thread in KVM_RUN, for kicks */
	wait_queue_head_t wq;		/* hvk_vcpu_block() sleeps here */

	/* x86: the local APIC; arm64: the vGIC's per-CPU part. irq/. */
	struct hvk_vcpu_irqchip *irqchip;

	struct hvk_arch_vcpu arch;
};

static inline void hvk_vm_mark_dead(struct hvk_vm *vm)
{
	WRITE_ONCE(vm->dead, true);
}

/* Must an ioctl on @vm (or its vCPUs and devices) be -EIO? */
static inline bool hvk_vm_unusable(struct hvk_vm *vm)
{
	return vm->mm != current->mm || READ_ONCE(vm->dead);
}

/*
 * The number of vCPUs published so far; acquire pairs with the release
 * in hvk_vcpu_create() (see struct hvk_vm's nr_vcpus).
 */
static inline unsigned int hvk_vm_nr_vcpus(struct hvk_vm *vm)
{
	return smp_load_acquire(&vm->nr_vcpus);
}

/**
 * hvk_vm_for_each_vcpu() - walk a VM's vCPUs, from any context
 * @i: an unsigned int cursor
 * @vcpu: set to each vCPU in turn
 * @vm: the VM, kept alive by the caller
 *
 * Takes no lock, so it may run in atomic context (an hrtimer, an
 * interrupt being delivered). vCPUs published while it runs may or may
 * not be visited; none is ever seen half set up, and none goes away
 * before its VM.
 */
#define hvk_vm_for_each_vcpu(i, vcpu, vm)				\
	for ((i) = 0; (i) < hvk_vm_nr_vcpus(vm) &&			\
		      ((vcpu) = READ_ONCE((vm)->vcpus[i]), true); (i)++)

/**
 * hvk_vcpu_signal_exit() - should KVM_RUN stop for a signal?
 * @vcpu: the running vCPU
 *
 * The arch run loop calls this before every guest entry (with interrupts
 * still enabled). A pending signal ends KVM_RUN with -EINTR and
 * KVM_EXIT_INTR, as KVM does.
 *
 * Return: true if the caller must return -EINTR now.
 */
static inline bool hvk_vcpu_signal_exit(struct hvk_vcpu *vcpu)
{
	if (!signal_pending(current))
		return false;
	vcpu->run->exit_reason = KVM_EXIT_INTR;
	return true;
}

/**
 * hvk_vcpu_immediate_exit() - did the VMM ask KVM_RUN not to enter?
 * @vcpu: the vCPU
 *
 * kvm_run->immediate_exit: the arch run loop checks it once, after it
 * has completed the previous exit (an IN or MMIO load lands in the guest
 * registers even so, as with KVM) and before the first entry. KVM_RUN
 * then returns -EINTR and, as KVM 6.1 does, leaves exit_reason alone.
 *
 * Return: true if the caller must return -EINTR now.
 */
static inline bool hvk_vcpu_immediate_exit(struct hvk_vcpu *vcpu)
{
	return READ_ONCE(vcpu->run->HVK_KVM_RUN_IMMEDIATE_EXIT);
}

/*
 * hvk_memslots_lock() / hvk_memslots_unlock() - one read section of the
 * VM's memslots (vm->srcu) across several guest-memory accesses that must
 * see the same slots, as one emulated instruction must: a slot update
 * waits for the section, so an access is done wholly before a deleted
 * slot's memory goes back to its VMM. Sections nest; they may sleep.
 */
static inline int hvk_memslots_lock(struct hvk_vm *vm)
{
	return srcu_read_lock(&vm->srcu);
}

static inline void hvk_memslots_unlock(struct hvk_vm *vm, int idx)
{
	srcu_read_unlock(&vm->srcu, idx);
}

/* core/vm.c */
long hvk_create_vm(unsigned long type);
void hvk_vm_get(struct hvk_vm *vm);
void hvk_vm_put(struct hvk_vm *vm);
long hvk_vm_check_extension(struct hvk_vm *vm, long ext);

/* core/vcpu.c */
int hvk_vcpu_create(struct hvk_vm *vm, u32 id);
void hvk_vcpu_destroy(struct hvk_vcpu *vcpu);

#endif /* HVK_CORE_HVK_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters of a VM and of each vCPU, read through KVM_GET_STATS_FD in
 * KVM's binary stats format (Documentation/virt/kvm/api.rst, "KVM_GET_
 * STATS_FD"): a header, an id string, one descriptor per statistic, then
 * the values, every one a u64.
 *
 * Each counter has one writer: a vCPU's counters are bumped by its own
 * thread (KVM_RUN holds the vCPU mutex), the VM's under the lock that
 * already serialises what they count. Readers take a plain snapshot
 * value by value, as with KVM.
 */
#ifndef HVK_CORE_STATS_H
#define HVK_CORE_STATS_H

#include <linux/types.h>

struct hvk_vm;
struct hvk_vcpu;

/*
 * Raw exit reasons the per-vCPU histogram counts, one bucket each: VMX
 * basic exit reasons (SDM Vol. 3 Appendix C, below 80), or on arm64
 * ESR_EL2.EC for a trap (6 bits) and 64 + the exception kind for an
 * interrupt or SError (arm64/hvk_arch.h). Larger reasons land in the last
 * bucket.
 */
#define HVK_STATS_EXIT_REASONS	80

struct hvk_vm_stats {
	u64 pages_mapped;	/* fault-ins that mapped a page or block */
	u64 tlb_flushes;	/* flushes after entries were removed */
	u64 memslot_updates;
	u64 pinned_pages;	/* kept by mmu/mmu.c */
};

struct hvk_vcpu_stats {
	u64 exits;		/* every exit from the guest */
	u64 userspace_exits;	/* KVM_RUN returned with an exit reason */
	u64 io_exits;		/* ... KVM_EXIT_IO */
	u64 mmio_exits;		/* ... KVM_EXIT_MMIO */
	u64 halt_exits;		/* ... KVM_EXIT_HLT */
	u64 signal_exits;	/* KVM_RUN ended by a signal (-EINTR) */
	u64 exceptions_injected;	/* faults hvk raised in the guest */
	u64 exit_reason[HVK_STATS_EXIT_REASONS];
};

int hvk_vm_stats_fd(struct hvk_vm *vm);
int hvk_vcpu_stats_fd(struct hvk_vcpu *vcpu);
void hvk_vcpu_stats_run_done(struct hvk_vcpu *vcpu, int r);

/* The run loops report every entry and exit (counted and traced). */
void hvk_vcpu_entry_event(struct hvk_vcpu *vcpu);
void hvk_vcpu_exit_event(struct hvk_vcpu *vcpu, u64 reason);
void hvk_vcpu_inject_event(struct hvk_vcpu *vcpu, u64 what);

#endif /* HVK_CORE_STATS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * VMIDs and stage-2 TLB invalidation on arm64.
 *
 * A global counter with a generation; each VM keeps the generation and
 * its VMID together in one atomic value. When the counter wraps, the
 * generation moves on and every VM takes a new VMID at its next entry.
 * Each CPU remembers the generation it last flushed for and invalidates
 * its EL1&0 TLB entries (TLBI ALLE1) before running a VMID of another
 * generation, so a VMID reused after a wrap never meets the old owner's
 * entries on any CPU (without CnP, TLB entries are private to a CPU).
 * Stage-2 unmaps flush every VMID (hvk_arch_mmu_flush() says why).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <asm/barrier.h>

#include "arch.h"
#include "hvk.h"
#include "mmu/mmu.h"
#include "hyp.h"
#include "vmid.h"

#define HVK_VTTBR_VMID_SHIFT	48

/*
 * A test knob: wrap the VMID space after vmid_limit - 1 VMIDs instead of
 * 2^VMIDBits - 1, so that generation wraps (rare with 16-bit VMIDs) can
 * be exercised in the lab.
 */
static unsigned int vmid_limit;
module_param(vmid_limit, uint, 0444);
MODULE_PARM_DESC(vmid_limit,
		 "testing: VMIDs used before a generation wrap + 1 (2..65536; 0: all the CPUs have)");

/*
 * The allocator: the current generation and the next free VMID in it,
 * under vmid_lock. vmid_gen is also read without the lock (the
 * fast path of hvk_arm64_vmid_update()), hence atomic.
 */
static DEFINE_SPINLOCK(vmid_lock);
static atomic64_t vmid_gen = ATOMIC64_INIT(1);
static u64 vmid_next = 1;		/* VMID 0 is left to the host */
static DEFINE_PER_CPU(u64, vmid_cpu_gen);

/* vm->arch.vmid: generation in bits 63:16, VMID in bits 15:0. */
#define HVK_VMID_MASK		GENMASK_ULL(15, 0)
#define HVK_VMID_GEN_SHIFT	16

/* One past the last VMID a generation hands out. */
static u64 vmid_end(void)
{
	u64 end = BIT_ULL(hvk_hyp.vmid_bits);

	return vmid_limit >= 2 ? min_t(u64, vmid_limit, end) : end;
}

/**
 * hvk_arm64_vmid_update() - the VMID this entry runs with
 * @vm: the VM
 *
 * Gives the VM a VMID of the current generation if it has none, makes
 * sure this CPU holds no TLB entries of another generation's VMIDs, and
 * returns the (generation, VMID) pair the entry must use: both the flush
 * decision and VTTBR_EL2 come from this one snapshot. Reading the VMID
 * and its generation apart, as hvk once did, let a vCPU pair a VMID that
 * a sibling vCPU had just reallocated in a new generation with the old
 * generation's flush state, and run with another VM's stale stage-2 TLB
 * entries on this CPU.
 *
 * The value is published with release semantics under the lock and read
 * with acquire: a vCPU that sees the new pair also sees the generation
 * it belongs to. Interrupts are off, so the entry that follows runs on
 * this CPU. A vCPU that took its snapshot just before another CPU wrapped
 * the generation runs once more with its old VMID; that is still safe,
 * because every CPU flushes whenever the generation it runs differs from
 * the one it last flushed for (in either direction), and TLB entries are
 * private to a CPU without FEAT_TTCNP, which hvk does not use.
 *
 * Return: the snapshot (generation << 16 | VMID).
 */
u64 hvk_arm64_vmid_update(struct hvk_vm *vm)
{
	u64 v = atomic64_read_acquire(&vm->arch.vmid);
	u64 gen;

	if (v >> HVK_VMID_GEN_SHIFT != atomic64_read(&vmid_gen)) {
		spin_lock(&vmid_lock);
		gen = atomic64_read(&vmid_gen);
		v = atomic64_read(&vm->arch.vmid);
		if (v >> HVK_VMID_GEN_SHIFT != gen) {
			if (vmid_next >= vmid_end()) {
				gen = atomic64_inc_return(&vmid_gen);
				vmid_next = 1;
				pr_info_ratelimited("VMIDs wrapped: generation %llu\n",
						    gen);
			}
			v = gen << HVK_VMID_GEN_SHIFT | vmid_next++;
			atomic64_set_release(&vm->arch.vmid, v);
		}
		spin_unlock(&vmid_lock);
	}

	gen = v >> HVK_VMID_GEN_SHIFT;
	if (__this_cpu_read(vmid_cpu_gen) != gen) {
		dsb(nshst);
		asm volatile("tlbi alle1" : : : "memory");
		dsb(nsh);
		isb();
		__this_cpu_write(vmid_cpu_gen, gen);
	}
	return v;
}

/* VTTBR_EL2 for @vm with the VMID of the snapshot @vmid. */
u64 hvk_arm64_vttbr(struct hvk_vm *vm, u64 vmid)
{
	return (vmid & HVK_VMID_MASK) << HVK_VTTBR_VMID_SHIFT |
	       vm->mmu->pgt.root_phys;
}

/**
 * hvk_arch_mmu_flush() - invalidate every stage-2 TLB entry of a VM
 * @vm: the VM
 *
 * TLBI ALLE1IS: every EL1&0 entry of every VMID on every CPU (the host's
 * own EL2&0 entries are another regime and stay), then DSB ISH. Wider
 * than TLBI VMALLS12E1IS under the VM's VMID, on purpose: a VMID is not
 * a stable name for a VM's entries. After a generation wrap, a vCPU that
 * is still in the guest keeps its old VMID while a sibling vCPU already
 * took a new one, so a flush by the current VMID can miss the entries a
 * running vCPU is using. Invalidating all of them is correct whatever the
 * VMIDs are, needs no VTTBR_EL2/HCR_EL2 juggling, and costs other VMs
 * some refills only on unmaps (slot changes, VM teardown), which are
 * rare. (The switch's own per-CPU flush covers VMID reuse.)
 */
void hvk_arch_mmu_flush(struct hvk_vm *vm)
{
	dsb(ishst);
	asm volatile("tlbi alle1is" : : : "memory");
	dsb(ish);
	isb();
}

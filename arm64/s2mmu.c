// SPDX-License-Identifier: GPL-2.0
/*
 * Stage 2 for arm64 VMs: the geometry and VTCR_EL2 of a VM, the stage-2
 * arch hooks of the common memory layer (leaf attributes, cache
 * maintenance before a new leaf), and, until that layer lands on main, a
 * minimal fault-in of 4 KiB pages from memslots with pinned pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <asm/cacheflush.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>

#include "arm64.h"
#include "hvk.h"
#include "hyp.h"
#include "mmu/stage2.h"

/* CTR_EL0 fields (Arm ARM, CTR_EL0). */
#define HVK_CTR_DMINLINE(ctr)	(((ctr) >> 16) & 0xf)
#define HVK_CTR_L1IP(ctr)		(((ctr) >> 14) & 3)
#define HVK_CTR_L1IP_PIPT		3
#define HVK_CTR_DIC			BIT(29)

/* PARange encoding of 48 bits: the largest 4 KiB stage 2 reaches. */
#define HVK_PS_48		5

/**
 * hvk_arch_mmu_sync_page() - make a page safe to map into a guest
 * @phys: its physical address
 * @size: 4 KiB or a 2 MiB block
 * @prot: HVK_PGT_PROT_* the leaf will grant
 *
 * A guest running with its MMU or caches off reads memory as
 * Non-cacheable, past the host's dirty lines: clean the data cache to
 * the point of coherency (DC CVAC by line, CTR_EL0.DminLine). For an
 * executable leaf, unless CTR_EL0.DIC says the instruction cache needs
 * no maintenance, invalidate it: by address when it is PIPT (the host
 * alias is as good as the guest's), else all of it (IC IALLUIS).
 */
void hvk_arch_mmu_sync_page(phys_addr_t phys, u64 size, unsigned int prot)
{
	u64 ctr = read_sysreg(ctr_el0);
	u64 line = 4ULL << HVK_CTR_DMINLINE(ctr);
	u64 va = (u64)phys_to_virt(phys);
	u64 p;

	for (p = va; p < va + size; p += line)
		asm volatile("dc cvac, %0" : : "r"(p) : "memory");
	dsb(ish);

	if (!(prot & HVK_PGT_PROT_X) || (ctr & HVK_CTR_DIC))
		return;
	if (HVK_CTR_L1IP(ctr) == HVK_CTR_L1IP_PIPT) {
		caches_clean_inval_pou(va, va + size);
	} else {
		asm volatile("ic ialluis" : : : "memory");
		dsb(ish);
		isb();
	}
}

/**
 * hvk_arch_mmu_leaf_attrs() - stage-2 attributes of a RAM leaf
 * @vm: the VM
 * @prot: HVK_PGT_PROT_* to grant
 * @level: 3 for a page, 2 or 1 for a block (same attributes)
 *
 * Return: Normal Write-Back, Inner Shareable, AF set, S2AP and XN from
 * @prot.
 */
u64 hvk_arch_mmu_leaf_attrs(struct hvk_vm *vm, unsigned int prot, int level)
{
	return stage2_leaf_attrs(prot, S2_MT_NORMAL);
}

/*
 * The temporary stage-2 table: pages are pinned one at a time and stay
 * pinned until the VM dies; memslot deletion does not unmap yet. The
 * common layer replaces all of this.
 */
struct hvk_s2_tmp {
	struct mutex lock;
	struct hvk_pgt pgt;
	struct hvk_pgt_cache cache;
	struct page **pinned;
	unsigned long nr, cap;
};

u64 hvk_arm64_s2_root(struct hvk_vm *vm)
{
	return vm->arch.s2->pgt.root_phys;
}

int hvk_arm64_s2_init(struct hvk_vm *vm)
{
	struct hvk_pgt_fmt fmt;
	struct hvk_s2_tmp *s2;
	unsigned int ps;
	int r;

	r = stage2_geometry(vm->arch.ipa_bits, &vm->arch.geo);
	if (r)
		return r;
	ps = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	vm->arch.vtcr = stage2_vtcr(&vm->arch.geo, min(ps, HVK_PS_48));
	if (hvk_hyp.vmid_bits == 16)
		vm->arch.vtcr |= BIT(19);	/* VTCR_EL2.VS */

	s2 = kzalloc(sizeof(*s2), GFP_KERNEL_ACCOUNT);
	if (!s2)
		return -ENOMEM;
	mutex_init(&s2->lock);
	stage2_fmt_init(&fmt, &vm->arch.geo);
	r = hvk_pgt_init(&s2->pgt, &fmt, &hvk_pgt_kernel_mm_ops);
	if (r) {
		kfree(s2);
		return r;
	}
	vm->arch.s2 = s2;
	return 0;
}

void hvk_arm64_s2_destroy(struct hvk_vm *vm)
{
	struct hvk_s2_tmp *s2 = vm->arch.s2;

	if (!s2)
		return;
	hvk_arch_mmu_flush(vm);
	unpin_user_pages(s2->pinned, s2->nr);
	kvfree(s2->pinned);
	hvk_pgt_cache_drain(&s2->cache, &hvk_pgt_kernel_mm_ops);
	hvk_pgt_free_tree(&s2->pgt, &hvk_pgt_kernel_mm_ops);
	kfree(s2);
	vm->arch.s2 = NULL;
}

static int hvk_s2_track(struct hvk_s2_tmp *s2, struct page *page)
{
	struct page **p;

	if (s2->nr == s2->cap) {
		unsigned long cap = s2->cap ? s2->cap * 2 : 64;

		p = kvmalloc_array(cap, sizeof(*p), GFP_KERNEL_ACCOUNT);
		if (!p)
			return -ENOMEM;
		if (s2->nr)
			memcpy(p, s2->pinned, s2->nr * sizeof(*p));
		kvfree(s2->pinned);
		s2->pinned = p;
		s2->cap = cap;
	}
	s2->pinned[s2->nr++] = page;
	return 0;
}

int hvk_arm64_s2_fault(struct hvk_vm *vm, u64 ipa, unsigned int access)
{
	struct hvk_s2_tmp *s2 = vm->arch.s2;
	const struct hvk_memslot *slot;
	struct hvk_memslots *slots;
	unsigned int prot, gup = FOLL_LONGTERM;
	struct page *page;
	u64 hva, gpa = ipa & PAGE_MASK;
	u32 flags;
	int r;

	rcu_read_lock();
	slots = rcu_dereference(vm->memslots);
	slot = slots ? memslot_find(slots, gpa >> PAGE_SHIFT) : NULL;
	if (slot) {
		hva = slot->userspace_addr +
		      ((gpa >> PAGE_SHIFT) - slot->base_gfn) * PAGE_SIZE;
		flags = slot->flags;
	}
	rcu_read_unlock();
	if (!slot)
		return -ENOENT;
	if ((flags & KVM_MEM_READONLY) && (access & HVK_PGT_PROT_W))
		return -EPERM;

	prot = HVK_PGT_PROT_R | HVK_PGT_PROT_X;
	if (!(flags & KVM_MEM_READONLY)) {
		prot |= HVK_PGT_PROT_W;
		gup |= FOLL_WRITE;
	}
	r = pin_user_pages_fast(hva, 1, gup, &page);
	if (r != 1)
		return r == -EINTR ? -EINTR : -EFAULT;

	mutex_lock(&s2->lock);
	r = hvk_pgt_cache_topup(&s2->cache, &hvk_pgt_kernel_mm_ops,
				HVK_PGT_CACHE_MAX);
	if (r)
		goto out_unpin;
	hvk_arch_mmu_sync_page(page_to_phys(page), PAGE_SIZE, prot);
	r = hvk_pgt_map(&s2->pgt, &s2->cache, gpa, page_to_phys(page),
			HVK_PGT_LAST_LEVEL,
			hvk_arch_mmu_leaf_attrs(vm, prot, HVK_PGT_LAST_LEVEL),
			0, NULL);
	if (r == 0) {
		r = hvk_s2_track(s2, page);
		if (!r) {
			mutex_unlock(&s2->lock);
			return 0;
		}
		hvk_pgt_unmap(&s2->pgt, gpa, PAGE_SIZE);
		hvk_arch_mmu_flush(vm);
	} else if (r == -EEXIST) {
		/* Another vCPU mapped it first: nothing to do. */
		r = 0;
	}
out_unpin:
	mutex_unlock(&s2->lock);
	unpin_user_page(page);
	return r;
}

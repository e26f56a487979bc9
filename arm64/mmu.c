// SPDX-License-Identifier: GPL-2.0
/*
 * Stage 2 of an arm64 VM on top of the common memory layer (mmu/mmu.c):
 * the geometry and VTCR_EL2 for the VM's IPA size, and the arch hooks
 * mmu/mmu.c calls (core/arch.h): leaf attributes and the cache
 * maintenance a new leaf needs. The TLB flush hook, which needs the VMID
 * allocator, is in arm64/run.c.
 */
#include <linux/types.h>
#include <asm/cacheflush.h>
#include <asm/sysreg.h>

#include "arch.h"
#include "arm64.h"
#include "hvk.h"
#include "hyp.h"
#include "mmu/stage2.h"

/* CTR_EL0 fields (Arm ARM, CTR_EL0). */
#define HVK_CTR_DMINLINE(ctr)	(((ctr) >> 16) & 0xf)
#define HVK_CTR_L1IP(ctr)	(((ctr) >> 14) & 3)
#define HVK_CTR_L1IP_PIPT	3
#define HVK_CTR_DIC		BIT(29)

/* PARange encoding of 48 bits: the most 4 KiB stage 2 reaches. */
#define HVK_PS_48		5
/* VTCR_EL2.VS: 16-bit VMIDs. */
#define HVK_VTCR_VS_16		BIT(19)

/**
 * hvk_arm64_s2_init() - stage 2 for a new VM
 * @vm: the VM, vm->arch.ipa_bits set
 *
 * VTCR_EL2: the start level and concatenation for the IPA size
 * (stage2_geometry()), PS = the CPUs' PA range capped at 48 bits, VS
 * for 16-bit VMIDs. Then the common layer's table in that format.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int hvk_arm64_s2_init(struct hvk_vm *vm)
{
	struct hvk_pgt_fmt fmt;
	unsigned int ps;
	int r;

	r = stage2_geometry(vm->arch.ipa_bits, &vm->arch.geo);
	if (r)
		return r;
	ps = read_sanitised_ftr_reg(SYS_ID_AA64MMFR0_EL1) & 0xf;
	vm->arch.vtcr = stage2_vtcr(&vm->arch.geo, min(ps, HVK_PS_48));
	if (hvk_hyp.vmid_bits == 16)
		vm->arch.vtcr |= HVK_VTCR_VS_16;
	stage2_fmt_init(&fmt, &vm->arch.geo);
	return hvk_mmu_init(vm, &fmt);
}

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
	u64 ctr = read_sanitised_ftr_reg(SYS_CTR_EL0);
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

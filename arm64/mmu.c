// SPDX-License-Identifier: GPL-2.0
/*
 * Stage 2 of an arm64 VM on top of the common memory layer (mmu/mmu.c):
 * the geometry and VTCR_EL2 for the VM's IPA size, and the arch hooks
 * mmu/mmu.c calls (core/arch.h): leaf attributes and the cache
 * maintenance a new leaf needs. The TLB flush hook, which needs the VMID
 * allocator, is in arm64/vmid.c.
 */
#include <linux/sizes.h>
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
#define HVK_CTR_IMINLINE(ctr)	((ctr) & 0xf)
#define HVK_CTR_IDC		BIT(28)
#define HVK_CTR_DIC		BIT(29)
/* Largest range invalidated line by line (one page). */
#define HVK_ICACHE_BY_LINE_MAX	SZ_4K

/* PARange encoding of 48 bits: the most 4 KiB stage 2 reaches. */
#define HVK_PS_48		5
/* VTCR_EL2.VS: 16-bit VMIDs. */
#define HVK_VTCR_VS_16		BIT(19)

/**
 * hvk_arm64_s2_init() - stage 2 for a new VM
 * @vm: the VM, vm->arch.ipa_bits set
 * @fmt: filled in: the stage-2 table format hvk_arch_vm_init() builds
 *
 * VTCR_EL2: the start level and concatenation for the IPA size
 * (stage2_geometry()), PS = the CPUs' PA range capped at 48 bits, VS
 * for 16-bit VMIDs; @fmt gets the table format to build.
 *
 * Return: 0 or -EINVAL.
 */
int hvk_arm64_s2_init(struct hvk_vm *vm, struct hvk_pgt_fmt *fmt)
{
	unsigned int ps;
	int r;

	r = stage2_geometry(vm->arch.ipa_bits, &vm->arch.geo);
	if (r)
		return r;
	ps = read_sanitised_ftr_reg(SYS_ID_AA64MMFR0_EL1) & 0xf;
	vm->arch.vtcr = stage2_vtcr(&vm->arch.geo, min(ps, HVK_PS_48));
	if (hvk_hyp.vmid_bits == 16)
		vm->arch.vtcr |= HVK_VTCR_VS_16;
	stage2_fmt_init(fmt, &vm->arch.geo);
	return 0;
}

/**
 * hvk_arch_mmu_sync_page() - make a page safe to map into a guest
 * @phys: its physical address
 * @size: 4 KiB or a 2 MiB block
 * @prot: HVK_PGT_PROT_* the leaf will grant
 *
 * Data: a guest running with its MMU or caches off reads memory as
 * Non-cacheable, past the host's dirty lines, so clean the data cache to
 * the point of coherency (DC CVAC by line, CTR_EL0.DminLine) - unless
 * HCR_EL2.FWB makes stage 2 force Normal Write-Back anyway.
 *
 * Instructions, for an executable leaf and unless CTR_EL0.DIC says the
 * instruction cache needs no maintenance: the data must reach the point
 * of unification first (done by the PoC clean, else DC CVAU unless
 * CTR_EL0.IDC), then the instruction cache is invalidated: by line
 * (IC IVAU, CTR_EL0.IminLine) for a page when it is PIPT, where the
 * host's alias is as good as the guest's; wholesale (IC IALLUIS) for a
 * non-PIPT cache or a block, where 32768 lines by address would cost
 * far more than refilling the caches.
 */
void hvk_arch_mmu_sync_page(phys_addr_t phys, u64 size, unsigned int prot)
{
	u64 ctr = read_sanitised_ftr_reg(SYS_CTR_EL0);
	u64 dline = 4ULL << HVK_CTR_DMINLINE(ctr);
	u64 iline = 4ULL << HVK_CTR_IMINLINE(ctr);
	u64 va = (u64)phys_to_virt(phys);
	u64 p;

	if (!hvk_hyp.fwb) {
		for (p = va; p < va + size; p += dline)
			asm volatile("dc cvac, %0" : : "r"(p) : "memory");
		dsb(ish);
	}

	if (!(prot & HVK_PGT_PROT_X) || (ctr & HVK_CTR_DIC))
		return;
	if (hvk_hyp.fwb && !(ctr & HVK_CTR_IDC)) {
		for (p = va; p < va + size; p += dline)
			asm volatile("dc cvau, %0" : : "r"(p) : "memory");
		dsb(ish);
	}
	if (HVK_CTR_L1IP(ctr) == HVK_CTR_L1IP_PIPT &&
	    size <= HVK_ICACHE_BY_LINE_MAX) {
		for (p = va; p < va + size; p += iline)
			asm volatile("ic ivau, %0" : : "r"(p) : "memory");
	} else {
		asm volatile("ic ialluis" : : : "memory");
	}
	dsb(ish);
	isb();
}

/**
 * hvk_arch_mmu_leaf_attrs() - stage-2 attributes of a RAM leaf
 * @vm: the VM
 * @prot: HVK_PGT_PROT_* to grant
 * @level: 3 for a page, 2 or 1 for a block (same attributes)
 *
 * Return: Normal Write-Back (forced, with FWB), Inner Shareable, AF set,
 * S2AP and XN from @prot.
 */
u64 hvk_arch_mmu_leaf_attrs(struct hvk_vm *vm, unsigned int prot, int level)
{
	return stage2_leaf_attrs(prot, hvk_hyp.fwb ? S2_MT_NORMAL_FWB :
						   S2_MT_NORMAL);
}

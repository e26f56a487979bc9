// SPDX-License-Identifier: GPL-2.0
/*
 * The arch hooks of mmu/mmu.c on arm64 (see core/arch.h).
 *
 * Stage-2 tables are only built once guests run (KVM_RUN on arm64 is
 * being written): until then no VMID is ever loaded into VTTBR_EL2 and no
 * stage-2 walk can have cached anything, so there is nothing to flush.
 */
#include <linux/types.h>
#include <asm/cacheflush.h>

#include "arch.h"
#include "hvk.h"
#include "mmu/stage2.h"

u64 hvk_arch_mmu_leaf_attrs(struct hvk_vm *vm, unsigned int prot, int level)
{
	return stage2_leaf_attrs(prot, S2_MT_NORMAL);
}

void hvk_arch_mmu_sync_page(phys_addr_t phys, u64 size, unsigned int prot)
{
}

void hvk_arch_mmu_flush(struct hvk_vm *vm)
{
}

/* SPDX-License-Identifier: GPL-2.0 */
/* VMIDs and stage-2 TLB invalidation: arm64/vmid.c. */
#ifndef HVK_ARM64_VMID_H
#define HVK_ARM64_VMID_H

#include <linux/types.h>

struct hvk_vm;

u64 hvk_arm64_vmid_update(struct hvk_vm *vm);
u64 hvk_arm64_vttbr(struct hvk_vm *vm, u64 vmid);

#endif /* HVK_ARM64_VMID_H */

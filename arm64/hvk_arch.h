/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 state embedded in core's struct hvk_vm and struct hvk_vcpu.
 * core/ includes this through -I$(src)/arm64 (see Kbuild).
 */
#ifndef HVK_ARM64_HVK_ARCH_H
#define HVK_ARM64_HVK_ARCH_H

#include <linux/types.h>

struct hvk_arch_vm {
	u32 ipa_bits;		/* guest physical address size, 32..limit */
};

struct hvk_arch_vcpu {
	u32 reserved;		/* the world switch fills this in */
};

#endif /* HVK_ARM64_HVK_ARCH_H */

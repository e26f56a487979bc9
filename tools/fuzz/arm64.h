/* SPDX-License-Identifier: GPL-2.0 */
/* What arm64_ioctl.c and arm64_guest.c share. */
#ifndef HVK_FUZZ_ARM64_H
#define HVK_FUZZ_ARM64_H

#include <stdint.h>
#include <linux/kvm.h>

#include "libhvk.h"

#define REG_X(i)	HVK_ARM64_X(i)
#define REG_PC		HVK_ARM64_PC
#define REG_PSTATE	HVK_ARM64_PSTATE
#define REG_SP_EL1	HVK_ARM64_SP_EL1
#define REG_VBAR_EL1	ARM64_SYS_REG(3, 0, 12, 0, 0)

#define L_CODE		0x1000
#define L_MIN		0x4000

/* A random value, or one near a boundary (0, 2^31, -1, PSTATE bits...). */
uint64_t arm64_boundary(uint64_t r);
/* KVM_GET_ONE_REG / KVM_SET_ONE_REG (@req) of @id at @val. */
int arm64_one_reg(int fd, unsigned long req, uint64_t id, void *val);

#endif

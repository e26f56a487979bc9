/* SPDX-License-Identifier: GPL-2.0 */
/* What x86_ioctl.c and x86_guest.c share. */
#ifndef HVK_FUZZ_X86_H
#define HVK_FUZZ_X86_H

#include <stdint.h>

/* MSRs both the MSR ioctls and guest RDMSR/WRMSR use. */
extern const uint32_t x86_msrs[];
extern const unsigned int x86_nmsrs;
/* A random value, or one near a boundary (0, 2^31, 2^32, -1, ...). */
uint64_t x86_boundary(uint64_t r);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's types for core/ pure logic (memslot.c) to
 * build as a host program. Nothing here has behaviour of its own.
 */
#ifndef HVK_UNIT_KERNEL_SHIM_H
#define HVK_UNIT_KERNEL_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)

#endif

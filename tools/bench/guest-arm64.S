/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 guest code of the exit-cost benchmark: EL1, stage-1 MMU off (data
 * accesses are Device-nGnRnE: aligned plain loads/stores only). The client
 * copies ag_start..ag_end to A_SLOT0_GPA + CODE_OFF and enters at one of
 * the ag_<row> entries.
 *
 * Every entry: warm-up iterations of the operation, then CNTVCT_EL0 around
 * BP_N iterations of it, then around BP_N iterations of the same loop
 * without it (the loop's own cost); the four readings go to the results,
 * and a store to A_DONE_GPA reports. For the fault-in rows the "baseline"
 * is a second pass over the now mapped memory: the same 4 KiB pages, or
 * for 2 MiB blocks the last 4 KiB of each, which faults again unless the
 * hypervisor mapped the whole block.
 *
 * Registers: x21 counts, x22 is the address, x23 the stride, x20 the
 * parameters, x24-x27 the readings: all above x17, since an SMCCC call
 * (the HVC row) returns results in x0-x3 and may clobber up to x17.
 */
#include "layout.h"

	.section .rodata.hvk_guest, "a"
	.balign	4

.macro MOVI64 reg, val
	movz	\reg, #((\val) & 0xffff)
	movk	\reg, #(((\val) >> 16) & 0xffff), lsl #16
	movk	\reg, #(((\val) >> 32) & 0xffff), lsl #32
	movk	\reg, #(((\val) >> 48) & 0xffff), lsl #48
.endm

/* The ISB keeps the counter read from being done early. */
.macro CNT reg
	isb
	mrs	\reg, cntvct_el0
	isb
.endm

.macro BENCH name
	.globl ag_\name
ag_\name:
	MOVI64	x20, A_PARAMS
	/* Touch the results first, so no fault lands in a timed loop. */
	str	xzr, [x20, #BR_T0]
	str	xzr, [x20, #BR_T3]
	ldr	x23, [x20, #BP_STRIDE]
	ldr	x21, [x20, #BP_WARM]
	ldr	x22, [x20, #BP_ADDR]
	cbz	x21, 2f
1:	OP_\name
	subs	x21, x21, #1
	b.ne	1b
2:	ldr	x21, [x20, #BP_N]
	ldr	x22, [x20, #BP_ADDR]
	CNT	x24
3:	OP_\name
	subs	x21, x21, #1
	b.ne	3b
	CNT	x25
	ldr	x21, [x20, #BP_N]
	ldr	x22, [x20, #BP_ADDR2]
	CNT	x26
4:	BASE_\name
	subs	x21, x21, #1
	b.ne	4b
	CNT	x27
	str	x24, [x20, #BR_T0]
	str	x25, [x20, #BR_T1]
	str	x26, [x20, #BR_T2]
	str	x27, [x20, #BR_T3]
	MOVI64	x19, A_DONE_GPA
5:	str	wzr, [x19]
	b	5b
.endm

/* PSCI_VERSION (SMC32 function 0x84000000) by HVC: handled in the kernel. */
.macro OP_hvc
	mov	x0, #0x84000000
	hvc	#0
.endm
.macro BASE_hvc
	mov	x0, #0x84000000
.endm

/* A 4-byte store to an IPA outside every memslot: exit to userspace. */
.macro OP_mmio
	str	w0, [x22]
.endm
.macro BASE_mmio
.endm

/* Touch one word per page (4 KiB or 2 MiB stride). */
.macro OP_fault
	str	wzr, [x22]
	add	x22, x22, x23
.endm
.macro BASE_fault
	str	wzr, [x22]
	add	x22, x22, x23
.endm

	.globl ag_start, ag_end
ag_start:
	BENCH hvc
	BENCH mmio
	BENCH fault
ag_end:
	.previous
	.section .note.GNU-stack, "", @progbits

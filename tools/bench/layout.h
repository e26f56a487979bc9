/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory layout shared by exitcost.c and the guest code
 * (guest-x86_64.S, guest-arm64.S). Included from C and from assembly:
 * plain numbers only.
 *
 * Slot 0 holds one page of parameters/results and the guest code after
 * it. The client writes the parameters; the guest writes its four counter
 * readings into the results before it signals "done". Everything is
 * little-endian u64; the x86 guest (32-bit code) reads the low halves.
 */
#ifndef HVK_BENCH_LAYOUT_H
#define HVK_BENCH_LAYOUT_H

#define BP_N		0x800	/* timed iterations */
#define BP_WARM		0x808	/* untimed warm-up iterations first (0: none) */
#define BP_ADDR		0x810	/* MMIO address, or first page to touch */
#define BP_STRIDE	0x818	/* bytes between touched pages */
#define BP_ADDR2	0x820	/* first address of the baseline loop */
#define BR_T0		0x840	/* counter before the timed loop */
#define BR_T1		0x848	/* ... after it */
#define BR_T2		0x850	/* counter before the baseline loop */
#define BR_T3		0x858	/* ... after it */

#define SLOT0_SIZE	0x10000
#define CODE_OFF	0x1000	/* guest code: slot 0 + CODE_OFF */
#define FAULT_GPA	0x40000000	/* slot 1: pages to fault in (1 GiB) */

/* x86: slot 0 at GPA 0; 32-bit flat protected mode, paging off. */
#define X_SLOT0_GPA	0x0
#define X_PARAMS	(X_SLOT0_GPA)
#define X_MMIO_GPA	0xd0000000	/* no memslot: MMIO exit */
#define X_PIO_PORT	0xe0		/* OUT: PIO exit */
#define X_DONE_PORT	0xf4		/* OUT: results are in */

/* arm64: slot 0 at IPA 0x80000000; EL1, stage-1 MMU off. */
#define A_SLOT0_GPA	0x80000000
#define A_PARAMS	(A_SLOT0_GPA)
#define A_MMIO_GPA	0x0a000000	/* no memslot: MMIO exit */
#define A_DONE_GPA	0x0a001000	/* MMIO store: results are in */

#endif

// SPDX-License-Identifier: GPL-2.0
//
// exit-x0: an arm64 guest that writes x0 as it found it at entry (set
// with hvk-run --x0) to the exit register at 0x09010000: hvk-run's exit
// status is its low byte.
	.text
	.globl	_start
_start:
	ldr	x1, =0x09010000
	str	w0, [x1]
	b	.			// not reached
	.ltorg

// SPDX-License-Identifier: GPL-2.0
//
// bus: an arm64 guest that loads a word from 0x0a000000, outside RAM and
// not a device of hvk-run's: an empty bus, it must read 0xffffffff. Also
// stores there (ignored). Writes 90 to the exit register if the load was
// right, 2 if not.
	.text
	.globl	_start
_start:
	ldr	x1, =0x0a000000
	mov	w2, #0
	ldr	w2, [x1]
	str	w2, [x1]
	mov	w3, #2
	cmn	w2, #1			// w2 == 0xffffffff?
	b.ne	1f
	mov	w3, #90
1:	ldr	x1, =0x09010000
	str	w3, [x1]
	b	.
	.ltorg

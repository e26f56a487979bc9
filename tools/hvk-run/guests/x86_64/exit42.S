/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit42: a long-mode guest that writes 42 to the exit port 0x501 with a
 * 32-bit OUT: hvk-run's exit status is the low byte written.
 */
	.code64
	.text
	.globl	_start
_start:
	mov	$0x501, %dx
	mov	$0x1234002a, %eax
	out	%eax, %dx
	hlt				/* not reached */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-real: a 16-bit real-mode guest for hvk-run --mode real.
 * Linked at 0x7c00 (hvk-run's real-mode default); CS = DS = SS = 0.
 * Prints a line through the 16550 at 0x3f8, polling LSR before each
 * byte as a driver without interrupts must, then writes 0 to the exit
 * port 0x501.
 */
	.code16
	.text
	.globl	_start
_start:
	mov	$msg, %si
#include "hello.inc"

msg:
	.asciz	"Hello from real mode\n"

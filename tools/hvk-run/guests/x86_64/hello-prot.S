/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-prot: a flat 32-bit protected-mode guest for hvk-run --mode prot.
 * Linked at 0x100000 (hvk-run's default); flat segments, no paging.
 * Prints a line through the 16550 at 0x3f8, then exits with status 0
 * through the exit port 0x501.
 */
	.code32
	.text
	.globl	_start
_start:
	mov	$msg, %esi
#include "hello.inc"

msg:
	.asciz	"Hello from protected mode\n"

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-long: a 64-bit long-mode guest for hvk-run --mode long.
 * Linked at 0x100000 (hvk-run's default), running on hvk-run's identity
 * page tables. Prints a line through the 16550 at 0x3f8, then exits with
 * status 0 through the exit port 0x501.
 */
	.code64
	.text
	.globl	_start
_start:
	lea	msg(%rip), %rsi
#include "hello.inc"

msg:
	.asciz	"Hello from long mode\n"

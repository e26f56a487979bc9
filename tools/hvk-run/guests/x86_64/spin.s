/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin: a long-mode guest that loops forever (with the RFLAGS.IF=1
 * hvk-run starts it with), for hvk-run --timeout.
 */
	.code64
	.text
	.globl	_start
_start:
	pause
	jmp	_start

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin: a long-mode guest that loops forever (with the RFLAGS.IF=1
 * hvk-run starts it with), for hvk-run --timeout. No PAUSE in the loop:
 * under KVM it would cause pause-loop exits, which Bochs emulates slowly.
 */
	.code64
	.text
	.globl	_start
_start:
	jmp	_start

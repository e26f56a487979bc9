/* SPDX-License-Identifier: GPL-2.0 */
/*
 * triple-fault: a long-mode guest that executes UD2 with no IDT (hvk-run
 * sets none): #UD cannot be delivered, nor the #DF after it, so the CPU
 * shuts down and hvk-run must report KVM_EXIT_SHUTDOWN and fail.
 */
	.code64
	.text
	.globl	_start
_start:
	ud2

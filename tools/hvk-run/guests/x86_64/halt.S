/* SPDX-License-Identifier: GPL-2.0 */
/*
 * halt: a long-mode guest that prints "halting" on the serial port and
 * executes HLT, which hvk-run takes as the end of the guest (status 0).
 */
	.code64
	.text
	.globl	_start
_start:
	lea	msg(%rip), %rsi
	mov	$0x3f8, %dx
	mov	$len, %ecx
	rep outsb			/* one exit for the whole string */
	hlt
	jmp	_start			/* not reached */

msg:
	.ascii	"halting\n"
	.set	len, . - msg

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
next:
	lodsb				/* al = *ds:si++ */
	test	%al, %al
	jz	done
	mov	%al, %bl
	mov	$0x3fd, %dx		/* LSR */
wait:
	in	%dx, %al
	test	$0x20, %al		/* THRE: room for a byte */
	jz	wait
	mov	$0x3f8, %dx		/* THR */
	mov	%bl, %al
	out	%al, %dx
	jmp	next
done:
	mov	$0x501, %dx
	xor	%al, %al
	out	%al, %dx
	hlt				/* not reached */

msg:
	.asciz	"Hello from real mode\n"

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
next:
	lodsb
	test	%al, %al
	jz	done
	mov	%al, %bl
	mov	$0x3fd, %dx		/* LSR */
wait:
	in	%dx, %al
	test	$0x20, %al		/* THRE */
	jz	wait
	mov	$0x3f8, %dx		/* THR */
	mov	%bl, %al
	out	%al, %dx
	jmp	next
done:
	mov	$0x501, %dx
	xor	%al, %al
	out	%al, %dx
	hlt

msg:
	.asciz	"Hello from protected mode\n"

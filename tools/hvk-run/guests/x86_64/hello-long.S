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
	xor	%eax, %eax
	out	%al, %dx
	hlt

msg:
	.asciz	"Hello from long mode\n"

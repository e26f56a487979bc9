/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bus: a long-mode guest that reads where hvk-run has no device, which
 * must look like an empty bus: IN from port 0x510 gives 0xff, a 32-bit
 * load from 0xd0000000 (outside RAM, an MMIO exit) gives 0xffffffff.
 * Also writes to both (ignored). Exit status 90 if both reads were right,
 * 1 if the port read was wrong, 2 if the MMIO read was wrong.
 */
	.code64
	.text
	.globl	_start
_start:
	mov	$0x510, %dx
	mov	$0x12, %al
	in	%dx, %al
	out	%al, %dx
	mov	$1, %esi
	cmp	$0xff, %al
	jne	out
	mov	$0xd0000000, %ecx	/* identity-mapped, not RAM */
	xor	%ebx, %ebx
	mov	(%rcx), %ebx
	mov	%ebx, (%rcx)
	mov	$2, %esi
	cmp	$0xffffffff, %ebx
	jne	out
	mov	$90, %esi
out:
	mov	$0x501, %dx
	mov	%esi, %eax
	out	%al, %dx
	hlt

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-fastboot.S: the protected-mode part of the lab's "fast" bzImage.
 *
 * Why: Bochs spends most of a Debian 6.1 boot (about 40 of 56 s) in the
 * bzImage's XZ decompressor (6.12's zstd: about 10 s). tools/lab/mkfastboot
 * decompresses the kernel on the host once and builds a bzImage whose
 * protected-mode part is this stub followed by the kernel's loadable
 * segments laid out flat, so the guest only jumps into the kernel.
 *
 * The boot loader (isolinux) runs the original real-mode setup code, which
 * jumps here (boot protocol 32-bit entry, code32_start = 0x100000):
 * flat 32-bit protected mode, paging off, interrupts off, %esi = physical
 * address of boot_params. This code then does what the kernel's own
 * decompressor would do for a kernel that needs no decompression and no
 * relocation (KASLR stays off: boot_params' KASLR flag is never set):
 *   - move the flat kernel to its physical load address (normally a no-op:
 *     mkfastboot pads the image so the kernel already sits there),
 *   - identity-map the first 4 GiB with 2 MiB pages, enter long mode,
 *   - jump to the kernel's 64-bit entry (startup_64, the ELF entry point)
 *     with %rsi = boot_params, as head_64.S expects.
 *
 * Position independent: everything is addressed relative to %ebp (the
 * stub's own load address) or %rip. The page tables and stack live in the
 * zero padding mkfastboot puts after the stub (offsets 0x1000-0x9000).
 */

#define PT_OFF		0x1000	/* PML4, PDPT, 4 PDs: 6 pages */
#define STACK_TOP	0x9000

	.text
	.code32
	.globl	_start
_start:
	cli
	cld
	call	1f
1:	popl	%ebp
	subl	$(1b - _start), %ebp		/* %ebp = where we were loaded */
	leal	STACK_TOP(%ebp), %esp
	pushl	%esi				/* boot_params */

	/* memmove(dest, base + src_off, size), size a multiple of 4. */
	movl	(p_src_off - _start)(%ebp), %esi
	addl	%ebp, %esi
	movl	(p_dest - _start)(%ebp), %edi
	movl	(p_size - _start)(%ebp), %ecx
	shrl	$2, %ecx
	cmpl	%esi, %edi
	je	2f
	jb	3f
	/* dest above src: copy backwards */
	leal	-4(%esi,%ecx,4), %esi
	leal	-4(%edi,%ecx,4), %edi
	std
	rep movsl
	cld
	jmp	2f
3:	rep movsl
2:
	/* Page tables: PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3, PDs map
	 * 0..4 GiB with 2 MiB pages (present, writable, PS). */
	leal	PT_OFF(%ebp), %edi
	xorl	%eax, %eax
	movl	$(6 * 4096 / 4), %ecx
	rep stosl
	leal	PT_OFF(%ebp), %ebx		/* PML4 */
	leal	0x1003(%ebx), %eax		/* PDPT | P | RW */
	movl	%eax, (%ebx)
	xorl	%ecx, %ecx
4:	leal	0x2003(%ebx), %eax		/* PD(i) | P | RW */
	movl	%ecx, %edx
	shll	$12, %edx
	addl	%edx, %eax
	movl	%eax, 0x1000(%ebx,%ecx,8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	4b
	leal	0x2000(%ebx), %edi		/* PD0; 2048 consecutive entries */
	movl	$0x83, %eax			/* P | RW | PS, address 0 */
	xorl	%edx, %edx			/* high dword of the address */
	movl	$2048, %ecx
5:	movl	%eax, (%edi)
	movl	%edx, 4(%edi)
	addl	$8, %edi
	addl	$0x200000, %eax
	adcl	$0, %edx
	decl	%ecx
	jnz	5b

	/* Long mode: PAE, CR3, EFER.LME, then paging. */
	movl	%cr4, %eax
	orl	$0x20, %eax
	movl	%eax, %cr4
	movl	%ebx, %cr3
	movl	$0xc0000080, %ecx
	rdmsr
	orl	$0x100, %eax
	wrmsr
	/* GDT with a 64-bit code segment; its base is our load address. */
	leal	(gdt - _start)(%ebp), %eax
	movl	%eax, (gdt_desc + 2 - _start)(%ebp)
	lgdt	(gdt_desc - _start)(%ebp)
	movl	%cr0, %eax
	orl	$0x80000001, %eax
	movl	%eax, %cr0
	popl	%esi				/* boot_params */
	leal	(long64 - _start)(%ebp), %eax
	pushl	$0x08
	pushl	%eax
	lret

	.code64
long64:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%esi, %esi			/* zero-extend boot_params */
	movq	p_entry(%rip), %rax
	jmp	*%rax

	.balign	8
gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad	0x00cf92000000ffff		/* 0x10: data */
gdt_desc:
	.word	gdt_desc - gdt - 1
	.long	0

	/* Filled in by mkfastboot, found by the magic. */
	.balign	8
	.ascii	"HVKFBOOT"
p_src_off:	.long	0	/* flat kernel's offset from the stub */
p_dest:		.long	0	/* its physical load address */
p_size:		.long	0	/* its size (multiple of 4) */
		.long	0
p_entry:	.quad	0	/* physical address of startup_64 */

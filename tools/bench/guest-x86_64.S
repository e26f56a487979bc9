/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 guest code of the exit-cost benchmark. 32-bit flat protected mode,
 * paging off, RFLAGS.IF=1 (Bochs only turns host interrupts into VM exits
 * while the guest has IF=1: with IF=0 a hung loop would freeze the lab).
 * The client copies xg_start..xg_end to X_SLOT0_GPA + CODE_OFF and enters
 * at one of the xg_<row> entries.
 *
 * Every entry does the same: warm-up iterations of the operation (first
 * exits of a kind can take slow paths, e.g. KVM's first MMIO fault), then
 * RDTSC around BP_N iterations of the operation, then RDTSC around BP_N
 * iterations of the same loop without it (the loop's own cost), stores the
 * four readings in the results and reports with OUT to X_DONE_PORT.
 * For the fault-in rows the "baseline" is a second pass over the now
 * mapped memory: the same 4 KiB pages, or for 2 MiB pages the last 4 KiB of
 * each, which faults again unless the hypervisor mapped all 2 MiB.
 *
 * Registers: %esi counts iterations, %edi is the address, %ebp the stride;
 * the operations clobber %eax-%edx only.
 */
#include "layout.h"

	.section .rodata.hvk_guest, "a"
	.code32

/* Read the TSC into %edx:%eax once everything before it has executed. */
.macro TSC
	lfence
	rdtsc
	lfence
.endm

.macro BENCH name
	.globl xg_\name
xg_\name:
	/* Touch the results first, so no fault lands in a timed loop. */
	xorl	%eax, %eax
	movl	%eax, X_PARAMS + BR_T0
	movl	%eax, X_PARAMS + BR_T3 + 4
	movl	X_PARAMS + BP_STRIDE, %ebp
	movl	X_PARAMS + BP_WARM, %esi
	movl	X_PARAMS + BP_ADDR, %edi
	testl	%esi, %esi
	jz	2f
1:	OP_\name
	decl	%esi
	jnz	1b
2:	movl	X_PARAMS + BP_N, %esi
	movl	X_PARAMS + BP_ADDR, %edi
	TSC
	movl	%eax, X_PARAMS + BR_T0
	movl	%edx, X_PARAMS + BR_T0 + 4
3:	OP_\name
	decl	%esi
	jnz	3b
	TSC
	movl	%eax, X_PARAMS + BR_T1
	movl	%edx, X_PARAMS + BR_T1 + 4
	movl	X_PARAMS + BP_N, %esi
	movl	X_PARAMS + BP_ADDR2, %edi
	TSC
	movl	%eax, X_PARAMS + BR_T2
	movl	%edx, X_PARAMS + BR_T2 + 4
4:	BASE_\name
	decl	%esi
	jnz	4b
	TSC
	movl	%eax, X_PARAMS + BR_T3
	movl	%edx, X_PARAMS + BR_T3 + 4
5:	outb	%al, $X_DONE_PORT
	jmp	5b
.endm

/* CPUID leaf 0: handled in the kernel. */
.macro OP_cpuid
	xorl	%eax, %eax
	cpuid
.endm
.macro BASE_cpuid
	xorl	%eax, %eax
.endm

/*
 * VMCALL with KVM's hypercall convention, RAX = 1 (KVM_HC_VAPIC_POLL_IRQ,
 * which KVM completes in the kernel with RAX = 0 and nothing else).
 */
.macro OP_vmcall
	movl	$1, %eax
	vmcall
.endm
.macro BASE_vmcall
	movl	$1, %eax
.endm

/* OUT to a port nobody emulates in the kernel: exit to userspace. */
.macro OP_pio
	outb	%al, $X_PIO_PORT
.endm
.macro BASE_pio
.endm

/* A 4-byte store to a GPA outside every memslot: exit to userspace. */
.macro OP_mmio
	movl	%eax, (%edi)
.endm
.macro BASE_mmio
.endm

/* Touch one byte per page (4 KiB or 2 MiB stride). */
.macro OP_fault
	movb	%al, (%edi)
	addl	%ebp, %edi
.endm
.macro BASE_fault
	movb	%al, (%edi)
	addl	%ebp, %edi
.endm

	.globl xg_start, xg_end
xg_start:
	BENCH cpuid
	BENCH vmcall
	BENCH pio
	BENCH mmio
	BENCH fault
xg_end:
	.code64
	.previous
	.section .note.GNU-stack, "", @progbits

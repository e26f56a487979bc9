/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX world switch, and nothing else: load the guest's general-purpose
 * registers, VMLAUNCH or VMRESUME, and on the VM exit store them back.
 * Everything else the CPU switches itself from the VMCS (26 "VM Entries",
 * 27 "VM Exits"); every decision is made in C (run.c).
 *
 * int vmx_vmenter(struct vmx_guest_regs *regs, bool launched)
 *
 * Returns 0 after a VM exit (the exit reason is in the VMCS), 1 if the
 * VMLAUNCH/VMRESUME itself failed (VMfailInvalid/VMfailValid, 30.2
 * "Conventions"), in which case nothing ran and the caller reads the
 * VM-instruction error. Called with interrupts off.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "vmx-offsets.h"

.section .text, "ax"

SYM_FUNC_START(vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* The regs pointer: the exit finds it at the top of HOST_RSP. */
	push	%rdi

	/* The exit resumes on this stack (27.5.3 "Loading Host RIP, RSP"). */
	mov	$VMX_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jna	.Lvmfail

	/* MOV to CR2 leaves the flags undefined: before the test. */
	mov	VMX_REGS_CR2(%rdi), %rax
	mov	%rax, %cr2

	/* The exit comes back with this very stack: tell objtool. */
	UNWIND_HINT_SAVE
	test	%sil, %sil
	mov	VMX_REGS_RAX(%rdi), %rax
	mov	VMX_REGS_RCX(%rdi), %rcx
	mov	VMX_REGS_RDX(%rdi), %rdx
	mov	VMX_REGS_RBX(%rdi), %rbx
	mov	VMX_REGS_RBP(%rdi), %rbp
	mov	VMX_REGS_RSI(%rdi), %rsi
	mov	VMX_REGS_R8(%rdi), %r8
	mov	VMX_REGS_R9(%rdi), %r9
	mov	VMX_REGS_R10(%rdi), %r10
	mov	VMX_REGS_R11(%rdi), %r11
	mov	VMX_REGS_R12(%rdi), %r12
	mov	VMX_REGS_R13(%rdi), %r13
	mov	VMX_REGS_R14(%rdi), %r14
	mov	VMX_REGS_R15(%rdi), %r15
	mov	VMX_REGS_RDI(%rdi), %rdi
	jnz	.Lvmresume

	vmlaunch
	jmp	.Lvmfail
.Lvmresume:
	vmresume
	/* Falls through only if the entry failed. */
.Lvmfail:
	mov	$1, %eax
	jmp	.Lout

	/* HOST_RIP: every VM exit lands here, on the stack set above. */
SYM_INNER_LABEL(vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ANNOTATE_NOENDBR
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, VMX_REGS_RAX(%rdi)
	mov	%rcx, VMX_REGS_RCX(%rdi)
	mov	%rdx, VMX_REGS_RDX(%rdi)
	mov	%rbx, VMX_REGS_RBX(%rdi)
	mov	%rbp, VMX_REGS_RBP(%rdi)
	mov	%rsi, VMX_REGS_RSI(%rdi)
	mov	%r8, VMX_REGS_R8(%rdi)
	mov	%r9, VMX_REGS_R9(%rdi)
	mov	%r10, VMX_REGS_R10(%rdi)
	mov	%r11, VMX_REGS_R11(%rdi)
	mov	%r12, VMX_REGS_R12(%rdi)
	mov	%r13, VMX_REGS_R13(%rdi)
	mov	%r14, VMX_REGS_R14(%rdi)
	mov	%r15, VMX_REGS_R15(%rdi)
	popq	VMX_REGS_RDI(%rdi)
	mov	%cr2, %rax
	mov	%rax, VMX_REGS_CR2(%rdi)

	/*
	 * The guest may have filled the return stack buffer with its own
	 * targets: overwrite it before the first RET where the kernel says
	 * the CPU needs it (the same feature bit KVM uses).
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

	/* Leave no guest value in a register the C code may not overwrite. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%eax, %eax
.Lout:
	add	$8, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(vmx_vmenter)

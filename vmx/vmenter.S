/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX world switch, and nothing else: load the guest's general-purpose
 * registers, VMLAUNCH or VMRESUME, and on the VM exit store them back.
 * Everything else the CPU switches itself from the VMCS (26 "VM Entries",
 * 27 "VM Exits"); every decision is made in C (run.c).
 *
 * int vmx_vmenter(struct vmx_guest_regs *regs, bool launched)
 *
 * Speculation barriers at the boundary, each where and when the host
 * kernel asks for it: VERW right before the entry, RSB fill and branch
 * history clear right after the exit.
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
	/* launched into CF: the VERW below clobbers ZF, not CF. */
	bt	$0, %esi
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

	/*
	 * Clear the CPU buffers (MDS, TAA, RFDS, and MMIO stale data where
	 * the kernel folds it in) as late as possible: after the last load
	 * of host data, right before the entry. VERW with a memory operand
	 * does it on affected CPUs with the microcode; the kernel decides
	 * with X86_FEATURE_CLEAR_CPU_BUF_VM whether this host needs it
	 * (Documentation/admin-guide/hw-vuln/mds.rst), and this is its own
	 * macro, patched in or out at load.
	 */
	VM_CLEAR_CPU_BUFFERS
	jc	.Lvmresume

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
	 * the CPU needs it. X86_FEATURE_RSB_VMEXIT: the whole RSB.
	 * X86_FEATURE_RSB_VMEXIT_LITE (eIBRS parts with PBRSB, where the
	 * last CALL before the exit may still predict a RET): one CALL is
	 * enough (the kernel's spectre.rst, "Post-barrier RSB").
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Branch History Injection: where the kernel mitigates BHI with
	 * its software loop on VM exit (X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT,
	 * set by spectre_bhi=on), run the same loop before any indirect
	 * branch of the host. clear_bhb_loop is exported by the kernel;
	 * the macro is its own.
	 */
	CLEAR_BRANCH_HISTORY_VMEXIT

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

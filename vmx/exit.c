// SPDX-License-Identifier: GPL-2.0
/*
 * VM exits: one table from the basic exit reason (Appendix C "VMX Basic
 * Exit Reasons") to its handler, and the small handlers themselves. The
 * bigger ones live by theme: io.c (port I/O), mmio.c (EPT violations,
 * MMIO), msr.c, cpuid.c, cr.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/nospec.h>
#include <asm/vmx.h>

#include "apic.h"
#include "exception.h"
#include "inject.h"
#include "run.h"
#include "vmcs.h"

/* Appendix C: GETSEC always exits; <asm/vmx.h> does not name it. */
#define EXIT_REASON_GETSEC	11

/**
 * vmx_skip_instruction() - step RIP over the instruction that exited
 * @vcpu: the vCPU
 *
 * 27.2.5: the VM-exit instruction length is valid for the exits that
 * need it (CPUID, HLT, I/O, RDMSR/WRMSR, VMCALL, MOV CR/DR, ...). A
 * 16-bit or 32-bit guest wraps at its width; the upper RIP bits stay 0.
 * Clears the STI/MOV SS blocking the instruction may have set up, as
 * stepping over it does.
 */
void vmx_skip_instruction(struct hvk_vcpu *vcpu)
{
	unsigned long rip = vmcs_readl(GUEST_RIP);
	u32 intr;

	rip += vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	if (vmx_cpu_mode(vcpu) != X86_MODE_LONG64)
		rip = (u32)rip;
	vmcs_writel(GUEST_RIP, rip);
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
}

/**
 * vmx_inject_exception() - deliver a hardware exception at the next entry
 * @vcpu: the vCPU
 * @vector: the exception vector (e.g. GP_VECTOR)
 * @has_error: whether it pushes an error code
 * @error: the error code
 */
void vmx_inject_exception(struct hvk_vcpu *vcpu, int vector, bool has_error,
			  u32 error)
{
	hvk_vcpu_inject_event(vcpu, vector);
	vcpu->arch.inject_vector = vector;
	vcpu->arch.inject_has_error = has_error;
	vcpu->arch.inject_error = error;
}

static inline int vmx_inject_ud(struct hvk_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, UD_VECTOR, false, 0);
	return HVK_RESUME_GUEST;
}

/**
 * vmx_internal_error() - end KVM_RUN with KVM_EXIT_INTERNAL_ERROR
 * @vcpu: the vCPU
 * @suberror: KVM_INTERNAL_ERROR_*
 *
 * The data carry the raw exit reason and the CPU (where KVM puts them)
 * and the exit qualification, so that a VMM (and a bug report) sees what
 * the hardware said.
 */
int vmx_internal_error(struct hvk_vcpu *vcpu, u32 suberror)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 3;
	run->internal.data[0] = vcpu->arch.exit_reason;
	run->internal.data[1] = vcpu->arch.cpu;
	run->internal.data[2] = vmcs_readl(EXIT_QUALIFICATION);
	return HVK_EXIT_TO_USER;
}

static int vmx_handle_unexpected(struct hvk_vcpu *vcpu)
{
	pr_warn_ratelimited("vCPU %u: unhandled VM exit, reason %u\n",
			    vcpu->id, vcpu->arch.exit_reason);
	return vmx_internal_error(vcpu,
				  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}

/* Nothing to do: the host took its interrupt or the time slice ended. */
static int vmx_handle_nothing(struct hvk_vcpu *vcpu)
{
	return HVK_RESUME_GUEST;
}

static int vmx_handle_exception_nmi(struct hvk_vcpu *vcpu)
{
	u32 intr = vmcs_read32(VM_EXIT_INTR_INFO);
	int r;

	vmx_recover_nmi_blocking(vcpu, intr);
	/* NMIs and machine checks went to the host already (run.c). */
	if ((intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR ||
	    (intr & INTR_INFO_VECTOR_MASK) == MC_VECTOR)
		return HVK_RESUME_GUEST;
	/* #AC and #DB (exception.c); nothing else is in the bitmap. */
	r = vmx_handle_exception(vcpu, intr);
	if (r == -ENOENT)
		return vmx_handle_unexpected(vcpu);
	return r;
}

static int vmx_handle_triple_fault(struct hvk_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return HVK_EXIT_TO_USER;
}

static int vmx_handle_hlt(struct hvk_vcpu *vcpu)
{
	/* With the in-kernel LAPIC the vCPU sleeps in the kernel (apic.c). */
	if (vcpu->irqchip)
		return vmx_apic_hlt(vcpu);
	/* No in-kernel interrupt controller: userspace decides (KVM alike). */
	vmx_skip_instruction(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return HVK_EXIT_TO_USER;
}

/*
 * VMCALL with KVM's hypercall ABI (Documentation/virt/kvm/x86/
 * hypercalls.rst): number in RAX, result in RAX. hvk implements none of
 * KVM's hypercalls yet, so every number gets -KVM_ENOSYS, as KVM answers
 * an unknown one; from CPL > 0, -KVM_EPERM.
 */
static int vmx_handle_vmcall(struct hvk_vcpu *vcpu)
{
	u64 *rax = &vcpu->arch.regs.gpr[VMX_RAX];
	u32 ss_ar = vmcs_read32(GUEST_SS_AR_BYTES);

	if (VMX_AR_DPL(ss_ar) != 0 &&
	    (vmcs_readl(GUEST_CR0) & X86_CR0_PE))
		*rax = (u64)-KVM_EPERM;
	else
		*rax = (u64)-KVM_ENOSYS;
	if (vmx_cpu_mode(vcpu) != X86_MODE_LONG64)
		*rax = (u32)*rax;
	vmx_skip_instruction(vcpu);
	return HVK_RESUME_GUEST;
}

/*
 * Instructions for features hvk does not offer the guest, which exit
 * unconditionally or because their exiting control is on: #UD, as on a
 * CPU without them (nested VMX: CPUID.1:ECX.VMX = 0; SMX for GETSEC;
 * MONITOR/MWAIT and XSAVE: their CPUID bits are clear).
 */
static int vmx_handle_vmx_insn(struct hvk_vcpu *vcpu)
{
	return vmx_inject_ud(vcpu);
}

/* INVD/WBINVD: caches are the host's business. */
static int vmx_handle_skip(struct hvk_vcpu *vcpu)
{
	vmx_skip_instruction(vcpu);
	return HVK_RESUME_GUEST;
}

/* RDPMC: no virtual PMU, so any counter index is out of range: #GP. */
static int vmx_handle_rdpmc(struct hvk_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, GP_VECTOR, true, 0);
	return HVK_RESUME_GUEST;
}

static int vmx_handle_ept_misconfig(struct hvk_vcpu *vcpu)
{
	/* hvk wrote a bad EPT entry: say so, never loop on it. */
	pr_err_ratelimited("vCPU %u: EPT misconfiguration at gpa 0x%llx\n",
			   vcpu->id, vmcs_read64(GUEST_PHYSICAL_ADDRESS));
	return vmx_internal_error(vcpu,
				  KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}

typedef int (*vmx_exit_handler_t)(struct hvk_vcpu *vcpu);

/*
 * Every handler returns enum hvk_exit_action: HVK_RESUME_GUEST when it
 * handled the exit in the kernel, HVK_EXIT_TO_USER when it filled in
 * kvm_run for userspace; or a negative errno for KVM_RUN. A reason with
 * no entry (or beyond the table) goes to vmx_handle_unexpected():
 * KVM_EXIT_INTERNAL_ERROR with the raw reason.
 */
static const vmx_exit_handler_t vmx_exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI]	= vmx_handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = vmx_handle_nothing,
	[EXIT_REASON_TRIPLE_FAULT]	= vmx_handle_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW]	= vmx_handle_irq_window,
	[EXIT_REASON_NMI_WINDOW]	= vmx_handle_nmi_window,
	[EXIT_REASON_CPUID]		= vmx_handle_cpuid,
	[EXIT_REASON_HLT]		= vmx_handle_hlt,
	[EXIT_REASON_GETSEC]		= vmx_handle_vmx_insn,
	[EXIT_REASON_INVD]		= vmx_handle_skip,
	[EXIT_REASON_RDPMC]		= vmx_handle_rdpmc,
	[EXIT_REASON_VMCALL]		= vmx_handle_vmcall,
	[EXIT_REASON_VMCLEAR]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMLAUNCH]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMPTRLD]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMPTRST]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMREAD]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMRESUME]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMWRITE]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMOFF]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMON]		= vmx_handle_vmx_insn,
	[EXIT_REASON_CR_ACCESS]		= vmx_handle_cr,
	[EXIT_REASON_DR_ACCESS]		= vmx_handle_dr,
	[EXIT_REASON_IO_INSTRUCTION]	= vmx_handle_io,
	[EXIT_REASON_MSR_READ]		= vmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]		= vmx_handle_wrmsr,
	[EXIT_REASON_MWAIT_INSTRUCTION]	= vmx_handle_vmx_insn,
	[EXIT_REASON_MONITOR_INSTRUCTION] = vmx_handle_vmx_insn,
	[EXIT_REASON_EPT_VIOLATION]	= vmx_handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG]	= vmx_handle_ept_misconfig,
	[EXIT_REASON_INVEPT]		= vmx_handle_vmx_insn,
	[EXIT_REASON_INVVPID]		= vmx_handle_vmx_insn,
	[EXIT_REASON_PREEMPTION_TIMER]	= vmx_handle_nothing,
	[EXIT_REASON_WBINVD]		= vmx_handle_skip,
	[EXIT_REASON_XSETBV]		= vmx_handle_vmx_insn,
	[EXIT_REASON_VMFUNC]		= vmx_handle_vmx_insn,
	[EXIT_REASON_MCE_DURING_VMENTRY] = vmx_handle_nothing,
	[EXIT_REASON_NOTIFY]		= vmx_handle_notify,
};

static int __vmx_handle_exit(struct hvk_vcpu *vcpu, u16 basic)
{
	vmx_exit_handler_t handler = NULL;

	/*
	 * An exit in the middle of delivering an event (27.2.4) is expected
	 * only for the exceptions hvk intercepts, EPT violations (the
	 * handler fills the page in and the event is delivered again) and
	 * notify exits; anything else there means the event cannot be
	 * delivered: tell the VMM what was being delivered, as kvm_intel.
	 */
	if ((vcpu->arch.idt_vectoring & VECTORING_INFO_VALID_MASK) &&
	    basic != EXIT_REASON_EXCEPTION_NMI &&
	    basic != EXIT_REASON_EPT_VIOLATION &&
	    basic != EXIT_REASON_NOTIFY &&
	    basic != EXIT_REASON_APIC_ACCESS &&
	    basic != EXIT_REASON_TASK_SWITCH &&
	    basic != EXIT_REASON_TRIPLE_FAULT)
		return vmx_delivery_error(vcpu);
	if (basic < ARRAY_SIZE(vmx_exit_handlers))
		handler = vmx_exit_handlers[array_index_nospec(basic,
					    ARRAY_SIZE(vmx_exit_handlers))];
	if (!handler)
		return vmx_handle_unexpected(vcpu);
	return handler(vcpu);
}

/*
 * Exits whose handlers touch neither guest memory nor the memslots: no
 * read section for them (an SRCU lock and unlock are two full barriers
 * on the hottest exits). Every other handler runs in one section.
 */
static bool vmx_exit_needs_memslots(u16 basic)
{
	switch (basic) {
	case EXIT_REASON_CPUID:
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
	case EXIT_REASON_HLT:
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
	case EXIT_REASON_IO_INSTRUCTION:	/* string I/O: vmx_handle_io() */
		return false;
	}
	return true;
}

/**
 * vmx_handle_exit() - dispatch the exit that just happened
 * @vcpu: the vCPU; arch.exit_reason holds the exit reason field
 *
 * A handler that may touch guest memory runs in one memslot read section:
 * an emulated instruction (string I/O, MMIO with its page walk and split
 * parts) sees one set of slots, and a slot update waits for it
 * (core/hvk.h). A handler must not block there for long.
 *
 * Return: see the table above.
 */
int vmx_handle_exit(struct hvk_vcpu *vcpu)
{
	u16 basic = (u16)vcpu->arch.exit_reason;
	int idx, r;

	hvk_vcpu_exit_event(vcpu, basic);
	if (!vmx_exit_needs_memslots(basic))
		return __vmx_handle_exit(vcpu, basic);
	idx = hvk_memslots_lock(vcpu->vm);
	r = __vmx_handle_exit(vcpu, basic);
	hvk_memslots_unlock(vcpu->vm, idx);
	return r;
}

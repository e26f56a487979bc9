// SPDX-License-Identifier: GPL-2.0
/*
 * Guest exceptions hvk intercepts: #AC and #DB, and the notify VM exit.
 *
 * Why intercept them at all: an exception whose delivery raises the same
 * exception again never reaches an instruction boundary, so inside the
 * CPU nothing (host interrupt, NMI, VMX-preemption timer) is ever
 * recognized: a guest pointing its #AC gate at ring-3 code on a
 * misaligned stack (CVE-2015-5307), or putting a data breakpoint on the
 * stack its #DB handler is delivered on (CVE-2015-8104), would keep the
 * host CPU for good. With both in the exception bitmap, each delivery
 * attempt is a VM exit instead (Vol. 3C 25.2 "Other Causes of VM
 * Exits"), hvk reflects the exception into the guest, and the run loop
 * comes round between two attempts: a signal ends KVM_RUN, the scheduler
 * runs. An intercepted exception raised while another event is being
 * delivered ends KVM_RUN with an internal error, as under kvm_intel (the
 * #AC loop ends there); a #DB loop whose every #DB comes after its
 * delivery completed (a data breakpoint on the handler's stack) goes on,
 * one exit at a time, until a signal ends KVM_RUN.
 *
 * Where the CPU has it, the notify VM exit (25.2, "VM exit on notify"
 * in the secondary controls) bounds any other stall of the same kind:
 * the CPU exits if no instruction boundary opens for a notify window.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <asm/cpu.h>
#include <asm/cpufeature.h>
#include <asm/vmx.h>
#include <asm/debugreg.h>	/* after the rest: needs percpu */

#include "caps.h"
#include "exception.h"
#include "run.h"
#include "vmcs.h"

/*
 * Exit qualification of a #DB exit (27.2.1, Table 27-1 "Exit
 * Qualification for Debug Exceptions"): the bits DR6 would have got,
 * which a #DB that causes a VM exit does not write to DR6 (27.1).
 */
#define DB_QUAL_BP		DR_TRAP_BITS	/* B0-B3 */
#define DB_QUAL_BD		BIT(13)
#define DB_QUAL_BS		BIT(14)
#define DB_QUAL_RTM		BIT(16)		/* DR6.RTM is active low */

/* DR7.GD, cleared by the CPU when it delivers #DB (Vol. 3B 17.2.4). */
#define HVK_DR7_GD		BIT(13)

/*
 * Notify window, in cycles (25.5.6 "Notify VM Exits"): how long the CPU
 * may go without an instruction boundary (an event window) before it
 * exits. Code that makes progress opens one every few cycles; this is
 * far above that and well below the VMX-preemption timer's slice.
 */
#define HVK_NOTIFY_WINDOW	(128 * 1024)

/* Whether the notify VM exit is in use (the CPU reports it, A.3.3). */
bool vmx_has_notify(void)
{
	return vmx_ctl_allows(&vmx_caps.proc2,
			      SECONDARY_EXEC_NOTIFY_VM_EXITING);
}

/**
 * vmx_exception_setup() - exception bitmap and notify window of a VMCS
 * @proc2: the secondary controls hvk is about to write; gets "VM exit
 *         on notify" if the CPU has it
 *
 * #MC so that the host sees its machine checks (run.c), #AC and #DB so
 * that no guest can hold the CPU in an endless delivery (above).
 */
void vmx_exception_setup(u32 *proc2)
{
	vmcs_write32(EXCEPTION_BITMAP, BIT(MC_VECTOR) | BIT(AC_VECTOR) |
		     BIT(DB_VECTOR));
	if (vmx_has_notify()) {
		*proc2 |= SECONDARY_EXEC_NOTIFY_VM_EXITING;
		vmcs_write32(NOTIFY_WINDOW, HVK_NOTIFY_WINDOW);
	}
}

/**
 * vmx_delivery_error() - end KVM_RUN: an event could not be delivered
 * @vcpu: the vCPU
 *
 * KVM_EXIT_INTERNAL_ERROR with KVM_INTERNAL_ERROR_DELIVERY_EV and the
 * data kvm_intel gives: the IDT-vectoring information, the exit reason,
 * the exit qualification and the CPU.
 */
int vmx_delivery_error(struct hvk_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_DELIVERY_EV;
	run->internal.ndata = 4;
	run->internal.data[0] = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	run->internal.data[1] = vcpu->arch.exit_reason;
	run->internal.data[2] = vmcs_readl(EXIT_QUALIFICATION);
	run->internal.data[3] = vcpu->arch.cpu;
	return HVK_EXIT_TO_USER;
}

/*
 * Alignment checking is on for the guest (Vol. 3A 6.15 "Interrupt 17 -
 * Alignment Check Exception"): CR0.AM, RFLAGS.AC and CPL 3, in protected
 * mode. Otherwise the #AC came from the host's split-lock detection
 * (IA32_TEST_CTRL stays as the host set it while the guest runs), which
 * the guest must never see as its own #AC.
 */
static bool vmx_guest_checks_alignment(struct hvk_vcpu *vcpu)
{
	if (!boot_cpu_has(X86_FEATURE_SPLIT_LOCK_DETECT))
		return true;
	return (vmcs_readl(GUEST_CR0) & (X86_CR0_PE | X86_CR0_AM)) ==
		       (X86_CR0_PE | X86_CR0_AM) &&
	       (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_AC) &&
	       VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES)) == 3;
}

static int vmx_handle_ac(struct hvk_vcpu *vcpu, u32 intr)
{
	u32 error = vmcs_read32(VM_EXIT_INTR_ERROR_CODE);
	struct kvm_run *run = vcpu->run;

	if (vmx_guest_checks_alignment(vcpu)) {
		vmx_inject_exception(vcpu, AC_VECTOR, true, error);
		return HVK_RESUME_GUEST;
	}
	/*
	 * A split lock in the guest. The host kernel decides, as for its
	 * own tasks (split_lock_detect=): in "warn" mode it logs, lets this
	 * task run on without detection, and the instruction is retried;
	 * in "fatal" mode it has sent SIGBUS, and KVM_RUN ends with the
	 * exception for the VMM, as kvm_intel does.
	 */
	if (handle_guest_split_lock(vmcs_readl(GUEST_RIP)))
		return HVK_RESUME_GUEST;
	run->exit_reason = KVM_EXIT_EXCEPTION;
	run->ex.exception = AC_VECTOR;
	run->ex.error_code = error;
	return HVK_EXIT_TO_USER;
}

static int vmx_handle_db(struct hvk_vcpu *vcpu, u32 intr)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u64 qual = vmcs_readl(EXIT_QUALIFICATION);
	u32 blocking;

	/*
	 * INT1 (ICEBP) exits as a privileged software exception, before it
	 * executes (27.2.4): inject it as such, with its length, and the
	 * CPU delivers it as the instruction would have (26.6.1.1).
	 */
	if ((intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION) {
		a->soft_info = DB_VECTOR | INTR_TYPE_PRIV_SW_EXCEPTION;
		a->soft_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
		return HVK_RESUME_GUEST;
	}

	/*
	 * DR6 as the CPU would have left it (Vol. 3B 17.2.3): B0-B3 name
	 * the breakpoints of this #DB only, BD/BS/BT stay once set, RTM is
	 * clear when the #DB came from a transaction.
	 */
	a->dr6 &= ~(u64)DR_TRAP_BITS;
	a->dr6 |= DR6_RESERVED | (qual & (DB_QUAL_BP | DB_QUAL_BD |
					  DB_QUAL_BS));
	a->dr6 ^= qual & DB_QUAL_RTM;
	/* A general-detect #DB clears DR7.GD, so its handler may use DRs. */
	if (qual & DB_QUAL_BD) {
		a->dr7 &= ~HVK_DR7_GD;
		vmcs_writel(GUEST_DR7, a->dr7);
	}
	/*
	 * Single-stepping into STI or MOV SS leaves the guest blocked with
	 * RFLAGS.TF set, and the CPU does not record the single-step trap
	 * as pending on a #DB exit; the entry checks (26.3.1.5) then want
	 * BS pending, or the next entry fails.
	 */
	blocking = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if ((vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_TF) &&
	    (blocking & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) |
			    DB_QUAL_BS);
	vmx_inject_exception(vcpu, DB_VECTOR, false, 0);
	return HVK_RESUME_GUEST;
}

/*
 * An intercepted exception raised while the CPU was delivering another
 * event (IDT-vectoring information valid, 27.2.4): the guest's event
 * delivery cannot make progress (the #AC loop is exactly this: #AC while
 * delivering #AC). End KVM_RUN with what kvm_intel gives (seen in the
 * lab: 6.1's handle_exception_nmi()): KVM_EXIT_INTERNAL_ERROR,
 * KVM_INTERNAL_ERROR_SIMUL_EX, the vectoring information, the exit's
 * interruption information and error code, and the CPU. Entering again
 * repeats it: the VMM decides (reset the vCPU, or give up).
 */
static int vmx_simultaneous_exceptions(struct hvk_vcpu *vcpu, u32 intr)
{
	struct kvm_run *run = vcpu->run;

	/*
	 * The interrupted event stays queued for the next entry (run.c),
	 * as kvm_intel keeps it: entering again repeats this exit.
	 */
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_SIMUL_EX;
	run->internal.ndata = 4;
	run->internal.data[0] = vcpu->arch.idt_vectoring;
	run->internal.data[1] = intr;
	run->internal.data[2] = intr & INTR_INFO_DELIVER_CODE_MASK ?
				vmcs_read32(VM_EXIT_INTR_ERROR_CODE) : 0;
	run->internal.data[3] = vcpu->arch.cpu;
	return HVK_EXIT_TO_USER;
}

/**
 * vmx_handle_exception() - an exception in the exception bitmap
 * @vcpu: the vCPU
 * @intr: the VM-exit interruption information (valid)
 */
int vmx_handle_exception(struct hvk_vcpu *vcpu, u32 intr)
{
	if (vcpu->arch.idt_vectoring & VECTORING_INFO_VALID_MASK)
		return vmx_simultaneous_exceptions(vcpu, intr);
	switch (intr & INTR_INFO_VECTOR_MASK) {
	case AC_VECTOR:
		return vmx_handle_ac(vcpu, intr);
	case DB_VECTOR:
		return vmx_handle_db(vcpu, intr);
	default:
		return -ENOENT;
	}
}

/**
 * vmx_handle_notify() - no instruction boundary for a notify window
 * @vcpu: the vCPU
 *
 * The exit itself gave the host its chance. If the CPU says the guest
 * state it saved is not usable (bit 0 of the qualification, 27.2.1),
 * the vCPU cannot go on: end KVM_RUN with the delivery information.
 */
int vmx_handle_notify(struct hvk_vcpu *vcpu)
{
	if (vmcs_readl(EXIT_QUALIFICATION) & NOTIFY_VM_CONTEXT_INVALID) {
		pr_warn_ratelimited("vCPU %u: notify VM exit with invalid VM context\n",
				    vcpu->id);
		return vmx_delivery_error(vcpu);
	}
	return HVK_RESUME_GUEST;
}

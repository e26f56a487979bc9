// SPDX-License-Identifier: GPL-2.0
/*
 * Event injection: external interrupts, NMIs and exceptions go into the
 * guest through the VM-entry interruption-information field (SDM Vol. 3C
 * 24.8.3 "VM-Entry Controls for Event Injection", 26.6 "Event
 * Injection"); when the guest cannot take one yet (RFLAGS.IF clear,
 * blocking by STI or MOV SS, an NMI handler still running) the
 * interrupt-window or NMI-window exiting control (25.2, 26.7.5-6) makes
 * the CPU exit as soon as it can.
 *
 * An event is "injected" from the moment hvk decides to deliver it until
 * an entry delivered it: an exit during its delivery (an EPT violation on
 * the IDT or the stack, 27.2.4 "Information for VM Exits During Event
 * Delivery") hands it back through the IDT-vectoring information, and
 * vmx_events_after_exit() queues it again, so it is delivered exactly
 * once. KVM_GET/SET_VCPU_EVENTS show and set the same state.
 *
 * Without an in-kernel irqchip the VMM injects external interrupts with
 * KVM_INTERRUPT and asks for a window with kvm_run's
 * request_interrupt_window, as with kvm_intel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/uaccess.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "caps.h"
#include "inject.h"
#include "lapic.h"
#include "request.h"
#include "run.h"
#include "vmcs.h"

/* KVM's kvm_vcpu_events.interrupt.shadow bits. */
#define VMX_SHADOW_MOV_SS	KVM_X86_SHADOW_INT_MOV_SS
#define VMX_SHADOW_STI		KVM_X86_SHADOW_INT_STI

#define VMX_INTR_SHADOW	(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)

#define NMI_VECTOR		X86_TRAP_NMI

/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP push an error code. */
#define VMX_ERROR_CODE_VECTORS	(BIT(8) | BIT(10) | BIT(11) | BIT(12) | \
				 BIT(13) | BIT(14) | BIT(17) | BIT(21))

/* Whether virtual NMIs (and so NMI-window exiting) are in use. */
bool vmx_has_vnmi(void)
{
	return vmx_ctl_allows(&vmx_caps.pin, PIN_BASED_VIRTUAL_NMIS) &&
	       vmx_ctl_allows(&vmx_caps.proc, CPU_BASED_NMI_WINDOW_EXITING);
}

/* RFLAGS.IF set and no STI/MOV SS shadow: an interrupt may go in now. */
static bool vmx_irq_allowed(u32 intr)
{
	return (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(intr & VMX_INTR_SHADOW);
}

/*
 * NMIs are blocked by an NMI handler still running (virtual-NMI
 * blocking) and by MOV SS; the entry checks (26.3.1.5) also refuse an
 * NMI under blocking by STI, as some CPUs block it there.
 */
static bool vmx_nmi_allowed(u32 intr)
{
	return !(intr & (VMX_INTR_SHADOW | GUEST_INTR_STATE_NMI));
}

/* An external interrupt waiting to be taken: the VMM's or the LAPIC's. */
static bool vmx_irq_waiting(struct hvk_vcpu *vcpu)
{
	if (vcpu->arch.irq_injected)
		return true;
	return vcpu->irqchip && lapic_pending_irq(vcpu) >= 0;
}

/* Nothing half delivered, nothing queued: KVM's reinjection test. */
static bool vmx_event_in_flight(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;

	return a->inject_vector >= 0 || a->irq_injected || a->nmi_injected ||
	       a->soft_info;
}

/*
 * kvm_run's ready_for_interrupt_injection without an in-kernel irqchip
 * (6.1's kvm_vcpu_ready_for_interrupt_injection()): the guest takes an
 * interrupt now and nothing else is being delivered. VMCS current.
 */
bool vmx_ready_for_interrupt(struct hvk_vcpu *vcpu)
{
	return vmx_irq_allowed(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO)) &&
	       !vmx_event_in_flight(vcpu);
}

/*
 * The VMM asked for an interrupt window and the guest has one: end
 * KVM_RUN with KVM_EXIT_IRQ_WINDOW_OPEN (6.1's vcpu_run() checks this
 * after every exit handled in the kernel).
 */
bool vmx_irq_window_open_exit(struct hvk_vcpu *vcpu)
{
	if (vcpu->irqchip || !READ_ONCE(vcpu->run->request_interrupt_window))
		return false;
	if (!vmx_ready_for_interrupt(vcpu))
		return false;
	vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	return true;
}

static void vmx_set_windows(struct hvk_vcpu *vcpu, bool irq, bool nmi)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u32 proc = a->proc_ctl & ~(CPU_BASED_INTR_WINDOW_EXITING |
				   CPU_BASED_NMI_WINDOW_EXITING);

	if (irq)
		proc |= CPU_BASED_INTR_WINDOW_EXITING;
	if (nmi && vmx_has_vnmi())
		proc |= CPU_BASED_NMI_WINDOW_EXITING;
	if (proc != a->proc_ctl) {
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
		a->proc_ctl = proc;
	}
}

/**
 * vmx_inject_events() - choose the event the next entry delivers
 * @vcpu: the vCPU, its VMCS current, interrupts off
 *
 * Priority as the CPU would deliver them (Vol. 3A 6.9 "Priority Among
 * Simultaneous Exceptions and Interrupts"), with events already under way
 * first: an exception, a software event or an NMI or interrupt whose
 * delivery an exit cut short; then a new NMI; then a new external
 * interrupt. What cannot go in now gets a window exit.
 */
void vmx_inject_events(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	u32 info = 0;
	int vec;

	if (vcpu->irqchip)
		a->nmi_pending = min_t(u32, a->nmi_pending +
				       lapic_take_nmis(vcpu), 2);

	if (a->inject_vector >= 0) {
		info = a->inject_vector | INTR_TYPE_HARD_EXCEPTION;
		/*
		 * An error code only for the vectors that push one, and not
		 * in real mode: the entry checks want exactly that
		 * (26.2.1.3), whatever KVM_SET_VCPU_EVENTS was given.
		 */
		if (a->inject_has_error &&
		    (VMX_ERROR_CODE_VECTORS & BIT(a->inject_vector)) &&
		    (vmcs_readl(GUEST_CR0) & X86_CR0_PE)) {
			info |= INTR_INFO_DELIVER_CODE_MASK;
			vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
				     a->inject_error);
		}
		a->inject_vector = -1;
	} else if (a->soft_info) {
		info = a->soft_info;
		if (info & INTR_INFO_DELIVER_CODE_MASK)
			vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
				     a->soft_err);
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, a->soft_len);
	} else if (a->nmi_injected) {
		info = NMI_VECTOR | INTR_TYPE_NMI_INTR;
	} else if (a->irq_injected) {
		/*
		 * A VMM's KVM_INTERRUPT while the guest cannot take it waits
		 * for the window (an entry with IF clear would fail its
		 * checks, 26.3.1.4); one cut short by an exit always can.
		 */
		if (vmx_irq_allowed(intr))
			info = a->irq_nr | INTR_TYPE_EXT_INTR;
	} else if (a->nmi_pending && vmx_nmi_allowed(intr)) {
		a->nmi_pending--;
		a->nmi_injected = true;
		info = NMI_VECTOR | INTR_TYPE_NMI_INTR;
	} else if (vcpu->irqchip && vmx_irq_allowed(intr) &&
		   (vec = lapic_ack_irq(vcpu)) >= 0) {
		a->irq_injected = true;
		a->irq_nr = vec;
		info = vec | INTR_TYPE_EXT_INTR;
	}

	if (info) {
		info |= INTR_INFO_VALID_MASK;
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	}
	a->entry_info = info;
	vmx_set_windows(vcpu, vmx_irq_waiting(vcpu) ||
			(!vcpu->irqchip &&
			 READ_ONCE(vcpu->run->request_interrupt_window)),
			a->nmi_pending);
}

/**
 * vmx_events_after_exit() - account for what the entry delivered
 * @vcpu: the vCPU, its VMCS current
 *
 * The event the entry injected is delivered unless the IDT-vectoring
 * information says the exit came in the middle of its delivery (or of a
 * guest event of its own, an INT n or a fault): queue that one again as
 * what it was (27.2.4).
 */
void vmx_events_after_exit(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 type = a->entry_info & INTR_INFO_INTR_TYPE_MASK;
	u32 intr;

	if (a->entry_info) {
		if (type == INTR_TYPE_NMI_INTR)
			a->nmi_injected = false;
		else if (type == INTR_TYPE_EXT_INTR)
			a->irq_injected = false;
		else
			a->soft_info = 0;
		a->entry_info = 0;
	}
	a->idt_vectoring = info;
	if (!(info & VECTORING_INFO_VALID_MASK))
		return;

	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_EXT_INTR:
		a->irq_injected = true;
		a->irq_nr = info & VECTORING_INFO_VECTOR_MASK;
		break;
	case INTR_TYPE_NMI_INTR:
		/*
		 * Virtual-NMI blocking came with the delivery that did not
		 * complete; an entry injecting an NMI wants it clear.
		 */
		a->nmi_injected = true;
		intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~GUEST_INTR_STATE_NMI);
		break;
	case INTR_TYPE_HARD_EXCEPTION:
		a->inject_vector = info & VECTORING_INFO_VECTOR_MASK;
		a->inject_has_error = info & VECTORING_INFO_DELIVER_CODE_MASK;
		a->inject_error = vmcs_read32(IDT_VECTORING_ERROR_CODE);
		break;
	default:
		/* INT n, INT3, INTO, INT1: again, with their length. */
		a->soft_info = info & ~INTR_INFO_RESVD_BITS_MASK &
			       ~INTR_INFO_VALID_MASK;
		a->soft_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
		a->soft_err = vmcs_read32(IDT_VECTORING_ERROR_CODE);
		break;
	}
}

/*
 * An exit that interrupted an IRET (a fault on its stack pops) undid the
 * NMI unblocking the IRET would have done (27.2.3): block NMIs again, or
 * a second NMI would nest inside the first handler.
 */
void vmx_recover_nmi_blocking(struct hvk_vcpu *vcpu, u32 exit_intr_info)
{
	if (!vmx_has_vnmi() ||
	    (vcpu->arch.idt_vectoring & VECTORING_INFO_VALID_MASK) ||
	    !(exit_intr_info & INTR_INFO_UNBLOCK_NMI))
		return;
	vmcs_set_bits32(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
}

/* Interrupt window: the guest can take an interrupt now. */
int vmx_handle_irq_window(struct hvk_vcpu *vcpu)
{
	vmx_set_windows(vcpu, false, vcpu->arch.nmi_pending);
	/* The VMM asked for it and has nothing queued: tell it (6.1). */
	if (!vcpu->irqchip &&
	    READ_ONCE(vcpu->run->request_interrupt_window) &&
	    !vcpu->arch.irq_injected) {
		vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		return HVK_EXIT_TO_USER;
	}
	return HVK_RESUME_GUEST;
}

int vmx_handle_nmi_window(struct hvk_vcpu *vcpu)
{
	vmx_set_windows(vcpu, vmx_irq_waiting(vcpu), false);
	return HVK_RESUME_GUEST;
}

/* KVM_INTERRUPT: only for VMMs whose PIC is in userspace. */
static long vmx_ioctl_interrupt(struct hvk_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= KVM_NR_INTERRUPTS)
		return -EINVAL;
	/* hvk's in-kernel irqchip always has its PIC (6.1: -ENXIO). */
	if (vcpu->irqchip)
		return -ENXIO;
	vcpu->arch.irq_injected = true;
	vcpu->arch.irq_nr = irq.irq;
	return 0;
}

/*
 * KVM_NMI: one more NMI pending. As the CPU latches at most one NMI
 * while another is blocked, two may wait when none is under way, one
 * otherwise (6.1's process_nmi()). VMCS current.
 */
static long vmx_ioctl_nmi(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	unsigned int limit = 2;

	if (a->nmi_injected ||
	    (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_NMI))
		limit = 1;
	a->nmi_pending = min(a->nmi_pending + 1U, limit);
	return 0;
}

static void vmx_get_events(struct hvk_vcpu *vcpu, struct kvm_vcpu_events *e)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	memset(e, 0, sizeof(*e));
	/*
	 * An exception: "injected" (KVM conflates it with pending without
	 * KVM_CAP_EXCEPTION_PAYLOAD). Software events (INT3, INTO, INT n)
	 * have no field for their length and are not reported, as KVM's;
	 * the guest executes the instruction again.
	 */
	if (a->inject_vector >= 0) {
		e->exception.injected = 1;
		e->exception.nr = a->inject_vector;
		e->exception.has_error_code = a->inject_has_error;
		e->exception.error_code = a->inject_error;
	}
	e->interrupt.injected = a->irq_injected;
	e->interrupt.nr = a->irq_nr;
	if (intr & GUEST_INTR_STATE_STI)
		e->interrupt.shadow |= VMX_SHADOW_STI;
	if (intr & GUEST_INTR_STATE_MOV_SS)
		e->interrupt.shadow |= VMX_SHADOW_MOV_SS;
	e->nmi.injected = a->nmi_injected;
	e->nmi.pending = a->nmi_pending != 0;
	e->nmi.masked = !!(intr & GUEST_INTR_STATE_NMI);
	e->flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
		   KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM;
}

static int vmx_set_events(struct hvk_vcpu *vcpu,
			  const struct kvm_vcpu_events *e)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u32 intr;

	if (e->flags & ~(KVM_VCPUEVENT_VALID_NMI_PENDING |
			 KVM_VCPUEVENT_VALID_SIPI_VECTOR |
			 KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM |
			 KVM_VCPUEVENT_VALID_PAYLOAD |
			 KVM_VCPUEVENT_VALID_TRIPLE_FAULT))
		return -EINVAL;
	/* Payloads and triple-fault events need caps hvk does not enable. */
	if (e->flags & (KVM_VCPUEVENT_VALID_PAYLOAD |
			KVM_VCPUEVENT_VALID_TRIPLE_FAULT))
		return -EINVAL;
	/* exception.pending is ignored without the payload cap (6.1). */
	if (e->exception.injected &&
	    (e->exception.nr > 31 || e->exception.nr == NMI_VECTOR))
		return -EINVAL;
	/*
	 * hvk has no SMM (KVM_CAP_X86_SMM is not reported): entering it or
	 * an SMI is refused, a VMM restoring "not in SMM" goes through.
	 */
	if ((e->flags & KVM_VCPUEVENT_VALID_SMM) &&
	    (e->smi.smm || e->smi.pending))
		return -EINVAL;

	a->inject_vector = e->exception.injected ? e->exception.nr : -1;
	a->inject_has_error = e->exception.has_error_code;
	a->inject_error = e->exception.error_code;
	a->soft_info = 0;
	a->irq_injected = e->interrupt.injected;
	a->irq_nr = e->interrupt.nr;

	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if (e->flags & KVM_VCPUEVENT_VALID_SHADOW) {
		intr &= ~VMX_INTR_SHADOW;
		if (e->interrupt.shadow & VMX_SHADOW_STI)
			intr |= GUEST_INTR_STATE_STI;
		if (e->interrupt.shadow & VMX_SHADOW_MOV_SS)
			intr |= GUEST_INTR_STATE_MOV_SS;
	}
	a->nmi_injected = e->nmi.injected;
	if (e->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		a->nmi_pending = e->nmi.pending;
	if (e->nmi.masked && vmx_has_vnmi())
		intr |= GUEST_INTR_STATE_NMI;
	else
		intr &= ~GUEST_INTR_STATE_NMI;
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, intr);
	if ((e->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR) && vcpu->irqchip)
		lapic_set_sipi_vector(vcpu, e->sipi_vector);
	return 0;
}

/**
 * vmx_events_ioctl() - KVM_INTERRUPT, KVM_NMI, KVM_GET/SET_VCPU_EVENTS
 * @vcpu: the vCPU, its mutex held
 * @ioctl: the ioctl
 * @argp: its argument
 *
 * Return: the result, or -ENOIOCTLCMD if @ioctl is none of these.
 */
long vmx_events_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
		      void __user *argp)
{
	struct kvm_vcpu_events e;
	long r;

	switch (ioctl) {
	case KVM_INTERRUPT:
		return vmx_ioctl_interrupt(vcpu, argp);
	case KVM_NMI:
		if (vmx_vcpu_get(vcpu))
			return -EIO;
		r = vmx_ioctl_nmi(vcpu);
		vmx_vcpu_release(vcpu);
		return r;
	case KVM_GET_VCPU_EVENTS:
		if (vmx_vcpu_get(vcpu))
			return -EIO;
		vmx_get_events(vcpu, &e);
		vmx_vcpu_release(vcpu);
		return copy_to_user(argp, &e, sizeof(e)) ? -EFAULT : 0;
	case KVM_SET_VCPU_EVENTS:
		if (copy_from_user(&e, argp, sizeof(e)))
			return -EFAULT;
		if (vmx_vcpu_get(vcpu))
			return -EIO;
		r = vmx_set_events(vcpu, &e);
		vmx_vcpu_release(vcpu);
		return r;
	default:
		return -ENOIOCTLCMD;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC (irq/lapic*.c) seen from VMX: the guest's ways in (the
 * x2APIC MSRs, IA32_APIC_BASE, IA32_TSC_DEADLINE, CR8), HLT in the
 * kernel, INIT and SIPI (the wait-for-SIPI state of 10.4 "Multiple-
 * Processor (MP) Initialization", kept as KVM's mp_state), and the
 * vCPU ioctls KVM_GET/SET_LAPIC and KVM_GET/SET_MP_STATE.
 *
 * Without an in-kernel irqchip (vcpu->irqchip NULL) everything here
 * behaves as before it: HLT exits to the VMM, CR8 is a plain register,
 * IA32_APIC_BASE changes only from the host.
 *
 * xAPIC MMIO goes through plain EPT violations and the in-kernel I/O
 * bus (irqchip.c): Bochs's CPU offers the TPR shadow and the APIC-access
 * page but neither APIC-register virtualization nor virtual-interrupt
 * delivery, so every access but TPR's would exit anyway; the TPR shadow
 * is not used yet (CR8 accesses exit and go to the LAPIC).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "apic.h"
#include "lapic.h"
#include "request.h"
#include "run.h"
#include "vmcs.h"

#define CPUID1_ECX_X2APIC	BIT(21)
#define CPUID1_ECX_TSCDL	BIT(24)

/* Does the guest's CPUID (KVM_SET_CPUID2) offer x2APIC? */
static bool vmx_guest_has_x2apic(struct hvk_vcpu *vcpu)
{
	u32 i;

	for (i = 0; i < vcpu->arch.cpuid_nent; i++)
		if (vcpu->arch.cpuid[i].function == 1)
			return vcpu->arch.cpuid[i].ecx & CPUID1_ECX_X2APIC;
	return false;
}

/*
 * KVM_SET_CPUID2: the LVT timer offers TSC-deadline mode only if the
 * guest's CPUID.1:ECX[24] says so (6.1: apic_update_lvtt's mask).
 */
void vmx_apic_cpuid_changed(struct hvk_vcpu *vcpu)
{
	u32 i;

	if (!vcpu->irqchip)
		return;
	for (i = 0; i < vcpu->arch.cpuid_nent; i++)
		if (vcpu->arch.cpuid[i].function == 1)
			lapic_set_tsc_deadline_cpuid(vcpu,
				vcpu->arch.cpuid[i].ecx & CPUID1_ECX_TSCDL);
}

u64 vmx_get_cr8(struct hvk_vcpu *vcpu)
{
	return vcpu->irqchip ? lapic_get_cr8(vcpu) : vcpu->arch.cr8;
}

void vmx_set_cr8(struct hvk_vcpu *vcpu, u64 cr8)
{
	vcpu->arch.cr8 = cr8;
	if (vcpu->irqchip)
		lapic_set_cr8(vcpu, cr8);
}

/* Guest TSC ticks to host ns (the guest's TSC runs at the host's rate). */
static s64 vmx_tsc_to_ns(s64 ticks)
{
	if (ticks <= 0 || !tsc_khz)
		return 0;
	return mul_u64_u32_div(ticks, NSEC_PER_MSEC, tsc_khz);
}

/**
 * vmx_apic_get_msr() - the LAPIC's MSRs
 * @vcpu: the vCPU
 * @index: the MSR
 * @data: its value
 *
 * Return: 0, -EINVAL (#GP), or -ENOENT if @index is not the LAPIC's.
 */
int vmx_apic_get_msr(struct hvk_vcpu *vcpu, u32 index, u64 *data)
{
	if (index == MSR_IA32_APICBASE) {
		*data = vcpu->irqchip ? lapic_get_base(vcpu) :
			vcpu->arch.apic_base;
		return 0;
	}
	if (!vcpu->irqchip)
		return -ENOENT;
	if (index == MSR_IA32_TSC_DEADLINE) {
		*data = lapic_get_tsc_deadline(vcpu);
		return 0;
	}
	if (index >= APIC_BASE_MSR && index < APIC_BASE_MSR + 0x100)
		return lapic_msr_read(vcpu, index, data) ? -EINVAL : 0;
	return -ENOENT;
}

int vmx_apic_set_msr(struct hvk_vcpu *vcpu, u32 index, u64 data, bool host)
{
	s64 delta;

	if (index == MSR_IA32_APICBASE) {
		if (!vcpu->irqchip) {
			/* No local APIC: only the host may move it. */
			if (!host && data != vcpu->arch.apic_base)
				return -EINVAL;
		} else if (lapic_set_base(vcpu, data,
					  host || vmx_guest_has_x2apic(vcpu))) {
			return -EINVAL;
		}
		vcpu->arch.apic_base = data;
		return 0;
	}
	if (!vcpu->irqchip)
		return -ENOENT;
	if (index == MSR_IA32_TSC_DEADLINE) {
		delta = data - (rdtsc() + vcpu->arch.tsc_offset);
		lapic_set_tsc_deadline(vcpu, data,
				       data ? vmx_tsc_to_ns(delta) : 0);
		return 0;
	}
	if (index >= APIC_BASE_MSR && index < APIC_BASE_MSR + 0x100)
		return lapic_msr_write(vcpu, index, data) ? -EINVAL : 0;
	return -ENOENT;
}

/*
 * HLT with an in-kernel irqchip: the vCPU sleeps in the kernel until an
 * interrupt it can take (IF as it halted), an NMI, INIT or SIPI comes
 * (the run loop blocks, vmx_apic_run_events()).
 */
int vmx_apic_hlt(struct hvk_vcpu *vcpu)
{
	vmx_skip_instruction(vcpu);
	vcpu->arch.halted_if = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;
	vcpu->arch.mp_state = KVM_MP_STATE_HALTED;
	return HVK_RESUME_GUEST;
}

/* INIT (10.4.2 / Table 10-1): reset state, the APIC base kept. */
static void vmx_apic_init(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	u64 base = a->apic_base;

	/* From KVM_RUN or KVM_GET_MP_STATE: make the VMCS current here. */
	if (vmx_vcpu_get(vcpu))
		return;
	vmcs_reset_guest(vcpu);
	vmx_vcpu_release(vcpu);
	a->apic_base = base;
	a->cr8 = 0;
	a->inject_vector = -1;
	a->irq_injected = false;
	a->nmi_injected = false;
	a->nmi_pending = 0;
	a->soft_info = 0;
	lapic_init_reset(vcpu);
	a->mp_state = (base & MSR_IA32_APICBASE_BSP) ?
		      KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_INIT_RECEIVED;
}

/* SIPI (10.4.4.1): real mode at vector:0000, from wait-for-SIPI only. */
static void vmx_apic_sipi(struct hvk_vcpu *vcpu, u8 vector)
{
	if (vmx_vcpu_get(vcpu))
		return;
	vmcs_write16(GUEST_CS_SELECTOR, vector << 8);
	vmcs_writel(GUEST_CS_BASE, (u64)vector << 12);
	vmcs_writel(GUEST_RIP, 0);
	vmx_vcpu_release(vcpu);
	vcpu->arch.mp_state = KVM_MP_STATE_RUNNABLE;
}

/* Take pending INIT and SIPI (6.1's kvm_apic_accept_events()). */
static void vmx_apic_accept_events(struct hvk_vcpu *vcpu)
{
	int sipi;

	if (lapic_take_init(vcpu))
		vmx_apic_init(vcpu);
	sipi = lapic_take_sipi(vcpu);
	if (sipi >= 0 && vcpu->arch.mp_state == KVM_MP_STATE_INIT_RECEIVED)
		vmx_apic_sipi(vcpu, sipi);
}

/* A halted vCPU goes on: its wake-up condition. */
static bool vmx_apic_unhalt(struct hvk_vcpu *vcpu)
{
	return vcpu->arch.nmi_pending ||
	       lapic_has_events(vcpu, vcpu->arch.halted_if);
}

/**
 * vmx_apic_run_events() - INIT, SIPI and halt before an entry
 * @vcpu: the vCPU in KVM_RUN, preemption on
 *
 * Every message to the LAPIC posts HVK_X86_REQ_EVENT before its kick;
 * the request is consumed here, before the state is looked at, so a
 * block never misses one.
 *
 * Return: 0 when the vCPU may enter, -EINTR on a signal.
 */
int vmx_apic_run_events(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;

	for (;;) {
		hvk_vcpu_check_request(vcpu, HVK_X86_REQ_EVENT);
		vmx_apic_accept_events(vcpu);
		if (a->mp_state == KVM_MP_STATE_HALTED &&
		    vmx_apic_unhalt(vcpu))
			a->mp_state = KVM_MP_STATE_RUNNABLE;
		if (a->mp_state == KVM_MP_STATE_RUNNABLE)
			return 0;
		if (hvk_vcpu_block(vcpu, hvk_vcpu_has_requests(vcpu)))
			return -EINTR;
	}
}

/*
 * KVM_RUN of an AP that never got INIT (6.1): wait for an event, take
 * it, and return -EAGAIN (the VMM runs again), or -EINTR on a signal.
 */
int vmx_apic_run_uninit(struct hvk_vcpu *vcpu)
{
	if (hvk_vcpu_block(vcpu, hvk_vcpu_has_requests(vcpu))) {
		vcpu->run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	hvk_vcpu_check_request(vcpu, HVK_X86_REQ_EVENT);
	vmx_apic_accept_events(vcpu);
	if (signal_pending(current)) {
		vcpu->run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	return -EAGAIN;
}

static long vmx_mp_state_ioctl(struct hvk_vcpu *vcpu, bool set,
			       void __user *argp)
{
	struct kvm_mp_state mp;

	if (!set) {
		if (vcpu->irqchip)
			vmx_apic_accept_events(vcpu);
		mp.mp_state = vcpu->arch.mp_state;
		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	}
	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	switch (mp.mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		break;
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_HALTED:
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_SIPI_RECEIVED:
		/* Without an in-kernel local APIC only RUNNABLE (as KVM). */
		if (!vcpu->irqchip)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (mp.mp_state == KVM_MP_STATE_SIPI_RECEIVED) {
		/* KVM keeps it as wait-for-SIPI with the SIPI pending. */
		vcpu->arch.mp_state = KVM_MP_STATE_INIT_RECEIVED;
		lapic_queue_sipi(vcpu);
	} else {
		vcpu->arch.mp_state = mp.mp_state;
		if (mp.mp_state == KVM_MP_STATE_HALTED)
			vcpu->arch.halted_if = true;
	}
	return 0;
}

/**
 * vmx_apic_ioctl() - KVM_GET/SET_LAPIC, KVM_GET/SET_MP_STATE
 * @vcpu: the vCPU, its mutex held
 * @ioctl: the ioctl
 * @argp: its argument
 *
 * Return: the result, or -ENOIOCTLCMD if @ioctl is none of these.
 */
long vmx_apic_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
		    void __user *argp)
{
	struct kvm_lapic_state *s;
	long r;

	switch (ioctl) {
	case KVM_GET_MP_STATE:
		return vmx_mp_state_ioctl(vcpu, false, argp);
	case KVM_SET_MP_STATE:
		return vmx_mp_state_ioctl(vcpu, true, argp);
	case KVM_GET_LAPIC:
	case KVM_SET_LAPIC:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	/* 6.1: without an in-kernel local APIC these are -EINVAL. */
	if (!vcpu->irqchip)
		return -EINVAL;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	if (ioctl == KVM_GET_LAPIC) {
		lapic_get_state(vcpu, s);
		r = copy_to_user(argp, s, sizeof(*s)) ? -EFAULT : 0;
	} else {
		r = copy_from_user(s, argp, sizeof(*s)) ? -EFAULT :
		    lapic_set_state(vcpu, s);
	}
	kfree(s);
	return r;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN on x86: the loop around the world switch, and the vCPU's life.
 *
 * One iteration: check for signals and rescheduling with interrupts on,
 * then with interrupts off refresh the host state that may have changed,
 * enter the guest (vmenter.S), and on the exit first give the host what
 * the exit took from it (an NMI; an external interrupt is simply taken
 * when interrupts come back on, because hvk does not acknowledge it on
 * exit: it stays pending in the local APIC), then dispatch the exit
 * (exit.c). The VMX-preemption timer bounds every stay in the guest, so
 * the loop comes round at least every HVK_GUEST_SLICE_TSC TSC cycles
 * whatever the guest does (the lab's Bochs, for one, does not exit on
 * host interrupts while the guest has RFLAGS.IF clear).
 *
 * While a vCPU thread is inside KVM_RUN, the guest's FPU state and its
 * SYSCALL MSRs are loaded on the CPU; a preempt notifier puts the host's
 * back when the thread is scheduled out and the guest's in again, and
 * moves the VMCS when the thread comes back on another CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/hw_breakpoint.h>
#include <asm/nospec-branch.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>
#include <asm/debugreg.h>	/* after the rest: needs percpu */

#include "arch.h"
#include "apic.h"
#include "caps.h"
#include "inject.h"
#include "lapic.h"
#include "perf.h"
#include "request.h"
#include "run.h"
#include "vmcs.h"
#include "vmx.h"

/*
 * VMX-preemption timer value: it counts down at the TSC rate divided by
 * 2^IA32_VMX_MISC[4:0] (25.5.1 "VMX-Preemption Timer"). About a
 * millisecond at GHz rates: short enough for signals and the scheduler,
 * long enough to cost nothing on the exit budget.
 */
#define HVK_GUEST_SLICE_TSC	(1ULL << 20)

static inline struct hvk_vcpu *to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct hvk_vcpu, arch.preempt);
}

static void vmx_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct hvk_vcpu *vcpu = to_vcpu(pn);

	vmx_vcpu_load(vcpu, cpu);
	if (vcpu->arch.in_run)
		vmx_load_guest_msrs(vcpu);
}

static void vmx_sched_out(struct preempt_notifier *pn,
			  struct task_struct *next)
{
	struct hvk_vcpu *vcpu = to_vcpu(pn);

	/* The VMCS stays active here; vmcs.c clears it lazily if we move. */
	if (vcpu->arch.in_run)
		vmx_load_host_msrs(vcpu);
}

static struct preempt_ops vmx_preempt_ops = {
	.sched_in = vmx_sched_in,
	.sched_out = vmx_sched_out,
};

int hvk_arch_vcpu_create(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	enum vmx_insn_status st;
	int r, cpu;

	a->inject_vector = -1;
	a->mp_state = KVM_MP_STATE_RUNNABLE;
	r = vmcs_alloc(vcpu);
	if (r)
		return r;
	r = vmx_vpid_alloc();
	if (r < 0)
		goto err_free_vmcs;
	a->vpid = r;
	r = vmx_perf_alloc(vcpu);
	if (r)
		goto err_free_vpid;
	if (!fpu_alloc_guest_fpstate(&a->fpu)) {
		r = -ENOMEM;
		goto err_free_perf;
	}
	preempt_notifier_init(&a->preempt, &vmx_preempt_ops);
	preempt_notifier_inc();

	/* A new VMCS region is made clear before its first VMPTRLD (24.11.3). */
	cpu = get_cpu();
	if (!vmx_cpu_is_on()) {
		put_cpu();
		r = -EIO;
		goto err_dec_notifier;
	}
	st = vmx_vmclear(a->vmcs_pa);
	if (st != VMX_OK) {
		put_cpu();
		pr_err("VMCLEAR of a new VMCS failed (%d)\n", st);
		r = -EIO;
		goto err_dec_notifier;
	}
	if (vmx_vcpu_load(vcpu, cpu)) {
		put_cpu();
		r = -EIO;
		goto err_dec_notifier;
	}
	vmcs_setup(vcpu);
	put_cpu();
	r = vmx_irqchip_vcpu_create(vcpu);
	if (r) {
		vmx_vcpu_clear(vcpu);
		goto err_dec_notifier;
	}
	return 0;

err_dec_notifier:
	preempt_notifier_dec();
	fpu_free_guest_fpstate(&a->fpu);
err_free_perf:
	vmx_perf_free(vcpu);
err_free_vpid:
	vmx_vpid_free(a->vpid);
err_free_vmcs:
	vmcs_free(vcpu);
	return r;
}

void hvk_arch_vcpu_destroy(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;

	vmx_irqchip_vcpu_destroy(vcpu);
	vmx_vcpu_clear(vcpu);
	preempt_notifier_dec();
	fpu_free_guest_fpstate(&a->fpu);
	vmx_perf_free(vcpu);
	vmx_vpid_free(a->vpid);
	vmcs_free(vcpu);
	kfree(a->cpuid);
}

/*
 * Host state the kernel may change between two entries on the same CPU:
 * CR3 (PCID generations, a flush), CR4 (TSD, PCE per task), the task's
 * FS base. 26.5 "Loading Host State" loads them on every exit.
 */
static void vmx_refresh_host_state(void)
{
	vmcs_writel(HOST_CR3, __read_cr3());
	vmcs_writel(HOST_CR4, cr4_read_shadow());
	vmcs_writel(HOST_FS_BASE, native_read_msr(MSR_FS_BASE));
}

/*
 * Speculation hygiene at the boundary (Intel's guidance for VMMs on L1TF,
 * the kernel's Documentation/admin-guide/hw-vuln): flush L1D before the
 * guest runs on a CPU that needs it. The CPU buffers are cleared (VERW)
 * in vmenter.S right before the entry, the RSB and branch history right
 * after the exit; IBPB comes with a VMCS switch (vmcs.c) and, where the
 * kernel asks for it, before the return to the VMM (vmx_enter_once()).
 *
 * MMIO stale data: the kernel adds VERW before entry only for guests
 * with an assigned device (its mmio_stale_data_clear key); a hvk guest
 * cannot map host MMIO (guest memory is pinned with pin_user_pages(),
 * which refuses VM_IO and VM_PFNMAP), so the VM_CLEAR_CPU_BUFFERS
 * decision of the kernel is the one that applies.
 */
static void vmx_clear_cpu_state(void)
{
	if (boot_cpu_has_bug(X86_BUG_L1TF) &&
	    boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
}

/*
 * What the exit took from the host that it must get back at once, IRQs
 * still off: an NMI or a machine check that caused the exit is not
 * delivered to the host by the CPU (27.2.2 "Information for VM Exits Due
 * to Vectored Events"; 26.8 "Machine-Check Events During VM Entry"), so
 * raise it through the host's IDT.
 */
static void vmx_complete_atomic_exit(struct hvk_vcpu *vcpu)
{
	u16 basic = (u16)vcpu->arch.exit_reason;
	u32 intr;

	if (basic == EXIT_REASON_MCE_DURING_VMENTRY) {
		asm volatile("int $0x12");
		return;
	}
	if (basic != EXIT_REASON_EXCEPTION_NMI)
		return;
	intr = vmcs_read32(VM_EXIT_INTR_INFO);
	if (!(intr & INTR_INFO_VALID_MASK))
		return;
	if ((intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		asm volatile("int $2");
	else if ((intr & INTR_INFO_VECTOR_MASK) == MC_VECTOR)
		asm volatile("int $0x12");
}

/* One guest entry and exit. IRQs and preemption off, VMX on here. */
static int vmx_enter_once(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	int fail;

	hvk_vcpu_entry_event(vcpu);
	vmx_refresh_host_state();
	vmx_inject_events(vcpu);
	vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, HVK_GUEST_SLICE_TSC >>
		     (vmx_caps.misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK));

	/*
	 * The guest's breakpoint addresses, if its DR7 enables any (L0-G3,
	 * Vol. 3B 17.2.4); the host's come back after the exit. With the
	 * host's DR7 clear (27.5.1) stale guest addresses do nothing.
	 */
	if (unlikely(a->dr7 & HVK_DR7_ENABLES)) {
		set_debugreg(a->dr[0], 0);
		set_debugreg(a->dr[1], 1);
		set_debugreg(a->dr[2], 2);
		set_debugreg(a->dr[3], 3);
	}

	vmx_perf_switch(vcpu);
	vmx_clear_cpu_state();
	fail = vmx_vmenter(&a->regs, a->launched);

#ifdef X86_FEATURE_IBPB_EXIT_TO_USER
	/*
	 * VMSCAPE: the guest may have trained the branch predictors that
	 * the VMM (userspace) uses next on this CPU. Kernels with the
	 * mitigation (its flag and per-CPU request both come with it) do an
	 * IBPB on the next return to userspace from this CPU when asked.
	 */
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
#endif

	/*
	 * The exit clears IA32_DEBUGCTL and DR7 (27.5.1): put the host's
	 * back (DEBUGCTL as read when the vCPU was loaded here).
	 */
	if (a->host_debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, a->host_debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (fail)
		return fail;

	a->exit_reason = vmcs_read32(VM_EXIT_REASON);
	/*
	 * A failed entry leaves the launch state as it was (26.7 "VM-Entry
	 * Failures During or After Loading Guest State"): the next try of a
	 * fixed-up vCPU is a VMLAUNCH again.
	 */
	if (!(a->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY)) {
		a->launched = true;
		a->ran = true;
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmx_complete_atomic_exit(vcpu);
	return 0;
}

static int vmx_fail_entry(struct hvk_vcpu *vcpu, u64 reason)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = reason;
	run->fail_entry.cpu = vcpu->arch.cpu;
	return HVK_EXIT_TO_USER;
}

/*
 * The kvm_run fields KVM fills on every return from KVM_RUN on x86
 * (IF, CR8, APIC base, whether an interrupt could be injected now).
 */
static void vmx_post_run_save(struct hvk_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned long rflags = vmcs_readl(GUEST_RFLAGS);

	run->if_flag = !!(rflags & X86_EFLAGS_IF);
	run->cr8 = vmx_get_cr8(vcpu);
	run->apic_base = vcpu->arch.apic_base;
	/* 6.1: always 1 with an in-kernel PIC, else "can inject now". */
	run->ready_for_interrupt_injection = vcpu->irqchip ||
		vmx_ready_for_interrupt(vcpu);
	run->flags = 0;
}

int hvk_arch_vcpu_run(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	int r, fail;

	preempt_disable();
	if (vmx_vcpu_load(vcpu, smp_processor_id())) {
		preempt_enable();
		return -EIO;
	}
	preempt_notifier_register(&a->preempt);
	preempt_enable();

	r = vmx_complete_pending(vcpu);
	if (r < 0)
		goto out_unregister;
	if (hvk_vcpu_immediate_exit(vcpu)) {
		r = -EINTR;
		goto out_unregister;
	}
	/* An AP before its INIT (6.1): wait, then -EAGAIN or -EINTR. */
	if (unlikely(a->mp_state == KVM_MP_STATE_UNINITIALIZED)) {
		r = vmx_apic_run_uninit(vcpu);
		goto out_unregister;
	}

	fpu_swap_kvm_fpstate(&a->fpu, true);
	preempt_disable();
	a->in_run = true;
	vmx_load_guest_msrs(vcpu);
	preempt_enable();

	for (;;) {
		if (hvk_vcpu_signal_exit(vcpu)) {
			r = -EINTR;
			break;
		}
		cond_resched();
		/* Halted, or waiting for SIPI: sleep here (apic.c). */
		if (vcpu->irqchip && vmx_apic_run_events(vcpu)) {
			vcpu->run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}

		preempt_disable();
		if (unlikely(!vmx_cpu_is_on())) {
			preempt_enable();
			/* Reboot or unload took VMX away for good. */
			if (vmx_going_away()) {
				r = -EIO;
				break;
			}
			/* This CPU is going offline: wait to be moved away. */
			schedule_timeout_interruptible(1);
			continue;
		}
		/* Not loaded by the notifier if VMX was off when we came in. */
		if (unlikely(a->cpu != smp_processor_id()))
			vmx_vcpu_load(vcpu, smp_processor_id());
		/* Its VMPTRLD failed (here or in the notifier): stop. */
		if (unlikely(READ_ONCE(a->dead))) {
			preempt_enable();
			r = -EIO;
			break;
		}
		local_irq_disable();
		/*
		 * Posted before a kick by whoever gave the LAPIC something:
		 * consumed before the mode goes IN_GUEST, the events are
		 * chosen after it (vmx_enter_once()), so one posted later
		 * either keeps us out or kicks us out.
		 */
		hvk_vcpu_check_request(vcpu, HVK_X86_REQ_EVENT);
		/*
		 * Checked again with IRQs off: a reboot IPI may have turned
		 * VMX off meanwhile. And the FPU registers must hold the
		 * guest's state: a softirq or the scheduler may have used
		 * them since fpu_swap_kvm_fpstate() (TIF_NEED_FPU_LOAD).
		 */
		/*
		 * In guest mode before the last checks: a kick from now on
		 * sends an IPI, taken as an exit (core/request.h); a request
		 * already posted keeps us out.
		 */
		if (!hvk_vcpu_enter_guest_mode(vcpu) || need_resched() ||
		    signal_pending(current) || !vmx_cpu_is_on() ||
		    a->cpu != smp_processor_id()) {
			hvk_vcpu_exit_guest_mode(vcpu);
			local_irq_enable();
			preempt_enable();
			continue;
		}
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();

		fail = vmx_enter_once(vcpu);
		hvk_vcpu_exit_guest_mode(vcpu);
		local_irq_enable();	/* the host takes its interrupt here */
		preempt_enable();

		/*
		 * Handlers may sleep (faulting guest memory in): the preempt
		 * notifier keeps the VMCS current wherever we run next.
		 */
		if (fail) {
			/* VMfail: the VMCS names the reason (30.4). */
			r = vmx_fail_entry(vcpu,
					   vmcs_read32(VM_INSTRUCTION_ERROR));
			break;
		}
		if (a->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
			r = vmx_fail_entry(vcpu, a->exit_reason);
			break;
		}
		vmx_events_after_exit(vcpu);
		r = vmx_handle_exit(vcpu);
		/* The notifier may have failed to load the VMCS meanwhile. */
		if (unlikely(READ_ONCE(a->dead)))
			r = -EIO;
		if (r != HVK_RESUME_GUEST)
			break;
		/* The VMM's interrupt window, checked as 6.1's vcpu_run(). */
		if (vmx_irq_window_open_exit(vcpu)) {
			r = HVK_EXIT_TO_USER;
			break;
		}
	}

	if (likely(!READ_ONCE(a->dead)))
		vmx_post_run_save(vcpu);
	preempt_disable();
	a->in_run = false;
	vmx_load_host_msrs(vcpu);
	preempt_enable();
	fpu_swap_kvm_fpstate(&a->fpu, false);
out_unregister:
	preempt_disable();
	preempt_notifier_unregister(&a->preempt);
	preempt_enable();
	return r < 0 ? r : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Taking VT-x: VMXON on every CPU, and VMXOFF whenever a CPU must leave
 * VMX operation.
 *
 * hvk holds VMX on every online CPU from load to unload (as kvm_intel
 * does from load in 6.12), so entering a guest never waits for VMXON.
 * Who turns it on and off, and when:
 *
 *   load, unload          hvk_arch_init(), hvk_arch_exit()
 *   CPU online, offline   cpuhp callbacks (CPUHP_AP_ONLINE_DYN), run on
 *                         the CPU itself
 *   reboot, halt, kexec   reboot notifier: off on all CPUs, for good
 *   suspend, hibernation  syscore ops, on the last CPU up (the others go
 *                         through CPU offline/online)
 *   crash, emergency      emergency.c, in NMI context
 *
 * A CPU's VMX state changes only on that CPU with interrupts off, so the
 * per-CPU flag needs no lock, and every path may run twice.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>

#include <asm/msr.h>
#include <asm/perf_event.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "arch.h"
#include "caps.h"
#include "insn.h"
#include "vmx.h"
#include "vmcs.h"

struct vmx_cpu {
	void *vmxon_region;	/* 24.11.5 VMXON Region: one page per CPU */
	bool on;		/* post-VMXON; changed only here, IRQs off */
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);

static enum cpuhp_state vmx_cpuhp_state;
static atomic_t vmx_cpus_on = ATOMIC_INIT(0);
/* Set for unload and reboot: no CPU may do VMXON any more. */
static bool vmx_closing;
/* Set when a CPU could not turn VMX back on after resume. */
static bool vmx_broken;
/* Set once load is done: from then on, CPU hotplug is worth a line. */
static bool vmx_loaded;

static const char *vmx_status_str(enum vmx_insn_status st)
{
	switch (st) {
	case VMX_OK:
		return "succeeded";
	case VMX_FAIL_INVALID:
		return "failed (VMfailInvalid)";
	case VMX_FAIL_VALID:
		return "failed (VMfailValid)";
	case VMX_FAULT:
		return "faulted";
	}
	return "?";
}

/*
 * 23.7 Enabling and Entering VMX Operation: VMXON outside SMX #GPs unless
 * IA32_FEATURE_CONTROL is locked with "enable VMX outside SMX" set. Linux
 * locks it at boot on every CPU; one still unlocked here is locked now,
 * with VMX enabled, as the firmware should have left it.
 */
static int vmx_cpu_feature_control(unsigned int cpu)
{
	u64 val;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &val)) {
		pr_err("CPU%u: reading IA32_FEATURE_CONTROL faulted\n", cpu);
		return -EIO;
	}
	if (!(val & FEAT_CTL_LOCKED)) {
		val |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		if (wrmsrl_safe(MSR_IA32_FEAT_CTL, val)) {
			pr_err("CPU%u: locking IA32_FEATURE_CONTROL faulted\n",
			       cpu);
			return -EIO;
		}
		pr_info("CPU%u: locked IA32_FEATURE_CONTROL with VMX enabled\n",
			cpu);
	}
	if (!(val & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("CPU%u: VMX is disabled by the firmware (IA32_FEATURE_CONTROL %#llx)\n",
		       cpu, val);
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * A.7 VMX-Fixed Bits in CR0, A.8 VMX-Fixed Bits in CR4: VMXON #GPs if a
 * bit of CR0 or CR4 is not as the FIXED0 (must be 1) and FIXED1 (may be
 * 1) MSRs say. hvk does not change the host's CR0 or CR4 to fit (Linux
 * always runs with what VMX wants: PE, PG, NE), it only checks.
 */
static int vmx_cpu_check_cr(unsigned int cpu, const char *name,
			    unsigned long cr, u64 fixed0, u64 fixed1)
{
	if ((cr & fixed0) == fixed0 && !(cr & ~fixed1))
		return 0;
	pr_err("CPU%u: %s %#lx does not fit VMX (must be 1: %#llx, may be 1: %#llx)\n",
	       cpu, name, cr, fixed0, fixed1);
	return -EOPNOTSUPP;
}

/*
 * Translations cached for EPT and VPID tags survive VMXOFF and VMXON: a
 * previous user of VMX (kvm_intel, a VMM before kexec) may have left some
 * tagged with EPTPs and VPIDs hvk will use again. 28.3.3.4 Guidelines
 * for Use of the INVEPT Instruction asks for an all-context INVEPT right
 * after VMXON; 28.3.3.3 (INVVPID) suggests the same for VPIDs. Without
 * all-context INVVPID, hvk flushes each VPID when it hands it out.
 */
static void vmx_cpu_flush_tlbs(unsigned int cpu)
{
	enum vmx_insn_status st;

	st = vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (st != VMX_OK)
		pr_err("CPU%u: INVEPT all-context %s\n", cpu,
		       vmx_status_str(st));
	if (!(vmx_caps.vpid & VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT))
		return;
	st = vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0, 0);
	if (st != VMX_OK)
		pr_err("CPU%u: INVVPID all-context %s\n", cpu,
		       vmx_status_str(st));
}

/*
 * VMXON on this CPU. IRQs off, so that nothing else on this CPU (the
 * reboot IPI, syscore) sees half of it.
 */
static int vmx_cpu_enable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	unsigned int cpu = smp_processor_id();
	enum vmx_insn_status st;
	struct vmx_caps caps;
	int r;

	lockdep_assert_irqs_disabled();
	if (vc->on)
		return 0;

	/*
	 * CR4.VMXE set by someone else means another hypervisor is in VMX
	 * operation here; VMXON would fail, and VMXOFF would pull VMX from
	 * under it.
	 */
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("CPU%u: VMX is in use by another hypervisor (kvm_intel?)\n",
		       cpu);
		return -EBUSY;
	}

	if (vmx_caps_read(&caps))
		return -EIO;
	if (!vmx_caps_match(&caps)) {
		pr_err("CPU%u: VMX capabilities differ from the boot CPU's\n",
		       cpu);
		return -EIO;
	}

	r = vmx_cpu_feature_control(cpu);
	if (r)
		return r;
	r = vmx_cpu_check_cr(cpu, "CR0", read_cr0(), caps.cr0_fixed0,
			     caps.cr0_fixed1);
	if (r)
		return r;
	r = vmx_cpu_check_cr(cpu, "CR4", cr4_read_shadow() | X86_CR4_VMXE,
			     caps.cr4_fixed0, caps.cr4_fixed1);
	if (r)
		return r;

	/* Intel PT must stop tracing here if it cannot trace in VMX. */
	intel_pt_handle_vmx(1);
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	st = vmx_vmxon(__pa(vc->vmxon_region));
	if (st != VMX_OK) {
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		intel_pt_handle_vmx(0);
		pr_err("CPU%u: VMXON %s\n", cpu, vmx_status_str(st));
		return -EIO;
	}
	vc->on = true;
	atomic_inc(&vmx_cpus_on);

	vmx_cpu_flush_tlbs(cpu);
	pr_debug("CPU%u: VMXON\n", cpu);
	return 0;
}

/* VMXOFF on this CPU, IRQs off. Return: whether VMX was on. */
static bool vmx_cpu_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpu);
	enum vmx_insn_status st;

	lockdep_assert_irqs_disabled();
	if (!vc->on)
		return false;

	/*
	 * VMCLEAR every VMCS active on this CPU first, so that its contents
	 * reach memory (24.11.1 Software Use of Virtual-Machine Control
	 * Structures) and its vCPU can go on elsewhere.
	 */
	vmx_clear_loaded_vmcss();
	st = vmx_vmxoff();
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
	vc->on = false;
	atomic_dec(&vmx_cpus_on);
	if (st != VMX_OK)
		pr_err("CPU%d: VMXOFF %s\n", smp_processor_id(),
		       vmx_status_str(st));
	else
		pr_debug("CPU%d: VMXOFF\n", smp_processor_id());
	return true;
}

/**
 * vmx_cpu_is_on() - is this CPU in VMX operation?
 *
 * False on a CPU going offline, after its VMXOFF: a vCPU thread the
 * scheduler has not moved away yet must not touch its VMCS there.
 * Preemption off.
 */
bool vmx_cpu_is_on(void)
{
	return this_cpu_ptr(&vmx_cpu)->on;
}

/**
 * vmx_going_away() - is VMX off for good (reboot, unload, failed resume)?
 *
 * Lets a vCPU that finds VMX off tell this apart from its CPU going
 * offline, where it only waits to be moved.
 */
bool vmx_going_away(void)
{
	return READ_ONCE(vmx_closing) || READ_ONCE(vmx_broken);
}

/**
 * vmx_cpu_emergency_disable() - leave VMX on this CPU, whatever its state
 *
 * Called in NMI context by the crash and emergency-restart paths, on
 * every CPU, possibly one that never did VMXON or is half-way through
 * it: CR4.VMXE is the only state trusted, and a VMXOFF that faults is
 * caught.
 */
void vmx_cpu_emergency_disable(void)
{
	if (!(__read_cr4() & X86_CR4_VMXE))
		return;
	/* Later: VMCLEAR the loaded VMCSs first, for the crash dump. */
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
}

static int vmx_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int r;

	if (READ_ONCE(vmx_closing))
		return 0;
	local_irq_save(flags);
	r = vmx_cpu_enable();
	local_irq_restore(flags);
	if (!r && READ_ONCE(vmx_loaded))
		pr_info("CPU%u online: VMX on\n", cpu);
	return r;
}

static int vmx_cpu_offline(unsigned int cpu)
{
	unsigned long flags;
	bool was_on;

	local_irq_save(flags);
	was_on = vmx_cpu_disable();
	local_irq_restore(flags);
	if (was_on && READ_ONCE(vmx_loaded))
		pr_info("CPU%u going offline: VMX off\n", cpu);
	return 0;
}

static void vmx_cpu_disable_ipi(void *unused)
{
	vmx_cpu_disable();
}

/*
 * INIT is blocked in VMX root operation (23.8 Restrictions on VMX
 * Operation): a CPU left in VMX does not come back after a reboot or a
 * kexec. Turn VMX off everywhere, for good: the notifier runs before the
 * other CPUs are stopped, and CPU hotplug is held off meanwhile.
 */
static int vmx_reboot(struct notifier_block *nb, unsigned long code,
		      void *unused)
{
	cpus_read_lock();
	WRITE_ONCE(vmx_closing, true);
	on_each_cpu(vmx_cpu_disable_ipi, NULL, 1);
	cpus_read_unlock();
	pr_info("shutting down: VMX off on all CPUs\n");
	return NOTIFY_OK;
}

static struct notifier_block vmx_reboot_nb = {
	.notifier_call = vmx_reboot,
};

/*
 * Suspend and hibernation: the other CPUs are already offline (VMXOFF
 * through cpuhp), this is the last one, with IRQs off. Sleep loses VMX
 * operation, while the kernel restores CR4 (VMXE included) on wake-up:
 * leave VMX before, enter it again after.
 */
static int vmx_suspend(void)
{
	vmx_cpu_disable();
	return 0;
}

static void vmx_resume(void)
{
	if (READ_ONCE(vmx_closing))
		return;
	if (vmx_cpu_enable()) {
		/* Running vCPUs fail KVM_RUN with -EIO rather than wait. */
		WRITE_ONCE(vmx_broken, true);
		pr_err("CPU%d: VMX stays off after resume\n",
		       smp_processor_id());
	} else
		pr_info("CPU%d: VMX on again after resume\n",
			smp_processor_id());
}

#ifdef HVK_HAVE_STRUCT_SYSCORE
/* The newer syscore API: callbacks get a data pointer (see Kbuild). */
static int vmx_syscore_suspend(void *unused)
{
	return vmx_suspend();
}

static void vmx_syscore_resume(void *unused)
{
	vmx_resume();
}

static const struct syscore_ops vmx_syscore_ops = {
	.suspend = vmx_syscore_suspend,
	.resume = vmx_syscore_resume,
};

static struct syscore vmx_syscore = {
	.ops = &vmx_syscore_ops,
};

static void vmx_register_syscore(void)
{
	register_syscore(&vmx_syscore);
}

static void vmx_unregister_syscore(void)
{
	unregister_syscore(&vmx_syscore);
}
#else
static struct syscore_ops vmx_syscore_ops = {
	.suspend = vmx_suspend,
	.resume = vmx_resume,
};

static void vmx_register_syscore(void)
{
	register_syscore_ops(&vmx_syscore_ops);
}

static void vmx_unregister_syscore(void)
{
	unregister_syscore_ops(&vmx_syscore_ops);
}
#endif

static void vmx_free_vmxon_regions(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		free_page((unsigned long)vc->vmxon_region);
		vc->vmxon_region = NULL;
	}
}

/*
 * 24.11.5 VMXON Region: a 4-KByte-aligned region of the VMCS size, in
 * write-back memory (the direct map), with the VMCS revision identifier
 * in bits 30:0 of its first 32 bits and bit 31 clear; the CPU owns the
 * rest. One per possible CPU, so that a CPU coming online later does
 * not allocate.
 */
static int vmx_alloc_vmxon_regions(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			vmx_free_vmxon_regions();
			return -ENOMEM;
		}
		vc->vmxon_region = page_address(page);
		*(u32 *)vc->vmxon_region = vmx_caps_revision_id();
	}
	return 0;
}

static void vmx_cpu_check_busy(void *busy)
{
	if (cr4_read_shadow() & X86_CR4_VMXE)
		cpumask_set_cpu(smp_processor_id(), busy);
}

/*
 * Refuse before touching anything if another hypervisor holds VMX
 * (kvm_intel with a VM open on 6.1; kvm_intel loaded on 6.12, which takes
 * VMX at load by default). The per-CPU check in vmx_cpu_enable() covers
 * a CPU that comes online meanwhile.
 */
static int vmx_check_not_in_use(void)
{
	cpumask_var_t busy;
	int r = 0;

	if (!zalloc_cpumask_var(&busy, GFP_KERNEL))
		return -ENOMEM;
	on_each_cpu(vmx_cpu_check_busy, busy, 1);
	if (!cpumask_empty(busy)) {
		pr_err("VMX is in use by another hypervisor (kvm_intel?): CR4.VMXE is set on CPUs %*pbl\n",
		       cpumask_pr_args(busy));
		r = -EBUSY;
	}
	free_cpumask_var(busy);
	return r;
}

int hvk_arch_init(void)
{
	int r;

	r = vmx_caps_probe();
	if (r)
		return r;
	r = vmx_check_not_in_use();
	if (r)
		return r;
	r = vmx_alloc_vmxon_regions();
	if (r)
		return r;
	vmx_vmcs_init();

	/* Every way down is covered before the first VMXON. */
	r = vmx_emergency_init();
	if (r)
		goto free_vmxon_regions;
	r = register_reboot_notifier(&vmx_reboot_nb);
	if (r)
		goto emergency_exit;
	vmx_register_syscore();

	/*
	 * VMXON on every online CPU now, and on each CPU that comes online
	 * later. If one fails, cpuhp turns VMX off again on those done.
	 */
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvk/vmx:online",
			      vmx_cpu_online, vmx_cpu_offline);
	if (r < 0) {
		pr_err("cannot enable VMX on every CPU (%d)\n", r);
		goto unregister_notifiers;
	}
	vmx_cpuhp_state = r;

	WRITE_ONCE(vmx_loaded, true);
	pr_info("VMX on for %d CPU(s)\n", atomic_read(&vmx_cpus_on));
	return 0;

unregister_notifiers:
	vmx_unregister_syscore();
	unregister_reboot_notifier(&vmx_reboot_nb);
emergency_exit:
	vmx_emergency_exit();
free_vmxon_regions:
	vmx_free_vmxon_regions();
	return r;
}

void hvk_arch_exit(void)
{
	WRITE_ONCE(vmx_loaded, false);
	/* No VMXON from here on, not even by a resume racing with us. */
	WRITE_ONCE(vmx_closing, true);
	cpuhp_remove_state(vmx_cpuhp_state);
	vmx_unregister_syscore();
	unregister_reboot_notifier(&vmx_reboot_nb);
	vmx_emergency_exit();
	vmx_free_vmxon_regions();
	pr_info("VMX off on all CPUs\n");
}

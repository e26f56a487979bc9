// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX capability probe: does this CPU have VT-x, and does its VT-x
 * have everything hvk relies on?
 *
 * hvk asks for a modern VT-x and nothing less: EPT, VPID, unrestricted
 * guest and the VMX-preemption timer. Without them it refuses to load and
 * says exactly which feature is missing, rather than carrying fallbacks
 * (shadow paging, real-mode emulation, TLB flushes on every entry) that
 * no VT-x from the last ten years needs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <linux/string.h>

#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/mtrr.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "caps.h"

struct vmx_caps vmx_caps __ro_after_init;

/* CPUID.1:ECX bit 5, "VMX" (Vol. 3C 23.6 Discovering Support for VMX). */
#define CPUID_1_ECX_VMX		BIT(5)

static int vmx_rdmsr(u32 msr, u64 *val)
{
	if (rdmsrl_safe(msr, val)) {
		pr_err("CPU%d: reading VMX capability MSR %#x faulted\n",
		       smp_processor_id(), msr);
		return -EIO;
	}
	return 0;
}

static int vmx_read_ctl(u32 msr, struct vmx_ctl *ctl)
{
	u64 val;
	int r;

	r = vmx_rdmsr(msr, &val);
	if (r)
		return r;
	ctl->must_be_1 = lower_32_bits(val);
	ctl->may_be_1 = upper_32_bits(val);
	return 0;
}

/**
 * vmx_caps_read() - read this CPU's VMX capability MSRs
 * @caps: filled in; MSRs the CPU does not have read as zero
 *
 * Call with preemption disabled, on a CPU known to have VMX.
 *
 * Return: 0, or -EIO if an MSR read faulted.
 */
int vmx_caps_read(struct vmx_caps *caps)
{
	bool true_ctls;
	u64 val;

	memset(caps, 0, sizeof(*caps));
	if (vmx_rdmsr(MSR_IA32_VMX_BASIC, &caps->basic))
		return -EIO;

	/*
	 * A.2 Reserved Controls and Default Settings: with IA32_VMX_BASIC
	 * bit 55 set, the TRUE_ MSRs report which "default1" controls may
	 * in fact be 0 (e.g. CR3-load exiting, which EPT makes useless).
	 */
	true_ctls = caps->basic & VMX_BASIC_TRUE_CTLS;
	if (vmx_read_ctl(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				     MSR_IA32_VMX_PINBASED_CTLS, &caps->pin) ||
	    vmx_read_ctl(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				     MSR_IA32_VMX_PROCBASED_CTLS, &caps->proc) ||
	    vmx_read_ctl(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				     MSR_IA32_VMX_EXIT_CTLS, &caps->exit) ||
	    vmx_read_ctl(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				     MSR_IA32_VMX_ENTRY_CTLS, &caps->entry) ||
	    vmx_rdmsr(MSR_IA32_VMX_MISC, &caps->misc) ||
	    vmx_rdmsr(MSR_IA32_VMX_CR0_FIXED0, &caps->cr0_fixed0) ||
	    vmx_rdmsr(MSR_IA32_VMX_CR0_FIXED1, &caps->cr0_fixed1) ||
	    vmx_rdmsr(MSR_IA32_VMX_CR4_FIXED0, &caps->cr4_fixed0) ||
	    vmx_rdmsr(MSR_IA32_VMX_CR4_FIXED1, &caps->cr4_fixed1) ||
	    vmx_rdmsr(MSR_IA32_VMX_VMCS_ENUM, &caps->vmcs_enum))
		return -EIO;

	/*
	 * A.3.3 Secondary Processor-Based VM-Execution Controls: the MSR
	 * exists only if "activate secondary controls" may be 1.
	 */
	if (vmx_ctl_allows(&caps->proc, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	    vmx_read_ctl(MSR_IA32_VMX_PROCBASED_CTLS2, &caps->proc2))
		return -EIO;

	/*
	 * A.10 VPID and EPT Capabilities: the MSR exists only if "enable
	 * EPT" or "enable VPID" may be 1.
	 */
	if (vmx_ctl_allows(&caps->proc2, SECONDARY_EXEC_ENABLE_EPT) ||
	    vmx_ctl_allows(&caps->proc2, SECONDARY_EXEC_ENABLE_VPID)) {
		if (vmx_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP, &val))
			return -EIO;
		caps->ept = lower_32_bits(val);
		caps->vpid = upper_32_bits(val);
	}

	/* A.11 VM Functions: only with "enable VM functions". */
	if (vmx_ctl_allows(&caps->proc2, SECONDARY_EXEC_ENABLE_VMFUNC) &&
	    vmx_rdmsr(MSR_IA32_VMX_VMFUNC, &caps->vmfunc))
		return -EIO;

	return 0;
}

/**
 * vmx_caps_match() - whether a CPU's capabilities equal the boot CPU's
 * @caps: as vmx_caps_read() gave them on that CPU
 *
 * hvk sets up a VMCS once from vmx_caps and runs it on any CPU, so every
 * CPU must allow exactly the same.
 */
bool vmx_caps_match(const struct vmx_caps *caps)
{
	return !memcmp(caps, &vmx_caps, sizeof(*caps));
}

enum vmx_cap_reg {
	VMX_CAP_PIN,
	VMX_CAP_PROC,
	VMX_CAP_PROC2,
	VMX_CAP_EXIT,
	VMX_CAP_ENTRY,
	VMX_CAP_EPT,
	VMX_CAP_VPID,
};

/* One thing hvk needs: all of @bits in @reg, or with @any one of them. */
struct vmx_need {
	enum vmx_cap_reg reg;
	u32 bits;
	bool any;
	const char *what;
};

static const struct vmx_need vmx_needs[] = {
	/*
	 * Host interrupts and NMIs must leave the guest and reach the host
	 * (A.3.1 Pin-Based VM-Execution Controls).
	 */
	{ VMX_CAP_PIN, PIN_BASED_EXT_INTR_MASK, false,
	  "external-interrupt exiting" },
	{ VMX_CAP_PIN, PIN_BASED_NMI_EXITING, false, "NMI exiting" },
	/*
	 * The one bound on time in the guest that holds whatever the guest
	 * does (25.5.1 VMX-Preemption Timer): Bochs, the x86 lab, does not
	 * exit on host interrupts while the guest runs with IF=0.
	 */
	{ VMX_CAP_PIN, PIN_BASED_VMX_PREEMPTION_TIMER, false,
	  "VMX-preemption timer" },
	/* A.3.2 Primary Processor-Based VM-Execution Controls. */
	{ VMX_CAP_PROC, CPU_BASED_INTR_WINDOW_EXITING, false,
	  "interrupt-window exiting" },
	{ VMX_CAP_PROC, CPU_BASED_HLT_EXITING, false, "HLT exiting" },
	{ VMX_CAP_PROC, CPU_BASED_UNCOND_IO_EXITING, false,
	  "unconditional I/O exiting" },
	{ VMX_CAP_PROC, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, false,
	  "activate secondary controls" },
	/*
	 * A.3.3: guest memory is mapped with EPT only, guest TLB entries are
	 * tagged with a VPID, and real mode and unpaged protected mode run
	 * natively ("unrestricted guest", which requires EPT).
	 */
	{ VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_EPT, false, "enable EPT" },
	{ VMX_CAP_PROC2, SECONDARY_EXEC_ENABLE_VPID, false, "enable VPID" },
	{ VMX_CAP_PROC2, SECONDARY_EXEC_UNRESTRICTED_GUEST, false,
	  "unrestricted guest" },
	/*
	 * A.4 VM-Exit Controls: exits return to a 64-bit host, and EFER is
	 * switched by the CPU on entry and exit (A.5 VM-Entry Controls),
	 * not through MSR-load lists.
	 */
	{ VMX_CAP_EXIT, VM_EXIT_HOST_ADDR_SPACE_SIZE, false,
	  "host address-space size" },
	{ VMX_CAP_EXIT, VM_EXIT_SAVE_IA32_EFER, false,
	  "save IA32_EFER (VM exit)" },
	{ VMX_CAP_EXIT, VM_EXIT_LOAD_IA32_EFER, false,
	  "load IA32_EFER (VM exit)" },
	{ VMX_CAP_ENTRY, VM_ENTRY_IA32E_MODE, false, "IA-32e mode guest" },
	{ VMX_CAP_ENTRY, VM_ENTRY_LOAD_IA32_EFER, false,
	  "load IA32_EFER (VM entry)" },
	/* A.10 VPID and EPT Capabilities. */
	{ VMX_CAP_EPT, VMX_EPT_PAGE_WALK_4_BIT, false,
	  "EPT page-walk length 4" },
	{ VMX_CAP_EPT, VMX_EPTP_WB_BIT, false, "EPT write-back memory type" },
	/*
	 * All-context INVEPT, because 28.3.3.4 Guidelines for Use of the
	 * INVEPT Instruction asks for one right after VMXON (KVM, too,
	 * turns EPT off without it).
	 */
	{ VMX_CAP_EPT, VMX_EPT_INVEPT_BIT, false, "INVEPT" },
	{ VMX_CAP_EPT, VMX_EPT_EXTENT_GLOBAL_BIT, false,
	  "all-context INVEPT" },
	{ VMX_CAP_VPID, VMX_VPID_INVVPID_BIT, false, "INVVPID" },
	{ VMX_CAP_VPID, VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT |
			VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT,
	  true, "INVVPID single-context or all-context" },
};

static u32 vmx_cap_reg(const struct vmx_caps *caps, enum vmx_cap_reg reg)
{
	switch (reg) {
	case VMX_CAP_PIN:
		return caps->pin.may_be_1;
	case VMX_CAP_PROC:
		return caps->proc.may_be_1;
	case VMX_CAP_PROC2:
		return caps->proc2.may_be_1;
	case VMX_CAP_EXIT:
		return caps->exit.may_be_1;
	case VMX_CAP_ENTRY:
		return caps->entry.may_be_1;
	case VMX_CAP_EPT:
		return caps->ept;
	case VMX_CAP_VPID:
		return caps->vpid;
	}
	return 0;
}

/* Log one missing feature; return 1 to count it. */
static unsigned int vmx_missing(const char *what)
{
	pr_err("VMX lacks %s, which hvk needs\n", what);
	return 1;
}

static int vmx_caps_check(const struct vmx_caps *caps)
{
	u32 vmcs_size = vmx_basic_vmcs_size(caps->basic);
	unsigned int i, missing = 0;

	/*
	 * A.1 Basic VMX Information: the VMXON region and VMCSs are pages
	 * anywhere in memory, mapped write-back.
	 */
	if (caps->basic & VMX_BASIC_32BIT_PHYS_ADDR_ONLY)
		missing += vmx_missing("physical addresses above 4 GiB for VMX structures (IA32_VMX_BASIC bit 48 is set)");
	if (FIELD_GET(VMX_BASIC_VMCS_MEMTYPE, caps->basic) != MTRR_TYPE_WRBACK)
		missing += vmx_missing("a write-back VMCS memory type (IA32_VMX_BASIC bits 53:50)");
	if (!vmcs_size || vmcs_size > PAGE_SIZE)
		missing += vmx_missing("a VMCS region of at most one page (IA32_VMX_BASIC bits 44:32)");

	for (i = 0; i < ARRAY_SIZE(vmx_needs); i++) {
		const struct vmx_need *need = &vmx_needs[i];
		u32 have = vmx_cap_reg(caps, need->reg) & need->bits;

		if (need->any ? !have : have != need->bits)
			missing += vmx_missing(need->what);
	}

	if (missing) {
		pr_err("refusing to load: %u VMX feature%s missing\n", missing,
		       missing > 1 ? "s" : "");
		return -EOPNOTSUPP;
	}
	return 0;
}

static void vmx_caps_log(const struct vmx_caps *caps)
{
	unsigned int shift = vmx_misc_preemption_timer_rate(caps->misc);

	pr_info("VMX revision %#x, VMCS %u bytes%s; EPT 4-level WB%s%s%s, INVEPT%s%s; VPID, INVVPID%s%s%s; unrestricted guest\n",
		vmx_basic_vmcs_revision_id(caps->basic),
		vmx_basic_vmcs_size(caps->basic),
		caps->basic & VMX_BASIC_TRUE_CTLS ? ", TRUE controls" : "",
		caps->ept & VMX_EPT_2MB_PAGE_BIT ? " 2M" : "",
		caps->ept & VMX_EPT_1GB_PAGE_BIT ? " 1G" : "",
		caps->ept & VMX_EPT_AD_BIT ? " A/D" : "",
		caps->ept & VMX_EPT_EXTENT_CONTEXT_BIT ? " single" : "",
		caps->ept & VMX_EPT_EXTENT_GLOBAL_BIT ? " all" : "",
		caps->vpid & VMX_VPID_EXTENT_INDIVIDUAL_ADDR_BIT ? " addr" : "",
		caps->vpid & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT ? " single" : "",
		caps->vpid & VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT ? " all" : "");
	pr_info("VMX-preemption timer at TSC/%u: %u kHz; notify VM exit: %s\n",
		1U << shift, tsc_khz >> shift,
		vmx_ctl_allows(&caps->proc2, SECONDARY_EXEC_NOTIFY_VM_EXITING) ?
		"yes" : "no (CPU lacks it)");
}

/**
 * vmx_caps_probe() - check for VT-x and read its capabilities
 *
 * Runs once at load, on whichever CPU loads the module: every other CPU
 * is compared with it when it takes VMX.
 *
 * Return: 0; -EOPNOTSUPP, with the reason logged, if VT-x is absent,
 * disabled, or lacks something hvk needs; -EIO if an MSR read faulted.
 */
int vmx_caps_probe(void)
{
	u64 feat_ctl;
	int r;

	/*
	 * 23.6 Discovering Support for VMX. The kernel clears its VMX flag
	 * when the firmware locked IA32_FEATURE_CONTROL with VMX off (or on
	 * clearcpuid=vmx), so check CPUID itself to tell the cases apart.
	 */
	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		if (!(cpuid_ecx(1) & CPUID_1_ECX_VMX))
			pr_err("this CPU has no VMX (CPUID.1:ECX.VMX[bit 5] = 0): Intel VT-x is needed\n");
		else if (!rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) &&
			 (feat_ctl & FEAT_CTL_LOCKED) &&
			 !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
			pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked without VMX outside SMX): enable VT-x in the firmware setup\n");
		else
			pr_err("VMX is disabled by the kernel (clearcpuid?)\n");
		return -EOPNOTSUPP;
	}

	preempt_disable();
	r = vmx_caps_read(&vmx_caps);
	preempt_enable();
	if (r)
		return r;

	r = vmx_caps_check(&vmx_caps);
	if (r)
		return r;

	vmx_caps_log(&vmx_caps);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A VMCS per vCPU: allocation, the controls, host state, and which CPU
 * the VMCS is active on.
 *
 * 24.11.1 "Software Use of Virtual-Machine Control Structures": a VMCS
 * may be active on one CPU at a time; to move it, VMCLEAR it on the old
 * CPU (which writes its cached state to memory) and VMPTRLD it on the
 * new one, where the next entry must be VMLAUNCH. hvk keeps the VMCS
 * active where it last ran (a vCPU usually comes back to the same CPU)
 * and clears it lazily, with an IPI, only when the vCPU shows up on
 * another CPU. Each CPU lists the VMCSs active on it, so that VMXOFF
 * (hotplug, reboot, unload) can clear them first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/debugreg.h>	/* after the rest: needs percpu */

#include "caps.h"
#include "inject.h"
#include "exception.h"
#include "hvk.h"
#include "perf.h"
#include "vmcs.h"
#include "vmx.h"
#include "run.h"

struct vmx_percpu {
	struct list_head loaded;	/* vCPUs whose VMCS is active here */
	u64 current_pa;			/* the current VMCS, or 0 */
};

static DEFINE_PER_CPU(struct vmx_percpu, vmx_percpu);

static DEFINE_IDA(vmx_vpid_ida);

/*
 * A test knob: hand out VPIDs 1..vpid_limit only, so that a test can
 * exhaust the pool with a few vCPUs and exercise the fallback below.
 */
static unsigned int vpid_limit;
module_param(vpid_limit, uint, 0444);
MODULE_PARM_DESC(vpid_limit,
		 "testing only: size of the VPID pool (default and 0: 65535)");

void vmcs_report_error(const char *insn, unsigned long field,
		       unsigned long value)
{
	unsigned long err = 0;

	/* VMfailValid leaves a reason (30.4 VM Instruction Error Numbers). */
	asm volatile("vmread %[f], %[v]" : [v] "=r" (err)
		     : [f] "r" ((unsigned long)VM_INSTRUCTION_ERROR) : "cc");
	pr_err_ratelimited("%s of VMCS field 0x%lx (value 0x%lx) failed, VM-instruction error %lu\n",
			   insn, field, value, err);
}

/* At load, before the first VMXON: the per-CPU lists start empty. */
void vmx_vmcs_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu(vmx_percpu, cpu).loaded);
}

void vmcs_report_fault(const char *insn, unsigned long field)
{
	/* Expected while VMX goes away for good: the vCPU stops next. */
	if (!vmx_going_away())
		pr_err_ratelimited("%s of VMCS field 0x%lx outside VMX operation\n",
				   insn, field);
}

/**
 * vmx_vpid_alloc() - a VPID for a new vCPU
 *
 * VPID 0 tags the host's own translations and is never a guest's. When
 * the pool is empty (one user may create vCPUs until it is), the vCPU
 * runs without a VPID: vmcs_setup() leaves "enable VPID" off, and then
 * every VM entry and exit flushes the linear and combined mappings of
 * VPID 0 (Vol. 3C 28.3.3.1 "Operations that Invalidate Cached
 * Mappings"), slower but isolated.
 *
 * Return: the VPID, 0 for none, or a negative errno.
 */
int vmx_vpid_alloc(void)
{
	unsigned int max = vpid_limit && vpid_limit < 0xffff ? vpid_limit :
			   0xffff;
	int vpid;

	vpid = ida_alloc_range(&vmx_vpid_ida, 1, max, GFP_KERNEL);
	if (vpid == -ENOSPC) {
		pr_info_ratelimited("VPIDs exhausted: a vCPU runs without one (TLB flushed at every entry and exit)\n");
		return 0;
	}
	return vpid;
}

/**
 * vmx_flush_vpid() - invalidate the translations tagged with @vpid here
 * @vpid: the VPID; 0 (no VPID: flushed at every entry) does nothing
 *
 * Single-context INVVPID if the CPU has it, else all-context (one of
 * them is required at load, caps.c): always a type IA32_VMX_EPT_VPID_CAP
 * reports (30.3 "INVVPID", the INVVPID type checks).
 */
void vmx_flush_vpid(u16 vpid)
{
	enum vmx_insn_status st;

	if (!vpid)
		return;
	if (vmx_caps.vpid & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT)
		st = vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vpid, 0);
	else
		st = vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0, 0);
	if (st != VMX_OK)
		pr_err_ratelimited("CPU%d: INVVPID failed (%d)\n",
				   smp_processor_id(), st);
}

void vmx_vpid_free(int vpid)
{
	if (vpid > 0)
		ida_free(&vmx_vpid_ida, vpid);
}

int vmcs_alloc(struct hvk_vcpu *vcpu)
{
	struct page *page;
	u32 *vmcs;

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	vmcs = page_address(page);
	/* 24.2 Format of the VMCS Region: the revision id comes first. */
	vmcs[0] = vmx_caps_revision_id();
	vcpu->arch.vmcs = vmcs;
	vcpu->arch.vmcs_pa = page_to_phys(page);
	vcpu->arch.cpu = -1;
	INIT_LIST_HEAD(&vcpu->arch.loaded_link);
	return 0;
}

void vmcs_free(struct hvk_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->arch.vmcs);
	vcpu->arch.vmcs = NULL;
}

/* VMCLEAR on this CPU, which must be the one the VMCS is active on. */
static void vmx_vcpu_clear_here(struct hvk_vcpu *vcpu)
{
	struct vmx_percpu *pc = this_cpu_ptr(&vmx_percpu);
	enum vmx_insn_status st;

	lockdep_assert_irqs_disabled();
	if (vcpu->arch.cpu != smp_processor_id())
		return;
	st = vmx_vmclear(vcpu->arch.vmcs_pa);
	if (st != VMX_OK)
		pr_err("CPU%d: VMCLEAR failed (%d)\n", smp_processor_id(), st);
	if (pc->current_pa == vcpu->arch.vmcs_pa)
		pc->current_pa = 0;
	list_del_init(&vcpu->arch.loaded_link);
	vcpu->arch.launched = false;
	/* Ordered after the list removal: the loader waits for -1. */
	smp_store_release(&vcpu->arch.cpu, -1);
}

static void vmx_vcpu_clear_ipi(void *arg)
{
	vmx_vcpu_clear_here(arg);
}

/**
 * vmx_vcpu_clear() - make the VMCS inactive wherever it is active
 * @vcpu: the vCPU, not running
 */
void vmx_vcpu_clear(struct hvk_vcpu *vcpu)
{
	int cpu = READ_ONCE(vcpu->arch.cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vcpu_clear_ipi, vcpu, 1);
}

/**
 * vmx_clear_loaded_vmcss() - VMCLEAR every VMCS active on this CPU
 *
 * Before VMXOFF (hotplug, reboot, unload), IRQs off. Their vCPUs start
 * again with VMPTRLD and VMLAUNCH wherever they run next.
 */
void vmx_clear_loaded_vmcss(void)
{
	struct vmx_percpu *pc = this_cpu_ptr(&vmx_percpu);
	struct hvk_arch_vcpu *a, *tmp;

	list_for_each_entry_safe(a, tmp, &pc->loaded, loaded_link)
		vmx_vcpu_clear_here(container_of(a, struct hvk_vcpu, arch));
}

/*
 * Host state that depends on the CPU (26.5 "Loading Host State" is what
 * the CPU does on every exit with these): the TSS and GDT of this CPU,
 * and the per-CPU GS base. Written whenever the VMCS becomes current on
 * a CPU it was not on.
 */
static void vmcs_write_host_percpu(int cpu)
{
	struct desc_ptr idt;

	vmcs_writel(HOST_TR_BASE,
		    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_cpu_gdt_ro(cpu));
	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_GS_BASE, native_read_msr(MSR_GS_BASE));
	/* The exit loads these MSRs too; SYSENTER_ESP is per CPU. */
	vmcs_write32(HOST_IA32_SYSENTER_CS,
		     native_read_msr(MSR_IA32_SYSENTER_CS));
	vmcs_writel(HOST_IA32_SYSENTER_ESP,
		    native_read_msr(MSR_IA32_SYSENTER_ESP));
	vmcs_writel(HOST_IA32_SYSENTER_EIP,
		    native_read_msr(MSR_IA32_SYSENTER_EIP));
}

/*
 * A VMPTRLD that failed (30.3: VMfailInvalid or VMfailValid) left the
 * current-VMCS pointer as it was: another vCPU's VMCS, perhaps another
 * VM's. Nothing of this vCPU may touch it: mark the vCPU dead (KVM_RUN
 * and the state ioctls fail with -EIO from now on) and make no VMCS
 * current here, by clearing that one the way VMXOFF would (its vCPU
 * starts again with VMPTRLD and VMLAUNCH), so that a stray VMREAD or
 * VMWRITE fails instead of reaching it.
 */
static void vmx_vcpu_kill(struct hvk_vcpu *vcpu, struct vmx_percpu *pc)
{
	struct hvk_arch_vcpu *other, *tmp;
	unsigned long flags;

	WRITE_ONCE(vcpu->arch.dead, true);
	local_irq_save(flags);
	list_for_each_entry_safe(other, tmp, &pc->loaded, loaded_link)
		if (other->vmcs_pa == pc->current_pa && other != &vcpu->arch)
			vmx_vcpu_clear_here(container_of(other,
							 struct hvk_vcpu,
							 arch));
	pc->current_pa = 0;
	local_irq_restore(flags);
}

/**
 * vmx_vcpu_load() - make the vCPU's VMCS current on this CPU
 * @vcpu: the vCPU
 * @cpu: this CPU (preemption off)
 *
 * Return: 0, or -EIO if the vCPU is dead (its VMPTRLD failed, now or
 * before): its VMCS must not be used.
 */
int vmx_vcpu_load(struct hvk_vcpu *vcpu, int cpu)
{
	struct vmx_percpu *pc = per_cpu_ptr(&vmx_percpu, cpu);
	struct hvk_arch_vcpu *a = &vcpu->arch;
	enum vmx_insn_status st;
	unsigned long flags;
	int old = READ_ONCE(a->cpu);

	if (unlikely(READ_ONCE(a->dead)))
		return -EIO;
	/* A CPU on its way offline: the run loop waits to be moved. */
	if (!vmx_cpu_is_on())
		return 0;
	if (old != cpu) {
		/* Active elsewhere: VMCLEAR it there first (IPI, waits). */
		if (old >= 0)
			smp_call_function_single(old, vmx_vcpu_clear_ipi, vcpu,
						 1);
		/* A CPU going offline may have cleared it meanwhile. */
		while (smp_load_acquire(&a->cpu) >= 0 &&
		       READ_ONCE(a->cpu) != cpu)
			cpu_relax();
		local_irq_save(flags);
		list_add(&a->loaded_link, &pc->loaded);
		a->cpu = cpu;
		local_irq_restore(flags);
	}
	if (pc->current_pa != a->vmcs_pa) {
		/*
		 * Another vCPU's VMCS was current here, maybe another VM's:
		 * keep its branch predictions from steering this one (IBPB,
		 * as the kernel does between processes).
		 */
		if (pc->current_pa && boot_cpu_has(X86_FEATURE_IBPB))
			wrmsrl(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
		st = vmx_vmptrld(a->vmcs_pa);
		if (st != VMX_OK) {
			pr_err_ratelimited("CPU%d: VMPTRLD failed (%d): vCPU %u is dead\n",
					   cpu, st, vcpu->id);
			vmx_vcpu_kill(vcpu, pc);
			return -EIO;
		}
		pc->current_pa = a->vmcs_pa;
	}
	if (old != cpu) {
		vmcs_write_host_percpu(cpu);
		/*
		 * Translations tagged with our VPID may be stale on this CPU
		 * (28.3.3.3 "Guidelines for Use of the INVVPID Instruction").
		 */
		vmx_flush_vpid(a->vpid);
	}
	return 0;
}

/*
 * Appendix A.7/A.8: CR0 and CR4 bits fixed in VMX operation. With
 * "unrestricted guest", PE and PG may be 0 (26.3.1.1 "Checks on Guest
 * Control Registers, Debug Registers, and MSRs").
 */
unsigned long vmx_cr0_guest_value(unsigned long cr0)
{
	u64 fixed0 = vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);

	return (cr0 | fixed0) & vmx_caps.cr0_fixed1;
}

unsigned long vmx_cr4_guest_value(unsigned long cr4)
{
	return (cr4 | VMX_CR4_HOST_FORCED | vmx_caps.cr4_fixed0) &
	       vmx_caps.cr4_fixed1;
}

/* Segment field encodings in order ES CS SS DS FS GS LDTR TR. */
#define VMX_SEG_SELECTOR(i)	(GUEST_ES_SELECTOR + 2 * (i))
#define VMX_SEG_LIMIT(i)	(GUEST_ES_LIMIT + 2 * (i))
#define VMX_SEG_AR(i)		(GUEST_ES_AR_BYTES + 2 * (i))
#define VMX_SEG_BASE(i)		(GUEST_ES_BASE + 2 * (i))

/**
 * vmcs_reset_guest() - the guest state after RESET
 * @vcpu: the vCPU, its VMCS current
 *
 * 10.1.1 "Processor State After Reset" (Vol. 3A 9.1.1 in later
 * editions): real mode at F000:FFF0 with CS base FFFF0000, the state
 * KVM also gives a new vCPU.
 */
void vmcs_reset_guest(struct hvk_vcpu *vcpu)
{
	int i;

	for (i = 0; i < 6; i++) {
		__vmcs_write(VMX_SEG_SELECTOR(i), 0);
		__vmcs_write(VMX_SEG_BASE(i), 0);
		__vmcs_write(VMX_SEG_LIMIT(i), 0xffff);
		__vmcs_write(VMX_SEG_AR(i), 0x93);	/* data, RW, accessed */
	}
	vmcs_write16(GUEST_CS_SELECTOR, 0xf000);
	vmcs_writel(GUEST_CS_BASE, 0xffff0000);
	vmcs_write32(GUEST_CS_AR_BYTES, 0x9b);		/* code, RX, accessed */
	vmcs_write16(GUEST_LDTR_SELECTOR, 0);
	vmcs_writel(GUEST_LDTR_BASE, 0);
	vmcs_write32(GUEST_LDTR_LIMIT, 0xffff);
	vmcs_write32(GUEST_LDTR_AR_BYTES, 0x82);	/* LDT, present */
	vmcs_write16(GUEST_TR_SELECTOR, 0);
	vmcs_writel(GUEST_TR_BASE, 0);
	vmcs_write32(GUEST_TR_LIMIT, 0xffff);
	vmcs_write32(GUEST_TR_AR_BYTES, 0x8b);		/* busy 32-bit TSS */
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);

	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_writel(CR0_READ_SHADOW, X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	vmcs_writel(GUEST_CR0, vmx_cr0_guest_value(X86_CR0_ET));
	vmcs_writel(CR4_READ_SHADOW, 0);
	vmcs_writel(GUEST_CR4, vmx_cr4_guest_value(0));
	vmcs_writel(GUEST_CR3, 0);
	vmcs_write64(GUEST_IA32_EFER, 0);
	vmcs_writel(GUEST_DR7, HVK_DR7_FIXED_1);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_clear_bits32(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);

	vcpu->arch.regs = (struct vmx_guest_regs) { };
	/* RESET leaves the processor signature in EDX (10.1.2). */
	vcpu->arch.regs.gpr[VMX_RDX] = 0x600;
	vcpu->arch.pat = 0x0007040600070406ULL;	/* 11.12.4 PAT at reset */
	vcpu->arch.apic_base = 0xfee00000ULL | MSR_IA32_APICBASE_ENABLE |
			       (vcpu->id == vcpu->vm->arch.boot_cpu_id ?
				MSR_IA32_APICBASE_BSP : 0);
	vcpu->arch.misc_enable = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;
	vcpu->arch.dr6 = DR6_RESERVED;
	vcpu->arch.dr7 = HVK_DR7_FIXED_1;
}

/**
 * vmcs_setup() - controls and constant host state of a new VMCS
 * @vcpu: the vCPU, its VMCS current on this CPU
 *
 * The controls hvk wants, adjusted to what the CPU allows (the required
 * ones were checked at load by vmx_caps_probe()):
 *  - pin: external interrupts and NMIs exit (the host handles them), the
 *    VMX-preemption timer bounds every stay in the guest;
 *  - processor: HLT, I/O, MOV DR, CR8, MONITOR/MWAIT, RDPMC exit; no MSR
 *    bitmap, so every RDMSR/WRMSR exits and only the MSRs in msr.c are
 *    virtualized; TSC offsetting;
 *  - secondary: EPT, VPID, unrestricted guest, WBINVD exiting (a guest
 *    looping on WBINVD would stall the host and flush the shared cache);
 *  - exception bitmap: #MC, #AC, #DB (exception.c);
 *  - exit/entry: 64-bit host, EFER saved and loaded, debug controls.
 */
void vmcs_setup(struct hvk_vcpu *vcpu)
{
	u32 pin, proc, proc2, exit, entry;

	pin = vmx_ctl_adjust(&vmx_caps.pin, PIN_BASED_EXT_INTR_MASK |
			     PIN_BASED_NMI_EXITING |
			     PIN_BASED_VMX_PREEMPTION_TIMER);
	/* Virtual NMIs: NMI blocking tracked for the guest, NMI windows. */
	if (vmx_has_vnmi())
		pin |= PIN_BASED_VIRTUAL_NMIS;
	proc = vmx_ctl_adjust(&vmx_caps.proc, CPU_BASED_HLT_EXITING |
			      CPU_BASED_UNCOND_IO_EXITING |
			      CPU_BASED_MOV_DR_EXITING |
			      CPU_BASED_CR8_LOAD_EXITING |
			      CPU_BASED_CR8_STORE_EXITING |
			      CPU_BASED_MWAIT_EXITING |
			      CPU_BASED_MONITOR_EXITING |
			      CPU_BASED_RDPMC_EXITING |
			      CPU_BASED_USE_TSC_OFFSETTING |
			      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
	/* Let the guest own CR3 (EPT): drop the exits the CPU lets us. */
	proc &= ~((CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING |
		   CPU_BASED_INVLPG_EXITING) & ~vmx_caps.proc.must_be_1);
	proc2 = vmx_ctl_adjust(&vmx_caps.proc2, SECONDARY_EXEC_ENABLE_EPT |
			       SECONDARY_EXEC_ENABLE_VPID |
			       SECONDARY_EXEC_UNRESTRICTED_GUEST |
			       SECONDARY_EXEC_WBINVD_EXITING);
	exit = vmx_ctl_adjust(&vmx_caps.exit, VM_EXIT_HOST_ADDR_SPACE_SIZE |
			      VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
			      VM_EXIT_SAVE_DEBUG_CONTROLS);
	entry = vmx_ctl_adjust(&vmx_caps.entry, VM_ENTRY_LOAD_IA32_EFER |
			       VM_ENTRY_LOAD_DEBUG_CONTROLS);

	/* Out of VPIDs: none at all (vmx_vpid_alloc()). */
	if (!vcpu->arch.vpid)
		proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	/* #MC, #AC, #DB; the notify VM exit if the CPU has it. */
	vmx_exception_setup(&proc2);
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, pin);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	vcpu->arch.proc_ctl = proc;	/* inject.c flips the window bits */
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write32(VM_EXIT_CONTROLS, exit);
	vmcs_write32(VM_ENTRY_CONTROLS, entry & ~VM_ENTRY_IA32E_MODE);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	/* The host's perf MSRs, switched by the CPU (perf.c). */
	vmx_perf_setup(vcpu);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	if (vcpu->arch.vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, vcpu->arch.vpid);
	vmcs_write64(EPT_POINTER, vmx_eptp(vcpu->vm));
	vmcs_write64(TSC_OFFSET, vcpu->arch.tsc_offset);

	/*
	 * CR0: the host owns NE (must be 1 in VMX operation, A.7) and CD/NW
	 * (the guest's caching is EPT's business); CR4: everything but the
	 * bits a guest may flip freely (VMX_CR4_GUEST_OWNED).
	 */
	vmcs_writel(CR0_GUEST_HOST_MASK, VMX_CR0_HOST_OWNED);
	vmcs_writel(CR4_GUEST_HOST_MASK, ~VMX_CR4_GUEST_OWNED);

	/* Host state that is the same on every CPU and every entry. */
	vmcs_writel(HOST_CR0, read_cr0());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_writel(HOST_RIP, (unsigned long)vmx_vmexit);
	vmcs_write64(HOST_IA32_EFER, native_read_msr(MSR_EFER));

	vmcs_reset_guest(vcpu);
}

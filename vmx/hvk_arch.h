/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 (VMX) part of struct hvk_vm and struct hvk_vcpu.
 *
 * core/hvk.h embeds these by value and finds this file through
 * -I$(src)/vmx, so it is included by every core file: keep it to type
 * definitions with few includes.
 */
#ifndef HVK_VMX_HVK_ARCH_H
#define HVK_VMX_HVK_ARCH_H

#include <linux/list.h>
#include <linux/preempt.h>
#include <linux/types.h>
#include <asm/fpu/types.h>

#include "emulate.h"

struct kvm_cpuid_entry2;

struct hvk_arch_vm {
	u64 tss_addr;			/* KVM_SET_TSS_ADDR, kept for KVM's checks */
	u64 identity_map_addr;		/* KVM_SET_IDENTITY_MAP_ADDR, likewise */
	u32 boot_cpu_id;		/* KVM_SET_BOOT_CPU_ID */
};

/*
 * Guest general-purpose registers in the encoding order of Vol. 2A 2.1
 * (RAX = 0 ... R15 = 15), the order the MMIO decoder uses. RSP lives in
 * the VMCS and is copied into @gpr[VMX_RSP] only when it is needed; the
 * world switch (vmenter.S) never touches that slot.
 */
enum vmx_gpr {
	VMX_RAX, VMX_RCX, VMX_RDX, VMX_RBX, VMX_RSP, VMX_RBP, VMX_RSI, VMX_RDI,
	VMX_R8, VMX_R9, VMX_R10, VMX_R11, VMX_R12, VMX_R13, VMX_R14, VMX_R15,
	VMX_NR_GPRS,
};

struct vmx_guest_regs {
	u64 gpr[VMX_NR_GPRS];
	u64 cr2;		/* not in the VMCS: switched by vmenter.S */
};

/* What the next KVM_RUN must finish before entering the guest. */
enum vmx_pending {
	VMX_PENDING_NONE,
	VMX_PENDING_IN,		/* IN: data from the run page into rAX */
	VMX_PENDING_INS,	/* INS: data from the run page into memory */
	VMX_PENDING_MMIO_READ,	/* MMIO load: data into a register */
};

/* The guest MSRs swapped with the host's around the guest's run. */
enum vmx_swapped_msr {
	VMX_MSR_STAR,
	VMX_MSR_LSTAR,
	VMX_MSR_CSTAR,
	VMX_MSR_SFMASK,
	VMX_MSR_KERNEL_GS_BASE,
	VMX_NR_SWAPPED_MSRS,
};

struct hvk_arch_vcpu {
	struct vmx_guest_regs regs;	/* first: vmenter.S's argument */

	/* The VMCS and where it is active (24.11.1 Software Use of VMCSs). */
	void *vmcs;
	u64 vmcs_pa;
	int cpu;			/* CPU the VMCS is active on, or -1 */
	bool launched;			/* VMLAUNCH done since the VMCLEAR */
	struct list_head loaded_link;	/* on that CPU's list */
	u16 vpid;			/* 0: none, the pool was empty */
	bool dead;			/* VMPTRLD failed: never use the VMCS */

	/* Scheduling: reload per-CPU host state when moved. */
	struct preempt_notifier preempt;
	bool in_run;			/* guest MSRs and FPU loaded */
	u64 host_msrs[VMX_NR_SWAPPED_MSRS];
	u64 guest_msrs[VMX_NR_SWAPPED_MSRS];
	u16 host_ldt, host_ds, host_es, host_fs, host_gs;
	u64 host_fs_base;
	u64 host_debugctl;
	void *msr_autoload;		/* perf MSRs: entry and exit areas */
	unsigned int nr_autoload;	/* entries in each */

	struct fpu_guest fpu;

	/* Guest state not in the VMCS (or shadowed there). */
	u64 pat;
	u64 misc_enable;
	u64 apic_base;
	u64 tsc_offset;
	u64 cr8;
	u64 dr6, dr7;
	u64 dr[4];
	u32 mp_state;

	/* KVM_SET_CPUID2 */
	struct kvm_cpuid_entry2 *cpuid;
	u32 cpuid_nent;
	bool ran;			/* entered the guest once */

	/* The exit being handled */
	u32 exit_reason;
	u32 idt_vectoring;		/* IDT-vectoring information */

	/* Completion owed by the next KVM_RUN */
	enum vmx_pending pending;
	struct mmio_insn mmio_insn;
	u32 pending_count;		/* INS: elements in the run page */
	u8 pending_size;		/* IN, INS: bytes per element */
	bool pending_down;		/* INS: RFLAGS.DF was set */
	u64 pending_gla;		/* INS: linear address of element 0 */
	/*
	 * MMIO access split across a page of RAM and one without a slot:
	 * bytes [split_off, split_off + split_len) of it are the MMIO part,
	 * the others (a load's, read at the exit) are in split_data.
	 */
	u8 split_off, split_len;
	u8 split_data[8];

	/* An exception to inject at the next entry (vector or -1) */
	int inject_vector;
	bool inject_has_error;
	u32 inject_error;

	/*
	 * Events (inject.c): an external interrupt or an NMI whose delivery
	 * has begun (KVM_INTERRUPT, taken from the local APIC, or cut short
	 * by an exit) and goes in at the next entry; NMIs still to deliver;
	 * a software event an exit interrupted (its VM-entry interruption
	 * information, instruction length and error code).
	 */
	bool irq_injected;
	u8 irq_nr;
	bool nmi_injected;
	u8 nmi_pending;
	u32 soft_info, soft_len, soft_err;
	u32 entry_info;			/* what the last entry injected */
	u32 proc_ctl;			/* CPU_BASED_VM_EXEC_CONTROL as written */
	bool halted_if;			/* RFLAGS.IF when the guest halted */
};

#endif /* HVK_VMX_HVK_ARCH_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 state embedded in core's struct hvk_vm and struct hvk_vcpu.
 * core/ includes this through -I$(src)/arm64 (see Kbuild).
 */
#ifndef HVK_ARM64_HVK_ARCH_H
#define HVK_ARM64_HVK_ARCH_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/types.h>
#include <linux/kvm.h>
#include <linux/spinlock.h>

#include "mmu/stage2.h"

/**
 * struct hvk_arch_vm - arm64 per-VM state
 * @ipa_bits:	guest physical address size, 32..limit
 * @geo:	stage-2 geometry for @ipa_bits
 * @vtcr:	VTCR_EL2 while this VM's vCPUs run
 * @vmid:	the allocator's generation (bits 63:16) and the VMID it gave
 *		this VM in that generation (bits 15:0), in one value so that
 *		a vCPU's one acquire read gets a pair that belongs together
 *		(0: none yet; arm64/vmid.c hvk_arm64_vmid_update())
 * @nisv_to_user: KVM_CAP_ARM_NISV_TO_USER enabled
 * @cntvoff:	CNTVOFF_EL2 of its vCPUs: their virtual counter is the
 *		physical one minus this (KVM_REG_ARM_TIMER_CNT sets it)
 *
 * The stage-2 table itself is mmu/'s (vm->mmu, mmu/mmu.h), made in
 * hvk_arch_vm_init().
 */
struct hvk_arch_vm {
	u32 ipa_bits;
	struct stage2_geometry geo;
	u64 vtcr;
	atomic64_t vmid;
	bool nisv_to_user;
	u64 cntvoff;
};

/*
 * Guest EL1/EL0 system registers hvk switches, indexes into
 * struct hvk_arch_vcpu.sys[]. The ones with an _EL12 alias are reached
 * through it from EL2 (VHE); the rest are not redirected by E2H and are
 * accessed by their own names.
 */
enum hvk_sysreg {
	HVK_SCTLR_EL1,
	HVK_CPACR_EL1,
	HVK_TTBR0_EL1,
	HVK_TTBR1_EL1,
	HVK_TCR_EL1,
	HVK_ESR_EL1,
	HVK_AFSR0_EL1,
	HVK_AFSR1_EL1,
	HVK_FAR_EL1,
	HVK_MAIR_EL1,
	HVK_AMAIR_EL1,
	HVK_VBAR_EL1,
	HVK_CONTEXTIDR_EL1,
	HVK_CNTKCTL_EL1,
	HVK_TPIDR_EL1,
	HVK_TPIDR_EL0,
	HVK_TPIDRRO_EL0,
	HVK_PAR_EL1,
	HVK_CSSELR_EL1,
	HVK_CNTV_CTL_EL0,	/* each timer's CVAL right after its CTL */
	HVK_CNTV_CVAL_EL0,
	HVK_MDSCR_EL1,		/* trapped (MDCR_EL2.TDA): only kept here */
	HVK_CNTP_CTL_EL0,	/* trapped (CNTHCTL_EL2.EL1PTEN = 0): the */
	HVK_CNTP_CVAL_EL0,	/* physical timer is emulated (sysreg.c) */
	HVK_TPIDR2_EL0,		/* with SME only (arm64/extstate.c) */
	HVK_NR_SYSREGS
};

/*
 * Why the world switch came back (arm64/switch.S, x0). Exceptions from a
 * guest's AArch32 EL0 (the ID registers hide it, a CPU may still run it)
 * arrive the same way: their syndromes have the same format.
 */
enum hvk_exit_kind {
	HVK_EXIT_SYNC,		/* synchronous exception: ESR_EL2 says why */
	HVK_EXIT_IRQ,		/* physical IRQ: the host takes it */
	HVK_EXIT_FIQ,
	HVK_EXIT_SERROR,
	HVK_EXIT_NONE,		/* not entered: signal, reschedule or a host
				 * SError pending first */
};

/**
 * struct hvk_arm64_exit - what one exit left behind for the handlers
 * @kind:	enum hvk_exit_kind
 * @esr:	ESR_EL2
 * @far:	FAR_EL2
 * @hpfar:	HPFAR_EL2
 */
struct hvk_arm64_exit {
	u32 kind;
	u64 esr;
	u64 far;
	u64 hpfar;
};

/**
 * struct hvk_mmio_pending - an MMIO read waiting for userspace's data
 * @active:	KVM_EXIT_MMIO was returned and the access not completed
 * @is_write:	the access was a write (completion only skips it)
 * @len:	bytes, 1..8
 * @sign_extend: ESR.SSE
 * @sixty_four:	ESR.SF: the destination is an X register
 * @rt:		destination register (31: XZR, discarded)
 */
struct hvk_mmio_pending {
	bool active;
	bool is_write;
	u8 len;
	bool sign_extend;
	bool sixty_four;
	u8 rt;
};

/**
 * struct hvk_arch_vcpu - arm64 per-vCPU state
 * @regs: the core registers, kept in the KVM_REG_ARM_CORE layout (struct
 *        kvm_regs) so that a core register id's offset indexes it
 *        directly; arm64/switch.S loads and saves regs.regs from here
 * @sys: guest system registers (enum hvk_sysreg)
 * @initialized: KVM_ARM_VCPU_INIT succeeded (KVM: vcpu->arch.target >= 0)
 * @target: the target KVM_ARM_VCPU_INIT accepted
 * @features: the feature bits KVM_ARM_VCPU_INIT accepted (first word)
 * @mp_state: KVM_MP_STATE_RUNNABLE or KVM_MP_STATE_STOPPED; written by
 *	      other vCPUs (PSCI) under @power_lock
 * @power_lock: @mp_state, @reset_pending and the reset values
 * @reset_pending: PSCI CPU_ON asked for a reset into @reset_pc/@reset_x0
 * @reset_pc: entry point from CPU_ON
 * @reset_x0: context id from CPU_ON
 * @reset_be: the caller of CPU_ON runs big-endian at EL1 (SCTLR_EL1.EE)
 * @wfi_timer: ends a WFI when the guest's timer fires (arm64/vtimer.c);
 *	       blocking and kicks are core's (core/request.h)
 * @fp_live: the guest used FP/SIMD in this KVM_RUN: its registers are
 *	     switched on every entry (else FP/SIMD traps, arm64/world.c)
 * @mpidr: the guest's MPIDR_EL1 (VMPIDR_EL2), from the vCPU id
 * @mmio: pending MMIO completion
 * @exit: the last exit's syndrome
 * @serror_pending: a virtual SError is pending for the guest (HCR_EL2.VSE
 *		    at the next entry; arm64/serror.c)
 * @has_run: KVM_RUN got past its checks once (a vGIC can no longer be
 *	     created, the timer PPIs are fixed)
 * @timer_lines: with a vGIC, the virtual (bit 0) and physical (bit 1)
 *		 timer outputs last given to it (arm64/vtimer.c)
 * @timer_armed: @wfi_timer runs for the timer state in @timer_key, to
 *		 make a running guest exit when one of its timers fires
 */
struct hvk_arch_vcpu {
	struct kvm_regs regs;
	u64 sys[HVK_NR_SYSREGS];
	bool initialized;
	u32 target;
	u32 features;
	u32 mp_state;
	spinlock_t power_lock;
	bool reset_pending;
	u64 reset_pc;
	u64 reset_x0;
	bool reset_be;
	struct hrtimer wfi_timer;
	bool fp_live;
	u64 mpidr;
	struct hvk_mmio_pending mmio;
	struct hvk_arm64_exit exit;
	bool serror_pending;
	bool has_run;
	u8 timer_lines;
	bool timer_armed;
	u64 timer_key[4];
};

#endif /* HVK_ARM64_HVK_ARCH_H */

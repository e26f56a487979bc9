// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN on arm64: the run loop around the world switch.
 *
 * Each pass: apply the power state (arm64/power.c), consume requests,
 * report timer line changes (arm64/vtimer.c), enter the guest once with
 * preemption and interrupts off (arm64/world.c, core/request.h for
 * guest mode and kicks) and handle the exit (arm64/exit.c).
 *
 * FP/SIMD is switched lazily, per KVM_RUN (arm64/world.c): each KVM_RUN
 * starts with the guest's FP/SIMD trapped; after its first use the
 * entries here run inside kernel_neon_begin()/kernel_neon_end().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/daifflags.h>
#include <asm/neon.h>

#include "arch.h"
#include "exit.h"
#include "hvk.h"
#include "power.h"
#include "request.h"
#include "vtimer.h"
#include "world.h"

/*
 * Enter once. Returns the exit kind, or HVK_EXIT_NONE when a signal,
 * a reschedule or a request came first (checked with interrupts off:
 * a signal or kick arriving later raises an IPI that is taken as soon
 * as the guest runs, which exits at once; core/request.h).
 */
static u32 run_enter_once(struct hvk_vcpu *vcpu)
{
	u32 kind = HVK_EXIT_NONE;
	bool fp = vcpu->arch.fp_live;

	preempt_disable();
	if (fp)
		kernel_neon_begin();
	local_irq_disable();
	/*
	 * With GICv3 pseudo-NMIs (irqchip.gicv3_pseudo_nmi=1, the host's
	 * system_uses_irq_prio_masking()), local_irq_disable() leaves
	 * PSTATE.I clear and masks through ICC_PMR_EL1 instead. PMR is not
	 * switched: it would stay masking while the guest runs, so the GIC
	 * would signal no host interrupt to the CPU and a guest that never
	 * traps would never give the CPU back. Mask with PSTATE.DAIF
	 * instead and open PMR, as the kernel's own local_daif_mask() does
	 * (it writes GIC_PRIO_IRQON | GIC_PRIO_PSR_I_SET): at EL2 the
	 * interrupts stay pending; once the guest runs at EL1 they are
	 * taken to EL2 by HCR_EL2.IMO/FMO whatever PSTATE.I at EL2 was
	 * (Arm ARM D1.3.6, "Asynchronous exception routing"), and the
	 * guest exits. SErrors stay masked too until the host is back
	 * (see __hvk_arm64_enter() in arm64/switch.S and
	 * hvk_arm64_handle_exit()).
	 * local_daif_restore(DAIF_PROCCTX_NOIRQ) below puts back "IRQs off,
	 * SErrors and pseudo-NMIs on" in the host's own form (PMR masking
	 * or PSTATE.I), and local_irq_enable() then takes what is pending.
	 * Without priority masking this is just DAIF, set and restored.
	 */
	local_daif_mask();
	/*
	 * In guest mode from here, requests checked after it (the kicker's
	 * side of the pairing is in core/request.c).
	 */
	if (hvk_vcpu_enter_guest_mode(vcpu) && !signal_pending(current) &&
	    !need_resched())
		kind = hvk_arm64_world_switch(vcpu);
	hvk_vcpu_exit_guest_mode(vcpu);
	local_daif_restore(DAIF_PROCCTX_NOIRQ);
	local_irq_enable();
	if (fp)
		kernel_neon_end();
	preempt_enable();
	return kind;
}

/**
 * hvk_arch_vcpu_run() - KVM_RUN
 * @vcpu: the vCPU, its mutex held
 *
 * Completes an MMIO read userspace answered (only when kvm_run still
 * says KVM_EXIT_MMIO, as KVM), honours immediate_exit, then enters the
 * guest until an exit needs userspace, a handler fails, a signal is
 * pending (-EINTR, KVM_EXIT_INTR) or the guest's timer line changed
 * (-EINTR too, as KVM without an in-kernel irqchip). Between entries:
 * requests, the power state and cond_resched().
 *
 * Return: 0 with run->exit_reason set, or a negative errno.
 */
int hvk_arch_vcpu_run(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	struct kvm_run *run = vcpu->run;
	int r;

	if (!a->initialized)
		return -ENOEXEC;

	if (a->mmio.active) {
		if (run->exit_reason == KVM_EXIT_MMIO)
			hvk_arm64_mmio_complete(vcpu);
		a->mmio.active = false;
	}
	/*
	 * KVM honours immediate_exit only here, after the MMIO completion
	 * (and after -ENOEXEC): a VMM that kicks itself out still gets its
	 * read into the register. exit_reason is left as it was (KVM 6.1).
	 */
	if (hvk_vcpu_immediate_exit(vcpu))
		return -EINTR;
	run->flags = 0;
	/* Lazy FP/SIMD: trapped until the guest uses it in this KVM_RUN. */
	a->fp_live = false;

	for (;;) {
		run->exit_reason = KVM_EXIT_UNKNOWN;
		r = hvk_arm64_power_wait(vcpu);
		if (r || signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		/*
		 * Every request bit arm64 defines is consumed before the
		 * entry (core/arch.h): HVK_ARM64_REQ_POWER just above, and a
		 * timer request left from an interrupted WFI here, which
		 * says nothing the timer check below does not.
		 */
		hvk_vcpu_check_request(vcpu, HVK_ARM64_REQ_TIMER);
		cond_resched();
		if (hvk_arm64_vtimer_update_run(vcpu)) {
			run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}

		hvk_vcpu_entry_event(vcpu);
		if (run_enter_once(vcpu) == HVK_EXIT_NONE)
			continue;
		hvk_arm64_vtimer_update_run(vcpu);
		r = hvk_arm64_handle_exit(vcpu);
		if (r <= 0)
			return r;
	}
}

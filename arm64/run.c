// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN on arm64: the run loop around the world switch.
 *
 * Each pass: apply the power state (arm64/power.c), consume requests,
 * report timer line changes (arm64/vtimer.c), enter the guest once with
 * preemption and interrupts off (hvk_arm64_enter_once() in
 * arm64/world.c, with core/request.h's guest mode for kicks) and handle
 * the exit (arm64/exit.c).
 *
 * FP/SIMD is switched lazily, per KVM_RUN (arm64/world.c): each KVM_RUN
 * starts with the guest's FP/SIMD trapped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "arch.h"
#include "exit.h"
#include "hvk.h"
#include "irq/vgic.h"
#include "irqchip.h"
#include "power.h"
#include "request.h"
#include "vtimer.h"
#include "world.h"

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
	if (vcpu->vm->irqchip) {
		/* KVM's first-run checks of the vGIC (hvk_vgic_first_run()) */
		r = hvk_arm64_vgic_first_run(vcpu);
		if (r)
			return r;
	}
	WRITE_ONCE(a->has_run, true);

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
		r = hvk_arm64_power_check(vcpu);
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
		if (vcpu->irqchip) {
			hvk_arm64_vtimer_vgic(vcpu);
		} else if (hvk_arm64_vtimer_update_run(vcpu)) {
			run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}

		hvk_vcpu_entry_event(vcpu);
		if (hvk_arm64_enter_once(vcpu) == HVK_EXIT_NONE)
			continue;
		if (vcpu->irqchip)
			hvk_vgic_fold(vcpu);
		else
			hvk_arm64_vtimer_update_run(vcpu);
		r = hvk_arm64_handle_exit(vcpu);
		if (r <= 0)
			return r;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's generic timers as hvk models them, and WFI: without an
 * in-kernel interrupt controller as below; with a vGIC as level PPIs
 * (hvk_arm64_vtimer_vgic()).
 *
 * The virtual timer is the hardware's own (CNTV_*_EL0 through the _EL02
 * aliases, switched in arm64/world.c, stopped while the host runs); the
 * EL1 physical timer is emulated (CNTHCTL_EL2.EL1PTEN clear, accesses
 * trap to arm64/sysreg.c). Their output lines reach userspace through
 * kvm_run.s.regs.device_irq_level, and WFI sleeps until one of them
 * would fire, a request (another vCPU's PSCI call) or a signal.
 *
 * This stays in arm64/ rather than irq/: it reads the vCPU's arm64
 * system register file and CNTVOFF_EL2 (struct hvk_arch_vcpu/_vm), so
 * in irq/ it would depend on the backend, against the direction
 * arch backend -> irq -> mmu -> core. With a vGIC it raises its lines
 * through irq/vgic.c's hvk_vgic_inject().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <asm/sysreg.h>

#include "hvk.h"
#include "irq/vgic.h"
#include "request.h"
#include "vtimer.h"

/* The guest's (and host's) physical counter, ordered after what precedes. */
u64 hvk_arm64_counter(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

/*
 * How long until one of the guest's timers fires, in ns: 0 if it already
 * has (its interrupt could be pending), U64_MAX if it is off or masked.
 * The guest's physical counter is the host's (CNTPCT_EL0); its virtual
 * counter that minus the VM's CNTVOFF_EL2 (@offset).
 */
static u64 vtimer_ns(u64 ctl, u64 cval, u64 offset)
{
	u64 now, freq;

	/* CNTx_CTL_EL0: ENABLE (bit 0) set, IMASK (bit 1) clear. */
	if ((ctl & 3) != 1)
		return U64_MAX;
	now = hvk_arm64_counter() - offset;
	if (cval <= now)
		return 0;
	freq = read_sysreg(cntfrq_el0);
	if (!freq)
		return U64_MAX;
	return mul_u64_u64_div_u64(cval - now, NSEC_PER_SEC, freq);
}

/* The earlier of the virtual and the (emulated) physical timer. */
static u64 vtimer_next_ns(struct hvk_vcpu *vcpu)
{
	const u64 *s = vcpu->arch.sys;

	return min(vtimer_ns(s[HVK_CNTV_CTL_EL0], s[HVK_CNTV_CVAL_EL0],
			     READ_ONCE(vcpu->vm->arch.cntvoff)),
		   vtimer_ns(s[HVK_CNTP_CTL_EL0], s[HVK_CNTP_CVAL_EL0], 0));
}

/**
 * hvk_arm64_vtimer_update_run() - the timer lines userspace sees
 * @vcpu: the vCPU, on its own thread
 *
 * As KVM reports them to a VMM with no in-kernel interrupt controller
 * (KVM API, "KVM_CAP_ARM_USER_IRQ"): kvm_run.s.regs.device_irq_level
 * bits KVM_ARM_DEV_EL1_VTIMER and KVM_ARM_DEV_EL1_PTIMER follow the
 * lines after every exit, and KVM_RUN returns -EINTR (KVM_EXIT_INTR)
 * before entering the guest when a line changed since userspace last
 * saw it.
 *
 * Return: whether a line changed.
 */
bool hvk_arm64_vtimer_update_run(struct hvk_vcpu *vcpu)
{
	u64 *level = &vcpu->run->s.regs.device_irq_level;
	const u64 *s = vcpu->arch.sys;
	u64 now = 0;

	if (!vtimer_ns(s[HVK_CNTV_CTL_EL0], s[HVK_CNTV_CVAL_EL0],
		       READ_ONCE(vcpu->vm->arch.cntvoff)))
		now |= KVM_ARM_DEV_EL1_VTIMER;
	if (!vtimer_ns(s[HVK_CNTP_CTL_EL0], s[HVK_CNTP_CVAL_EL0], 0))
		now |= KVM_ARM_DEV_EL1_PTIMER;
	if ((*level & (KVM_ARM_DEV_EL1_VTIMER | KVM_ARM_DEV_EL1_PTIMER)) ==
	    now)
		return false;
	*level = (*level & ~(KVM_ARM_DEV_EL1_VTIMER |
			     KVM_ARM_DEV_EL1_PTIMER)) | now;
	return true;
}

/*
 * The WFI timer fired: hard interrupt context, so only the request and
 * the kick, which are safe there (core/request.c).
 */
static enum hrtimer_restart vtimer_wfi_expired(struct hrtimer *t)
{
	struct hvk_vcpu *vcpu = container_of(t, struct hvk_vcpu,
					     arch.wfi_timer);

	hvk_vcpu_request(vcpu, HVK_ARM64_REQ_TIMER);
	hvk_vcpu_kick(vcpu);
	return HRTIMER_NORESTART;
}

void hvk_arm64_vtimer_vcpu_init(struct hvk_vcpu *vcpu)
{
	hrtimer_init(&vcpu->arch.wfi_timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_REL_HARD);
	vcpu->arch.wfi_timer.function = vtimer_wfi_expired;
}

/* The vCPU is going away: no callback may still be running or queued. */
void hvk_arm64_vtimer_vcpu_destroy(struct hvk_vcpu *vcpu)
{
	hrtimer_cancel(&vcpu->arch.wfi_timer);
}

/* Has a timer's compare value been reached (enabled and unmasked)? */
static bool vtimer_fired(u64 ctl, u64 cval, u64 now)
{
	return (ctl & 3) == 1 && cval <= now;
}

/**
 * hvk_arm64_vtimer_vgic() - the timer lines with an in-kernel vGIC
 * @vcpu: the vCPU, on its own thread, before an entry
 *
 * As KVM with a vGIC: each timer's output is a level PPI (27 virtual,
 * 30 physical unless KVM_ARM_VCPU_TIMER_CTRL moved them), given to the
 * vGIC when it changes. While the guest runs, an hrtimer set for the
 * earlier compare value makes it exit when a timer fires (the run loop
 * then raises the line); it is re-armed only when the guest changed a
 * timer, so an entry usually costs two counter compares.
 */
void hvk_arm64_vtimer_vgic(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	struct hvk_irqchip *vgic = vcpu->vm->irqchip;
	const u64 *s = a->sys;
	u64 now = hvk_arm64_counter();
	u8 lines = 0, changed;
	u64 key[4] = { s[HVK_CNTV_CTL_EL0], s[HVK_CNTV_CVAL_EL0],
		       s[HVK_CNTP_CTL_EL0], s[HVK_CNTP_CVAL_EL0] };
	u64 ns;

	if (vtimer_fired(key[0], key[1], now - READ_ONCE(vcpu->vm->arch.cntvoff)))
		lines |= 1;
	if (vtimer_fired(key[2], key[3], now))
		lines |= 2;
	changed = lines ^ a->timer_lines;
	if (changed & 1)
		hvk_vgic_inject(vcpu->vm, vcpu, vgic->vtimer_ppi, 0, lines & 1,
				true);
	if (changed & 2)
		hvk_vgic_inject(vcpu->vm, vcpu, vgic->ptimer_ppi, 0, lines & 2,
				true);
	a->timer_lines = lines;

	if (a->timer_armed && !memcmp(key, a->timer_key, sizeof(key)))
		return;
	memcpy(a->timer_key, key, sizeof(key));
	ns = vtimer_next_ns(vcpu);
	/* 0: fired already (the line is up); U64_MAX: nothing to wait for */
	a->timer_armed = true;
	if (ns && ns != U64_MAX)
		hrtimer_start(&a->wfi_timer,
			      ns_to_ktime(min_t(u64, ns, KTIME_MAX)),
			      HRTIMER_MODE_REL_HARD);
	else
		hrtimer_try_to_cancel(&a->wfi_timer);
}

/**
 * hvk_arm64_wfi() - WFI: sleep until something could wake the vCPU
 * @vcpu: the vCPU, on its own thread
 *
 * What can end a WFI: one of the guest's own timers reaching its compare
 * value (enabled and unmasked: its interrupt would then be pending, and
 * WFI completes even with PSTATE.I set; Arm ARM D1.6.2, "Wait for
 * Interrupt"), with a vGIC any interrupt it would signal, any request
 * (another vCPU's PSCI call stopping this one) or a signal, after which
 * the run loop returns -EINTR as KVM does for a halted vCPU. The timer
 * is an hrtimer whose callback posts HVK_ARM64_REQ_TIMER and kicks; with
 * a vGIC a timer that has fired raises its PPI at the next entry.
 */
void hvk_arm64_wfi(struct hvk_vcpu *vcpu)
{
	struct hrtimer *t = &vcpu->arch.wfi_timer;
	bool vgic = vcpu->irqchip;
	u64 ns;

	if (vgic && hvk_vgic_vcpu_pending(vcpu))
		return;
	ns = vtimer_next_ns(vcpu);
	if (!ns)
		return;
	if (ns != U64_MAX)
		hrtimer_start(t, ns_to_ktime(min_t(u64, ns, KTIME_MAX)),
			      HRTIMER_MODE_REL_HARD);
	/* A signal ends it too; the run loop sees the signal itself. */
	hvk_vcpu_block(vcpu, hvk_vcpu_has_requests(vcpu) ||
			     (vgic && hvk_vgic_vcpu_pending(vcpu)));
	hrtimer_cancel(t);	/* nothing if it never started */
	vcpu->arch.timer_armed = false;
	/* Ours alone: consumed here, fired or not (hrtimer_cancel() waited). */
	hvk_vcpu_check_request(vcpu, HVK_ARM64_REQ_TIMER);
}

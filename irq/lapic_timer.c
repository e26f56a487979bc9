// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC timer (SDM Vol. 3A 11.5.4): one-shot, periodic and
 * TSC-deadline modes on an hrtimer. The APIC bus runs at 1 GHz, as KVM
 * presents it (one count per nanosecond before the divider), so a count
 * is TMICT * divide ns.
 *
 * On expiry the timer's LVT vector goes into the IRR (unless masked) and
 * the vCPU is kicked: out of the guest if it runs, out of its block if
 * it halted. A periodic timer re-arms from its previous target, so it
 * keeps its rate whatever the callback latency; its period is at least
 * LAPIC_MIN_PERIOD_NS, as KVM's min_timer_period_us, so that a guest
 * cannot make the host take a timer interrupt every few nanoseconds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/math64.h>

#include "hvk.h"
#include "lapic.h"
#include "lapic_priv.h"

#define LAPIC_MIN_PERIOD_NS	(200 * NSEC_PER_USEC)

static unsigned int lapic_timer_mode(struct hvk_vcpu_irqchip *l)
{
	return (lapic_reg(l->regs, LAPIC_LVT_TIMER) & LAPIC_TIMER_MODE_MASK) >>
	       LAPIC_TIMER_MODE_SHIFT;
}

static enum hrtimer_restart lapic_timer_fn(struct hrtimer *t)
{
	struct hvk_vcpu_irqchip *l = container_of(t, struct hvk_vcpu_irqchip,
						  timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	u32 lvtt;

	spin_lock_irqsave(&l->lock, flags);
	lvtt = lapic_reg(l->regs, LAPIC_LVT_TIMER);
	if (!(lvtt & LAPIC_LVT_MASKED))
		lapic_set_irr_locked(l, lvtt & LAPIC_VECTOR_MASK, false);
	switch (lapic_timer_mode(l)) {
	case LAPIC_TIMER_PERIODIC:
		if (l->period_ns) {
			hrtimer_forward(t, hrtimer_get_expires(t),
					ns_to_ktime(l->period_ns));
			l->start = ktime_sub_ns(hrtimer_get_expires(t),
						l->period_ns);
			ret = HRTIMER_RESTART;
		}
		break;
	case LAPIC_TIMER_TSCDEADLINE:
		/* IA32_TSC_DEADLINE reads 0 once it fired (11.5.4.1). */
		l->tsc_deadline = 0;
		break;
	default:
		l->tmict_ns = 0;	/* one-shot: the count stays at 0 */
		break;
	}
	spin_unlock_irqrestore(&l->lock, flags);
	lapic_kick(l);
	return ret;
}

void lapic_timer_init(struct hvk_vcpu_irqchip *l)
{
	hrtimer_init(&l->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	l->timer.function = lapic_timer_fn;
}

/* Stop the timer and wait for a running callback. Lock not held. */
void lapic_timer_cancel(struct hvk_vcpu_irqchip *l)
{
	hrtimer_cancel(&l->timer);
}

/*
 * (Re)start counting TMICT down, lock held. hrtimer_try_to_cancel()
 * cannot wait for a callback running on another CPU under our lock (it
 * would take the lock too): if it fails, the callback is about to take
 * the lock and sees the new state; it may deliver one extra tick, as a
 * timer that fired just before the write would have.
 */
static void lapic_timer_start(struct hvk_vcpu_irqchip *l)
{
	u32 tmict = lapic_reg(l->regs, LAPIC_TMICT);
	u64 ns;

	hrtimer_try_to_cancel(&l->timer);
	l->period_ns = 0;
	l->tmict_ns = 0;
	if (!tmict || lapic_timer_mode(l) == LAPIC_TIMER_TSCDEADLINE)
		return;
	ns = (u64)tmict * lapic_divide(lapic_reg(l->regs, LAPIC_TDCR));
	if (lapic_timer_mode(l) == LAPIC_TIMER_PERIODIC) {
		ns = max_t(u64, ns, LAPIC_MIN_PERIOD_NS);
		l->period_ns = ns;
	}
	l->tmict_ns = ns;
	l->start = ktime_get();
	hrtimer_start(&l->timer, ktime_add_ns(l->start, ns),
		      HRTIMER_MODE_ABS_HARD);
}

/* A write to the LVT timer, TMICT or TDCR (11.5.4). Lock held. */
void lapic_timer_write(struct hvk_vcpu_irqchip *l, unsigned int off, u32 val)
{
	u32 old = lapic_reg(l->regs, LAPIC_LVT_TIMER), mask;

	switch (off) {
	case LAPIC_LVT_TIMER:
		mask = LAPIC_LVT_MASKED | BIT(12) | LAPIC_VECTOR_MASK |
		       LAPIC_TIMER_MODE_MASK;
		val &= mask;
		/*
		 * Bit 18 (TSC deadline) only if the guest's CPUID offers
		 * it, as KVM masks it; mode 3 is reserved.
		 */
		if (!l->tscdl_cpuid)
			val &= ~BIT(LAPIC_TIMER_MODE_SHIFT + 1);
		if ((val & LAPIC_TIMER_MODE_MASK) == LAPIC_TIMER_MODE_MASK)
			val &= ~LAPIC_TIMER_MODE_MASK;
		if (!lapic_sw_enabled(l))
			val |= LAPIC_LVT_MASKED;
		lapic_set_reg(l->regs, off, val);
		/* A mode change stops the timer (11.5.4.1). */
		if ((old ^ val) & LAPIC_TIMER_MODE_MASK) {
			hrtimer_try_to_cancel(&l->timer);
			lapic_set_reg(l->regs, LAPIC_TMICT, 0);
			l->period_ns = 0;
			l->tmict_ns = 0;
			l->tsc_deadline = 0;
		}
		break;
	case LAPIC_TMICT:
		if (lapic_timer_mode(l) == LAPIC_TIMER_TSCDEADLINE)
			break;		/* ignored in TSC-deadline mode */
		lapic_set_reg(l->regs, off, val);
		lapic_timer_start(l);
		break;
	case LAPIC_TDCR:
		lapic_set_reg(l->regs, off, val & 0xb);
		break;
	}
}

/* TMCCT (11.5.4): counts down to 0 (one-shot) or wraps (periodic). */
u32 lapic_timer_current(struct hvk_vcpu_irqchip *l)
{
	u64 elapsed, left;

	if (!l->tmict_ns || lapic_timer_mode(l) == LAPIC_TIMER_TSCDEADLINE)
		return 0;
	elapsed = ktime_to_ns(ktime_sub(ktime_get(), l->start));
	if (l->period_ns) {
		div64_u64_rem(elapsed, l->period_ns, &left);
		elapsed = left;
	}
	if (elapsed >= l->tmict_ns)
		return 0;
	left = l->tmict_ns - elapsed;
	return div_u64(left, lapic_divide(lapic_reg(l->regs, LAPIC_TDCR)));
}

void lapic_set_tsc_deadline_cpuid(struct hvk_vcpu *vcpu, bool on)
{
	WRITE_ONCE(vcpu->irqchip->tscdl_cpuid, on);
}

bool lapic_tsc_deadline_mode(struct hvk_vcpu *vcpu)
{
	return lapic_timer_mode(vcpu->irqchip) == LAPIC_TIMER_TSCDEADLINE;
}

u64 lapic_get_tsc_deadline(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;

	return lapic_timer_mode(l) == LAPIC_TIMER_TSCDEADLINE ?
	       READ_ONCE(l->tsc_deadline) : 0;
}

/*
 * IA32_TSC_DEADLINE written (11.5.4.1): @ns_left is how long until the
 * guest's TSC reaches @deadline (<= 0: already passed, fires now). 0
 * disarms. Ignored outside TSC-deadline mode.
 */
void lapic_set_tsc_deadline(struct hvk_vcpu *vcpu, u64 deadline, s64 ns_left)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	if (lapic_timer_mode(l) != LAPIC_TIMER_TSCDEADLINE) {
		spin_unlock_irqrestore(&l->lock, flags);
		return;
	}
	hrtimer_try_to_cancel(&l->timer);
	l->tsc_deadline = deadline;
	if (deadline)
		hrtimer_start(&l->timer,
			      ktime_add_ns(ktime_get(), max_t(s64, ns_left, 0)),
			      HRTIMER_MODE_ABS_HARD);
	spin_unlock_irqrestore(&l->lock, flags);
}

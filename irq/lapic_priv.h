/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC's state, shared by irq/lapic*.c only.
 */
#ifndef HVK_IRQ_LAPIC_PRIV_H
#define HVK_IRQ_LAPIC_PRIV_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "lapic_regs.h"

struct hvk_vcpu;

/* vcpu->irqchip on x86. */
struct hvk_vcpu_irqchip {
	struct hvk_vcpu *vcpu;
	/* Everything below; taken from hrtimers and other vCPUs: irqsave. */
	spinlock_t lock;
	u32 regs[LAPIC_REGS_SIZE / 4];
	u64 base;			/* IA32_APIC_BASE */
	unsigned int nmis;		/* delivered, not yet taken */
	bool init;			/* INIT pending */
	bool sipi;			/* SIPI pending (sipi_vector) */
	u8 sipi_vector;

	/* The timer (lapic_timer.c) */
	struct hrtimer timer;
	u64 period_ns;			/* periodic: TMICT in ns */
	ktime_t start;			/* when TMICT began counting */
	u64 tmict_ns;			/* TMICT in ns (0: not counting) */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE (0: disarmed) */
	bool tscdl_cpuid;		/* the guest's CPUID offers the mode */
};

static inline bool lapic_x2apic(const struct hvk_vcpu_irqchip *l)
{
	return l->base & BIT(10);	/* IA32_APIC_BASE.EXTD */
}

static inline bool lapic_hw_enabled(const struct hvk_vcpu_irqchip *l)
{
	return l->base & BIT(11);	/* IA32_APIC_BASE.EN */
}

static inline bool lapic_sw_enabled(const struct hvk_vcpu_irqchip *l)
{
	return lapic_reg(l->regs, LAPIC_SVR) & LAPIC_SVR_ENABLE;
}

/* The APIC ID as destinations compare it: 8 bits xAPIC, 32 x2APIC. */
static inline u32 lapic_id(const struct hvk_vcpu_irqchip *l)
{
	u32 id = lapic_reg(l->regs, LAPIC_ID);

	return lapic_x2apic(l) ? id : id >> 24;
}

/* lapic.c, lock held */
void lapic_set_irr_locked(struct hvk_vcpu_irqchip *l, u8 vec, bool level);
/* lapic_timer.c */
void lapic_timer_init(struct hvk_vcpu_irqchip *l);
void lapic_timer_cancel(struct hvk_vcpu_irqchip *l);
void lapic_timer_write(struct hvk_vcpu_irqchip *l, unsigned int off,
		       u32 val);
u32 lapic_timer_current(struct hvk_vcpu_irqchip *l);
/* lapic_ipi.c, lock not held */
void lapic_send_icr(struct hvk_vcpu_irqchip *l, u32 low, u32 dest);
/* kick the vCPU to look at its LAPIC (lapic.c) */
void lapic_kick(struct hvk_vcpu_irqchip *l);

#endif /* HVK_IRQ_LAPIC_PRIV_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC register logic with no kernel state behind it: the register
 * page layout (SDM Vol. 3A 11.4.1 Table 11-1, the layout KVM_GET_LAPIC
 * also uses), the 256-bit IRR/ISR/TMR arrays, processor priority
 * (11.8.3.1), timer divide (11.5.4) and destination matching (11.6.2).
 * Pure functions on a register page, so selftests/unit/ tests them on
 * the host.
 */
#ifndef HVK_IRQ_LAPIC_REGS_H
#define HVK_IRQ_LAPIC_REGS_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#ifndef BIT
#define BIT(n)	(1UL << (n))
#endif
#endif

/* Register offsets in the 4 KiB xAPIC page (x2APIC MSR = 0x800 + off/16). */
#define LAPIC_ID		0x020
#define LAPIC_LVR		0x030
#define LAPIC_TPR		0x080
#define LAPIC_APR		0x090
#define LAPIC_PPR		0x0a0
#define LAPIC_EOI		0x0b0
#define LAPIC_RRD		0x0c0
#define LAPIC_LDR		0x0d0
#define LAPIC_DFR		0x0e0
#define LAPIC_SVR		0x0f0
#define LAPIC_ISR		0x100
#define LAPIC_TMR		0x180
#define LAPIC_IRR		0x200
#define LAPIC_ESR		0x280
#define LAPIC_LVT_CMCI		0x2f0
#define LAPIC_ICR		0x300
#define LAPIC_ICR2		0x310
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_LVT_THERMAL	0x330
#define LAPIC_LVT_PERF		0x340
#define LAPIC_LVT_LINT0		0x350
#define LAPIC_LVT_LINT1		0x360
#define LAPIC_LVT_ERROR		0x370
#define LAPIC_TMICT		0x380
#define LAPIC_TMCCT		0x390
#define LAPIC_TDCR		0x3e0
#define LAPIC_SELF_IPI		0x3f0	/* x2APIC only */
#define LAPIC_REGS_SIZE		0x400	/* struct kvm_lapic_state */

/* Version register: version 0x14, six LVT entries (max LVT index 5). */
#define LAPIC_VERSION		(0x14 | (5 << 16))

/* LVT and ICR fields (11.5.1, 11.6.1). */
#define LAPIC_VECTOR_MASK	0xff
#define LAPIC_DM_SHIFT		8
#define LAPIC_DM_MASK		(7 << LAPIC_DM_SHIFT)
#define LAPIC_DEST_LOGICAL	BIT(11)
#define LAPIC_SEND_PENDING	BIT(12)
#define LAPIC_POLARITY		BIT(13)
#define LAPIC_REMOTE_IRR	BIT(14)
#define LAPIC_LEVEL_ASSERT	BIT(14)		/* ICR */
#define LAPIC_TRIGGER_LEVEL	BIT(15)
#define LAPIC_LVT_MASKED	BIT(16)
#define LAPIC_SHORTHAND_SHIFT	18
#define LAPIC_TIMER_MODE_SHIFT	17
#define LAPIC_TIMER_MODE_MASK	(3 << LAPIC_TIMER_MODE_SHIFT)
#define LAPIC_TIMER_ONESHOT	0
#define LAPIC_TIMER_PERIODIC	1
#define LAPIC_TIMER_TSCDEADLINE	2
#define LAPIC_SVR_ENABLE	BIT(8)
#define LAPIC_SVR_NO_EOI_BCAST	BIT(12)

/* Register @off of a page of u32 words (registers are 16 bytes apart). */
static inline u32 lapic_reg(const u32 *regs, unsigned int off)
{
	return regs[off >> 2];
}

static inline void lapic_set_reg(u32 *regs, unsigned int off, u32 val)
{
	regs[off >> 2] = val;
}

/* The word and bit of @vec in a 256-bit array at @base (IRR, ISR, TMR). */
static inline u32 *lapic_vec_word(u32 *regs, unsigned int base, u8 vec)
{
	return &regs[(base + (vec >> 5) * 0x10) >> 2];
}

static inline bool lapic_test_vec(u32 *regs, unsigned int base, u8 vec)
{
	return *lapic_vec_word(regs, base, vec) & BIT(vec & 31);
}

static inline void lapic_set_vec(u32 *regs, unsigned int base, u8 vec)
{
	*lapic_vec_word(regs, base, vec) |= BIT(vec & 31);
}

static inline void lapic_clear_vec(u32 *regs, unsigned int base, u8 vec)
{
	*lapic_vec_word(regs, base, vec) &= ~BIT(vec & 31);
}

int lapic_highest_vec(const u32 *regs, unsigned int base);
u32 lapic_compute_ppr(u32 tpr, int isrv);
int lapic_deliverable_irq(const u32 *regs);
u32 lapic_divide(u32 tdcr);
u32 lapic_x2apic_ldr(u32 id);
bool lapic_match_logical(u32 ldr, u32 dfr, u32 mda, bool x2apic);
bool lapic_match_physical(u32 id, u32 dest, bool x2apic);

#endif /* HVK_IRQ_LAPIC_REGS_H */

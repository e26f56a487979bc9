// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC register logic (lapic_regs.h): pure, host-testable.
 */
#include "lapic_regs.h"

/* The highest vector set in the 256-bit array at @base, or -1. */
int lapic_highest_vec(const u32 *regs, unsigned int base)
{
	int i;
	u32 w;

	for (i = 7; i >= 0; i--) {
		w = regs[(base + i * 0x10) >> 2];
		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/*
 * PPR (11.8.3.1): the TPR if its class is at least the highest in-service
 * class, else that class with a zero sub-class.
 */
u32 lapic_compute_ppr(u32 tpr, int isrv)
{
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	tpr &= 0xff;
	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

/*
 * The vector the APIC would dispatch now (11.8.4): the highest IRR
 * vector whose class is above the PPR's class, or -1.
 */
int lapic_deliverable_irq(const u32 *regs)
{
	int irr = lapic_highest_vec(regs, LAPIC_IRR);
	u32 ppr;

	if (irr < 0)
		return -1;
	ppr = lapic_compute_ppr(lapic_reg(regs, LAPIC_TPR),
			       lapic_highest_vec(regs, LAPIC_ISR));
	if (((u32)irr & 0xf0) <= (ppr & 0xf0))
		return -1;
	return irr;
}

/* Divide Configuration Register bits 0, 1, 3 (11.5.4): 2^(n+1), 0b111 = 1. */
u32 lapic_divide(u32 tdcr)
{
	u32 n = (tdcr & 3) | ((tdcr & 8) >> 1);

	return 1U << ((n + 1) & 7);
}

/* x2APIC logical ID (11.12.10.2): cluster ID[19:4], bit ID[3:0] in it. */
u32 lapic_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1U << (id & 0xf));
}

/*
 * Logical destination (11.6.2.2, 11.12.10.2). xAPIC: the flat model
 * (DFR[31:28] = 1111) matches any common bit of LDR[31:24] and the 8-bit
 * MDA; the cluster model (0000) the cluster in bits 7:4 and any common
 * bit of 3:0; 0xff is a broadcast in both. x2APIC: the cluster (16 high
 * bits) and any common bit of the 16 low ones; 0xffffffff is broadcast.
 */
bool lapic_match_logical(u32 ldr, u32 dfr, u32 mda, bool x2apic)
{
	u32 id;

	if (x2apic) {
		if (mda == 0xffffffff)
			return true;
		return (ldr >> 16) == (mda >> 16) && (ldr & mda & 0xffff);
	}
	mda &= 0xff;
	if (mda == 0xff)
		return true;
	id = ldr >> 24;
	if ((dfr >> 28) == 0xf)
		return id & mda;
	return (id >> 4) == (mda >> 4) && (id & mda & 0xf);
}

/* Physical destination: the APIC ID, or the broadcast ID (11.6.2.1). */
bool lapic_match_physical(u32 id, u32 dest, bool x2apic)
{
	if (x2apic)
		return dest == 0xffffffff || dest == id;
	dest &= 0xff;
	return dest == 0xff || dest == (id & 0xff);
}

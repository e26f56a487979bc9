// SPDX-License-Identifier: GPL-2.0
/*
 * TODO(merge): DELETE THIS FILE when core/irq.c, irq/pic.c and
 * irq/ioapic.c (other branches) are merged; Kbuild builds it only while
 * irq/pic.c is absent.
 *
 * Until then it stands in for the functions of theirs that the x86 glue
 * (vmx/irqchip.c, irq/lapic*.c) calls, so that this branch links:
 * nothing here is reached in a working path (no PIC or IOAPIC is ever
 * created here, chip->pic and chip->ioapic stay NULL and are checked),
 * and the two routing calls answer "no routes" truthfully.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>

#include "hvk.h"
#include "irq.h"
#include "x86.h"

int hvk_irq_set(struct hvk_vm *vm, int src, u32 gsi, int level,
		bool line_status)
{
	return -1;	/* no routing table without core/irq.c: no route */
}

int hvk_irq_routing_set(struct hvk_vm *vm,
			const struct kvm_irq_routing_entry *ue, unsigned int nr)
{
	return 0;	/* nothing to route to yet */
}

int pic_set_irq(struct hvk_pic *pic, unsigned int irq, int src, int level)
{
	WARN_ON_ONCE(1);
	return -1;
}

bool pic_intr(struct hvk_pic *pic)
{
	WARN_ON_ONCE(1);
	return false;
}

int pic_intack(struct hvk_pic *pic)
{
	WARN_ON_ONCE(1);
	return -1;
}

int ioapic_set_irq(struct hvk_ioapic *ioapic, unsigned int pin, int src,
		   int level, bool line_status)
{
	WARN_ON_ONCE(1);
	return -1;
}

void ioapic_eoi(struct hvk_vm *vm, u8 vector)
{
	WARN_ON_ONCE(1);
}

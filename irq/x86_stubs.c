// SPDX-License-Identifier: GPL-2.0
/*
 * Placeholders, so that hvk.ko links while irq/pic.c, irq/ioapic.c and
 * irq/pit.c are in the tree before what they call: irq/lapic.c
 * (lapic_deliver(), lapic_pic_intr_changed()) and core/irq.c
 * (hvk_irq_set(), hvk_irq_ack()). Each is weak, so the real one wins at
 * link time as soon as it exists; delete this file once both have
 * landed. Nothing calls the chips' create functions before then, so
 * none of these runs.
 */
#include <linux/compiler.h>
#include <linux/types.h>

#include "irq.h"
#include "irq/x86.h"

int __weak lapic_deliver(struct hvk_vm *vm, struct hvk_vcpu *src,
			 const struct hvk_apic_irq *irq)
{
	return -1;
}

void __weak lapic_pic_intr_changed(struct hvk_vm *vm)
{
}

int __weak hvk_irq_set(struct hvk_vm *vm, int src, u32 gsi, int level,
		       bool line_status)
{
	return -1;
}

void __weak hvk_irq_ack(struct hvk_vm *vm, u32 irqchip, u32 pin)
{
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt messages to local APICs (SDM Vol. 3A 11.6 "Issuing
 * Interrupt-Processor Interrupts", 11.11 "Message Signalled Interrupts"):
 * IPIs from the ICR, IOAPIC redirection entries and MSIs all become a
 * struct hvk_apic_irq (irq/x86.h) that lapic_deliver() takes to every
 * LAPIC it names, physical or logical, with shorthands; and the PIC's
 * INTR line through LINT0 in ExtINT mode.
 *
 * Lowest priority goes to one LAPIC among those named: the one with the
 * lowest TPR (first by vCPU index on a tie), which is what the
 * arbitration of 11.6.2.4 settles on for the usual all-zero TPRs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "hvk.h"
#include "lapic.h"
#include "lapic_priv.h"
#include "x86.h"

/* Does @l take a message for @irq->dest, sent by @src (11.6.2, 11.6.1)? */
static bool lapic_named(struct hvk_vcpu_irqchip *l,
			const struct hvk_vcpu *src,
			const struct hvk_apic_irq *irq)
{
	bool self = src && src == l->vcpu;

	switch (irq->shorthand) {
	case 1:
		return self;
	case 2:
		return true;
	case 3:
		return !self;
	}
	if (irq->dest_logical)
		return lapic_match_logical(lapic_reg(l->regs, LAPIC_LDR),
					   lapic_reg(l->regs, LAPIC_DFR),
					   irq->dest, lapic_x2apic(l));
	return lapic_match_physical(lapic_id(l), irq->dest, lapic_x2apic(l));
}

/* One LAPIC takes the message. Return: whether it did. */
static bool lapic_accept(struct hvk_vcpu_irqchip *l,
			 const struct hvk_apic_irq *irq)
{
	unsigned long flags;
	bool took = true;

	spin_lock_irqsave(&l->lock, flags);
	switch (irq->delivery_mode) {
	case HVK_APIC_DM_FIXED:
	case HVK_APIC_DM_LOWEST:
		took = lapic_hw_enabled(l) && lapic_sw_enabled(l);
		lapic_set_irr_locked(l, irq->vector, irq->trigger_level);
		break;
	case HVK_APIC_DM_NMI:
		l->nmis++;
		break;
	case HVK_APIC_DM_INIT:
		/* A legacy INIT's level de-assert does nothing (11.6.1). */
		if (irq->trigger_level && !irq->level)
			took = false;
		else
			l->init = true;
		break;
	case HVK_APIC_DM_SIPI:
		l->sipi_vector = irq->vector;
		l->sipi = true;
		break;
	default:
		/* SMI (no SMM) and ExtINT messages are not taken. */
		took = false;
		break;
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (took)
		lapic_kick(l);
	return took;
}

int lapic_deliver(struct hvk_vm *vm, struct hvk_vcpu *src,
		  const struct hvk_apic_irq *irq)
{
	struct hvk_vcpu_irqchip *l, *lowest = NULL;
	struct hvk_vcpu *vcpu;
	unsigned int i;
	int n = 0;

	hvk_vm_for_each_vcpu(i, vcpu, vm) {
		l = READ_ONCE(vcpu->irqchip);
		if (!l || !lapic_hw_enabled(l) || !lapic_named(l, src, irq))
			continue;
		if (irq->delivery_mode == HVK_APIC_DM_LOWEST) {
			if (!lapic_sw_enabled(l))
				continue;
			if (!lowest || lapic_reg(l->regs, LAPIC_TPR) <
				       lapic_reg(lowest->regs, LAPIC_TPR))
				lowest = l;
			continue;
		}
		if (lapic_accept(l, irq))
			n++;
	}
	if (lowest && lapic_accept(lowest, irq))
		n++;
	return n ? n : -1;
}

/*
 * MSI address and data (11.11.1, 11.11.2): destination ID in address
 * bits 19:12, destination mode bit 2; vector, delivery mode and trigger
 * in the data. With 32-bit x2APIC IDs an MSI names only IDs < 256.
 */
void lapic_msi_to_irq(u64 addr, u32 data, struct hvk_apic_irq *irq)
{
	*irq = (struct hvk_apic_irq) {
		.dest = (addr >> 12) & 0xff,
		.dest_logical = addr & BIT(2),
		.vector = data & 0xff,
		.delivery_mode = (data >> 8) & 7,
		.level = true,
		.trigger_level = data & BIT(15),
	};
}

/* An ICR write (11.6.1): the IPI it describes, from this LAPIC. */
void lapic_send_icr(struct hvk_vcpu_irqchip *l, u32 low, u32 dest)
{
	struct hvk_apic_irq irq = {
		.dest = dest,
		.vector = low & LAPIC_VECTOR_MASK,
		.delivery_mode = (low & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT,
		.shorthand = (low >> LAPIC_SHORTHAND_SHIFT) & 3,
		.dest_logical = low & LAPIC_DEST_LOGICAL,
		.level = low & LAPIC_LEVEL_ASSERT,
		.trigger_level = low & LAPIC_TRIGGER_LEVEL,
	};

	/* x2APIC has no INIT level de-assert: every INIT asserts. */
	if (lapic_x2apic(l))
		irq.level = true;
	/* Fixed and lowest-priority IPIs are edge-triggered (11.6.1). */
	if (irq.delivery_mode == HVK_APIC_DM_FIXED ||
	    irq.delivery_mode == HVK_APIC_DM_LOWEST)
		irq.trigger_level = false;
	lapic_deliver(l->vcpu->vm, l->vcpu, &irq);
}

/*
 * The PIC's INTR reaches a CPU through LINT0 in ExtINT mode, or
 * directly when the LAPIC is hardware-disabled (11.4.3).
 */
static bool lapic_takes_extint(struct hvk_vcpu_irqchip *l)
{
	u32 lint0 = lapic_reg(l->regs, LAPIC_LVT_LINT0);

	if (!lapic_hw_enabled(l))
		return true;
	return !(lint0 & LAPIC_LVT_MASKED) &&
	       ((lint0 & LAPIC_DM_MASK) >> LAPIC_DM_SHIFT) ==
	       HVK_APIC_DM_EXTINT;
}

static struct hvk_pic *lapic_pic(struct hvk_vcpu *vcpu)
{
	struct hvk_irqchip *chip = vcpu->vm->irqchip;

	return chip ? READ_ONCE(chip->pic) : NULL;
}

/* 0 if the PIC has an interrupt for this vCPU now (vector unknown), or -1. */
int lapic_extint_pending(struct hvk_vcpu *vcpu)
{
	struct hvk_pic *pic = lapic_pic(vcpu);

	if (!pic || !lapic_takes_extint(vcpu->irqchip))
		return -1;
	return pic_intr(pic) ? 0 : -1;
}

/* The INTA cycle to the PIC: its vector, or -1. */
int lapic_extint_ack(struct hvk_vcpu *vcpu)
{
	struct hvk_pic *pic = lapic_pic(vcpu);

	if (!pic || !lapic_takes_extint(vcpu->irqchip) || !pic_intr(pic))
		return -1;
	return pic_intack(pic);
}

void lapic_pic_intr_changed(struct hvk_vm *vm)
{
	struct hvk_vcpu *vcpu;
	unsigned int i;

	hvk_vm_for_each_vcpu(i, vcpu, vm) {
		struct hvk_vcpu_irqchip *l = READ_ONCE(vcpu->irqchip);

		if (l && lapic_takes_extint(l))
			lapic_kick(l);
	}
}

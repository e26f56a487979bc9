/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the x86 in-kernel interrupt controllers reach each other.
 *
 *   PIT ch0 --IRQ0-->  PIC pair (8259A x2) --INTR--> BSP's LAPIC LINT0
 *        \                                         (ExtINT, INTA: pic_*)
 *         `--pin 2-->  IOAPIC (24 pins) --message--> LAPICs (lapic_deliver)
 *   MSI routes, KVM_SIGNAL_MSI ----------message--> LAPICs
 *   LAPIC EOI of a level-triggered vector -------> IOAPIC (ioapic_eoi)
 *
 * irq/lapic.c owns the local APICs (one per vCPU, vcpu->irqchip) and
 * message delivery; irq/pic.c, irq/ioapic.c and irq/pit.c own the other
 * three (vm->irqchip, struct hvk_irqchip below). vmx/ glues them to VMX
 * (injection, HLT, KVM_CREATE_IRQCHIP and the other ioctls) and creates
 * and frees them. All functions here may be called from any context
 * (interrupts off included) unless they say otherwise: their state is
 * under spinlocks.
 */
#ifndef HVK_IRQ_X86_H
#define HVK_IRQ_X86_H

#include <linux/types.h>

struct hvk_vm;
struct hvk_vcpu;
struct hvk_pic;
struct hvk_ioapic;
struct hvk_pit;

/* vm->irqchip on x86: made by KVM_CREATE_IRQCHIP (the PIT by _PIT2). */
struct hvk_irqchip {
	struct hvk_pic *pic;
	struct hvk_ioapic *ioapic;
	struct hvk_pit *pit;		/* NULL until KVM_CREATE_PIT2 */
};

/* Delivery modes of an interrupt message (SDM Vol. 3, 11.6.1 ICR). */
enum hvk_apic_dm {
	HVK_APIC_DM_FIXED = 0,
	HVK_APIC_DM_LOWEST = 1,
	HVK_APIC_DM_SMI = 2,
	HVK_APIC_DM_NMI = 4,
	HVK_APIC_DM_INIT = 5,
	HVK_APIC_DM_SIPI = 6,
	HVK_APIC_DM_EXTINT = 7,
};

/*
 * One interrupt message to local APICs: from the IOAPIC's redirection
 * table, an MSI (address/data, SDM 11.11), or an IPI (the ICR).
 */
struct hvk_apic_irq {
	u32 dest;		/* APIC ID, or logical destination */
	u8 vector;
	u8 delivery_mode;	/* enum hvk_apic_dm */
	u8 shorthand;		/* 0 none, 1 self, 2 all, 3 all but self */
	bool dest_logical;
	bool level;		/* assert (INIT de-assert has level 0) */
	bool trigger_level;	/* level-triggered: sets TMR, EOI to IOAPIC */
};

/* irq/lapic.c */

/*
 * Deliver a message to the LAPICs it names and kick their vCPUs.
 * @src: the sending vCPU for IPIs (shorthands), NULL otherwise.
 * Return: the number of LAPICs that took it, or -1 if none did.
 */
int lapic_deliver(struct hvk_vm *vm, struct hvk_vcpu *src,
		  const struct hvk_apic_irq *irq);

/* An MSI's address and data as a message (SDM 11.11.1, 11.11.2). */
void lapic_msi_to_irq(u64 addr, u32 data, struct hvk_apic_irq *irq);

/*
 * The PIC's INTR output may have changed: the vCPU whose LINT0 takes
 * ExtINT (the BSP, as Linux and firmware program it) looks again.
 */
void lapic_pic_intr_changed(struct hvk_vm *vm);

/* irq/pic.c */

/* Drive IRQ 0-15 (master 0-7, slave 8-15) from @src. Return: as hvk_irq_set(). */
int pic_set_irq(struct hvk_pic *pic, unsigned int irq, int src, int level);
/* Is INTR asserted (an unmasked request above the in-service priority)? */
bool pic_intr(struct hvk_pic *pic);
/* The INTA cycle: the vector to deliver now; updates IRR/ISR. */
int pic_intack(struct hvk_pic *pic);

/* irq/ioapic.c */

/* Drive pin 0-23 from @src. Return: as hvk_irq_set(). */
int ioapic_set_irq(struct hvk_ioapic *ioapic, unsigned int pin, int src,
		   int level, bool line_status);
/*
 * A LAPIC ended a level-triggered @vector (TMR set): clear remote IRR on
 * the pins that sent it, tell core (hvk_irq_ack(), for resamplefds), and
 * deliver again if a pin's line is still high.
 */
void ioapic_eoi(struct hvk_vm *vm, u8 vector);

#endif /* HVK_IRQ_X86_H */

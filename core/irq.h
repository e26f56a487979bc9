/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt routing shared by both backends: the GSI routing table
 * (KVM_SET_GSI_ROUTING), irqfds (KVM_IRQFD, with resamplefds) and
 * KVM_SIGNAL_MSI. core/irq.c owns all three; the in-kernel interrupt
 * controllers (irq/, reached through the hvk_arch_irq_* hooks in
 * core/arch.h) own the lines and the delivery.
 *
 * A GSI names one or more routes. A route is either a pin of an
 * in-kernel irqchip (x86: the PIC pair and the IOAPIC; arm64: a vGIC
 * SPI) or an MSI (address and data, delivered to local APICs on x86).
 * Raising a GSI raises every route it names.
 *
 * Several sources may drive one level-triggered pin (the VMM through
 * KVM_IRQ_LINE, irqfds with a resamplefd, the PIT): the irqchip keeps one
 * level per source and ORs them, as KVM's irq_source_id does, so one
 * source lowering a line does not lower another's.
 *
 * Context: hvk_irq_set() and hvk_irq_ack() may be called from any
 * context, interrupts off included (an irqfd is signalled from an eventfd
 * wake-up, a timer from an hrtimer, an EOI from the vCPU run loop). The
 * routing table is read under RCU; everything on the delivery path must
 * not sleep.
 */
#ifndef HVK_CORE_IRQ_H
#define HVK_CORE_IRQ_H

#include <linux/kvm.h>
#include <linux/types.h>

struct hvk_vm;

/* Who drives a line: each has its own level on every pin. */
enum hvk_irq_source {
	HVK_IRQ_SRC_USER = 0,		/* KVM_IRQ_LINE, irqfds without resample */
	HVK_IRQ_SRC_RESAMPLE,		/* irqfds with a resamplefd */
	HVK_IRQ_SRC_PIT,		/* x86: the in-kernel i8254 */
	HVK_IRQ_NR_SOURCES
};

/* The largest routing table KVM accepts (KVM_MAX_IRQ_ROUTES). */
#define HVK_MAX_IRQ_ROUTES	4096

/**
 * struct hvk_irq_route - one entry of the routing table, validated
 * @gsi: the GSI it belongs to
 * @type: KVM_IRQ_ROUTING_IRQCHIP or KVM_IRQ_ROUTING_MSI
 * @chip: for IRQCHIP: which irqchip (KVM_IRQCHIP_PIC_MASTER, ... on x86;
 *        0 on arm64) and which pin of it
 * @msi: for MSI: address, data and (KVM_MSI_VALID_DEVID in flags) devid
 */
struct hvk_irq_route {
	u32 gsi;
	u32 type;
	union {
		struct {
			u32 irqchip;
			u32 pin;
		} chip;
		struct {
			u64 addr;
			u32 data;
			u32 flags;
			u32 devid;
		} msi;
	};
};

/**
 * hvk_irq_set() - drive a GSI from a source
 * @vm: the VM
 * @src: enum hvk_irq_source
 * @gsi: the GSI
 * @level: 1 to raise, 0 to lower (an MSI route ignores a 0)
 * @line_status: the caller wants KVM_IRQ_LINE_STATUS's answer
 *
 * Any context. Raises or lowers every route of @gsi through
 * hvk_arch_irq_deliver().
 *
 * Return: as KVM_IRQ_LINE_STATUS reports it: < 0 if no route took it
 * (-1: no route, or coalesced into an interrupt already pending), 0 if
 * masked, > 0 the number of CPUs it was delivered to.
 */
int hvk_irq_set(struct hvk_vm *vm, int src, u32 gsi, int level,
		bool line_status);

/**
 * hvk_irq_routing_set() - replace the VM's routing table
 * @vm: the VM
 * @ue: entries in KVM_SET_GSI_ROUTING's format
 * @nr: how many
 *
 * KVM_SET_GSI_ROUTING calls it, and so does an irqchip's creation to
 * install its default table (x86: GSIs 0-15 to the PICs and the IOAPIC,
 * 16-23 to the IOAPIC; arm64: GSI n to SPI n). Each entry is validated by
 * hvk_arch_irq_route_check(). Process context.
 *
 * Return: 0, or -EINVAL for a bad entry (the old table stays).
 */
int hvk_irq_routing_set(struct hvk_vm *vm,
			const struct kvm_irq_routing_entry *ue, unsigned int nr);

/**
 * hvk_irq_ack() - an irqchip saw the guest end a level interrupt
 * @vm: the VM
 * @irqchip: the irqchip (as in struct hvk_irq_route)
 * @pin: its pin
 *
 * Any context. Called on the EOI of a level-triggered interrupt (x86:
 * the IOAPIC's remote IRR cleared or the PIC's ISR bit; arm64: a level
 * SPI deactivated). irqfds with a resamplefd on a GSI routed to that
 * pin lower their source's level and signal their resamplefd, so the
 * VMM can re-check its device and raise the line again if still needed.
 */
void hvk_irq_ack(struct hvk_vm *vm, u32 irqchip, u32 pin);

/* core/irq.c, called by core/vm.c */
int hvk_irq_vm_init(struct hvk_vm *vm);
void hvk_irq_vm_destroy(struct hvk_vm *vm);	/* irqfds first, then routes */
long hvk_irq_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
		      void __user *argp);		/* IRQFD, GSI_ROUTING, MSI */

#endif /* HVK_CORE_IRQ_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt routing shared by both backends: the GSI routing table
 * (KVM_SET_GSI_ROUTING), irqfds (KVM_IRQFD, with resamplefds) and
 * KVM_SIGNAL_MSI. core/ owns all three (irq.c, irqroute.c, irqfd.c;
 * irq/README.md has the whole contract); the in-kernel interrupt
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
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "irqroute.h"

struct hvk_vm;

/* Who drives a line: each has its own level on every pin. */
enum hvk_irq_source {
	HVK_IRQ_SRC_USER = 0,		/* KVM_IRQ_LINE, irqfds without resample */
	HVK_IRQ_SRC_RESAMPLE,		/* irqfds with a resamplefd */
	HVK_IRQ_SRC_PIT,		/* x86: the in-kernel i8254 */
	HVK_IRQ_NR_SOURCES
};

/*
 * struct hvk_irq_route and HVK_MAX_IRQ_ROUTES (the largest routing table
 * KVM accepts, KVM_MAX_IRQ_ROUTES) are in irqroute.h, with the table.
 */

/**
 * struct hvk_vm_irq - core/irq.c's part of a VM
 * @lock: serialises routing updates and irqfd assignment/deassignment
 * @irqfds_lock: @irqfds; taken from eventfd wake-ups (interrupts off)
 * @irqfds: the active irqfds
 * @resamplers: one per GSI with resample irqfds; RCU for hvk_irq_ack()
 */
struct hvk_vm_irq {
	struct mutex lock;
	spinlock_t irqfds_lock;
	struct list_head irqfds;
	struct list_head resamplers;
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
 * Return: as KVM_IRQ_LINE_STATUS reports it (KVM's kvm_set_irq()): < 0
 * if no route took it (no route, or every one masked), 0 if coalesced
 * into an interrupt already pending, > 0 the number of CPUs it was
 * delivered to (routes that took it add up).
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
 * On return no hvk_irq_set() still uses the old table (as KVM's
 * synchronize_srcu_expedited()): a VMM that moved an MSI knows the old
 * route is dead.
 *
 * Return: 0, -EINVAL for a bad entry or more than HVK_MAX_IRQ_ROUTES
 * entries (the old table stays), -ENOMEM.
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
 * The pin names the GSI of the last routing entry that named the pin (as
 * KVM's map does).
 *
 * Lowering the line goes through hvk_arch_irq_deliver(): the irqchip must
 * not hold its own lock when it calls this.
 */
void hvk_irq_ack(struct hvk_vm *vm, u32 irqchip, u32 pin);

/**
 * hvk_irq_check_extension() - the routing capabilities' values
 * @ext: KVM_CAP_IRQFD, KVM_CAP_IRQFD_RESAMPLE, KVM_CAP_SIGNAL_MSI or
 *       KVM_CAP_IRQ_ROUTING
 *
 * core/ does not answer these itself: KVM_CHECK_EXTENSION reaches
 * hvk_arch_check_extension() for them, which reports 0 while the arch
 * has no working irqchip. The arch that gets one adds, in that one place,
 *	case KVM_CAP_IRQFD:
 *	case KVM_CAP_IRQFD_RESAMPLE:
 *	case KVM_CAP_SIGNAL_MSI:
 *	case KVM_CAP_IRQ_ROUTING:
 *		return hvk_irq_check_extension(ext);
 * so the values (KVM's: 1, and HVK_MAX_IRQ_ROUTES for IRQ_ROUTING) stay
 * core's.
 *
 * Return: the value, 0 for any other @ext.
 */
long hvk_irq_check_extension(long ext);

/* core/irq.c, called by core/dev.c: the irqfd cleanup workqueue */
int hvk_irq_init(void);
void hvk_irq_exit(void);

/* core/irq.c, called by core/vm.c */
int hvk_irq_vm_init(struct hvk_vm *vm);
/*
 * First thing on VM destruction, before vCPUs and the arch's irqchip go:
 * every irqfd is gone (no more injection) when it returns, and the table
 * is unpublished and freed (a GSI raised later finds no route).
 */
void hvk_irq_vm_destroy(struct hvk_vm *vm);
long hvk_irq_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
		      void __user *argp);		/* IRQFD, GSI_ROUTING, MSI */

#endif /* HVK_CORE_IRQ_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOAPIC (Intel 82093AA, datasheet order 290566) as a pure state
 * machine: no locking, no allocation. Its one call out is
 * lapic_deliver() (irq/x86.h) for a message; irq/ioapic.c puts it behind
 * a lock and the MMIO bus, selftests/unit/i82093_test.c builds it on the
 * host with lapic_deliver() recorded.
 *
 * Like KVM's, it is version 0x11 with 24 pins and no EOI register
 * (that came with version 0x20): a level interrupt ends with the LAPIC's
 * EOI broadcast (ioapic_eoi()), or with the guest turning the entry to
 * edge and back, which clears remote IRR (Linux does that when it has
 * to). Pin polarity is recorded but not applied: a source's level 1
 * means "asserted", as in KVM.
 */
#ifndef HVK_IRQ_I82093_H
#define HVK_IRQ_I82093_H

#ifdef __KERNEL__
#include <linux/kvm.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#endif

struct hvk_vm;

#define IOAPIC_NR_PINS		24
#define IOAPIC_VERSION		0x11
#define IOAPIC_BASE		0xfec00000ULL
#define IOAPIC_MMIO_LEN		0x100

/* Direct registers (offsets from the base) and indirect ones (IOREGSEL). */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10	/* 2 per pin: low, high */

/* Redirection table entry bits (82093AA, 3.2.4). */
#define IOAPIC_RTE_VECTOR	0xffULL
#define IOAPIC_RTE_DM_SHIFT	8
#define IOAPIC_RTE_DEST_LOGICAL	(1ULL << 11)
#define IOAPIC_RTE_DELIVS	(1ULL << 12)	/* read-only */
#define IOAPIC_RTE_POLARITY_LOW	(1ULL << 13)
#define IOAPIC_RTE_REMOTE_IRR	(1ULL << 14)	/* read-only */
#define IOAPIC_RTE_LEVEL	(1ULL << 15)
#define IOAPIC_RTE_MASKED	(1ULL << 16)
#define IOAPIC_RTE_DEST_SHIFT	56

struct i82093 {
	struct hvk_vm *vm;		/* for lapic_deliver() */
	u64 base;			/* as KVM_SET_IRQCHIP left it */
	u32 ioregsel;
	u32 id;
	u32 irr;			/* asserted pins */
	u32 irr_delivered;		/* edge pins delivered since they rose */
	u64 rte[IOAPIC_NR_PINS];
	u8 levels[IOAPIC_NR_PINS];	/* one bit per enum hvk_irq_source */
};

void i82093_init(struct i82093 *a, struct hvk_vm *vm);
int i82093_set_irq(struct i82093 *a, unsigned int pin, unsigned int src,
		   int level);
u32 i82093_eoi_pins(struct i82093 *a, u8 vector);
void i82093_eoi_finish(struct i82093 *a, u32 pins);
u32 i82093_read(struct i82093 *a, u64 offset);
void i82093_write(struct i82093 *a, u64 offset, u32 val);
void i82093_get_state(const struct i82093 *a, struct kvm_ioapic_state *s);
void i82093_set_state(struct i82093 *a, const struct kvm_ioapic_state *s);

#endif /* HVK_IRQ_I82093_H */

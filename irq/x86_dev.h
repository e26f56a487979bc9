/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vmx/ needs to make, unmake, save and restore the PIC pair, the
 * IOAPIC and the PIT (irq/pic.c, irq/ioapic.c, irq/pit.c), and to hand
 * them their guest accesses. The signalling between the chips and the
 * local APICs is in irq/x86.h.
 *
 * Lifetimes: the create functions are called with vm->lock held (they
 * put their registers on the in-kernel I/O bus, core/iobus.h), return
 * the device or an ERR_PTR, and the destroy functions too (they take the
 * registers off the bus, which waits for every vCPU still dispatching to
 * them, then free). Destroy the PIT first: its timer raises IRQ 0
 * through hvk_irq_set(), which reaches the PIC and the IOAPIC.
 *
 * Locks: each chip has one irq-safe spinlock. Lock order: IOAPIC, then
 * whatever lapic_deliver() takes. pic_*() and ioapic_*() call
 * hvk_irq_ack(), lapic_pic_intr_changed() and lapic_deliver() (the
 * IOAPIC) as stated below, so their callers must not hold a LAPIC lock:
 * call pic_intack() and ioapic_eoi() with none held.
 */
#ifndef HVK_IRQ_X86_DEV_H
#define HVK_IRQ_X86_DEV_H

#include <linux/kvm.h>
#include <linux/types.h>

#include "x86.h"

struct hvk_vm;
struct hvk_vcpu;

/*
 * The first member of each device this file's chips put on the bus:
 * x86_irqchip_io() tells them apart by it (switch, no indirect call).
 */
enum x86_iodev_kind {
	X86_IODEV_PIC = 1,
	X86_IODEV_IOAPIC,
	X86_IODEV_PIT,
};

struct x86_iodev {
	enum x86_iodev_kind kind;
};

/*
 * hvk_arch_io_read/write() of an HVK_IO_ARCH device of these chips.
 * Return: 0 if taken, -EOPNOTSUPP if not (not an address of @dev).
 */
int x86_irqchip_io(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		   void *val, bool write);

/*
 * Take every range of @dev off @bus (vm->lock held). Return: false if
 * that could not be done (no memory for the new table): the caller must
 * then not free @dev, a vCPU may still reach it.
 */
bool x86_iodev_unregister(struct hvk_vm *vm, int bus, void *dev);

/* irq/pic.c: ports 0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1 */
struct hvk_pic *pic_create(struct hvk_vm *vm);
void pic_destroy(struct hvk_pic *pic);
/* KVM_GET/SET_IRQCHIP, chip KVM_IRQCHIP_PIC_MASTER or _SLAVE; -EINVAL else. */
int pic_get_state(struct hvk_pic *pic, u32 chip, struct kvm_pic_state *s);
int pic_set_state(struct hvk_pic *pic, u32 chip,
		  const struct kvm_pic_state *s);
int pic_io(struct hvk_pic *pic, u16 port, u32 len, void *val, bool write);

/* irq/ioapic.c: MMIO 0xfec00000-0xfec000ff */
struct hvk_ioapic *ioapic_create(struct hvk_vm *vm);
void ioapic_destroy(struct hvk_ioapic *ioapic);
void ioapic_get_state(struct hvk_ioapic *ioapic, struct kvm_ioapic_state *s);
void ioapic_set_state(struct hvk_ioapic *ioapic,
		      const struct kvm_ioapic_state *s);
int ioapic_mmio(struct hvk_ioapic *ioapic, u64 addr, u32 len, void *val,
		bool write);

/*
 * irq/pit.c: ports 0x40-0x43, and 0x61 with KVM_PIT_SPEAKER_DUMMY.
 * pit_create() takes KVM_CREATE_PIT2's flags (unknown bits are ignored,
 * as KVM ignores them).
 */
struct hvk_pit *pit_create(struct hvk_vm *vm, u32 flags);
void pit_destroy(struct hvk_pit *pit);
void pit_get_state(struct hvk_pit *pit, struct kvm_pit_state2 *s);
void pit_set_state(struct hvk_pit *pit, const struct kvm_pit_state2 *s);
int pit_io(struct hvk_pit *pit, u16 port, u32 len, void *val, bool write);

#endif /* HVK_IRQ_X86_DEV_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel IOAPIC: irq/i82093.c's state machine behind a lock, on
 * the MMIO bus at 0xfec00000, sending its messages with lapic_deliver().
 *
 * lapic_deliver() runs under the IOAPIC's lock, as KVM delivers, so that
 * remote IRR and the message agree (an EOI cannot overtake the delivery
 * that set remote IRR). hvk_irq_ack() runs without it: a resamplefd may
 * lower and raise the line again (ioapic_set_irq()) from inside it.
 *
 * Not done (KVM has them): the RTC pin's coalescing report to
 * KVM_IRQ_LINE_STATUS (it needs which vCPUs still owe the RTC vector an
 * EOI); the delay KVM puts on the 10000th back-to-back re-delivery of a
 * level interrupt that a guest EOIs without quieting its device (each
 * re-delivery is a guest entry, so such a guest slows only itself).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": ioapic: " fmt

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "hvk.h"
#include "iobus.h"
#include "irq.h"
#include "irq/i82093.h"
#include "irq/x86_dev.h"

struct hvk_ioapic {
	struct x86_iodev dev;		/* first: x86_irqchip_io() */
	spinlock_t lock;		/* irq-safe: irqfds, the PIT's timer */
	struct hvk_vm *vm;
	struct i82093 s;
};

/**
 * ioapic_set_irq() - drive a pin from a source
 * @ioapic: the IOAPIC
 * @pin: 0-23
 * @src: enum hvk_irq_source
 * @level: the source's level
 * @line_status: KVM_IRQ_LINE_STATUS asks (only the RTC pin would differ)
 *
 * Return: see i82093_set_irq().
 */
int ioapic_set_irq(struct hvk_ioapic *ioapic, unsigned int pin, int src,
		   int level, bool line_status)
{
	unsigned long flags;
	int ret;

	if (pin >= IOAPIC_NR_PINS || src < 0 || src >= HVK_IRQ_NR_SOURCES)
		return -1;
	spin_lock_irqsave(&ioapic->lock, flags);
	ret = i82093_set_irq(&ioapic->s, pin, src, level);
	spin_unlock_irqrestore(&ioapic->lock, flags);
	return ret;
}

void ioapic_eoi(struct hvk_vm *vm, u8 vector)
{
	struct hvk_irqchip *chip = READ_ONCE(vm->irqchip);
	struct hvk_ioapic *ioapic = chip ? chip->ioapic : NULL;
	unsigned long flags, pins;
	unsigned int pin;

	if (!ioapic)
		return;
	spin_lock_irqsave(&ioapic->lock, flags);
	pins = i82093_eoi_pins(&ioapic->s, vector);
	spin_unlock_irqrestore(&ioapic->lock, flags);
	if (!pins)
		return;

	for_each_set_bit(pin, &pins, IOAPIC_NR_PINS)
		hvk_irq_ack(vm, KVM_IRQCHIP_IOAPIC, pin);

	spin_lock_irqsave(&ioapic->lock, flags);
	i82093_eoi_finish(&ioapic->s, pins);
	spin_unlock_irqrestore(&ioapic->lock, flags);
}

/**
 * ioapic_mmio() - a guest access to the IOAPIC's page
 * @ioapic: the IOAPIC
 * @addr: the gpa
 * @len: 1, 2, 4 or 8 bytes; a write takes the low 32 bits, a read gives
 *       the 32-bit register zero-extended, as KVM does
 * @val: the data, little-endian
 * @write: direction
 *
 * Return: 0, or -EOPNOTSUPP outside the page.
 */
int ioapic_mmio(struct hvk_ioapic *ioapic, u64 addr, u32 len, void *val,
		bool write)
{
	u64 off = addr - IOAPIC_BASE;
	unsigned long flags;
	u64 data = 0;

	if (addr < IOAPIC_BASE || off >= IOAPIC_MMIO_LEN || !len || len > 8)
		return -EOPNOTSUPP;
	if (write) {
		memcpy(&data, val, len);
		if (len == 3 || (len > 4 && len < 8))
			return 0;	/* no such access on x86 */
		spin_lock_irqsave(&ioapic->lock, flags);
		i82093_write(&ioapic->s, off, (u32)data);
		spin_unlock_irqrestore(&ioapic->lock, flags);
		return 0;
	}
	spin_lock_irqsave(&ioapic->lock, flags);
	data = i82093_read(&ioapic->s, off);
	spin_unlock_irqrestore(&ioapic->lock, flags);
	memcpy(val, &data, len);
	return 0;
}

void ioapic_get_state(struct hvk_ioapic *ioapic, struct kvm_ioapic_state *s)
{
	unsigned long flags;

	spin_lock_irqsave(&ioapic->lock, flags);
	i82093_get_state(&ioapic->s, s);
	spin_unlock_irqrestore(&ioapic->lock, flags);
}

void ioapic_set_state(struct hvk_ioapic *ioapic,
		      const struct kvm_ioapic_state *s)
{
	unsigned long flags;

	spin_lock_irqsave(&ioapic->lock, flags);
	i82093_set_state(&ioapic->s, s);
	spin_unlock_irqrestore(&ioapic->lock, flags);
}

/**
 * ioapic_create() - an IOAPIC for @vm, on its MMIO bus
 * @vm: the VM, vm->lock held
 *
 * Return: the IOAPIC, or ERR_PTR(-ENOMEM / -ENOSPC).
 */
struct hvk_ioapic *ioapic_create(struct hvk_vm *vm)
{
	struct hvk_ioapic *ioapic;
	struct hvk_io_range range = {
		.addr = IOAPIC_BASE,
		.len = IOAPIC_MMIO_LEN,
		.kind = HVK_IO_ARCH,
	};
	int r;

	lockdep_assert_held(&vm->lock);
	ioapic = kzalloc(sizeof(*ioapic), GFP_KERNEL_ACCOUNT);
	if (!ioapic)
		return ERR_PTR(-ENOMEM);
	ioapic->dev.kind = X86_IODEV_IOAPIC;
	spin_lock_init(&ioapic->lock);
	ioapic->vm = vm;
	i82093_init(&ioapic->s, vm);

	range.dev = ioapic;
	r = hvk_io_bus_register(vm, HVK_MMIO_BUS, &range);
	if (r) {
		kfree(ioapic);
		return ERR_PTR(r);
	}
	return ioapic;
}

/* Undo ioapic_create(), vm->lock held. */
void ioapic_destroy(struct hvk_ioapic *ioapic)
{
	if (!ioapic)
		return;
	lockdep_assert_held(&ioapic->vm->lock);
	if (x86_iodev_unregister(ioapic->vm, HVK_MMIO_BUS, ioapic))
		kfree(ioapic);
}

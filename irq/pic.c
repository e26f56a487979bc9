// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel PIC pair: irq/i8259.c's state machine behind a lock, on
 * the PIO bus, wired to the LAPIC (INTR) and to core (acks).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": pic: " fmt

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "hvk.h"
#include "iobus.h"
#include "irq.h"
#include "irq/i8259.h"
#include "irq/x86_dev.h"

struct hvk_pic {
	struct x86_iodev dev;		/* first: x86_irqchip_io() */
	spinlock_t lock;		/* irq-safe: irqfds, the PIT's timer */
	struct hvk_vm *vm;
	bool output;			/* INTR as last reported */
	struct i8259_pair s;
};

static const struct {
	u16 port;
	u16 len;
} pic_ranges[] = {
	{ 0x20, 2 }, { 0xa0, 2 }, { 0x4d0, 2 },
};

static void pic_lock(struct hvk_pic *pic, unsigned long *flags)
{
	spin_lock_irqsave(&pic->lock, *flags);
}

/*
 * Drop the lock, then tell the others what changed: core the IRQs whose
 * in-service bit the guest cleared (a resamplefd may lower and re-raise
 * a line: pic_set_irq() again), the LAPIC a change of INTR. Neither may
 * run under our lock.
 */
static void pic_unlock(struct hvk_pic *pic, unsigned long flags,
		       bool notify_intr)
{
	bool out = i8259_output(&pic->s), changed = out != pic->output;
	unsigned long acked = pic->s.acked;
	unsigned int irq;

	pic->output = out;
	pic->s.acked = 0;
	spin_unlock_irqrestore(&pic->lock, flags);

	for_each_set_bit(irq, &acked, I8259_NR_IRQS)
		hvk_irq_ack(pic->vm, irq < 8 ? KVM_IRQCHIP_PIC_MASTER :
					       KVM_IRQCHIP_PIC_SLAVE, irq);
	if (changed && notify_intr)
		lapic_pic_intr_changed(pic->vm);
}

/**
 * pic_set_irq() - drive an IRQ of the pair from a source
 * @pic: the pair
 * @irq: 0-15 (master 0-7, slave 8-15)
 * @src: enum hvk_irq_source
 * @level: the source's level
 *
 * Return: as KVM_IRQ_LINE_STATUS reports it for a PIC pin: -1 masked,
 * 0 coalesced (a request was already latched), 1 otherwise.
 */
int pic_set_irq(struct hvk_pic *pic, unsigned int irq, int src, int level)
{
	unsigned long flags;
	int ret;

	if (irq >= I8259_NR_IRQS || src < 0 || src >= HVK_IRQ_NR_SOURCES)
		return -1;
	pic_lock(pic, &flags);
	ret = i8259_set_irq(&pic->s, irq, src, level);
	pic_unlock(pic, flags, true);
	return ret;
}

bool pic_intr(struct hvk_pic *pic)
{
	unsigned long flags;
	bool out;

	spin_lock_irqsave(&pic->lock, flags);
	out = i8259_output(&pic->s);
	spin_unlock_irqrestore(&pic->lock, flags);
	return out;
}

/*
 * The INTA cycle, from the vCPU that injects ExtINT. It does not call
 * lapic_pic_intr_changed(): that vCPU looks at pic_intr() again before
 * it enters the guest. Acks (auto-EOI) still go to core.
 */
int pic_intack(struct hvk_pic *pic)
{
	unsigned long flags;
	int vec;

	pic_lock(pic, &flags);
	vec = i8259_intack(&pic->s);
	pic_unlock(pic, flags, false);
	return vec;
}

/**
 * pic_io() - a guest access to one of the pair's ports
 * @pic: the pair
 * @port: the port
 * @len: the access size: only bytes reach the chips; a wider write is
 *       dropped and a wider read returns zeros, as KVM does
 * @val: the data
 * @write: direction
 *
 * Return: 0, or -EOPNOTSUPP for a port that is not the pair's.
 */
int pic_io(struct hvk_pic *pic, u16 port, u32 len, void *val, bool write)
{
	unsigned long flags;

	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1: case 0x4d0: case 0x4d1:
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (len != 1) {
		if (!write)
			memset(val, 0, len);
		return 0;
	}
	pic_lock(pic, &flags);
	if (write)
		i8259_write(&pic->s, port, *(u8 *)val);
	else
		*(u8 *)val = i8259_read(&pic->s, port);
	pic_unlock(pic, flags, true);
	return 0;
}

int pic_get_state(struct hvk_pic *pic, u32 chip, struct kvm_pic_state *s)
{
	unsigned long flags;

	if (chip != KVM_IRQCHIP_PIC_MASTER && chip != KVM_IRQCHIP_PIC_SLAVE)
		return -EINVAL;
	spin_lock_irqsave(&pic->lock, flags);
	i8259_get_state(&pic->s, chip, s);
	spin_unlock_irqrestore(&pic->lock, flags);
	return 0;
}

int pic_set_state(struct hvk_pic *pic, u32 chip,
		  const struct kvm_pic_state *s)
{
	unsigned long flags;

	if (chip != KVM_IRQCHIP_PIC_MASTER && chip != KVM_IRQCHIP_PIC_SLAVE)
		return -EINVAL;
	pic_lock(pic, &flags);
	i8259_set_state(&pic->s, chip, s);
	pic_unlock(pic, flags, true);
	return 0;
}

/**
 * pic_create() - a PIC pair for @vm, on its PIO bus
 * @vm: the VM, vm->lock held
 *
 * Return: the pair, or ERR_PTR(-ENOMEM / -ENOSPC).
 */
struct hvk_pic *pic_create(struct hvk_vm *vm)
{
	struct hvk_pic *pic;
	unsigned int i;
	int r;

	lockdep_assert_held(&vm->lock);
	pic = kzalloc(sizeof(*pic), GFP_KERNEL_ACCOUNT);
	if (!pic)
		return ERR_PTR(-ENOMEM);
	pic->dev.kind = X86_IODEV_PIC;
	spin_lock_init(&pic->lock);
	pic->vm = vm;
	i8259_init(&pic->s);

	for (i = 0; i < ARRAY_SIZE(pic_ranges); i++) {
		struct hvk_io_range range = {
			.addr = pic_ranges[i].port,
			.len = pic_ranges[i].len,
			.kind = HVK_IO_ARCH,
			.dev = pic,
		};

		r = hvk_io_bus_register(vm, HVK_PIO_BUS, &range);
		if (r) {
			if (x86_iodev_unregister(vm, HVK_PIO_BUS, pic))
				kfree(pic);
			return ERR_PTR(r);
		}
	}
	return pic;
}

/* Undo pic_create(), vm->lock held. */
void pic_destroy(struct hvk_pic *pic)
{
	if (!pic)
		return;
	lockdep_assert_held(&pic->vm->lock);
	if (x86_iodev_unregister(pic->vm, HVK_PIO_BUS, pic))
		kfree(pic);
}

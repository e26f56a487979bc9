// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel PIT: irq/i8254.c's state machine behind a lock, on the
 * PIO bus (0x40-0x43; 0x61 too when KVM_CREATE_PIT2 asks for
 * KVM_PIT_SPEAKER_DUMMY, as in KVM: otherwise port B stays the VMM's),
 * with an hrtimer that pulses IRQ 0 as channel 0's OUT would.
 *
 * Each expiry raises and lowers IRQ 0 from HVK_IRQ_SRC_PIT through the
 * routing table (hvk_irq_set()), straight from the hrtimer callback:
 * delivery never sleeps. A periodic timer that the host ran late is
 * forwarded past the periods it missed instead of firing them back to
 * back. That is KVM's behaviour with KVM_REINJECT_CONTROL's reinject
 * off; KVM's default (reinject: hold back ticks until the guest acks
 * the last one, then deliver the missed ones) is not done.
 *
 * The callback takes no lock of ours, so the timer may be cancelled
 * (hrtimer_cancel() waits for a running callback) under the PIT's lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": pit: " fmt

#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "hvk.h"
#include "iobus.h"
#include "irq.h"
#include "irq/i8254.h"
#include "irq/x86_dev.h"

struct hvk_pit {
	struct x86_iodev dev;		/* first: x86_irqchip_io() */
	spinlock_t lock;
	struct hvk_vm *vm;
	bool speaker;			/* port 0x61 is ours */
	struct hrtimer timer;
	u64 period_ns;			/* 0: one-shot; read by the callback */
	struct i8254 s;
};

static s64 pit_now(void)
{
	return ktime_get_ns();
}

static enum hrtimer_restart pit_timer_fn(struct hrtimer *t)
{
	struct hvk_pit *pit = container_of(t, struct hvk_pit, timer);
	u64 period = READ_ONCE(pit->period_ns);

	hvk_irq_set(pit->vm, HVK_IRQ_SRC_PIT, 0, 1, false);
	hvk_irq_set(pit->vm, HVK_IRQ_SRC_PIT, 0, 0, false);
	if (!period)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(period));
	return HRTIMER_RESTART;
}

/* Make the hrtimer what channel 0 now asks for. Lock held. */
static void pit_apply_timer(struct hvk_pit *pit)
{
	struct i8254 *s = &pit->s;

	if (!s->timer_dirty)
		return;
	s->timer_dirty = false;
	hrtimer_cancel(&pit->timer);
	if (!s->timer_on)
		return;
	WRITE_ONCE(pit->period_ns, s->timer_periodic ? s->timer_period : 0);
	hrtimer_start(&pit->timer, ns_to_ktime(s->timer_first),
		      HRTIMER_MODE_ABS);
}

/**
 * pit_io() - a guest access to the PIT's ports
 * @pit: the PIT
 * @port: 0x40-0x43, or 0x61 if the speaker port is ours
 * @len: bytes; a write takes the low byte, a read gives the byte
 *       zero-extended, as KVM does
 * @val: the data
 * @write: direction
 *
 * Return: 0, or -EOPNOTSUPP for a port that is not the PIT's.
 */
int pit_io(struct hvk_pit *pit, u16 port, u32 len, void *val, bool write)
{
	unsigned long flags;
	u8 byte;

	if ((port < PIT_PORT_BASE || port > PIT_PORT_BASE + 3) &&
	    (port != PIT_PORT_SPEAKER || !pit->speaker))
		return -EOPNOTSUPP;
	if (!len)
		return 0;
	spin_lock_irqsave(&pit->lock, flags);
	if (write) {
		i8254_write(&pit->s, port, *(u8 *)val, pit_now());
		pit_apply_timer(pit);
	} else {
		byte = i8254_read(&pit->s, port, pit_now());
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	if (!write) {
		memset(val, 0, len);
		*(u8 *)val = byte;
	}
	return 0;
}

void pit_get_state(struct hvk_pit *pit, struct kvm_pit_state2 *s)
{
	unsigned long flags;

	spin_lock_irqsave(&pit->lock, flags);
	i8254_get_state(&pit->s, s);
	spin_unlock_irqrestore(&pit->lock, flags);
}

void pit_set_state(struct hvk_pit *pit, const struct kvm_pit_state2 *s)
{
	unsigned long flags;

	spin_lock_irqsave(&pit->lock, flags);
	i8254_set_state(&pit->s, s, pit_now());
	pit_apply_timer(pit);
	spin_unlock_irqrestore(&pit->lock, flags);
}

/**
 * pit_create() - a PIT for @vm (KVM_CREATE_PIT2)
 * @vm: the VM, vm->lock held; its PIC and IOAPIC exist (the timer
 *      raises IRQ 0 through them)
 * @flags: KVM_CREATE_PIT2's flags: KVM_PIT_SPEAKER_DUMMY puts port 0x61
 *         in the kernel
 *
 * Return: the PIT, or ERR_PTR(-ENOMEM / -ENOSPC).
 */
struct hvk_pit *pit_create(struct hvk_vm *vm, u32 flags)
{
	struct hvk_io_range range = { .kind = HVK_IO_ARCH };
	struct hvk_pit *pit;
	int r;

	lockdep_assert_held(&vm->lock);
	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		return ERR_PTR(-ENOMEM);
	pit->dev.kind = X86_IODEV_PIT;
	spin_lock_init(&pit->lock);
	pit->vm = vm;
	pit->speaker = flags & KVM_PIT_SPEAKER_DUMMY;
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	pit->timer.function = pit_timer_fn;
	i8254_init(&pit->s, pit_now());
	pit->s.timer_dirty = false;	/* nothing runs until programmed */

	range.dev = pit;
	range.addr = PIT_PORT_BASE;
	range.len = 4;
	r = hvk_io_bus_register(vm, HVK_PIO_BUS, &range);
	if (r)
		goto err_free;
	if (pit->speaker) {
		range.addr = PIT_PORT_SPEAKER;
		range.len = 1;
		r = hvk_io_bus_register(vm, HVK_PIO_BUS, &range);
		if (r)
			goto err_unregister;
	}
	return pit;

err_unregister:
	if (!x86_iodev_unregister(vm, HVK_PIO_BUS, pit))
		return ERR_PTR(r);	/* still reachable: leave it */
err_free:
	kfree(pit);
	return ERR_PTR(r);
}

/*
 * Undo pit_create(), vm->lock held: off the bus first (no vCPU re-arms
 * the timer after that), then the timer, waiting out a running callback.
 */
void pit_destroy(struct hvk_pit *pit)
{
	if (!pit)
		return;
	lockdep_assert_held(&pit->vm->lock);
	if (!x86_iodev_unregister(pit->vm, HVK_PIO_BUS, pit)) {
		hrtimer_cancel(&pit->timer);
		return;
	}
	hrtimer_cancel(&pit->timer);
	kfree(pit);
}

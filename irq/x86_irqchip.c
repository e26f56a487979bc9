// SPDX-License-Identifier: GPL-2.0
/*
 * Guest accesses to the PIC pair, the IOAPIC and the PIT, as the arch's
 * hvk_arch_io_read/write() hand them over: a switch on the device's
 * kind, then a direct call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/printk.h>

#include "hvk.h"
#include "iobus.h"
#include "irq/x86_dev.h"

int x86_irqchip_io(struct hvk_vcpu *vcpu, void *dev, u64 addr, u32 len,
		   void *val, bool write)
{
	struct x86_iodev *d = dev;

	switch (d->kind) {
	case X86_IODEV_PIC:
		if (addr > 0xffff)
			return -EOPNOTSUPP;
		return pic_io(dev, addr, len, val, write);
	case X86_IODEV_IOAPIC:
		return ioapic_mmio(dev, addr, len, val, write);
	case X86_IODEV_PIT:
		if (addr > 0xffff)
			return -EOPNOTSUPP;
		return pit_io(dev, addr, len, val, write);
	}
	return -EOPNOTSUPP;
}

bool x86_iodev_unregister(struct hvk_vm *vm, int bus, void *dev)
{
	unsigned int tries = 0;
	int r;

	/* One range per call, until none is left (-ENOENT). */
	while ((r = hvk_io_bus_unregister(vm, bus, dev, HVK_IO_ARCH)) !=
	       -ENOENT) {
		if (r && ++tries > 8) {
			pr_warn("a device stays on the I/O bus (%d): not freed\n",
				r);
			return false;
		}
	}
	return true;
}

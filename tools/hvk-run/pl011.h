/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PL011 UART in userspace (ARM PrimeCell UART PL011 TRM, r1p5): the
 * registers Linux's amba-pl011 driver and earlycon use, transmit to
 * stdout, receive from stdin, and the one interrupt line that ORs the
 * masked interrupt status (UARTINTR), driven through a callback.
 */
#ifndef HVK_RUN_PL011_H
#define HVK_RUN_PL011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PL011_SIZE	0x1000
#define PL011_RX_FIFO	32

struct pl011 {
	uint32_t ris, imsc, cr, lcr_h, ibrd, fbrd, ifls, dmacr, ilpr;
	uint8_t rx[PL011_RX_FIFO];
	unsigned int rx_head, rx_count;
	bool line;
	void (*set_irq)(void *opaque, bool level);
	void *opaque;
};

void pl011_init(struct pl011 *u, void (*set_irq)(void *, bool), void *opaque);
/* An access of len bytes at offset off; reads return the value. */
uint32_t pl011_read(struct pl011 *u, uint64_t off);
void pl011_write(struct pl011 *u, uint64_t off, uint32_t val);
void pl011_input(struct pl011 *u, const uint8_t *buf, size_t len);
size_t pl011_room(const struct pl011 *u);

#endif /* HVK_RUN_PL011_H */

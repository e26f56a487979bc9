/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART in userspace (National Semiconductor PC16550D datasheet):
 * the registers Linux's 8250 driver probes and uses, transmit to stdout,
 * receive from stdin, and the interrupt line (INTR gated by MCR.OUT2, as
 * on a PC), driven through a callback.
 */
#ifndef HVK_RUN_UART16550_H
#define HVK_RUN_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART16550_FIFO	16

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;
	uint8_t rx[UART16550_FIFO];
	unsigned int rx_head, rx_count;
	bool line;
	void (*set_irq)(void *opaque, bool level);
	void *opaque;
};

void uart16550_init(struct uart16550 *u, void (*set_irq)(void *, bool),
		    void *opaque);
uint8_t uart16550_read(struct uart16550 *u, unsigned int reg);
void uart16550_write(struct uart16550 *u, unsigned int reg, uint8_t val);
void uart16550_input(struct uart16550 *u, const uint8_t *buf, size_t len);
size_t uart16550_room(const struct uart16550 *u);

#endif /* HVK_RUN_UART16550_H */

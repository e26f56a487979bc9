// SPDX-License-Identifier: GPL-2.0
/*
 * PL011 UART model (ARM PrimeCell UART (PL011) Technical Reference
 * Manual, r1p5, chapter 3 "Programmers Model"). Transmission is
 * instantaneous: a byte written to UARTDR is on stdout at once, so the
 * transmit FIFO is always empty (UARTFR.TXFE, never TXFF or BUSY), and
 * the transmit interrupt is raised after each write, as the FIFO falls
 * to its trigger level (TRM 3.4.3, UARTTXINTR). Received bytes wait in a
 * 32-entry FIFO; while it holds any, both the receive and the receive
 * timeout interrupts are raised (the driver reads until RXFE either way).
 * Modem lines are not modelled: the FR status bits for them read 0.
 */
#include <stdio.h>
#include <string.h>

#include "hvk-run.h"
#include "pl011.h"

#define UARTDR		0x000
#define UARTRSR		0x004
#define UARTFR		0x018
#define UARTILPR	0x020
#define UARTIBRD	0x024
#define UARTFBRD	0x028
#define UARTLCR_H	0x02c
#define UARTCR		0x030
#define UARTIFLS	0x034
#define UARTIMSC	0x038
#define UARTRIS		0x03c
#define UARTMIS		0x040
#define UARTICR		0x044
#define UARTDMACR	0x048

#define FR_RXFE		(1U << 4)
#define FR_TXFE		(1U << 7)

#define INT_RX		(1U << 4)
#define INT_TX		(1U << 5)
#define INT_RT		(1U << 6)
#define INT_ALL		0x7ffU

/* UARTPeriphID0-3 then UARTPCellID0-3 (TRM 3.3.14, 3.3.15): r1p5. */
static const uint8_t pl011_id[8] = {
	0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

static void pl011_update(struct pl011 *u)
{
	bool level = (u->ris & u->imsc) != 0;

	if (level != u->line) {
		u->line = level;
		u->set_irq(u->opaque, level);
	}
}

void pl011_init(struct pl011 *u, void (*set_irq)(void *, bool), void *opaque)
{
	memset(u, 0, sizeof(*u));
	/* Reset values (TRM table 3-1). */
	u->cr = 0x300;		/* TXE, RXE */
	u->ifls = 0x12;		/* half full both ways */
	u->set_irq = set_irq;
	u->opaque = opaque;
}

static uint32_t pl011_rx_pop(struct pl011 *u)
{
	uint32_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % PL011_RX_FIFO;
	if (!--u->rx_count)
		u->ris &= ~(INT_RX | INT_RT);
	pl011_update(u);
	return c;
}

uint32_t pl011_read(struct pl011 *u, uint64_t off)
{
	if (off >= 0xfe0 && off < 0x1000)
		return (off & 3) ? 0 : pl011_id[(off - 0xfe0) / 4];
	switch (off) {
	case UARTDR:
		return pl011_rx_pop(u);
	case UARTRSR:
		return 0;	/* no framing, parity, break or overrun */
	case UARTFR:
		return FR_TXFE | (u->rx_count ? 0 : FR_RXFE);
	case UARTILPR:
		return u->ilpr;
	case UARTIBRD:
		return u->ibrd;
	case UARTFBRD:
		return u->fbrd;
	case UARTLCR_H:
		return u->lcr_h;
	case UARTCR:
		return u->cr;
	case UARTIFLS:
		return u->ifls;
	case UARTIMSC:
		return u->imsc;
	case UARTRIS:
		return u->ris;
	case UARTMIS:
		return u->ris & u->imsc;
	case UARTDMACR:
		return u->dmacr;
	default:
		return 0;
	}
}

void pl011_write(struct pl011 *u, uint64_t off, uint32_t val)
{
	switch (off) {
	case UARTDR:
		guest_putc(val & 0xff);
		u->ris |= INT_TX;
		break;
	case UARTRSR:
		break;		/* clears the (never set) error bits */
	case UARTILPR:
		u->ilpr = val & 0xff;
		break;
	case UARTIBRD:
		u->ibrd = val & 0xffff;
		break;
	case UARTFBRD:
		u->fbrd = val & 0x3f;
		break;
	case UARTLCR_H:
		u->lcr_h = val & 0xff;
		break;
	case UARTCR:
		u->cr = val & 0xffff;
		break;
	case UARTIFLS:
		u->ifls = val & 0x3f;
		break;
	case UARTIMSC:
		u->imsc = val & INT_ALL;
		break;
	case UARTICR:
		u->ris &= ~(val & INT_ALL);
		/* Receive interrupts stay while the FIFO holds data. */
		if (u->rx_count)
			u->ris |= INT_RX | INT_RT;
		break;
	case UARTDMACR:
		u->dmacr = val & 7;
		break;
	default:
		break;
	}
	pl011_update(u);
}

void pl011_input(struct pl011 *u, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && u->rx_count < PL011_RX_FIFO; i++) {
		u->rx[(u->rx_head + u->rx_count) % PL011_RX_FIFO] = buf[i];
		u->rx_count++;
	}
	if (u->rx_count)
		u->ris |= INT_RX | INT_RT;
	pl011_update(u);
}

size_t pl011_room(const struct pl011 *u)
{
	return PL011_RX_FIFO - u->rx_count;
}

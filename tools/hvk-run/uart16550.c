// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART model (PC16550D datasheet: register table 2, IIR table 4).
 *
 * Transmission is instantaneous: a byte written to THR is on stdout at
 * once, so LSR always has THRE and TEMT, and the THR-empty interrupt is
 * pending again right after each write (and when IER.ETBEI is turned on,
 * as the datasheet says it fires with THR already empty); reading IIR
 * while it names THRE clears it. Received bytes wait in a 16-byte FIFO;
 * "receiver data available" is pending while it holds any. Line status and
 * modem status interrupts never happen. FCR bit 0 turns the FIFOs on,
 * which IIR's top bits report (0xc0), as Linux's autoconfig checks to
 * find a 16550A. Loopback (MCR.LOOP) feeds MCR's outputs back into MSR
 * and transmitted bytes into the receiver, as the 8250 driver's probe
 * expects. The interrupt line is INTR gated by MCR.OUT2, the PC wiring.
 */
#include <string.h>

#include "hvk-run.h"
#include "uart16550.h"

#define REG_DATA	0	/* RBR / THR; DLL with LCR.DLAB */
#define REG_IER		1	/* DLM with LCR.DLAB */
#define REG_IIR		2	/* read; FCR on write */
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define LCR_DLAB	0x80
#define IER_ERBFI	0x01
#define IER_ETBEI	0x02
#define IIR_NONE	0x01
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

static uint8_t uart_iir_id(const struct uart16550 *u)
{
	if ((u->ier & IER_ERBFI) && u->rx_count)
		return IIR_RDA;
	if ((u->ier & IER_ETBEI) && u->thre_pending)
		return IIR_THRE;
	return IIR_NONE;
}

static void uart_update(struct uart16550 *u)
{
	bool level = uart_iir_id(u) != IIR_NONE && (u->mcr & MCR_OUT2) &&
		     !(u->mcr & MCR_LOOP);

	if (level != u->line) {
		u->line = level;
		u->set_irq(u->opaque, level);
	}
}

void uart16550_init(struct uart16550 *u, void (*set_irq)(void *, bool),
		    void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->set_irq = set_irq;
	u->opaque = opaque;
}

static void uart_rx_push(struct uart16550 *u, uint8_t c)
{
	if (u->rx_count < UART16550_FIFO) {
		u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO] = c;
		u->rx_count++;
	}
}

uint8_t uart16550_read(struct uart16550 *u, unsigned int reg)
{
	uint8_t v = 0, id;

	switch (reg) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART16550_FIFO;
			u->rx_count--;
		}
		break;
	case REG_IER:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case REG_IIR:
		id = uart_iir_id(u);
		if (id == IIR_THRE)
			u->thre_pending = false;
		v = id | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
		break;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case REG_MSR:
		if (!(u->mcr & MCR_LOOP))
			return MSR_DCD | MSR_DSR | MSR_CTS;
		return ((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
		       ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
		       ((u->mcr & MCR_OUT1) ? MSR_RI : 0) |
		       ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
	case REG_SCR:
		return u->scr;
	}
	uart_update(u);
	return v;
}

void uart16550_write(struct uart16550 *u, unsigned int reg, uint8_t val)
{
	switch (reg) {
	case REG_DATA:
		if (u->lcr & LCR_DLAB) {
			u->dll = val;
			return;
		}
		if (u->mcr & MCR_LOOP)
			uart_rx_push(u, val);
		else
			guest_putc(val);
		u->thre_pending = true;
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = val;
			return;
		}
		if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thre_pending = true;
		u->ier = val & 0x0f;
		break;
	case REG_IIR:		/* FCR */
		u->fcr = val & 0xc1;
		if (val & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case REG_LCR:
		u->lcr = val;
		break;
	case REG_MCR:
		u->mcr = val & 0x1f;
		break;
	case REG_SCR:
		u->scr = val;
		break;
	default:
		break;		/* LSR, MSR: read-only */
	}
	uart_update(u);
}

void uart16550_input(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		uart_rx_push(u, buf[i]);
	uart_update(u);
}

size_t uart16550_room(const struct uart16550 *u)
{
	return UART16550_FIFO - u->rx_count;
}

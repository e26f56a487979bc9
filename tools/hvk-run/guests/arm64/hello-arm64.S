// SPDX-License-Identifier: GPL-2.0
/*
 * hello-arm64: an arm64 guest for hvk-run, linked at 0x80000000 (the
 * start of hvk-run's RAM). Runs at EL1 with the MMU off, so the UART's
 * accesses are Device memory accesses that trap as MMIO. Prints a line
 * through the PL011 at 0x09000000, polling UARTFR.TXFF before each byte,
 * then powers off with PSCI SYSTEM_OFF (HVC conduit).
 */
	.text
	.globl	_start
_start:
	ldr	x1, =0x09000000		/* PL011 */
	adr	x2, msg
next:
	ldrb	w3, [x2], #1
	cbz	w3, done
wait:
	ldr	w4, [x1, #0x18]		/* UARTFR */
	tbnz	w4, #5, wait		/* TXFF: transmit FIFO full */
	str	w3, [x1]		/* UARTDR */
	b	next
done:
	ldr	x0, =0x84000008		/* PSCI_0_2 SYSTEM_OFF */
	hvc	#0
	b	.			/* not reached */

msg:
	.asciz	"Hello from arm64\n"
	.balign	8
	.ltorg

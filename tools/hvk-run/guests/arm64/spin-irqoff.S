// SPDX-License-Identifier: GPL-2.0
//
// spin-irqoff: an arm64 guest that masks every exception it can
// (DAIF) and loops forever: only the hypervisor brings it back (host
// interrupts are routed to EL2 whatever the guest masks). For the
// module checks.
	.text
	.globl	_start
_start:
	msr	daifset, #0xf
1:	b	1b

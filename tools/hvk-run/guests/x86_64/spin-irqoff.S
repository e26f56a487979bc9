/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin-irqoff: a long-mode guest that masks interrupts and loops
 * forever. Nothing the guest does brings it back to the host: only the
 * hypervisor can (hvk: the VMX-preemption timer; Bochs does not exit on
 * host interrupts while RFLAGS.IF is 0). For the module checks.
 */
	.code64
	.text
	.globl	_start
_start:
	cli
1:	jmp	1b

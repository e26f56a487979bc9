// SPDX-License-Identifier: GPL-2.0
//
// bad-mmio: an arm64 guest that stores a pair of registers to the UART.
// A store pair reports no instruction syndrome (ESR_EL2.ISV = 0), so the
// hypervisor cannot hand it to userspace as KVM_EXIT_MMIO: KVM_RUN fails
// (KVM: ENOSYS) and hvk-run must report it with the registers, pc at the
// STP.
	.text
	.globl	_start
_start:
	ldr	x1, =0x09000000
	stp	x0, x0, [x1]
	b	.			// not reached
	.ltorg

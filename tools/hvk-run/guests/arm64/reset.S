// SPDX-License-Identifier: GPL-2.0
//
// reset: an arm64 guest that asks for PSCI SYSTEM_RESET, which hvk-run
// reports and ends with exit status 4.
	.text
	.globl	_start
_start:
	ldr	x0, =0x84000009		// PSCI_0_2 SYSTEM_RESET
	hvc	#0
	b	.			// not reached
	.ltorg

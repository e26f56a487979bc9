// SPDX-License-Identifier: GPL-2.0
//
// spin: an arm64 guest that loops forever, for hvk-run --timeout.
	.text
	.globl	_start
_start:
	b	.

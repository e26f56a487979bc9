/* SPDX-License-Identifier: GPL-2.0 */
/* hvk-run's ACPI tables for x86 Linux guests (x86_acpi.c). */
#ifndef HVK_RUN_X86_ACPI_H
#define HVK_RUN_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_PM1_EVT_PORT	0x600	/* PM1a status (2) + enable (2) */
#define ACPI_PM1_CNT_PORT	0x604	/* PM1a control (2) */
#define ACPI_SCI_IRQ		9
#define ACPI_S5_SLP_TYP		5
#define ACPI_PM1_SCI_EN		(1U << 0)
#define ACPI_PM1_SLP_TYP(v)	(((v) >> 10) & 7)
#define ACPI_PM1_SLP_EN		(1U << 13)

/*
 * Writes the tables into area (host pointer to guest physical gpa, size
 * bytes, 16-byte aligned); *rsdp_gpa = where the RSDP went. 0 or -1.
 */
int acpi_build(uint8_t *area, uint64_t gpa, size_t size, unsigned int ncpus,
	       uint64_t *rsdp_gpa);

#endif /* HVK_RUN_X86_ACPI_H */

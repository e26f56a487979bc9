// SPDX-License-Identifier: GPL-2.0
/*
 * The few ACPI tables hvk-run gives an x86 Linux guest (ACPI 6.x spec,
 * chapter 5.2): an RSDP (revision 0, found by the kernel's scan of
 * 0xe0000-0xfffff, and also passed in boot_params), an RSDT, a FADT whose
 * only hardware is the PM1a event and control blocks (for S5 power-off),
 * a FACS, a DSDT holding nothing but the \_S5 sleep package, and a MADT
 * (the local APICs, the I/O APIC, LINT1 as NMI) from which Linux finds
 * the CPUs to start with INIT/SIPI.
 *
 * The DSDT's AML, byte by byte (ACPI 6.x, 20.2 "AML Grammar"):
 *   08             NameOp
 *   5f 53 35 5f    NameString "_S5_"
 *   12             PackageOp
 *   08             PkgLength: 8 bytes, this byte to the end
 *   04             NumElements
 *   0a 05          BytePrefix 5: SLP_TYP for PM1a_CNT
 *   0a 05          BytePrefix 5: SLP_TYP for PM1b_CNT
 *   00 00          Zero, Zero (reserved)
 */
#include <string.h>

#include "x86_acpi.h"

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {		/* revision 0: ACPI 1.0's 20 bytes */
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
} __attribute__((packed));

struct acpi_facs {
	char signature[4];
	uint32_t length;
	uint32_t hw_signature;
	uint32_t waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_waking_vector;
	uint8_t version;
	uint8_t reserved[3];
	uint32_t ospm_flags;
	uint8_t reserved2[24];
} __attribute__((packed));

/* FADT (ACPI 6.x table 5.9) up to the end of revision 4's fields. */
struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	uint8_t reset_reg[12];
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl, x_dsdt;
	uint8_t x_blocks[8][12];	/* X_PM1a_EVT_BLK .. X_GPE1_BLK */
} __attribute__((packed));

#define FADT_WBINVD		(1U << 0)
#define FADT_PWR_BUTTON		(1U << 4)	/* no fixed power button */
#define FADT_SLP_BUTTON		(1U << 5)	/* no fixed sleep button */
#define BOOT_ARCH_NO_VGA	(1U << 2)

struct madt_lapic {
	uint8_t type, length, uid, apic_id;
	uint32_t flags;
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type, length, id, reserved;
	uint32_t address, gsi_base;
} __attribute__((packed));

struct madt_lapic_nmi {
	uint8_t type, length, uid;
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

static const uint8_t dsdt_aml[] = {
	0x08, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04,
	0x0a, ACPI_S5_SLP_TYP, 0x0a, ACPI_S5_SLP_TYP, 0x00, 0x00,
};

static uint8_t acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s += *b++;
	return s;
}

static void acpi_header(void *t, const char *sig, uint32_t len, uint8_t rev)
{
	struct acpi_header *h = t;

	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "HVKRUN", 6);
	memcpy(h->oem_table_id, "HVKRUN  ", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "HVK ", 4);
	h->creator_revision = 1;
	h->checksum = 0;
	h->checksum = -acpi_sum(t, len);
}

/* Offsets in the area (which starts 16-byte aligned: the RSDP's rule). */
#define OFF_RSDP	0x000
#define OFF_RSDT	0x040
#define OFF_FACS	0x100	/* 64-byte aligned */
#define OFF_FADT	0x200
#define OFF_DSDT	0x400
#define OFF_MADT	0x500
#define AREA_NEED	0x800

int acpi_build(uint8_t *area, uint64_t gpa, size_t size, unsigned int ncpus,
	       uint64_t *rsdp_gpa)
{
	struct acpi_rsdp *rsdp = (void *)(area + OFF_RSDP);
	struct acpi_header *rsdt = (void *)(area + OFF_RSDT);
	struct acpi_facs *facs = (void *)(area + OFF_FACS);
	struct acpi_fadt *fadt = (void *)(area + OFF_FADT);
	uint8_t *dsdt = area + OFF_DSDT;
	uint8_t *madt = area + OFF_MADT, *p;
	uint32_t *rsdt_entries = (uint32_t *)(rsdt + 1);
	struct madt_ioapic *io;
	struct madt_lapic_nmi *nmi;
	unsigned int i;

	if (size < AREA_NEED || ncpus > 64)
		return -1;
	memset(area, 0, AREA_NEED);

	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = 2;

	memcpy(dsdt + sizeof(struct acpi_header), dsdt_aml, sizeof(dsdt_aml));
	acpi_header(dsdt, "DSDT", sizeof(struct acpi_header) + sizeof(dsdt_aml),
		    2);

	fadt->firmware_ctrl = gpa + OFF_FACS;
	fadt->dsdt = gpa + OFF_DSDT;
	fadt->sci_int = ACPI_SCI_IRQ;
	/* smi_cmd 0: the hardware is always in ACPI mode (SCI_EN reads 1). */
	fadt->pm1a_evt_blk = ACPI_PM1_EVT_PORT;
	fadt->pm1a_cnt_blk = ACPI_PM1_CNT_PORT;
	fadt->pm1_evt_len = 4;
	fadt->pm1_cnt_len = 2;
	fadt->p_lvl2_lat = 101;		/* > 100: no C2 */
	fadt->p_lvl3_lat = 1001;	/* > 1000: no C3 */
	fadt->century = 0x32;
	fadt->iapc_boot_arch = BOOT_ARCH_NO_VGA;	/* and no i8042 */
	fadt->flags = FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON;
	acpi_header(fadt, "FACP", sizeof(*fadt), 4);

	p = madt + sizeof(struct acpi_header);
	*(uint32_t *)p = 0xfee00000;	/* local APIC address */
	*(uint32_t *)(p + 4) = 1;	/* PCAT_COMPAT: there are 8259s */
	p += 8;
	for (i = 0; i < ncpus; i++) {
		struct madt_lapic *l = (void *)p;

		l->type = 0;
		l->length = sizeof(*l);
		l->uid = i;
		l->apic_id = i;
		l->flags = 1;		/* enabled */
		p += sizeof(*l);
	}
	io = (void *)p;
	io->type = 1;
	io->length = sizeof(*io);
	io->id = ncpus;
	io->address = 0xfec00000;
	io->gsi_base = 0;
	p += sizeof(*io);
	nmi = (void *)p;
	nmi->type = 4;
	nmi->length = sizeof(*nmi);
	nmi->uid = 0xff;		/* every processor */
	nmi->flags = 0;
	nmi->lint = 1;
	p += sizeof(*nmi);
	acpi_header(madt, "APIC", p - madt, 3);
	if (p - area > (long)AREA_NEED)
		return -1;

	rsdt_entries[0] = gpa + OFF_FADT;
	rsdt_entries[1] = gpa + OFF_MADT;
	acpi_header(rsdt, "RSDT", sizeof(*rsdt) + 2 * 4, 1);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "HVKRUN", 6);
	rsdp->revision = 0;
	rsdp->rsdt = gpa + OFF_RSDT;
	rsdp->checksum = -acpi_sum(rsdp, sizeof(*rsdp));
	*rsdp_gpa = gpa + OFF_RSDP;
	return 0;
}

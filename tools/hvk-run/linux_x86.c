// SPDX-License-Identifier: GPL-2.0
/*
 * hvk-run --kernel on x86-64: the bzImage boot protocol
 * (Documentation/x86/boot.rst), through its 32-bit entry.
 *
 * hvk-run does what a boot loader's real-mode half would: it loads the
 * protected-mode kernel at 1 MiB, fills a zero page (struct boot_params)
 * from the image's setup header plus the command line, the initrd and an
 * e820 map, and starts the BSP at code32_start in flat 32-bit protected
 * mode with paging and interrupts off and %esi = the zero page, its GDT
 * holding __BOOT_CS (0x10) and __BOOT_DS (0x18) ("32-bit BOOT PROTOCOL").
 * The kernel's own startup code takes it from there to long mode.
 *
 * Guest physical memory:
 *   0x00001000  the boot GDT          0x00007000  the zero page
 *   0x00020000  the command line      0x000e0000  ACPI tables (x86_acpi.c)
 *   0x00100000  the protected-mode kernel; the initrd at the top of RAM
 *
 * The interrupt controllers are KVM's: KVM_CREATE_IRQCHIP (two 8259s, an
 * I/O APIC, a local APIC per vCPU) and KVM_CREATE_PIT2 (the 8254 and port
 * 0x61). The APs wait in KVM_RUN for the BSP's INIT/SIPI. hvk-run plays
 * the 16550 at 0x3f8 (IRQ 4, through KVM_IRQ_LINE), ACPI's PM1a blocks
 * (power-off), the keyboard controller's reset line (port 0x64, command
 * 0xfe: reboot), a CMOS clock (0x70/0x71) and, as an empty bus, every
 * other port (reads all ones, writes ignored): PCI config (0xcf8/0xcfc,
 * so "no devices"), port 0x80 and the other serial ports.
 */
#include <asm/bootparam.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "linux.h"
#include "uart16550.h"
#include "x86_acpi.h"

#define TSS_ADDR		0xfffbd000ULL
#define IDENTITY_MAP_ADDR	0xfffbc000ULL

#define GDT_ADDR		0x1000ULL
#define ZERO_PAGE_ADDR		0x7000ULL
#define CMDLINE_ADDR		0x20000ULL
#define CMDLINE_MAX		0x10000ULL
#define EBDA_START		0x9fc00ULL
#define ACPI_ADDR		0xe0000ULL
#define ACPI_SIZE		0x20000ULL
#define KERNEL_ADDR		0x100000ULL

#define BOOT_CS			0x10
#define BOOT_DS			0x18

#define UART_BASE		0x3f8
#define UART_IRQ		4
#define I8042_CMD		0x64
#define I8042_DATA		0x60
#define I8042_RESET		0xfe
#define CMOS_INDEX		0x70
#define CMOS_DATA		0x71

#define EXIT_POWEROFF		0
#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

const uint64_t larch_ram_base = 0;
const uint64_t larch_min_mem = 64 * MIB;
const char larch_default_cmdline[] = "console=ttyS0";

static struct {
	struct boot_params bp;
	uint32_t pm_size;		/* protected-mode part of the file */
	uint64_t kernel_end;		/* where the initrd may start */
	uint64_t initrd_addr;
	struct kvm_cpuid2 *cpuid;
	struct uart16550 uart;
	uint8_t cmos_index;
	uint16_t pm1_cnt, pm1_en;
	struct lvm *vm;
} x86;

int larch_check(struct lvm *vm)
{
	const uint8_t *k = vm->kernel;
	struct setup_header *h = &x86.bp.hdr;
	uint64_t ram_end = vm->ram_base + vm->ram_size, top, need;
	size_t hdr_end, setup_size;
	unsigned int sects;

	if (vm->kernel_size < 0x250 || memcmp(k + 0x202, "HdrS", 4)) {
		die_msg("kernel %s is not a bzImage (no \"HdrS\" setup header at 0x202)",
			vm->kernel_path);
		return -1;
	}
	/* The header runs from 0x1f1 to the end of the jump at 0x200. */
	hdr_end = 0x202 + k[0x201];
	if (hdr_end > sizeof(x86.bp) || hdr_end > vm->kernel_size)
		hdr_end = 0x250;
	memcpy((uint8_t *)&x86.bp + 0x1f1, k + 0x1f1, hdr_end - 0x1f1);
	if (h->version < 0x0206) {
		die_msg("kernel %s: boot protocol %u.%02u, want 2.06 or later",
			vm->kernel_path, h->version >> 8, h->version & 0xff);
		return -1;
	}
	if (!(h->loadflags & LOADED_HIGH)) {
		die_msg("kernel %s is a zImage (loaded low); want a bzImage",
			vm->kernel_path);
		return -1;
	}
	sects = h->setup_sects ? h->setup_sects : 4;
	setup_size = (sects + 1) * 512;
	if (setup_size >= vm->kernel_size) {
		die_msg("kernel %s: setup_sects %u leave no protected-mode kernel",
			vm->kernel_path, sects);
		return -1;
	}
	x86.pm_size = vm->kernel_size - setup_size;
	if (strlen(vm->cmdline) >= CMDLINE_MAX ||
	    strlen(vm->cmdline) >= h->cmdline_size) {
		die_msg("--append: the command line is longer than the kernel's %u bytes",
			h->cmdline_size);
		return -1;
	}
	/* The decompressor works in place up to init_size from 1 MiB. */
	need = h->init_size > x86.pm_size ? h->init_size : x86.pm_size;
	x86.kernel_end = align_up(KERNEL_ADDR + need, 4096);
	top = ram_end;
	if (top > (uint64_t)h->initrd_addr_max + 1)
		top = (uint64_t)h->initrd_addr_max + 1;
	x86.initrd_addr = align_down(top - vm->initrd_size, 4096);
	if (x86.kernel_end > ram_end || top < vm->initrd_size ||
	    x86.initrd_addr < x86.kernel_end) {
		die_msg("--mem %llu MiB is too small for kernel %s (%llu MiB from 1 MiB on)%s%s",
			(unsigned long long)(vm->ram_size / MIB),
			vm->kernel_path,
			(unsigned long long)(need / MIB),
			vm->initrd_path ? " and initrd " : "",
			vm->initrd_path ? vm->initrd_path : "");
		return -1;
	}
	return 0;
}

static void uart_set_irq(void *opaque, bool level)
{
	struct lvm *vm = opaque;
	struct kvm_irq_level irq = { .irq = UART_IRQ, .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq))
		trace(&(struct machine){ .verbose = vm->verbose },
		      "KVM_IRQ_LINE (IRQ %u, level %d): %s", UART_IRQ, level,
		      strerror(errno));
}

static int get_supported_cpuid(struct lvm *vm)
{
	unsigned int nent = 64;

	for (;;) {
		free(x86.cpuid);
		x86.cpuid = calloc(1, sizeof(*x86.cpuid) +
				      nent * sizeof(x86.cpuid->entries[0]));
		if (!x86.cpuid) {
			die_msg("out of memory");
			return -1;
		}
		x86.cpuid->nent = nent;
		if (!ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, x86.cpuid))
			return 0;
		if (errno != E2BIG || nent >= 4096)
			return lfail("KVM_GET_SUPPORTED_CPUID");
		nent *= 2;
	}
}

int larch_setup_vm(struct lvm *vm)
{
	struct kvm_pit_config pit = { .flags = 0 };

	x86.vm = vm;
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0) {
		die_msg("%s does not offer KVM_CAP_EXT_CPUID (KVM_GET_SUPPORTED_CPUID), which booting Linux needs",
			vm->dev);
		return -1;
	}
	if (get_supported_cpuid(vm))
		return -1;
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)TSS_ADDR))
		return lfail("KVM_SET_TSS_ADDR");
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR,
		  &(uint64_t){ IDENTITY_MAP_ADDR }))
		return lfail("KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0)) {
		die_msg("KVM_CREATE_IRQCHIP: %s: %s has no in-kernel PIC/IOAPIC/local APIC, which booting Linux needs",
			strerror(errno), vm->dev);
		return -1;
	}
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT2) <= 0) {
		die_msg("%s does not offer KVM_CAP_PIT2 (an in-kernel 8254), which booting Linux needs",
			vm->dev);
		return -1;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit))
		return lfail("KVM_CREATE_PIT2");
	uart16550_init(&x86.uart, uart_set_irq, vm);
	return 0;
}

/*
 * The supported CPUID, with this vCPU's APIC ID where CPUID reports it
 * (leaf 1 EBX[31:24]; leaves 0xb and 0x1f EDX, the x2APIC ID), so that
 * it matches the MADT, and the "hypervisor present" bit (leaf 1 ECX[31],
 * which KVM leaves to userspace), without which Linux does not look at
 * the hypervisor's leaves (0x40000000 on) and takes itself for bare metal.
 */
int larch_setup_vcpu(struct lvm *vm, struct lvcpu *c)
{
	unsigned int i;

	(void)vm;
	for (i = 0; i < x86.cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &x86.cpuid->entries[i];

		if (e->function == 1) {
			e->ebx = (e->ebx & 0x00ffffff) | (c->id << 24);
			e->ecx |= 1U << 31;
		}
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = c->id;
	}
	if (ioctl(c->fd, KVM_SET_CPUID2, x86.cpuid))
		return lfail("KVM_SET_CPUID2");
	return 0;
}

static void e820_add(uint64_t addr, uint64_t size, uint32_t type)
{
	struct boot_e820_entry *e = &x86.bp.e820_table[x86.bp.e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

static int boot_regs(struct lvcpu *c)
{
	struct kvm_sregs s;
	struct kvm_regs r = { 0 };
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = BOOT_CS,
		.type = 11, .present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct kvm_segment data = code;

	if (ioctl(c->fd, KVM_GET_SREGS, &s))
		return lfail("KVM_GET_SREGS");
	data.selector = BOOT_DS;
	data.type = 3;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.gdt.base = GDT_ADDR;
	s.gdt.limit = 4 * 8 - 1;
	s.cr0 = 0x11;		/* PE, ET; paging off */
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(c->fd, KVM_SET_SREGS, &s))
		return lfail("KVM_SET_SREGS (32-bit protected mode)");
	r.rflags = 0x2;		/* interrupts off */
	r.rip = x86.bp.hdr.code32_start;
	r.rsi = ZERO_PAGE_ADDR;
	/*
	 * The protocol asks for no stack (the kernel makes its own), but a
	 * loader's real-mode half leaves one, and code at code32_start may
	 * use it (the lab's fast-boot stub does, for call/pop): 0x7000 down.
	 */
	r.rsp = ZERO_PAGE_ADDR;
	if (ioctl(c->fd, KVM_SET_REGS, &r))
		return lfail("KVM_SET_REGS");
	return 0;
}

int larch_boot(struct lvm *vm)
{
	struct setup_header *h = &x86.bp.hdr;
	/* Flat 4 GiB code (execute/read) and data (read/write) segments. */
	const uint64_t gdt[4] = {
		0, 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL,
	};
	size_t setup_size = vm->kernel_size - x86.pm_size;
	uint64_t rsdp;

	if (acpi_build(lgpa(vm, ACPI_ADDR, ACPI_SIZE), ACPI_ADDR, ACPI_SIZE,
		       vm->ncpus, &rsdp)) {
		die_msg("internal error: the ACPI tables do not fit");
		return -1;
	}
	h->type_of_loader = 0xff;	/* "undefined" loader */
	h->code32_start = KERNEL_ADDR;
	h->cmd_line_ptr = CMDLINE_ADDR;
	h->ramdisk_image = vm->initrd_size ? x86.initrd_addr : 0;
	h->ramdisk_size = vm->initrd_size;
	if (h->version >= 0x020e)
		x86.bp.acpi_rsdp_addr = rsdp;
	e820_add(0, EBDA_START, E820_TYPE_RAM);
	e820_add(EBDA_START, 0xa0000 - EBDA_START, E820_TYPE_RESERVED);
	e820_add(ACPI_ADDR, KERNEL_ADDR - ACPI_ADDR, E820_TYPE_RESERVED);
	e820_add(KERNEL_ADDR, vm->ram_size - KERNEL_ADDR, E820_TYPE_RAM);

	if (lcopy(vm, GDT_ADDR, gdt, sizeof(gdt)) ||
	    lcopy(vm, ZERO_PAGE_ADDR, &x86.bp, sizeof(x86.bp)) ||
	    lcopy(vm, CMDLINE_ADDR, vm->cmdline, strlen(vm->cmdline) + 1) ||
	    lcopy(vm, KERNEL_ADDR, vm->kernel + setup_size, x86.pm_size) ||
	    (vm->initrd_size && lcopy(vm, x86.initrd_addr, vm->initrd,
				      vm->initrd_size)))
		return -1;
	trace(&(struct machine){ .verbose = vm->verbose },
	      "x86_64: boot protocol %u.%02u, kernel at 0x%llx (%u bytes, init_size 0x%x), entry 0x%x, initrd at 0x%llx (%zu bytes), ACPI RSDP at 0x%llx",
	      h->version >> 8, h->version & 0xff,
	      (unsigned long long)KERNEL_ADDR, x86.pm_size, h->init_size,
	      h->code32_start, (unsigned long long)x86.initrd_addr,
	      vm->initrd_size, (unsigned long long)rsdp);
	return boot_regs(&vm->vcpu[0]);
}

static uint8_t bcd(int v)
{
	return (v / 10) << 4 | v % 10;
}

/* MC146818 registers: the host's UTC time in BCD, 24-hour mode. */
static uint8_t cmos_read(uint8_t index)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (index & 0x7f) {
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	case 0x32: return bcd(19 + tm.tm_year / 100);
	case 0x0a: return 0x26;		/* no update in progress */
	case 0x0b: return 0x02;		/* 24 hours, BCD, no interrupts */
	case 0x0d: return 0x80;		/* valid RAM and time */
	default: return 0;
	}
}

/* One byte-, word- or dword-sized port access; RUN_AGAIN or a status. */
static int port_io(struct lvm *vm, struct lvcpu *c, uint16_t port, bool out,
		   uint8_t *data, unsigned int size)
{
	uint32_t val = 0;

	memcpy(&val, data, size);
	if (port >= UART_BASE && port < UART_BASE + 8) {
		if (out)
			uart16550_write(&x86.uart, port - UART_BASE, val);
		else
			data[0] = uart16550_read(&x86.uart, port - UART_BASE);
		return RUN_AGAIN;
	}
	switch (port) {
	case I8042_CMD:
		if (out && (val & 0xff) == I8042_RESET) {
			die_msg("the guest reset the machine (keyboard controller reset, port 0x64); hvk-run does not reboot, it stops here");
			return EXIT_RESET;
		}
		if (!out)
			data[0] = 0;	/* both buffers empty */
		return RUN_AGAIN;
	case I8042_DATA:
		if (!out)
			data[0] = 0;
		return RUN_AGAIN;
	case CMOS_INDEX:
		if (out)
			x86.cmos_index = val;
		else
			data[0] = x86.cmos_index;
		return RUN_AGAIN;
	case CMOS_DATA:
		if (!out)
			data[0] = cmos_read(x86.cmos_index);
		return RUN_AGAIN;
	case ACPI_PM1_EVT_PORT:		/* PM1 status: nothing to report */
		if (!out)
			memset(data, 0, size);
		return RUN_AGAIN;
	case ACPI_PM1_EVT_PORT + 2:	/* PM1 enable */
		if (out)
			x86.pm1_en = val;
		else
			memcpy(data, &x86.pm1_en, size < 2 ? size : 2);
		return RUN_AGAIN;
	case ACPI_PM1_CNT_PORT:
		if (!out) {
			val = x86.pm1_cnt | ACPI_PM1_SCI_EN;
			memcpy(data, &val, size);
			return RUN_AGAIN;
		}
		x86.pm1_cnt = val & ~ACPI_PM1_SLP_EN;
		if ((val & ACPI_PM1_SLP_EN) &&
		    ACPI_PM1_SLP_TYP(val) == ACPI_S5_SLP_TYP) {
			trace(&(struct machine){ .verbose = vm->verbose },
			      "vCPU %u: ACPI S5: the guest powered off", c->id);
			return EXIT_POWEROFF;
		}
		if (val & ACPI_PM1_SLP_EN)
			trace(&(struct machine){ .verbose = vm->verbose },
			      "vCPU %u: ACPI sleep type %u is not offered; ignored",
			      c->id, ACPI_PM1_SLP_TYP(val));
		return RUN_AGAIN;
	}
	/* An empty bus: PCI config "no devices", port 0x80, other UARTs. */
	if (!out)
		memset(data, 0xff, size);
	if (port != 0x80 && port != 0xcf8 && port != 0xcfc)
		trace(&(struct machine){ .verbose = vm->verbose },
		      "vCPU %u: %s port 0x%x (%u bytes): no device there", c->id,
		      out ? "write to" : "read from", port, size);
	return RUN_AGAIN;
}

static int handle_io(struct lvm *vm, struct lvcpu *c)
{
	struct kvm_run *run = c->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned int size = run->io.size, i;
	int st = RUN_AGAIN;

	if ((size != 1 && size != 2 && size != 4) ||
	    run->io.data_offset + (uint64_t)run->io.count * size >
	    (uint64_t)vm->run_size)
		return linux_common_exit(vm, c);
	pthread_mutex_lock(&vm->dev_lock);
	for (i = 0; i < run->io.count && st == RUN_AGAIN; i++)
		st = port_io(vm, c, run->io.port,
			     run->io.direction == KVM_EXIT_IO_OUT,
			     data + i * size, size);
	pthread_mutex_unlock(&vm->dev_lock);
	return st;
}

int larch_exit(struct lvm *vm, struct lvcpu *c)
{
	struct kvm_run *run = c->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(vm, c);
	case KVM_EXIT_MMIO:
		/* No MMIO devices here: an empty bus. */
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		trace(&(struct machine){ .verbose = vm->verbose },
		      "vCPU %u: MMIO %s 0x%llx (%u bytes): no device there",
		      c->id, run->mmio.is_write ? "write to" : "read from",
		      (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		return RUN_AGAIN;
	default:
		return linux_common_exit(vm, c);
	}
}

void larch_input(struct lvm *vm, const uint8_t *buf, size_t len)
{
	(void)vm;
	uart16550_input(&x86.uart, buf, len);
}

size_t larch_input_room(struct lvm *vm)
{
	(void)vm;
	return uart16550_room(&x86.uart);
}

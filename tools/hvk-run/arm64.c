// SPDX-License-Identifier: GPL-2.0
/*
 * hvk-run's arm64 machine: RAM at IPA 0x80000000, one vCPU with PSCI 0.2
 * started at EL1 with the MMU off, a PL011-style UART at 0x09000000 and
 * an exit register at 0x09010000 (see README.md). Both devices are MMIO
 * outside any memslot, so every access reaches us as KVM_EXIT_MMIO.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvk-run.h"

const char arch_name[] = "arm64";
const uint64_t arch_ram_base = 0x80000000ULL;
const uint64_t arch_max_mem = 3072 * MIB;

const char arch_usage[] =
"  --x0 VALUE       arm64: x0 at entry (default 0)\n"
"\n"
"arm64 machine: RAM at 0x80000000 (the default load address); the vCPU\n"
"starts at EL1h, MMU off, interrupts masked, sp_el1 at the end of RAM.\n"
"PL011 UART at 0x09000000: bytes written to UARTDR go to stdout, UARTFR\n"
"reads \"TX FIFO empty\". Exit register at 0x09010000: a write ends the\n"
"guest, the low byte written becomes the exit status. PSCI SYSTEM_OFF\n"
"ends the guest with status 0, SYSTEM_RESET with status 4.\n";

#define UART_BASE	0x09000000ULL
#define UART_SIZE	0x1000
#define UARTDR		0x000
#define UARTFR		0x018
#define UARTFR_RXFE	(1U << 4)
#define UARTFR_TXFE	(1U << 7)
#define EXIT_REG	0x09010000ULL

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
			 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(x))

int arch_options(struct options *o, struct machine *m)
{
	(void)m;
	if (o->mode) {
		die_msg("--mode is for x86 guests");
		return -1;
	}
	if (!o->load_set)
		o->load = arch_ram_base;
	return 0;
}

int arch_setup_vm(struct machine *m)
{
	(void)m;
	return 0;
}

static int set_reg(struct machine *m, uint64_t id, uint64_t val,
		   const char *name)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(m->vcpu_fd, KVM_SET_ONE_REG, &reg)) {
		die_msg("KVM_SET_ONE_REG %s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

static int get_reg(struct machine *m, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(m->vcpu_fd, KVM_GET_ONE_REG, &reg);
}

int arch_setup_vcpu(struct machine *m, const struct options *o)
{
	struct kvm_vcpu_init init;

	if (ioctl(m->vm_fd, KVM_ARM_PREFERRED_TARGET, &init)) {
		die_msg("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -1;
	}
	/* PSCI 0.2 gives the guest SYSTEM_OFF and SYSTEM_RESET. */
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(m->vcpu_fd, KVM_ARM_VCPU_INIT, &init)) {
		die_msg("KVM_ARM_VCPU_INIT (target %u, PSCI 0.2): %s",
			init.target, strerror(errno));
		return -1;
	}
	/* PSTATE stays as reset left it: EL1h with D, A, I, F masked. */
	if (set_reg(m, CORE_REG(regs.pc), o->entry, "pc") ||
	    set_reg(m, CORE_REG(regs.regs[0]), o->x0, "x0") ||
	    set_reg(m, CORE_REG(sp_el1), m->ram_base + m->ram_size, "sp_el1"))
		return -1;
	return 0;
}

static uint64_t mmio_value(const struct kvm_run *run)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < run->mmio.len && i < 8; i++)
		v |= (uint64_t)run->mmio.data[i] << (8 * i);
	return v;
}

static int handle_mmio(struct machine *m)
{
	struct kvm_run *run = m->run;
	uint64_t addr = run->mmio.phys_addr;
	bool write = run->mmio.is_write;
	uint32_t val = 0;

	if (addr >= UART_BASE && addr < UART_BASE + UART_SIZE) {
		if (write && addr - UART_BASE == UARTDR)
			guest_putc(run->mmio.data[0]);
		else if (!write && addr - UART_BASE == UARTFR)
			val = UARTFR_TXFE | UARTFR_RXFE;
		/* Other registers: writes ignored, reads 0. */
	} else if (addr == EXIT_REG && write) {
		trace(m, "exit register: status %u",
		      (unsigned int)(mmio_value(run) & 0xff));
		return mmio_value(run) & 0xff;
	} else if (addr != EXIT_REG) {
		trace(m, "MMIO %s 0x%llx (%u bytes): no device there",
		      write ? "write to" : "read from",
		      (unsigned long long)addr, run->mmio.len);
		val = 0xffffffff;	/* reads float high */
	}
	if (!write) {
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		memcpy(run->mmio.data, &val,
		       run->mmio.len < 4 ? run->mmio.len : 4);
	}
	return RUN_AGAIN;
}

int arch_handle_exit(struct machine *m)
{
	if (m->run->exit_reason == KVM_EXIT_MMIO)
		return handle_mmio(m);
	return common_exit(m);
}

void arch_dump_regs(struct machine *m)
{
	static const struct { const char *name; uint64_t id; } sys[] = {
		{ "pc", CORE_REG(regs.pc) },
		{ "pstate", CORE_REG(regs.pstate) },
		{ "sp_el1", CORE_REG(sp_el1) },
		{ "sp_el0", CORE_REG(regs.sp) },
		{ "elr_el1", CORE_REG(elr_el1) },
		/* Trapped-exception state, when the hypervisor exposes it. */
		{ "esr_el1", ARM64_SYS_REG(3, 0, 5, 2, 0) },
		{ "far_el1", ARM64_SYS_REG(3, 0, 6, 0, 0) },
		{ "vbar_el1", ARM64_SYS_REG(3, 0, 12, 0, 0) },
	};
	unsigned int i;
	uint64_t v;

	for (i = 0; i < sizeof(sys) / sizeof(*sys); i++) {
		if (get_reg(m, sys[i].id, &v))
			fprintf(stderr, "  %-8s (%s)\n", sys[i].name,
				strerror(errno));
		else
			fprintf(stderr, "  %-8s 0x%016llx\n", sys[i].name,
				(unsigned long long)v);
	}
	for (i = 0; i < 31; i++) {
		if (get_reg(m, CORE_REG(regs.regs[i]), &v))
			fprintf(stderr, "  x%-2u (%s)", i, strerror(errno));
		else
			fprintf(stderr, "  x%-2u 0x%016llx", i,
				(unsigned long long)v);
		if (i % 3 == 2 || i == 30)
			fputc('\n', stderr);
	}
}

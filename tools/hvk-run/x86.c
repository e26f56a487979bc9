// SPDX-License-Identifier: GPL-2.0
/*
 * hvk-run's x86-64 machine: RAM at guest physical 0, one vCPU started in
 * real, flat 32-bit protected or 64-bit long mode, a 16550-style serial
 * port at 0x3f8 and an exit port at 0x501 (see README.md).
 *
 * For protected and long mode hvk-run writes what the CPU needs for that
 * mode into guest RAM (a GDT with a TSS, identity page tables) and loads
 * the segment and control registers to match, as if a boot loader had
 * just switched modes: the guest starts at its entry point with nothing
 * left to set up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hvk-run.h"

const char arch_name[] = "x86_64";
const uint64_t arch_ram_base = 0;
/* Below the TSS/identity-map pages and the usual 32-bit MMIO hole. */
const uint64_t arch_max_mem = 3072 * MIB;

const char arch_usage[] =
"  --mode MODE      x86: real, prot (flat 32-bit protected) or long\n"
"                   (64-bit, identity-mapped 4 GiB); default long\n"
"\n"
"x86-64 machine: RAM at 0; default load address 0x7c00 in real mode,\n"
"0x100000 in prot and long mode (hvk-run's GDT and page tables use\n"
"0x1000-0x7fff there). Serial port (16550) at 0x3f8: bytes written to\n"
"THR go to stdout, LSR always reads \"transmitter empty\". Exit port\n"
"0x501: an OUT there ends the guest, the low byte written becomes the\n"
"exit status. HLT ends the guest with status 0.\n";

/* Pages KVM's VMX code wants for real-mode emulation; outside RAM. */
#define TSS_ADDR		0xfffbd000ULL
#define IDENTITY_MAP_ADDR	0xfffbc000ULL

/* What hvk-run writes into guest RAM for prot and long mode. */
#define GDT_ADDR		0x1000ULL
#define GUEST_TSS_ADDR		0x1800ULL	/* the guest's own TSS (TR) */
#define PML4_ADDR		0x2000ULL
#define PDPT_ADDR		0x3000ULL
#define PD_ADDR			0x4000ULL	/* 4 pages: 4 GiB in 2 MiB */
#define TABLES_END		0x8000ULL

#define SEL_CODE		0x08
#define SEL_DATA		0x10
#define SEL_TSS			0x18

#define UART_BASE		0x3f8
#define EXIT_PORT		0x501

#define CR0_PE			(1ULL << 0)
#define CR0_ET			(1ULL << 4)
#define CR0_NE			(1ULL << 5)
#define CR0_PG			(1ULL << 31)
#define CR4_PAE			(1ULL << 5)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)
/* IF set: the Bochs lab only returns to the host while guest IF=1. */
#define RFLAGS_INIT		0x202ULL

#define PTE_P			(1ULL << 0)
#define PTE_RW			(1ULL << 1)
#define PTE_PS			(1ULL << 7)

enum { MODE_REAL, MODE_PROT, MODE_LONG };
static const char *const mode_names[] = { "real", "prot", "long" };

/* The 16550's registers a polling driver touches; no interrupts. */
static struct {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
} uart;

int arch_options(struct options *o, struct machine *m)
{
	if (o->x0_set) {
		die_msg("--x0 is for arm64 guests");
		return -1;
	}
	if (!o->mode)
		o->mode = "long";
	for (m->mode = 0; m->mode < 3; m->mode++)
		if (!strcmp(o->mode, mode_names[m->mode]))
			break;
	if (m->mode == 3) {
		die_msg("--mode %s: want real, prot or long", o->mode);
		return -1;
	}
	if (!o->load_set)
		o->load = m->mode == MODE_REAL ? 0x7c00 : 0x100000;
	if (m->mode != MODE_REAL && o->load < TABLES_END) {
		die_msg("--load 0x%llx: in %s mode hvk-run keeps its GDT and page tables at 0x%llx-0x%llx; load at 0x%llx or above",
			(unsigned long long)o->load, o->mode,
			GDT_ADDR, TABLES_END - 1, TABLES_END);
		return -1;
	}
	if (m->mode == MODE_REAL && (o->entry_set ? o->entry : o->load) >=
	    0x100000) {
		die_msg("real mode: the entry point must be below 1 MiB (0x100000)");
		return -1;
	}
	return 0;
}

int arch_setup_vm(struct machine *m)
{
	/* What every x86 KVM client does before it creates vCPUs. */
	if (ioctl(m->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)TSS_ADDR)) {
		die_msg("KVM_SET_TSS_ADDR: %s", strerror(errno));
		return -1;
	}
	if (ioctl(m->vm_fd, KVM_SET_IDENTITY_MAP_ADDR,
		  &(uint64_t){ IDENTITY_MAP_ADDR })) {
		die_msg("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A segment descriptor from its parts (Intel SDM vol. 3, 3.4.5). */
static uint64_t descriptor(uint32_t base, uint32_t limit, uint8_t access,
			   uint8_t flags)
{
	return (limit & 0xffffULL) |
	       ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

static struct kvm_segment flat_segment(uint16_t sel, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel,
		.type = type, .present = 1, .dpl = 0, .s = 1,
		.db = !code64, .l = code64, .g = 1,
	};
}

/*
 * GDT: null, code (64-bit in long mode, else 32-bit), data, then the TSS
 * descriptor (16 bytes in long mode). The descriptors say exactly what
 * the segment registers are loaded with below, so a guest that reloads
 * a selector gets the same segment.
 */
static int write_gdt(struct machine *m, struct kvm_sregs *s, bool lm)
{
	uint64_t *gdt = gpa_to_host(m, GDT_ADDR, 6 * 8);
	/* Access bytes: present, DPL 0, and the segment type. */
	uint8_t code_flags = lm ? 0xa : 0xc;	/* G, and L or D/B */

	if (!gdt || !gpa_to_host(m, GUEST_TSS_ADDR, 0x68))
		return -1;
	memset(gdt, 0, 6 * 8);
	gdt[1] = descriptor(0, 0xfffff, 0x9b, code_flags);
	gdt[2] = descriptor(0, 0xfffff, 0x93, 0xc);
	gdt[3] = descriptor(GUEST_TSS_ADDR, 0x67, 0x8b, 0);
	gdt[4] = 0;	/* long mode: base bits 63:32 of the TSS */
	memset(gpa_to_host(m, GUEST_TSS_ADDR, 0x68), 0, 0x68);

	s->gdt.base = GDT_ADDR;
	s->gdt.limit = (lm ? 5 : 4) * 8 - 1;
	s->cs = flat_segment(SEL_CODE, 11, lm);
	s->ds = s->es = s->fs = s->gs = s->ss = flat_segment(SEL_DATA, 3,
							     false);
	s->tr = (struct kvm_segment){
		.base = GUEST_TSS_ADDR, .limit = 0x67, .selector = SEL_TSS,
		.type = 11, .present = 1,	/* busy TSS, s = 0 */
	};
	s->ldt = (struct kvm_segment){ .type = 2, .unusable = 1 };
	/* No IDT: an exception becomes a triple fault, which we diagnose. */
	s->idt.base = 0;
	s->idt.limit = 0;
	return 0;
}

/* Identity map of the low 4 GiB with 2 MiB pages. */
static int write_page_tables(struct machine *m)
{
	uint64_t *pml4 = gpa_to_host(m, PML4_ADDR, 4096);
	uint64_t *pdpt = gpa_to_host(m, PDPT_ADDR, 4096);
	uint64_t *pd = gpa_to_host(m, PD_ADDR, 4 * 4096);
	unsigned int i;

	if (!pml4 || !pdpt || !pd)
		return -1;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = PDPT_ADDR | PTE_P | PTE_RW;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_ADDR + i * 4096) | PTE_P | PTE_RW;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static void real_segment(struct kvm_segment *seg, uint16_t sel, uint8_t type)
{
	*seg = (struct kvm_segment){
		.base = (uint64_t)sel << 4, .limit = 0xffff, .selector = sel,
		.type = type, .present = 1, .s = 1,
	};
}

/*
 * Give the vCPU the CPUID the hypervisor supports, as clients do. Not a
 * formality: the lab's KVM 6.12 refuses EFER.LME in KVM_SET_SREGS (EINVAL)
 * unless the vCPU's CPUID has long mode (6.1 let it pass). A hypervisor that does not offer
 * KVM_CAP_EXT_CPUID has neither ioctl; its vCPUs keep their default.
 */
static int set_cpuid(struct machine *m)
{
	struct kvm_cpuid2 *c = NULL;
	unsigned int nent = 64;

	if (ioctl(m->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) <= 0) {
		trace(m, "no KVM_CAP_EXT_CPUID: CPUID left as the vCPU has it");
		return 0;
	}
	for (;;) {
		free(c);
		c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		if (!c) {
			die_msg("out of memory");
			return -1;
		}
		c->nent = nent;
		if (!ioctl(m->sys_fd, KVM_GET_SUPPORTED_CPUID, c))
			break;
		if (errno != E2BIG || nent >= 4096) {
			die_msg("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			goto err;
		}
		nent *= 2;
	}
	if (ioctl(m->vcpu_fd, KVM_SET_CPUID2, c)) {
		die_msg("KVM_SET_CPUID2 (%u entries): %s", c->nent,
			strerror(errno));
		goto err;
	}
	free(c);
	return 0;
err:
	free(c);
	return -1;
}

int arch_setup_vcpu(struct machine *m, const struct options *o)
{
	struct kvm_sregs s;
	struct kvm_regs r;
	uint16_t sel;

	if (set_cpuid(m))
		return -1;
	if (ioctl(m->vcpu_fd, KVM_GET_SREGS, &s)) {
		die_msg("KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.rflags = RFLAGS_INIT;
	/* The stack grows down from below the image. */
	r.rsp = o->load;
	r.rip = o->entry;
	s.cr0 = CR0_ET;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;

	switch (m->mode) {
	case MODE_REAL:
		/* Every segment is the 64 KiB one that holds the entry. */
		sel = (o->entry >> 4) & 0xf000;
		real_segment(&s.cs, sel, 11);
		real_segment(&s.ds, sel, 3);
		s.es = s.fs = s.gs = s.ss = s.ds;
		r.rip = o->entry & 0xffff;
		r.rsp = o->load & 0xffff;
		break;
	case MODE_PROT:
		if (write_gdt(m, &s, false))
			goto no_room;
		s.cr0 |= CR0_PE | CR0_NE;
		break;
	case MODE_LONG:
		if (write_gdt(m, &s, true) || write_page_tables(m))
			goto no_room;
		s.cr0 |= CR0_PE | CR0_NE | CR0_PG;
		s.cr3 = PML4_ADDR;
		s.cr4 = CR4_PAE;
		s.efer = EFER_LME | EFER_LMA;
		break;
	}
	if (ioctl(m->vcpu_fd, KVM_SET_SREGS, &s)) {
		die_msg("KVM_SET_SREGS (%s mode): %s", mode_names[m->mode],
			strerror(errno));
		return -1;
	}
	if (ioctl(m->vcpu_fd, KVM_SET_REGS, &r)) {
		die_msg("KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	return 0;
no_room:
	die_msg("RAM too small for the GDT and page tables");
	return -1;
}

static uint8_t uart_in(unsigned int reg)
{
	bool dlab = uart.lcr & 0x80;

	switch (reg) {
	case 0:
		return dlab ? uart.dll : 0;	/* RBR: nothing received */
	case 1:
		return dlab ? uart.dlm : uart.ier;
	case 2:
		return 0x01;			/* IIR: no interrupt pending */
	case 3:
		return uart.lcr;
	case 4:
		return uart.mcr;
	case 5:
		return 0x60;			/* LSR: THRE | TEMT */
	case 6:
		return 0xb0;			/* MSR: DCD, DSR, CTS */
	default:
		return uart.scr;
	}
}

static void uart_out(unsigned int reg, uint8_t v)
{
	bool dlab = uart.lcr & 0x80;

	switch (reg) {
	case 0:
		if (dlab)
			uart.dll = v;
		else
			guest_putc(v);		/* THR */
		break;
	case 1:
		if (dlab)
			uart.dlm = v;
		else
			uart.ier = v;
		break;
	case 3:
		uart.lcr = v;
		break;
	case 4:
		uart.mcr = v;
		break;
	case 7:
		uart.scr = v;
		break;
	default:
		break;				/* FCR, read-only LSR/MSR */
	}
}

static int handle_io(struct machine *m)
{
	struct kvm_run *run = m->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	uint16_t port = run->io.port;
	uint32_t i, size = run->io.size;

	if (run->io.data_offset + (uint64_t)size * run->io.count >
	    (uint64_t)m->run_size) {
		die_msg("KVM_EXIT_IO: data outside kvm_run (offset %llu)",
			(unsigned long long)run->io.data_offset);
		return EXIT_GUEST_FAILED;
	}
	if (out && port == EXIT_PORT) {
		trace(m, "exit port 0x%x: status %u", port, data[0]);
		return data[0];
	}
	for (i = 0; i < run->io.count; i++, data += size) {
		if (port >= UART_BASE && port < UART_BASE + 8) {
			/* Byte registers; wider accesses use the low byte. */
			if (out) {
				uart_out(port - UART_BASE, data[0]);
			} else {
				memset(data, 0, size);
				data[0] = uart_in(port - UART_BASE);
			}
			continue;
		}
		/* Nothing else on the bus: reads float high. */
		trace(m, "%s port 0x%x (size %u): no device there",
		      out ? "out to" : "in from", port, size);
		if (!out)
			memset(data, 0xff, size);
	}
	return RUN_AGAIN;
}

int arch_handle_exit(struct machine *m)
{
	struct kvm_run *run = m->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(m);
	case KVM_EXIT_HLT:
		trace(m, "the guest executed HLT: status 0");
		return 0;
	case KVM_EXIT_MMIO:
		trace(m, "MMIO %s 0x%llx (%u bytes): no device there",
		      run->mmio.is_write ? "write to" : "read from",
		      (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		return RUN_AGAIN;
	default:
		return common_exit(m);
	}
}

static void dump_segment(const char *name, const struct kvm_segment *s)
{
	fprintf(stderr, "  %-3s sel 0x%04x base 0x%llx limit 0x%x type %u s %u dpl %u p %u db %u l %u g %u%s\n",
		name, s->selector, (unsigned long long)s->base, s->limit,
		s->type, s->s, s->dpl, s->present, s->db, s->l, s->g,
		s->unusable ? " unusable" : "");
}

void arch_dump_regs(struct machine *m)
{
	static const char *const names[16] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	};
	struct kvm_sregs s;
	struct kvm_regs r;
	__u64 *gpr = &r.rax;
	uint64_t lin;
	uint8_t *code;
	unsigned int i;

	if (ioctl(m->vcpu_fd, KVM_GET_REGS, &r)) {
		fprintf(stderr, "  (KVM_GET_REGS: %s)\n", strerror(errno));
		return;
	}
	fprintf(stderr, "  rip 0x%016llx  rflags 0x%llx\n",
		(unsigned long long)r.rip, (unsigned long long)r.rflags);
	for (i = 0; i < 16; i++)
		fprintf(stderr, "  %-3s 0x%016llx%s", names[i],
			(unsigned long long)gpr[i], i % 4 == 3 ? "\n" : "");
	if (ioctl(m->vcpu_fd, KVM_GET_SREGS, &s)) {
		fprintf(stderr, "  (KVM_GET_SREGS: %s)\n", strerror(errno));
		return;
	}
	fprintf(stderr, "  cr0 0x%llx cr2 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx\n",
		(unsigned long long)s.cr0, (unsigned long long)s.cr2,
		(unsigned long long)s.cr3, (unsigned long long)s.cr4,
		(unsigned long long)s.efer);
	dump_segment("cs", &s.cs);
	dump_segment("ss", &s.ss);
	dump_segment("ds", &s.ds);
	dump_segment("tr", &s.tr);
	fprintf(stderr, "  gdt base 0x%llx limit 0x%x  idt base 0x%llx limit 0x%x\n",
		(unsigned long long)s.gdt.base, s.gdt.limit,
		(unsigned long long)s.idt.base, s.idt.limit);
	/* Paging, if on, is hvk-run's identity map: linear = physical. */
	lin = s.cs.base + r.rip;
	code = gpa_to_host(m, lin, 16);
	if (code) {
		fprintf(stderr, "  code at 0x%llx:",
			(unsigned long long)lin);
		for (i = 0; i < 16; i++)
			fprintf(stderr, " %02x", code[i]);
		fputc('\n', stderr);
	}
}

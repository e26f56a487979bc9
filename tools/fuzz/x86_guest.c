// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 guests: memory layouts, CPU modes entered through
 * KVM_SET_SREGS, guest code drawn from random bytes and from a small
 * instruction table, and the answers to their exits.
 *
 * A guest uses one slot of at least 64 KiB at base B (any page-aligned
 * gpa): GDT at B, IDT/IVT at B+0x1000, identity page tables (4 GiB, 2 MiB
 * pages, A/D preset) at B+0x2000, exception stubs (OUT of the vector to
 * port 0x41, HLT) at B+0x8000, stack below B+0xa000, code from B+0xa000,
 * HLT everywhere else.
 *
 * The in-tree KVM in the Bochs lab is not interrupted while the guest
 * runs with RFLAGS.IF=0 (LAB.md), so under --kvm a guest starts with
 * IF=1, its code has no CLI/POPF/IRET/SYSRET bytes, an exception stub's
 * report or a HLT with IF=0 restarts it with IF=1.
 * hvk must end any guest with its preemption timer: there IF is random
 * and CLI is in the table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "fuzz.h"
#include "x86.h"
#include "libhvk.h"

#define PORT_EXC	0x41
#define L_GDT		0x0000
#define L_IDT		0x1000
#define L_PML4		0x2000
#define L_PDPT		0x3000
#define L_PD		0x4000
#define L_STUBS		0x8000
#define L_STACK		0xa000
#define L_CODE		0xa000
#define L_MIN		0x10000

enum { M_REAL = HVK_X86_REAL, M_PROT = HVK_X86_PROT32,
       M_LONG = HVK_X86_LONG64 };

/* ---- guest code ---- */

struct code {
	uint8_t *p;
	size_t n, max;
	uint64_t base;		/* linear address of p[0] */
	int mode;
};

static void emit(struct code *k, const void *b, size_t n)
{
	if (k->n + n > k->max)
		return;
	memcpy(k->p + k->n, b, n);
	k->n += n;
}

static void emit1(struct code *k, uint8_t b)
{
	emit(k, &b, 1);
}

/* mov r32, imm32 (reg 0 eax .. 7 edi); 0x66 in real mode. */
static void mov_imm(struct code *k, int reg, uint32_t v)
{
	if (k->mode == M_REAL)
		emit1(k, 0x66);
	emit1(k, 0xb8 + reg);
	emit(k, &v, 4);
}

static const uint32_t ports[] = { 0x3f8, 0x501, 0x70, 0x80, 0x92, 0xcf8,
				  0xcfc, 0x60, 0x64, 0x20, 0xffff };

static void insn(struct code *k, uint64_t *r, uint64_t B)
{
	static const uint8_t simple[][5] = {
		{ 1, 0xf4 },			/* hlt */
		{ 3, 0x0f, 0x01, 0xc1 },	/* vmcall */
		{ 3, 0x0f, 0x01, 0xd9 },	/* vmmcall: #UD */
		{ 2, 0x0f, 0xa2 },		/* cpuid */
		{ 2, 0x0f, 0x32 },		/* rdmsr */
		{ 2, 0x0f, 0x30 },		/* wrmsr */
		{ 2, 0x0f, 0x31 },		/* rdtsc */
		{ 3, 0x0f, 0x01, 0xf9 },	/* rdtscp */
		{ 2, 0x0f, 0x33 },		/* rdpmc */
		{ 2, 0x0f, 0x08 },		/* invd */
		{ 2, 0x0f, 0x09 },		/* wbinvd */
		{ 3, 0x0f, 0x01, 0xd1 },	/* xsetbv */
		{ 3, 0x0f, 0x01, 0xd0 },	/* xgetbv */
		{ 2, 0x0f, 0x0b },		/* ud2 */
		{ 1, 0xcc },			/* int3 */
		{ 2, 0xcd, 0x80 },		/* int 0x80 */
		{ 2, 0xf3, 0x90 },		/* pause */
		{ 1, 0xfb },			/* sti */
		{ 2, 0xeb, 0xfe },		/* jmp . */
		{ 3, 0x0f, 0x22, 0xc0 },	/* mov cr0, eax */
		{ 3, 0x0f, 0x22, 0xd8 },	/* mov cr3, eax */
		{ 3, 0x0f, 0x22, 0xe0 },	/* mov cr4, eax */
		{ 3, 0x0f, 0x20, 0xc0 },	/* mov eax, cr0 */
		{ 3, 0x0f, 0x23, 0xf8 },	/* mov dr7, eax */
		{ 3, 0x0f, 0x21, 0xf0 },	/* mov eax, dr6 */
		{ 2, 0x0f, 0x06 },		/* clts */
		{ 3, 0x0f, 0x01, 0xf0 },	/* lmsw ax */
		{ 3, 0x0f, 0x01, 0x3b },	/* invlpg [ebx] */
		{ 3, 0x0f, 0x01, 0x13 },	/* lgdt [ebx] */
		{ 3, 0x0f, 0x01, 0x1b },	/* lidt [ebx] */
		{ 4, 0xf3, 0x0f, 0xc7, 0x33 },	/* vmxon [ebx] */
		{ 2, 0x0f, 0x37 },		/* getsec */
		{ 3, 0x0f, 0xae, 0x03 },	/* fxsave [ebx] */
		{ 3, 0x0f, 0xae, 0x13 },	/* ldmxcsr [ebx] */
		{ 2, 0xdb, 0xe3 },		/* fninit */
		{ 2, 0x0f, 0x05 },		/* syscall */
		{ 2, 0x0f, 0x34 },		/* sysenter */
		{ 3, 0x64, 0x8b, 0x03 },	/* mov eax, fs:[ebx] (MMIO) */
		{ 3, 0x64, 0x89, 0x03 },	/* mov fs:[ebx], eax */
		{ 3, 0x64, 0x88, 0x03 },	/* mov fs:[ebx], al */
		{ 4, 0x64, 0x0f, 0xb6, 0x03 },	/* movzx eax, byte fs:[ebx] */
		{ 4, 0x64, 0x0f, 0xbf, 0x03 },	/* movsx eax, word fs:[ebx] */
		{ 3, 0xf3, 0x64, 0xa4 },	/* rep movsb es:[edi], fs:[esi] */
		{ 3, 0xf3, 0x64, 0xac },	/* rep lodsb fs:[esi] */
		{ 2, 0x89, 0x03 },		/* mov [ebx], eax (self-modify) */
		{ 1, 0xee },			/* out dx, al */
		{ 1, 0xef },			/* out dx, eax */
		{ 1, 0xec },			/* in al, dx */
		{ 2, 0x66, 0xed },		/* in ax, dx */
		{ 1, 0x6e },			/* outsb */
		{ 2, 0xf3, 0x6c },		/* rep insb */
		{ 3, 0xf3, 0x66, 0x6f },	/* rep outsw */
		{ 1, 0xfa },			/* cli: hvk only */
		{ 1, 0x9d },			/* popf: hvk only */
		{ 1, 0xcf },			/* iret: hvk only */
	};
	const int nsimple = sizeof(simple) / sizeof(simple[0]);
	const int kvm_ok = nsimple - 3;
	uint64_t x = rnd(r);
	uint32_t v;
	int i;

	switch (x % 8) {
	case 0:	/* a register value first: an MSR index, CR value, port */
		switch ((x >> 3) % 4) {
		case 0:
			mov_imm(k, 1, x86_msrs[(x >> 8) % x86_nmsrs]);	/* ecx */
			mov_imm(k, 0, x86_boundary(x >> 16));
			break;
		case 1:
			mov_imm(k, 2, ports[(x >> 8) % 11]);	/* edx */
			break;
		case 2:	/* ebx: near the code, a table, the stubs */
			mov_imm(k, 3, B + ((x >> 8) % L_MIN));
			break;
		default:
			mov_imm(k, (x >> 8) % 8 == 4 ? 0 : (x >> 8) % 8,
				x86_boundary(x >> 16));
			break;
		}
		break;
	case 1:	/* out/in imm8 */
		emit1(k, (x >> 3) & 1 ? 0xe6 : 0xe4);
		emit1(k, x >> 8);
		break;
	case 2:	/* mode switches */
		if (k->mode == M_REAL) {
			/* mov eax,cr0; or al,1; mov cr0,eax; jmp far 8:next */
			static const uint8_t pe[] = { 0x0f, 0x20, 0xc0, 0x0c,
						      0x01, 0x0f, 0x22, 0xc0,
						      0x66, 0xea };
			emit(k, pe, sizeof(pe));
			v = k->base + k->n + 6;
			emit(k, &v, 4);
			emit1(k, 0x08);
			emit1(k, 0x00);
			k->mode = M_PROT;
		} else if (k->mode == M_PROT) {
			/* PAE, EFER.LME, CR3, PG, jmp far 0x18:next */
			mov_imm(k, 0, 0x620);
			emit(k, "\x0f\x22\xe0", 3);
			mov_imm(k, 1, 0xc0000080);
			emit(k, "\x0f\x32\x0d\x00\x01\x00\x00\x0f\x30", 9);
			mov_imm(k, 0, B + L_PML4);
			emit(k, "\x0f\x22\xd8", 3);
			mov_imm(k, 0, 0x80000011);
			emit(k, "\x0f\x22\xc0\xea", 4);
			v = k->base + k->n + 6;
			emit(k, &v, 4);
			emit1(k, 0x18);
			emit1(k, 0x00);
			k->mode = M_LONG;
		} else {
			emit(k, "\x0f\x20\xc0", 3);	/* CR0.PG off: #GP */
			emit(k, "\x25\xff\xff\xff\x7f\x0f\x22\xc0", 8);
		}
		break;
	case 3: /* random bytes */
		for (i = 0; i < 1 + (int)((x >> 3) % 8); i++)
			emit1(k, x >> (8 + 8 * i));
		break;
	default:
		i = (x >> 3) % (cfg.kvm ? kvm_ok : nsimple);
		emit(k, &simple[i][1], simple[i][0]);
		break;
	}
}

/*
 * The guest's tables (libhvk's flat GDT, identity page tables with A/D
 * preset so the CPU never writes them) and its exception stubs: OUT of
 * the vector to PORT_EXC, then HLT, every vector on one.
 */
static void write_tables(uint8_t *h, uint64_t B, int mode)
{
	int v;

	memset(h, 0, L_STUBS);
	hvk_x86_write_gdt(h + L_GDT);
	hvk_x86_write_page_tables(h + L_PML4, B + L_PML4, 1);
	memset(h + L_STUBS, 0xf4, L_STACK - L_STUBS);
	for (v = 0; v < 32; v++) {
		uint8_t *p = h + L_STUBS + v * 16;

		p[0] = 0xb0;		/* mov al, v */
		p[1] = v;
		p[2] = 0xe6;		/* out PORT_EXC, al */
		p[3] = PORT_EXC;
	}
	for (v = 0; v < 256; v++)
		hvk_x86_set_gate(h + L_IDT, (enum hvk_x86_mode)mode, v,
				 B + L_STUBS + (v & 31) * 16, B + L_STUBS);
}

/* The MMIO area FS points at: past the slot, another slot, far away. */
static uint64_t mmio_base(struct vm *vm, struct slot *sl, uint64_t r,
			  int real)
{
	switch (r % 4) {
	case 0:
		return sl->gpa + sl->size;
	case 1:
		return other_slot_gpa(vm, sl, 0xe0000);
	case 2:
		return real ? 0xa0000 : 0xfee00000;
	default:
		return real ? ((r >> 8) % 0x10000) << 4 :
		       (r >> 8) & 0xfffff000;
	}
}

void arch_guest(struct st *s, struct vm *vm, struct vcpu *c,
		const struct op *o)
{
	struct hvk_x86_layout l;
	struct kvm_sregs sr;
	struct kvm_regs regs;
	struct code k;
	struct slot *sl;
	uint64_t r = o->a[3], B, fs;
	uint8_t *h;
	int i, mode;

	/* The slot: a[2] picks among slots backed by mapped memory. */
	sl = guest_slot(s, vm, o->a[2], L_MIN, 0xffff0000ULL);
	if (!sl)
		return;
	B = sl->gpa;
	h = (uint8_t *)(uintptr_t)sl->hva;
	mode = o->a[0] % 3;
	if (mode == M_REAL && B + L_MIN > 0x100000)
		mode = M_PROT;
	ncalls++;
	if (mprotect(h, sl->size, PROT_READ | PROT_WRITE))
		fail("mprotect: %s", strerror(errno));
	write_tables(h, B, mode);
	memset(h + L_CODE, 0xf4, sl->size - L_CODE);
	k.p = h + L_CODE;
	k.n = 0;
	k.max = 16 + o->a[1] % 2048;
	if (k.max > sl->size - L_CODE)
		k.max = sl->size - L_CODE;
	k.base = B + L_CODE;
	k.mode = mode;
	while (k.n + 48 < k.max)
		insn(&k, &r, B);
	if (cfg.kvm) {	/* no way to IF=0 (see the top of the file) */
		for (i = 0; i < (int)k.n; i++)
			if (k.p[i] == 0xfa || k.p[i] == 0x9d ||
			    k.p[i] == 0xcf || (i && k.p[i - 1] == 0x0f &&
					       k.p[i] == 0x07))
				k.p[i] = 0x90;
	}

	/* The CPU mode. */
	if (xioctl(c->fd, KVM_GET_SREGS, (unsigned long)&sr))
		return;
	fs = mmio_base(vm, sl, o->a[0] >> 8, mode == M_REAL);
	l.code = B + L_CODE;
	l.data = mode == M_REAL ? B + L_STUBS + 0x1000 : 0;
	l.fs = mode == M_REAL ? fs & 0xffff0 : fs;
	l.gs = l.data;
	l.gdt = B + L_GDT;
	l.ivt = l.idt = B + L_IDT;
	l.pml4 = B + L_PML4;
	hvk_x86_mode_sregs(&sr, (enum hvk_x86_mode)mode, &l);
	if (mode == M_REAL)
		sr.cr0 = 0x10;	/* ET only: caching on */
	if (xioctl(c->fd, KVM_SET_SREGS, (unsigned long)&sr) && !vm->dirty &&
	    !c->ran)
		fail("KVM_SET_SREGS to %s mode: %s", mode == M_REAL ? "real" :
		     mode == M_PROT ? "protected" : "long", strerror(errno));

	memset(&regs, 0, sizeof(regs));
	for (i = 0; i < 16; i++)
		((uint64_t *)&regs)[i] = rnd(&r) % (i == 1 ? 17 : 0x10000);
	regs.rdx = ports[rnd(&r) % 11];
	regs.rsp = mode == M_REAL ? L_STACK - L_STUBS - 0x1000 : B + L_STACK;
	regs.rip = mode == M_REAL ? 0 : B + L_CODE;
	regs.rflags = 0x202;
	if (!cfg.kvm && (o->a[1] & 0x1000))
		regs.rflags = 0x2 | (rnd(&r) & 0x40dd5);	/* IF/AC/TF... */
	if (xioctl(c->fd, KVM_SET_REGS, (unsigned long)&regs) && !vm->dirty)
		fail("KVM_SET_REGS at the guest's entry: %s", strerror(errno));
	c->entry = regs.rip;
	c->mode = mode;
}

/* ---- exits ---- */

int arch_exit_ok(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_IO:
	case KVM_EXIT_MMIO:
	case KVM_EXIT_HLT:
	case KVM_EXIT_SHUTDOWN:
	case KVM_EXIT_FAIL_ENTRY:
	case KVM_EXIT_INTERNAL_ERROR:
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return 1;
	default:
		return 0;
	}
}

/* Back to the entry with IF=1 (after an exception stub's report). */
static void restart(struct vcpu *c)
{
	struct kvm_regs regs;

	if (xioctl(c->fd, KVM_GET_REGS, (unsigned long)&regs))
		return;
	regs.rip = c->entry;
	regs.rflags = 0x202;
	xioctl(c->fd, KVM_SET_REGS, (unsigned long)&regs);
}

int arch_exit(struct vm *vm, struct vcpu *c, uint64_t *r)
{
	struct kvm_run *run = c->run;
	struct kvm_regs regs;
	uint64_t n;

	(void)vm;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		n = (uint64_t)run->io.size * run->io.count;
		if (run->io.data_offset < sizeof(*run) ||
		    run->io.data_offset + n > (uint64_t)run_area)
			fail("KVM_EXIT_IO: data at %#llx, %llu bytes: outside "
			     "the run area", (unsigned long long)
			     run->io.data_offset, (unsigned long long)n);
		if (run->io.direction == KVM_EXIT_IO_IN)
			memcpy((uint8_t *)run + run->io.data_offset,
			       scratch(rnd(r), n), n);
		else if (run->io.port == PORT_EXC)
			restart(c);
		return 0;
	case KVM_EXIT_MMIO:
		if (run->mmio.len < 1 || run->mmio.len > 8)
			fail("KVM_EXIT_MMIO: len %u", run->mmio.len);
		if (!run->mmio.is_write) {
			n = rnd(r);
			memcpy(run->mmio.data, &n, 8);
		}
		return 0;
	case KVM_EXIT_HLT:
		/* A halted stub or guest with IF=0 must not go on (Bochs). */
		if (cfg.kvm && !xioctl(c->fd, KVM_GET_REGS,
				       (unsigned long)&regs) &&
		    !(regs.rflags & 0x200))
			restart(c);
		return 0;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return 0;
	default:
		return 1;
	}
}


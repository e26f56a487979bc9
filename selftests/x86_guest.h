/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest set-up for the x86-64 guest-execution selftests (x86_*_test.c).
 *
 * A test VM has one memslot (slot 0) of XG_MEM_SIZE bytes at gpa 0 with a
 * fixed layout, one or two vCPUs given KVM_GET_SUPPORTED_CPUID's table
 * (VMX bit cleared: hvk offers no nested VMX), and enters its guest in
 * real mode, flat 32-bit protected mode or 64-bit long mode through
 * KVM_SET_SREGS and KVM_SET_REGS, the way KVM clients do. The guest code
 * is an asm blob of the test file, copied to XG_CODE.
 *
 * Segment bases are the same in every mode, so that one asm body runs in
 * all three: CS at XG_CODE in real mode (flat elsewhere), DS/ES/SS at 0,
 * FS at XG_MMIO (no memslot: every access exits) and GS at XG_RO (where a
 * test may put a KVM_MEM_READONLY slot). Guest data addresses (XG_RES,
 * XG_BUF) are below 64 KiB and so reachable as DS offsets in real mode.
 *
 * Only the KVM ABI hvk offers is used: KVM_CREATE_VM type 0,
 * KVM_SET_TSS_ADDR, KVM_SET_USER_MEMORY_REGION, KVM_CREATE_VCPU, the
 * kvm_run mmap, KVM_RUN, KVM_GET/SET_REGS, SREGS, MSRS, FPU,
 * KVM_GET_SUPPORTED_CPUID and KVM_SET_CPUID2. No in-kernel irqchip.
 *
 * Helpers return 0 or -1 with errno set; xg_step then names the step that
 * failed, for the test's message. Include after kselftest_harness.h and
 * lib.h.
 */
#ifndef HVK_SELFTESTS_X86_GUEST_H
#define HVK_SELFTESTS_X86_GUEST_H

#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

/* Guest physical layout of slot 0. */
#define XG_MEM_SIZE	0x80000	/* slot 0: gpa 0 .. 512 KiB */
#define XG_PML4		0x1000	/* long mode: PML4, PDPT, 4 PDs */
#define XG_PDPT		0x2000
#define XG_PD		0x3000	/* 4 pages: 2 MiB pages up to 4 GiB */
#define XG_GDT		0x7000
#define XG_IDT		0x8000	/* real mode uses the IVT at 0 */
#define XG_RES		0x9000	/* results the guest stores */
#define XG_BUF		0xa000	/* scratch buffers (string I/O) */
#define XG_STACK	0xf000	/* vCPU 0's stack top */
#define XG_STACK1	0xe000	/* vCPU 1's stack top */
#define XG_CODE		0x10000	/* guest code (real mode: CS base) */
#define XG_CODE_MAX	0x60000
/* Outside slot 0; FS base in every mode. Nothing is mapped here. */
#define XG_MMIO		0xe0000
/* GS base in every mode; a test may give it a (read-only) slot. */
#define XG_RO		0x80000
#define XG_RO_SIZE	0x10000
/* Where KVM clients put the real-mode TSS: just below the BIOS. */
#define XG_TSS_ADDR	0xfffbd000

/* A layout constant as asm text, for the guest blobs. */
#define XG_STR_(x)	#x
#define XG_STR(x)	XG_STR_(x)

/* The port an exception stub reports its vector on (XG_ASM_PRELUDE). */
#define XG_PORT_EXC	0x41
#define XG_STUBS_SIZE	(32 * 16)

/*
 * Start of a test file's guest asm: RES and BUF as asm symbols, and the
 * exc_stubs macro: 32 stubs of 16 bytes (place it 16-byte aligned), stub
 * v doing OUT of v to XG_PORT_EXC, then HLT; xg_set_gate() points the
 * IDT at them, so a test sees which exception the guest took.
 */
#define XG_ASM_PRELUDE							\
"	.set RES, " XG_STR(XG_RES) "\n"					\
"	.set BUF, " XG_STR(XG_BUF) "\n"					\
"	.macro exc_stubs\n"						\
"	.set vec, 0\n"							\
"	.rept 32\n"							\
"	.balign 16\n"							\
"	mov $vec, %al\n"						\
"	outb %al, $" XG_STR(XG_PORT_EXC) "\n"				\
"	hlt\n"								\
"	.set vec, vec + 1\n"						\
"	.endr\n"							\
"	.balign 16\n"							\
"	.endm\n"

/* Point all 32 exception vectors of @mode at the exc_stubs at @stubs. */
#define XG_SET_STUBS(g, mode, stubs) do {				\
	int __v;							\
	for (__v = 0; __v < 32; __v++)					\
		xg_set_gate(g, mode, __v, (stubs) + __v * 16);		\
} while (0)

/* GDT selectors (XG_GDT). */
#define XG_SEL_CODE32	0x08
#define XG_SEL_DATA	0x10
#define XG_SEL_CODE64	0x18

/* Architectural bits the set-up uses. */
#define XG_CR0_PE	(1UL << 0)
#define XG_CR0_ET	(1UL << 4)
#define XG_CR0_PG	(1UL << 31)
#define XG_CR4_PAE	(1UL << 5)
#define XG_CR4_OSFXSR	(1UL << 9)
#define XG_CR4_OSXMMEXCPT (1UL << 10)
#define XG_EFER_SCE	(1UL << 0)
#define XG_EFER_LME	(1UL << 8)
#define XG_EFER_LMA	(1UL << 10)
#define XG_EFER_NX	(1UL << 11)
#define XG_RFLAGS_IF	0x202UL		/* IF and the always-one bit 1 */

/* KVM hypercalls' "no such hypercall" (uapi/linux/kvm_para.h). */
#define XG_KVM_ENOSYS	1000

#define XG_MAX_CPUID	128

enum xg_mode {
	XG_REAL,
	XG_PROT32,
	XG_LONG64,
};

static inline const char *xg_mode_name(enum xg_mode m)
{
	return m == XG_REAL ? "real mode" :
	       m == XG_PROT32 ? "32-bit protected mode" : "64-bit long mode";
}

struct xg_vcpu {
	int fd;
	struct kvm_run *run;
};

struct xg {
	int sys;		/* device fd: GET_SUPPORTED_CPUID, mmap size */
	int vm;
	long run_size;
	uint8_t *mem;		/* slot 0's backing */
	int nr_cpus;
	struct xg_vcpu cpu[4];
};

/* The step of the last helper that failed, for messages. */
static const char *xg_step = "none";

static inline int xg_fail(const char *step)
{
	xg_step = step;
	return -1;
}

static inline void *xg_gpa(struct xg *g, uint64_t gpa)
{
	return g->mem + gpa;
}

/*
 * KVM_GET_SUPPORTED_CPUID into @c (XG_MAX_CPUID entries); the caller
 * frees it.
 */
static inline struct kvm_cpuid2 *xg_supported_cpuid(int sys)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) +
		   XG_MAX_CPUID * sizeof(struct kvm_cpuid_entry2));
	if (!c)
		return NULL;
	c->nent = XG_MAX_CPUID;
	if (ioctl(sys, KVM_GET_SUPPORTED_CPUID, c)) {
		free(c);
		return NULL;
	}
	return c;
}

static inline struct kvm_cpuid_entry2 *
xg_cpuid_entry(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    (!(c->entries[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     c->entries[i].index == idx))
			return &c->entries[i];
	return NULL;
}

/*
 * The table a test vCPU gets: what the device supports, without VMX
 * (CPUID.1:ECX bit 5). KVM with nested=1 offers VMX to its guests; hvk
 * does not, and the VMX-instruction test wants #UD from both.
 */
static inline struct kvm_cpuid2 *xg_guest_cpuid(int sys)
{
	struct kvm_cpuid2 *c = xg_supported_cpuid(sys);
	struct kvm_cpuid_entry2 *e;

	if (c && (e = xg_cpuid_entry(c, 1, 0)))
		e->ecx &= ~(1U << 5);
	return c;
}

static inline int xg_add_vcpu(struct xg *g, int id)
{
	struct kvm_cpuid2 *c;
	struct xg_vcpu *v;
	int r;

	if (g->nr_cpus >= (int)(sizeof(g->cpu) / sizeof(g->cpu[0]))) {
		errno = ENOSPC;
		return xg_fail("too many vCPUs for struct xg");
	}
	v = &g->cpu[g->nr_cpus];
	v->fd = ioctl(g->vm, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return xg_fail("KVM_CREATE_VCPU");
	v->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		close(v->fd);
		return xg_fail("mmap of kvm_run");
	}
	g->nr_cpus++;
	/* KVM checks EFER.LME against the guest's CPUID: set it first. */
	c = xg_guest_cpuid(g->sys);
	if (!c)
		return xg_fail("KVM_GET_SUPPORTED_CPUID");
	r = ioctl(v->fd, KVM_SET_CPUID2, c);
	free(c);
	if (r)
		return xg_fail("KVM_SET_CPUID2");
	return 0;
}

/* A VM with slot 0 (zeroed) and no vCPU. */
static inline int xg_create_vm(struct xg *g)
{
	memset(g, 0, sizeof(*g));
	g->vm = -1;
	g->mem = MAP_FAILED;
	g->sys = hvk_open_dev();
	if (g->sys < 0)
		return xg_fail("open the device");
	g->run_size = ioctl(g->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (g->run_size <= 0)
		return xg_fail("KVM_GET_VCPU_MMAP_SIZE");
	g->vm = ioctl(g->sys, KVM_CREATE_VM, 0);
	if (g->vm < 0)
		return xg_fail("KVM_CREATE_VM");
	if (ioctl(g->vm, KVM_SET_TSS_ADDR, (unsigned long)XG_TSS_ADDR))
		return xg_fail("KVM_SET_TSS_ADDR");
	g->mem = hvk_alloc(XG_MEM_SIZE);
	if (g->mem == MAP_FAILED)
		return xg_fail("mmap of guest memory");
	if (hvk_set_region(g->vm, 0, 0, 0, XG_MEM_SIZE, (uintptr_t)g->mem))
		return xg_fail("KVM_SET_USER_MEMORY_REGION(slot 0)");
	return 0;
}

/* A VM with slot 0 and vCPU 0. */
static inline int xg_create(struct xg *g)
{
	if (xg_create_vm(g))
		return -1;
	return xg_add_vcpu(g, 0);
}

static inline void xg_destroy(struct xg *g)
{
	int i;

	for (i = 0; i < g->nr_cpus; i++) {
		munmap(g->cpu[i].run, g->run_size);
		close(g->cpu[i].fd);
	}
	g->nr_cpus = 0;
	if (g->vm >= 0)
		close(g->vm);
	if (g->sys >= 0)
		close(g->sys);
	if (g->mem != MAP_FAILED)
		munmap(g->mem, XG_MEM_SIZE);
	g->vm = g->sys = -1;
	g->mem = MAP_FAILED;
}

/* Copy the code blob [start, end) to XG_CODE. */
static inline int xg_load(struct xg *g, const char *start, const char *end)
{
	if (end - start > (long)XG_CODE_MAX) {
		errno = E2BIG;
		return xg_fail("guest code larger than XG_CODE_MAX");
	}
	memcpy(xg_gpa(g, XG_CODE), start, end - start);
	return 0;
}

/* The gpa of @label in a blob loaded at XG_CODE. */
#define XG_ADDR(start, label) (XG_CODE + (uint64_t)((label) - (start)))

/* Flat 4 GiB GDT entries and identity page tables (2 MiB pages). */
static inline void xg_write_tables(struct xg *g)
{
	uint64_t *gdt = xg_gpa(g, XG_GDT);
	uint64_t *pml4 = xg_gpa(g, XG_PML4);
	uint64_t *pdpt = xg_gpa(g, XG_PDPT);
	uint64_t *pd = xg_gpa(g, XG_PD);
	int i;

	gdt[0] = 0;
	gdt[XG_SEL_CODE32 / 8] = 0x00cf9b000000ffffULL;	/* code, D, G */
	gdt[XG_SEL_DATA / 8] = 0x00cf93000000ffffULL;	/* data rw, B, G */
	gdt[XG_SEL_CODE64 / 8] = 0x00af9b000000ffffULL;	/* code, L, G */
	pml4[0] = XG_PDPT | 3;				/* present, rw */
	for (i = 0; i < 4; i++)
		pdpt[i] = (XG_PD + i * 0x1000UL) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;	/* 2 MiB, rw */
}

static inline void xg_seg(struct kvm_segment *s, uint16_t sel, uint64_t base,
			  uint32_t limit, uint8_t type, int db, int l, int gran)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = db;
	s->l = l;
	s->g = gran;
}

/*
 * Fill @sr (from KVM_GET_SREGS) for @mode: segments as described at the
 * top, CR0/CR4/EFER, GDT and IDT. TR and LDTR keep their reset values.
 */
static inline void xg_mode_sregs(struct kvm_sregs *sr, enum xg_mode mode)
{
	switch (mode) {
	case XG_REAL:
		xg_seg(&sr->cs, XG_CODE >> 4, XG_CODE, 0xffff, 11, 0, 0, 0);
		xg_seg(&sr->ds, 0, 0, 0xffff, 3, 0, 0, 0);
		sr->es = sr->ss = sr->ds;
		xg_seg(&sr->fs, XG_MMIO >> 4, XG_MMIO, 0xffff, 3, 0, 0, 0);
		xg_seg(&sr->gs, XG_RO >> 4, XG_RO, 0xffff, 3, 0, 0, 0);
		sr->cr0 &= ~(XG_CR0_PE | XG_CR0_PG);
		sr->cr4 = 0;
		sr->efer = 0;
		sr->idt.base = 0;
		sr->idt.limit = 0x3ff;
		break;
	case XG_PROT32:
	case XG_LONG64:
		if (mode == XG_PROT32)
			xg_seg(&sr->cs, XG_SEL_CODE32, 0, 0xffffffff, 11,
			       1, 0, 1);
		else
			xg_seg(&sr->cs, XG_SEL_CODE64, 0, 0xffffffff, 11,
			       0, 1, 1);
		xg_seg(&sr->ds, XG_SEL_DATA, 0, 0xffffffff, 3, 1, 0, 1);
		sr->es = sr->ss = sr->ds;
		xg_seg(&sr->fs, XG_SEL_DATA, XG_MMIO, 0xffffffff, 3, 1, 0, 1);
		xg_seg(&sr->gs, XG_SEL_DATA, XG_RO, 0xffffffff, 3, 1, 0, 1);
		sr->cr0 = XG_CR0_PE | XG_CR0_ET;
		sr->cr4 = XG_CR4_OSFXSR | XG_CR4_OSXMMEXCPT;
		sr->efer = 0;
		sr->idt.base = XG_IDT;
		sr->idt.limit = mode == XG_PROT32 ? 256 * 8 - 1 : 256 * 16 - 1;
		if (mode == XG_LONG64) {
			sr->cr0 |= XG_CR0_PG;
			sr->cr3 = XG_PML4;
			sr->cr4 |= XG_CR4_PAE;
			sr->efer = XG_EFER_LME | XG_EFER_LMA;
		}
		break;
	}
	sr->gdt.base = XG_GDT;
	sr->gdt.limit = 4 * 8 - 1;
}

/*
 * Enter @mode on vCPU @cpu at @entry (a gpa in XG_CODE's 64 KiB in real
 * mode) with stack top @stack, RFLAGS.IF set (see the Bochs quirk in
 * LAB.md) and the other GPRs zero.
 */
static inline int xg_enter(struct xg *g, int cpu, enum xg_mode mode,
			   uint64_t entry, uint64_t stack)
{
	struct kvm_sregs sr;
	struct kvm_regs regs;

	xg_write_tables(g);
	if (ioctl(g->cpu[cpu].fd, KVM_GET_SREGS, &sr))
		return xg_fail("KVM_GET_SREGS");
	xg_mode_sregs(&sr, mode);
	if (ioctl(g->cpu[cpu].fd, KVM_SET_SREGS, &sr))
		return xg_fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = mode == XG_REAL ? entry - XG_CODE : entry;
	regs.rsp = stack;
	regs.rflags = XG_RFLAGS_IF;
	if (ioctl(g->cpu[cpu].fd, KVM_SET_REGS, &regs))
		return xg_fail("KVM_SET_REGS");
	return 0;
}

/* Point exception @vec of @mode's IDT (IVT in real mode) at @handler. */
static inline void xg_set_gate(struct xg *g, enum xg_mode mode, int vec,
			       uint64_t handler)
{
	uint32_t *e;

	switch (mode) {
	case XG_REAL:
		e = xg_gpa(g, vec * 4);
		e[0] = (uint32_t)(handler - XG_CODE) | (XG_CODE >> 4) << 16;
		break;
	case XG_PROT32:
		e = xg_gpa(g, XG_IDT + vec * 8);
		e[0] = (handler & 0xffff) | XG_SEL_CODE32 << 16;
		e[1] = (handler & 0xffff0000) | 0x8e00;	/* P, int gate */
		break;
	case XG_LONG64:
		e = xg_gpa(g, XG_IDT + vec * 16);
		e[0] = (handler & 0xffff) | XG_SEL_CODE64 << 16;
		e[1] = (handler & 0xffff0000) | 0x8e00;
		e[2] = handler >> 32;
		e[3] = 0;
		break;
	}
}

/* KVM_RUN on vCPU @cpu: the ioctl's result (errno on -1). */
static inline int xg_run(struct xg *g, int cpu)
{
	return ioctl(g->cpu[cpu].fd, KVM_RUN, 0);
}

static inline const char *xg_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "other";
}

/* Where an I/O exit's data sits in the run page. */
static inline void *xg_io_data(struct kvm_run *run)
{
	return (uint8_t *)run + run->io.data_offset;
}

/* A readable line about the exit @run holds, for messages. */
static inline const char *xg_exit_str(struct kvm_run *run)
{
	static char buf[160];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		snprintf(buf, sizeof(buf),
			 "IO %s port %#x size %u count %u data_offset %#llx",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size, run->io.count,
			 (unsigned long long)run->io.data_offset);
		break;
	case KVM_EXIT_MMIO:
		snprintf(buf, sizeof(buf),
			 "MMIO %s gpa %#llx len %u",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, sizeof(buf), "FAIL_ENTRY reason %#llx",
			 (unsigned long long)
			 run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, sizeof(buf), "INTERNAL_ERROR suberror %u",
			 run->internal.suberror);
		break;
	default:
		snprintf(buf, sizeof(buf), "%s (%u)",
			 xg_exit_name(run->exit_reason), run->exit_reason);
	}
	return buf;
}

/*
 * Run vCPU @cpu once and check that KVM_RUN succeeded with exit @reason.
 * For tests: uses the harness's _metadata; an ASSERT.
 */
#define XG_RUN_EXPECT(g, _c, reason, what) do {			\
	struct kvm_run *__run = (g)->cpu[_c].run;			\
	int __r = xg_run(g, _c);					\
	ASSERT_EQ(0, __r)						\
		TH_LOG("%s: KVM_RUN failed: %s", what,			\
		       hvk_errname(errno));				\
	ASSERT_EQ(reason, __run->exit_reason)				\
		TH_LOG("%s: expected exit %s, got %s", what,		\
		       xg_exit_name(reason), xg_exit_str(__run));	\
} while (0)

/* The next exit must be an I/O exit with these fields. */
#define XG_EXPECT_IO(g, _c, dir, sz, prt, cnt, what) do {		\
	struct kvm_run *__rn = (g)->cpu[_c].run;			\
	XG_RUN_EXPECT(g, _c, KVM_EXIT_IO, what);			\
	ASSERT_TRUE(__rn->io.direction == (dir) &&			\
		    __rn->io.size == (sz) && __rn->io.port == (prt) &&	\
		    __rn->io.count == (cnt))				\
		TH_LOG("%s: expected IO %s port %#x size %u count %u, "	\
		       "got %s", what, (dir) ? "out" : "in", (prt),	\
		       (sz), (cnt), xg_exit_str(__rn));			\
	ASSERT_TRUE(__rn->io.data_offset >= sizeof(struct kvm_run) &&	\
		    __rn->io.data_offset + (sz) * (cnt) <=		\
		    (unsigned long)(g)->run_size)			\
		TH_LOG("%s: io.data_offset %#llx must point past "	\
		       "struct kvm_run, inside the %ld-byte run area",	\
		       what,						\
		       (unsigned long long)__rn->io.data_offset,	\
		       (g)->run_size);					\
} while (0)

/* The next exit must be an MMIO exit with these fields. */
#define XG_EXPECT_MMIO(g, _c, wr, gpa, ln, what) do {			\
	struct kvm_run *__rn = (g)->cpu[_c].run;			\
	XG_RUN_EXPECT(g, _c, KVM_EXIT_MMIO, what);			\
	ASSERT_TRUE(!!__rn->mmio.is_write == !!(wr) &&			\
		    __rn->mmio.phys_addr == (gpa) &&			\
		    __rn->mmio.len == (ln))				\
		TH_LOG("%s: expected MMIO %s gpa %#llx len %u, got %s",	\
		       what, (wr) ? "write" : "read",			\
		       (unsigned long long)(gpa), (ln),			\
		       xg_exit_str(__rn));				\
} while (0)

#endif /* HVK_SELFTESTS_X86_GUEST_H */

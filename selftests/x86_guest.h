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
#define XG_SEL_CODE32	HVK_X86_SEL_CODE32
#define XG_SEL_DATA	HVK_X86_SEL_DATA
#define XG_SEL_CODE64	HVK_X86_SEL_CODE64

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
	XG_REAL = HVK_X86_REAL,
	XG_PROT32 = HVK_X86_PROT32,
	XG_LONG64 = HVK_X86_LONG64,
};

static inline const char *xg_mode_name(enum xg_mode m)
{
	return hvk_x86_mode_name((enum hvk_x86_mode)m);
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
	return hvk_x86_supported_cpuid(sys);
}

static inline struct kvm_cpuid_entry2 *
xg_cpuid_entry(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	return hvk_x86_cpuid_entry(c, fn, idx);
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
	v->fd = hvk_vcpu_create(g->vm, id, g->run_size, &v->run);
	if (v->fd < 0)
		return xg_fail(hvk_step());
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

	for (i = 0; i < g->nr_cpus; i++)
		hvk_vcpu_destroy(g->cpu[i].fd, g->cpu[i].run, g->run_size);
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
	hvk_load_code(xg_gpa(g, XG_CODE), start, end);
	return 0;
}

/* The gpa of @label in a blob loaded at XG_CODE. */
#define XG_ADDR(start, label) (XG_CODE + (uint64_t)((label) - (start)))

/* Flat 4 GiB GDT entries and identity page tables (2 MiB pages). */
static inline void xg_write_tables(struct xg *g)
{
	hvk_x86_write_gdt(xg_gpa(g, XG_GDT));
	hvk_x86_write_page_tables(xg_gpa(g, XG_PML4), XG_PML4, 0);
}

static inline void xg_seg(struct kvm_segment *s, uint16_t sel, uint64_t base,
			  uint32_t limit, uint8_t type, int db, int l, int gran)
{
	hvk_x86_seg(s, sel, base, limit, type, db, l, gran);
}

/*
 * Fill @sr (from KVM_GET_SREGS) for @mode: segments as described at the
 * top, CR0/CR4/EFER, GDT and IDT. TR and LDTR keep their reset values.
 */
static inline void xg_mode_sregs(struct kvm_sregs *sr, enum xg_mode mode)
{
	static const struct hvk_x86_layout l = {
		.code = XG_CODE, .data = 0, .fs = XG_MMIO, .gs = XG_RO,
		.gdt = XG_GDT, .ivt = 0, .idt = XG_IDT, .pml4 = XG_PML4,
	};

	hvk_x86_mode_sregs(sr, (enum hvk_x86_mode)mode, &l);
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
	hvk_x86_set_gate(xg_gpa(g, mode == XG_REAL ? 0 : XG_IDT),
			 (enum hvk_x86_mode)mode, vec, handler, XG_CODE);
}

/* Set RBX, RSI and RDI of vCPU @cpu; the other registers stay. */
static inline int xg_set_gprs(struct xg *g, int cpu, uint64_t rbx,
			      uint64_t rsi, uint64_t rdi)
{
	struct kvm_regs regs;

	if (ioctl(g->cpu[cpu].fd, KVM_GET_REGS, &regs))
		return xg_fail("KVM_GET_REGS");
	regs.rbx = rbx;
	regs.rsi = rsi;
	regs.rdi = rdi;
	if (ioctl(g->cpu[cpu].fd, KVM_SET_REGS, &regs))
		return xg_fail("KVM_SET_REGS");
	return 0;
}

/* KVM_RUN on vCPU @cpu: the ioctl's result (errno on -1). */
static inline int xg_run(struct xg *g, int cpu)
{
	return ioctl(g->cpu[cpu].fd, KVM_RUN, 0);
}

static inline const char *xg_exit_name(uint32_t reason)
{
	const char *n = hvk_exit_short(reason);

	return n ? n : "other";
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

	return hvk_exit_str(run, buf, sizeof(buf));
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

/*
 * Random bytes as guest code (x86_64_vcpu_test, x86_64_guestmem_test):
 * XG_GARBAGE_BYTES bytes at XG_GARBAGE_CODE.
 */
#define XG_GARBAGE_BYTES	4096
#define XG_GARBAGE_CODE		(XG_CODE + 0x1000)

/* A small PRNG (xorshift64*), so that each seed gives the same bytes. */
static inline uint64_t xg_prng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/*
 * Fill what the set-up does not use with HLT, load the exception stubs
 * [@stubs, @stubs_end) at XG_CODE (32 stubs of 16 bytes, see exc_stubs),
 * point all 256 vectors of @mode at them and put random bytes from @seed
 * at XG_GARBAGE_CODE. The HLTs and stubs catch a guest that runs off its
 * bytes or takes an exception: without them it would run through zeroed
 * memory with RFLAGS.IF clear (exceptions through the IVT or an
 * interrupt gate clear it), which the Bochs lab cannot interrupt. Call
 * after xg_enter() (which writes the page tables and GDT).
 */
static inline void xg_garbage_memory(struct xg *g, enum xg_mode mode,
				     const char *stubs, const char *stubs_end,
				     uint64_t seed)
{
	uint8_t *code = xg_gpa(g, XG_GARBAGE_CODE);
	int i;

	memset(xg_gpa(g, 0x400), 0xf4, XG_PML4 - 0x400);
	memset(xg_gpa(g, XG_RES), 0xf4, XG_CODE - XG_RES);
	memset(xg_gpa(g, XG_CODE), 0xf4, XG_MEM_SIZE - XG_CODE);
	xg_load(g, stubs, stubs_end);
	for (i = 0; i < 256; i++)
		xg_set_gate(g, mode, i, XG_CODE + (i & 31) * 16);
	for (i = 0; i < XG_GARBAGE_BYTES; i += 8) {
		uint64_t v = xg_prng(&seed);

		memcpy(code + i, &v, 8);
	}
}

/*
 * Run random guest code on vCPU 0 (@seed: the seed's number, for
 * messages): every KVM_RUN ends in a clean exit or, when the guest
 * spins, in EINTR from a 20 ms SIGALRM (install hvk_noop_signals()
 * first). I/O and MMIO reads get zeros and the guest goes on, up to
 * @max_runs runs; HLT, SHUTDOWN, INTERNAL_ERROR, FAIL_ENTRY and an
 * exception stub's report end it. Any other exit fails the test (an
 * ASSERT). Returns the number of runs.
 */
#define xg_garbage_run(g, seed, max_runs) \
	__xg_garbage_run(_metadata, g, seed, max_runs)
static inline int __xg_garbage_run(struct __test_metadata *_metadata,
				   struct xg *g, int s, int max_runs)
{
	struct kvm_run *run = g->cpu[0].run;
	int n, r, ended = 0;

	for (n = 0; n < max_runs && !ended; n++) {
		hvk_alarm_us(20000, 0);
		errno = 0;
		r = xg_run(g, 0);
		hvk_alarm_us(0, 0);
		if (r == -1 && errno == EINTR) {
			EXPECT_EQ(KVM_EXIT_INTR, run->exit_reason)
				TH_LOG("seed %d run %d: EINTR with %s",
				       s, n, xg_exit_str(run));
			ended = 1;
			continue;
		}
		ASSERT_EQ(0, r)
			TH_LOG("seed %d run %d: KVM_RUN: %s", s, n,
			       hvk_errname(errno));
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			/*
			 * An exception stub's report ends the run: after it
			 * the stub would go on with IF clear.
			 */
			if (run->io.port == XG_PORT_EXC &&
			    run->io.direction == KVM_EXIT_IO_OUT)
				ended = 1;
			else if (run->io.direction == KVM_EXIT_IO_IN)
				memset(xg_io_data(run), 0,
				       run->io.size * run->io.count);
			break;
		case KVM_EXIT_MMIO:
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0, 8);
			break;
		case KVM_EXIT_HLT:
		case KVM_EXIT_SHUTDOWN:
		case KVM_EXIT_INTERNAL_ERROR:
		case KVM_EXIT_FAIL_ENTRY:
			ended = 1;
			break;
		default:
			ASSERT_TRUE(0)
				TH_LOG("seed %d run %d: unexpected exit %s",
				       s, n, xg_exit_str(run));
		}
	}
	return n;
}

#endif /* HVK_SELFTESTS_X86_GUEST_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 vCPU state: KVM_GET/SET_REGS, SREGS, MSRS and FPU round trips,
 * and what a 64-bit guest sees of them (its GPRs, RDMSR, RDTSC, XMM and
 * x87 registers); invalid SREGS; KVM_GET_MSR_INDEX_LIST;
 * KVM_GET_SUPPORTED_CPUID and a KVM_SET_CPUID2 table as the guest's
 * CPUID sees it.
 *
 * Expectations are Linux 6.1 kvm_intel's (arch/x86/kvm/x86.c
 * __set_sregs, kvm_is_valid_sregs, msr_io, kvm_set_msr_common,
 * kvm_arch_vcpu_ioctl_get/set_fpu; cpuid.c kvm_cpuid,
 * kvm_update_cpuid_runtime).
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "lib.h"
#include "x86_guest.h"

#define MSR_IA32_TSC		0x10
#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_IA32_CR_PAT		0x277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
/* An index no CPU or KVM defines: RDMSR of it must #GP. */
#define MSR_NONE		0x12345

/*
 * The guest blob: exception stubs, then entry points.
 * gprs: stores RAX..R15 and RFLAGS to RES, then loads new values into
 *   RBX and R15 and halts.
 * table: runs a table at BUF of RES[0] entries: for each 24-byte entry
 *   {u32 a, u32 b, u32 out[4]} either CPUID(a, b) -> out (\cpuid) or
 *   RDMSR(a) -> out[0..1].
 * fpu: stores XMM0, XMM7, FCW, MXCSR and ST(0) to RES, loads XMM3 from
 *   BUF, halts. fpu_prime: puts x87 and SSE out of their init state.
 * badmsr: RDMSR of MSR_NONE. cr4_vmxe: sets CR4.VMXE.
 */
asm(
"	.pushsection .rodata.x86_regs_guest, \"a\"\n"
XG_ASM_PRELUDE
"	.macro table_loop cpuid\n"
"	mov RES, %r8d\n"
"	mov $BUF, %rsi\n"
"1:	test %r8d, %r8d\n"
"	jz 2f\n"
"	.if \\cpuid\n"
"	mov (%rsi), %eax\n"
"	mov 4(%rsi), %ecx\n"
"	cpuid\n"
"	mov %eax, 8(%rsi)\n"
"	mov %ebx, 12(%rsi)\n"
"	mov %ecx, 16(%rsi)\n"
"	mov %edx, 20(%rsi)\n"
"	.else\n"
"	mov (%rsi), %ecx\n"
"	rdmsr\n"
"	mov %eax, 8(%rsi)\n"
"	mov %edx, 12(%rsi)\n"
"	.endif\n"
"	add $24, %rsi\n"
"	dec %r8d\n"
"	jmp 1b\n"
"2:	hlt\n"
"	.endm\n"
"	.code64\n"
"	.balign 16\n"
"regs_blob: exc_stubs\n"
"regs_gprs:\n"
"	mov %rax, RES+0x00\n"
"	mov %rbx, RES+0x08\n"
"	mov %rcx, RES+0x10\n"
"	mov %rdx, RES+0x18\n"
"	mov %rsi, RES+0x20\n"
"	mov %rdi, RES+0x28\n"
"	mov %rsp, RES+0x30\n"
"	mov %rbp, RES+0x38\n"
"	mov %r8, RES+0x40\n"
"	mov %r9, RES+0x48\n"
"	mov %r10, RES+0x50\n"
"	mov %r11, RES+0x58\n"
"	mov %r12, RES+0x60\n"
"	mov %r13, RES+0x68\n"
"	mov %r14, RES+0x70\n"
"	mov %r15, RES+0x78\n"
"	pushfq\n"
"	pop %rax\n"
"	mov %rax, RES+0x80\n"
"	movabs $0x0123456789abcdef, %rbx\n"
"	movabs $0xfedcba9876543210, %r15\n"
"	hlt\n"
"regs_gprs_hlt_end:\n"
"regs_cpuid: table_loop 1\n"
"regs_rdmsr: table_loop 0\n"
"regs_fpu:\n"
"	movdqu %xmm0, RES+0x00\n"
"	movdqu %xmm7, RES+0x10\n"
"	fnstcw RES+0x20\n"
"	stmxcsr RES+0x24\n"
"	fstpt RES+0x30\n"
"	movdqu BUF, %xmm3\n"
"	hlt\n"
"regs_fpu_prime:\n"
"	fld1\n"
"	movdqu BUF+0x80, %xmm3\n"
"	hlt\n"
"regs_rdtsc:\n"
"	rdtsc\n"
"	mov %eax, RES+0x00\n"
"	mov %edx, RES+0x04\n"
"	hlt\n"
"regs_badmsr:\n"
"	mov $" XG_STR(MSR_NONE) ", %ecx\n"
"	rdmsr\n"
"	hlt\n"
"regs_cr4_vmxe:\n"
"	mov %cr4, %rax\n"
"	or $0x2000, %rax\n"
"	mov %rax, %cr4\n"
"	hlt\n"
"regs_blob_end:\n"
"	.popsection\n"
);

extern const char regs_blob[], regs_blob_end[], regs_gprs[];
extern const char regs_gprs_hlt_end[], regs_cpuid[], regs_rdmsr[];
extern const char regs_fpu[], regs_fpu_prime[], regs_rdtsc[];
extern const char regs_badmsr[], regs_cr4_vmxe[];

#define ADDR(label)	XG_ADDR(regs_blob, label)

/* One table entry of the guest's table_loop. */
struct tab_ent {
	uint32_t a, b;
	uint32_t out[4];
};

FIXTURE(regs) {
	struct xg g;
	int fd;
};

FIXTURE_SETUP(regs)
{
	ASSERT_EQ(0, xg_create(&self->g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	self->fd = self->g.cpu[0].fd;
	ASSERT_EQ(0, xg_load(&self->g, regs_blob, regs_blob_end));
	XG_SET_STUBS(&self->g, XG_LONG64, XG_CODE);
}

FIXTURE_TEARDOWN(regs)
{
	xg_destroy(&self->g);
}

static uint64_t res64(struct xg *g, unsigned int off)
{
	uint64_t v;

	memcpy(&v, xg_gpa(g, XG_RES + off), 8);
	return v;
}

/* Run to the guest's HLT; an exception stub's report fails the test. */
static void run_to_hlt(struct __test_metadata *_metadata, struct xg *g,
		       const char *what)
{
	struct kvm_run *run = g->cpu[0].run;

	ASSERT_EQ(0, xg_run(g, 0))
		TH_LOG("%s: KVM_RUN: %s", what, hvk_errname(errno));
	if (run->exit_reason == KVM_EXIT_IO && run->io.port == XG_PORT_EXC) {
		ASSERT_TRUE(0)
			TH_LOG("%s: the guest took exception %u", what,
			       *(uint8_t *)xg_io_data(run));
	}
	ASSERT_EQ(KVM_EXIT_HLT, run->exit_reason)
		TH_LOG("%s: expected HLT, got %s", what, xg_exit_str(run));
}

TEST_F(regs, gprs_round_trip_and_guest_view)
{
	struct kvm_regs set, got;
	uint64_t *s = (uint64_t *)&set;
	int i, r;

	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_LONG64, ADDR(regs_gprs),
			      XG_STACK));
	/* struct kvm_regs: rax..r15 (16), rip, rflags. */
	for (i = 0; i < 16; i++)
		s[i] = 0x1010101010101010ULL * (i + 1) + i;
	set.rsp = XG_STACK - 0x100;	/* pushfq needs a stack */
	set.rip = ADDR(regs_gprs);
	set.rflags = XG_RFLAGS_IF | 0xc5;	/* CF, PF, ZF, SF */
	ASSERT_OK(r, ioctl(self->fd, KVM_SET_REGS, &set), "KVM_SET_REGS");
	memset(&got, 0, sizeof(got));
	ASSERT_OK(r, ioctl(self->fd, KVM_GET_REGS, &got), "KVM_GET_REGS");
	EXPECT_EQ(0, memcmp(&set, &got, sizeof(set)))
		TH_LOG("KVM_GET_REGS must return what KVM_SET_REGS set");

	run_to_hlt(_metadata, &self->g, "GPR dump");
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(s[i], res64(&self->g, i * 8))
			TH_LOG("GPR %d (kvm_regs order) in the guest", i);
	}
	EXPECT_EQ(set.rflags, res64(&self->g, 0x80))
		TH_LOG("RFLAGS in the guest (PUSHFQ)");
	ASSERT_OK(r, ioctl(self->fd, KVM_GET_REGS, &got), "KVM_GET_REGS");
	EXPECT_EQ(0x0123456789abcdefULL, got.rbx)
		TH_LOG("RBX loaded by the guest, seen by KVM_GET_REGS");
	EXPECT_EQ(0xfedcba9876543210ULL, got.r15)
		TH_LOG("R15 loaded by the guest, seen by KVM_GET_REGS");
	EXPECT_EQ(ADDR(regs_gprs_hlt_end), got.rip)
		TH_LOG("RIP after the HLT exit: past the HLT");
	EXPECT_EQ(set.rsp, got.rsp) TH_LOG("RSP after PUSHFQ; POP");
}

/* Compare the fields of a segment KVM_SET_SREGS takes. */
static int seg_eq(const struct kvm_segment *a, const struct kvm_segment *b)
{
	return a->selector == b->selector && a->base == b->base &&
	       a->limit == b->limit && a->type == b->type &&
	       a->present == b->present && a->dpl == b->dpl &&
	       a->db == b->db && a->s == b->s && a->l == b->l && a->g == b->g;
}

static const char *seg_str(const struct kvm_segment *s, char *buf, int n)
{
	snprintf(buf, n, "sel %#x base %#llx limit %#x type %u p%u dpl%u "
		 "db%u s%u l%u g%u", s->selector,
		 (unsigned long long)s->base, s->limit, s->type, s->present,
		 s->dpl, s->db, s->s, s->l, s->g);
	return buf;
}

#define EXPECT_SEG(a, b, name) do {					\
	char __b1[128], __b2[128];					\
	EXPECT_TRUE(seg_eq(&(a), &(b)))					\
		TH_LOG("%s: set %s, got %s", name,			\
		       seg_str(&(a), __b1, sizeof(__b1)),		\
		       seg_str(&(b), __b2, sizeof(__b2)));		\
} while (0)

TEST_F(regs, sregs_round_trip)
{
	enum xg_mode modes[] = { XG_REAL, XG_PROT32, XG_LONG64 };
	struct kvm_sregs set, got;
	unsigned int i;
	int r;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ASSERT_OK(r, ioctl(self->fd, KVM_GET_SREGS, &set),
			  "KVM_GET_SREGS");
		xg_mode_sregs(&set, modes[i]);
		ASSERT_OK(r, ioctl(self->fd, KVM_SET_SREGS, &set),
			  "KVM_SET_SREGS for %s", xg_mode_name(modes[i]));
		ASSERT_OK(r, ioctl(self->fd, KVM_GET_SREGS, &got),
			  "KVM_GET_SREGS");
		TH_LOG("checking %s", xg_mode_name(modes[i]));
		EXPECT_SEG(set.cs, got.cs, "CS");
		EXPECT_SEG(set.ds, got.ds, "DS");
		EXPECT_SEG(set.es, got.es, "ES");
		EXPECT_SEG(set.fs, got.fs, "FS");
		EXPECT_SEG(set.gs, got.gs, "GS");
		EXPECT_SEG(set.ss, got.ss, "SS");
		EXPECT_EQ(set.cr0, got.cr0) TH_LOG("CR0");
		EXPECT_EQ(set.cr3, got.cr3) TH_LOG("CR3");
		EXPECT_EQ(set.cr4, got.cr4) TH_LOG("CR4");
		EXPECT_EQ(set.efer, got.efer) TH_LOG("EFER");
		EXPECT_EQ(set.gdt.base, got.gdt.base) TH_LOG("GDT base");
		EXPECT_EQ(set.gdt.limit, got.gdt.limit) TH_LOG("GDT limit");
		EXPECT_EQ(set.idt.base, got.idt.base) TH_LOG("IDT base");
		EXPECT_EQ(set.idt.limit, got.idt.limit) TH_LOG("IDT limit");
	}
}

TEST_F(regs, sregs_invalid)
{
	struct kvm_sregs good, bad, got;
	int r;

	ASSERT_OK(r, ioctl(self->fd, KVM_GET_SREGS, &good), "KVM_GET_SREGS");
	xg_mode_sregs(&good, XG_PROT32);
	ASSERT_OK(r, ioctl(self->fd, KVM_SET_SREGS, &good),
		  "KVM_SET_SREGS (32-bit protected mode)");

	bad = good;
	bad.efer |= XG_EFER_LMA;
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_SREGS, &bad), EINVAL,
		     "EFER.LMA without EFER.LME and CR0.PG");
	bad = good;
	bad.efer |= XG_EFER_LME | XG_EFER_LMA;
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_SREGS, &bad), EINVAL,
		     "EFER.LMA and LME without CR0.PG");
	xg_mode_sregs(&bad, XG_LONG64);
	bad.cr4 &= ~XG_CR4_PAE;
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_SREGS, &bad), EINVAL,
		     "long mode (EFER.LME, CR0.PG) without CR4.PAE");
	xg_mode_sregs(&bad, XG_LONG64);
	bad.efer &= ~XG_EFER_LMA;
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_SREGS, &bad), EINVAL,
		     "EFER.LME and CR0.PG without EFER.LMA");
	bad = good;
	bad.cs.l = 1;
	bad.cs.db = 0;
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_SREGS, &bad), EINVAL,
		     "a 64-bit CS (L=1) outside long mode");
	bad = good;
	bad.cr4 |= 1ULL << 13;
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_SREGS, &bad), EINVAL,
		     "CR4.VMXE while the guest's CPUID has no VMX");
	bad = good;
	bad.cr4 |= 1ULL << 40;
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_SREGS, &bad), EINVAL,
		     "a reserved CR4 bit (40)");

	ASSERT_OK(r, ioctl(self->fd, KVM_GET_SREGS, &got), "KVM_GET_SREGS");
	EXPECT_TRUE(got.cr0 == good.cr0 && got.cr4 == good.cr4 &&
		    got.efer == good.efer && got.cs.l == 0 &&
		    got.cs.selector == good.cs.selector)
		TH_LOG("refused KVM_SET_SREGS calls must leave the state as "
		       "the last good one set it");
}

struct msr_val {
	uint32_t index;
	uint64_t val;
	const char *name;
};

/* What the round trip sets; EFER and TSC are checked on their own. */
static const struct msr_val msr_vals[] = {
	{ MSR_STAR, 0x001b000800000000ULL, "STAR" },
	{ MSR_LSTAR, 0xffffffff81600000ULL, "LSTAR" },
	{ MSR_CSTAR, 0xffffffff81601000ULL, "CSTAR" },
	{ MSR_SYSCALL_MASK, 0x47700, "SYSCALL_MASK (SFMASK)" },
	{ MSR_KERNEL_GS_BASE, 0xffff888012345000ULL, "KERNEL_GS_BASE" },
	{ MSR_FS_BASE, 0x00007f0012340000ULL, "FS_BASE" },
	{ MSR_GS_BASE, 0xffff888076543000ULL, "GS_BASE" },
	{ MSR_IA32_CR_PAT, 0x0007010600070106ULL, "PAT" },
	{ MSR_IA32_SYSENTER_CS, 0x10, "SYSENTER_CS" },
	{ MSR_IA32_SYSENTER_ESP, 0xffffc90000001000ULL, "SYSENTER_ESP" },
	{ MSR_IA32_SYSENTER_EIP, 0xffffffff81602000ULL, "SYSENTER_EIP" },
	{ MSR_IA32_MISC_ENABLE, 0x1801, "MISC_ENABLE" },
	{ MSR_EFER, XG_EFER_LME | XG_EFER_LMA | XG_EFER_SCE | XG_EFER_NX,
	  "EFER" },
};
#define NR_MSR_VALS	(sizeof(msr_vals) / sizeof(msr_vals[0]))

struct msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[32];
};

TEST_F(regs, msrs_round_trip_and_rdmsr)
{
	struct tab_ent *tab = xg_gpa(&self->g, XG_BUF);
	struct msrs m;
	unsigned int i;

	/* Long mode first: EFER.LME/LMA in the set value must match. */
	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_LONG64, ADDR(regs_rdmsr),
			      XG_STACK));
	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = NR_MSR_VALS;
	for (i = 0; i < NR_MSR_VALS; i++) {
		m.e[i].index = msr_vals[i].index;
		m.e[i].data = msr_vals[i].val;
	}
	EXPECT_EQ((int)NR_MSR_VALS, ioctl(self->fd, KVM_SET_MSRS, &m))
		TH_LOG("KVM_SET_MSRS returns the number of MSRs set");
	for (i = 0; i < NR_MSR_VALS; i++)
		m.e[i].data = 0xdeadbeefdeadbeefULL;
	EXPECT_EQ((int)NR_MSR_VALS, ioctl(self->fd, KVM_GET_MSRS, &m))
		TH_LOG("KVM_GET_MSRS returns the number of MSRs read");
	for (i = 0; i < NR_MSR_VALS; i++) {
		EXPECT_EQ(msr_vals[i].val, m.e[i].data)
			TH_LOG("KVM_GET_MSRS(%s) after KVM_SET_MSRS",
			       msr_vals[i].name);
	}

	/* The guest's RDMSR sees the same values. */
	for (i = 0; i < NR_MSR_VALS; i++) {
		tab[i].a = msr_vals[i].index;
		memset(tab[i].out, 0xee, sizeof(tab[i].out));
	}
	*(uint32_t *)xg_gpa(&self->g, XG_RES) = NR_MSR_VALS;
	run_to_hlt(_metadata, &self->g, "RDMSR table");
	for (i = 0; i < NR_MSR_VALS; i++) {
		EXPECT_EQ(msr_vals[i].val,
			  tab[i].out[0] | (uint64_t)tab[i].out[1] << 32)
			TH_LOG("RDMSR(%s) in the guest", msr_vals[i].name);
	}
}

TEST_F(regs, msrs_partial_and_unknown)
{
	struct msrs m;
	int r;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 3;
	m.e[0].index = MSR_STAR;
	m.e[0].data = 0x0023001000000000ULL;
	m.e[1].index = MSR_NONE;
	m.e[2].index = MSR_LSTAR;
	m.e[2].data = 0xffffffff81700000ULL;
	EXPECT_EQ(1, ioctl(self->fd, KVM_SET_MSRS, &m))
		TH_LOG("KVM_SET_MSRS stops at the first MSR it cannot set "
		       "(unknown index %#x) and returns how many it set",
		       MSR_NONE);
	m.e[0].data = m.e[2].data = 0;
	EXPECT_EQ(1, ioctl(self->fd, KVM_GET_MSRS, &m))
		TH_LOG("KVM_GET_MSRS stops at the unknown MSR too");
	EXPECT_EQ(0x0023001000000000ULL, m.e[0].data)
		TH_LOG("STAR, before the unknown MSR, was set");
	m.hdr.nmsrs = 1;
	m.e[0].index = MSR_LSTAR;
	ASSERT_OK(r, ioctl(self->fd, KVM_GET_MSRS, &m), "KVM_GET_MSRS(LSTAR)");
	EXPECT_NE(0xffffffff81700000ULL, m.e[0].data)
		TH_LOG("LSTAR, after the unknown MSR, must not have been set");

	/* The guest's RDMSR of an unknown MSR raises #GP. */
	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_LONG64, ADDR(regs_badmsr),
			      XG_STACK));
	XG_EXPECT_IO(&self->g, 0, KVM_EXIT_IO_OUT, 1, XG_PORT_EXC, 1,
		     "RDMSR of an unknown MSR");
	EXPECT_EQ(13, *(uint8_t *)xg_io_data(self->g.cpu[0].run))
		TH_LOG("RDMSR(%#x) in the guest must raise #GP (13)",
		       MSR_NONE);
}

TEST_F(regs, tsc)
{
	const uint64_t base = 1ULL << 40;
	uint64_t seen;
	struct msrs m;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e[0].index = MSR_IA32_TSC;
	m.e[0].data = base;
	ASSERT_EQ(1, ioctl(self->fd, KVM_SET_MSRS, &m)) TH_LOG("set TSC");
	m.e[0].data = 0;
	ASSERT_EQ(1, ioctl(self->fd, KVM_GET_MSRS, &m)) TH_LOG("get TSC");
	/* The TSC runs on: only "not before, and not absurdly after". */
	EXPECT_TRUE(m.e[0].data >= base && m.e[0].data < 2 * base)
		TH_LOG("KVM_GET_MSRS(TSC) %#llx after setting %#llx",
		       (unsigned long long)m.e[0].data,
		       (unsigned long long)base);
	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_LONG64, ADDR(regs_rdtsc),
			      XG_STACK));
	run_to_hlt(_metadata, &self->g, "RDTSC");
	seen = res64(&self->g, 0);
	EXPECT_TRUE(seen >= m.e[0].data && seen < 2 * base)
		TH_LOG("the guest's RDTSC %#llx must follow the TSC set "
		       "(%#llx read back)", (unsigned long long)seen,
		       (unsigned long long)m.e[0].data);
}

TEST(msr_index_list)
{
	static const uint32_t want[] = {
		MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
		MSR_KERNEL_GS_BASE, MSR_IA32_SYSENTER_CS,
		MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_TSC,
	};
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	unsigned int i, j;
	int sys, r;

	sys = hvk_open_dev();
	ASSERT_LE(0, sys) TH_LOG("open %s", hvk_dev_path());
	EXPECT_ERRNO(ioctl(sys, KVM_GET_MSR_INDEX_LIST, &probe), E2BIG,
		     "KVM_GET_MSR_INDEX_LIST with nmsrs 0");
	ASSERT_LT(0, probe.nmsrs)
		TH_LOG("the E2BIG answer must say how many MSRs there are");
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
	ASSERT_NE(NULL, list);
	list->nmsrs = probe.nmsrs;
	ASSERT_OK(r, ioctl(sys, KVM_GET_MSR_INDEX_LIST, list),
		  "KVM_GET_MSR_INDEX_LIST with room for %u", probe.nmsrs);
	EXPECT_EQ(probe.nmsrs, list->nmsrs);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		for (j = 0; j < list->nmsrs; j++)
			if (list->indices[j] == want[i])
				break;
		EXPECT_LT(j, list->nmsrs)
			TH_LOG("MSR %#x must be in KVM_GET_MSR_INDEX_LIST",
			       want[i]);
	}
	free(list);
	close(sys);
}

/* Distinct values in every field KVM_SET_FPU takes. */
static void fpu_values(struct kvm_fpu *f, const uint8_t *st0)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->fcw = 0x0a7f;	/* round up, 53-bit precision, all masked */
	f->fsw = 0;		/* TOP 0: ST(0) is fpr[0] */
	f->ftwx = 0x01;		/* R0 valid */
	f->last_opcode = 0x1d9;
	f->last_ip = 0x12345678;
	f->last_dp = 0x9abcdef0;
	memcpy(f->fpr[0], st0, 10);
	for (i = 0; i < 16; i++)
		memset(f->xmm[i], 0x11 * i + 0x0f, 16);
	f->mxcsr = 0x7f80;
}

/*
 * KVM 6.1's KVM_SET_FPU and KVM_GET_FPU copy every field but MXCSR (in
 * neither direction), so MXCSR is not checked. And on an XSAVE host a
 * fresh vCPU's FPU state has XSTATE_BV clear: what KVM_SET_FPU writes
 * into the legacy area is not what the guest gets (XRSTOR loads the init
 * state) until the guest has used x87 and SSE. The guest-view check
 * therefore runs a guest that does so first.
 */
TEST_F(regs, fpu_round_trip_and_guest_view)
{
	/* 1.5 as an x87 80-bit value: mantissa 0xc000..., exponent 0x3fff. */
	static const uint8_t one_half[10] = {
		0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x3f,
	};
	struct kvm_fpu set, got;
	uint8_t xmm3[16];
	int i, r;

	fpu_values(&set, one_half);
	ASSERT_OK(r, ioctl(self->fd, KVM_SET_FPU, &set), "KVM_SET_FPU");
	memset(&got, 0, sizeof(got));
	ASSERT_OK(r, ioctl(self->fd, KVM_GET_FPU, &got), "KVM_GET_FPU");
	EXPECT_EQ(set.fcw, got.fcw) TH_LOG("FCW");
	EXPECT_EQ(set.fsw, got.fsw) TH_LOG("FSW");
	EXPECT_EQ(set.ftwx, got.ftwx) TH_LOG("FTW (abridged)");
	EXPECT_EQ(set.last_opcode, got.last_opcode) TH_LOG("FOP");
	EXPECT_EQ(set.last_ip, got.last_ip) TH_LOG("FIP");
	EXPECT_EQ(set.last_dp, got.last_dp) TH_LOG("FDP");
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, memcmp(set.fpr[i], got.fpr[i], 10))
			TH_LOG("ST(%d)'s 80 bits", i);
	}
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0, memcmp(set.xmm[i], got.xmm[i], 16))
			TH_LOG("XMM%d", i);
	}

	/* Out of the init state, then the values again: the guest sees them. */
	for (i = 0; i < 16; i++)
		xmm3[i] = 0xa0 + i;
	memcpy(xg_gpa(&self->g, XG_BUF), xmm3, sizeof(xmm3));
	memset(xg_gpa(&self->g, XG_BUF + 0x80), 0x77, 16);
	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_LONG64, ADDR(regs_fpu_prime),
			      XG_STACK));
	run_to_hlt(_metadata, &self->g, "FLD1 and MOVDQU to leave init state");
	ASSERT_OK(r, ioctl(self->fd, KVM_SET_FPU, &set),
		  "KVM_SET_FPU after the guest ran");
	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_LONG64, ADDR(regs_fpu),
			      XG_STACK));
	run_to_hlt(_metadata, &self->g, "FPU dump");
	EXPECT_EQ(0, memcmp(xg_gpa(&self->g, XG_RES), set.xmm[0], 16))
		TH_LOG("XMM0 in the guest");
	EXPECT_EQ(0, memcmp(xg_gpa(&self->g, XG_RES + 0x10), set.xmm[7], 16))
		TH_LOG("XMM7 in the guest");
	EXPECT_EQ(set.fcw, *(uint16_t *)xg_gpa(&self->g, XG_RES + 0x20))
		TH_LOG("FCW in the guest (FNSTCW)");
	EXPECT_EQ(0, memcmp(xg_gpa(&self->g, XG_RES + 0x30), one_half, 10))
		TH_LOG("ST(0) = 1.5 in the guest (FSTP m80)");
	ASSERT_OK(r, ioctl(self->fd, KVM_GET_FPU, &got), "KVM_GET_FPU");
	EXPECT_EQ(0, memcmp(got.xmm[3], xmm3, 16))
		TH_LOG("XMM3 loaded by the guest, seen by KVM_GET_FPU");
	EXPECT_EQ(0, got.ftwx)
		TH_LOG("FTW after the guest popped ST(0): all empty");
}

TEST(supported_cpuid)
{
	struct kvm_cpuid2 small = { .nent = 1 }, *c;
	struct kvm_cpuid_entry2 *e;
	int sys, vmx;

	sys = hvk_open_dev();
	ASSERT_LE(0, sys) TH_LOG("open %s", hvk_dev_path());
	/* struct kvm_cpuid2 with one entry's room: only nent is read. */
	c = calloc(1, sizeof(*c) + sizeof(struct kvm_cpuid_entry2));
	ASSERT_NE(NULL, c);
	*c = small;
	EXPECT_ERRNO(ioctl(sys, KVM_GET_SUPPORTED_CPUID, c), E2BIG,
		     "KVM_GET_SUPPORTED_CPUID with room for 1 entry");
	free(c);
	c = xg_supported_cpuid(sys);
	ASSERT_NE(NULL, c)
		TH_LOG("KVM_GET_SUPPORTED_CPUID with room for %d entries: %s",
		       XG_MAX_CPUID, hvk_errname(errno));
	e = xg_cpuid_entry(c, 0, 0);
	ASSERT_NE(NULL, e) TH_LOG("leaf 0 (vendor, max basic leaf)");
	EXPECT_LE(1, e->eax) TH_LOG("max basic leaf must be at least 1");
	EXPECT_TRUE(e->ebx == 0x756e6547 && e->edx == 0x49656e69 &&
		    e->ecx == 0x6c65746e)
		TH_LOG("leaf 0 vendor must be GenuineIntel on this lab");
	e = xg_cpuid_entry(c, 1, 0);
	ASSERT_NE(NULL, e) TH_LOG("leaf 1 (features)");
	vmx = !!(e->ecx & (1U << 5));
	/*
	 * kvm_intel with nested=1 (its default) offers VMX to guests; hvk
	 * has no nested virtualization and must not.
	 */
	if (hvk_lab_kvm()) {
		TH_LOG("in-tree KVM reports CPUID.1:ECX.VMX = %d", vmx);
	} else {
		EXPECT_EQ(0, vmx)
			TH_LOG("hvk must not offer VMX (CPUID.1:ECX bit 5)");
	}
	EXPECT_TRUE(e->edx & (1U << 0)) TH_LOG("leaf 1: FPU");
	EXPECT_TRUE(e->edx & (1U << 24)) TH_LOG("leaf 1: FXSR");
	EXPECT_TRUE(e->edx & (1U << 25)) TH_LOG("leaf 1: SSE");
	EXPECT_FALSE(e->ecx & (1U << 27))
		TH_LOG("leaf 1: OSXSAVE is the guest's CR4 bit, never "
		       "reported as supported");
	e = xg_cpuid_entry(c, 0x80000000, 0);
	ASSERT_NE(NULL, e) TH_LOG("leaf 0x80000000");
	EXPECT_LE(0x80000001, e->eax) TH_LOG("max extended leaf");
	e = xg_cpuid_entry(c, 0x80000001, 0);
	ASSERT_NE(NULL, e) TH_LOG("leaf 0x80000001");
	EXPECT_TRUE(e->edx & (1U << 29)) TH_LOG("0x80000001: LM");
	free(c);
	close(sys);
}

/* Set @e in @c (replace the same leaf/index or append). */
static void put_entry(struct kvm_cpuid2 *c, const struct kvm_cpuid_entry2 *e)
{
	struct kvm_cpuid_entry2 *old = xg_cpuid_entry(c, e->function,
						      e->index);

	if (old)
		*old = *e;
	else if (c->nent < XG_MAX_CPUID)
		c->entries[c->nent++] = *e;
}

TEST_F(regs, set_cpuid_seen_by_guest)
{
	static const struct kvm_cpuid_entry2 hv[] = {
		{ .function = 0x40000000, .eax = 0x40000001,
		  .ebx = 0x746b7668, .ecx = 0x63747365, .edx = 0x64697570 },
		{ .function = 0x40000001, .eax = 0x11223344,
		  .ebx = 0x55667788, .ecx = 0x99aabbcc, .edx = 0xddeeff00 },
	};
	static const uint32_t leaves[][2] = {
		{ 0, 0 }, { 1, 0 }, { 7, 0 }, { 0x40000000, 0 },
		{ 0x40000001, 0 }, { 0x80000000, 0 }, { 0x80000001, 0 },
	};
	struct tab_ent *tab = xg_gpa(&self->g, XG_BUF);
	struct kvm_cpuid_entry2 *e;
	struct kvm_sregs sr;
	struct kvm_cpuid2 *c;
	unsigned int i;
	uint32_t want[4];
	int r, apic_on;

	/* Before the first KVM_RUN: KVM 6.1 refuses changes after it. */
	c = xg_guest_cpuid(self->g.sys);
	ASSERT_NE(NULL, c);
	for (i = 0; i < 2; i++)
		put_entry(c, &hv[i]);
	ASSERT_OK(r, ioctl(self->fd, KVM_SET_CPUID2, c),
		  "KVM_SET_CPUID2 with hypervisor leaves 0x40000000-1");
	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_LONG64, ADDR(regs_cpuid),
			      XG_STACK));
	ASSERT_OK(r, ioctl(self->fd, KVM_GET_SREGS, &sr), "KVM_GET_SREGS");
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		tab[i].a = leaves[i][0];
		tab[i].b = leaves[i][1];
	}
	*(uint32_t *)xg_gpa(&self->g, XG_RES) = i;
	run_to_hlt(_metadata, &self->g, "CPUID table");
	for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		e = xg_cpuid_entry(c, leaves[i][0], leaves[i][1]);
		ASSERT_NE(NULL, e)
			TH_LOG("leaf %#x in the table set", leaves[i][0]);
		want[0] = e->eax;
		want[1] = e->ebx;
		want[2] = e->ecx;
		want[3] = e->edx;
		if (leaves[i][0] == 1) {
			/*
			 * kvm_update_cpuid_runtime(): OSXSAVE follows the
			 * guest's CR4, APIC the APIC base MSR's enable bit.
			 */
			apic_on = !!(sr.apic_base & (1U << 11));
			want[2] &= ~(1U << 27);
			want[3] = (want[3] & ~(1U << 9)) | apic_on << 9;
		}
		EXPECT_EQ(0, memcmp(want, tab[i].out, sizeof(want)))
			TH_LOG("CPUID(%#x, %u) in the guest %08x %08x %08x "
			       "%08x, set %08x %08x %08x %08x", leaves[i][0],
			       leaves[i][1], tab[i].out[0], tab[i].out[1],
			       tab[i].out[2], tab[i].out[3], want[0], want[1],
			       want[2], want[3]);
	}
	free(c);
}

/*
 * Limits of the table ioctls, and CPUID after KVM_RUN: KVM 6.1 takes
 * only the table already set (QEMU re-sets it on vCPU hotplug) and
 * refuses any other with EINVAL. A guest's MOV to CR4.VMXE raises #GP
 * without VMX in its CPUID.
 */
TEST_F(regs, limits_and_cpuid_after_run)
{
	struct kvm_cpuid2 *c, big = { .nent = 257 };
	struct kvm_msrs many = { .nmsrs = 256 };
	struct kvm_cpuid_entry2 *e;
	int r;

	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_CPUID2, &big), E2BIG,
		     "KVM_SET_CPUID2 with 257 entries (the limit is 256)");
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_MSRS, &many), E2BIG,
		     "KVM_SET_MSRS with 256 MSRs (at most 255)");
	EXPECT_ERRNO(ioctl(self->fd, KVM_GET_MSRS, &many), E2BIG,
		     "KVM_GET_MSRS with 256 MSRs (at most 255)");

	ASSERT_EQ(0, xg_enter(&self->g, 0, XG_LONG64, ADDR(regs_cr4_vmxe),
			      XG_STACK));
	XG_EXPECT_IO(&self->g, 0, KVM_EXIT_IO_OUT, 1, XG_PORT_EXC, 1,
		     "MOV to CR4 with VMXE");
	EXPECT_EQ(13, *(uint8_t *)xg_io_data(self->g.cpu[0].run))
		TH_LOG("setting CR4.VMXE must raise #GP (13)");

	c = xg_guest_cpuid(self->g.sys);
	ASSERT_NE(NULL, c);
	EXPECT_OK(r, ioctl(self->fd, KVM_SET_CPUID2, c),
		  "KVM_SET_CPUID2 after KVM_RUN with the same table");
	e = xg_cpuid_entry(c, 0x80000001, 0);
	ASSERT_NE(NULL, e);
	e->edx ^= 1U << 20;	/* NX */
	EXPECT_ERRNO(ioctl(self->fd, KVM_SET_CPUID2, c), EINVAL,
		     "KVM_SET_CPUID2 after KVM_RUN with NX flipped");
	free(c);
}

TEST_HARNESS_MAIN

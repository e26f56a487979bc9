// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 guest exits, in real mode, flat 32-bit protected mode and 64-bit
 * long mode: OUT/IN of each size, MMIO writes and reads of each width to
 * a gpa without a memslot (MOVZX/MOVSX included), CPUID, a write to a
 * KVM_MEM_READONLY slot, VMCALL, HLT, string I/O; VMX instructions in the
 * guest raise #UD; an exception with an empty IDT is a triple fault.
 *
 * Every guest runs the same asm body assembled for each mode (segment
 * bases as x86_guest.h sets them), and the host walks the exits in order.
 * Expectations are Linux 6.1 kvm_intel's (arch/x86/kvm/x86.c
 * kernel_pio, complete_emulated_mmio, kvm_emulate_hypercall;
 * emulate.c for string I/O; vmx/nested.c, the VMX instruction handlers).
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "lib.h"
#include "x86_guest.h"

/*
 * exit_body: every exit kind, in the order exit_suite() expects them.
 * Loads of a register before a narrow IN or MMIO read (0xdeadbeef) show
 * that only the low bytes change. \long adds the 8-byte MMIO accesses
 * and the full 64-bit VMCALL result.
 *
 * vmx_body: VMX instructions, each at its own 16-byte slot.
 */
asm(
"	.pushsection .rodata.x86_exit_guest, \"a\"\n"
XG_ASM_PRELUDE
"	.macro exit_body long\n"
"	mov $0x11, %al\n"
"	outb %al, $0x10\n"
"	mov $0x2222, %ax\n"
"	outw %ax, $0x12\n"
"	mov $0x33334444, %eax\n"
"	outl %eax, $0x14\n"
"	mov $0x1234, %dx\n"
"	mov $0x55, %al\n"
"	outb %al, %dx\n"
"	mov $0xdeadbeef, %eax\n"
"	inb $0x20, %al\n"
"	mov %eax, RES+0x00\n"
"	mov $0xdeadbeef, %eax\n"
"	inw $0x22, %ax\n"
"	mov %eax, RES+0x04\n"
"	inl $0x24, %eax\n"
"	mov %eax, RES+0x08\n"
"	movb $0x66, %fs:0x00\n"
"	movw $0x7788, %fs:0x10\n"
"	movl $0x99aabbcc, %fs:0x20\n"
"	.if \\long\n"
"	movabs $0x1122334455667788, %rax\n"
"	mov %rax, %fs:0x30\n"
"	.endif\n"
"	mov $0xdeadbeef, %eax\n"
"	movb %fs:0x40, %al\n"
"	mov %eax, RES+0x10\n"
"	mov $0xdeadbeef, %eax\n"
"	movw %fs:0x48, %ax\n"
"	mov %eax, RES+0x14\n"
"	movl %fs:0x50, %eax\n"
"	mov %eax, RES+0x18\n"
"	.if \\long\n"
"	mov %fs:0x58, %rax\n"
"	mov %rax, RES+0x50\n"
"	.endif\n"
"	mov $0xdeadbeef, %eax\n"
"	movzbl %fs:0x60, %eax\n"
"	mov %eax, RES+0x20\n"
"	xor %eax, %eax\n"
"	movsbl %fs:0x68, %eax\n"
"	mov %eax, RES+0x24\n"
"	mov $0xdeadbeef, %eax\n"
"	movzwl %fs:0x70, %eax\n"
"	mov %eax, RES+0x28\n"
"	xor %eax, %eax\n"
"	movswl %fs:0x78, %eax\n"
"	mov %eax, RES+0x2c\n"
"	xor %eax, %eax\n"
"	xor %ecx, %ecx\n"
"	cpuid\n"
"	mov %eax, RES+0x30\n"
"	mov %ebx, RES+0x34\n"
"	mov %ecx, RES+0x38\n"
"	mov %edx, RES+0x3c\n"
"	movl %gs:0, %eax\n"
"	mov %eax, RES+0x40\n"
"	movl $0x0badf00d, %gs:4\n"
"	mov $0x12345, %eax\n"
"	vmcall\n"
"	mov %eax, RES+0x44\n"
"	.if \\long\n"
"	mov %rax, RES+0x58\n"
"	.endif\n"
"	hlt\n"
"	movl $1, RES+0x48\n"
"	cld\n"
"	mov $BUF, %edi\n"
"	mov $16, %ecx\n"
"	mov $0x30, %dx\n"
"	rep insb\n"
"	mov $(BUF+0x100), %esi\n"
"	mov $16, %ecx\n"
"	mov $0x32, %dx\n"
"	rep outsb\n"
"	mov $(BUF+0x200), %esi\n"
"	mov $8, %ecx\n"
"	mov $0x34, %dx\n"
"	rep outsw\n"
"	hlt\n"
"	.endm\n"
"	.macro vmx_body a, b\n"
"	.balign 16\n"
"	vmxon BUF\n"
"	.balign 16\n"
"	vmread \\a, \\b\n"
"	.balign 16\n"
"	vmwrite \\b, \\a\n"
"	.balign 16\n"
"	vmptrld BUF\n"
"	.balign 16\n"
"	vmptrst BUF\n"
"	.balign 16\n"
"	vmclear BUF\n"
"	.balign 16\n"
"	vmlaunch\n"
"	.balign 16\n"
"	vmresume\n"
"	.balign 16\n"
"	vmxoff\n"
"	.balign 16\n"
"	invept BUF, \\a\n"
"	.balign 16\n"
"	invvpid BUF, \\a\n"
"	.balign 16\n"
"	.endm\n"
"	.code16\n"
"suite_real: exit_body 0\n"
"suite_real_end:\n"
"	.balign 16\n"
"vmx_real: exc_stubs\n"
"	vmx_body %eax, %ebx\n"
"vmx_real_end:\n"
"tf_real: ud2\n"
"tf_real_end:\n"
"	.code32\n"
"suite_prot32: exit_body 0\n"
"suite_prot32_end:\n"
"	.balign 16\n"
"vmx_prot32: exc_stubs\n"
"	vmx_body %eax, %ebx\n"
"vmx_prot32_end:\n"
"tf_prot32: ud2\n"
"tf_prot32_end:\n"
"	.code64\n"
"suite_long64: exit_body 1\n"
"suite_long64_end:\n"
"	.balign 16\n"
"vmx_long64: exc_stubs\n"
"	vmx_body %rax, %rbx\n"
"vmx_long64_end:\n"
"tf_long64: ud2\n"
"tf_long64_end:\n"
"	.popsection\n"
);

extern const char suite_real[], suite_real_end[], vmx_real[], vmx_real_end[];
extern const char tf_real[], tf_real_end[];
extern const char suite_prot32[], suite_prot32_end[], vmx_prot32[];
extern const char vmx_prot32_end[], tf_prot32[], tf_prot32_end[];
extern const char suite_long64[], suite_long64_end[], vmx_long64[];
extern const char vmx_long64_end[], tf_long64[], tf_long64_end[];

/* Number of VMX instructions in vmx_body, and their names. */
#define NR_VMX_INSNS	11
static const char *const vmx_insn_names[NR_VMX_INSNS] = {
	"VMXON", "VMREAD", "VMWRITE", "VMPTRLD", "VMPTRST", "VMCLEAR",
	"VMLAUNCH", "VMRESUME", "VMXOFF", "INVEPT", "INVVPID",
};

static uint64_t le(const void *p, unsigned int n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);
	return v;
}

static void put_le(void *p, uint64_t v, unsigned int n)
{
	memcpy(p, &v, n);
}

static uint32_t res32(struct xg *g, unsigned int off)
{
	return le(xg_gpa(g, XG_RES + off), 4);
}

FIXTURE(exit) {
	struct xg g;
};

FIXTURE_VARIANT(exit) {
	enum xg_mode mode;
	const char *suite, *suite_end;
	const char *vmx, *vmx_end;
	const char *tf, *tf_end;
};

FIXTURE_VARIANT_ADD(exit, real) {
	.mode = XG_REAL,
	.suite = suite_real, .suite_end = suite_real_end,
	.vmx = vmx_real, .vmx_end = vmx_real_end,
	.tf = tf_real, .tf_end = tf_real_end,
};

FIXTURE_VARIANT_ADD(exit, prot32) {
	.mode = XG_PROT32,
	.suite = suite_prot32, .suite_end = suite_prot32_end,
	.vmx = vmx_prot32, .vmx_end = vmx_prot32_end,
	.tf = tf_prot32, .tf_end = tf_prot32_end,
};

FIXTURE_VARIANT_ADD(exit, long64) {
	.mode = XG_LONG64,
	.suite = suite_long64, .suite_end = suite_long64_end,
	.vmx = vmx_long64, .vmx_end = vmx_long64_end,
	.tf = tf_long64, .tf_end = tf_long64_end,
};

FIXTURE_SETUP(exit)
{
	ASSERT_EQ(0, xg_create(&self->g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
}

FIXTURE_TEARDOWN(exit)
{
	xg_destroy(&self->g);
}

/* An OUT exit of @size bytes to @port whose data must be @val. */
static void expect_out(struct __test_metadata *_metadata, struct xg *g,
		       unsigned int size, unsigned int port, uint64_t val)
{
	struct kvm_run *run = g->cpu[0].run;
	char what[48];

	snprintf(what, sizeof(what), "OUT size %u to port %#x", size, port);
	XG_EXPECT_IO(g, 0, KVM_EXIT_IO_OUT, size, port, 1, what);
	EXPECT_EQ(val, le(xg_io_data(run), size))
		TH_LOG("%s: the run page's data must hold the guest's value",
		       what);
}

/* An IN exit; the host answers @val. */
static void answer_in(struct __test_metadata *_metadata, struct xg *g,
		      unsigned int size, unsigned int port, uint64_t val)
{
	char what[48];

	snprintf(what, sizeof(what), "IN size %u from port %#x", size, port);
	XG_EXPECT_IO(g, 0, KVM_EXIT_IO_IN, size, port, 1, what);
	put_le(xg_io_data(g->cpu[0].run), val, size);
}

static void expect_mmio_write(struct __test_metadata *_metadata,
			      struct xg *g, uint64_t gpa, unsigned int len,
			      uint64_t val)
{
	struct kvm_run *run = g->cpu[0].run;
	char what[64];

	snprintf(what, sizeof(what), "MMIO write of %u bytes to %#llx", len,
		 (unsigned long long)gpa);
	XG_EXPECT_MMIO(g, 0, 1, gpa, len, what);
	EXPECT_EQ(val, le(run->mmio.data, len))
		TH_LOG("%s: mmio.data must hold the stored value", what);
}

static void answer_mmio_read(struct __test_metadata *_metadata,
			     struct xg *g, uint64_t gpa, unsigned int len,
			     uint64_t val)
{
	char what[64];

	snprintf(what, sizeof(what), "MMIO read of %u bytes from %#llx",
		 len, (unsigned long long)gpa);
	XG_EXPECT_MMIO(g, 0, 0, gpa, len, what);
	put_le(g->cpu[0].run->mmio.data, val, len);
}

/*
 * A REP string I/O of @total elements of @size bytes on @port: KVM's
 * emulator hands INS to userspace in one exit (count = RCX, data in the
 * run page) and OUTS one element per exit. @buf gives (OUT) or takes (IN)
 * the elements.
 */
static void string_io(struct __test_metadata *_metadata, struct xg *g,
		      int dir, unsigned int size, unsigned int port,
		      unsigned int total, uint8_t *buf)
{
	struct kvm_run *run = g->cpu[0].run;
	unsigned int done = 0, exits = 0;
	char what[64];

	snprintf(what, sizeof(what), "REP %s%c of %u on port %#x",
		 dir == KVM_EXIT_IO_OUT ? "OUTS" : "INS",
		 size == 1 ? 'B' : size == 2 ? 'W' : 'D', total, port);
	while (done < total && exits < total) {
		XG_RUN_EXPECT(g, 0, KVM_EXIT_IO, what);
		ASSERT_TRUE(run->io.direction == dir && run->io.size == size &&
			    run->io.port == port && run->io.count >= 1 &&
			    done + run->io.count <= total)
			TH_LOG("%s: exit %u after %u elements: got %s", what,
			       exits, done, xg_exit_str(run));
		if (dir == KVM_EXIT_IO_OUT)
			memcpy(buf + done * size, xg_io_data(run),
			       run->io.count * size);
		else
			memcpy(xg_io_data(run), buf + done * size,
			       run->io.count * size);
		done += run->io.count;
		exits++;
	}
	ASSERT_EQ(total, done) TH_LOG("%s: elements moved", what);
	/*
	 * The elements and their order are the ABI (checked above); how
	 * many exits carry them is not: the API lets count be more than 1
	 * in either direction. kvm_intel 6.1 batches INS and gives OUTS one
	 * element per exit (its emulator reads one element at a time);
	 * hvk batches both, up to the data page or the guest page.
	 */
	if (dir == KVM_EXIT_IO_IN || !hvk_lab_kvm()) {
		EXPECT_EQ(1, exits)
			TH_LOG("%s: one exit with count %u", what, total);
	} else {
		EXPECT_EQ(total, exits)
			TH_LOG("%s: kvm_intel: one exit per element", what);
	}
}

TEST_F(exit, suite)
{
	struct xg *g = &self->g;
	enum xg_mode mode = variant->mode;
	int lm = mode == XG_LONG64, r, i;
	uint8_t ins[16], outsb[16], got[16];
	uint16_t outsw[8], gotw[8];
	struct kvm_cpuid_entry2 *l0;
	struct kvm_cpuid2 *cpuid;
	uint32_t *ro;

	TH_LOG("guest in %s", xg_mode_name(mode));
	ro = hvk_alloc(XG_RO_SIZE);
	ASSERT_NE(MAP_FAILED, ro);
	ro[0] = 0x600df00d;
	ro[1] = 0x5a5a5a5a;
	ASSERT_OK(r, hvk_set_region(g->vm, 1, KVM_MEM_READONLY, XG_RO,
				    XG_RO_SIZE, (uintptr_t)ro),
		  "a KVM_MEM_READONLY slot at %#x", XG_RO);
	for (i = 0; i < 16; i++) {
		ins[i] = 0xc0 + i;
		outsb[i] = 0x30 + i;
	}
	for (i = 0; i < 8; i++)
		outsw[i] = 0x1000 * (i + 1) + i;
	memcpy(xg_gpa(g, XG_BUF + 0x100), outsb, sizeof(outsb));
	memcpy(xg_gpa(g, XG_BUF + 0x200), outsw, sizeof(outsw));
	ASSERT_EQ(0, xg_load(g, variant->suite, variant->suite_end));
	ASSERT_EQ(0, xg_enter(g, 0, mode, XG_CODE, XG_STACK))
		TH_LOG("%s: %s", xg_step, hvk_errname(errno));

	expect_out(_metadata, g, 1, 0x10, 0x11);
	expect_out(_metadata, g, 2, 0x12, 0x2222);
	expect_out(_metadata, g, 4, 0x14, 0x33334444);
	expect_out(_metadata, g, 1, 0x1234, 0x55);
	answer_in(_metadata, g, 1, 0x20, 0xa1);
	answer_in(_metadata, g, 2, 0x22, 0xb2b3);
	answer_in(_metadata, g, 4, 0x24, 0xc4c5c6c7);
	expect_mmio_write(_metadata, g, XG_MMIO + 0x00, 1, 0x66);
	expect_mmio_write(_metadata, g, XG_MMIO + 0x10, 2, 0x7788);
	expect_mmio_write(_metadata, g, XG_MMIO + 0x20, 4, 0x99aabbcc);
	if (lm)
		expect_mmio_write(_metadata, g, XG_MMIO + 0x30, 8,
				  0x1122334455667788ULL);
	answer_mmio_read(_metadata, g, XG_MMIO + 0x40, 1, 0xd1);
	answer_mmio_read(_metadata, g, XG_MMIO + 0x48, 2, 0xd2e3);
	answer_mmio_read(_metadata, g, XG_MMIO + 0x50, 4, 0xd4e5f607);
	if (lm)
		answer_mmio_read(_metadata, g, XG_MMIO + 0x58, 8,
				 0x0102030405060708ULL);
	answer_mmio_read(_metadata, g, XG_MMIO + 0x60, 1, 0x80);
	answer_mmio_read(_metadata, g, XG_MMIO + 0x68, 1, 0x80);
	answer_mmio_read(_metadata, g, XG_MMIO + 0x70, 2, 0x8001);
	answer_mmio_read(_metadata, g, XG_MMIO + 0x78, 2, 0x8001);
	/* CPUID and the read-only slot's read do not exit; its write does. */
	expect_mmio_write(_metadata, g, XG_RO + 4, 4, 0x0badf00d);
	/* VMCALL does not exit either; HLT does, and the guest goes on. */
	XG_RUN_EXPECT(g, 0, KVM_EXIT_HLT, "HLT after VMCALL");
	EXPECT_EQ(0, res32(g, 0x48))
		TH_LOG("the guest must not run past HLT before KVM_RUN");
	string_io(_metadata, g, KVM_EXIT_IO_IN, 1, 0x30, 16, ins);
	string_io(_metadata, g, KVM_EXIT_IO_OUT, 1, 0x32, 16, got);
	string_io(_metadata, g, KVM_EXIT_IO_OUT, 2, 0x34, 8, (uint8_t *)gotw);
	XG_RUN_EXPECT(g, 0, KVM_EXIT_HLT, "the final HLT");

	/* What the guest saw. */
	EXPECT_EQ(0xdeadbea1, res32(g, 0x00))
		TH_LOG("IN AL: the host's byte, EAX's upper bytes kept");
	EXPECT_EQ(0xdeadb2b3, res32(g, 0x04))
		TH_LOG("IN AX: the host's word, EAX's upper half kept");
	EXPECT_EQ(0xc4c5c6c7, res32(g, 0x08)) TH_LOG("IN EAX");
	EXPECT_EQ(0xdeadbed1, res32(g, 0x10))
		TH_LOG("MMIO read into AL: the host's byte");
	EXPECT_EQ(0xdeadd2e3, res32(g, 0x14))
		TH_LOG("MMIO read into AX: the host's word");
	EXPECT_EQ(0xd4e5f607, res32(g, 0x18)) TH_LOG("MMIO read into EAX");
	if (lm)
		EXPECT_EQ(0x0102030405060708ULL,
			  le(xg_gpa(g, XG_RES + 0x50), 8))
			TH_LOG("MMIO read into RAX");
	EXPECT_EQ(0x00000080, res32(g, 0x20)) TH_LOG("MOVZX byte 0x80");
	EXPECT_EQ(0xffffff80, res32(g, 0x24)) TH_LOG("MOVSX byte 0x80");
	EXPECT_EQ(0x00008001, res32(g, 0x28)) TH_LOG("MOVZX word 0x8001");
	EXPECT_EQ(0xffff8001, res32(g, 0x2c)) TH_LOG("MOVSX word 0x8001");
	cpuid = xg_guest_cpuid(g->sys);
	ASSERT_NE(NULL, cpuid) TH_LOG("KVM_GET_SUPPORTED_CPUID");
	l0 = xg_cpuid_entry(cpuid, 0, 0);
	ASSERT_NE(NULL, l0) TH_LOG("CPUID leaf 0 in the supported table");
	EXPECT_TRUE(res32(g, 0x30) == l0->eax && res32(g, 0x34) == l0->ebx &&
		    res32(g, 0x38) == l0->ecx && res32(g, 0x3c) == l0->edx)
		TH_LOG("CPUID.0 in the guest %08x %08x %08x %08x must be the "
		       "KVM_SET_CPUID2 entry %08x %08x %08x %08x",
		       res32(g, 0x30), res32(g, 0x34), res32(g, 0x38),
		       res32(g, 0x3c), l0->eax, l0->ebx, l0->ecx, l0->edx);
	free(cpuid);
	EXPECT_EQ(0x600df00d, res32(g, 0x40))
		TH_LOG("a read of the read-only slot sees its memory");
	EXPECT_EQ(0x5a5a5a5a, ro[1])
		TH_LOG("the write to the read-only slot must not reach it");
	EXPECT_EQ((uint32_t)-XG_KVM_ENOSYS, res32(g, 0x44))
		TH_LOG("VMCALL with unknown nr 0x12345: EAX = -KVM_ENOSYS");
	if (lm)
		EXPECT_EQ((uint64_t)-XG_KVM_ENOSYS,
			  le(xg_gpa(g, XG_RES + 0x58), 8))
			TH_LOG("VMCALL in 64-bit mode: RAX = -KVM_ENOSYS");
	EXPECT_EQ(1, res32(g, 0x48)) TH_LOG("the guest ran on after HLT");
	EXPECT_EQ(0, memcmp(xg_gpa(g, XG_BUF), ins, sizeof(ins)))
		TH_LOG("REP INSB: the host's bytes land in guest memory");
	EXPECT_EQ(0, memcmp(got, outsb, sizeof(outsb)))
		TH_LOG("REP OUTSB: the guest's bytes reach the host in order");
	EXPECT_EQ(0, memcmp(gotw, outsw, sizeof(outsw)))
		TH_LOG("REP OUTSW: the guest's words reach the host in order");
	munmap(ro, XG_RO_SIZE);
}

/*
 * Where an exception stub's frame keeps the faulting IP: real mode
 * pushes IP (16 bits) last, protected mode EIP, long mode RIP.
 */
static uint64_t fault_ip(struct xg *g, enum xg_mode mode, uint64_t rsp)
{
	if (mode == XG_REAL)
		return le(xg_gpa(g, rsp & 0xffff), 2) + XG_CODE;
	return le(xg_gpa(g, rsp), mode == XG_PROT32 ? 4 : 8);
}

TEST_F(exit, vmx_insn_ud)
{
	struct xg *g = &self->g;
	enum xg_mode mode = variant->mode;
	struct kvm_regs regs;
	uint64_t insn;
	int i, r;

	TH_LOG("guest in %s", xg_mode_name(mode));
	ASSERT_EQ(XG_STUBS_SIZE + NR_VMX_INSNS * 16,
		  variant->vmx_end - variant->vmx)
		TH_LOG("vmx_body must hold %d 16-byte slots", NR_VMX_INSNS);
	ASSERT_EQ(0, xg_load(g, variant->vmx, variant->vmx_end));
	XG_SET_STUBS(g, mode, XG_CODE);
	for (i = 0; i < NR_VMX_INSNS; i++) {
		insn = XG_CODE + XG_STUBS_SIZE + i * 16;
		ASSERT_EQ(0, xg_enter(g, 0, mode, insn, XG_STACK))
			TH_LOG("%s: %s", xg_step, hvk_errname(errno));
		XG_EXPECT_IO(g, 0, KVM_EXIT_IO_OUT, 1, XG_PORT_EXC, 1,
			     vmx_insn_names[i]);
		EXPECT_EQ(6, *(uint8_t *)xg_io_data(g->cpu[0].run))
			TH_LOG("%s in the guest must raise #UD (vector 6)",
			       vmx_insn_names[i]);
		ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_GET_REGS, &regs),
			  "KVM_GET_REGS");
		EXPECT_EQ(insn, fault_ip(g, mode, regs.rsp))
			TH_LOG("%s: #UD must fault on the instruction itself",
			       vmx_insn_names[i]);
	}
}

TEST_F(exit, triple_fault)
{
	struct xg *g = &self->g;
	enum xg_mode mode = variant->mode;
	struct kvm_sregs sr;
	int r;

	TH_LOG("guest in %s", xg_mode_name(mode));
	ASSERT_EQ(0, xg_load(g, variant->tf, variant->tf_end));
	ASSERT_EQ(0, xg_enter(g, 0, mode, XG_CODE, XG_STACK))
		TH_LOG("%s: %s", xg_step, hvk_errname(errno));
	/* An empty IDT: #UD, then #GP, then #DF cannot be delivered. */
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_GET_SREGS, &sr), "KVM_GET_SREGS");
	sr.idt.limit = 0;
	ASSERT_OK(r, ioctl(g->cpu[0].fd, KVM_SET_SREGS, &sr),
		  "KVM_SET_SREGS with IDT limit 0");
	XG_RUN_EXPECT(g, 0, KVM_EXIT_SHUTDOWN, "UD2 with an empty IDT");
}

TEST_HARNESS_MAIN

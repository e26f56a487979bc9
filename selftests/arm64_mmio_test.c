// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guests touching addresses no memslot covers: KVM_EXIT_MMIO for
 * loads and stores of every width, completion of reads (zero and sign
 * extension, W and X destinations, XZR), completion through
 * immediate_exit, accesses without a valid syndrome (ENOSYS, or
 * KVM_EXIT_ARM_NISV with KVM_CAP_ARM_NISV_TO_USER), instruction fetches
 * and data accesses the host cannot serve (aborts injected into the
 * guest, reported by a guest VBAR_EL1 vector).
 *
 * Expectations are Linux 6.1 KVM's (arch/arm64/kvm/mmio.c io_mem_abort,
 * kvm_handle_mmio_return; mmu.c kvm_handle_guest_abort; inject_fault.c).
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include "arm64_guest.h"

/*
 * Stores of each width, then loads of each width into registers preset to
 * garbage; the host checks each exit and, at the final store, the
 * registers. x19 is the MMIO base throughout.
 */
GUEST_CODE(g_widths,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x1, =0x1122334455667788\n"
	"strb	w1, [x19, #0x1]\n"
	"strh	w1, [x19, #0x2]\n"
	"str	w1, [x19, #0x4]\n"
	"str	x1, [x19, #0x8]\n"
	"str	wzr, [x19, #0x10]\n"
	"str	xzr, [x19, #0x18]\n"
	"ldr	x2, =0xdeadbeefdeadbeef\n"
	"mov	x3, x2\n"
	"mov	x4, x2\n"
	"mov	x5, x2\n"
	"mov	x6, x2\n"
	"mov	x7, x2\n"
	"mov	x8, x2\n"
	"mov	x9, x2\n"
	"mov	x10, x2\n"
	"mov	x11, x2\n"
	"mov	x12, x2\n"
	"ldrb	w2, [x19, #0x21]\n"
	"ldrh	w3, [x19, #0x22]\n"
	"ldr	w4, [x19, #0x24]\n"
	"ldr	x5, [x19, #0x28]\n"
	"ldrsb	w6, [x19, #0x31]\n"
	"ldrsb	x7, [x19, #0x31]\n"
	"ldrsh	w8, [x19, #0x32]\n"
	"ldrsh	x9, [x19, #0x32]\n"
	"ldrsw	x10, [x19, #0x34]\n"
	"ldrsb	x11, [x19, #0x31]\n"
	"ldrsh	w12, [x19, #0x32]\n"
	"ldr	xzr, [x19, #0x38]\n"
	"str	x2, [x19, #0x40]\n"
	"b	.\n");

/* One read: where, how wide, what the host answers, what x<reg> must be. */
struct rd {
	uint32_t off, len;
	uint64_t data;		/* bytes past len: junk, to be ignored */
	int reg;		/* -1: XZR */
	uint64_t want;
	const char *insn;
};

static const struct rd widths_reads[] = {
	{ 0x21, 1, 0xaaaaaaaaaaaaaaf0ULL, 2, 0xf0, "ldrb w2" },
	{ 0x22, 2, 0xaaaaaaaaaaaa8001ULL, 3, 0x8001, "ldrh w3" },
	{ 0x24, 4, 0xaaaaaaaa80000001ULL, 4, 0x80000001, "ldr w4" },
	{ 0x28, 8, 0x8877665544332211ULL, 5, 0x8877665544332211ULL,
	  "ldr x5" },
	{ 0x31, 1, 0xaaaaaaaaaaaaaa80ULL, 6, 0xffffff80, "ldrsb w6" },
	{ 0x31, 1, 0xaaaaaaaaaaaaaa80ULL, 7, 0xffffffffffffff80ULL,
	  "ldrsb x7" },
	{ 0x32, 2, 0xaaaaaaaaaaaa8000ULL, 8, 0xffff8000, "ldrsh w8" },
	{ 0x32, 2, 0xaaaaaaaaaaaa8000ULL, 9, 0xffffffffffff8000ULL,
	  "ldrsh x9" },
	{ 0x34, 4, 0xaaaaaaaa80000000ULL, 10, 0xffffffff80000000ULL,
	  "ldrsw x10" },
	{ 0x31, 1, 0xaaaaaaaaaaaaaa7fULL, 11, 0x7f, "ldrsb x11 (positive)" },
	{ 0x32, 2, 0xaaaaaaaaaaaa7ffeULL, 12, 0x7ffe, "ldrsh w12 (positive)" },
	{ 0x38, 8, 0x0123456789abcdefULL, -1, 0, "ldr xzr" },
};

/* Set all 8 data bytes (junk beyond the access's length included). */
static void fill8(struct kvm_run *run, uint64_t v)
{
	int b;

	for (b = 0; b < 8; b++)
		run->mmio.data[b] = v >> (8 * b);
}

/*
 * Run g_widths to its end: check its stores, answer its loads from
 * widths_reads[]. The registers are then the guest's results.
 */
static void run_widths(struct __test_metadata *_metadata, struct g_vm *g)
{
	static const struct { uint32_t off, len; uint64_t data; } wr[] = {
		{ 0x1, 1, 0x88 }, { 0x2, 2, 0x7788 }, { 0x4, 4, 0x55667788 },
		{ 0x8, 8, 0x1122334455667788ULL },
		{ 0x10, 4, 0 }, { 0x18, 8, 0 },
	};
	unsigned int i;
	uint64_t v;

	g_vm_with_code(g, g_widths);
	/* Preset SP_EL1: "ldr xzr" must not land in SP (register 31). */
	g_set64(g, 0, G_SP_EL1, G_RAM_GPA + G_RAM_SIZE - 0x100);
	for (i = 0; i < sizeof(wr) / sizeof(wr[0]); i++) {
		v = g_run_mmio(g, 0, G_MMIO_GPA + wr[i].off, wr[i].len, 1);
		EXPECT_EQ(wr[i].data, v)
			TH_LOG("store #%u (%u bytes at +%#x): data %#llx, "
			       "expected %#llx", i, wr[i].len, wr[i].off,
			       (unsigned long long)v,
			       (unsigned long long)wr[i].data);
	}
	for (i = 0; i < sizeof(widths_reads) / sizeof(widths_reads[0]); i++) {
		const struct rd *rd = &widths_reads[i];

		g_run_mmio(g, 0, G_MMIO_GPA + rd->off, rd->len, 0);
		fill8(g->run[0], rd->data);
	}
	/* The final "str x2": the first load's result, seen by the guest. */
	v = g_run_mmio(g, 0, G_MMIO_GPA + 0x40, 8, 1);
	EXPECT_EQ(0xf0, v) TH_LOG("x2 as the guest stores it after ldrb");
}

/* A signed load (LDRS*) of a negative value. */
static int sext_negative(const struct rd *rd)
{
	return !strncmp(rd->insn, "ldrs", 4) &&
	       (rd->data >> (8 * rd->len - 1)) & 1;
}

TEST(store_widths_and_read_completion)
{
	struct g_vm g;
	unsigned int i;
	uint64_t v;

	run_widths(_metadata, &g);
	for (i = 0; i < sizeof(widths_reads) / sizeof(widths_reads[0]); i++) {
		const struct rd *rd = &widths_reads[i];

		if (rd->reg < 0 || sext_negative(rd))
			continue;
		v = g_get64(&g, 0, G_X(rd->reg));
		EXPECT_EQ(rd->want, v)
			TH_LOG("%s of %#llx (%u bytes): x%d = %#llx, expected "
			       "%#llx", rd->insn, (unsigned long long)rd->data,
			       rd->len, rd->reg, (unsigned long long)v,
			       (unsigned long long)rd->want);
	}
	EXPECT_EQ(G_RAM_GPA + G_RAM_SIZE - 0x100, g_get64(&g, 0, G_SP_EL1))
		TH_LOG("a load into XZR must not change SP_EL1");
	g_vm_destroy(&g);
}

/*
 * LDRSB/LDRSH/LDRSW of negative values. KVM sign-extends when the data
 * abort's syndrome says so (ESR_EL2.SSE). The lab's QEMU 7.2 TCG reports
 * SSE = 0 for these loads (seen in the kvm_guest_fault trace: LDRSB w6
 * gives ESR_EL2 0x93260005), so there the hypervisor zero-extends as told:
 * that, and only that, is a skip with its reason.
 */
TEST(signed_loads_sign_extend)
{
	uint64_t got[sizeof(widths_reads) / sizeof(widths_reads[0])];
	int n = 0, zext = 0, bad = 0;
	struct g_vm g;
	unsigned int i;

	run_widths(_metadata, &g);
	for (i = 0; i < sizeof(widths_reads) / sizeof(widths_reads[0]); i++) {
		const struct rd *rd = &widths_reads[i];
		uint64_t z = rd->data & ((1ULL << (8 * rd->len)) - 1);

		if (rd->reg < 0 || !sext_negative(rd))
			continue;
		got[i] = g_get64(&g, 0, G_X(rd->reg));
		n++;
		if (got[i] == z)
			zext++;
		else if (got[i] != rd->want)
			bad++;
	}
	g_vm_destroy(&g);
	ASSERT_LT(0, n);
	if (zext == n && !bad && getenv("HVK_LAB_ARCH"))
		SKIP(return, "the lab's QEMU reports ESR_EL2.SSE = 0 for "
		     "LDRS*: all %d signed loads came back zero-extended", n);
	for (i = 0; i < sizeof(widths_reads) / sizeof(widths_reads[0]); i++) {
		const struct rd *rd = &widths_reads[i];

		if (rd->reg < 0 || !sext_negative(rd))
			continue;
		EXPECT_EQ(rd->want, got[i])
			TH_LOG("%s of %#llx (%u bytes): x%d = %#llx, expected "
			       "%#llx", rd->insn, (unsigned long long)rd->data,
			       rd->len, rd->reg, (unsigned long long)got[i],
			       (unsigned long long)rd->want);
	}
}

/*
 * Other forms that carry a syndrome: unscaled offsets, register offsets,
 * acquire/release. x2 = 4 for the register offsets. (All aligned: with
 * the MMU off an unaligned access is the guest's own alignment fault.)
 */
GUEST_CODE(g_forms,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x1, =0x0807060504030201\n"
	"mov	x2, #4\n"
	"stur	w1, [x19, #0x44]\n"
	"str	x1, [x19, x2, lsl #3]\n"
	"strh	w1, [x19, x2]\n"
	"stlr	x1, [x19]\n"
	"stlrb	w1, [x19]\n"
	"ldur	x3, [x19, #0x48]\n"
	"ldr	w4, [x19, x2, lsl #2]\n"
	"ldar	x5, [x19]\n"
	"ldarh	w6, [x19]\n"
	"str	x3, [x19, #0x80]\n"
	"b	.\n");

TEST(other_addressing_forms)
{
	static const struct { uint32_t off, len; uint64_t data; } wr[] = {
		{ 0x44, 4, 0x04030201 }, { 0x20, 8, 0x0807060504030201ULL },
		{ 0x4, 2, 0x0201 }, { 0x0, 8, 0x0807060504030201ULL },
		{ 0x0, 1, 0x01 },
	};
	static const struct { uint32_t off, len; int reg; uint64_t want; }
	rd[] = {
		{ 0x48, 8, 3, 0xa1a2a3a4a5a6a7a8ULL },
		{ 0x10, 4, 4, 0xa5a6a7a8 },
		{ 0x00, 8, 5, 0xa1a2a3a4a5a6a7a8ULL },
		{ 0x00, 2, 6, 0xa7a8 },
	};
	struct g_vm g;
	unsigned int i;
	uint64_t v;

	g_vm_with_code(&g, g_forms);
	for (i = 0; i < sizeof(wr) / sizeof(wr[0]); i++) {
		v = g_run_mmio(&g, 0, G_MMIO_GPA + wr[i].off, wr[i].len, 1);
		EXPECT_EQ(wr[i].data, v) TH_LOG("store #%u: %#llx", i,
						(unsigned long long)v);
	}
	for (i = 0; i < sizeof(rd) / sizeof(rd[0]); i++) {
		g_run_mmio(&g, 0, G_MMIO_GPA + rd[i].off, rd[i].len, 0);
		fill8(g.run[0], 0xa1a2a3a4a5a6a7a8ULL);
	}
	v = g_run_mmio(&g, 0, G_MMIO_GPA + 0x80, 8, 1);
	EXPECT_EQ(0xa1a2a3a4a5a6a7a8ULL, v) TH_LOG("x3 as the guest stores it");
	for (i = 0; i < sizeof(rd) / sizeof(rd[0]); i++) {
		v = g_get64(&g, 0, G_X(rd[i].reg));
		EXPECT_EQ(rd[i].want, v)
			TH_LOG("load #%u into x%d: %#llx", i, rd[i].reg,
			       (unsigned long long)v);
	}
	g_vm_destroy(&g);
}

/* A load, then a store of what it loaded. */
GUEST_CODE(g_load_store,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x2, [x19, #0x100]\n"
	"str	x2, [x19, #0x108]\n"
	"b	.\n");

TEST(read_completed_by_immediate_exit)
{
	struct g_vm g;
	uint64_t pc, v;
	int r, err;

	g_vm_with_code(&g, g_load_store);
	g_run_mmio(&g, 0, G_MMIO_GPA + 0x100, 8, 0);
	pc = g_get64(&g, 0, G_PC);
	fill8(g.run[0], 0x5566778899aabbccULL);
	/*
	 * KVM completes a pending MMIO read at the start of KVM_RUN, before
	 * it looks at immediate_exit: the documented way to sync state
	 * before saving it.
	 */
	g.run[0]->immediate_exit = 1;
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r) TH_LOG("KVM_RUN with immediate_exit = 1");
	EXPECT_EQ(EINTR, err) TH_LOG("KVM_RUN with immediate_exit = 1: %s",
				     hvk_errname(err));
	EXPECT_EQ(0x5566778899aabbccULL, g_get64(&g, 0, G_X(2)))
		TH_LOG("the pending read must be in x2 after the immediate "
		       "exit");
	EXPECT_EQ(pc + 4, g_get64(&g, 0, G_PC))
		TH_LOG("PC must be past the load after the immediate exit");
	/* Completed once only: the next run goes on with the store. */
	g.run[0]->immediate_exit = 0;
	v = g_run_mmio(&g, 0, G_MMIO_GPA + 0x108, 8, 1);
	EXPECT_EQ(0x5566778899aabbccULL, v)
		TH_LOG("the guest stores what it loaded");
	EXPECT_EQ(pc + 4, g_get64(&g, 0, G_PC))
		TH_LOG("PC advanced once for the load; at the store's exit it "
		       "points at the store");
	g_vm_destroy(&g);
}

/*
 * Accesses without a valid instruction syndrome (ESR_EL2.ISV = 0): a load
 * pair, a post-indexed store; then a plain store showing the guest went
 * on (and that the skipped post-index did not write back).
 */
GUEST_CODE(g_nisv,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x3, =0x0102030405060708\n"
	"ldp	x1, x2, [x19, #0x10]\n"
	"str	x3, [x19], #8\n"
	"str	x19, [x19, #0x20]\n"
	"b	.\n");

TEST(no_syndrome_without_cap_enosys)
{
	struct g_vm g;
	uint64_t pc;
	int r, err;

	g_vm_with_code(&g, g_nisv);
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r) TH_LOG("KVM_RUN on an LDP from MMIO without "
				"KVM_CAP_ARM_NISV_TO_USER: returned %d, exit "
				"%s", r, g_exit_name(g.run[0]->exit_reason));
	EXPECT_EQ(ENOSYS, err) TH_LOG("LDP from MMIO without "
				      "KVM_CAP_ARM_NISV_TO_USER: %s",
				      hvk_errname(err));
	pc = g_get64(&g, 0, G_PC);
	EXPECT_EQ(G_RAM_GPA + 8, pc) TH_LOG("PC stays at the LDP");
	/* Nothing changed: the same access fails the same way again. */
	r = g_run_raw(&g, 0, &err);
	EXPECT_EQ(-1, r);
	EXPECT_EQ(ENOSYS, err) TH_LOG("the second KVM_RUN: %s",
				      hvk_errname(err));
	g_vm_destroy(&g);
}

/* ESR ISS bits KVM passes on in arm_nisv.esr_iss: CM, WnR, FSC. */
#define NISV_ISS_MASK	((1ULL << 8) | (1ULL << 6) | 0x3f)

TEST(no_syndrome_with_cap_arm_nisv)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };
	struct kvm_run *run;
	struct g_vm g;
	uint64_t pc, v;
	int r;

	g_vm_with_code(&g, g_nisv);
	run = g.run[0];
	EXPECT_LT(0, hvk_cap(g.vm, KVM_CAP_ARM_NISV_TO_USER))
		TH_LOG("KVM_CHECK_EXTENSION(KVM_CAP_ARM_NISV_TO_USER) on "
		       "the VM");
	ASSERT_OK(r, ioctl(g.vm, KVM_ENABLE_CAP, &cap),
		  "KVM_ENABLE_CAP(KVM_CAP_ARM_NISV_TO_USER)");

	g_run_expect(&g, 0, KVM_EXIT_ARM_NISV);
	EXPECT_EQ(G_MMIO_GPA + 0x10, run->arm_nisv.fault_ipa)
		TH_LOG("LDP: fault_ipa %#llx",
		       (unsigned long long)run->arm_nisv.fault_ipa);
	EXPECT_EQ(0, run->arm_nisv.esr_iss & ~NISV_ISS_MASK)
		TH_LOG("esr_iss %#llx carries only CM, WnR and FSC",
		       (unsigned long long)run->arm_nisv.esr_iss);
	EXPECT_EQ(0, run->arm_nisv.esr_iss & (1ULL << 6))
		TH_LOG("LDP: WnR must be 0");
	v = run->arm_nisv.esr_iss & 0x3c;
	EXPECT_EQ(0x04, v) TH_LOG("LDP: FSC %#llx must be a translation "
				  "fault (0x04-0x07)",
				  (unsigned long long)(run->arm_nisv.esr_iss &
						       0x3f));
	pc = g_get64(&g, 0, G_PC);
	EXPECT_EQ(G_RAM_GPA + 8, pc) TH_LOG("PC at the LDP");
	/* Userspace "emulates" it by skipping it. */
	g_set64(&g, 0, G_PC, pc + 4);

	g_run_expect(&g, 0, KVM_EXIT_ARM_NISV);
	EXPECT_EQ(G_MMIO_GPA, run->arm_nisv.fault_ipa)
		TH_LOG("post-indexed STR: fault_ipa %#llx (the base)",
		       (unsigned long long)run->arm_nisv.fault_ipa);
	EXPECT_EQ(1ULL << 6, run->arm_nisv.esr_iss & (1ULL << 6))
		TH_LOG("post-indexed STR: WnR must be 1, esr_iss %#llx",
		       (unsigned long long)run->arm_nisv.esr_iss);
	EXPECT_EQ(0x04, run->arm_nisv.esr_iss & 0x3c)
		TH_LOG("post-indexed STR: FSC a translation fault");
	EXPECT_EQ(pc + 4, g_get64(&g, 0, G_PC)) TH_LOG("PC at the STR");
	g_set64(&g, 0, G_PC, pc + 8);

	v = g_run_mmio(&g, 0, G_MMIO_GPA + 0x20, 8, 1);
	EXPECT_EQ(G_MMIO_GPA, v)
		TH_LOG("the skipped post-indexed store must not write x19 "
		       "back");
	g_vm_destroy(&g);
}

/*
 * A guest with a VBAR_EL1 vector table: its current-EL synchronous vector
 * reports ESR_EL1, FAR_EL1 and ELR_EL1 through MMIO stores. The host sets
 * x20 (the address to touch) and x21 (0: branch there, 1: load from it).
 */
GUEST_SYM(g_abort_vectors);
GUEST_CODE(g_abort,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"adr	x1, g_abort_vectors\n"
	"msr	vbar_el1, x1\n"
	"isb\n"
	"cbnz	x21, 1f\n"
	"br	x20\n"
	"1:	ldr	x2, [x20]\n"
	"str	x2, [x19, #0x80]\n"
	"b	.\n"
	".balign 2048\n"
	"g_abort_vectors:\n"
	".skip	0x200\n"
	/* Current EL with SP_ELx, synchronous. */
	"mrs	x4, esr_el1\n"
	"str	x4, [x19, #0x0]\n"
	"mrs	x4, far_el1\n"
	"str	x4, [x19, #0x8]\n"
	"mrs	x4, elr_el1\n"
	"str	x4, [x19, #0x10]\n"
	"b	.\n"
	".balign 0x80\n"
	/* Current EL with SP_ELx, IRQ, FIQ, SError: say which. */
	"mov	x4, #0x280\n"
	"str	x4, [x19, #0x18]\n"
	"b	.\n"
	".balign 0x80\n"
	"mov	x4, #0x300\n"
	"str	x4, [x19, #0x18]\n"
	"b	.\n"
	".balign 0x80\n"
	"mov	x4, #0x380\n"
	"str	x4, [x19, #0x18]\n"
	"b	.\n"
	".balign 0x80\n");

/* Run the abort guest; return ESR, FAR, ELR as its vector reports them. */
static void abort_report(struct __test_metadata *_metadata, struct g_vm *g,
			 uint64_t *esr, uint64_t *far, uint64_t *elr)
{
	*esr = g_run_mmio(g, 0, G_MMIO_GPA + 0x0, 8, 1);
	*far = g_run_mmio(g, 0, G_MMIO_GPA + 0x8, 8, 1);
	*elr = g_run_mmio(g, 0, G_MMIO_GPA + 0x10, 8, 1);
}

TEST(instruction_fetch_outside_memory_pabt)
{
	uint64_t esr, far, elr;
	struct g_vm g;

	g_vm_with_code(&g, g_abort);
	g_set64(&g, 0, G_X(20), G_HOLE_GPA);
	g_set64(&g, 0, G_X(21), 0);
	abort_report(_metadata, &g, &esr, &far, &elr);
	EXPECT_EQ(G_EC_IABT_CUR, G_ESR_EC(esr))
		TH_LOG("branch to unmapped IPA %#x: ESR_EL1 %#llx, expected "
		       "an instruction abort from the current EL (EC 0x21)",
		       G_HOLE_GPA, (unsigned long long)esr);
	EXPECT_EQ(G_FSC_EXTABT, G_ESR_FSC(esr))
		TH_LOG("KVM injects a synchronous external abort (FSC 0x10): "
		       "ESR_EL1 %#llx", (unsigned long long)esr);
	EXPECT_TRUE(esr & G_ESR_IL) TH_LOG("ESR_EL1.IL (32-bit instruction)");
	EXPECT_EQ(G_HOLE_GPA, far) TH_LOG("FAR_EL1 %#llx",
					  (unsigned long long)far);
	EXPECT_EQ(G_HOLE_GPA, elr) TH_LOG("ELR_EL1 %#llx",
					  (unsigned long long)elr);
	g_vm_destroy(&g);
}

TEST(access_beyond_ipa_size_dabt)
{
	uint64_t esr, far, elr, addr = 1ULL << 32;
	struct g_vm g;
	int i;

	/* A VM with 32-bit IPAs: 4 GiB and above is no guest address. */
	g_vm_create_type(_metadata, &g, KVM_VM_TYPE_ARM_IPA_SIZE(32),
			 G_RAM_SIZE);
	i = g_vcpu_add(_metadata, &g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	g_load(_metadata, &g, 0, g_abort, g_abort_end);
	g_set64(&g, i, G_PC, G_RAM_GPA);
	g_set64(&g, i, G_X(20), addr + 0x18);
	g_set64(&g, i, G_X(21), 1);
	abort_report(_metadata, &g, &esr, &far, &elr);
	EXPECT_EQ(G_EC_DABT_CUR, G_ESR_EC(esr))
		TH_LOG("load from IPA %#llx in a 32-bit IPA VM: ESR_EL1 "
		       "%#llx, expected a data abort from the current EL "
		       "(EC 0x25)", (unsigned long long)addr + 0x18,
		       (unsigned long long)esr);
	EXPECT_EQ(G_FSC_EXTABT, G_ESR_FSC(esr))
		TH_LOG("KVM injects a synchronous external abort (FSC 0x10): "
		       "ESR_EL1 %#llx", (unsigned long long)esr);
	EXPECT_EQ(addr + 0x18, far) TH_LOG("FAR_EL1 %#llx",
					   (unsigned long long)far);
	EXPECT_EQ(G_RAM_GPA + 0x18, elr)
		TH_LOG("ELR_EL1 %#llx: the load", (unsigned long long)elr);
	g_vm_destroy(&g);
}

/* Below 4 GiB the same 32-bit IPA VM's guest gets an MMIO exit. */
TEST(access_below_ipa_size_mmio)
{
	struct g_vm g;
	int i;

	g_vm_create_type(_metadata, &g, KVM_VM_TYPE_ARM_IPA_SIZE(32),
			 G_RAM_SIZE);
	i = g_vcpu_add(_metadata, &g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	g_load(_metadata, &g, 0, g_abort, g_abort_end);
	g_set64(&g, i, G_PC, G_RAM_GPA);
	g_set64(&g, i, G_X(20), 0xfffff000ULL);
	g_set64(&g, i, G_X(21), 1);
	g_run_mmio(&g, i, 0xfffff000ULL, 8, 0);
	fill8(g.run[i], 0x77);
	EXPECT_EQ(0x77, g_run_mmio(&g, i, G_MMIO_GPA + 0x80, 8, 1))
		TH_LOG("the load's result, stored by the guest");
	g_vm_destroy(&g);
}

TEST_HARNESS_MAIN

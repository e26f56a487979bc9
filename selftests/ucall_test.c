// SPDX-License-Identifier: GPL-2.0
/*
 * libhvk's ucall end to end: a guest reports PRINT, SYNC, FAIL and DONE
 * through the HVK_UCALL_ASM_* macros (x86: OUT of the record's address
 * to HVK_UCALL_PORT, from 32-bit protected and from 64-bit long mode,
 * the same bytes; arm64: a store of it to HVK_UCALL_MMIO), and the host
 * decodes each one with hvk_vm_ucall() inside hvk_run_loop(): command,
 * file, line, message and values, in order, the guest going on after
 * each. The VM is built with libhvk's struct hvk_vm.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lib.h"

#define MEM_SIZE	0x10000
#define RUN_LIMIT_MS	10000

#ifdef __x86_64__
#define MEM_GPA		0x0
#define CODE_GPA	0x1000
#define GDT_GPA		0x100
#define PML4_GPA	0x2000		/* 6 pages of identity tables */
#define STACK_TOP	0xf000
/*
 * 32-bit code that also runs in long mode (see libhvk.h). The labels are
 * global: arm64's GOT merges local labels of one section (one address).
 */
asm(".pushsection .rodata.ucall_guest, \"a\"\n"
    ".balign 16\n"
    ".code32\n"
    ".global ucall_guest, ucall_guest_end\n"
    "ucall_guest:\n"
    "	mov $1, %ecx\n"
    "	mov $2, %edx\n"
    HVK_UCALL_ASM_PRINT("hello from the guest")
    "	mov $7, %ecx\n"
    HVK_UCALL_ASM_SYNC
    "	mov $0x1234, %ecx\n"
    "	mov $0x5678, %edx\n"
    HVK_UCALL_ASM_FAIL("x == y")
    HVK_UCALL_ASM_DONE
    "1:	hlt\n"
    "	jmp 1b\n"
    "ucall_guest_end:\n"
    ".code64\n"
    ".popsection\n");
#else
#define MEM_GPA		0x40000000
#define CODE_GPA	MEM_GPA
asm(".pushsection .rodata.ucall_guest, \"a\"\n"
    ".balign 16\n"
    ".global ucall_guest, ucall_guest_end\n"
    "ucall_guest:\n"
    "	mov x0, #1\n"
    "	mov x1, #2\n"
    HVK_UCALL_ASM_PRINT("hello from the guest")
    "	mov x0, #7\n"
    HVK_UCALL_ASM_SYNC
    "	mov x0, #0x1234\n"
    "	mov x1, #0x5678\n"
    HVK_UCALL_ASM_FAIL("x == y")
    HVK_UCALL_ASM_DONE
    "1:	wfi\n"
    "	b 1b\n"
    "ucall_guest_end:\n"
    ".popsection\n");
#endif

extern const char ucall_guest[], ucall_guest_end[];

struct seen {
	struct hvk_vm *vm;
	int n;
	struct hvk_ucall uc[8];
	int bad;			/* an exit that is no ucall */
	char why[160];
};

/* hvk_run_loop()'s handler: collect ucalls until DONE. */
static int collect_ucall(struct hvk_vcpu *c, void *ctx)
{
	struct seen *s = ctx;
	struct hvk_ucall uc;
	int cmd = hvk_vm_ucall(s->vm, c, &uc);

	if (cmd <= 0) {
		s->bad = 1;
		if (cmd < 0)
			snprintf(s->why, sizeof(s->why), "bad ucall record: %s",
				 hvk_errname(errno));
		else
			hvk_exit_str(c->run, s->why, sizeof(s->why));
		return 1;
	}
	if (s->n < 8)
		s->uc[s->n++] = uc;
	return cmd == HVK_UCALL_DONE ? 0 : HVK_RUN_AGAIN;
}

static int setup(struct hvk_vm *vm, struct hvk_vcpu **c, int mode)
{
#ifdef __x86_64__
	struct hvk_x86_layout l = {
		.gdt = GDT_GPA, .pml4 = PML4_GPA,
	};
	struct kvm_sregs sr;
	struct kvm_regs regs;
	uint8_t *mem;
#endif

	if (hvk_vm_create(vm, 0))
		return -1;
#ifdef __x86_64__
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000UL))
		return -1;
#endif
	if (!hvk_vm_add_mem(vm, 0, 0, MEM_GPA, MEM_SIZE))
		return -1;
	if (hvk_vm_load(vm, CODE_GPA, ucall_guest, ucall_guest_end))
		return -1;
	*c = hvk_vm_add_vcpu(vm, 0);
	if (!*c)
		return -1;
#ifdef __x86_64__
	mem = hvk_vm_gpa(vm, 0, MEM_SIZE);
	hvk_x86_write_gdt(mem + GDT_GPA);
	hvk_x86_write_page_tables(mem + PML4_GPA, PML4_GPA, 0);
	if (mode == HVK_X86_LONG64) {
		/* Long mode wants the vCPU's CPUID to say so (EFER.LME). */
		struct kvm_cpuid2 *cpuid = hvk_x86_supported_cpuid(vm->sys);
		int r;

		if (!cpuid)
			return -1;
		r = ioctl((*c)->fd, KVM_SET_CPUID2, cpuid);
		free(cpuid);
		if (r)
			return -1;
	}
	if (ioctl((*c)->fd, KVM_GET_SREGS, &sr))
		return -1;
	hvk_x86_mode_sregs(&sr, mode, &l);
	if (ioctl((*c)->fd, KVM_SET_SREGS, &sr))
		return -1;
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rsp = STACK_TOP;
	regs.rflags = 0x202;
	return ioctl((*c)->fd, KVM_SET_REGS, &regs);
#else
	uint64_t pc = CODE_GPA;

	(void)mode;
	if (hvk_arm64_vcpu_init(vm->fd, (*c)->fd, 1U << KVM_ARM_VCPU_PSCI_0_2))
		return -1;
	return hvk_arm64_set_reg((*c)->fd, HVK_ARM64_PC, &pc);
#endif
}

/* The guest's program counter, for messages. */
static unsigned long long guest_pc(struct hvk_vcpu *c)
{
#ifdef __x86_64__
	struct kvm_regs regs;

	return ioctl(c->fd, KVM_GET_REGS, &regs) ? ~0ULL : regs.rip;
#else
	uint64_t pc;

	return hvk_arm64_get_reg(c->fd, HVK_ARM64_PC, &pc) ? ~0ULL : pc;
#endif
}

static void check_ucalls(struct __test_metadata *_metadata, int mode)
{
	struct hvk_vcpu *c = NULL;
	struct hvk_vm vm;
	struct seen s;
	char buf[256];
	int r, i;

	memset(&s, 0, sizeof(s));
	s.vm = &vm;
	ASSERT_EQ(0, setup(&vm, &c, mode))
		TH_LOG("set-up: %s: %s", hvk_step(), hvk_errname(errno));
	r = hvk_run_loop(c, RUN_LIMIT_MS, 0, collect_ucall, &s);
	ASSERT_EQ(0, r) TH_LOG("run: %s (%s), %s; %d ucalls, guest PC %#llx",
			       r < 0 ? hvk_step() : "",
			       r < 0 ? hvk_errname(errno) : "",
			       s.bad ? s.why : "", s.n, guest_pc(c));
	for (i = 0; i < s.n; i++)
		TH_LOG("%s", hvk_ucall_str(&s.uc[i], buf, sizeof(buf)));
	ASSERT_EQ(4, s.n);

	EXPECT_EQ(HVK_UCALL_PRINT, s.uc[0].cmd);
	EXPECT_STREQ("hello from the guest", s.uc[0].msg);
	EXPECT_EQ(2, s.uc[0].nargs);
	EXPECT_EQ(1, s.uc[0].args[0]);
	EXPECT_EQ(2, s.uc[0].args[1]);

	EXPECT_EQ(HVK_UCALL_SYNC, s.uc[1].cmd);
	EXPECT_EQ(1, s.uc[1].nargs);
	EXPECT_EQ(7, s.uc[1].args[0]);

	EXPECT_EQ(HVK_UCALL_FAIL, s.uc[2].cmd);
	EXPECT_STREQ("x == y", s.uc[2].msg);
	EXPECT_EQ(0x1234, s.uc[2].args[0]);
	EXPECT_EQ(0x5678, s.uc[2].args[1]);

	EXPECT_EQ(HVK_UCALL_DONE, s.uc[3].cmd);
	for (i = 0; i < 4; i++) {
		EXPECT_STREQ(__FILE__, s.uc[i].file);
		/* Each macro sits on its own source line, in order. */
		if (i)
			EXPECT_LT(s.uc[i - 1].line, s.uc[i].line);
	}
	hvk_vm_destroy(&vm);
}

#ifdef __x86_64__
TEST(ucall_prot32)
{
	check_ucalls(_metadata, HVK_X86_PROT32);
}

TEST(ucall_long64)
{
	check_ucalls(_metadata, HVK_X86_LONG64);
}
#else
TEST(ucall)
{
	check_ucalls(_metadata, 0);
}
#endif

TEST_HARNESS_MAIN

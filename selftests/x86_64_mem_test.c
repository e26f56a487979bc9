// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 guest memory: a memslot deleted and added again with another
 * backing while the VM and its vCPU live (the guest sees the new memory,
 * and an access in the hole meanwhile exits as MMIO); two VMs side by
 * side at the same gpa see only their own memory; guest accesses to
 * gpas without a memslot exit as MMIO with the host's data, never reach
 * host memory.
 *
 * Expectations are Linux 6.1 kvm_intel's (virt/kvm/kvm_main.c memslots;
 * arch/x86/kvm/mmu for EPT violations on gpas without a slot, which go
 * to the emulator and out as KVM_EXIT_MMIO).
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "lib.h"
#include "x86_guest.h"

#define PORT_VAL	0x50

/*
 * mem_gs: OUT of the dword at GS:0 (GS base XG_RO), store EBX at GS:4.
 * mem_probe: OUT of the dword at [RSI], store EBX at [RSI + 8].
 * Both halt after. mem_jump: jumps to RSI.
 */
asm(
"	.pushsection .rodata.x86_mem_guest, \"a\"\n"
XG_ASM_PRELUDE
"	.code64\n"
"	.balign 16\n"
"mem_blob: exc_stubs\n"
"mem_gs:\n"
"	mov %gs:0, %eax\n"
"	outl %eax, $" XG_STR(PORT_VAL) "\n"
"	mov %ebx, %gs:4\n"
"	hlt\n"
"mem_probe:\n"
"	mov (%rsi), %eax\n"
"	outl %eax, $" XG_STR(PORT_VAL) "\n"
"	mov %ebx, 8(%rsi)\n"
"	hlt\n"
"mem_jump:\n"
"	jmp *%rsi\n"
"mem_blob_end:\n"
"	.popsection\n"
);

extern const char mem_blob[], mem_blob_end[], mem_gs[], mem_probe[];
extern const char mem_jump[];

#define ADDR(label)	XG_ADDR(mem_blob, label)

/* Enter the long-mode guest at @entry with RBX = @rbx, RSI = @rsi. */
static int enter(struct xg *g, uint64_t entry, uint64_t rbx, uint64_t rsi)
{
	struct kvm_regs regs;

	if (xg_enter(g, 0, XG_LONG64, entry, XG_STACK))
		return -1;
	if (ioctl(g->cpu[0].fd, KVM_GET_REGS, &regs))
		return xg_fail("KVM_GET_REGS");
	regs.rbx = rbx;
	regs.rsi = rsi;
	if (ioctl(g->cpu[0].fd, KVM_SET_REGS, &regs))
		return xg_fail("KVM_SET_REGS");
	return 0;
}

/* A VM with the blob loaded and the exception stubs in its IDT. */
static int new_vm(struct xg *g)
{
	if (xg_create(g) || xg_load(g, mem_blob, mem_blob_end))
		return -1;
	XG_SET_STUBS(g, XG_LONG64, XG_CODE);
	return 0;
}

/* The next exit is the guest's OUT of the value it read: return it. */
static uint32_t expect_val(struct __test_metadata *_metadata, struct xg *g,
			   const char *what)
{
	uint32_t v;

	XG_EXPECT_IO(g, 0, KVM_EXIT_IO_OUT, 4, PORT_VAL, 1, what);
	memcpy(&v, xg_io_data(g->cpu[0].run), 4);
	return v;
}

TEST(slot_delete_and_readd)
{
	uint32_t *a, *b;
	struct xg g;
	int r;

	ASSERT_EQ(0, new_vm(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	a = hvk_alloc(XG_RO_SIZE);
	b = hvk_alloc(XG_RO_SIZE);
	ASSERT_TRUE(a != MAP_FAILED && b != MAP_FAILED);
	a[0] = 0xaaaa0001;
	b[0] = 0xbbbb0002;

	ASSERT_OK(r, hvk_set_region(g.vm, 1, 0, XG_RO, XG_RO_SIZE,
				    (uintptr_t)a), "slot 1 backed by A");
	ASSERT_EQ(0, enter(&g, ADDR(mem_gs), 0x1111, 0));
	EXPECT_EQ(0xaaaa0001, expect_val(_metadata, &g, "read of slot 1 (A)"))
		TH_LOG("the guest reads A's memory");
	XG_RUN_EXPECT(&g, 0, KVM_EXIT_HLT, "after the store to slot 1");
	EXPECT_EQ(0x1111, a[1]) TH_LOG("the guest's store lands in A");

	ASSERT_OK(r, hvk_set_region(g.vm, 1, 0, XG_RO, 0, 0),
		  "delete slot 1 (size 0) with the vCPU alive");
	ASSERT_EQ(0, enter(&g, ADDR(mem_gs), 0x2222, 0));
	XG_EXPECT_MMIO(&g, 0, 0, XG_RO, 4,
		       "read of the deleted slot's gpa");
	memcpy(g.cpu[0].run->mmio.data, "\x03\x00\xcc\xcc", 4);
	EXPECT_EQ(0xcccc0003, expect_val(_metadata, &g, "read in the hole"))
		TH_LOG("a read where no slot is gets the MMIO data from the "
		       "host, not A's stale memory");
	XG_EXPECT_MMIO(&g, 0, 1, XG_RO + 4, 4,
		       "store to the deleted slot's gpa");
	EXPECT_EQ(0x2222, *(uint32_t *)g.cpu[0].run->mmio.data)
		TH_LOG("mmio.data holds EBX");
	XG_RUN_EXPECT(&g, 0, KVM_EXIT_HLT, "after the store in the hole");
	EXPECT_EQ(0x1111, a[1]) TH_LOG("A is untouched once deleted");

	ASSERT_OK(r, hvk_set_region(g.vm, 1, 0, XG_RO, XG_RO_SIZE,
				    (uintptr_t)b),
		  "slot 1 again, now backed by B");
	ASSERT_EQ(0, enter(&g, ADDR(mem_gs), 0x3333, 0));
	EXPECT_EQ(0xbbbb0002, expect_val(_metadata, &g, "read of slot 1 (B)"))
		TH_LOG("the guest reads B's memory after the re-add");
	XG_RUN_EXPECT(&g, 0, KVM_EXIT_HLT, "after the store to slot 1");
	EXPECT_EQ(0x3333, b[1]) TH_LOG("the guest's store lands in B");
	EXPECT_EQ(0x1111, a[1]) TH_LOG("and not in A");

	xg_destroy(&g);
	munmap(a, XG_RO_SIZE);
	munmap(b, XG_RO_SIZE);
}

TEST(two_vms_same_gpa)
{
	struct xg g[2];
	uint32_t *mem[2];
	int i, r;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, new_vm(&g[i]))
			TH_LOG("VM %d set-up: %s: %s", i, xg_step,
			       hvk_errname(errno));
		mem[i] = hvk_alloc(XG_RO_SIZE);
		ASSERT_NE(MAP_FAILED, mem[i]);
		mem[i][0] = 0x77770000 + i;
		ASSERT_OK(r, hvk_set_region(g[i].vm, 1, 0, XG_RO, XG_RO_SIZE,
					    (uintptr_t)mem[i]),
			  "VM %d: slot 1 at %#x", i, XG_RO);
		ASSERT_EQ(0, enter(&g[i], ADDR(mem_gs), 0x5550 + i, 0));
	}
	/* Interleaved: both VMs are between exits at once. */
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0x77770000 + i,
			  expect_val(_metadata, &g[i], "read at XG_RO"))
			TH_LOG("VM %d reads its own memory at gpa %#x", i,
			       XG_RO);
	}
	for (i = 0; i < 2; i++) {
		XG_RUN_EXPECT(&g[i], 0, KVM_EXIT_HLT, "after the store");
		EXPECT_EQ(0x5550 + i, mem[i][1])
			TH_LOG("VM %d's store lands in its own memory", i);
	}
	for (i = 0; i < 2; i++) {
		xg_destroy(&g[i]);
		munmap(mem[i], XG_RO_SIZE);
	}
}

TEST(no_slot_is_mmio)
{
	/* Past slot 0, in the 32-bit hole, and the last page below 4 GiB. */
	static const uint64_t gpas[] = {
		XG_MEM_SIZE, 0x100000, 0xfee00000, 0xfffff000,
	};
	struct kvm_run *run;
	unsigned int i;
	struct xg g;

	ASSERT_EQ(0, new_vm(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	run = g.cpu[0].run;
	for (i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		uint32_t val = 0x5a000000 | i;

		ASSERT_EQ(0, enter(&g, ADDR(mem_probe), 0xabc0 + i, gpas[i]));
		XG_EXPECT_MMIO(&g, 0, 0, gpas[i], 4, "read without a slot");
		memcpy(run->mmio.data, &val, 4);
		EXPECT_EQ(val, expect_val(_metadata, &g, "value read"))
			TH_LOG("a read of gpa %#llx gets the host's MMIO data",
			       (unsigned long long)gpas[i]);
		XG_EXPECT_MMIO(&g, 0, 1, gpas[i] + 8, 4,
			       "write without a slot");
		EXPECT_EQ(0xabc0 + i, *(uint32_t *)run->mmio.data)
			TH_LOG("mmio.data of the write to %#llx",
			       (unsigned long long)gpas[i] + 8);
		XG_RUN_EXPECT(&g, 0, KVM_EXIT_HLT, "after the MMIO write");
	}
	xg_destroy(&g);
}

/*
 * The VM set-up ioctls of x86 clients: KVM_SET_TSS_ADDR takes an address
 * with three pages below 4 GiB (kvm_intel with unrestricted guest does
 * nothing else with it); KVM_SET_IDENTITY_MAP_ADDR only before the first
 * vCPU.
 */
TEST(tss_and_identity_map_addr)
{
	uint64_t ident = 0xfeffc000;
	int vm, vcpu, r;

	ASSERT_OK(vm, hvk_new_vm(), "KVM_CREATE_VM");
	EXPECT_OK(r, ioctl(vm, KVM_SET_TSS_ADDR, (unsigned long)XG_TSS_ADDR),
		  "KVM_SET_TSS_ADDR(%#x)", XG_TSS_ADDR);
	EXPECT_OK(r, ioctl(vm, KVM_SET_TSS_ADDR, 0xffffd000UL),
		  "KVM_SET_TSS_ADDR(0xffffd000): the last three pages");
	EXPECT_ERRNO(ioctl(vm, KVM_SET_TSS_ADDR, 0xffffe000UL), EINVAL,
		     "KVM_SET_TSS_ADDR(0xffffe000): three pages cross 4 GiB");
	EXPECT_ERRNO(ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, NULL), EFAULT,
		     "KVM_SET_IDENTITY_MAP_ADDR with a NULL pointer");
	EXPECT_OK(r, ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &ident),
		  "KVM_SET_IDENTITY_MAP_ADDR before any vCPU");
	ASSERT_OK(vcpu, ioctl(vm, KVM_CREATE_VCPU, 0), "KVM_CREATE_VCPU");
	EXPECT_ERRNO(ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &ident), EINVAL,
		     "KVM_SET_IDENTITY_MAP_ADDR once a vCPU exists");
	close(vcpu);
	close(vm);
}

/*
 * Code fetched from a gpa without a memslot: kvm_intel cannot emulate an
 * instruction it cannot fetch and exits with KVM_EXIT_INTERNAL_ERROR,
 * suberror KVM_INTERNAL_ERROR_EMULATION. The same from the reset state,
 * whose first fetch is at 0xfffffff0.
 */
TEST(fetch_without_slot)
{
	struct kvm_run *run;
	struct xg g;

	ASSERT_EQ(0, new_vm(&g))
		TH_LOG("VM set-up: %s: %s", xg_step, hvk_errname(errno));
	run = g.cpu[0].run;
	XG_RUN_EXPECT(&g, 0, KVM_EXIT_INTERNAL_ERROR,
		      "first KVM_RUN from the reset state (no memory at "
		      "0xfffffff0)");
	EXPECT_EQ(KVM_INTERNAL_ERROR_EMULATION, run->internal.suberror)
		TH_LOG("suberror of the fetch from the reset vector");
	ASSERT_EQ(0, enter(&g, ADDR(mem_jump), 0, XG_MMIO));
	XG_RUN_EXPECT(&g, 0, KVM_EXIT_INTERNAL_ERROR,
		      "a jump to a gpa without a slot");
	EXPECT_EQ(KVM_INTERNAL_ERROR_EMULATION, run->internal.suberror)
		TH_LOG("suberror of the fetch from %#x", XG_MMIO);
	xg_destroy(&g);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory as the guest sees it: a KVM_MEM_READONLY slot (reads and
 * instruction fetches see the memory, writes exit as MMIO and change
 * nothing), a slot deleted and added again with new backing (the guest
 * sees the new contents; while deleted, its reads exit as MMIO), host
 * writes to a live slot's backing, and two VMs running at once at the
 * same guest addresses, each seeing only its own memory.
 *
 * Expectations are Linux 6.1 KVM's (virt/kvm/kvm_main.c memslots;
 * arch/arm64/kvm/mmu.c kvm_handle_guest_abort: a write to a read-only
 * slot goes to io_mem_abort).
 */
#include "kselftest_harness.h"
#include "lib.h"

#ifndef __aarch64__
#error "arm64 guest code: the Makefile builds arm64_*_test.c for arm64 only"
#endif

#include "arm64_guest.h"

#define SLOT_GPA	0x50000000

/*
 * Against the read-only slot at SLOT_GPA (x20): a load, a store and a
 * byte store (both MMIO exits), a load of what the store would have
 * changed, a call to code in the slot, then a final store.
 */
GUEST_CODE(g_ro,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x20, =" G_STR(SLOT_GPA) "\n"
	"ldr	x1, [x20]\n"
	"str	x1, [x19, #0x0]\n"
	"ldr	x2, =0xabcdef0123\n"
	"str	x2, [x20, #8]\n"
	"ldr	x3, [x20, #8]\n"
	"str	x3, [x19, #0x8]\n"
	"strb	w2, [x20, #0x11]\n"
	"add	x21, x20, #0x800\n"
	"blr	x21\n"
	"str	x22, [x19, #0x18]\n"
	"b	.\n");

/* Copied to SLOT_GPA + 0x800: runs from the read-only slot. */
GUEST_CODE(g_ro_fn,
	"str	x21, [x19, #0x10]\n"
	"mov	x22, #0x5a\n"
	"ret\n");

TEST(readonly_slot)
{
	long psz = hvk_page_size();
	uint64_t *ro, v;
	uint8_t *copy;
	struct g_vm g;
	int r;

	g_vm_with_code(&g, g_ro);
	EXPECT_LT(0, hvk_cap(g.vm, KVM_CAP_READONLY_MEM))
		TH_LOG("KVM_CHECK_EXTENSION(KVM_CAP_READONLY_MEM)");
	ro = hvk_alloc(psz);
	ASSERT_NE(MAP_FAILED, ro);
	ro[0] = 0x1111222233334444ULL;
	ro[1] = 0x5555666677778888ULL;
	ro[2] = 0x99aabbccddeeff00ULL;
	memcpy((uint8_t *)ro + 0x800, g_ro_fn, g_ro_fn_end - g_ro_fn);
	copy = malloc(psz);
	ASSERT_NE(NULL, copy);
	memcpy(copy, ro, psz);
	ASSERT_OK(r, hvk_set_region(g.vm, 1, KVM_MEM_READONLY, SLOT_GPA, psz,
				    (uintptr_t)ro),
		  "KVM_SET_USER_MEMORY_REGION(slot 1, KVM_MEM_READONLY)");

	v = g_run_mmio(&g, 0, G_MMIO_GPA + 0x0, 8, 1);
	EXPECT_EQ(0x1111222233334444ULL, v)
		TH_LOG("a load from the read-only slot sees its memory");
	v = g_run_mmio(&g, 0, SLOT_GPA + 8, 8, 1);
	EXPECT_EQ(0xabcdef0123ULL, v)
		TH_LOG("a store to the read-only slot exits as an MMIO write");
	v = g_run_mmio(&g, 0, G_MMIO_GPA + 0x8, 8, 1);
	EXPECT_EQ(0x5555666677778888ULL, v)
		TH_LOG("the store did not reach the slot's memory");
	v = g_run_mmio(&g, 0, SLOT_GPA + 0x11, 1, 1);
	EXPECT_EQ(0x23, v) TH_LOG("a byte store to the read-only slot");
	v = g_run_mmio(&g, 0, G_MMIO_GPA + 0x10, 8, 1);
	EXPECT_EQ(SLOT_GPA + 0x800, v)
		TH_LOG("code in the read-only slot runs");
	v = g_run_mmio(&g, 0, G_MMIO_GPA + 0x18, 8, 1);
	EXPECT_EQ(0x5a, v) TH_LOG("and returns");
	EXPECT_EQ(0, memcmp(copy, ro, psz))
		TH_LOG("the read-only slot's backing must be unchanged");
	free(copy);
	g_vm_destroy(&g);
	munmap(ro, psz);
}

/* Read the word at SLOT_GPA, report it, again and again. */
GUEST_CODE(g_slot_loop,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x20, =" G_STR(SLOT_GPA) "\n"
	"1:	ldr	x1, [x20]\n"
	"str	x1, [x19]\n"
	"b	1b\n");

TEST(slot_delete_readd_new_backing)
{
	long psz = hvk_page_size();
	uint64_t *a, *b, v;
	struct g_vm g;
	int r;

	g_vm_with_code(&g, g_slot_loop);
	a = hvk_alloc(psz);
	b = hvk_alloc(psz);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	a[0] = 0xaaaa000000000001ULL;
	b[0] = 0xbbbb000000000002ULL;

	ASSERT_OK(r, hvk_set_region(g.vm, 1, 0, SLOT_GPA, psz, (uintptr_t)a),
		  "add slot 1 backed by A");
	v = g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	EXPECT_EQ(a[0], v) TH_LOG("the guest reads A");

	/* The host's write to the live backing is what the guest reads. */
	a[0] = 0xaaaa000000000003ULL;
	v = g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	EXPECT_EQ(0xaaaa000000000003ULL, v)
		TH_LOG("the guest reads the host's new value in A");

	ASSERT_OK(r, hvk_set_region(g.vm, 1, 0, SLOT_GPA, 0, 0),
		  "delete slot 1");
	ASSERT_OK(r, hvk_set_region(g.vm, 1, 0, SLOT_GPA, psz, (uintptr_t)b),
		  "add slot 1 again, backed by B");
	v = g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	EXPECT_EQ(0xbbbb000000000002ULL, v)
		TH_LOG("after delete and re-add the guest reads B, not A: "
		       "%#llx", (unsigned long long)v);

	/* Deleted: the load itself exits, as a read of 8 bytes. */
	ASSERT_OK(r, hvk_set_region(g.vm, 1, 0, SLOT_GPA, 0, 0),
		  "delete slot 1 again");
	g_run_mmio(&g, 0, SLOT_GPA, 8, 0);
	g_mmio_fill(g.run[0], 0xcccc000000000004ULL);
	v = g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	EXPECT_EQ(0xcccc000000000004ULL, v)
		TH_LOG("with the slot gone the load is an MMIO read");

	/* Back at another slot number, backed by A with a new value. */
	a[0] = 0xaaaa000000000005ULL;
	ASSERT_OK(r, hvk_set_region(g.vm, 7, 0, SLOT_GPA, psz, (uintptr_t)a),
		  "add slot 7 at the same address, backed by A");
	v = g_run_mmio(&g, 0, G_MMIO_GPA, 8, 1);
	EXPECT_EQ(0xaaaa000000000005ULL, v) TH_LOG("the guest reads A again");
	EXPECT_EQ(0xbbbb000000000002ULL, b[0]) TH_LOG("B untouched");
	g_vm_destroy(&g);
	munmap(a, psz);
	munmap(b, psz);
}

/*
 * Report the id the host left at G_DATA_OFF, count in x3 and store the
 * count next to it, in a loop: each VM's own RAM only.
 */
GUEST_CODE(g_own_ram,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"ldr	x20, =" G_STR(G_RAM_GPA + G_DATA_OFF) "\n"
	"mov	x3, #0\n"
	"1:	ldr	x1, [x20]\n"
	"add	x3, x3, #1\n"
	"str	x3, [x20, #8]\n"
	"str	x1, [x19]\n"
	"b	1b\n");

#define OWN_RAM_ROUNDS	300

struct own_ram {
	struct g_vm *g;
	uint64_t id;
	int rounds;		/* MMIO exits with the right id */
	int wrong;		/* exits with another id or of another kind */
	uint64_t last;
	int ret, err;
};

static void *own_ram_thread(void *arg)
{
	struct own_ram *o = arg;
	struct kvm_run *run = o->g->run[0];
	int i;

	for (i = 0; i < OWN_RAM_ROUNDS; i++) {
		o->ret = g_run_raw(o->g, 0, &o->err);
		if (o->ret < 0 || run->exit_reason != KVM_EXIT_MMIO ||
		    run->mmio.phys_addr != G_MMIO_GPA || !run->mmio.is_write) {
			o->wrong++;
			break;
		}
		o->last = g_mmio_data(run);
		if (o->last == o->id)
			o->rounds++;
		else
			o->wrong++;
	}
	return NULL;
}

TEST(two_vms_own_memory)
{
	struct g_vm g[2];
	struct own_ram o[2];
	pthread_t th[2];
	uint64_t *data;
	int i;

	for (i = 0; i < 2; i++) {
		g_vm_with_code(&g[i], g_own_ram);
		data = (uint64_t *)(g[i].ram + G_DATA_OFF);
		data[0] = 0x1d000000 + i;
		memset(&o[i], 0, sizeof(o[i]));
		o[i].g = &g[i];
		o[i].id = data[0];
	}
	/* Both at once (the lab has 2 CPUs): stage 2 and VMIDs apart. */
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, own_ram_thread,
					    &o[i]));
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		data = (uint64_t *)(g[i].ram + G_DATA_OFF);
		EXPECT_EQ(0, o[i].wrong)
			TH_LOG("VM %d: a wrong exit: KVM_RUN %d (%s), exit "
			       "%s, last data %#llx", i, o[i].ret,
			       o[i].ret ? hvk_errname(o[i].err) : "ok",
			       g_exit_name(g[i].run[0]->exit_reason),
			       (unsigned long long)o[i].last);
		EXPECT_EQ(OWN_RAM_ROUNDS, o[i].rounds)
			TH_LOG("VM %d read its own id every time", i);
		EXPECT_EQ(OWN_RAM_ROUNDS, data[1])
			TH_LOG("VM %d's count landed in its own RAM", i);
		EXPECT_EQ(0x1d000000 + i, data[0])
			TH_LOG("VM %d's id is unchanged", i);
	}
	for (i = 0; i < 2; i++)
		g_vm_destroy(&g[i]);
}

TEST_HARNESS_MAIN

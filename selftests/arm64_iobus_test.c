// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel I/O bus seen from an arm64 guest: MMIO stores to an
 * ioeventfd signal its eventfd and do not exit (each length, no length,
 * datamatch), a store of another size or value does exit, a load from an
 * ioeventfd address exits, and stores into a coalesced MMIO zone land in
 * the ring in order, spilling to ordinary exits when it is full. Against
 * hvk and the in-tree KVM alike.
 */
#include <stdint.h>
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "lib.h"
#include "arm64_guest.h"

/* x19: the MMIO base. Every exit the host expects is named below. */
GUEST_CODE(g_iobus,
	"ldr	x19, =" G_STR(G_MMIO_GPA) "\n"
	"mov	x1, #1\n"
	"strb	w1, [x19, #0x00]\n"
	"mov	x1, #2\n"
	"strh	w1, [x19, #0x10]\n"
	"mov	x1, #3\n"
	"str	w1, [x19, #0x20]\n"
	"mov	x1, #4\n"
	"str	x1, [x19, #0x30]\n"
	"mov	x1, #5\n"
	"strb	w1, [x19, #0x40]\n"
	"str	x1, [x19, #0x40]\n"
	"ldr	x1, =0xabcd\n"
	"str	w1, [x19, #0x50]\n"
	"ldr	x1, =0xabce\n"
	"str	w1, [x19, #0x50]\n"	/* exit 1: no value matches */
	"strh	w1, [x19, #0x20]\n"	/* exit 2: size 2 at a size-4 one */
	"ldr	w2, [x19, #0x20]\n"	/* exit 3: loads always exit */
	"mov	x1, #0xa1\n"
	"strb	w1, [x19, #0x100]\n"
	"ldr	x1, =0xa2a2\n"
	"strh	w1, [x19, #0x108]\n"
	"ldr	x1, =0xa3a3a3a3a3a3a3a3\n"
	"str	x1, [x19, #0x1f8]\n"
	"str	w2, [x19, #0x800]\n"	/* exit 4: the host reads the ring */
	"mov	x3, #400\n"
	"1:	str	w3, [x19, #0x110]\n"	/* the ring fills: exits 5.. */
	"subs	x3, x3, #1\n"
	"b.ne	1b\n"
	"str	w3, [x19, #0x808]\n"	/* then this exit */
	"b	.\n");

enum { E_1, E_2, E_4, E_8, E_0, E_DM, NR_EFDS };

/*
 * The vCPU's counters: 5 + @spills MMIO exits reached userspace, every
 * other MMIO access exited to the kernel only. "exits" is a counter of
 * both hypervisors; the rest are hvk's names (KVM's arm64 ones differ).
 */
static void check_stats(struct __test_metadata *_metadata, int vcpu,
			unsigned int spills)
{
	uint64_t exits, mmio, user, hist[80], sum = 0;
	int fd = ioctl(vcpu, KVM_GET_STATS_FD, 0);
	unsigned int i;

	ASSERT_LE(0, fd) TH_LOG("KVM_GET_STATS_FD: %s", hvk_errname(errno));
	ASSERT_EQ(0, hvk_stat(fd, "exits", &exits));
	/* 400 ring stores and 11 ioeventfd or zone stores on top. */
	EXPECT_LE(5 + spills + 400, exits);
	if (!hvk_lab_kvm()) {
		ASSERT_EQ(0, hvk_stat(fd, "mmio_exits", &mmio));
		ASSERT_EQ(0, hvk_stat(fd, "userspace_exits", &user));
		EXPECT_EQ(5 + spills, mmio);
		EXPECT_EQ(5 + spills, user);
		ASSERT_EQ(0, hvk_stat_n(fd, "exit_reason", hist, 80));
		for (i = 0; i < 80; i++)
			sum += hist[i];
		EXPECT_EQ(exits, sum);
		/* EC 0x24, data abort from a lower EL: every MMIO access. */
		EXPECT_LE(5 + 400 + 9, hist[0x24]);
	}
	close(fd);
}

TEST(guest_writes)
{
	static const struct { uint64_t off; uint32_t len; bool match;
			      uint64_t dm; } regs[NR_EFDS] = {
		[E_1] = { 0x00, 1 }, [E_2] = { 0x10, 2 }, [E_4] = { 0x20, 4 },
		[E_8] = { 0x30, 8 }, [E_0] = { 0x40, 0 },
		[E_DM] = { 0x50, 4, true, 0xabcd },
	};
	struct kvm_coalesced_mmio_zone z = {
		.addr = G_MMIO_GPA + 0x100, .size = 0x100,
	};
	struct kvm_coalesced_mmio e[512];
	struct kvm_coalesced_mmio_ring *ring;
	unsigned int n, i, max, exits = 0, coalesced = 0, next = 400;
	long page = hvk_page_size();
	struct kvm_run *run;
	int efd[NR_EFDS];
	struct g_vm g;
	uint64_t x2;

	g_signals_init();
	g_vm_with_code(&g, g_iobus);
	run = g.run[0];
	for (i = 0; i < NR_EFDS; i++) {
		struct kvm_ioeventfd a = {
			.addr = G_MMIO_GPA + regs[i].off, .len = regs[i].len,
			.datamatch = regs[i].dm,
			.flags = regs[i].match ? KVM_IOEVENTFD_FLAG_DATAMATCH : 0,
		};

		efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ASSERT_LE(0, efd[i]);
		a.fd = efd[i];
		ASSERT_EQ(0, ioctl(g.vm, KVM_IOEVENTFD, &a))
			TH_LOG("KVM_IOEVENTFD %u: %s", i, hvk_errname(errno));
	}
	ASSERT_EQ(0, ioctl(g.vm, KVM_REGISTER_COALESCED_MMIO, &z));
	ASSERT_GE((long)g.run_size, (KVM_COALESCED_MMIO_PAGE_OFFSET + 1) * page);
	ring = hvk_coalesced_ring(run, &max);

	EXPECT_EQ(0xabce, g_run_mmio(&g, 0, G_MMIO_GPA + 0x50, 4, 1));
	EXPECT_EQ(1, hvk_eventfd_count(efd[E_1]));
	EXPECT_EQ(1, hvk_eventfd_count(efd[E_2]));
	EXPECT_EQ(1, hvk_eventfd_count(efd[E_4]));
	EXPECT_EQ(1, hvk_eventfd_count(efd[E_8]));
	EXPECT_EQ(2, hvk_eventfd_count(efd[E_0]));
	EXPECT_EQ(1, hvk_eventfd_count(efd[E_DM]));

	EXPECT_EQ(0xabce, g_run_mmio(&g, 0, G_MMIO_GPA + 0x20, 2, 1));
	EXPECT_EQ(0, hvk_eventfd_count(efd[E_4]));
	g_run_mmio(&g, 0, G_MMIO_GPA + 0x20, 4, 0);
	g_mmio_fill(run, 0x77);

	g_run_mmio(&g, 0, G_MMIO_GPA + 0x800, 4, 1);
	x2 = g_get64(&g, 0, G_X(2));
	EXPECT_EQ(0x77, x2) TH_LOG("the load at the ioeventfd completed");
	EXPECT_EQ(0, hvk_eventfd_count(efd[E_4]));
	n = hvk_coalesced_drain(ring, max, e, 8);
	ASSERT_EQ(3, n) TH_LOG("coalesced entries");
	EXPECT_COALESCED(e[0], G_MMIO_GPA + 0x100, 1, 0xa1);
	EXPECT_EQ(0, e[0].pio);
	EXPECT_COALESCED(e[1], G_MMIO_GPA + 0x108, 2, 0xa2a2);
	EXPECT_COALESCED(e[2], G_MMIO_GPA + 0x1f8, 8, 0xa3a3a3a3a3a3a3a3ULL);

	/* As on x86: every store once, in order; capacity not checked. */
	for (;;) {
		int r, err;

		g_alarm_ms(G_RUN_LIMIT_MS, 0);
		r = g_run_raw(&g, 0, &err);
		g_alarm_ms(0, 0);
		ASSERT_EQ(0, r) TH_LOG("KVM_RUN: %s", hvk_errname(err));
		n = hvk_coalesced_check_drain(ring, max, G_MMIO_GPA + 0x110,
					      &next, coalesced);
		coalesced += n;
		ASSERT_EQ(KVM_EXIT_MMIO, run->exit_reason);
		if (run->mmio.phys_addr == G_MMIO_GPA + 0x808)
			break;
		ASSERT_EQ(G_MMIO_GPA + 0x110, run->mmio.phys_addr);
		ASSERT_EQ(1, run->mmio.is_write);
		ASSERT_EQ(next, g_mmio_data(run)) TH_LOG("spilled store");
		ASSERT_LT(0, n) TH_LOG("an exit with room left in the ring");
		next--;
		exits++;
	}
	EXPECT_EQ(0, next) TH_LOG("stores lost");
	EXPECT_LT(0, exits) TH_LOG("the ring never filled");
	EXPECT_LT(exits * 8, coalesced);
	TH_LOG("%u stores coalesced, %u spilled as exits", coalesced, exits);
	check_stats(_metadata, g.vcpu[0], exits);
	for (i = 0; i < NR_EFDS; i++)
		close(efd[i]);
	g_vm_destroy(&g);
}

/*
 * The hypervisor's tracepoints, seen through tracefs: with one ioeventfd
 * (the guest's first store) the second store exits to userspace; each
 * gives an exit event and an MMIO event (hvk: hvk_exit, hvk_mmio; KVM:
 * kvm_exit, kvm_mmio), and the first code fetch may add a fault's exit.
 */
TEST(trace_events)
{
	const char *ev_exit = hvk_trace_event("exit");
	const char *ev_mmio = hvk_trace_event("mmio");
	char word_exit[64], word_mmio[64];
	struct kvm_ioeventfd a = { .addr = G_MMIO_GPA, .len = 1 };
	long nexit, nmmio;
	struct g_vm g;
	int efd;

	if (access(HVK_TRACEFS "/events", F_OK))
		SKIP(return, "no tracefs at " HVK_TRACEFS);
	snprintf(word_exit, sizeof(word_exit), "%s:", strchr(ev_exit, '/') + 1);
	snprintf(word_mmio, sizeof(word_mmio), "%s:", strchr(ev_mmio, '/') + 1);
	g_signals_init();
	g_vm_with_code(&g, g_iobus);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	a.fd = efd;
	ASSERT_EQ(0, ioctl(g.vm, KVM_IOEVENTFD, &a));
	ASSERT_EQ(0, hvk_trace_clear());
	ASSERT_EQ(0, hvk_trace_enable(ev_exit, 1)) TH_LOG("%s", ev_exit);
	ASSERT_EQ(0, hvk_trace_enable(ev_mmio, 1)) TH_LOG("%s", ev_mmio);
	g_run_mmio(&g, 0, G_MMIO_GPA + 0x10, 2, 1);
	hvk_trace_enable(ev_exit, 0);
	hvk_trace_enable(ev_mmio, 0);
	nexit = hvk_trace_count(word_exit);
	nmmio = hvk_trace_count(word_mmio);
	TH_LOG("%ld %s and %ld %s events", nexit, word_exit, nmmio, word_mmio);
	EXPECT_LE(2, nexit);
	EXPECT_LE(2, nmmio);
	hvk_trace_clear();
	close(efd);
	g_vm_destroy(&g);
}

TEST_HARNESS_MAIN

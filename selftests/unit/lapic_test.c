// SPDX-License-Identifier: GPL-2.0
/*
 * irq/lapic_regs.c on the host: the highest vector of IRR/ISR-style
 * arrays against a brute-force scan, processor priority (SDM Vol. 3A
 * 11.8.3.1) and which IRR vector is deliverable over it, the timer's
 * divide configuration, and logical/physical destination matching in
 * the flat, cluster and x2APIC models (11.6.2).
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../irq/lapic_regs.h"

static u32 regs[LAPIC_REGS_SIZE / 4];

static int brute_highest(unsigned int base)
{
	int v;

	for (v = 255; v >= 0; v--)
		if (lapic_test_vec(regs, base, v))
			return v;
	return -1;
}

TEST(highest_vector)
{
	int i, j;

	srand(1);
	memset(regs, 0, sizeof(regs));
	ASSERT_EQ(-1, lapic_highest_vec(regs, LAPIC_IRR));
	for (i = 0; i < 2000; i++) {
		memset(regs, 0, sizeof(regs));
		for (j = rand() % 5; j > 0; j--)
			lapic_set_vec(regs, LAPIC_IRR, rand() % 256);
		ASSERT_EQ(brute_highest(LAPIC_IRR),
			  lapic_highest_vec(regs, LAPIC_IRR));
		/* Other arrays are not looked at. */
		ASSERT_EQ(-1, lapic_highest_vec(regs, LAPIC_ISR));
	}
	memset(regs, 0, sizeof(regs));
	lapic_set_vec(regs, LAPIC_ISR, 255);
	lapic_set_vec(regs, LAPIC_ISR, 32);
	EXPECT_EQ(255, lapic_highest_vec(regs, LAPIC_ISR));
	lapic_clear_vec(regs, LAPIC_ISR, 255);
	EXPECT_EQ(32, lapic_highest_vec(regs, LAPIC_ISR));
	/* Vector 32 is bit 0 of the second word, at offset 0x110. */
	EXPECT_EQ(1u, regs[0x110 / 4]);
}

TEST(ppr)
{
	EXPECT_EQ(0u, lapic_compute_ppr(0, -1));
	EXPECT_EQ(0x35u, lapic_compute_ppr(0x35, -1));
	/* ISR class above the TPR's: the class, sub-class 0. */
	EXPECT_EQ(0x50u, lapic_compute_ppr(0x35, 0x5a));
	/* TPR class equal to the ISR's: the TPR as is. */
	EXPECT_EQ(0x5fu, lapic_compute_ppr(0x5f, 0x51));
	EXPECT_EQ(0x60u, lapic_compute_ppr(0x60, 0x5f));
}

TEST(deliverable)
{
	memset(regs, 0, sizeof(regs));
	EXPECT_EQ(-1, lapic_deliverable_irq(regs));
	lapic_set_vec(regs, LAPIC_IRR, 0x50);
	EXPECT_EQ(0x50, lapic_deliverable_irq(regs));
	/* TPR 0x50: class 5 is not above it; 0x61 would be. */
	lapic_set_reg(regs, LAPIC_TPR, 0x50);
	EXPECT_EQ(-1, lapic_deliverable_irq(regs));
	lapic_set_vec(regs, LAPIC_IRR, 0x61);
	EXPECT_EQ(0x61, lapic_deliverable_irq(regs));
	/* In service 0x65: same class waits until its EOI. */
	lapic_set_reg(regs, LAPIC_TPR, 0);
	lapic_clear_vec(regs, LAPIC_IRR, 0x61);
	lapic_set_vec(regs, LAPIC_IRR, 0x6f);
	lapic_set_vec(regs, LAPIC_ISR, 0x65);
	EXPECT_EQ(-1, lapic_deliverable_irq(regs));
	lapic_set_vec(regs, LAPIC_IRR, 0x70);
	EXPECT_EQ(0x70, lapic_deliverable_irq(regs));
}

TEST(divide)
{
	/* 11.5.4 Figure 11-10: 000 /2, 001 /4, 010 /8, 011 /16, 100 /32,
	 * 101 /64, 110 /128, 111 /1 (bits 3, 1, 0). */
	static const u32 want[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	u32 n;

	for (n = 0; n < 8; n++) {
		u32 tdcr = (n & 3) | ((n & 4) << 1);

		EXPECT_EQ(want[n], lapic_divide(tdcr)) TH_LOG("TDCR %#x", tdcr);
	}
}

TEST(logical_destination)
{
	/* Flat: any common bit of the 8-bit IDs. */
	EXPECT_TRUE(lapic_match_logical(0x02000000, 0xffffffff, 0x02, false));
	EXPECT_TRUE(lapic_match_logical(0x02000000, 0xffffffff, 0x03, false));
	EXPECT_FALSE(lapic_match_logical(0x02000000, 0xffffffff, 0x01, false));
	EXPECT_TRUE(lapic_match_logical(0x00000000, 0xffffffff, 0xff, false));
	EXPECT_FALSE(lapic_match_logical(0x00000000, 0xffffffff, 0x7f, false));
	/* Cluster: cluster 2, member bit 1. */
	EXPECT_TRUE(lapic_match_logical(0x22000000, 0x0fffffff, 0x23, false));
	EXPECT_FALSE(lapic_match_logical(0x22000000, 0x0fffffff, 0x32, false));
	EXPECT_FALSE(lapic_match_logical(0x22000000, 0x0fffffff, 0x21, false));
	/* x2APIC: LDR from the ID, cluster in the high 16 bits. */
	EXPECT_EQ(0x00000001u, lapic_x2apic_ldr(0));
	EXPECT_EQ(0x00010008u, lapic_x2apic_ldr(0x13));
	EXPECT_TRUE(lapic_match_logical(lapic_x2apic_ldr(0x13), 0,
					0x0001000c, true));
	EXPECT_FALSE(lapic_match_logical(lapic_x2apic_ldr(0x13), 0,
					 0x0000000c, true));
	EXPECT_TRUE(lapic_match_logical(lapic_x2apic_ldr(0x13), 0,
					0xffffffff, true));
}

TEST(physical_destination)
{
	EXPECT_TRUE(lapic_match_physical(3, 3, false));
	EXPECT_FALSE(lapic_match_physical(3, 4, false));
	EXPECT_TRUE(lapic_match_physical(3, 0xff, false));
	EXPECT_TRUE(lapic_match_physical(0x103, 0x103, true));
	EXPECT_FALSE(lapic_match_physical(0x103, 0x3, true));
	EXPECT_FALSE(lapic_match_physical(3, 0xff, true));
	EXPECT_TRUE(lapic_match_physical(3, 0xffffffff, true));
}

TEST_HARNESS_MAIN

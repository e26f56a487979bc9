// SPDX-License-Identifier: GPL-2.0
/*
 * irq/i8254.c on the host, over simulated time: every mode's counter and
 * OUT tick by tick against the 8254 datasheet, GATE, counter latch and
 * read-back, LSB/MSB/word access, BCD, port 0x61 as Linux's TSC
 * calibration uses it, channel 0's IRQ 0 timer (including KVM's minimum
 * period), and the KVM_GET/SET_PIT2 state.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "irq/i8254.h"

#define T0	1000000000LL	/* an arbitrary start, ns */

/* The time at which exactly @ticks have passed since @start. */
static s64 at(s64 start, u64 ticks)
{
	return start + i8254_ticks_to_ns(ticks);
}

/* Control word: channel, access (1 LSB, 2 MSB, 3 word), mode, BCD. */
static void program(struct i8254 *p, unsigned int ch, unsigned int rw,
		    unsigned int mode, bool bcd, u32 count, s64 now)
{
	i8254_write(p, 0x43, ch << 6 | rw << 4 | mode << 1 | bcd, now);
	if (rw & 1)
		i8254_write(p, 0x40 + ch, count & 0xff, now);
	if (rw & 2)
		i8254_write(p, 0x40 + ch, count >> 8, now);
}

static u16 read_word(struct i8254 *p, unsigned int ch, s64 now)
{
	u16 lo = i8254_read(p, 0x40 + ch, now);

	return lo | i8254_read(p, 0x40 + ch, now) << 8;
}

static u16 latch_read(struct i8254 *p, unsigned int ch, s64 now)
{
	i8254_write(p, 0x43, ch << 6, now);
	return read_word(p, ch, now);
}

TEST(ticks_and_ns)
{
	/* 1193182 ticks are one second, and at() rounds up. */
	EXPECT_EQ(1000000000ULL, i8254_ticks_to_ns(PIT_HZ));
	EXPECT_EQ(839, i8254_ticks_to_ns(1));
	EXPECT_EQ(54925402ULL, i8254_ticks_to_ns(0x10000));
	/* No overflow far out: a year of ticks. */
	EXPECT_EQ(31536000ULL * 1000000000ULL,
		  i8254_ticks_to_ns(31536000ULL * PIT_HZ));
}

TEST(mode0_interrupt_on_terminal_count)
{
	struct i8254 p;
	u64 d;

	i8254_init(&p, T0);
	program(&p, 1, 3, 0, false, 1000, T0);
	for (d = 0; d < 1000; d += 37) {
		EXPECT_EQ(1000 - d, latch_read(&p, 1, at(T0, d)));
		EXPECT_FALSE(i8254_out(&p, 1, at(T0, d)));
	}
	EXPECT_FALSE(i8254_out(&p, 1, at(T0, 999)));
	EXPECT_EQ(0, latch_read(&p, 1, at(T0, 1000)));
	EXPECT_TRUE(i8254_out(&p, 1, at(T0, 1000)));
	/* Wraps to 0xffff and keeps counting; OUT stays high. */
	EXPECT_EQ(0xffff, latch_read(&p, 1, at(T0, 1001)));
	EXPECT_EQ(0xfff0, latch_read(&p, 1, at(T0, 1016)));
	EXPECT_TRUE(i8254_out(&p, 1, at(T0, 70000)));
	/* A control word alone: OUT low in mode 0 until a count comes. */
	i8254_write(&p, 0x43, 0x70, at(T0, 2000));
	EXPECT_FALSE(i8254_out(&p, 1, at(T0, 5000)));
}

TEST(mode1_one_shot)
{
	struct i8254 p;

	i8254_init(&p, T0);
	program(&p, 1, 3, 1, false, 100, T0);
	EXPECT_FALSE(i8254_out(&p, 1, at(T0, 0)));
	EXPECT_FALSE(i8254_out(&p, 1, at(T0, 99)));
	EXPECT_TRUE(i8254_out(&p, 1, at(T0, 100)));
	EXPECT_EQ(100 - 40, latch_read(&p, 1, at(T0, 40)));
}

TEST(mode2_rate_generator)
{
	struct i8254 p;
	u64 d;

	i8254_init(&p, T0);
	program(&p, 1, 3, 2, false, 100, T0);
	for (d = 0; d < 350; d++) {
		s64 t = at(T0, d);

		EXPECT_EQ(100 - d % 100, latch_read(&p, 1, t));
		/* Low for the one tick the counter is at 1. */
		EXPECT_EQ(d % 100 != 99, i8254_out(&p, 1, t));
	}
	/* X10 is mode 2 too. */
	i8254_write(&p, 0x43, 0x40 | 0x30 | 6 << 1, T0);
	EXPECT_EQ(2, p.ch[1].mode);
}

TEST(mode3_square_wave)
{
	struct i8254 p;
	u64 d, high;

	/* Even count: N/2 high, N/2 low, counting down by 2. */
	i8254_init(&p, T0);
	program(&p, 2, 3, 3, false, 10, T0);
	i8254_write(&p, 0x61, 1, T0);	/* GATE 2 up: counting starts */
	EXPECT_EQ(10, latch_read(&p, 2, at(T0, 0)));
	EXPECT_EQ(8, latch_read(&p, 2, at(T0, 1)));
	EXPECT_EQ(2, latch_read(&p, 2, at(T0, 4)));
	EXPECT_EQ(10, latch_read(&p, 2, at(T0, 5)));
	for (d = 0, high = 0; d < 100; d++)
		high += i8254_out(&p, 2, at(T0, d));
	EXPECT_EQ(50, high);
	EXPECT_TRUE(i8254_out(&p, 2, at(T0, 4)));
	EXPECT_FALSE(i8254_out(&p, 2, at(T0, 5)));
	/* Odd count: (N+1)/2 high, (N-1)/2 low. */
	program(&p, 2, 3, 3, false, 7, at(T0, 1000));
	for (d = 0, high = 0; d < 7; d++)
		high += i8254_out(&p, 2, at(at(T0, 1000), d));
	EXPECT_EQ(4, high);
	EXPECT_EQ(7, latch_read(&p, 2, at(at(T0, 1000), 0)));
	EXPECT_EQ(6, latch_read(&p, 2, at(at(T0, 1000), 1)));
	EXPECT_EQ(4, latch_read(&p, 2, at(at(T0, 1000), 2)));
	EXPECT_EQ(2, latch_read(&p, 2, at(at(T0, 1000), 3)));
	/* The low half reloads N and steps by 3, then by 2. */
	EXPECT_EQ(7, latch_read(&p, 2, at(at(T0, 1000), 4)));
	EXPECT_EQ(4, latch_read(&p, 2, at(at(T0, 1000), 5)));
	EXPECT_EQ(2, latch_read(&p, 2, at(at(T0, 1000), 6)));
	EXPECT_EQ(7, latch_read(&p, 2, at(at(T0, 1000), 7)));
	/* GATE low: OUT high and the count stops; up again: from N. */
	i8254_write(&p, 0x61, 0, at(at(T0, 1000), 5));
	EXPECT_TRUE(i8254_out(&p, 2, at(T0, 1006)));
	EXPECT_TRUE(i8254_out(&p, 2, at(T0, 2000)));
	i8254_write(&p, 0x61, 1, at(T0, 3000));
	EXPECT_EQ(7, latch_read(&p, 2, at(T0, 3000)));
	EXPECT_EQ(6, latch_read(&p, 2, at(at(T0, 3000), 1)));
}

TEST(mode4_and_5_strobes)
{
	struct i8254 p;

	i8254_init(&p, T0);
	program(&p, 1, 3, 4, false, 50, T0);
	EXPECT_TRUE(i8254_out(&p, 1, at(T0, 49)));
	EXPECT_FALSE(i8254_out(&p, 1, at(T0, 50)));
	EXPECT_TRUE(i8254_out(&p, 1, at(T0, 51)));
	EXPECT_EQ(0xffff, latch_read(&p, 1, at(T0, 51)));
	/* Mode 5 restarts on a rising GATE (channel 2's, port 0x61). */
	i8254_write(&p, 0x61, 0, T0);
	program(&p, 2, 3, 5, false, 50, T0);
	i8254_write(&p, 0x61, 1, at(T0, 1000));
	EXPECT_EQ(50 - 10, latch_read(&p, 2, at(at(T0, 1000), 10)));
	EXPECT_TRUE(i8254_out(&p, 2, at(at(T0, 1000), 49)));
	EXPECT_FALSE(i8254_out(&p, 2, at(at(T0, 1000), 50)));
	EXPECT_TRUE(i8254_out(&p, 2, at(at(T0, 1000), 51)));
}

TEST(gate_pauses_mode0)
{
	struct i8254 p;

	i8254_init(&p, T0);
	i8254_write(&p, 0x61, 1, T0);
	program(&p, 2, 3, 0, false, 1000, T0);
	i8254_write(&p, 0x61, 0, at(T0, 300));		/* stop at 700 */
	EXPECT_EQ(700, latch_read(&p, 2, at(T0, 900)));
	i8254_write(&p, 0x61, 1, at(T0, 2000));		/* go on */
	EXPECT_EQ(700, latch_read(&p, 2, at(T0, 2000)));
	EXPECT_EQ(600, latch_read(&p, 2, at(at(T0, 2000), 100)));
	EXPECT_FALSE(i8254_out(&p, 2, at(at(T0, 2000), 699)));
	EXPECT_TRUE(i8254_out(&p, 2, at(at(T0, 2000), 700)));
	/* A count written while GATE is low waits for it. */
	i8254_write(&p, 0x61, 0, at(T0, 3000));
	program(&p, 2, 3, 0, false, 500, at(T0, 3000));
	EXPECT_EQ(500, latch_read(&p, 2, at(T0, 4000)));
}

TEST(latch_and_access_modes)
{
	struct i8254 p;

	i8254_init(&p, T0);
	program(&p, 1, 3, 2, false, 0x1234, T0);
	/* Latch, time passes, the latched value is read. */
	i8254_write(&p, 0x43, 0x40, at(T0, 0x10));
	/* A second latch before the read changes nothing. */
	i8254_write(&p, 0x43, 0x40, at(T0, 0x20));
	EXPECT_EQ(0x24, i8254_read(&p, 0x41, at(T0, 0x30)));
	EXPECT_EQ(0x12, i8254_read(&p, 0x41, at(T0, 0x40)));
	/* Unlatched word reads alternate LSB, MSB. */
	EXPECT_EQ(0xe4, i8254_read(&p, 0x41, at(T0, 0x50)));
	EXPECT_EQ(0x0f, i8254_read(&p, 0x41, at(T0, 0x300)));

	/* LSB only: the MSB is 0. */
	program(&p, 1, 1, 0, false, 0x80, T0);
	EXPECT_EQ(0x80, p.ch[1].count);
	EXPECT_EQ(0x70, i8254_read(&p, 0x41, at(T0, 0x10)));
	EXPECT_EQ(0x70, i8254_read(&p, 0x41, at(T0, 0x10)));
	/* MSB only: the LSB is 0, reads give the MSB. */
	program(&p, 1, 2, 0, false, 0x8000, T0);
	EXPECT_EQ(0x8000, p.ch[1].count);
	EXPECT_EQ(0x7f, i8254_read(&p, 0x41, at(T0, 0x10)));
	/* A count of 0 is 65536. */
	program(&p, 1, 3, 2, false, 0, T0);
	EXPECT_EQ(0x10000, p.ch[1].count);
	EXPECT_EQ(0xffff, latch_read(&p, 1, at(T0, 1)));
	/* The control port reads 0. */
	EXPECT_EQ(0, i8254_read(&p, 0x43, T0));
}

TEST(read_back)
{
	struct i8254 p;
	s64 t = at(T0, 10);

	i8254_init(&p, T0);
	i8254_write(&p, 0x61, 1, T0);		/* GATE 2 up */
	/* Control word only: NULL COUNT set in the status. */
	i8254_write(&p, 0x43, 0x80 | 0x30 | 0 << 1, T0);
	i8254_write(&p, 0x43, 0xc0 | 0x20 | 0x08, T0);	/* status of ch 2 */
	EXPECT_EQ(0x40 | 0x30, i8254_read(&p, 0x42, T0));
	i8254_write(&p, 0x42, 100, T0);
	i8254_write(&p, 0x42, 0, T0);
	/* Status and count of channels 1 and 2; status first. */
	program(&p, 1, 3, 3, true, 0x0500, T0);
	i8254_write(&p, 0x43, 0xc0 | 0x04 | 0x08, t);
	EXPECT_EQ(0x80 | 0x30 | 3 << 1 | 1, i8254_read(&p, 0x41, t));
	/* BCD 500, square wave: 500 - 2 * 10 = 480. */
	EXPECT_EQ(0x0480, read_word(&p, 1, at(T0, 400)));
	EXPECT_EQ(0x30, i8254_read(&p, 0x42, at(T0, 400)));	/* OUT low */
	EXPECT_EQ(100 - 10, read_word(&p, 2, at(T0, 400)));
	/* A second read-back of a status not yet read changes nothing. */
	i8254_write(&p, 0x43, 0xc0 | 0x20 | 0x08, at(T0, 50));
	i8254_write(&p, 0x43, 0xc0 | 0x20 | 0x08, at(T0, 150));
	EXPECT_EQ(0x30, i8254_read(&p, 0x42, at(T0, 150)));
	i8254_write(&p, 0x43, 0xc0 | 0x20 | 0x08, at(T0, 150));
	EXPECT_EQ(0x80 | 0x30, i8254_read(&p, 0x42, at(T0, 150)));
}

TEST(bcd)
{
	struct i8254 p;

	i8254_init(&p, T0);
	program(&p, 1, 3, 0, true, 0x1000, T0);
	EXPECT_EQ(1000, p.ch[1].count);
	EXPECT_EQ(0x0999, latch_read(&p, 1, at(T0, 1)));
	EXPECT_EQ(0x0000, latch_read(&p, 1, at(T0, 1000)));
	EXPECT_EQ(0x9999, latch_read(&p, 1, at(T0, 1001)));
	/* 0 is 10^4 in BCD. */
	program(&p, 1, 3, 2, true, 0, T0);
	EXPECT_EQ(10000, p.ch[1].count);
	EXPECT_EQ(0x9999, latch_read(&p, 1, at(T0, 1)));
}

/* Linux's pit_calibrate_tsc() and quick_pit_calibrate() on port 0x61. */
TEST(port61_linux_calibration)
{
	struct i8254 p;
	s64 t;
	u8 v;

	i8254_init(&p, T0);
	EXPECT_EQ(0, i8254_read(&p, 0x61, 0) & 0x23);	/* gate 2 low */
	/* outb((inb(0x61) & ~0x02) | 0x01, 0x61) */
	v = i8254_read(&p, 0x61, T0);
	i8254_write(&p, 0x61, (v & ~0x02) | 0x01, T0);
	EXPECT_EQ(0x01, i8254_read(&p, 0x61, T0) & 0x03);
	/* outb(0xb0, 0x43); latch = 50 ms */
	program(&p, 2, 3, 0, false, 59659, T0);
	EXPECT_EQ(0, i8254_read(&p, 0x61, at(T0, 59658)) & 0x20);
	EXPECT_EQ(0x20, i8254_read(&p, 0x61, at(T0, 59659)) & 0x20);
	/* quick_pit_calibrate: 0xffff and MSB reads, LSB first. */
	program(&p, 2, 3, 0, false, 0xffff, T0);
	t = at(T0, 256 * 3 + 5);
	i8254_read(&p, 0x42, t);
	EXPECT_EQ(0xfc, i8254_read(&p, 0x42, t));
	/* Speaker data bit, and the refresh toggle moves with time. */
	i8254_write(&p, 0x61, 0x03, T0);
	EXPECT_EQ(0x03, i8254_read(&p, 0x61, T0) & 0x03);
	EXPECT_EQ(KVM_PIT_FLAGS_SPEAKER_DATA_ON, p.flags);
	EXPECT_NE(i8254_read(&p, 0x61, 0) & 0x10,
		  i8254_read(&p, 0x61, 1 << 14) & 0x10);
}

TEST(channel0_timer)
{
	struct i8254 p;

	i8254_init(&p, T0);
	EXPECT_FALSE(p.timer_on);
	/* Linux's periodic tick (mode 2, LATCH for HZ=250). */
	p.timer_dirty = false;
	program(&p, 0, 3, 2, false, 4773, T0);
	EXPECT_TRUE(p.timer_dirty);
	EXPECT_TRUE(p.timer_on);
	EXPECT_TRUE(p.timer_periodic);
	EXPECT_EQ(i8254_ticks_to_ns(4773), p.timer_period);
	EXPECT_EQ(at(T0, 4773), p.timer_first);
	/* A tiny period is held to KVM's minimum (200 us). */
	program(&p, 0, 3, 2, false, 2, T0);
	EXPECT_TRUE(p.timer_on);
	EXPECT_EQ(PIT_MIN_PERIOD_NS, p.timer_period);
	EXPECT_EQ(T0 + (s64)PIT_MIN_PERIOD_NS, p.timer_first);
	program(&p, 0, 3, 3, false, 1, T0);
	EXPECT_EQ(PIT_MIN_PERIOD_NS, p.timer_period);
	/* One-shot (Linux's oneshot clockevent: mode 0). Not clamped. */
	program(&p, 0, 3, 0, false, 2, T0);
	EXPECT_TRUE(p.timer_on);
	EXPECT_FALSE(p.timer_periodic);
	EXPECT_EQ(at(T0, 2), p.timer_first);
	/* A control word alone stops it until its count comes. */
	i8254_write(&p, 0x43, 0x30, T0);
	EXPECT_FALSE(p.timer_on);
	i8254_write(&p, 0x40, 0x10, T0);
	EXPECT_FALSE(p.timer_on);
	i8254_write(&p, 0x40, 0x00, T0);
	EXPECT_TRUE(p.timer_on);
	/* Mode 5 (GATE 0 is tied high) and HPET legacy mode: no timer. */
	program(&p, 0, 3, 5, false, 100, T0);
	EXPECT_FALSE(p.timer_on);
	program(&p, 0, 3, 2, false, 100, T0);
	EXPECT_TRUE(p.timer_on);
	/* Channels 1 and 2 never touch it. */
	p.timer_dirty = false;
	program(&p, 2, 3, 2, false, 100, T0);
	EXPECT_FALSE(p.timer_dirty);
}

TEST(state_round_trip)
{
	struct i8254 p, q;
	struct kvm_pit_state2 s, t;
	s64 later = T0 + 5000000;

	i8254_init(&p, T0);
	i8254_get_state(&p, &s);
	/* Fresh, as KVM's: unprogrammed, count 65536, GATE 2 low. */
	EXPECT_EQ(0xff, s.channels[0].mode);
	EXPECT_EQ(0x10000, s.channels[0].count);
	EXPECT_EQ(1, s.channels[0].gate);
	EXPECT_EQ(1, s.channels[1].gate);
	EXPECT_EQ(0, s.channels[2].gate);
	EXPECT_EQ(0, s.flags);

	program(&p, 0, 3, 2, false, 1193, T0);
	program(&p, 2, 1, 3, false, 0x40, T0);
	i8254_write(&p, 0x43, 0x00, T0);	/* latch ch 0, unread */
	i8254_write(&p, 0x41, 0x11, T0);
	i8254_get_state(&p, &s);
	EXPECT_EQ(1193, s.channels[0].count);
	EXPECT_EQ(2, s.channels[0].mode);
	EXPECT_EQ(3, s.channels[0].rw_mode);
	EXPECT_EQ(PIT_RW_WORD0, s.channels[0].count_latched);
	EXPECT_EQ(1193, s.channels[0].latched_count);
	EXPECT_EQ(T0, s.channels[0].count_load_time);
	EXPECT_EQ(0x40, s.channels[2].count);
	EXPECT_EQ(PIT_RW_LSB, s.channels[2].rw_mode);

	/* Restored later: registers as given, counting starts anew. */
	i8254_init(&q, later);
	s.flags = KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	i8254_set_state(&q, &s, later);
	EXPECT_TRUE(q.timer_on);
	EXPECT_EQ(at(later, 1193), q.timer_first);
	i8254_get_state(&q, &t);
	EXPECT_EQ(later, t.channels[0].count_load_time);
	t.channels[0].count_load_time = T0;
	t.channels[1].count_load_time = T0;
	t.channels[2].count_load_time = T0;
	s.channels[1].count_load_time = T0;
	s.channels[2].count_load_time = T0;
	EXPECT_EQ(0, memcmp(&s, &t, sizeof(s)));
	/* The latched count survives the trip. */
	EXPECT_EQ(1193, read_word(&q, 0, later + 1000000));
	/* HPET legacy mode stops IRQ 0; a count of 0 or too big is 65536. */
	s.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	s.channels[0].count = 0x12345678;
	s.channels[1].count = 0;
	i8254_set_state(&q, &s, later);
	EXPECT_FALSE(q.timer_on);
	EXPECT_EQ(0x10000, q.ch[0].count);
	EXPECT_EQ(0x10000, q.ch[1].count);
}

TEST_HARNESS_MAIN

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 8254 programmable interval timer of a PC as a pure state machine
 * over time: every function takes the current time (ns, CLOCK_MONOTONIC
 * in the kernel, simulated in selftests/unit/i8254_test.c). Counters are
 * not ticked: a counter's value and OUT are computed from when it
 * started counting, at PIT_HZ. irq/pit.c turns what channel 0's OUT
 * does into IRQ 0 with an hrtimer (the timer_* fields below).
 *
 * Behaviour follows the Intel 8254 datasheet (order 231164) for modes
 * 0-5, the counter latch and read-back commands, LSB/MSB/word access and
 * BCD counting. GATE: channels 0 and 1 have it tied high on a PC,
 * channel 2's is bit 0 of port 0x61. Simplifications (as in KVM): a new
 * count takes effect at once in every mode, and modes 1 and 5 start
 * counting when the count is written (a rising GATE restarts them).
 */
#ifndef HVK_IRQ_I8254_H
#define HVK_IRQ_I8254_H

#ifdef __KERNEL__
#include <linux/kvm.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#endif

#define PIT_HZ			1193182ULL	/* 14.31818 MHz / 12 */
#define PIT_PORT_BASE		0x40
#define PIT_PORT_SPEAKER	0x61
/*
 * KVM keeps a guest from programming a periodic PIT faster than its
 * min_timer_period_us module parameter, 200 us by default: hrtimers are
 * not throttled by the host scheduler.
 */
#define PIT_MIN_PERIOD_NS	200000ULL

/* Access states, numbered as struct kvm_pit_channel_state has them. */
enum {
	PIT_RW_LSB = 1,
	PIT_RW_MSB = 2,
	PIT_RW_WORD0 = 3,	/* LSB next, then MSB */
	PIT_RW_WORD1 = 4,	/* MSB next */
};

struct i8254_chan {
	u32 count;		/* initial count, 1 to 0x10000 (binary value) */
	u16 latched_count;
	u8 count_latched;	/* PIT_RW_* of the latched count left to read */
	bool status_latched;
	u8 status;
	u8 read_state;
	u8 write_state;
	u8 write_latch;		/* LSB of a word being written */
	u8 rw_mode;		/* control word RW1-RW0 */
	u8 mode;		/* 0-5; 0xff until programmed, as in KVM */
	bool bcd;
	bool gate;
	bool null_count;	/* control word written, no count yet */
	bool paused;		/* GATE low stopped counting at @paused_ns */
	s64 paused_ns;		/* elapsed time when paused */
	s64 load_time;		/* ns: when counting started */
};

struct i8254 {
	struct i8254_chan ch[3];
	u32 flags;		/* KVM_PIT_FLAGS_* (HPET legacy, speaker data) */
	/*
	 * Channel 0's IRQ 0 as the owner should make it: once at
	 * timer_first (ns), then every timer_period ns if periodic.
	 * timer_dirty says it changed since the owner last looked.
	 */
	bool timer_dirty;
	bool timer_on;
	bool timer_periodic;
	s64 timer_first;
	u64 timer_period;
};

void i8254_init(struct i8254 *p, s64 now);
void i8254_write(struct i8254 *p, u16 port, u8 val, s64 now);
u8 i8254_read(struct i8254 *p, u16 port, s64 now);
u32 i8254_counter(const struct i8254 *p, unsigned int ch, s64 now);
bool i8254_out(const struct i8254 *p, unsigned int ch, s64 now);
u64 i8254_ticks_to_ns(u64 ticks);
void i8254_get_state(const struct i8254 *p, struct kvm_pit_state2 *s);
void i8254_set_state(struct i8254 *p, const struct kvm_pit_state2 *s,
		     s64 now);

#endif /* HVK_IRQ_I8254_H */

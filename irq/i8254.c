// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 as a pure state machine over time (see i8254.h).
 *
 * A channel counts d = ticks since @load_time (or the ticks it had when
 * GATE paused it). From d and the initial count N every mode's counter
 * and OUT follow (8254 datasheet, "Mode Definitions"):
 *   0 interrupt on terminal count: OUT low, high from d = N on
 *   1 one-shot: OUT low from the trigger until d = N
 *   2 rate generator: N, N-1, ..., 1, reload; OUT low while at 1
 *   3 square wave: OUT high for ceil(N/2) ticks, low for floor(N/2);
 *     the counter steps by 2 (odd N: see i8254_mode3_counter())
 *   4, 5 strobes: OUT high, low for the one tick at d = N
 * Modes 0, 1, 4 and 5 wrap around after 0 and keep counting.
 */
#include "i8254.h"

#define NSEC	1000000000ULL

static u64 i8254_ns_to_ticks(u64 ns)
{
	return ns / NSEC * PIT_HZ + ns % NSEC * PIT_HZ / NSEC;
}

/* The first time (ns after the start) by which @ticks have passed. */
u64 i8254_ticks_to_ns(u64 ticks)
{
	return ticks / PIT_HZ * NSEC + (ticks % PIT_HZ * NSEC + PIT_HZ - 1) /
				       PIT_HZ;
}

static u32 i8254_from_bcd(u32 v)
{
	return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 +
	       ((v >> 12) & 0xf) * 1000;
}

static u16 i8254_to_bcd(u32 v)
{
	v %= 10000;
	return (v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 |
	       (v / 1000) << 12;
}

/* Counting modes GATE low stops; in 1 and 5 GATE only triggers. */
static bool i8254_gate_stops(u8 mode)
{
	return mode == 0 || mode == 2 || mode == 3 || mode == 4;
}

static u64 i8254_elapsed(const struct i8254_chan *c, s64 now)
{
	s64 ns = c->paused ? c->paused_ns : now - c->load_time;

	return ns > 0 ? i8254_ns_to_ticks(ns) : 0;
}

static u32 i8254_mode3_counter(u32 n, u64 d)
{
	u64 p = d % n, hi = (n + 1) / 2;

	if (!(n & 1))
		return n - 2 * (p % (n / 2));
	/*
	 * Odd N: the high half loads N and counts N-1, N-3, ..., 0
	 * ((N+1)/2 ticks); the low half loads N and counts N-3, ..., 0
	 * ((N-1)/2 ticks).
	 */
	if (p < hi)
		return p ? n - 1 - 2 * (p - 1) : n;
	p -= hi;
	return p ? n - 3 - 2 * (p - 1) : n;
}

/* The counting element's value, as a binary number. */
static u32 i8254_count_value(const struct i8254_chan *c, s64 now)
{
	u64 d = i8254_elapsed(c, now), m = c->bcd ? 10000 : 0x10000;
	u32 n = c->count;

	switch (c->mode) {
	case 2:
		return n - d % n;
	case 3:
		return i8254_mode3_counter(n, d);
	default:
		return (n + m - d % m) % m;
	}
}

/**
 * i8254_counter() - what a read of channel @ch's counter would give now
 * @p: the PIT
 * @ch: 0-2
 * @now: ns
 *
 * Return: the 16 bits a latch would hold (BCD digits in BCD mode).
 */
u32 i8254_counter(const struct i8254 *p, unsigned int ch, s64 now)
{
	const struct i8254_chan *c = &p->ch[ch];
	u32 v = i8254_count_value(c, now);

	return c->bcd ? i8254_to_bcd(v) : (v & 0xffff);
}

/* Channel @ch's OUT pin now. */
bool i8254_out(const struct i8254 *p, unsigned int ch, s64 now)
{
	const struct i8254_chan *c = &p->ch[ch];
	u64 d, n = c->count;

	/* A control word sets OUT's initial state: low in mode 0 only. */
	if (c->null_count)
		return c->mode != 0;
	if (c->paused && (c->mode == 2 || c->mode == 3))
		return true;
	d = i8254_elapsed(c, now);
	switch (c->mode) {
	case 2:
		return d % n != n - 1;
	case 3:
		return d % n < (n + 1) / 2;
	case 4:
	case 5:
		return d != n;
	default:	/* 0, 1 (and an unprogrammed channel) */
		return d >= n;
	}
}

/*
 * Work out what channel 0's IRQ 0 timer should be now: one-shot modes
 * fire once when the count runs out (not again if it already has),
 * rate generator and square wave every N ticks but never faster than
 * PIT_MIN_PERIOD_NS. Stopped: HPET legacy mode (the HPET drives IRQ 0),
 * a control word without its count, GATE low, or mode 5 (whose GATE,
 * tied high, never triggers).
 */
static void i8254_rearm(struct i8254 *p, s64 now)
{
	struct i8254_chan *c = &p->ch[0];
	u64 period = i8254_ticks_to_ns(c->count);

	p->timer_dirty = true;
	p->timer_on = false;
	if ((p->flags & KVM_PIT_FLAGS_HPET_LEGACY) || c->null_count ||
	    c->paused)
		return;
	switch (c->mode) {
	case 0:
	case 1:
	case 4:
		if (i8254_elapsed(c, now) >= c->count)
			return;
		p->timer_periodic = false;
		p->timer_period = 0;
		break;
	case 2:
	case 3:
		if (period < PIT_MIN_PERIOD_NS)
			period = PIT_MIN_PERIOD_NS;
		p->timer_periodic = true;
		p->timer_period = period;
		break;
	default:
		return;
	}
	p->timer_first = c->load_time + period;
	p->timer_on = true;
}

static void i8254_load(struct i8254 *p, unsigned int ch, u32 val, s64 now)
{
	struct i8254_chan *c = &p->ch[ch];

	if (c->bcd)
		val = i8254_from_bcd(val);
	/* 0 is the largest count: 2^16, or 10^4 in BCD. */
	if (!val)
		val = c->bcd ? 10000 : 0x10000;
	c->count = val;
	c->load_time = now;
	c->null_count = false;
	c->paused = !c->gate && i8254_gate_stops(c->mode);
	c->paused_ns = 0;
	if (ch == 0)
		i8254_rearm(p, now);
}

static void i8254_set_gate(struct i8254 *p, unsigned int ch, bool gate,
			   s64 now)
{
	struct i8254_chan *c = &p->ch[ch];

	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!gate) {
		if (i8254_gate_stops(c->mode) && !c->paused) {
			c->paused_ns = now > c->load_time ? now - c->load_time : 0;
			c->paused = true;
		}
	} else if (c->mode == 0 || c->mode == 4) {
		/* Counting resumes where it stopped. */
		if (c->paused)
			c->load_time = now - c->paused_ns;
		c->paused = false;
	} else {
		/* Modes 1, 2, 3, 5: a rising GATE starts over from N. */
		c->load_time = now;
		c->paused = false;
	}
	if (ch == 0)
		i8254_rearm(p, now);
}

static void i8254_latch_count(struct i8254 *p, unsigned int ch, s64 now)
{
	struct i8254_chan *c = &p->ch[ch];

	/* A second latch before the first is read changes nothing. */
	if (c->count_latched)
		return;
	c->latched_count = i8254_counter(p, ch, now);
	c->count_latched = c->rw_mode ? c->rw_mode : PIT_RW_LSB;
}

static void i8254_latch_status(struct i8254 *p, unsigned int ch, s64 now)
{
	struct i8254_chan *c = &p->ch[ch];

	if (c->status_latched)
		return;
	c->status = i8254_out(p, ch, now) << 7 | c->null_count << 6 |
		    (c->rw_mode & 3) << 4 | (c->mode & 7) << 1 | c->bcd;
	c->status_latched = true;
}

static void i8254_control(struct i8254 *p, u8 val, s64 now)
{
	unsigned int ch = val >> 6, rw = (val >> 4) & 3, i;
	struct i8254_chan *c;

	if (ch == 3) {
		/* Read-back: COUNT# (bit 5) and STATUS# (bit 4) active low. */
		for (i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			if (!(val & 0x20))
				i8254_latch_count(p, i, now);
			if (!(val & 0x10))
				i8254_latch_status(p, i, now);
		}
		return;
	}
	if (!rw) {
		i8254_latch_count(p, ch, now);
		return;
	}
	c = &p->ch[ch];
	c->rw_mode = rw;
	c->read_state = rw;
	c->write_state = rw;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)	/* X10 and X11 are modes 2 and 3 */
		c->mode -= 4;
	c->bcd = val & 1;
	c->null_count = true;
	c->paused = false;
	if (ch == 0)
		i8254_rearm(p, now);
}

static void i8254_write_count(struct i8254 *p, unsigned int ch, u8 val,
			      s64 now)
{
	struct i8254_chan *c = &p->ch[ch];

	switch (c->write_state) {
	case PIT_RW_MSB:
		i8254_load(p, ch, val << 8, now);
		break;
	case PIT_RW_WORD0:
		c->write_latch = val;
		c->write_state = PIT_RW_WORD1;
		break;
	case PIT_RW_WORD1:
		c->write_state = PIT_RW_WORD0;
		i8254_load(p, ch, c->write_latch | val << 8, now);
		break;
	default:	/* LSB, and a channel never programmed */
		i8254_load(p, ch, val, now);
		break;
	}
}

static u8 i8254_read_count(struct i8254 *p, unsigned int ch, s64 now)
{
	struct i8254_chan *c = &p->ch[ch];
	u16 v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		v = c->latched_count;
		switch (c->count_latched) {
		case PIT_RW_MSB:
			c->count_latched = 0;
			return v >> 8;
		case PIT_RW_WORD0:
			c->count_latched = PIT_RW_MSB;
			return v & 0xff;
		default:
			c->count_latched = 0;
			return v & 0xff;
		}
	}
	v = i8254_counter(p, ch, now);
	switch (c->read_state) {
	case PIT_RW_MSB:
		return v >> 8;
	case PIT_RW_WORD0:
		c->read_state = PIT_RW_WORD1;
		return v & 0xff;
	case PIT_RW_WORD1:
		c->read_state = PIT_RW_WORD0;
		return v >> 8;
	default:
		return v & 0xff;
	}
}

/* Reset as KVM's PIT starts: channels unprogrammed, count 0 (65536). */
void i8254_init(struct i8254 *p, s64 now)
{
	unsigned int i;

	*p = (struct i8254){};
	for (i = 0; i < 3; i++) {
		p->ch[i].mode = 0xff;
		p->ch[i].gate = i != 2;
		p->ch[i].count = 0x10000;
		p->ch[i].load_time = now;
	}
	p->timer_dirty = true;
}

/**
 * i8254_write() - a guest's byte to 0x40-0x43 or 0x61
 * @p: the PIT
 * @port: the port
 * @val: the byte
 * @now: ns
 *
 * Port 0x61 (system control port B): bit 0 is channel 2's GATE, bit 1
 * the speaker data enable (KVM_PIT_FLAGS_SPEAKER_DATA_ON).
 */
void i8254_write(struct i8254 *p, u16 port, u8 val, s64 now)
{
	switch (port) {
	case PIT_PORT_BASE ... PIT_PORT_BASE + 2:
		i8254_write_count(p, port - PIT_PORT_BASE, val, now);
		break;
	case PIT_PORT_BASE + 3:
		i8254_control(p, val, now);
		break;
	case PIT_PORT_SPEAKER:
		if (val & 2)
			p->flags |= KVM_PIT_FLAGS_SPEAKER_DATA_ON;
		else
			p->flags &= ~KVM_PIT_FLAGS_SPEAKER_DATA_ON;
		i8254_set_gate(p, 2, val & 1, now);
		break;
	}
}

/**
 * i8254_read() - a guest's read of 0x40-0x43 or 0x61
 * @p: the PIT
 * @port: the port
 * @now: ns
 *
 * Port 0x61 reads GATE 2 (bit 0), speaker data (bit 1), the DRAM
 * refresh toggle (bit 4; flips every 2^14 ns, about the 15 us of a PC)
 * and OUT 2 (bit 5), which Linux polls to calibrate the TSC. The control
 * port reads 0.
 *
 * Return: the byte.
 */
u8 i8254_read(struct i8254 *p, u16 port, s64 now)
{
	switch (port) {
	case PIT_PORT_BASE ... PIT_PORT_BASE + 2:
		return i8254_read_count(p, port - PIT_PORT_BASE, now);
	case PIT_PORT_SPEAKER:
		return !!(p->flags & KVM_PIT_FLAGS_SPEAKER_DATA_ON) << 1 |
		       p->ch[2].gate | ((u64)now >> 14 & 1) << 4 |
		       i8254_out(p, 2, now) << 5;
	}
	return 0;
}

/* KVM_GET_PIT2: count_load_time is the host's monotonic ns, as KVM's. */
void i8254_get_state(const struct i8254 *p, struct kvm_pit_state2 *s)
{
	unsigned int i;

	*s = (struct kvm_pit_state2){ .flags = p->flags };
	for (i = 0; i < 3; i++) {
		const struct i8254_chan *c = &p->ch[i];
		struct kvm_pit_channel_state *k = &s->channels[i];

		k->count = c->count;
		k->latched_count = c->latched_count;
		k->count_latched = c->count_latched;
		k->status_latched = c->status_latched;
		k->status = c->status;
		k->read_state = c->read_state;
		k->write_state = c->write_state;
		k->write_latch = c->write_latch;
		k->rw_mode = c->rw_mode;
		k->mode = c->mode;
		k->bcd = c->bcd;
		k->gate = c->gate;
		k->count_load_time = c->load_time;
	}
}

/*
 * KVM_SET_PIT2: the registers as given; every channel then starts
 * counting its count afresh from @now, as KVM reloads each one
 * (count_load_time is not taken from userspace). Counts beyond 2^16
 * are cut to 2^16, 0 means 2^16.
 */
void i8254_set_state(struct i8254 *p, const struct kvm_pit_state2 *s,
		     s64 now)
{
	unsigned int i;

	p->flags = s->flags;
	for (i = 0; i < 3; i++) {
		struct i8254_chan *c = &p->ch[i];
		const struct kvm_pit_channel_state *k = &s->channels[i];

		c->latched_count = k->latched_count;
		c->count_latched = k->count_latched;
		c->status_latched = k->status_latched;
		c->status = k->status;
		c->read_state = k->read_state;
		c->write_state = k->write_state;
		c->write_latch = k->write_latch;
		c->rw_mode = k->rw_mode;
		c->mode = k->mode;
		c->bcd = k->bcd;
		c->gate = k->gate;
		c->count = k->count && k->count < 0x10000 ? k->count : 0x10000;
		c->load_time = now;
		c->null_count = false;
		c->paused = !c->gate && i8254_gate_stops(c->mode);
		c->paused_ns = 0;
	}
	i8254_rearm(p, now);
}

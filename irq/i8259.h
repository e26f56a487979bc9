/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cascaded pair of 8259A programmable interrupt controllers of a PC,
 * as a pure state machine: no locking, no allocation, no calls out.
 * irq/pic.c puts it behind a lock and the I/O bus;
 * selftests/unit/i8259_test.c builds it on the host.
 *
 * Behaviour follows the Intel 8259A datasheet (order 231468), in the
 * modes PCs use: x86 (8086) mode, cascade on the master's IR2, edge or
 * level inputs as the ELCR (ports 0x4d0/0x4d1) says. Single mode, MCS-80
 * mode and buffered mode are accepted and ignored, as KVM does.
 */
#ifndef HVK_IRQ_I8259_H
#define HVK_IRQ_I8259_H

#ifdef __KERNEL__
#include <linux/kvm.h>
#include <linux/types.h>
#else
#include "kernel_shim.h"
#endif

#define I8259_NR_IRQS		16
#define I8259_CASCADE_IRQ	2	/* the slave's INT on the master */

/* One 8259A. Field meanings match struct kvm_pic_state (KVM_GET_IRQCHIP). */
struct i8259 {
	u8 line;		/* input levels seen last (last_irr) */
	u8 irr;			/* interrupt request register */
	u8 imr;			/* interrupt mask register (OCW1) */
	u8 isr;			/* in-service register */
	u8 priority_add;	/* the IR with the highest priority */
	u8 irq_base;		/* ICW2: vector of IR0 */
	u8 init_state;		/* 0: ready; 1, 2, 3: ICW2, ICW3, ICW4 next */
	u8 elcr;		/* level-triggered IRs */
	u8 elcr_mask;		/* IRs that may be level-triggered */
	bool read_isr;		/* OCW3 RR/RIS: even port reads ISR */
	bool poll;		/* OCW3 P: the next read is a poll */
	bool special_mask;	/* OCW3 SMM */
	bool init4;		/* ICW1 IC4: an ICW4 follows */
	bool auto_eoi;		/* ICW4 AEOI */
	bool rotate_on_aeoi;	/* OCW2 R with AEOI */
	bool sfnm;		/* ICW4 SFNM (special fully nested mode) */
};

struct i8259_pair {
	struct i8259 chip[2];		/* master, slave */
	u8 levels[I8259_NR_IRQS];	/* one bit per enum hvk_irq_source */
	/*
	 * IRQs (0-15) whose in-service bit the guest cleared since the
	 * owner last looked: irq/pic.c reports them with hvk_irq_ack()
	 * once it has dropped its lock, and clears this.
	 */
	u16 acked;
};

void i8259_init(struct i8259_pair *p);
int i8259_set_irq(struct i8259_pair *p, unsigned int irq, unsigned int src,
		  int level);
bool i8259_output(struct i8259_pair *p);
int i8259_intack(struct i8259_pair *p);
void i8259_write(struct i8259_pair *p, u16 port, u8 val);
u8 i8259_read(struct i8259_pair *p, u16 port);
void i8259_get_state(const struct i8259_pair *p, unsigned int chip,
		     struct kvm_pic_state *s);
void i8259_set_state(struct i8259_pair *p, unsigned int chip,
		     const struct kvm_pic_state *s);

#endif /* HVK_IRQ_I8259_H */

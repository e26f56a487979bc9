// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC (SDM Vol. 3A chapter 11): one per vCPU, made with the
 * vCPU once the VM has an in-kernel irqchip. This file holds its state,
 * its registers as the guest reaches them (xAPIC MMIO at IA32_APIC_BASE,
 * x2APIC MSRs 0x800-0x8ff), interrupt acceptance (IRR, ISR, TMR, PPR,
 * EOI) and the state ioctls; the timer is in lapic_timer.c, IPIs and
 * message delivery in lapic_ipi.c, the pure register logic in
 * lapic_regs.c.
 *
 * Locking: one spinlock per LAPIC, taken with interrupts off (the timer's
 * hrtimer, other vCPUs' IPIs, the IOAPIC and irqfds deliver from any
 * context). Nothing sleeps under it; calls out to the IOAPIC (EOI) and
 * to other LAPICs (IPIs) happen after it is dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <asm/msr-index.h>

#include "hvk.h"
#include "lapic.h"
#include "lapic_priv.h"
#include "request.h"
#include "x86.h"

/* IA32_APIC_BASE bits (11.4.4). */
#define APIC_BASE_BSP		BIT(8)
#define APIC_BASE_EXTD		BIT(10)
#define APIC_BASE_EN		BIT(11)
#define APIC_BASE_DEFAULT	0xfee00000ULL

/* LVT bits a guest may set, per entry (11.5.1 Figure 11-8). */
#define LVT_MASK_BASE	(LAPIC_LVT_MASKED | BIT(12) | LAPIC_VECTOR_MASK)
#define LVT_MASK_DM	(LVT_MASK_BASE | LAPIC_DM_MASK)
#define LVT_MASK_LINT	(LVT_MASK_DM | LAPIC_POLARITY | \
			 LAPIC_REMOTE_IRR | LAPIC_TRIGGER_LEVEL)

void lapic_kick(struct hvk_vcpu_irqchip *l)
{
	hvk_vcpu_request(l->vcpu, HVK_X86_REQ_EVENT);
	hvk_vcpu_kick(l->vcpu);
}

static void lapic_update_ppr(struct hvk_vcpu_irqchip *l)
{
	lapic_set_reg(l->regs, LAPIC_PPR,
		      lapic_compute_ppr(lapic_reg(l->regs, LAPIC_TPR),
					lapic_highest_vec(l->regs, LAPIC_ISR)));
}

/* A fixed interrupt reaches the IRR (11.8.4). Lock held. */
void lapic_set_irr_locked(struct hvk_vcpu_irqchip *l, u8 vec, bool level)
{
	if (!lapic_hw_enabled(l) || !lapic_sw_enabled(l))
		return;
	lapic_set_vec(l->regs, LAPIC_IRR, vec);
	if (level)
		lapic_set_vec(l->regs, LAPIC_TMR, vec);
	else
		lapic_clear_vec(l->regs, LAPIC_TMR, vec);
}

/* The register state after RESET, or after INIT (ID and base stay). */
static void lapic_reset_locked(struct hvk_vcpu_irqchip *l, bool init)
{
	u32 id = lapic_reg(l->regs, LAPIC_ID);
	unsigned int off;

	memset(l->regs, 0, sizeof(l->regs));
	lapic_set_reg(l->regs, LAPIC_ID, init ? id : l->vcpu->id << 24);
	if (init && lapic_x2apic(l))
		lapic_set_reg(l->regs, LAPIC_LDR, lapic_x2apic_ldr(id));
	lapic_set_reg(l->regs, LAPIC_LVR, LAPIC_VERSION);
	lapic_set_reg(l->regs, LAPIC_DFR, 0xffffffff);
	lapic_set_reg(l->regs, LAPIC_SVR, 0xff);
	for (off = LAPIC_LVT_TIMER; off <= LAPIC_LVT_ERROR; off += 0x10)
		lapic_set_reg(l->regs, off, LAPIC_LVT_MASKED);
	lapic_set_reg(l->regs, LAPIC_LVT_CMCI, LAPIC_LVT_MASKED);
	/*
	 * A SIPI that came right behind the INIT being processed must
	 * survive it: pending INIT/SIPI are cleared only by RESET.
	 */
	if (!init) {
		l->nmis = 0;
		l->init = false;
		l->sipi = false;
	}
	l->tsc_deadline = 0;
	l->period_ns = 0;
	l->tmict_ns = 0;
}

int lapic_create(struct hvk_vcpu *vcpu, bool bsp)
{
	struct hvk_vcpu_irqchip *l;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	l->vcpu = vcpu;
	spin_lock_init(&l->lock);
	lapic_timer_init(l);
	l->base = APIC_BASE_DEFAULT | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
	lapic_reset_locked(l, false);
	vcpu->irqchip = l;
	return 0;
}

void lapic_destroy(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;

	if (!l)
		return;
	lapic_timer_cancel(l);
	kfree(l);
	vcpu->irqchip = NULL;
}

/* INIT (11.4.7.3): registers reset, ID and IA32_APIC_BASE kept. */
void lapic_init_reset(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;

	lapic_timer_cancel(l);
	spin_lock_irqsave(&l->lock, flags);
	lapic_reset_locked(l, true);
	spin_unlock_irqrestore(&l->lock, flags);
}

int lapic_pending_irq(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;
	int vec = -1;

	spin_lock_irqsave(&l->lock, flags);
	if (lapic_hw_enabled(l))
		vec = lapic_deliverable_irq(l->regs);
	spin_unlock_irqrestore(&l->lock, flags);
	if (vec < 0)
		vec = lapic_extint_pending(vcpu);
	return vec;
}

/* INTA (11.8.4): the highest deliverable IRR vector moves to the ISR. */
int lapic_ack_irq(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;
	int vec = -1;

	spin_lock_irqsave(&l->lock, flags);
	if (lapic_hw_enabled(l))
		vec = lapic_deliverable_irq(l->regs);
	if (vec >= 0) {
		lapic_clear_vec(l->regs, LAPIC_IRR, vec);
		lapic_set_vec(l->regs, LAPIC_ISR, vec);
		lapic_update_ppr(l);
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (vec < 0)
		vec = lapic_extint_ack(vcpu);
	return vec;
}

unsigned int lapic_take_nmis(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&l->lock, flags);
	n = l->nmis;
	l->nmis = 0;
	spin_unlock_irqrestore(&l->lock, flags);
	return n;
}

bool lapic_take_init(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;
	bool init;

	spin_lock_irqsave(&l->lock, flags);
	init = l->init;
	l->init = false;
	spin_unlock_irqrestore(&l->lock, flags);
	return init;
}

int lapic_take_sipi(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;
	int vec = -1;

	spin_lock_irqsave(&l->lock, flags);
	if (l->sipi)
		vec = l->sipi_vector;
	l->sipi = false;
	spin_unlock_irqrestore(&l->lock, flags);
	return vec;
}

/*
 * Whether a halted vCPU has something to wake for: an NMI, INIT or SIPI,
 * or an interrupt the guest can take (@if_set: its RFLAGS.IF).
 */
bool lapic_has_events(struct hvk_vcpu *vcpu, bool if_set)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	bool ev;

	ev = READ_ONCE(l->nmis) || READ_ONCE(l->init) || READ_ONCE(l->sipi);
	return ev || (if_set && lapic_pending_irq(vcpu) >= 0);
}

void lapic_set_sipi_vector(struct hvk_vcpu *vcpu, u8 vector)
{
	vcpu->irqchip->sipi_vector = vector;
}

/* KVM_SET_MP_STATE to SIPI_RECEIVED: a SIPI with the vector it has. */
void lapic_queue_sipi(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	l->sipi = true;
	spin_unlock_irqrestore(&l->lock, flags);
	lapic_kick(l);
}

/* EOI (11.8.5): the highest ISR bit ends; a level one goes to the IOAPIC. */
static void lapic_eoi(struct hvk_vcpu_irqchip *l)
{
	struct hvk_vm *vm = l->vcpu->vm;
	bool level = false;
	int vec;

	vec = lapic_highest_vec(l->regs, LAPIC_ISR);
	if (vec < 0)
		return;
	lapic_clear_vec(l->regs, LAPIC_ISR, vec);
	lapic_update_ppr(l);
	if (lapic_test_vec(l->regs, LAPIC_TMR, vec) &&
	    !(lapic_reg(l->regs, LAPIC_SVR) & LAPIC_SVR_NO_EOI_BCAST))
		level = true;
	spin_unlock(&l->lock);
	if (level && vm->irqchip && vm->irqchip->ioapic)
		ioapic_eoi(vm, vec);
	spin_lock(&l->lock);
}

static u32 lapic_read_locked(struct hvk_vcpu_irqchip *l, unsigned int off)
{
	switch (off) {
	case LAPIC_TMCCT:
		return lapic_timer_current(l);
	case LAPIC_PPR:
		lapic_update_ppr(l);
		return lapic_reg(l->regs, off);
	case LAPIC_APR:
	case LAPIC_EOI:
	case LAPIC_RRD:
	case LAPIC_SELF_IPI:
		return 0;
	case LAPIC_ICR:
		return lapic_reg(l->regs, off) & ~LAPIC_SEND_PENDING;
	default:
		return lapic_reg(l->regs, off);
	}
}

/* Is @off a register that reads (xAPIC page, 16-byte aligned)? */
static bool lapic_readable(struct hvk_vcpu_irqchip *l, unsigned int off)
{
	switch (off) {
	case LAPIC_ID: case LAPIC_LVR: case LAPIC_TPR: case LAPIC_PPR:
	case LAPIC_LDR: case LAPIC_SVR: case LAPIC_ESR: case LAPIC_ICR:
	case LAPIC_LVT_TIMER ... LAPIC_LVT_ERROR:
	case LAPIC_TMICT: case LAPIC_TMCCT: case LAPIC_TDCR:
	case LAPIC_ISR ... LAPIC_IRR + 0x70:
		return !(off & 0xf);
	case LAPIC_APR: case LAPIC_DFR: case LAPIC_ICR2: case LAPIC_RRD:
		return !lapic_x2apic(l);
	default:
		return false;
	}
}

/*
 * A register write. @x2apic: through an MSR, where reserved and
 * read-only registers fault. Called with the lock held and irqs off;
 * drops it around calls out (EOI, IPIs). Return: 0, or 1 for #GP.
 */
static int lapic_write_locked(struct hvk_vcpu_irqchip *l, unsigned int off,
			      u32 val, bool x2apic, unsigned long *flags)
{
	unsigned int o;
	u32 dest;

	switch (off) {
	case LAPIC_ID:
		if (x2apic)
			return 1;
		lapic_set_reg(l->regs, off, val & 0xff000000);
		break;
	case LAPIC_TPR:
		lapic_set_reg(l->regs, off, val & 0xff);
		lapic_update_ppr(l);
		break;
	case LAPIC_EOI:
		if (x2apic && val)
			return 1;
		lapic_eoi(l);
		break;
	case LAPIC_LDR:
		if (x2apic)
			return 1;
		lapic_set_reg(l->regs, off, val & 0xff000000);
		break;
	case LAPIC_DFR:
		if (x2apic)
			return 1;
		lapic_set_reg(l->regs, off, val | 0x0fffffff);
		break;
	case LAPIC_SVR:
		/* No directed EOI offered (the version register says so). */
		lapic_set_reg(l->regs, off, val & 0x3ff);
		if (!(val & LAPIC_SVR_ENABLE)) {
			/* Software-disabled: every LVT masked (11.4.7.2). */
			for (o = LAPIC_LVT_TIMER; o <= LAPIC_LVT_ERROR;
			     o += 0x10)
				lapic_set_reg(l->regs, o,
					      lapic_reg(l->regs, o) |
					      LAPIC_LVT_MASKED);
			lapic_set_reg(l->regs, LAPIC_LVT_CMCI,
				      lapic_reg(l->regs, LAPIC_LVT_CMCI) |
				      LAPIC_LVT_MASKED);
		}
		break;
	case LAPIC_ESR:
		if (x2apic && val)
			return 1;
		lapic_set_reg(l->regs, off, 0);
		break;
	case LAPIC_ICR:
		lapic_set_reg(l->regs, off, val & ~LAPIC_SEND_PENDING);
		dest = lapic_reg(l->regs, LAPIC_ICR2);
		if (!x2apic)
			dest >>= 24;
		spin_unlock_irqrestore(&l->lock, *flags);
		lapic_send_icr(l, val, dest);
		spin_lock_irqsave(&l->lock, *flags);
		break;
	case LAPIC_ICR2:
		if (x2apic)
			return 1;
		lapic_set_reg(l->regs, off, val & 0xff000000);
		break;
	case LAPIC_LVT_THERMAL:
	case LAPIC_LVT_PERF:
	case LAPIC_LVT_CMCI:
	case LAPIC_LVT_LINT0:
	case LAPIC_LVT_LINT1:
	case LAPIC_LVT_ERROR:
		val &= off == LAPIC_LVT_ERROR ? LVT_MASK_BASE :
		       off >= LAPIC_LVT_LINT0 ? LVT_MASK_LINT : LVT_MASK_DM;
		if (!lapic_sw_enabled(l))
			val |= LAPIC_LVT_MASKED;
		lapic_set_reg(l->regs, off, val);
		if (off == LAPIC_LVT_LINT0) {
			spin_unlock_irqrestore(&l->lock, *flags);
			lapic_kick(l);
			spin_lock_irqsave(&l->lock, *flags);
		}
		break;
	case LAPIC_LVT_TIMER:
	case LAPIC_TMICT:
	case LAPIC_TDCR:
		lapic_timer_write(l, off, val);
		break;
	case LAPIC_SELF_IPI:
		if (!x2apic)
			return 0;
		lapic_set_irr_locked(l, val & 0xff, false);
		break;
	default:
		/* Read-only or reserved: ignored in xAPIC, #GP in x2APIC. */
		return x2apic ? 1 : 0;
	}
	return 0;
}

/* xAPIC MMIO (the I/O bus, vmx/irqchip.c): 32-bit aligned accesses. */
int lapic_mmio_read(struct hvk_vcpu *vcpu, u64 addr, u32 len, void *val)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned int off = addr & 0xfff, sub = off & 3;
	unsigned long flags;
	u32 v = 0;

	if (!l || !lapic_hw_enabled(l) || lapic_x2apic(l) ||
	    (addr & ~0xfffULL) != (l->base & ~0xfffULL))
		return -EOPNOTSUPP;
	spin_lock_irqsave(&l->lock, flags);
	if (off < LAPIC_REGS_SIZE && lapic_readable(l, off & ~3))
		v = lapic_read_locked(l, off & ~0xf);
	spin_unlock_irqrestore(&l->lock, flags);
	v >>= sub * 8;
	memset(val, 0, len);
	memcpy(val, &v, min_t(u32, len, 4 - sub));
	return 0;
}

int lapic_mmio_write(struct hvk_vcpu *vcpu, u64 addr, u32 len,
		     const void *val)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned int off = addr & 0xfff;
	unsigned long flags;
	u32 v = 0;

	if (!l || !lapic_hw_enabled(l) || lapic_x2apic(l) ||
	    (addr & ~0xfffULL) != (l->base & ~0xfffULL))
		return -EOPNOTSUPP;
	/* Only aligned 32-bit writes reach a register (11.4.1). */
	if (len != 4 || (off & 0xf) || off >= LAPIC_REGS_SIZE)
		return 0;
	memcpy(&v, val, 4);
	spin_lock_irqsave(&l->lock, flags);
	lapic_write_locked(l, off, v, false, &flags);
	spin_unlock_irqrestore(&l->lock, flags);
	return 0;
}

/* x2APIC MSRs 0x800-0x8ff (11.12.1). Return: 0, or 1 for #GP. */
int lapic_msr_read(struct hvk_vcpu *vcpu, u32 msr, u64 *data)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned int off = (msr - 0x800) << 4;
	unsigned long flags;

	if (!l || !lapic_x2apic(l) || off >= LAPIC_REGS_SIZE ||
	    !lapic_readable(l, off))
		return 1;
	spin_lock_irqsave(&l->lock, flags);
	*data = lapic_read_locked(l, off);
	if (off == LAPIC_ICR)
		*data |= (u64)lapic_reg(l->regs, LAPIC_ICR2) << 32;
	spin_unlock_irqrestore(&l->lock, flags);
	return 0;
}

int lapic_msr_write(struct hvk_vcpu *vcpu, u32 msr, u64 data)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned int off = (msr - 0x800) << 4;
	unsigned long flags;
	int r;

	if (!l || !lapic_x2apic(l) || off >= LAPIC_REGS_SIZE)
		return 1;
	/* Only the ICR is 64 bits wide; reserved high halves fault. */
	if (off != LAPIC_ICR && (data >> 32))
		return 1;
	spin_lock_irqsave(&l->lock, flags);
	if (off == LAPIC_ICR)
		lapic_set_reg(l->regs, LAPIC_ICR2, data >> 32);
	r = lapic_write_locked(l, off, (u32)data, true, &flags);
	spin_unlock_irqrestore(&l->lock, flags);
	return r;
}

u64 lapic_get_base(struct hvk_vcpu *vcpu)
{
	return vcpu->irqchip->base;
}

/*
 * IA32_APIC_BASE (11.4.4, 11.12.5): the enable and x2APIC bits move
 * only along the allowed transitions; x2APIC mode fixes the ID and the
 * LDR. The base address may change, but the in-kernel xAPIC page stays
 * at the default (the I/O bus range is the VM's): a moved page is
 * not answered in the kernel.
 * Return: 0, or 1 for an invalid value (#GP).
 */
int lapic_set_base(struct hvk_vcpu *vcpu, u64 val, bool x2apic_ok)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	u64 old = l->base, rsvd = 0x2ffULL | ~((1ULL << 52) - 1);
	unsigned long flags;
	u32 id;

	if (!x2apic_ok)
		rsvd |= APIC_BASE_EXTD;
	if (val & rsvd)
		return 1;
	if ((val & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EXTD)
		return 1;
	/* x2APIC to xAPIC only through disabled (11.12.5 Figure 11-27). */
	if ((old & APIC_BASE_EXTD) && (val & APIC_BASE_EN) &&
	    !(val & APIC_BASE_EXTD))
		return 1;
	spin_lock_irqsave(&l->lock, flags);
	l->base = val;
	if (!(old & APIC_BASE_EN) && (val & APIC_BASE_EN)) {
		/* Enabled again: as after RESET, but the base stays. */
		lapic_reset_locked(l, false);
	}
	if ((val & APIC_BASE_EXTD) && !(old & APIC_BASE_EXTD)) {
		id = vcpu->id;
		lapic_set_reg(l->regs, LAPIC_ID, id);
		lapic_set_reg(l->regs, LAPIC_LDR, lapic_x2apic_ldr(id));
	} else if (!(val & APIC_BASE_EN) && (old & APIC_BASE_EXTD)) {
		lapic_set_reg(l->regs, LAPIC_ID, vcpu->id << 24);
		lapic_set_reg(l->regs, LAPIC_LDR, 0);
	}
	spin_unlock_irqrestore(&l->lock, flags);
	if (!(val & APIC_BASE_EN))
		lapic_timer_cancel(l);
	return 0;
}

/* CR8 is TPR[7:4] (10.8.6.1 in older editions, 11.8.6.1 now). */
u64 lapic_get_cr8(struct hvk_vcpu *vcpu)
{
	return (READ_ONCE(vcpu->irqchip->regs[LAPIC_TPR >> 2]) >> 4) & 0xf;
}

void lapic_set_cr8(struct hvk_vcpu *vcpu, u64 cr8)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;

	spin_lock_irqsave(&l->lock, flags);
	lapic_set_reg(l->regs, LAPIC_TPR, (cr8 & 0xf) << 4);
	lapic_update_ppr(l);
	spin_unlock_irqrestore(&l->lock, flags);
}

/*
 * KVM_GET_LAPIC: the register page as KVM shows it. In x2APIC mode KVM
 * (without KVM_CAP_X2APIC_API) reports the ID shifted into bits 31:24,
 * as an xAPIC ID register holds it.
 */
void lapic_get_state(struct hvk_vcpu *vcpu, struct kvm_lapic_state *s)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	unsigned long flags;
	u32 regs[LAPIC_REGS_SIZE / 4];

	spin_lock_irqsave(&l->lock, flags);
	lapic_update_ppr(l);
	memcpy(regs, l->regs, sizeof(regs));
	lapic_set_reg(regs, LAPIC_TMCCT, lapic_timer_current(l));
	spin_unlock_irqrestore(&l->lock, flags);
	if (lapic_x2apic(l))
		lapic_set_reg(regs, LAPIC_ID, lapic_reg(regs, LAPIC_ID) << 24);
	BUILD_BUG_ON(sizeof(regs) != sizeof(s->regs));
	memcpy(s->regs, regs, sizeof(regs));
}

/* KVM_SET_LAPIC: the page back, the derived state recomputed. */
int lapic_set_state(struct hvk_vcpu *vcpu, const struct kvm_lapic_state *s)
{
	struct hvk_vcpu_irqchip *l = vcpu->irqchip;
	u32 regs[LAPIC_REGS_SIZE / 4], tmict, lvtt, tdcr;
	unsigned long flags;

	memcpy(regs, s->regs, sizeof(regs));
	if (lapic_x2apic(l)) {
		lapic_set_reg(regs, LAPIC_ID, lapic_reg(regs, LAPIC_ID) >> 24);
		lapic_set_reg(regs, LAPIC_LDR,
			      lapic_x2apic_ldr(lapic_reg(regs, LAPIC_ID)));
	}
	lapic_set_reg(regs, LAPIC_LVR, LAPIC_VERSION);
	tmict = lapic_reg(regs, LAPIC_TMICT);
	lvtt = lapic_reg(regs, LAPIC_LVT_TIMER);
	tdcr = lapic_reg(regs, LAPIC_TDCR);
	lapic_timer_cancel(l);
	spin_lock_irqsave(&l->lock, flags);
	memcpy(l->regs, regs, sizeof(regs));
	lapic_set_reg(l->regs, LAPIC_TMCCT, 0);
	lapic_update_ppr(l);
	/* The timer restarts from the count it was given. */
	lapic_timer_write(l, LAPIC_TDCR, tdcr);
	lapic_timer_write(l, LAPIC_LVT_TIMER, lvtt);
	lapic_timer_write(l, LAPIC_TMICT, tmict);
	spin_unlock_irqrestore(&l->lock, flags);
	lapic_kick(l);
	return 0;
}

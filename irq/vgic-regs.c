// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt-indexed register banks of the GICv3 distributor and
 * redistributor, and the list-register choice: pure state logic over
 * struct vgic_irq (irq/vgic-regs.h). IHI 0069, 12.9 (GICD_*), 12.11
 * (GICR_* SGI frame) and 12.4.6 (ICH_LR<n>_EL2).
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "vgic-regs.h"

/* Bank offsets in the distributor map (the SGI frame uses the same). */
#define REG_IGROUPR	0x080
#define REG_ISENABLER	0x100
#define REG_ICENABLER	0x180
#define REG_ISPENDR	0x200
#define REG_ICPENDR	0x280
#define REG_ISACTIVER	0x300
#define REG_ICACTIVER	0x380
#define REG_IPRIORITYR	0x400
#define REG_ICFGR	0xc00
#define REG_IGRPMODR	0xd00

void vgic_irq_reset_private(struct vgic_irq *i, u32 intid)
{
	memset(i, 0, sizeof(*i));
	i->group = 1;
	i->target = VGIC_NO_TARGET;
	if (intid < VGIC_NR_SGIS)
		i->enabled = 1;		/* SGIs: always edge, enabled */
	else
		i->level = 1;		/* PPIs: level until ICFGR says */
}

void vgic_irq_reset_spi(struct vgic_irq *i)
{
	memset(i, 0, sizeof(*i));
	i->group = 1;
	i->target = VGIC_NO_TARGET;
}

struct vgic_irq *vgic_view_irq(const struct vgic_regs_view *v, u32 intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return v->priv ? &v->priv[intid] : NULL;
	if (!v->spis || intid >= v->nr_irqs)
		return NULL;
	return &v->spis[intid - VGIC_NR_PRIVATE];
}

/* One bit per interrupt: read. */
static u32 bit_read(const struct vgic_regs_view *v, u32 base,
		    u32 first)
{
	u32 val = 0, n;

	for (n = 0; n < 32; n++) {
		struct vgic_irq *i = vgic_view_irq(v, first + n);
		bool b;

		if (!i)
			continue;
		switch (base) {
		case REG_IGROUPR:
			b = i->group;
			break;
		case REG_ISENABLER:
		case REG_ICENABLER:
			b = i->enabled;
			break;
		case REG_ISPENDR:
			/* the latch alone for userspace (KVM device API) */
			b = v->uaccess ? i->latch : vgic_irq_pending(i);
			break;
		case REG_ICPENDR:
			b = v->uaccess ? 0 : vgic_irq_pending(i);
			break;
		default:	/* ISACTIVER, ICACTIVER */
			b = i->active;
			break;
		}
		val |= (u32)b << n;
	}
	return val;
}

static bool bit_write(const struct vgic_regs_view *v, u32 base, u32 first,
		      u32 val)
{
	bool changed = false;
	u32 n;

	for (n = 0; n < 32; n++) {
		struct vgic_irq *i = vgic_view_irq(v, first + n);
		bool b = (val >> n) & 1;

		if (!i)
			continue;
		switch (base) {
		case REG_IGROUPR:
			changed |= i->group != b;
			i->group = b;
			break;
		case REG_ISENABLER:
			if (b && !i->enabled) {
				i->enabled = 1;
				changed = true;
			}
			break;
		case REG_ICENABLER:
			if (b && i->enabled) {
				i->enabled = 0;
				changed = true;
			}
			break;
		case REG_ISPENDR:
			if (v->uaccess) {
				changed |= i->latch != b;
				i->latch = b;
			} else if (b && !i->latch) {
				i->latch = 1;
				changed = true;
			}
			break;
		case REG_ICPENDR:
			/* RAZ/WI from userspace (KVM device API) */
			if (!v->uaccess && b && i->latch) {
				i->latch = 0;
				changed = true;
			}
			break;
		case REG_ISACTIVER:
			if (b && !i->active) {
				i->active = 1;
				changed = true;
			}
			break;
		case REG_ICACTIVER:
			if (b && i->active) {
				i->active = 0;
				changed = true;
			}
			break;
		}
	}
	return changed;
}

bool vgic_bank_read(const struct vgic_regs_view *v, u32 reg, u32 len,
		    u64 *val)
{
	u32 n, first;

	*val = 0;
	if (reg >= REG_IPRIORITYR && reg < REG_IPRIORITYR + VGIC_MAX_IRQS) {
		/* Byte-accessible (IHI 0069, 12.9.20) */
		for (n = 0; n < len; n++) {
			struct vgic_irq *i = vgic_view_irq(v,
						reg - REG_IPRIORITYR + n);

			if (i)
				*val |= (u64)i->prio << (8 * n);
		}
		return false;
	}
	if (len != 4)
		return false;
	if (reg >= REG_ICFGR && reg < REG_IGRPMODR) {
		first = (reg - REG_ICFGR) * 4;
		for (n = 0; n < 16; n++) {
			struct vgic_irq *i = vgic_view_irq(v, first + n);

			if (i && i->level == 0)
				*val |= 2U << (2 * n);	/* Int_config[1]: edge */
		}
		return false;
	}
	if (reg >= REG_IGROUPR && reg < REG_IPRIORITYR) {
		u32 base = reg & ~0x7fU;

		first = (reg - base) * 8;
		*val = bit_read(v, base, first);
	}
	return false;
}

bool vgic_bank_write(const struct vgic_regs_view *v, u32 reg, u32 len,
		     u64 val)
{
	bool changed = false;
	u32 n, first;

	if (reg >= REG_IPRIORITYR && reg < REG_IPRIORITYR + VGIC_MAX_IRQS) {
		for (n = 0; n < len; n++) {
			struct vgic_irq *i = vgic_view_irq(v,
						reg - REG_IPRIORITYR + n);
			u8 p = val >> (8 * n);

			if (i && i->prio != p) {
				i->prio = p;
				changed = true;
			}
		}
		return changed;
	}
	if (len != 4)
		return false;
	if (reg >= REG_ICFGR && reg < REG_IGRPMODR) {
		first = (reg - REG_ICFGR) * 4;
		for (n = 0; n < 16; n++) {
			struct vgic_irq *i = vgic_view_irq(v, first + n);

			/* SGIs are always edge: read-only (IHI 0069, 12.11.7) */
			if (!i || first + n < VGIC_NR_SGIS)
				continue;
			i->level = !((val >> (2 * n)) & 2);
		}
		return true;
	}
	if (reg >= REG_IGROUPR && reg < REG_IPRIORITYR) {
		u32 base = reg & ~0x7fU;

		first = (reg - base) * 8;
		changed = bit_write(v, base, first, (u32)val);
	}
	return changed;
}

/* Is @a a better candidate than @b? */
static bool lr_better(const struct vgic_irq *a, u32 ia,
		      const struct vgic_irq *b, u32 ib)
{
	if (a->active != b->active)
		return a->active;
	if (a->prio != b->prio)
		return a->prio < b->prio;
	return ia < ib;
}

void vgic_pick_init(struct vgic_pick *p, u32 max, u32 grp_en)
{
	p->max = max < VGIC_PICK_MAX ? max : VGIC_PICK_MAX;
	p->grp_en = grp_en;
	p->n = 0;
	p->count = 0;
}

void vgic_pick_add(struct vgic_pick *p, struct vgic_irq *i, u32 intid)
{
	u32 j;

	if (!i->active && !(vgic_irq_pending(i) && i->enabled &&
			    (p->grp_en & (1U << i->group))))
		return;
	p->count++;
	/* insertion into the sorted prefix; the worst falls off the end */
	for (j = p->n; j > 0; j--) {
		if (!lr_better(i, intid, p->irq[j - 1], p->intid[j - 1]))
			break;
		if (j < p->max) {
			p->irq[j] = p->irq[j - 1];
			p->intid[j] = p->intid[j - 1];
		}
	}
	if (j >= p->max)
		return;
	p->irq[j] = i;
	p->intid[j] = intid;
	if (p->n < p->max)
		p->n++;
}

u64 vgic_lr_encode(const struct vgic_irq *i, u32 intid)
{
	u64 lr = intid;

	if (vgic_irq_pending(i) && i->enabled)
		lr |= ICH_LR_PENDING;
	if (i->active)
		lr |= ICH_LR_ACTIVE;
	if (i->group)
		lr |= ICH_LR_GROUP;
	/*
	 * A level interrupt asks for a maintenance interrupt when the guest
	 * deactivates it, so the line is looked at again at once (and
	 * resamplefds told).
	 */
	if (i->level)
		lr |= ICH_LR_EOI;
	lr |= (u64)i->prio << ICH_LR_PRIO_SHIFT;
	return lr;
}

bool vgic_lr_fold(struct vgic_irq *i, u64 lr_in, u64 lr_out)
{
	bool was_active = lr_in & ICH_LR_ACTIVE;

	/* The guest acknowledged it: activation clears the latch. */
	if ((lr_in & ICH_LR_PENDING) && !(lr_out & ICH_LR_PENDING))
		i->latch = 0;
	i->active = !!(lr_out & ICH_LR_ACTIVE);
	if (!i->level)
		return false;
	/*
	 * Deactivated: it was active and is not, or it was pending and went
	 * through acknowledge and deactivation in one run (the LR invalid).
	 */
	return was_active ? !(lr_out & ICH_LR_ACTIVE) :
	       (lr_in & ICH_LR_PENDING) &&
	       !(lr_out & (ICH_LR_PENDING | ICH_LR_ACTIVE));
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure state of a virtual GICv3 and its register semantics: one
 * struct vgic_irq per interrupt, the distributor and redistributor
 * register maps over them, and the choice of what goes to the list
 * registers. No locking, no allocation, no vCPU: irq/vgic.c holds the
 * lock and does the kicks; selftests/unit/vgic_test.c builds this on the
 * host.
 *
 * References: GIC architecture specification IHI 0069 (GICv3/v4),
 * chapters 12 (distributor and redistributor registers) and 4 (interrupt
 * states). Behaviour follows KVM 6.1's vGICv3 where the spec leaves a
 * choice (GICD_CTLR.DS = 1 and ARE = 1, one security state; IROUTER.IRM
 * and Aff3 not implemented; no LPIs).
 */
#ifndef HVK_IRQ_VGIC_REGS_H
#define HVK_IRQ_VGIC_REGS_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "kernel_shim.h"
#endif

#define VGIC_NR_SGIS		16
#define VGIC_NR_PRIVATE		32
#define VGIC_MIN_IRQS		64	/* 32 SPIs at least (KVM) */
#define VGIC_MAX_IRQS		1024
#define VGIC_DEFAULT_IRQS	256	/* NR_IRQS not set: KVM's legacy count */

#define VGIC_DIST_SIZE		0x10000ULL
#define VGIC_REDIST_SIZE	0x20000ULL	/* RD_base + SGI_base frames */
#define VGIC_SGI_BASE		0x10000U

/* GICD_IIDR / GICR_IIDR as KVM 6.1 shows them (ARM, product 'K'), rev 3 */
#define VGIC_IIDR_IMPL		0x43bU
#define VGIC_IIDR_PRODUCT	0x4bU
#define VGIC_IIDR_REV		3U
#define VGIC_PIDR2		0x3bU	/* ArchRev 3 */

/* GICD_CTLR bits (IHI 0069, 12.9.4, with DS = 1) */
#define GICD_CTLR_G1		(1U << 1)
#define GICD_CTLR_ARE		(1U << 4)
#define GICD_CTLR_DS		(1U << 6)

/* GICR_CTLR: CES (bit 1), IR (bit 2), as KVM's rev 3 reports */
#define GICR_CTLR_CES_IR	0x6U
#define GICR_TYPER_LAST		(1ULL << 4)

/**
 * struct vgic_irq - one interrupt's state (IHI 0069, 4.1.2)
 * @prio: IPRIORITYR byte
 * @enabled: ISENABLER
 * @group: IGROUPR (1: Group 1)
 * @level: ICFGR says level-sensitive (else edge)
 * @latch: the pending latch: an edge, ISPENDR or SGI sets it; activation
 *	   and ICPENDR clear it
 * @line: one bit per source holding a level line high (core/irq.h)
 * @active: active (or active and pending)
 * @route: IROUTER Aff2.Aff1.Aff0 (bits 23:0), SPIs only
 * @owner: a kernel source (a timer) owns this PPI: KVM_IRQ_LINE ignored
 * @target: SPIs: the index of the vCPU @route names, VGIC_NO_TARGET if none
 */
struct vgic_irq {
	u8 prio;
	u8 enabled:1, group:1, level:1, latch:1, active:1, owner:1;
	u8 line;
	u16 target;
	u32 route;
};

#define VGIC_NO_TARGET		0xffff

/* Is @i pending (IHI 0069, 4.1.2: latch, or a level input high)? */
static inline bool vgic_irq_pending(const struct vgic_irq *i)
{
	return i->latch || (i->level && i->line);
}

/*
 * What a register access works on: @priv is the redistributor's 32
 * private interrupts (NULL for the distributor), @spis the nr_irqs - 32
 * SPIs.
 */
struct vgic_regs_view {
	struct vgic_irq *priv;
	struct vgic_irq *spis;
	u32 nr_irqs;
	bool uaccess;		/* KVM_{GET,SET}_DEVICE_ATTR semantics */
};

/* Reset state of a private interrupt (SGI: enabled edge; PPI: level). */
void vgic_irq_reset_private(struct vgic_irq *i, u32 intid);
void vgic_irq_reset_spi(struct vgic_irq *i);

/* The interrupt @intid of @v, or NULL if it has none such. */
struct vgic_irq *vgic_view_irq(const struct vgic_regs_view *v, u32 intid);

/*
 * The interrupt-indexed register banks, shared by GICD (INTIDs 32 and
 * up, via @v->spis) and GICR's SGI frame (INTIDs 0-31, via @v->priv):
 * @reg is the offset from the start of IGROUPR (0x80) onward as in the
 * distributor map, @val/@len one access. Return: true if the access
 * changed something an LR choice depends on (pending, enable, priority,
 * group, route).
 */
bool vgic_bank_read(const struct vgic_regs_view *v, u32 reg, u32 len,
		    u64 *val);
bool vgic_bank_write(const struct vgic_regs_view *v, u32 reg, u32 len,
		     u64 val);

#define VGIC_PICK_MAX		16

/**
 * struct vgic_pick - the interrupts one vCPU should see, best first
 * @max: how many fit (the list registers), at most VGIC_PICK_MAX
 * @grp_en: bit 0: Group 0 enabled in the distributor, bit 1: Group 1
 * @n: how many are in @irq / @intid
 * @count: how many candidates were offered (may exceed @max)
 *
 * Active interrupts first (their state must stay in an LR for the guest
 * to deactivate them), then pending, enabled ones of an enabled group;
 * among each, higher priority (lower value) first, then lower INTID.
 */
struct vgic_pick {
	u32 max, grp_en, n, count;
	struct vgic_irq *irq[VGIC_PICK_MAX];
	u32 intid[VGIC_PICK_MAX];
};

void vgic_pick_init(struct vgic_pick *p, u32 max, u32 grp_en);
void vgic_pick_add(struct vgic_pick *p, struct vgic_irq *i, u32 intid);

/* ICH_LR<n>_EL2 (IHI 0069, 12.4.6) */
#define ICH_LR_STATE_SHIFT	62
#define ICH_LR_PENDING		(1ULL << 62)
#define ICH_LR_ACTIVE		(1ULL << 63)
#define ICH_LR_HW		(1ULL << 61)
#define ICH_LR_GROUP		(1ULL << 60)
#define ICH_LR_PRIO_SHIFT	48
#define ICH_LR_EOI		(1ULL << 41)

/* The LR for @i (INTID @intid). */
u64 vgic_lr_encode(const struct vgic_irq *i, u32 intid);

/*
 * vgic_lr_fold() - take back what the guest did to an LR
 * @i: the interrupt
 * @lr_in: the LR as written at entry
 * @lr_out: the LR as read at exit
 *
 * Return: true if a level interrupt was deactivated (the LR went from
 * pending or active to invalid): the caller tells resamplefds.
 */
bool vgic_lr_fold(struct vgic_irq *i, u64 lr_in, u64 lr_out);

#endif /* HVK_IRQ_VGIC_REGS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * The vGICv3's distributor and redistributor registers, for the guest
 * (MMIO through the in-kernel I/O bus, HVK_IO_ARCH) and for userspace
 * (KVM_DEV_ARM_VGIC_GRP_DIST_REGS / _REDIST_REGS, @uaccess).
 *
 * IHI 0069, 12.8 (distributor map) and 12.10 (redistributor map): what is
 * not listed here reads as zero and ignores writes (RAZ/WI), which is
 * what the architecture allows for reserved space and what KVM does.
 * Registers are 32-bit; IPRIORITYR is byte-accessible and IROUTER and
 * GICR_TYPER 64-bit too. Accesses of another size are RAZ/WI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vgic: " fmt

#include <linux/kvm.h>

#include "hvk.h"
#include "vgic.h"

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_IROUTER	0x6000
#define GICD_PIDR2	0xffe8

#define GICR_CTLR	0x0000
#define GICR_IIDR	0x0004
#define GICR_TYPER	0x0008
#define GICR_PIDR2	0xffe8

/* IRQ banks: IGROUPR (0x80) to ICFGR's end (0xcff), in both maps. */
#define BANK_START	0x0080
#define BANK_END	0x0d00

static u32 vgic_iidr(void)
{
	return (VGIC_IIDR_PRODUCT << 24) | (VGIC_IIDR_REV << 12) |
	       VGIC_IIDR_IMPL;
}

int hvk_vgic_dist_access(struct hvk_irqchip *vgic, u32 off, u32 len,
			 u64 *val, bool write, bool uaccess)
{
	struct vgic_regs_view v = {
		.spis = vgic->spis, .nr_irqs = vgic->nr_irqs,
		.uaccess = uaccess,
	};
	unsigned long flags;
	bool changed = false;
	u64 r = 0;

	raw_spin_lock_irqsave(&vgic->lock, flags);
	if (off >= BANK_START && off < BANK_END) {
		if (write)
			changed = vgic_bank_write(&v, off, len, *val);
		else
			vgic_bank_read(&v, off, len, &r);
	} else if (off >= GICD_IROUTER &&
		   off < GICD_IROUTER + 8 * VGIC_MAX_IRQS &&
		   (len == 8 || len == 4) && !(off & (len - 1))) {
		struct vgic_irq *i = vgic_view_irq(&v, (off - GICD_IROUTER) / 8);

		/*
		 * Aff2.Aff1.Aff0 kept; IRM and Aff3 RAZ/WI, as KVM. The
		 * SGIs' and PPIs' IROUTERs are reserved, RAZ/WI (no SPI
		 * in this view): KVM takes them so, and QEMU restores them.
		 */
		if (i && !(off & 4)) {
			if (write) {
				i->route = *val & 0xffffff;
				hvk_vgic_spi_retarget(vgic, i);
				changed = true;
			} else {
				r = i->route;
			}
		}
	} else if (len == 4) {
		switch (off) {
		case GICD_CTLR:
			if (write) {
				changed = (vgic->ctlr ^ *val) & GICD_CTLR_G1;
				vgic->ctlr = *val & GICD_CTLR_G1;
			} else {
				r = vgic->ctlr | GICD_CTLR_ARE | GICD_CTLR_DS;
			}
			break;
		case GICD_TYPER:
			/* ITLinesNumber, IDbits = 10 - 1 (no LPIs) */
			r = (vgic->nr_irqs / 32 - 1) | (9U << 19);
			break;
		case GICD_IIDR:
			r = vgic_iidr();
			break;
		case GICD_PIDR2:
			r = VGIC_PIDR2;
			break;
		}
	}
	if (changed)
		hvk_vgic_update_live(vgic);
	raw_spin_unlock_irqrestore(&vgic->lock, flags);
	if (!write)
		*val = r;
	if (changed)
		hvk_vgic_changed(vgic, NULL);
	return 0;
}

int hvk_vgic_redist_access(struct hvk_irqchip *vgic,
			   struct hvk_vcpu_irqchip *c, u32 off, u32 len,
			   u64 *val, bool write, bool uaccess)
{
	struct vgic_regs_view v = { .priv = c->priv, .uaccess = uaccess };
	unsigned long flags;
	bool changed = false;
	u64 r = 0;

	if (off >= VGIC_SGI_BASE) {
		off -= VGIC_SGI_BASE;
		if (off < BANK_START || off >= BANK_END)
			goto out;
		raw_spin_lock_irqsave(&vgic->lock, flags);
		if (write)
			changed = vgic_bank_write(&v, off, len, *val);
		else
			vgic_bank_read(&v, off, len, &r);
		raw_spin_unlock_irqrestore(&vgic->lock, flags);
		goto out;
	}
	if (off == GICR_TYPER || off == GICR_TYPER + 4) {
		/*
		 * Affinity, Processor_Number (the vCPU id, as KVM), Last
		 * (IHI 0069, 12.11.35)
		 */
		u64 typer = ((u64)c->aff << 32) |
			    ((u64)(c->vcpu->id & 0xffff) << 8) |
			    (c->rd_last ? GICR_TYPER_LAST : 0);

		if (len == 8 && off == GICR_TYPER)
			r = typer;
		else if (len == 4)
			r = (u32)(typer >> (8 * (off - GICR_TYPER)));
		goto out;
	}
	if (len != 4)
		goto out;
	switch (off) {
	case GICR_CTLR:
		r = GICR_CTLR_CES_IR;	/* no LPIs: EnableLPIs RAZ/WI */
		break;
	case GICR_IIDR:
		r = (VGIC_IIDR_PRODUCT << 24) | VGIC_IIDR_IMPL;
		break;
	case GICR_PIDR2:
		r = VGIC_PIDR2;
		break;
	}
	/* GICR_WAKER and the rest: RAZ/WI (always awake), as KVM */
out:
	if (!write)
		*val = r;
	if (changed)
		hvk_vgic_changed(vgic, c->vcpu);
	return 0;
}

/* The redistributor at @addr in region @index, or NULL. */
static struct hvk_vcpu_irqchip *vgic_rd_at(struct hvk_irqchip *vgic,
					   u64 frame)
{
	struct hvk_vcpu *vcpu;
	unsigned int i;

	hvk_vm_for_each_vcpu(i, vcpu, vgic->vm)
		if (vcpu->irqchip && vcpu->irqchip->rd_base == frame)
			return vcpu->irqchip;
	return NULL;
}

/**
 * hvk_vgic_io() - a guest access to the distributor or a redistributor
 * @vcpu: the vCPU that accesses
 * @io: the range's device (irq/vgic.h)
 * @addr: the guest-physical address
 * @len: 1 to 8
 * @val: the little-endian data
 * @write: a store
 *
 * Return: 0 (the access is the vGIC's, RAZ/WI where nothing is).
 */
int hvk_vgic_io(struct hvk_vcpu *vcpu, struct vgic_io *io, u64 addr,
		u32 len, void *val, bool write)
{
	struct hvk_irqchip *vgic = io->vgic;
	struct hvk_vcpu_irqchip *c;
	u64 v = 0, off;

	if (write)
		memcpy(&v, val, len);
	if (io->kind == VGIC_IO_DIST) {
		hvk_vgic_dist_access(vgic, addr - vgic->dist_base, len, &v,
				     write, false);
	} else {
		off = addr - vgic->rdreg[io->index].base;
		c = vgic_rd_at(vgic, vgic->rdreg[io->index].base +
			       (off & ~(VGIC_REDIST_SIZE - 1)));
		if (c)
			hvk_vgic_redist_access(vgic, c,
					       off & (VGIC_REDIST_SIZE - 1),
					       len, &v, write, false);
		else
			v = 0;
	}
	if (!write)
		memcpy(val, &v, len);
	return 0;
}

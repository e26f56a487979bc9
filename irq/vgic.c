// SPDX-License-Identifier: GPL-2.0
/*
 * The VM's virtual GICv3: creation and CTRL_INIT, interrupt injection
 * (KVM_IRQ_LINE, GSI routes, the timers), SGIs, and the list-register
 * flush before each entry and fold after each exit. See irq/vgic.h for
 * the layout and the locking.
 *
 * The list registers are rebuilt on every entry from the interrupt state
 * (the best VGIC_PICK_MAX candidates for the vCPU, irq/vgic-regs.c) and
 * folded back on every exit, so the state in struct vgic_irq is the one
 * truth between entries and nothing is queued per vCPU. Injection into a
 * vCPU that is in the guest kicks it (core/request.h); its flush runs with
 * interrupts off after it entered guest mode, so an injection either is
 * seen by the flush or kicks the guest out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vgic: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>

#include "hvk.h"
#include "irq.h"
#include "request.h"
#include "vgic.h"

u64 hvk_vgic_vtr;

u32 hvk_vgic_vcpu_aff(u32 id)
{
	/* As MPIDR_EL1 (arm64/psci.c): Aff0 id[3:0], Aff1 [11:4], Aff2 [19:12] */
	return (id & 0xf) | (((id >> 4) & 0xff) << 8) |
	       (((id >> 12) & 0xff) << 16);
}

struct hvk_vcpu *hvk_vgic_vcpu_by_aff(struct hvk_vm *vm, u32 aff)
{
	struct hvk_vcpu *vcpu;
	unsigned int i;

	hvk_vm_for_each_vcpu(i, vcpu, vm)
		if (hvk_vgic_vcpu_aff(vcpu->id) == aff)
			return vcpu;
	return NULL;
}

bool hvk_vgic_initialized(struct hvk_vm *vm)
{
	struct hvk_irqchip *vgic = READ_ONCE(vm->irqchip);

	return vgic && smp_load_acquire(&vgic->initialized);
}

/* KVM_CREATE_DEVICE: the caller holds vm->lock and checked the rest. */
int hvk_vgic_create(struct hvk_vm *vm)
{
	struct hvk_irqchip *vgic;

	if (vm->irqchip)
		return -EEXIST;
	vgic = kzalloc(sizeof(*vgic), GFP_KERNEL_ACCOUNT);
	if (!vgic)
		return -ENOMEM;
	vgic->vm = vm;
	mutex_init(&vgic->cfg);
	raw_spin_lock_init(&vgic->lock);
	vgic->dist_base = VGIC_ADDR_UNDEF;
	vgic->vtimer_ppi = 27;
	vgic->ptimer_ppi = 30;
	vgic->dist_io.vgic = vgic;
	vgic->dist_io.kind = VGIC_IO_DIST;
	WRITE_ONCE(vm->irqchip, vgic);
	return 0;
}

/*
 * The VM goes: no vCPU and no fd reaches the vGIC any more. The vCPUs'
 * parts went with them (hvk_vgic_vcpu_destroy()).
 */
void hvk_vgic_destroy(struct hvk_vm *vm)
{
	struct hvk_irqchip *vgic = vm->irqchip;

	if (!vgic)
		return;
	bitmap_free(vgic->spi_live);
	kfree(vgic->spis);
	mutex_destroy(&vgic->cfg);
	kfree(vgic);
	vm->irqchip = NULL;
}

void hvk_vgic_vcpu_destroy(struct hvk_vcpu *vcpu)
{
	kfree(vcpu->irqchip);
	vcpu->irqchip = NULL;
}

/* SPI @i's target from its route (IROUTER.Aff2.Aff1.Aff0); @lock held. */
void hvk_vgic_spi_retarget(struct hvk_irqchip *vgic, struct vgic_irq *i)
{
	struct hvk_vcpu *t = hvk_vgic_vcpu_by_aff(vgic->vm, i->route);

	i->target = t && t->irqchip ? t->irqchip->idx : VGIC_NO_TARGET;
}

/* Recompute @spi_live; @lock held. */
void hvk_vgic_update_live(struct hvk_irqchip *vgic)
{
	u32 n;

	for (n = 0; n < vgic->nr_irqs - VGIC_NR_PRIVATE; n++) {
		struct vgic_irq *i = &vgic->spis[n];

		if (vgic_irq_pending(i) || i->active)
			__set_bit(n, vgic->spi_live);
		else
			__clear_bit(n, vgic->spi_live);
	}
}

static void vgic_spi_live(struct hvk_irqchip *vgic, u32 intid)
{
	struct vgic_irq *i = &vgic->spis[intid - VGIC_NR_PRIVATE];

	if (vgic_irq_pending(i) || i->active)
		__set_bit(intid - VGIC_NR_PRIVATE, vgic->spi_live);
	else
		__clear_bit(intid - VGIC_NR_PRIVATE, vgic->spi_live);
}

/* Kick @only, or every vCPU: interrupt state they may see changed. */
void hvk_vgic_changed(struct hvk_irqchip *vgic, struct hvk_vcpu *only)
{
	struct hvk_vcpu *vcpu;
	unsigned int i;

	if (only) {
		hvk_vcpu_kick(only);
		return;
	}
	hvk_vm_for_each_vcpu(i, vcpu, vgic->vm)
		hvk_vcpu_kick(vcpu);
}

/**
 * hvk_vgic_inject() - drive an interrupt's input
 * @vm: the VM
 * @vcpu: for a private interrupt (PPI), whose
 * @intid: the INTID (16-31 for PPIs, 32 and up for SPIs)
 * @src: enum hvk_irq_source (level interrupts keep one line per source)
 * @level: edge: true triggers, false does nothing; level: the line
 * @kernel: a kernel device (a timer) drives it; KVM_IRQ_LINE may not
 *	    touch a PPI a kernel device owns (it is ignored, as in KVM)
 *
 * Any context.
 *
 * Return: 0, -EBUSY before CTRL_INIT (KVM's answer for a vGICv3), or
 * -EINVAL for an INTID the vGIC does not have.
 */
int hvk_vgic_inject(struct hvk_vm *vm, struct hvk_vcpu *vcpu, u32 intid,
		    int src, bool level, bool kernel)
{
	struct hvk_irqchip *vgic = READ_ONCE(vm->irqchip);
	struct hvk_vcpu *target = NULL;
	struct vgic_irq *i;
	unsigned long flags;
	bool was;

	if (!hvk_vgic_initialized(vm))
		return -EBUSY;
	if (intid < VGIC_NR_PRIVATE) {
		if (!vcpu || !vcpu->irqchip)
			return -EINVAL;
		i = &vcpu->irqchip->priv[intid];
		target = vcpu;
	} else if (intid < vgic->nr_irqs) {
		i = &vgic->spis[intid - VGIC_NR_PRIVATE];
	} else {
		return -EINVAL;
	}

	raw_spin_lock_irqsave(&vgic->lock, flags);
	if (kernel)
		i->owner = 1;
	else if (i->owner) {
		raw_spin_unlock_irqrestore(&vgic->lock, flags);
		return 0;
	}
	was = vgic_irq_pending(i);
	if (i->level) {
		if (level)
			i->line |= 1U << src;
		else
			i->line &= ~(1U << src);
	} else if (level) {
		i->latch = 1;
	}
	if (intid >= VGIC_NR_PRIVATE) {
		vgic_spi_live(vgic, intid);
		if (i->target != VGIC_NO_TARGET)
			target = READ_ONCE(vm->vcpus[i->target]);
	}
	raw_spin_unlock_irqrestore(&vgic->lock, flags);

	if (target && !was && vgic_irq_pending(i))
		hvk_vcpu_kick(target);
	return 0;
}

/* KVM_IRQ_LINE's arm64 encoding (KVM API, "KVM_IRQ_LINE"), with a vGIC. */
int hvk_vgic_irq_line(struct hvk_vm *vm, const struct kvm_irq_level *l)
{
	u32 type = (l->irq >> KVM_ARM_IRQ_TYPE_SHIFT) & KVM_ARM_IRQ_TYPE_MASK;
	u32 idx = (l->irq >> KVM_ARM_IRQ_VCPU_SHIFT) & KVM_ARM_IRQ_VCPU_MASK;
	u32 num = (l->irq >> KVM_ARM_IRQ_NUM_SHIFT) & KVM_ARM_IRQ_NUM_MASK;
	struct hvk_vcpu *vcpu;

	idx += ((l->irq >> KVM_ARM_IRQ_VCPU2_SHIFT) & KVM_ARM_IRQ_VCPU2_MASK) *
	       (KVM_ARM_IRQ_VCPU_MASK + 1);
	switch (type) {
	case KVM_ARM_IRQ_TYPE_CPU:
		return -ENXIO;	/* the vGIC owns the CPU's IRQ/FIQ lines */
	case KVM_ARM_IRQ_TYPE_PPI:
		if (idx >= hvk_vm_nr_vcpus(vm))
			return -EINVAL;
		vcpu = READ_ONCE(vm->vcpus[idx]);
		if (num < VGIC_NR_SGIS || num >= VGIC_NR_PRIVATE)
			return -EINVAL;
		return hvk_vgic_inject(vm, vcpu, num, HVK_IRQ_SRC_USER,
				       l->level, false);
	case KVM_ARM_IRQ_TYPE_SPI:
		if (num < VGIC_NR_PRIVATE)
			return -EINVAL;
		return hvk_vgic_inject(vm, NULL, num, HVK_IRQ_SRC_USER,
				       l->level, false);
	default:
		return -EINVAL;
	}
}

/*
 * The guest wrote ICC_SGI1R_EL1 (@group1) or ICC_SGI0R_EL1/ICC_ASGI1R_EL1
 * (IHI 0069, 12.2.22): INTID in bits 27:24, IRM (bit 40) all but self,
 * else Aff3.Aff2.Aff1 and a target list of Aff0 values RS*16 + n. Only a
 * Group 0 SGI is raised by the Group 0 form, as in KVM.
 */
void hvk_vgic_sgi(struct hvk_vcpu *vcpu, u64 val, bool group1)
{
	struct hvk_vm *vm = vcpu->vm;
	struct hvk_irqchip *vgic = vm->irqchip;
	u32 sgi = (val >> 24) & 0xf;
	bool all = val & BIT_ULL(40);
	u32 list = val & 0xffff;
	u32 rs = (val >> 44) & 0xf;
	u32 aff21 = (((val >> 32) & 0xff) << 16) | (((val >> 16) & 0xff) << 8);
	struct hvk_vcpu *t;
	unsigned long flags;
	unsigned int n;

	/* Aff3 (bits 55:48) is not implemented: no vCPU has one. */
	if (!all && ((val >> 48) & 0xff))
		return;
	hvk_vm_for_each_vcpu(n, t, vm) {
		struct hvk_vcpu_irqchip *c = t->irqchip;
		struct vgic_irq *i;
		u32 aff0;

		if (!c)
			continue;
		if (all) {
			if (t == vcpu)
				continue;
		} else {
			aff0 = c->aff & 0xff;
			if ((c->aff & ~0xffU) != aff21 || aff0 / 16 != rs ||
			    !(list & BIT(aff0 % 16)))
				continue;
		}
		i = &c->priv[sgi];
		raw_spin_lock_irqsave(&vgic->lock, flags);
		if (!i->group || group1)
			i->latch = 1;
		raw_spin_unlock_irqrestore(&vgic->lock, flags);
		if (t != vcpu)
			hvk_vcpu_kick(t);
	}
}

static u32 vgic_grp_en(struct hvk_irqchip *vgic)
{
	return (vgic->ctlr & GICD_CTLR_G1) ? 3 : 0;
}

/* The candidates for @c's list registers; @lock held. */
static void vgic_pick(struct hvk_irqchip *vgic, struct hvk_vcpu_irqchip *c,
		      struct vgic_pick *p)
{
	u32 nr_spis = vgic->nr_irqs - VGIC_NR_PRIVATE;
	unsigned long n;

	for (n = 0; n < VGIC_NR_PRIVATE; n++)
		vgic_pick_add(p, &c->priv[n], n);
	for_each_set_bit(n, vgic->spi_live, nr_spis) {
		struct vgic_irq *i = &vgic->spis[n];

		if (i->target == c->idx)
			vgic_pick_add(p, i, n + VGIC_NR_PRIVATE);
	}
}

/**
 * hvk_vgic_vcpu_pending() - would an interrupt wake this vCPU from WFI?
 * @vcpu: the vCPU
 *
 * A pending, enabled interrupt of an enabled group whose priority is
 * above the vCPU's priority mask (ICH_VMCR_EL2.VPMR), as KVM counts it.
 */
bool hvk_vgic_vcpu_pending(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu_irqchip *c = vcpu->irqchip;
	struct hvk_irqchip *vgic = vcpu->vm->irqchip;
	struct vgic_pick p;
	unsigned long flags;
	u32 pmr, k;
	bool r = false;

	if (!c)
		return false;
	pmr = (READ_ONCE(c->vmcr) >> 24) & 0xff;
	vgic_pick_init(&p, VGIC_PICK_MAX, vgic_grp_en(vgic));
	raw_spin_lock_irqsave(&vgic->lock, flags);
	vgic_pick(vgic, c, &p);
	for (k = 0; k < p.n; k++) {
		struct vgic_irq *i = p.irq[k];

		if (!i->active && vgic_irq_pending(i) && i->prio < pmr) {
			r = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&vgic->lock, flags);
	return r;
}

/**
 * hvk_vgic_flush() - choose the list registers for an entry
 * @vcpu: the vCPU, interrupts off, in guest mode (core/request.h)
 * @max_lr: list registers the CPU has
 * @underflow: set if more interrupts wait than fit (ICH_HCR_EL2.UIE)
 *
 * Fills vcpu->irqchip->lr_in[].
 *
 * Return: how many LRs are used.
 */
u32 hvk_vgic_flush(struct hvk_vcpu *vcpu, u32 max_lr, bool *underflow)
{
	struct hvk_vcpu_irqchip *c = vcpu->irqchip;
	struct hvk_irqchip *vgic = vcpu->vm->irqchip;
	struct vgic_pick p;
	u32 k;

	vgic_pick_init(&p, min_t(u32, max_lr, VGIC_MAX_LRS), vgic_grp_en(vgic));
	raw_spin_lock(&vgic->lock);
	vgic_pick(vgic, c, &p);
	for (k = 0; k < p.n; k++)
		c->lr_in[k] = vgic_lr_encode(p.irq[k], p.intid[k]);
	raw_spin_unlock(&vgic->lock);
	c->nr_lr = p.n;
	*underflow = p.count > p.n;
	return p.n;
}

/**
 * hvk_vgic_fold() - take back the list registers after an exit
 * @vcpu: the vCPU, on its own thread, after hvk_arm64_enter_once(); the
 *	  LRs as read at the exit are in vcpu->irqchip->lr_out
 *
 * Level SPIs the guest deactivated are reported to resamplefds
 * (hvk_irq_ack()).
 */
void hvk_vgic_fold(struct hvk_vcpu *vcpu)
{
	const u64 *lr_out = vcpu->irqchip->lr_out;
	struct hvk_vcpu_irqchip *c = vcpu->irqchip;
	struct hvk_irqchip *vgic = vcpu->vm->irqchip;
	u32 acked[VGIC_MAX_LRS], nr_acked = 0, k;
	unsigned long flags;

	if (!c->nr_lr)
		return;
	raw_spin_lock_irqsave(&vgic->lock, flags);
	for (k = 0; k < c->nr_lr; k++) {
		u32 intid = (u32)c->lr_in[k];
		struct vgic_irq *i;

		if (intid < VGIC_NR_PRIVATE) {
			vgic_lr_fold(&c->priv[intid], c->lr_in[k], lr_out[k]);
			continue;
		}
		i = &vgic->spis[intid - VGIC_NR_PRIVATE];
		if (vgic_lr_fold(i, c->lr_in[k], lr_out[k]))
			acked[nr_acked++] = intid - VGIC_NR_PRIVATE;
		vgic_spi_live(vgic, intid);
	}
	raw_spin_unlock_irqrestore(&vgic->lock, flags);
	c->nr_lr = 0;
	for (k = 0; k < nr_acked; k++)
		hvk_irq_ack(vcpu->vm, 0, acked[k]);
}


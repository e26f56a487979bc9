// SPDX-License-Identifier: GPL-2.0
/*
 * The vGICv3's two set-up steps: KVM_DEV_ARM_VGIC_CTRL_INIT (the number
 * of interrupts frozen, every vCPU's redistributor state, the default
 * GSI routes) and the first KVM_RUN's checks, after which the frames go
 * on the I/O bus (KVM's kvm_vgic_map_resources()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vgic: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>

#include "hvk.h"
#include "irq.h"
#include "vgic.h"

/* Default GSI routes: GSI n to SPI n (pin n), as KVM installs them. */
static int vgic_default_routes(struct hvk_irqchip *vgic)
{
	u32 n, nr = vgic->nr_irqs - VGIC_NR_PRIVATE;
	struct kvm_irq_routing_entry *e;
	int r;

	e = kvcalloc(nr, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	for (n = 0; n < nr; n++) {
		e[n].gsi = n;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = 0;
		e[n].u.irqchip.pin = n;
	}
	r = hvk_irq_routing_set(vgic->vm, e, nr);
	kvfree(e);
	return r;
}

/**
 * hvk_vgic_init_locked() - KVM_DEV_ARM_VGIC_CTRL_INIT
 * @vgic: the vGIC; vm->lock and @vgic->cfg held (no vCPU is being made)
 *
 * Freezes the number of interrupts (256 if NR_IRQS was not set, as KVM)
 * and gives every vCPU its redistributor state. Idempotent.
 *
 * Return: 0, or -ENOMEM.
 */
int hvk_vgic_init_locked(struct hvk_irqchip *vgic)
{
	struct hvk_vm *vm = vgic->vm;
	struct hvk_vcpu_irqchip *c;
	u32 nr_spis, n;
	unsigned int i;
	int r;

	if (vgic->initialized)
		return 0;
	if (!vgic->nr_irqs)
		vgic->nr_irqs = VGIC_DEFAULT_IRQS;
	nr_spis = vgic->nr_irqs - VGIC_NR_PRIVATE;
	vgic->spis = kcalloc(nr_spis, sizeof(*vgic->spis), GFP_KERNEL_ACCOUNT);
	vgic->spi_live = bitmap_zalloc(nr_spis, GFP_KERNEL_ACCOUNT);
	if (!vgic->spis || !vgic->spi_live)
		goto nomem;
	for (i = 0; i < vm->nr_vcpus; i++) {
		c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
		if (!c)
			goto nomem;
		c->vcpu = vm->vcpus[i];
		c->idx = i;
		c->aff = hvk_vgic_vcpu_aff(vm->vcpus[i]->id);
		c->rd_base = VGIC_ADDR_UNDEF;
		/* ICC_SRE_EL1: SRE, DFB, DIB (system registers only) */
		c->sre = 0x7;
		for (n = 0; n < VGIC_NR_PRIVATE; n++)
			vgic_irq_reset_private(&c->priv[n], n);
		vm->vcpus[i]->irqchip = c;
	}
	raw_spin_lock_irq(&vgic->lock);
	for (n = 0; n < nr_spis; n++) {
		vgic_irq_reset_spi(&vgic->spis[n]);
		hvk_vgic_spi_retarget(vgic, &vgic->spis[n]);
	}
	hvk_vgic_update_live(vgic);
	raw_spin_unlock_irq(&vgic->lock);
	r = vgic_default_routes(vgic);
	if (r)
		goto fail;
	/* Everything above before the flag (hvk_vgic_initialized()). */
	smp_store_release(&vgic->initialized, true);
	return 0;

nomem:
	r = -ENOMEM;
fail:
	for (i = 0; i < vm->nr_vcpus; i++) {
		kfree(vm->vcpus[i]->irqchip);
		vm->vcpus[i]->irqchip = NULL;
	}
	bitmap_free(vgic->spi_live);
	kfree(vgic->spis);
	vgic->spi_live = NULL;
	vgic->spis = NULL;
	return r;
}

/**
 * hvk_vgic_first_run() - KVM_RUN of a VM with a vGIC (KVM's
 * kvm_vgic_map_resources())
 * @vcpu: the vCPU about to run, its mutex held
 *
 * The first time: every vCPU has a redistributor in the regions (in
 * index order, then vCPU order), the distributor is placed, nothing
 * overlaps, CTRL_INIT was done; then the frames go on the I/O bus.
 *
 * Return: 0; -ENXIO if an address is missing, -EINVAL if frames overlap,
 * -EBUSY before CTRL_INIT (the order KVM checks them in).
 */
int hvk_vgic_first_run(struct hvk_vcpu *vcpu)
{
	struct hvk_vm *vm = vcpu->vm;
	struct hvk_irqchip *vgic = vm->irqchip;
	u32 nr = hvk_vm_nr_vcpus(vm), k, slot = 0, reg = 0;
	struct hvk_io_range range = { .kind = HVK_IO_ARCH };
	int r = 0;

	if (smp_load_acquire(&vgic->ready))
		return 0;
	mutex_lock(&vm->lock);
	mutex_lock(&vgic->cfg);
	if (vgic->ready)
		goto out;
	r = -ENXIO;
	if (vgic->dist_base == VGIC_ADDR_UNDEF || !vgic->nr_rdregs)
		goto out;
	/* room for every vCPU (the legacy region has room for all) */
	for (k = 0; k < vgic->nr_rdregs; k++)
		if (!vgic->rdreg[k].count)
			slot = nr;
		else
			slot += vgic->rdreg[k].count;
	if (slot < nr)
		goto out;
	r = -EINVAL;
	for (k = 0; k < vgic->nr_rdregs; k++) {
		u64 size = (u64)(vgic->rdreg[k].count ? vgic->rdreg[k].count :
				 nr) * VGIC_REDIST_SIZE;

		if (vgic->rdreg[k].base + size > BIT_ULL(vm->arch.ipa_bits) ||
		    (vgic->dist_base < vgic->rdreg[k].base + size &&
		     vgic->rdreg[k].base < vgic->dist_base + VGIC_DIST_SIZE))
			goto out;
	}
	r = -EBUSY;
	if (!vgic->initialized)
		goto out;

	/* Place the redistributors: regions in order, filled in turn. */
	slot = 0;
	for (k = 0; k < nr; k++) {
		struct hvk_vcpu_irqchip *c = vm->vcpus[k]->irqchip;
		struct vgic_rdreg *rd = &vgic->rdreg[reg];

		c->rd_base = rd->base + (u64)slot * VGIC_REDIST_SIZE;
		slot++;
		c->rd_last = k == nr - 1 || (rd->count && slot == rd->count);
		if (rd->count && slot == rd->count) {
			reg++;
			slot = 0;
		}
	}
	range.addr = vgic->dist_base;
	range.len = VGIC_DIST_SIZE;
	range.dev = &vgic->dist_io;
	r = hvk_io_bus_register(vm, HVK_MMIO_BUS, &range);
	for (k = 0; !r && k < vgic->nr_rdregs; k++) {
		vgic->rd_io[k].vgic = vgic;
		vgic->rd_io[k].kind = VGIC_IO_RDREG;
		vgic->rd_io[k].index = k;
		range.addr = vgic->rdreg[k].base;
		range.len = (u64)(vgic->rdreg[k].count ? vgic->rdreg[k].count :
				  nr) * VGIC_REDIST_SIZE;
		range.dev = &vgic->rd_io[k];
		r = hvk_io_bus_register(vm, HVK_MMIO_BUS, &range);
	}
	if (r) {
		hvk_io_bus_unregister(vm, HVK_MMIO_BUS, &vgic->dist_io,
				      HVK_IO_ARCH);
		while (k--)
			hvk_io_bus_unregister(vm, HVK_MMIO_BUS,
					      &vgic->rd_io[k], HVK_IO_ARCH);
		goto out;
	}
	smp_store_release(&vgic->ready, true);
out:
	mutex_unlock(&vgic->cfg);
	mutex_unlock(&vm->lock);
	return r;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The vGICv3 device fd (KVM_CREATE_DEVICE, KVM_DEV_TYPE_ARM_VGIC_V3):
 * KVM_{HAS,GET,SET}_DEVICE_ATTR for the groups of the KVM API document
 * "ARM Virtual Generic Interrupt Controller v3" with KVM 6.1's ordering
 * rules and errnos: addresses (DIST, REDIST, REDIST_REGION), NR_IRQS,
 * CTRL (INIT, SAVE_PENDING_TABLES), DIST_REGS, REDIST_REGS, CPU_SYSREGS
 * and LEVEL_INFO. The fd holds a reference on its VM; the vGIC itself
 * lives as long as the VM (hvk_vgic_destroy()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": vgic: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/uaccess.h>

#include "hvk.h"
#include "vgic.h"

/*
 * KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION's value (KVM API, arm-vgic-v3):
 * count 63:52, base 51:16, flags 15:12, index 11:0.
 */
#define VGIC_RDREG_INDEX_MASK	GENMASK_ULL(11, 0)
#define VGIC_RDREG_FLAGS_MASK	GENMASK_ULL(15, 12)
#define VGIC_RDREG_FLAGS_SHIFT	12
#define VGIC_RDREG_BASE_MASK	GENMASK_ULL(51, 16)
#define VGIC_RDREG_COUNT_MASK	GENMASK_ULL(63, 52)
#define VGIC_RDREG_COUNT_SHIFT	52

/* Trylock every vCPU's mutex (KVM's lock_all_vcpus): vm->lock held. */
static bool vgic_lock_vcpus(struct hvk_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		if (!mutex_trylock(&vm->vcpus[i]->mutex)) {
			while (i--)
				mutex_unlock(&vm->vcpus[i]->mutex);
			return false;
		}
	}
	return true;
}

static void vgic_unlock_vcpus(struct hvk_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		mutex_unlock(&vm->vcpus[i]->mutex);
}

static u64 vgic_ipa_size(struct hvk_vm *vm)
{
	return BIT_ULL(vm->arch.ipa_bits);
}

/* KVM's vgic_check_iorange(): set once, 64 KiB aligned, inside the IPA. */
static int vgic_check_range(struct hvk_irqchip *vgic, u64 cur, u64 addr,
			    u64 size)
{
	if (cur != VGIC_ADDR_UNDEF)
		return -EEXIST;
	if (!IS_ALIGNED(addr, SZ_64K) || !IS_ALIGNED(size, SZ_64K))
		return -EINVAL;
	if (addr + size < addr)
		return -EINVAL;
	if (addr + size > vgic_ipa_size(vgic->vm))
		return -E2BIG;
	return 0;
}

/* A region's size: the legacy one covers every vCPU there is. */
static u64 vgic_rdreg_size(struct hvk_irqchip *vgic,
			   const struct vgic_rdreg *rd)
{
	u32 n = rd->count ? rd->count : hvk_vm_nr_vcpus(vgic->vm);

	return (u64)n * VGIC_REDIST_SIZE;
}

static bool vgic_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static bool vgic_rd_overlap(struct hvk_irqchip *vgic, u64 base, u64 size)
{
	u32 k;

	for (k = 0; k < vgic->nr_rdregs; k++)
		if (vgic_overlap(base, size, vgic->rdreg[k].base,
				 vgic_rdreg_size(vgic, &vgic->rdreg[k])))
			return true;
	return false;
}

/* KVM's vgic_v3_alloc_redist_region(); @cfg held. */
static int vgic_add_rdreg(struct hvk_irqchip *vgic, u32 index, u64 base,
			  u32 count)
{
	u64 size = (u64)(count ? count : hvk_vm_nr_vcpus(vgic->vm)) *
		   VGIC_REDIST_SIZE;
	struct vgic_rdreg *last;
	int r;

	if (base + size < base)
		return -EINVAL;
	if (!vgic->nr_rdregs) {
		if (index)
			return -EINVAL;
	} else {
		last = &vgic->rdreg[vgic->nr_rdregs - 1];
		if (!count && last->count)
			return -EINVAL;	/* no mixing REDIST and REGION */
		if (!count)
			return -EEXIST;
		if (index != vgic->nr_rdregs)
			return -EINVAL;
	}
	if (vgic->nr_rdregs == VGIC_MAX_RDREGS)
		return -EINVAL;
	if (!count && vgic->dist_base != VGIC_ADDR_UNDEF &&
	    vgic_overlap(base, size, vgic->dist_base, VGIC_DIST_SIZE))
		return -EINVAL;
	if (vgic_rd_overlap(vgic, base, size))
		return -EINVAL;
	r = vgic_check_range(vgic, VGIC_ADDR_UNDEF, base, size);
	if (r)
		return r;
	/*
	 * KVM places the existing vCPUs' redistributors at once and checks
	 * them against the distributor then: a region that overlaps it is
	 * refused while vCPUs exist (later, KVM_RUN finds the overlap).
	 */
	if (hvk_vm_nr_vcpus(vgic->vm) && vgic->dist_base != VGIC_ADDR_UNDEF &&
	    vgic_overlap(base, size, vgic->dist_base, VGIC_DIST_SIZE))
		return -EINVAL;
	vgic->rdreg[vgic->nr_rdregs].base = base;
	vgic->rdreg[vgic->nr_rdregs].count = count;
	vgic->nr_rdregs++;
	return 0;
}

static int vgic_addr_attr(struct hvk_irqchip *vgic,
			  const struct kvm_device_attr *attr, bool write)
{
	u64 __user *uaddr = u64_to_user_ptr(attr->addr);
	u64 addr = 0;
	int r = 0;

	if (write || attr->attr == KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION)
		if (get_user(addr, uaddr))
			return -EFAULT;
	mutex_lock(&vgic->cfg);
	switch (attr->attr) {
	case KVM_VGIC_V3_ADDR_TYPE_DIST:
		if (write) {
			r = vgic_check_range(vgic, vgic->dist_base, addr,
					     VGIC_DIST_SIZE);
			if (!r)
				vgic->dist_base = addr;
		} else {
			addr = vgic->dist_base;
		}
		break;
	case KVM_VGIC_V3_ADDR_TYPE_REDIST:
		if (write)
			r = vgic_add_rdreg(vgic, 0, addr, 0);
		else
			addr = vgic->nr_rdregs ? vgic->rdreg[0].base :
						 VGIC_ADDR_UNDEF;
		break;
	case KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION: {
		u32 index = addr & VGIC_RDREG_INDEX_MASK;

		if (write) {
			u32 count = (addr & VGIC_RDREG_COUNT_MASK) >>
				    VGIC_RDREG_COUNT_SHIFT;
			u32 flags = (addr & VGIC_RDREG_FLAGS_MASK) >>
				    VGIC_RDREG_FLAGS_SHIFT;

			if (!count || flags)
				r = -EINVAL;
			else
				r = vgic_add_rdreg(vgic, index, addr &
						   VGIC_RDREG_BASE_MASK,
						   count);
			break;
		}
		/* The legacy region is index 0 too, with count 0. */
		if (index >= vgic->nr_rdregs) {
			r = -ENOENT;
			break;
		}
		addr = index | vgic->rdreg[index].base |
		       ((u64)vgic->rdreg[index].count <<
			VGIC_RDREG_COUNT_SHIFT);
		break;
	}
	default:
		r = -ENXIO;
		break;
	}
	mutex_unlock(&vgic->cfg);
	if (!r && !write)
		r = put_user(addr, uaddr);
	return r;
}

/* Is @off a distributor (@redist: redistributor) register KVM knows? */
static bool vgic_reg_known(u32 off, bool redist)
{
	if (redist) {
		if (off >= VGIC_SGI_BASE) {
			off -= VGIC_SGI_BASE;
			return (off >= 0x80 && off < 0x400 && !(off & 0x7c)) ||
			       (off >= 0x400 && off < 0x420) ||
			       off == 0xc00 || off == 0xc04 || off == 0xd00 ||
			       off == 0xe00;
		}
		return off < 0x18 || off == 0x70 || off == 0x74 ||
		       off == 0x78 || off == 0x7c || off == 0xa0 ||
		       off == 0xb0 || (off >= 0xffd0 && off < 0x10000);
	}
	return off < 0x14 || (off >= 0x40 && off < 0x60) ||
	       (off >= 0x80 && off < 0xf30) ||
	       (off >= 0x6000 && off < 0x8000) ||
	       (off >= 0xffd0 && off < 0x10000);
}

/* DIST_REGS, REDIST_REGS, CPU_SYSREGS, LEVEL_INFO */
int hvk_vgic_regs_attr(struct hvk_irqchip *vgic,
		       const struct kvm_device_attr *attr, bool write)
{
	struct hvk_vm *vm = vgic->vm;
	bool sys = attr->group == KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS;
	u32 off = attr->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK;
	struct hvk_vcpu *vcpu;
	u64 val = 0;
	u32 v32;
	int r;

	if (attr->group == KVM_DEV_ARM_VGIC_GRP_DIST_REGS) {
		vcpu = hvk_vm_nr_vcpus(vm) ? READ_ONCE(vm->vcpus[0]) : NULL;
	} else {
		u32 mpidr = attr->attr >> KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT;

		vcpu = (mpidr >> 24) ? NULL : hvk_vgic_vcpu_by_aff(vm, mpidr);
	}
	if (!vcpu)
		return -EINVAL;
	if (write) {
		if (sys ? get_user(val, (u64 __user *)u64_to_user_ptr(attr->addr)) :
			  get_user(v32, (u32 __user *)u64_to_user_ptr(attr->addr)))
			return -EFAULT;
		if (!sys)
			val = v32;
	}

	mutex_lock(&vm->lock);
	if (!vgic_lock_vcpus(vm)) {
		mutex_unlock(&vm->lock);
		return -EBUSY;
	}
	mutex_lock(&vgic->cfg);
	if (!vgic->initialized) {
		r = -EBUSY;
		goto out;
	}
	switch (attr->group) {
	case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
		r = -ENXIO;
		if (vgic_reg_known(off, false) && !(off & 3))
			r = hvk_vgic_dist_access(vgic, off, 4, &val, write,
						 true);
		break;
	case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
		r = -ENXIO;
		if (vgic_reg_known(off, true) && !(off & 3))
			r = hvk_vgic_redist_access(vgic, vcpu->irqchip, off, 4,
						   &val, write, true);
		break;
	case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
		r = hvk_vgic_sysreg(vcpu->irqchip, attr->attr & 0xffff, &val,
				write);
		break;
	default: {	/* LEVEL_INFO */
		u32 info = (attr->attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK) >>
			   KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT;
		u32 intid = attr->attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK;
		struct vgic_regs_view v = {
			.priv = vcpu->irqchip->priv, .spis = vgic->spis,
			.nr_irqs = vgic->nr_irqs,
		};
		unsigned long flags;
		u32 n;

		r = -EINVAL;
		if (info != VGIC_LEVEL_INFO_LINE_LEVEL || (intid & 31))
			break;
		r = 0;
		raw_spin_lock_irqsave(&vgic->lock, flags);
		for (n = 0; n < 32; n++) {
			struct vgic_irq *i = vgic_view_irq(&v, intid + n);

			/* SGIs and INTIDs beyond NR_IRQS: RAZ/WI */
			if (!i || intid + n < VGIC_NR_SGIS)
				continue;
			if (!write) {
				if (i->line)
					val |= BIT(n);
			} else if (val & BIT(n)) {
				i->line |= 1;	/* HVK_IRQ_SRC_USER */
			} else {
				i->line &= ~1;
			}
		}
		if (write)
			hvk_vgic_update_live(vgic);
		raw_spin_unlock_irqrestore(&vgic->lock, flags);
		break;
	}
	}
out:
	mutex_unlock(&vgic->cfg);
	vgic_unlock_vcpus(vm);
	mutex_unlock(&vm->lock);
	if (!r && !write) {
		if (sys)
			r = put_user(val, (u64 __user *)u64_to_user_ptr(attr->addr));
		else
			r = put_user((u32)val,
				     (u32 __user *)u64_to_user_ptr(attr->addr));
	}
	return r;
}

static int vgic_set_attr(struct hvk_irqchip *vgic,
			 const struct kvm_device_attr *attr)
{
	struct hvk_vm *vm = vgic->vm;
	int r;

	switch (attr->group) {
	case KVM_DEV_ARM_VGIC_GRP_ADDR:
		return vgic_addr_attr(vgic, attr, true);
	case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: {
		u32 val;

		if (get_user(val, (u32 __user *)u64_to_user_ptr(attr->addr)))
			return -EFAULT;
		/* 32 SPIs at least, 1024 INTIDs at most, multiples of 32 */
		if (val < VGIC_MIN_IRQS || val > VGIC_MAX_IRQS || (val & 31))
			return -EINVAL;
		mutex_lock(&vgic->cfg);
		r = 0;
		if (vgic->initialized || vgic->nr_irqs)
			r = -EBUSY;
		else
			vgic->nr_irqs = val;
		mutex_unlock(&vgic->cfg);
		return r;
	}
	case KVM_DEV_ARM_VGIC_GRP_CTRL:
		switch (attr->attr) {
		case KVM_DEV_ARM_VGIC_CTRL_INIT:
			mutex_lock(&vm->lock);
			mutex_lock(&vgic->cfg);
			r = hvk_vgic_init_locked(vgic);
			mutex_unlock(&vgic->cfg);
			mutex_unlock(&vm->lock);
			return r;
		case KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES:
			/* No ITS, no LPIs: nothing to write, once no vCPU runs */
			mutex_lock(&vm->lock);
			r = vgic_lock_vcpus(vm) ? 0 : -EBUSY;
			if (!r)
				vgic_unlock_vcpus(vm);
			mutex_unlock(&vm->lock);
			return r;
		}
		return -ENXIO;
	case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
	case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
	case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
	case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO:
		return hvk_vgic_regs_attr(vgic, attr, true);
	}
	return -ENXIO;
}

static int vgic_get_attr(struct hvk_irqchip *vgic,
			 const struct kvm_device_attr *attr)
{
	switch (attr->group) {
	case KVM_DEV_ARM_VGIC_GRP_ADDR:
		return vgic_addr_attr(vgic, attr, false);
	case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: {
		/* KVM reports nr_spis + 32: 32 until it is set */
		u32 nr = READ_ONCE(vgic->nr_irqs);

		return put_user(nr ? nr : VGIC_NR_PRIVATE,
				(u32 __user *)u64_to_user_ptr(attr->addr));
	}
	case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
	case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
	case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
	case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO:
		return hvk_vgic_regs_attr(vgic, attr, false);
	}
	return -ENXIO;
}

static int vgic_has_attr(struct hvk_irqchip *vgic,
			 const struct kvm_device_attr *attr)
{
	u32 off = attr->attr & KVM_DEV_ARM_VGIC_OFFSET_MASK;
	u64 scratch;

	switch (attr->group) {
	case KVM_DEV_ARM_VGIC_GRP_ADDR:
		switch (attr->attr) {
		case KVM_VGIC_V3_ADDR_TYPE_DIST:
		case KVM_VGIC_V3_ADDR_TYPE_REDIST:
		case KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION:
			return 0;
		}
		break;
	case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
		return vgic_reg_known(off, false) ? 0 : -ENXIO;
	case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
		return vgic_reg_known(off, true) ? 0 : -ENXIO;
	case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS: {
		struct hvk_vcpu_irqchip c = { .vmcr = 0 };

		return hvk_vgic_sysreg(&c, attr->attr & 0xffff, &scratch, false);
	}
	case KVM_DEV_ARM_VGIC_GRP_NR_IRQS:
		return 0;
	case KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO:
		if (((attr->attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK) >>
		     KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT) ==
		    VGIC_LEVEL_INFO_LINE_LEVEL)
			return 0;
		break;
	case KVM_DEV_ARM_VGIC_GRP_CTRL:
		switch (attr->attr) {
		case KVM_DEV_ARM_VGIC_CTRL_INIT:
		case KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES:
			return 0;
		}
		break;
	}
	return -ENXIO;
}

static long vgic_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	struct hvk_irqchip *vgic = filp->private_data;
	struct kvm_device_attr attr;

	if (hvk_vm_unusable(vgic->vm))
		return -EIO;
	switch (ioctl) {
	case KVM_SET_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_HAS_DEVICE_ATTR:
		break;
	default:
		return -ENOTTY;
	}
	if (copy_from_user(&attr, (void __user *)arg, sizeof(attr)))
		return -EFAULT;
	switch (ioctl) {
	case KVM_SET_DEVICE_ATTR:
		return vgic_set_attr(vgic, &attr);
	case KVM_GET_DEVICE_ATTR:
		return vgic_get_attr(vgic, &attr);
	default:
		return vgic_has_attr(vgic, &attr);
	}
}

static int vgic_dev_release(struct inode *inode, struct file *filp)
{
	struct hvk_irqchip *vgic = filp->private_data;

	hvk_vm_put(vgic->vm);
	return 0;
}

static const struct file_operations vgic_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vgic_dev_ioctl,
	.release	= vgic_dev_release,
	.llseek		= noop_llseek,
};

/**
 * hvk_vgic_device_fd() - the fd of a just-created vGIC
 * @vm: the VM, whose vm->irqchip the caller created
 *
 * Return: the fd, or a negative errno (the vGIC stays: KVM keeps it too
 * when only the fd could not be made).
 */
int hvk_vgic_device_fd(struct hvk_vm *vm)
{
	int fd;

	hvk_vm_get(vm);
	fd = anon_inode_getfd("kvm-arm-vgic-v3", &vgic_dev_fops, vm->irqchip,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hvk_vm_put(vm);
	return fd;
}

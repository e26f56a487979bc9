// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 vCPU setup before any guest runs: KVM_ARM_PREFERRED_TARGET,
 * KVM_ARM_VCPU_INIT, the core registers through KVM_GET_ONE_REG,
 * KVM_SET_ONE_REG and KVM_GET_REG_LIST, and KVM_GET/SET_MP_STATE.
 *
 * Every answer, errno included, is the one the in-tree KVM of Linux 6.1
 * gives for a vCPU with AArch64 EL1 and no optional feature (see the KVM
 * API documentation, Documentation/virt/kvm/api.rst, sections
 * "KVM_ARM_VCPU_INIT", "KVM_SET_ONE_REG" (ARM64 registers),
 * "KVM_GET_REG_LIST" and "KVM_SET_MP_STATE").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/ptrace.h>

#include "arm64.h"
#include "hvk.h"
#include "power.h"
#include "psci.h"
#include "sysreg_trap.h"
#include "irqchip.h"
#include "vcpu_regs.h"
#include "vtimer.h"

/*
 * KVM_ARM_VCPU_INIT feature bits the KVM ABI of Linux 6.1 knows
 * (KVM_VCPU_MAX_FEATURES there): POWER_OFF, EL1_32BIT, PSCI_0_2, PMU_V3,
 * SVE, PTRAUTH_ADDRESS, PTRAUTH_GENERIC. A set bit at or above this is
 * unknown (-ENOENT); a known bit hvk does not implement is refused as KVM
 * refuses a feature the host lacks (-EINVAL).
 */
#define HVK_ARM64_MAX_FEATURES	7
#define HVK_ARM64_FEATURES	(BIT(KVM_ARM_VCPU_POWER_OFF) | \
				 BIT(KVM_ARM_VCPU_PSCI_0_2))

/*
 * PSTATE at reset for an AArch64 EL1 vCPU: EL1 using SP_EL1 (EL1h), with
 * the Debug, SError, IRQ and FIQ exceptions masked (Arm ARM, "Behavior
 * caused by Warm reset": PSTATE.{D,A,I,F} are set on reset into AArch64).
 */
#define HVK_RESET_PSTATE_EL1	(PSR_MODE_EL1h | PSR_A_BIT | PSR_I_BIT | \
				 PSR_F_BIT | PSR_D_BIT)

/* struct kvm_regs seen as the array of 32-bit words the ids index. */
#define HVK_CORE_WORDS		(sizeof(struct kvm_regs) / sizeof(u32))

void hvk_arm64_preferred_target(struct kvm_vcpu_init *init)
{
	memset(init, 0, sizeof(*init));
	init->target = HVK_ARM64_TARGET;
}

void hvk_arm64_vcpu_create(struct hvk_vcpu *vcpu)
{
	/* Uninitialised until KVM_ARM_VCPU_INIT; KVM's mp_state starts at 0. */
	vcpu->arch.initialized = false;
	spin_lock_init(&vcpu->arch.power_lock);
	hvk_arm64_power_init(vcpu, false);
	hvk_arm64_vtimer_vcpu_init(vcpu);
	vcpu->arch.mpidr = hvk_arm64_vcpu_mpidr(vcpu->id);
}

/**
 * regs_core_size() - size of the core register at a word offset
 * @off: offset into struct kvm_regs in 32-bit words, below HVK_CORE_WORDS
 *
 * The core registers have their natural sizes (KVM API, "ARM64 core/FP-SIMD
 * registers"): X0-X30, SP, PC, PSTATE, SP_EL1, ELR_EL1 and the five SPSRs
 * are 64-bit, V0-V31 128-bit, FPSR and FPCR 32-bit. An offset must point at
 * the start of one of them, aligned to its size; anything else (padding,
 * the reserved words, the middle of a register) is no register.
 *
 * Return: the size in bytes, or 0 when @off names no register.
 */
static unsigned int regs_core_size(u64 off)
{
	unsigned int size;

	switch (off) {
	case KVM_REG_ARM_CORE_REG(regs.regs[0]) ...
	     KVM_REG_ARM_CORE_REG(regs.regs[30]):
	case KVM_REG_ARM_CORE_REG(regs.sp):
	case KVM_REG_ARM_CORE_REG(regs.pc):
	case KVM_REG_ARM_CORE_REG(regs.pstate):
	case KVM_REG_ARM_CORE_REG(sp_el1):
	case KVM_REG_ARM_CORE_REG(elr_el1):
	case KVM_REG_ARM_CORE_REG(spsr[0]) ...
	     KVM_REG_ARM_CORE_REG(spsr[KVM_NR_SPSR - 1]):
		size = sizeof(u64);
		break;
	case KVM_REG_ARM_CORE_REG(fp_regs.vregs[0]) ...
	     KVM_REG_ARM_CORE_REG(fp_regs.vregs[31]):
		size = sizeof(__uint128_t);
		break;
	case KVM_REG_ARM_CORE_REG(fp_regs.fpsr):
	case KVM_REG_ARM_CORE_REG(fp_regs.fpcr):
		size = sizeof(u32);
		break;
	default:
		return 0;
	}
	if (!IS_ALIGNED(off, size / sizeof(u32)))
		return 0;
	return size;
}

static u64 regs_core_size_bits(unsigned int size)
{
	switch (size) {
	case sizeof(u32):
		return KVM_REG_SIZE_U32;
	case sizeof(u64):
		return KVM_REG_SIZE_U64;
	default:
		return KVM_REG_SIZE_U128;
	}
}

/*
 * Reset the core registers as for a vCPU leaving reset into AArch64 EL1:
 * every general-purpose, FP/SIMD and banked register zero, PC 0, PSTATE
 * EL1h with DAIF masked.
 */
static void regs_core_reset(struct hvk_vcpu *vcpu)
{
	memset(&vcpu->arch.regs, 0, sizeof(vcpu->arch.regs));
	vcpu->arch.regs.regs.pstate = HVK_RESET_PSTATE_EL1;
}

/**
 * regs_vcpu_init() - KVM_ARM_VCPU_INIT
 * @vcpu: the vCPU
 * @init: the target and features userspace asked for
 *
 * The target must be the preferred one. Feature bits are checked in
 * order, as KVM does: a known bit that differs from an earlier successful
 * INIT is -EINVAL, a set bit KVM does not know is -ENOENT; then a known
 * feature hvk does not implement is -EINVAL. A repeated INIT with the same
 * target and features resets the vCPU again (KVM API, "KVM_ARM_VCPU_INIT":
 * it may be called again to reset the vCPU).
 *
 * Return: 0, -EINVAL or -ENOENT; on failure the vCPU is left as it was.
 */
static int regs_vcpu_init(struct hvk_vcpu *vcpu, const struct kvm_vcpu_init *init)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	unsigned int i;
	bool set;

	if (init->target != HVK_ARM64_TARGET)
		return -EINVAL;
	if (a->initialized && init->target != a->target)
		return -EINVAL;

	for (i = 0; i < sizeof(init->features) * BITS_PER_BYTE; i++) {
		set = init->features[i / 32] & BIT(i % 32);
		if (set && i >= HVK_ARM64_MAX_FEATURES)
			return -ENOENT;
		if (a->initialized && i < HVK_ARM64_MAX_FEATURES &&
		    !!(a->features & BIT(i)) != set)
			return -EINVAL;
	}
	if (init->features[0] & ~HVK_ARM64_FEATURES)
		return -EINVAL;

	a->target = init->target;
	a->features = init->features[0];
	a->initialized = true;
	regs_core_reset(vcpu);
	hvk_arm64_vcpu_reset_sysregs(vcpu);
	a->mmio.active = false;
	/* KVM API, "KVM_ARM_VCPU_INIT": POWER_OFF starts the vCPU stopped. */
	hvk_arm64_power_init(vcpu, a->features & BIT(KVM_ARM_VCPU_POWER_OFF));
	return 0;
}

/**
 * regs_core_ptr() - where a core register id's value lives
 * @vcpu: the vCPU
 * @id: a KVM_REG_ARM64 | KVM_REG_ARM_CORE id
 * @size: set to the register's size
 *
 * Mirrors KVM's checks and their order: an offset (or offset plus size)
 * past struct kvm_regs is -ENOENT; an offset that names no register, or a
 * size that is not the register's, is -EINVAL.
 *
 * Return: a pointer into vcpu->arch.regs, or an ERR_PTR().
 */
static void *regs_core_ptr(struct hvk_vcpu *vcpu, u64 id,
			      unsigned int *size)
{
	u64 off = id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK |
			 KVM_REG_ARM_CORE);
	u64 words = KVM_REG_SIZE(id) / sizeof(u32);

	if (off >= HVK_CORE_WORDS || off + words >= HVK_CORE_WORDS)
		return ERR_PTR(-ENOENT);
	*size = regs_core_size(off);
	if (!*size || KVM_REG_SIZE(id) != *size)
		return ERR_PTR(-EINVAL);
	return (u32 *)&vcpu->arch.regs + off;
}

/*
 * PSTATE.M as userspace may set it: an AArch64 mode at EL0 or EL1 (Arm
 * ARM, "Process state, PSTATE": M[4] = 0 for AArch64). hvk vCPUs have no
 * AArch32 at any EL, so an AArch32 mode (M[4] = 1) is refused as KVM
 * refuses it for a vCPU without 32-bit support; EL2 and EL3 modes too.
 */
static bool regs_pstate_mode_ok(u64 pstate)
{
	switch (pstate & PSR_AA32_MODE_MASK) {
	case PSR_MODE_EL0t:
	case PSR_MODE_EL1t:
	case PSR_MODE_EL1h:
		return true;
	default:
		return false;
	}
}

/* A KVM_REG_ARM64_SYSREG id: 64-bit values, in arm64/sysreg.c. */
static int regs_sysreg_one_reg(struct hvk_vcpu *vcpu,
			      const struct kvm_one_reg *reg, bool set)
{
	u64 __user *uaddr = u64_to_user_ptr(reg->addr);
	u64 val = 0;
	int r;

	if (set && get_user(val, uaddr))
		return -EFAULT;
	r = hvk_arm64_sysreg_one_reg(vcpu, reg->id, &val, set);
	if (r || set)
		return r;
	return put_user(val, uaddr) ? -EFAULT : 0;
}

/**
 * regs_one_reg() - KVM_GET_ONE_REG and KVM_SET_ONE_REG
 * @vcpu: the vCPU, initialised
 * @reg: the id and user address, already copied in
 * @set: KVM_SET_ONE_REG
 *
 * The upper 32 bits of the id, size aside, must be KVM_REG_ARM64's
 * (-EINVAL); KVM_REG_ARM_CORE and KVM_REG_ARM64_SYSREG ids exist here,
 * any other group is -ENOENT, as KVM says for a register it does not
 * have.
 *
 * Return: 0, -EINVAL, -ENOENT or -EFAULT.
 */
static int regs_one_reg(struct hvk_vcpu *vcpu, const struct kvm_one_reg *reg,
		       bool set)
{
	void __user *uaddr = u64_to_user_ptr(reg->addr);
	u8 val[sizeof(__uint128_t)] __aligned(16);
	unsigned int size;
	void *p;

	if ((reg->id & ~KVM_REG_SIZE_MASK) >> 32 != KVM_REG_ARM64 >> 32)
		return -EINVAL;
	if ((reg->id & KVM_REG_ARM_COPROC_MASK) == KVM_REG_ARM64_SYSREG)
		return regs_sysreg_one_reg(vcpu, reg, set);
	if ((reg->id & KVM_REG_ARM_COPROC_MASK) != KVM_REG_ARM_CORE)
		return -ENOENT;
	p = regs_core_ptr(vcpu, reg->id, &size);
	if (IS_ERR(p))
		return PTR_ERR(p);

	if (!set)
		return copy_to_user(uaddr, p, size) ? -EFAULT : 0;

	if (copy_from_user(val, uaddr, size))
		return -EFAULT;
	if (p == &vcpu->arch.regs.regs.pstate &&
	    !regs_pstate_mode_ok(*(u64 *)val))
		return -EINVAL;
	memcpy(p, val, size);
	return 0;
}

/**
 * regs_get_reg_list() - KVM_GET_REG_LIST
 * @vcpu: the vCPU, initialised
 * @ulist: userspace's struct kvm_reg_list
 *
 * Writes the count into ulist->n first; when userspace's n was smaller
 * that is all (-E2BIG), else the ids follow: the core registers in
 * offset order, then the system registers in id order, as KVM lists
 * them.
 *
 * Return: 0, -E2BIG, -EFAULT or -ENOMEM.
 */
static int regs_get_reg_list(struct hvk_vcpu *vcpu,
			    struct kvm_reg_list __user *ulist)
{
	struct kvm_reg_list list;
	u64 __user *uid = ulist->reg;
	unsigned int size, nsys, count = 0;
	u64 off, *sys;
	u32 n;
	int r;

	for (off = 0; off < HVK_CORE_WORDS; off++)
		count += !!regs_core_size(off);
	nsys = hvk_arm64_sysreg_list(NULL);
	count += nsys;

	if (copy_from_user(&list, ulist, sizeof(list)))
		return -EFAULT;
	n = list.n;
	list.n = count;
	if (copy_to_user(ulist, &list, sizeof(list)))
		return -EFAULT;
	if (n < count)
		return -E2BIG;

	for (off = 0; off < HVK_CORE_WORDS; off++) {
		size = regs_core_size(off);
		if (!size)
			continue;
		if (put_user(KVM_REG_ARM64 | KVM_REG_ARM_CORE |
			     regs_core_size_bits(size) | off, uid++))
			return -EFAULT;
	}

	sys = kmalloc_array(nsys, sizeof(*sys), GFP_KERNEL);
	if (!sys)
		return -ENOMEM;
	hvk_arm64_sysreg_list(sys);
	r = copy_to_user(uid, sys, nsys * sizeof(*sys)) ? -EFAULT : 0;
	kfree(sys);
	return r;
}

/*
 * KVM_SET_MP_STATE: a vCPU is runnable or stopped (powered off, as PSCI
 * CPU_OFF would leave it). KVM also takes SUSPENDED, which hvk does not
 * offer yet. Other vCPUs change the state through PSCI, hence the lock.
 */
static int regs_set_mp_state(struct hvk_vcpu *vcpu, const struct kvm_mp_state *mp)
{
	switch (mp->mp_state) {
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_STOPPED:
		hvk_arm64_power_set(vcpu, mp->mp_state);
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * hvk_arm64_vcpu_ioctl() - the arm64 vCPU ioctls
 * @vcpu: the vCPU, whose mutex the caller holds
 * @ioctl: the ioctl number
 * @arg: its argument
 *
 * Register access before KVM_ARM_VCPU_INIT is -ENOEXEC, as in KVM; the MP
 * state may be read and written at any time.
 *
 * Return: the result, or -EINVAL for an ioctl arm64 KVM does not know.
 */
long hvk_arm64_vcpu_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_ARM_VCPU_INIT: {
		struct kvm_vcpu_init init;

		if (copy_from_user(&init, argp, sizeof(init)))
			return -EFAULT;
		return regs_vcpu_init(vcpu, &init);
	}
	case KVM_GET_ONE_REG:
	case KVM_SET_ONE_REG: {
		struct kvm_one_reg reg;

		if (!vcpu->arch.initialized)
			return -ENOEXEC;
		if (copy_from_user(&reg, argp, sizeof(reg)))
			return -EFAULT;
		return regs_one_reg(vcpu, &reg, ioctl == KVM_SET_ONE_REG);
	}
	case KVM_GET_REG_LIST:
		if (!vcpu->arch.initialized)
			return -ENOEXEC;
		return regs_get_reg_list(vcpu, argp);
	case KVM_GET_MP_STATE: {
		struct kvm_mp_state mp = {
			.mp_state = READ_ONCE(vcpu->arch.mp_state),
		};

		return copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
	}
	case KVM_SET_MP_STATE: {
		struct kvm_mp_state mp;

		if (copy_from_user(&mp, argp, sizeof(mp)))
			return -EFAULT;
		return regs_set_mp_state(vcpu, &mp);
	}
	case KVM_SET_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_HAS_DEVICE_ATTR:
		return hvk_arm64_vcpu_attr(vcpu, ioctl, argp);
	default:
		return -EINVAL;
	}
}

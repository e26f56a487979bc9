// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's power state: KVM_MP_STATE_RUNNABLE or _STOPPED, changed by
 * KVM_ARM_VCPU_INIT (POWER_OFF), KVM_SET_MP_STATE, and PSCI (CPU_ON and
 * CPU_OFF, SYSTEM_OFF/RESET stopping every vCPU), and the CPU_ON reset.
 *
 * Other vCPUs' threads change it, under vcpu->arch.power_lock, post
 * HVK_ARM64_REQ_POWER (CPU_ON before the state it changes, see
 * hvk_arm64_power_check()) and kick (core/request.h); the vCPU's own
 * thread applies the change in hvk_arm64_power_wait() before its next
 * entry: a stopped vCPU sleeps there until CPU_ON or a signal, as with
 * KVM (KVM API, "KVM_ARM_VCPU_INIT", "KVM_SET_MP_STATE").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kvm.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <asm/ptrace.h>

#include "arm64.h"
#include "hvk.h"
#include "power.h"
#include "request.h"
#include "sysreg_trap.h"

/* At vCPU creation (@off false) and KVM_ARM_VCPU_INIT; the vCPU's thread. */
void hvk_arm64_power_init(struct hvk_vcpu *vcpu, bool off)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;

	spin_lock(&a->power_lock);
	a->reset_pending = false;
	WRITE_ONCE(a->mp_state, off ? KVM_MP_STATE_STOPPED :
		   KVM_MP_STATE_RUNNABLE);
	spin_unlock(&a->power_lock);
}

bool hvk_arm64_power_is_off(struct hvk_vcpu *vcpu)
{
	return READ_ONCE(vcpu->arch.mp_state) == KVM_MP_STATE_STOPPED;
}

/* KVM_SET_MP_STATE, from the vCPU's own thread: nothing to kick. */
void hvk_arm64_power_set(struct hvk_vcpu *vcpu, u32 mp_state)
{
	spin_lock(&vcpu->arch.power_lock);
	WRITE_ONCE(vcpu->arch.mp_state, mp_state);
	spin_unlock(&vcpu->arch.power_lock);
}

/* Stop @vcpu (CPU_OFF on itself, SYSTEM_OFF/RESET on all). */
void hvk_arm64_power_off(struct hvk_vcpu *vcpu)
{
	spin_lock(&vcpu->arch.power_lock);
	WRITE_ONCE(vcpu->arch.mp_state, KVM_MP_STATE_STOPPED);
	spin_unlock(&vcpu->arch.power_lock);
	/* The state is written (and unlocked) before the request bit. */
	hvk_vcpu_request(vcpu, HVK_ARM64_REQ_POWER);
	hvk_vcpu_kick(vcpu);
}

/**
 * hvk_arm64_power_on() - PSCI CPU_ON of a stopped vCPU
 * @vcpu: the target
 * @pc: its entry point
 * @x0: its context id
 * @be: the caller runs big-endian at EL1 (SCTLR_EL1.EE)
 *
 * Return: false if @vcpu was not stopped (nothing changed).
 */
bool hvk_arm64_power_on(struct hvk_vcpu *vcpu, u64 pc, u64 x0, bool be)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	bool on = false;

	spin_lock(&a->power_lock);
	if (a->mp_state == KVM_MP_STATE_STOPPED) {
		a->reset_pc = pc;
		a->reset_x0 = x0;
		a->reset_be = be;
		a->reset_pending = true;
		/*
		 * The request before the state: a run loop that reads
		 * RUNNABLE in hvk_arm64_power_check() without the lock also
		 * sees the request, so it never enters before applying the
		 * reset. Pairs with the smp_rmb() there.
		 */
		hvk_vcpu_request(vcpu, HVK_ARM64_REQ_POWER);
		smp_mb__after_atomic();
		WRITE_ONCE(a->mp_state, KVM_MP_STATE_RUNNABLE);
		on = true;
	}
	spin_unlock(&a->power_lock);
	if (on)
		hvk_vcpu_kick(vcpu);
	return on;
}

/*
 * Apply a PSCI CPU_ON reset posted by another vCPU. The reset state is
 * KVM_ARM_VCPU_INIT's, with PC, x0 and SCTLR_EL1.EE from the call.
 */
static void power_apply_reset(struct hvk_vcpu *vcpu, u64 pc, u64 x0, bool be)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;

	memset(&a->regs, 0, sizeof(a->regs));
	a->regs.regs.pstate = PSR_MODE_EL1h | PSR_A_BIT | PSR_I_BIT |
			      PSR_F_BIT | PSR_D_BIT;
	hvk_arm64_vcpu_reset_sysregs(vcpu);
	a->regs.regs.pc = pc;
	a->regs.regs.regs[0] = x0;
	if (be)
		a->sys[HVK_SCTLR_EL1] |= HVK_SCTLR_EE;
	a->mmio.active = false;
}

static bool power_runnable(struct hvk_vcpu *vcpu)
{
	return READ_ONCE(vcpu->arch.mp_state) == KVM_MP_STATE_RUNNABLE;
}

/**
 * hvk_arm64_power_wait() - apply the power state before an entry
 * @vcpu: the vCPU, on its own thread
 *
 * Applies a pending CPU_ON reset and, while the vCPU is stopped
 * (KVM_ARM_VCPU_POWER_OFF, PSCI CPU_OFF, SYSTEM_OFF/RESET), sleeps until
 * CPU_ON or a signal, as KVM does.
 *
 * Return: 0 when runnable, -EINTR when a signal is pending.
 */
int hvk_arm64_power_wait(struct hvk_vcpu *vcpu)
{
	struct hvk_arch_vcpu *a = &vcpu->arch;
	bool reset, runnable;
	u64 pc, x0;
	bool be;

	for (;;) {
		/* What it announces is read under the lock just below. */
		hvk_vcpu_check_request(vcpu, HVK_ARM64_REQ_POWER);
		spin_lock(&a->power_lock);
		reset = a->reset_pending;
		pc = a->reset_pc;
		x0 = a->reset_x0;
		be = a->reset_be;
		a->reset_pending = false;
		runnable = a->mp_state == KVM_MP_STATE_RUNNABLE;
		spin_unlock(&a->power_lock);

		if (reset)
			power_apply_reset(vcpu, pc, x0, be);
		if (runnable)
			return 0;
		if (hvk_vcpu_block(vcpu, power_runnable(vcpu)))
			return -EINTR;
	}
}

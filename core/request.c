// SPDX-License-Identifier: GPL-2.0
/*
 * Kicking and waking a vCPU (the protocol is described in request.h).
 */
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "request.h"

/**
 * hvk_vcpu_wake() - end a hvk_vcpu_block() whose condition may now hold
 * @vcpu: the vCPU
 *
 * Any context, hard interrupts included (an hrtimer callback).
 */
void hvk_vcpu_wake(struct hvk_vcpu *vcpu)
{
	/*
	 * wq_has_sleeper() has the full barrier that pairs with the one in
	 * the sleeper's set_current_state() (prepare_to_wait_event()): the
	 * caller's write of the condition is ordered before our look at
	 * the queue, the sleeper's queueing before its test of the
	 * condition, so either it sees the condition or we see it queued.
	 */
	if (wq_has_sleeper(&vcpu->wq))
		wake_up_interruptible(&vcpu->wq);
}

/**
 * hvk_vcpu_kick() - make a vCPU look at its requests now
 * @vcpu: the vCPU
 *
 * Any context, hard interrupts included. Wakes the vCPU if it blocks; if
 * it is in the guest on another CPU, sends that CPU an IPI (the
 * scheduler's reschedule IPI, through kick_process(), as signal delivery
 * does), which makes the guest exit: both backends take host interrupts
 * as exits (HCR_EL2.IMO; the VMX pin-based external-interrupt exiting).
 */
void hvk_vcpu_kick(struct hvk_vcpu *vcpu)
{
	struct task_struct *task;

	hvk_vcpu_wake(vcpu);

	/*
	 * Request bit before mode: pairs with the smp_mb() in
	 * hvk_vcpu_enter_guest_mode() (request.h).
	 */
	smp_mb__after_atomic();
	if (READ_ONCE(vcpu->mode) != HVK_IN_GUEST_MODE)
		return;

	rcu_read_lock();
	/*
	 * Only the kicker that moves the vCPU from IN_GUEST to EXITING
	 * sends the IPI; the others find it on its way. cmpxchg() is fully
	 * ordered: run_task, published before IN_GUEST_MODE (smp_wmb() in
	 * hvk_vcpu_run_begin()), is the task in the guest now or a later
	 * one. Either was
	 * running after this RCU read section began, so its task_struct,
	 * freed only after a grace period (delayed_put_task_struct()),
	 * stays valid until rcu_read_unlock().
	 */
	if (cmpxchg(&vcpu->mode, HVK_IN_GUEST_MODE, HVK_EXITING_GUEST_MODE) ==
	    HVK_IN_GUEST_MODE) {
		task = READ_ONCE(vcpu->run_task);
		/* Sends nothing if @task is current or not running. */
		if (task)
			kick_process(task);
	}
	rcu_read_unlock();
}

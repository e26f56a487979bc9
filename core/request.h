/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU requests, kicks and blocking, shared by both backends.
 *
 * Another thread (a vCPU doing PSCI CPU_ON, an hrtimer, a device model)
 * tells a vCPU to look at something with a request bit and a kick:
 *
 *	hvk_vcpu_request(vcpu, BIT);	  (after writing what BIT is about)
 *	hvk_vcpu_kick(vcpu);
 *
 * The kick wakes the vCPU if it is blocked (hvk_vcpu_block()) and, if it
 * is in the guest on another CPU, interrupts that CPU so that the guest
 * exits. The arch run loop checks requests before every entry, with
 * interrupts off, inside hvk_vcpu_enter_guest_mode(), and consumes them
 * with hvk_vcpu_check_request().
 *
 * No request is lost, by one pairing of full barriers (the "store
 * buffering" pattern, LKMM tools/memory-model/Documentation/recipes.txt):
 *
 *	kicker				vCPU thread (interrupts off)
 *	set_bit(BIT, requests)		mode = IN_GUEST_MODE
 *	smp_mb__after_atomic()		smp_mb()
 *	read mode			read requests
 *
 * At least one side sees the other's store: either the vCPU sees the
 * request and does not enter, or the kicker sees IN_GUEST_MODE and sends
 * the IPI, which is pending by the time the guest runs (interrupts are
 * masked until the world switch, and taken as an exit right after it).
 */
#ifndef HVK_CORE_REQUEST_H
#define HVK_CORE_REQUEST_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "hvk.h"

/*
 * Request bits (vcpu->requests). core/ owns bits below
 * HVK_REQ_ARCH_FIRST; a backend numbers its own from there.
 */
#define HVK_REQ_ARCH_FIRST	8

/* vcpu->mode */
enum hvk_vcpu_mode {
	HVK_OUTSIDE_GUEST_MODE,
	HVK_IN_GUEST_MODE,	/* between the request check and the exit */
	HVK_EXITING_GUEST_MODE,	/* kicked: the IPI is on its way */
};

/**
 * hvk_vcpu_request() - post a request for a vCPU
 * @vcpu: the vCPU
 * @bit: the request, below BITS_PER_LONG
 *
 * Any context. What the request is about must be written before this
 * call: the barrier before the bit pairs with the one after the
 * test-and-clear in hvk_vcpu_check_request(), so the vCPU that sees
 * the bit also sees that data. Follow with hvk_vcpu_kick() unless the
 * caller is the vCPU's own thread.
 */
static inline void hvk_vcpu_request(struct hvk_vcpu *vcpu, unsigned int bit)
{
	/* Order the request's data before the bit (set_bit is unordered). */
	smp_mb__before_atomic();
	set_bit(bit, &vcpu->requests);
}

/**
 * hvk_vcpu_check_request() - consume a request
 * @vcpu: the vCPU, from its own thread
 * @bit: the request
 *
 * Return: whether @bit was pending (it is clear now).
 */
static inline bool hvk_vcpu_check_request(struct hvk_vcpu *vcpu,
					  unsigned int bit)
{
	/* The common case, no request, costs one load. */
	if (!test_bit(bit, &vcpu->requests))
		return false;
	clear_bit(bit, &vcpu->requests);
	/*
	 * Pairs with smp_mb__before_atomic() in hvk_vcpu_request(): what
	 * the requester wrote before the bit is visible to our later loads.
	 */
	smp_mb__after_atomic();
	return true;
}

/* Is any request pending? (The vCPU's thread, or a block's condition.) */
static inline bool hvk_vcpu_has_requests(struct hvk_vcpu *vcpu)
{
	return READ_ONCE(vcpu->requests) != 0;
}

/**
 * hvk_vcpu_run_begin() - a KVM_RUN starts on this thread
 * @vcpu: the vCPU, its mutex held
 *
 * Called by core before hvk_arch_vcpu_run(): records the thread a kick
 * must interrupt.
 */
static inline void hvk_vcpu_run_begin(struct hvk_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->run_task, current);
	/*
	 * The task before any later IN_GUEST_MODE store of this KVM_RUN:
	 * a kicker that sees that mode through its fully ordered cmpxchg
	 * reads this task (or a later KVM_RUN's), never an older one.
	 */
	smp_wmb();
}

/**
 * hvk_vcpu_enter_guest_mode() - the arch run loop is about to enter
 * @vcpu: the vCPU, on its own thread, preemption and interrupts off
 *
 * Publishes "in guest mode" and then checks for requests. If one is
 * pending the caller must not enter; it still calls
 * hvk_vcpu_exit_guest_mode() (this returns with the mode set either way).
 *
 * Return: true if the caller may enter the guest.
 */
static inline bool hvk_vcpu_enter_guest_mode(struct hvk_vcpu *vcpu)
{
	/*
	 * Mode before requests: the full barrier of smp_store_mb() pairs
	 * with smp_mb__after_atomic() in hvk_vcpu_kick() (the
	 * store-buffering pattern described above). vcpu->run_task was
	 * published once for this KVM_RUN (hvk_vcpu_run_begin()).
	 */
	smp_store_mb(vcpu->mode, HVK_IN_GUEST_MODE);
	return !hvk_vcpu_has_requests(vcpu);
}

/**
 * hvk_vcpu_exit_guest_mode() - the guest exited (or was not entered)
 * @vcpu: the vCPU, on its own thread, interrupts still off
 */
static inline void hvk_vcpu_exit_guest_mode(struct hvk_vcpu *vcpu)
{
	/*
	 * No barrier: a kicker that still reads IN_GUEST_MODE sends an IPI
	 * the host takes as an ordinary interrupt once interrupts are back
	 * on, and one that reads OUTSIDE has set its request bit, which the
	 * next hvk_vcpu_enter_guest_mode() sees after its full barrier. No
	 * kicker waits for the vCPU to be outside (there is no synchronous
	 * request), so nothing needs ordering against this store.
	 */
	WRITE_ONCE(vcpu->mode, HVK_OUTSIDE_GUEST_MODE);
}

/**
 * hvk_vcpu_block() - sleep until @cond or a signal
 * @vcpu: the vCPU, on its own thread, in process context
 * @cond: the condition, evaluated as wait_event_interruptible() does
 *
 * A waker changes what @cond reads and then calls hvk_vcpu_wake() (or
 * hvk_vcpu_kick(), which wakes too). Callers usually include
 * hvk_vcpu_has_requests(vcpu) in @cond so that any request ends the
 * block.
 *
 * Return: 0 once @cond holds, -EINTR if a signal is pending.
 */
#define hvk_vcpu_block(vcpu, cond)					\
({									\
	int __hvk_r = wait_event_interruptible((vcpu)->wq, (cond));	\
	__hvk_r ? -EINTR : 0;						\
})

void hvk_vcpu_wake(struct hvk_vcpu *vcpu);
void hvk_vcpu_kick(struct hvk_vcpu *vcpu);

#endif /* HVK_CORE_REQUEST_H */

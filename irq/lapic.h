/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC (irq/lapic*.c) as the x86 backend sees it: one per vCPU
 * (vcpu->irqchip) once KVM_CREATE_IRQCHIP made the in-kernel irqchip.
 * Message delivery between LAPICs and from the IOAPIC and MSIs is in
 * irq/x86.h.
 *
 * The backend pulls what the LAPIC has for its vCPU around each entry,
 * with interrupts off: the interrupt to inject (lapic_ack_irq()), NMIs,
 * INIT and SIPI. Whoever makes one of these pending posts
 * HVK_X86_REQ_EVENT and kicks the vCPU (core/request.h).
 */
#ifndef HVK_IRQ_LAPIC_H
#define HVK_IRQ_LAPIC_H

#include <linux/kvm.h>
#include <linux/types.h>

#include "request.h"

struct hvk_vcpu;

/* Something for the run loop to look at: an interrupt, NMI, INIT, SIPI. */
#define HVK_X86_REQ_EVENT	(HVK_REQ_ARCH_FIRST + 0)

/* Life: with the vCPU when the VM has an irqchip (vcpu->irqchip). */
int lapic_create(struct hvk_vcpu *vcpu, bool bsp);
void lapic_destroy(struct hvk_vcpu *vcpu);
void lapic_init_reset(struct hvk_vcpu *vcpu);

/*
 * Around each entry, interrupts off allowed. lapic_pending_irq(): >= 0
 * if the LAPIC (or the PIC through LINT0) has an interrupt to deliver
 * now; lapic_ack_irq() takes it (IRR to ISR, or the PIC's INTA) and
 * returns its vector, or -1.
 */
int lapic_pending_irq(struct hvk_vcpu *vcpu);
int lapic_ack_irq(struct hvk_vcpu *vcpu);
unsigned int lapic_take_nmis(struct hvk_vcpu *vcpu);
bool lapic_take_init(struct hvk_vcpu *vcpu);
int lapic_take_sipi(struct hvk_vcpu *vcpu);	/* vector, or -1 */
bool lapic_has_events(struct hvk_vcpu *vcpu, bool if_set);
void lapic_set_sipi_vector(struct hvk_vcpu *vcpu, u8 vector);
void lapic_queue_sipi(struct hvk_vcpu *vcpu);
int lapic_extint_pending(struct hvk_vcpu *vcpu);
int lapic_extint_ack(struct hvk_vcpu *vcpu);

/* Guest accesses: xAPIC page (0 or -EOPNOTSUPP), x2APIC MSRs (1: #GP). */
int lapic_mmio_read(struct hvk_vcpu *vcpu, u64 addr, u32 len, void *val);
int lapic_mmio_write(struct hvk_vcpu *vcpu, u64 addr, u32 len,
		     const void *val);
int lapic_msr_read(struct hvk_vcpu *vcpu, u32 msr, u64 *data);
int lapic_msr_write(struct hvk_vcpu *vcpu, u32 msr, u64 data);
u64 lapic_get_base(struct hvk_vcpu *vcpu);
int lapic_set_base(struct hvk_vcpu *vcpu, u64 val, bool x2apic_ok);
u64 lapic_get_cr8(struct hvk_vcpu *vcpu);
void lapic_set_cr8(struct hvk_vcpu *vcpu, u64 cr8);
bool lapic_tsc_deadline_mode(struct hvk_vcpu *vcpu);
void lapic_set_tsc_deadline_cpuid(struct hvk_vcpu *vcpu, bool on);
u64 lapic_get_tsc_deadline(struct hvk_vcpu *vcpu);
void lapic_set_tsc_deadline(struct hvk_vcpu *vcpu, u64 deadline,
			    s64 ns_left);

/* KVM_GET/SET_LAPIC */
void lapic_get_state(struct hvk_vcpu *vcpu, struct kvm_lapic_state *s);
int lapic_set_state(struct hvk_vcpu *vcpu, const struct kvm_lapic_state *s);

#endif /* HVK_IRQ_LAPIC_H */

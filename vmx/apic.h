/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx/apic.c: the local APIC as VMX reaches it, and vmx/irqchip.c: the
 * VM's in-kernel irqchip.
 */
#ifndef HVK_VMX_APIC_H
#define HVK_VMX_APIC_H

#include <linux/types.h>

struct hvk_vcpu;
struct hvk_vm;

/* apic.c */
void vmx_apic_cpuid_changed(struct hvk_vcpu *vcpu);
u64 vmx_get_cr8(struct hvk_vcpu *vcpu);
void vmx_set_cr8(struct hvk_vcpu *vcpu, u64 cr8);
int vmx_apic_get_msr(struct hvk_vcpu *vcpu, u32 index, u64 *data);
int vmx_apic_set_msr(struct hvk_vcpu *vcpu, u32 index, u64 data, bool host);
int vmx_apic_hlt(struct hvk_vcpu *vcpu);
int vmx_apic_run_events(struct hvk_vcpu *vcpu);
int vmx_apic_run_uninit(struct hvk_vcpu *vcpu);
long vmx_apic_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
		    void __user *argp);

/* irqchip.c */
int vmx_irqchip_vcpu_create(struct hvk_vcpu *vcpu);
void vmx_irqchip_vcpu_destroy(struct hvk_vcpu *vcpu);
void vmx_irqchip_vm_destroy(struct hvk_vm *vm);
long vmx_irqchip_vm_ioctl(struct hvk_vm *vm, unsigned int ioctl,
			  unsigned long arg);

#endif /* HVK_VMX_APIC_H */

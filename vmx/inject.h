/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event injection (inject.c): what the run loop and the exit handlers
 * call around each entry.
 */
#ifndef HVK_VMX_INJECT_H
#define HVK_VMX_INJECT_H

#include <linux/types.h>

struct hvk_vcpu;

bool vmx_has_vnmi(void);
void vmx_inject_events(struct hvk_vcpu *vcpu);
void vmx_events_after_exit(struct hvk_vcpu *vcpu);
void vmx_recover_nmi_blocking(struct hvk_vcpu *vcpu, u32 exit_intr_info);
bool vmx_ready_for_interrupt(struct hvk_vcpu *vcpu);
bool vmx_irq_window_open_exit(struct hvk_vcpu *vcpu);
int vmx_handle_irq_window(struct hvk_vcpu *vcpu);
int vmx_handle_nmi_window(struct hvk_vcpu *vcpu);
long vmx_events_ioctl(struct hvk_vcpu *vcpu, unsigned int ioctl,
		      void __user *argp);

#endif /* HVK_VMX_INJECT_H */

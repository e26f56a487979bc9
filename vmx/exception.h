/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intercepted guest exceptions (#AC, #DB) and the notify VM exit:
 * exception.c.
 */
#ifndef HVK_VMX_EXCEPTION_H
#define HVK_VMX_EXCEPTION_H

#include <linux/types.h>

struct hvk_vcpu;

bool vmx_has_notify(void);
void vmx_exception_setup(u32 *proc2);
int vmx_handle_exception(struct hvk_vcpu *vcpu, u32 intr);
int vmx_handle_notify(struct hvk_vcpu *vcpu);
int vmx_delivery_error(struct hvk_vcpu *vcpu);

#endif /* HVK_VMX_EXCEPTION_H */

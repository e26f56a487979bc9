/* SPDX-License-Identifier: GPL-2.0 */
/* The host's perf MSRs switched around the guest: perf.c. */
#ifndef HVK_VMX_PERF_H
#define HVK_VMX_PERF_H

struct hvk_vcpu;

int vmx_perf_alloc(struct hvk_vcpu *vcpu);
void vmx_perf_free(struct hvk_vcpu *vcpu);
void vmx_perf_setup(struct hvk_vcpu *vcpu);
void vmx_perf_switch(struct hvk_vcpu *vcpu);

#endif /* HVK_VMX_PERF_H */

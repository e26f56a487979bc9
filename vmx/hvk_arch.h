/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 (VMX) part of struct hvk_vm and struct hvk_vcpu.
 *
 * core/hvk.h embeds these by value and finds this file through
 * -I$(src)/vmx, so it is included by every core file: keep it to type
 * definitions with few includes.
 *
 * Both are empty until guests run; what lands here next:
 *   VM:   the EPT root and EPTP, the TSS/identity-map addresses
 *         (KVM_SET_TSS_ADDR, KVM_SET_IDENTITY_MAP_ADDR).
 *   vCPU: the VMCS and the CPU it is loaded on, the VPID, guest GPRs not
 *         kept in the VMCS, the MSR bitmap, pending events.
 */
#ifndef HVK_VMX_HVK_ARCH_H
#define HVK_VMX_HVK_ARCH_H

struct hvk_arch_vm {
};

struct hvk_arch_vcpu {
};

#endif /* HVK_VMX_HVK_ARCH_H */

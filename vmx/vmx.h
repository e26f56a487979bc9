/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX operation on the host CPUs, as the rest of vmx/ sees it.
 *
 * vmx.c owns VMXON/VMXOFF on every CPU (load, unload, CPU hotplug,
 * reboot, suspend); emergency.c turns VMX off when the kernel goes down
 * without the orderly paths (crash, emergency restart).
 */
#ifndef HVK_VMX_VMX_H
#define HVK_VMX_VMX_H

/* vmx.c */
#include <linux/types.h>
bool vmx_cpu_is_on(void);
bool vmx_going_away(void);
void vmx_cpu_emergency_disable(void);

/* emergency.c */
int vmx_emergency_init(void);
void vmx_emergency_exit(void);

#endif /* HVK_VMX_VMX_H */

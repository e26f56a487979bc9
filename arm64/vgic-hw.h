/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GICv3 virtual CPU interface's EL2 registers around the world switch
 * (arm64/vgic-hw.c): list registers, ICH_HCR_EL2, ICH_VMCR_EL2 and the
 * active-priority registers of a vCPU with a vGIC.
 */
#ifndef HVK_ARM64_VGIC_HW_H
#define HVK_ARM64_VGIC_HW_H

#include <linux/types.h>

struct hvk_vcpu;

void hvk_arm64_vgic_hw_init(void);
void hvk_arm64_vgic_hw_exit(void);
void hvk_arm64_vgic_load(struct hvk_vcpu *vcpu);
void hvk_arm64_vgic_save(struct hvk_vcpu *vcpu);
bool hvk_arm64_vgic_usable(void);

#endif /* HVK_ARM64_VGIC_HW_H */

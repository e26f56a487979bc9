/* SPDX-License-Identifier: GPL-2.0 */
/* The interrupt controller's VM and vCPU ioctls on arm64: arm64/irqchip.c */
#ifndef HVK_ARM64_IRQCHIP_H
#define HVK_ARM64_IRQCHIP_H

#include <linux/types.h>

struct hvk_vm;
struct hvk_vcpu;

long hvk_arm64_create_device(struct hvk_vm *vm, void __user *argp);
long hvk_arm64_irq_line(struct hvk_vm *vm, unsigned int ioctl,
			void __user *argp);
int hvk_arm64_vgic_first_run(struct hvk_vcpu *vcpu);
long hvk_arm64_vcpu_attr(struct hvk_vcpu *vcpu, unsigned int ioctl,
			 void __user *argp);

#endif /* HVK_ARM64_IRQCHIP_H */

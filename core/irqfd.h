/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM_IRQFD, inside core/: core/irq.c dispatches to core/irqfd.c.
 * Everything else uses core/irq.h.
 */
#ifndef HVK_CORE_IRQFD_H
#define HVK_CORE_IRQFD_H

struct hvk_vm;

int hvk_irqfd_ioctl(struct hvk_vm *vm, void __user *argp);
void hvk_irqfd_destroy_all(struct hvk_vm *vm);
int hvk_irqfd_init(void);
void hvk_irqfd_exit(void);

#endif /* HVK_CORE_IRQFD_H */

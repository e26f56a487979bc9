/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvk-run --kernel: booting a Linux kernel. What the arch-neutral part
 * (linux.c: files, VM, RAM, one thread per vCPU, how the run ends) and
 * the per-arch boot code (linux_arm64.c, linux_x86.c) share.
 */
#ifndef HVK_RUN_LINUX_H
#define HVK_RUN_LINUX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "hvk-run.h"

#define LINUX_MAX_CPUS		8
#define LINUX_DEFAULT_MEM	(256 * MIB)

struct lvcpu {
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
};

struct lvm {
	const char *dev;
	int sys_fd, vm_fd;
	long run_size;
	uint8_t *ram;
	uint64_t ram_base, ram_size;
	unsigned int ncpus;
	struct lvcpu vcpu[LINUX_MAX_CPUS];
	bool verbose;

	/* The files, read whole before any device is opened. */
	const char *kernel_path, *initrd_path;
	uint8_t *kernel;
	size_t kernel_size;
	uint8_t *initrd;
	size_t initrd_size;
	const char *cmdline;

	/* Held around every device access (the UART) from a vCPU thread. */
	pthread_mutex_t dev_lock;
};

/* Per-arch, in linux_arm64.c or linux_x86.c. */
extern const uint64_t larch_ram_base;
extern const uint64_t larch_min_mem;
extern const char larch_default_cmdline[];
/* Check the kernel image and plan where things go: 0 or -1 (usage). */
int larch_check(struct lvm *vm);
/* After KVM_CREATE_VM and RAM, before the vCPUs: the irqchip. */
int larch_setup_vm(struct lvm *vm);
/* After KVM_CREATE_VCPU of vCPU i. */
int larch_setup_vcpu(struct lvm *vm, struct lvcpu *c);
/* After all vCPUs: load the kernel, tables, boot registers. */
int larch_boot(struct lvm *vm);
/* One exit of vCPU c: RUN_AGAIN or hvk-run's exit status. */
int larch_exit(struct lvm *vm, struct lvcpu *c);
/* Bytes typed on stdin, for the guest's UART. */
void larch_input(struct lvm *vm, const uint8_t *buf, size_t len);
/* How many more input bytes the UART can take now. */
size_t larch_input_room(struct lvm *vm);

/* From linux.c. */
int linux_main(const struct options *o, const char *dev);
/* Exit statuses for exits every arch treats alike (and a register dump). */
int linux_common_exit(struct lvm *vm, struct lvcpu *c);
void *lgpa(struct lvm *vm, uint64_t gpa, uint64_t len);
/* Copy len bytes to guest physical gpa; -1 if not all in RAM. */
int lcopy(struct lvm *vm, uint64_t gpa, const void *src, size_t len);
/* A setup ioctl failed: one line naming it and the errno, EXIT_HOST. */
int lfail(const char *what);

static inline uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline uint64_t align_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

#endif /* HVK_RUN_LINUX_H */

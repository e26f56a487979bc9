/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvk-run: what the arch-neutral launcher (hvk-run.c) and the per-arch
 * machine models (x86.c, arm64.c) share. One of the two is linked in,
 * chosen by the compiler's target.
 */
#ifndef HVK_RUN_H
#define HVK_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

/* hvk-run's own exit statuses (a guest's exit port gives any 0-255). */
#define EXIT_GUEST_FAILED	1	/* crash, bad exit, KVM_RUN error */
#define EXIT_USAGE		2	/* bad arguments, unusable image */
#define EXIT_HOST		3	/* no device, a setup ioctl failed */
#define EXIT_RESET		4	/* the guest asked for a reset */
#define EXIT_TIMEOUT		124	/* --timeout expired, as timeout(1) */

/* Returned by arch_handle_exit() when the guest is to run again. */
#define RUN_AGAIN		(-1)

#define MIB			(1024ULL * 1024)

struct options {
	uint64_t mem_size;		/* bytes */
	uint64_t load;			/* guest physical load address */
	uint64_t entry;			/* guest address of the first insn */
	uint64_t x0;			/* arm64: x0 at entry */
	bool load_set, entry_set, x0_set;
	const char *mode;		/* x86: real, prot or long */
	unsigned int timeout_ms;	/* 0: none */
	const char *timeout_arg;	/* as given, for messages */
	bool verbose;
	const char *image;
	/* --kernel mode (linux.c): boot a Linux kernel. */
	const char *kernel, *initrd, *cmdline;
	unsigned int cpus;		/* 0: not given */
	bool mem_set;
};

struct machine {
	const char *dev;		/* $HVK_DEV or /dev/hvk */
	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	long run_size;
	uint8_t *ram;			/* host mapping of guest RAM */
	uint64_t ram_base, ram_size;	/* guest physical */
	bool verbose;
	int mode;			/* arch private: x86 CPU mode */
};

/* Per-arch constants and hooks, defined in x86.c or arm64.c. */
extern const char arch_name[];
extern const char arch_usage[];
extern const uint64_t arch_ram_base;
extern const uint64_t arch_max_mem;

/* Check the arch-specific options and fill in defaults; EXIT_USAGE or 0. */
int arch_options(struct options *o, struct machine *m);
/* After KVM_CREATE_VM and guest RAM, before KVM_CREATE_VCPU. */
int arch_setup_vm(struct machine *m);
/* After the image is loaded: registers and tables. EXIT_HOST or 0. */
int arch_setup_vcpu(struct machine *m, const struct options *o);
/* One KVM_RUN exit: RUN_AGAIN or hvk-run's exit status. */
int arch_handle_exit(struct machine *m);
/* Print the vCPU's registers to stderr for a diagnosis. */
void arch_dump_regs(struct machine *m);

/* From hvk-run.c. */
void die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void trace(struct machine *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void guest_putc(uint8_t c);
void flush_output(void);
const char *exit_reason_name(uint32_t reason);
/* Exit statuses for the exits every arch treats alike. */
int common_exit(struct machine *m);
/* Host pointer to guest RAM [gpa, gpa + len), NULL if not all in RAM. */
void *gpa_to_host(struct machine *m, uint64_t gpa, uint64_t len);

#endif /* HVK_RUN_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * exitcost: the guest-side client of tools/bench. Runs, against the device
 * in $HVK_DEV (hvk's /dev/hvk or the in-tree KVM's /dev/kvm), one small VM
 * per measurement whose guest times a loop of N exits of one kind with its
 * own counter (x86: RDTSC; arm64: CNTVCT_EL0), minus the same loop without
 * the exiting instruction. The guest code is in guest-x86_64.S and
 * guest-arm64.S, the memory layout in layout.h.
 *
 * Output, per row: a line for people, and a machine line
 *   HVK-BENCH: dev=NAME arch=A key=K status=ok value=V n=N uexits=U base=B
 *   HVK-BENCH: dev=NAME arch=A key=K status=na reason=TEXT...
 * (value: counter ticks per operation, one decimal; uexits: exits the
 * client saw in userspace during the whole row; base: the loop's own cost
 * per iteration, subtracted). A row the device cannot run says "na" with
 * the reason; there is never a made-up number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "layout.h"
#include "libhvk.h"

#if defined(__x86_64__)
#define ARCH_NAME	"x86_64"
#define UNIT		"TSC cycles"
#define SLOT0_GPA	X_SLOT0_GPA
#define MMIO_GPA	X_MMIO_GPA
#elif defined(__aarch64__)
#define ARCH_NAME	"arm64"
#define UNIT		"CNTVCT ticks"
#define SLOT0_GPA	A_SLOT0_GPA
#define MMIO_GPA	A_MMIO_GPA
#else
#error "exitcost supports x86_64 and arm64 only"
#endif

#define SZ_4K		0x1000UL
#define SZ_2M		0x200000UL
#define WARMUP		16

/* How the guest's operation reaches the hypervisor. */
enum kind {
	K_KERNEL,	/* handled in the kernel: no userspace exit expected */
	K_PIO,		/* KVM_EXIT_IO on X_PIO_PORT per operation */
	K_MMIO,		/* KVM_EXIT_MMIO at MMIO_GPA per operation */
	K_FAULT4K,	/* first touch of a 4 KiB page of slot 1 */
	K_FAULT2M,	/* first touch of a 2 MiB page of slot 1 */
	K_IOEV_PIO,	/* the K_PIO guest, its port an ioeventfd: no exit */
	K_IOEV_MMIO,	/* the K_MMIO guest, its gpa an ioeventfd: no exit */
};

struct row {
	const char *key;
	const char *label;
	const unsigned char *code;
	enum kind kind;
};

#if defined(__x86_64__)
extern const unsigned char xg_start[], xg_end[], xg_cpuid[], xg_vmcall[],
	xg_pio[], xg_mmio[], xg_fault[];
static const struct row rows[] = {
	{ "cpuid", "CPUID exit (in kernel)", xg_cpuid, K_KERNEL },
	{ "vmcall", "VMCALL exit (in kernel)", xg_vmcall,
	  K_KERNEL },
	{ "pio", "PIO exit to userspace and back", xg_pio, K_PIO },
	{ "mmio", "MMIO exit to userspace and back", xg_mmio,
	  K_MMIO },
	{ "fault4k", "EPT fault-in per 4 KiB page", xg_fault,
	  K_FAULT4K },
	{ "fault2m", "EPT fault-in per 2 MiB page", xg_fault,
	  K_FAULT2M },
	{ "ioevpio", "PIO write to an ioeventfd (no exit)", xg_pio,
	  K_IOEV_PIO },
	{ "ioevmmio", "MMIO write to an ioeventfd (no exit)", xg_mmio,
	  K_IOEV_MMIO },
};
#define CODE_START	xg_start
#define CODE_END	xg_end
#else
extern const unsigned char ag_start[], ag_end[], ag_hvc[], ag_mmio[],
	ag_fault[];
static const struct row rows[] = {
	{ "hvc", "HVC round trip (PSCI_VERSION, in kernel)", ag_hvc,
	  K_KERNEL },
	{ "mmio", "MMIO exit to userspace and back", ag_mmio,
	  K_MMIO },
	{ "fault4k", "stage-2 fault-in per 4 KiB page", ag_fault,
	  K_FAULT4K },
	{ "fault2m", "stage-2 fault-in per 2 MiB block", ag_fault,
	  K_FAULT2M },
	{ "ioevmmio", "MMIO write to an ioeventfd (no exit)", ag_mmio,
	  K_IOEV_MMIO },
};
#define CODE_START	ag_start
#define CODE_END	ag_end
#endif
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

static struct {
	const char *name;	/* column name: hvk, kvm, ... */
	const char *dev;
	unsigned long n;	/* exits per timed loop */
	unsigned long pages4k;
	unsigned long pages2m;
	unsigned int row_timeout;
	const char *only;	/* comma-separated keys, or NULL: all */
	const char *unavailable;	/* print every row n/a for this reason */
} opt = {
	.n = 2000,
	.pages4k = 1000,
	.pages2m = 32,
	.row_timeout = 10,
};

/* One row's outcome. */
struct result {
	int ok;
	char why[200];		/* the n/a reason */
	double per_op;		/* counter ticks per operation */
	double base;		/* loop cost per iteration, subtracted */
	unsigned long n;
	unsigned long uexits;
	long long hostirqs;	/* host interrupts while the row ran, or -1 */
	char note[120];		/* e.g. what backs the 2 MiB pages */
	const char *backing;	/* the same as one word, for machines */
};

static void na(struct result *res, const char *fmt, ...)
{
	va_list ap;

	if (!res->ok && res->why[0])
		return;	/* keep the first reason */
	res->ok = 0;
	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
	/* One line per row: a reason may quote a multi-line message. */
	for (char *p = res->why; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static volatile sig_atomic_t timed_out;
/* The first row that timed out: the device's later rows are skipped. */
static const char *hung_row;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* One VM with one vCPU, slot 0 (params + code) and maybe slot 1. */
struct vm {
	int sys, vm, vcpu;
	int efd;		/* the ioeventfd rows' eventfd, or -1 */
	struct kvm_run *run;
	size_t run_size;
	unsigned char *mem0;
	void *map1;		/* the mapping that holds slot 1, to unmap */
	size_t map1_len;
	unsigned char *mem1;	/* slot 1's start inside it */
};

static void vm_close(struct vm *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, v->run_size);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->efd >= 0)
		close(v->efd);
	if (v->vm >= 0)
		close(v->vm);
	if (v->sys >= 0)
		close(v->sys);
	if (v->mem0 && v->mem0 != MAP_FAILED)
		munmap(v->mem0, SLOT0_SIZE);
	if (v->map1 && v->map1 != MAP_FAILED)
		munmap(v->map1, v->map1_len);
}

/*
 * AnonHugePages (kB) of the mapping that contains @p, from
 * /proc/self/smaps; -1 if it cannot be read. Used to check that the 4 KiB
 * row's memory is not THP-backed and the 2 MiB row's is.
 */
static long anon_huge_kb(const void *p)
{
	unsigned long lo, hi, a = (unsigned long)p;
	char line[256];
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/*
 * Memory for slot 1, every page present in the host before the guest runs:
 * the rows measure the hypervisor's fault-in (EPT/stage-2 mapping), not the
 * host's page allocation. 4 KiB rows: MADV_NOHUGEPAGE, so the hypervisor
 * can only map 4 KiB. 2 MiB rows: hugetlb if pages are reserved, else THP
 * (a 2 MiB-aligned MADV_HUGEPAGE mapping), checked in smaps.
 */
static int alloc_slot1(struct vm *v, int huge, size_t len, struct result *res)
{
	unsigned char *p;
	long kb;

	if (!huge) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			na(res, "mmap %zu bytes: %s", len, hvk_errname(errno));
			return -1;
		}
		v->map1 = p;
		v->map1_len = len;
		v->mem1 = p;
		if (madvise(p, len, MADV_NOHUGEPAGE))
			snprintf(res->note, sizeof(res->note),
				 "MADV_NOHUGEPAGE failed: %s", hvk_errname(errno));
		memset(p, 0x5a, len);
		kb = anon_huge_kb(p);
		if (kb != 0) {
			na(res, "4 KiB backing not guaranteed (AnonHugePages %ld kB)",
			   kb);
			return -1;
		}
		snprintf(res->note, sizeof(res->note), "4 KiB anonymous pages");
		res->backing = "4k";
		return 0;
	}

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT),
		 -1, 0);
	if (p != MAP_FAILED) {
		v->map1 = p;
		v->map1_len = len;
		v->mem1 = p;
		memset(p, 0x5a, len);
		snprintf(res->note, sizeof(res->note), "hugetlb 2 MiB pages");
		res->backing = "hugetlb";
		return 0;
	}
	/* THP: over-allocate to align the start to 2 MiB. */
	v->map1_len = len + SZ_2M;
	v->map1 = mmap(NULL, v->map1_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->map1 == MAP_FAILED) {
		na(res, "mmap %zu bytes: %s", v->map1_len, hvk_errname(errno));
		return -1;
	}
	p = (unsigned char *)(((unsigned long)v->map1 + SZ_2M - 1) &
			      ~(SZ_2M - 1));
	v->mem1 = p;
	if (madvise(p, len, MADV_HUGEPAGE)) {
		na(res, "no hugetlb pages and MADV_HUGEPAGE failed: %s",
		   hvk_errname(errno));
		return -1;
	}
	memset(p, 0x5a, len);
	kb = anon_huge_kb(p);
	if (kb < (long)(len >> 10)) {
		na(res, "no hugetlb pages reserved and THP gave %ld of %zu kB",
		   kb, len >> 10);
		return -1;
	}
	snprintf(res->note, sizeof(res->note), "THP (transparent 2 MiB pages)");
	res->backing = "thp";
	return 0;
}

static int set_slot(struct vm *v, uint32_t slot, uint64_t gpa, uint64_t size,
		    void *hva, struct result *res)
{
	if (hvk_set_region(v->vm, slot, 0, gpa, size, (uintptr_t)hva)) {
		na(res, "KVM_SET_USER_MEMORY_REGION slot %u: %s", slot,
		   hvk_errname(errno));
		return -1;
	}
	return 0;
}

#if defined(__x86_64__)
/* 32-bit flat protected mode, paging off, IF=1, at @entry. */
static int vcpu_setup(struct vm *v, uint64_t entry, struct result *res)
{
	/* Flat segments, all bases 0; no GDT, IDT or page tables in memory. */
	static const struct hvk_x86_layout flat;
	struct kvm_sregs s;
	struct kvm_regs r;
	char get_err[48] = "";

	if (ioctl(v->vcpu, KVM_GET_SREGS, &s)) {
		/*
		 * A device that can set but not get them still runs: build
		 * the rest as the reset state has it (TR a busy 32-bit TSS,
		 * LDTR an LDT, xAPIC enabled as BSP).
		 */
		snprintf(get_err, sizeof(get_err), "KVM_GET_SREGS: %s; ",
			 hvk_errname(errno));
		memset(&s, 0, sizeof(s));
		s.tr.limit = 0xffff;
		s.tr.type = 11;
		s.tr.present = 1;
		s.ldt.limit = 0xffff;
		s.ldt.type = 2;
		s.ldt.present = 1;
		s.gdt.limit = 0xffff;
		s.idt.limit = 0xffff;
		s.apic_base = 0xfee00900;
	}
	/* CR0 = PE | ET: caching on (CD/NW clear). */
	hvk_x86_mode_sregs(&s, HVK_X86_PROT32, &flat);
	if (ioctl(v->vcpu, KVM_SET_SREGS, &s)) {
		na(res, "%sKVM_SET_SREGS: %s", get_err, hvk_errname(errno));
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.rip = entry;
	r.rflags = 0x202;	/* IF=1: see guest-x86_64.S */
	if (ioctl(v->vcpu, KVM_SET_REGS, &r)) {
		na(res, "KVM_SET_REGS: %s", hvk_errname(errno));
		return -1;
	}
	return 0;
}
#else
/* EL1h, MMU off (KVM_ARM_VCPU_INIT's reset state), PSCI 0.2+, PC=@entry. */
static int vcpu_setup(struct vm *v, uint64_t entry, struct result *res)
{
	if (hvk_arm64_vcpu_init(v->vm, v->vcpu,
				1u << KVM_ARM_VCPU_PSCI_0_2)) {
		na(res, "%s: %s", hvk_step(), hvk_errname(errno));
		return -1;
	}
	if (hvk_arm64_set_reg(v->vcpu, HVK_ARM64_PC, &entry)) {
		na(res, "KVM_SET_ONE_REG(pc): %s", hvk_errname(errno));
		return -1;
	}
	return 0;
}
#endif

/*
 * The ioeventfd rows: the PIO or MMIO row's guest, with its port or gpa
 * registered as a wildcard ioeventfd of the access's size, so every
 * operation signals the eventfd in the kernel and none exits.
 */
static int ioeventfd_setup(struct vm *v, enum kind kind, struct result *res)
{
	struct kvm_ioeventfd a = { .fd = -1 };

	v->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (v->efd < 0) {
		na(res, "eventfd: %s", hvk_errname(errno));
		return -1;
	}
	a.fd = v->efd;
#if defined(__x86_64__)
	if (kind == K_IOEV_PIO) {
		a.addr = X_PIO_PORT;
		a.len = 1;
		a.flags = KVM_IOEVENTFD_FLAG_PIO;
	}
#endif
	if (kind == K_IOEV_MMIO) {
		a.addr = MMIO_GPA;
		a.len = 4;
	}
	if (ioctl(v->vm, KVM_IOEVENTFD, &a)) {
		na(res, "KVM_IOEVENTFD: %s", hvk_errname(errno));
		return -1;
	}
	return 0;
}

/* The guest's instruction pointer, for a row that never reported. */
static long long guest_pc(struct vm *v)
{
#if defined(__x86_64__)
	struct kvm_regs r;

	if (ioctl(v->vcpu, KVM_GET_REGS, &r))
		return -1;
	return r.rip;
#else
	uint64_t pc;

	if (hvk_arm64_get_reg(v->vcpu, HVK_ARM64_PC, &pc))
		return -1;
	return pc;
#endif
}

static const char *exit_name(uint32_t r)
{
	const char *n = hvk_exit_name(r);

	return n ? n : "exit";
}

/*
 * Is this exit the operation the row counts (0), the guest's "done" (1),
 * or something else (-1, reason in @res)?
 */
static int classify_exit(const struct kvm_run *run, enum kind kind,
			 struct result *res)
{
	switch (run->exit_reason) {
#if defined(__x86_64__)
	case KVM_EXIT_IO:
		if (run->io.direction == KVM_EXIT_IO_OUT &&
		    run->io.port == X_DONE_PORT)
			return 1;
		if (kind == K_PIO && run->io.direction == KVM_EXIT_IO_OUT &&
		    run->io.port == X_PIO_PORT && run->io.size == 1 &&
		    run->io.count == 1)
			return 0;
		na(res, "unexpected KVM_EXIT_IO %s port %#x size %u count %u",
		   run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		   run->io.port, run->io.size, run->io.count);
		return -1;
#else
	case KVM_EXIT_MMIO:
		if (run->mmio.is_write && run->mmio.phys_addr == A_DONE_GPA)
			return 1;
		break;
#endif
	default:
		break;
	}
	if (run->exit_reason == KVM_EXIT_MMIO) {
		if (kind == K_MMIO && run->mmio.is_write &&
		    run->mmio.phys_addr == MMIO_GPA && run->mmio.len == 4)
			return 0;
		na(res, "unexpected KVM_EXIT_MMIO %s %#llx len %u",
		   run->mmio.is_write ? "write" : "read",
		   (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		return -1;
	}
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		na(res, "KVM_EXIT_INTERNAL_ERROR suberror %u",
		   run->internal.suberror);
#if defined(__x86_64__)
	else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		na(res, "KVM_EXIT_FAIL_ENTRY reason %#llx",
		   (unsigned long long)
		   run->fail_entry.hardware_entry_failure_reason);
#endif
	else
		na(res, "unexpected %s (%u)", exit_name(run->exit_reason),
		   run->exit_reason);
	return -1;
}

/*
 * Interrupts the host (the lab's kernel) has taken so far, from /proc/stat
 * ("intr TOTAL ..."); -1 if unreadable. Host timer ticks that land in a
 * timed loop cost an exit each, so the row reports how many there were.
 */
static long long host_irqs(void)
{
	char line[64];
	long long n = -1;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return -1;
	/* Only the start of the long "intr" line is needed. */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "intr %lld", &n) == 1)
			break;
	}
	fclose(f);
	return n;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void wr64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void run_row(const struct row *r, struct result *res)
{
	struct vm v = { .sys = -1, .vm = -1, .vcpu = -1, .efd = -1 };
	size_t code_len = CODE_END - CODE_START;
	unsigned long n = opt.n, warm = WARMUP, expect_uexits = 0;
	uint64_t addr = 0, addr2, stride = 0, t[4];
	size_t len1 = 0;
	long sz;
	int rc;

	memset(res, 0, sizeof(*res));
	if (opt.unavailable) {
		na(res, "%s", opt.unavailable);
		return;
	}
	/*
	 * A guest that never reports costs the whole row timeout, minutes of
	 * an emulated lab each: after one, don't wait for the others.
	 */
	if (hung_row) {
		na(res, "skipped: the %s row gave no result in time", hung_row);
		return;
	}
	switch (r->kind) {
	case K_KERNEL:
		break;
	case K_PIO:
	case K_MMIO:
		addr = MMIO_GPA;
		expect_uexits = warm + n;
		break;
	case K_IOEV_PIO:
	case K_IOEV_MMIO:
		addr = MMIO_GPA;
		break;
	case K_FAULT4K:
	case K_FAULT2M:
		stride = r->kind == K_FAULT4K ? SZ_4K : SZ_2M;
		n = r->kind == K_FAULT4K ? opt.pages4k : opt.pages2m;
		warm = 0;	/* a warm-up would fault the pages in */
		len1 = n * stride;
		addr = FAULT_GPA;
		break;
	}
	res->n = n;
	/* See guest-*.S: the 2 MiB baseline checks the mapping's size. */
	addr2 = r->kind == K_FAULT2M ? addr + SZ_2M - SZ_4K : addr;

	v.sys = hvk_open_dev();
	if (v.sys < 0) {
		na(res, "open %s: %s", opt.dev, hvk_errname(errno));
		goto out;
	}
	v.vm = ioctl(v.sys, KVM_CREATE_VM, 0);
	if (v.vm < 0) {
		na(res, "KVM_CREATE_VM: %s", hvk_errname(errno));
		goto out;
	}
	v.mem0 = mmap(NULL, SLOT0_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v.mem0 == MAP_FAILED) {
		na(res, "mmap slot 0: %s", hvk_errname(errno));
		goto out;
	}
	memcpy(v.mem0 + CODE_OFF, CODE_START, code_len);
	wr64(v.mem0 + BP_N, n);
	wr64(v.mem0 + BP_WARM, warm);
	wr64(v.mem0 + BP_ADDR, addr);
	wr64(v.mem0 + BP_STRIDE, stride);
	wr64(v.mem0 + BP_ADDR2, addr2);
	if (set_slot(&v, 0, SLOT0_GPA, SLOT0_SIZE, v.mem0, res))
		goto out;
	if (len1) {
		if (alloc_slot1(&v, r->kind == K_FAULT2M, len1, res))
			goto out;
		if (set_slot(&v, 1, FAULT_GPA, len1, v.mem1, res))
			goto out;
	}
	sz = ioctl(v.sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (long)sizeof(struct kvm_run)) {
		na(res, "KVM_GET_VCPU_MMAP_SIZE: %ld (%s)", sz,
		   sz < 0 ? hvk_errname(errno) : "too small");
		goto out;
	}
	v.run_size = sz;
	v.vcpu = hvk_vcpu_create(v.vm, 0, v.run_size, &v.run);
	if (v.vcpu < 0) {
		na(res, "%s: %s", hvk_step(), hvk_errname(errno));
		goto out;
	}
	if (vcpu_setup(&v, SLOT0_GPA + CODE_OFF + (r->code - CODE_START), res))
		goto out;
	if ((r->kind == K_IOEV_PIO || r->kind == K_IOEV_MMIO) &&
	    ioeventfd_setup(&v, r->kind, res))
		goto out;

	/* Bound the row: a guest that never reports ends it (EINTR). */
	timed_out = 0;
	res->hostirqs = host_irqs();
	alarm(opt.row_timeout);
	for (;;) {
		rc = ioctl(v.vcpu, KVM_RUN, 0);
		if (rc < 0) {
			if (errno == EINTR && timed_out) {
				na(res, "no result within %u s (guest time; guest pc %#llx)",
				   opt.row_timeout, guest_pc(&v));
				hung_row = r->key;
			}
			else if (errno == EINTR)
				continue;
			else
				na(res, "KVM_RUN: %s", hvk_errname(errno));
			break;
		}
		rc = classify_exit(v.run, r->kind, res);
		if (rc < 0)
			break;
		if (rc == 1) {
			res->ok = 1;
			break;
		}
		res->uexits++;
	}
	alarm(0);
	if (res->hostirqs >= 0) {
		long long after = host_irqs();

		res->hostirqs = after >= res->hostirqs ? after - res->hostirqs : -1;
	}
	if (!res->ok)
		goto out;

	res->ok = 0;
	if (res->uexits != expect_uexits) {
		na(res, "%lu exits to userspace, expected %lu", res->uexits,
		   expect_uexits);
		goto out;
	}
	if (v.efd >= 0) {
		uint64_t fired = 0;

		if (read(v.efd, &fired, sizeof(fired)) != sizeof(fired) ||
		    fired != warm + n) {
			na(res, "the ioeventfd fired %llu times, expected %lu",
			   (unsigned long long)fired, warm + n);
			goto out;
		}
	}
	for (int i = 0; i < 4; i++)
		t[i] = rd64(v.mem0 + BR_T0 + 8 * i);
	if (t[1] < t[0] || t[3] < t[2] || !t[0]) {
		na(res, "counter readings out of order: %llu %llu %llu %llu",
		   (unsigned long long)t[0], (unsigned long long)t[1],
		   (unsigned long long)t[2], (unsigned long long)t[3]);
		goto out;
	}
	if (t[1] - t[0] <= t[3] - t[2]) {
		na(res, "timed loop (%llu) not above its baseline (%llu)",
		   (unsigned long long)(t[1] - t[0]),
		   (unsigned long long)(t[3] - t[2]));
		goto out;
	}
	res->per_op = (double)((t[1] - t[0]) - (t[3] - t[2])) / n;
	res->base = (double)(t[3] - t[2]) / n;
	/*
	 * The fault rows' second pass must not fault (a few host interrupts
	 * aside): else the 4 KiB pages were not kept mapped, or the 2 MiB
	 * pages were mapped 4 KiB at a time and the row would lie.
	 */
	if ((r->kind == K_FAULT4K || r->kind == K_FAULT2M) &&
	    res->base * 4 > res->per_op) {
		na(res, "the second pass faulted again (%.1f per page vs %.1f first): %s",
		   res->base, res->per_op + res->base,
		   r->kind == K_FAULT2M ? "not mapped 2 MiB at a time" :
		   "pages not kept mapped");
		goto out;
	}
	res->ok = 1;
out:
	vm_close(&v);
}

static int wanted(const char *key)
{
	const char *p = opt.only;
	size_t k = strlen(key);

	if (!p)
		return 1;
	while (*p) {
		size_t l = strcspn(p, ",");

		if (l == k && !strncmp(p, key, k))
			return 1;
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: exitcost [--name NAME] [--n N] [--pages4k N] [--pages2m N]\n"
"                [--only KEY,...] [--row-timeout SEC] [--unavailable REASON]\n"
"Measures exit costs against $HVK_DEV (default /dev/hvk); see tools/bench.\n"
"  --name NAME          column name in the output (default: from $HVK_DEV)\n"
"  --n N                exits per timed loop (default %lu)\n"
"  --pages4k N          4 KiB pages to fault in (default %lu)\n"
"  --pages2m N          2 MiB pages to fault in (default %lu; reserve hugetlb\n"
"                       pages first, else THP is tried)\n"
"  --only KEYS          run only these rows (keys:",
		opt.n, opt.pages4k, opt.pages2m);
	for (size_t i = 0; i < NROWS; i++)
		fprintf(f, " %s", rows[i].key);
	fprintf(f, ")\n"
"  --row-timeout SEC    give up on a row after SEC s of the guest's clock\n"
"                       (default %u); the device's later rows are skipped\n"
"  --unavailable REASON print every row as n/a for REASON (the device could\n"
"                       not be set up), in the same format\n",
		opt.row_timeout);
}

static int parse_ul(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || !v || v > max || *s == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	unsigned long v;

	opt.dev = hvk_dev_path();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!val) {
			fprintf(stderr, "exitcost: unknown option or missing value: %s\n", a);
			usage(stderr);
			return 2;
		}
		i++;
		if (!strcmp(a, "--name")) {
			opt.name = val;
		} else if (!strcmp(a, "--only")) {
			opt.only = val;
		} else if (!strcmp(a, "--unavailable")) {
			opt.unavailable = val;
		} else if (!strcmp(a, "--n") || !strcmp(a, "--pages4k") ||
			   !strcmp(a, "--pages2m") ||
			   !strcmp(a, "--row-timeout")) {
			/* the guest's 32-bit counters and addresses bound N */
			unsigned long max = !strcmp(a, "--pages4k") ? 65536 :
					    !strcmp(a, "--pages2m") ? 256 :
					    !strcmp(a, "--row-timeout") ? 86400 :
					    100000000;

			if (parse_ul(val, max, &v)) {
				fprintf(stderr, "exitcost: %s wants a number 1..%lu, not '%s'\n",
					a, max, val);
				return 2;
			}
			if (!strcmp(a, "--n"))
				opt.n = v;
			else if (!strcmp(a, "--pages4k"))
				opt.pages4k = v;
			else if (!strcmp(a, "--pages2m"))
				opt.pages2m = v;
			else
				opt.row_timeout = v;
		} else {
			fprintf(stderr, "exitcost: unknown option %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!opt.name) {
		const char *b = strrchr(opt.dev, '/');

		opt.name = b ? b + 1 : opt.dev;
	}
	for (const char *p = opt.name; *p; p++) {
		if (*p == ' ' || *p == '=' || *p == '"' || *p == '\\') {
			fprintf(stderr, "exitcost: --name must not contain spaces, '=', quotes or '\\'\n");
			return 2;
		}
	}
	if (opt.only) {
		for (const char *p = opt.only; *p;) {
			size_t l = strcspn(p, ",");
			int found = 0;

			for (size_t i = 0; i < NROWS; i++)
				found |= strlen(rows[i].key) == l &&
					 !strncmp(rows[i].key, p, l);
			if (!found) {
				fprintf(stderr, "exitcost: --only: unknown row '%.*s'\n",
					(int)l, p);
				return 2;
			}
			p += l;
			if (*p)
				p++;
		}
	}
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: KVM_RUN returns */
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("exitcost: %s on %s (%s), unit: %s per operation, loop cost subtracted\n",
	       opt.name, opt.dev, ARCH_NAME, UNIT);
#if defined(__aarch64__)
	{
		uint64_t frq;

		asm volatile("mrs %0, cntfrq_el0" : "=r"(frq));
		printf("HVK-BENCH: dev=%s arch=%s info counter_hz=%llu\n",
		       opt.name, ARCH_NAME, (unsigned long long)frq);
	}
#endif
	for (size_t i = 0; i < NROWS; i++) {
		struct result res;

		if (!wanted(rows[i].key))
			continue;
		/*
		 * In the lab stdout is the emulated serial console: let the
		 * last lines go out first, or the UART's interrupts land in
		 * the timed loops (not a tty: nothing to wait for).
		 */
		fflush(stdout);
		tcdrain(STDOUT_FILENO);
		run_row(&rows[i], &res);
		if (res.ok) {
			printf("  %-42s %12.1f  (N=%lu, loop %.1f/iter, %lu userspace exits, %lld host interrupts%s%s)\n",
			       rows[i].label, res.per_op, res.n, res.base,
			       res.uexits, res.hostirqs, res.note[0] ? "; " : "",
			       res.note);
			printf("HVK-BENCH: dev=%s arch=%s key=%s status=ok value=%.1f n=%lu uexits=%lu base=%.1f hostirqs=%lld%s%s\n",
			       opt.name, ARCH_NAME, rows[i].key, res.per_op,
			       res.n, res.uexits, res.base, res.hostirqs,
			       res.backing ? " backing=" : "",
			       res.backing ? res.backing : "");
		} else {
			printf("  %-42s %12s  (%s)\n", rows[i].label, "n/a",
			       res.why);
			printf("HVK-BENCH: dev=%s arch=%s key=%s status=na reason=%s\n",
			       opt.name, ARCH_NAME, rows[i].key, res.why);
		}
	}
	/* The lab powers off right after the command: let the lines out. */
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	return 0;
}

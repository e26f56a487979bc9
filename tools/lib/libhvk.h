/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhvk: the userspace code every hvk client repeats, once.
 *
 * Used by the selftests (selftests/lib.h, x86_guest.h, arm64_guest.h are
 * thin layers over it), tools/bench, tools/fuzz, tools/hvk-info and
 * tools/hvk-run. A static library for x86_64 and arm64, libc and
 * pthread only; build it with make -C tools/lib ARCH=x86_64|arm64.
 *
 * What is in it:
 *   - the device: $HVK_DEV, else HVK_DEV_PATH (uapi/hvk.h)
 *   - fd-level helpers: memslots, anonymous backing, vCPU + kvm_run mmap,
 *     guest code loading (the selftest headers build on these)
 *   - struct hvk_vm: a VM with its memslots (backing allocated here) and
 *     vCPUs, for tools that want one object
 *   - KVM_RUN with an optional time limit, and a run-and-check-exit loop
 *   - exit-reason names: the one table
 *   - ucall: a guest-to-host report channel (done, fail with file, line
 *     and values, print), see "ucall" below
 *   - x86: the flat GDT, identity page tables, IDT/IVT gates and segment
 *     set-up of real, 32-bit protected and 64-bit long mode
 *   - arm64: ONE_REG access, core register ids, vCPU init with the
 *     preferred target
 *
 * Conventions: functions return 0 (or an fd, or a pointer) on success
 * and -1 (or NULL) with errno set on failure; hvk_step() then names the
 * step that failed ("KVM_CREATE_VCPU", ...), for messages. Nothing here
 * prints, exits or asserts: callers decide.
 */
#ifndef HVK_LIBHVK_H
#define HVK_LIBHVK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include "../../uapi/hvk.h"

#if !defined(__x86_64__) && !defined(__aarch64__) && !defined(HVK_LIB_HOST)
#error "libhvk supports x86_64 and arm64 only"
#endif

/* ---- errors ---- */

/* The step of the last libhvk call that failed in this thread. */
const char *hvk_step(void);
/* "EINVAL" for EINVAL; "no error" for 0. */
const char *hvk_errname(int err);

/* ---- the device ---- */

/* $HVK_DEV if set and not empty, else HVK_DEV_PATH. */
const char *hvk_dev_path(void);
/* open(hvk_dev_path(), O_RDWR | O_CLOEXEC). */
int hvk_open_dev(void);

/* ---- fd-level helpers ---- */

/* KVM_SET_USER_MEMORY_REGION. */
int hvk_set_region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		   uint64_t size, uint64_t hva);
/* Anonymous read-write memory for memslots; MAP_FAILED on failure. */
void *hvk_alloc(size_t size);
/*
 * KVM_CREATE_VCPU(@id) on @vm and its kvm_run mapped (@run_size bytes,
 * from KVM_GET_VCPU_MMAP_SIZE) in *@run. Returns the vCPU fd.
 */
int hvk_vcpu_create(int vm, int id, long run_size, struct kvm_run **run);
/* Unmap a vCPU's kvm_run (if mapped) and close its fd. */
void hvk_vcpu_destroy(int vcpu, struct kvm_run *run, long run_size);
/* Copy [@start, @end) to @hva and make it visible to instruction fetch. */
void hvk_load_code(void *hva, const void *start, const void *end);

/* ---- struct hvk_vm: a VM, its memslots and vCPUs ---- */

#define HVK_VM_MAX_SLOTS	8
#define HVK_VM_MAX_VCPUS	8

struct hvk_mem {
	uint32_t slot, flags;
	uint64_t gpa, size;
	uint8_t *hva;		/* the backing (libhvk's mmap) */
};

struct hvk_vcpu {
	int fd;
	int id;
	struct kvm_run *run;
	long run_size;
};

struct hvk_vm {
	int sys;		/* the device fd */
	int fd;			/* the VM fd */
	long run_size;		/* KVM_GET_VCPU_MMAP_SIZE */
	int nmem;
	struct hvk_mem mem[HVK_VM_MAX_SLOTS];
	int nvcpus;
	struct hvk_vcpu vcpu[HVK_VM_MAX_VCPUS];
};

/*
 * Open the device and KVM_CREATE_VM(@type). On failure everything made
 * so far is closed again (hvk_vm_destroy() is still safe to call).
 */
int hvk_vm_create(struct hvk_vm *vm, unsigned long type);
void hvk_vm_destroy(struct hvk_vm *vm);
/* @size bytes of zeroed anonymous memory as memslot @slot at @gpa. */
void *hvk_vm_add_mem(struct hvk_vm *vm, uint32_t slot, uint32_t flags,
		     uint64_t gpa, uint64_t size);
/* The host address of [@gpa, @gpa + @len) in one memslot, or NULL. */
void *hvk_vm_gpa(struct hvk_vm *vm, uint64_t gpa, uint64_t len);
/*
 * Copy a code blob to @gpa (inside a memslot). Make the blob's start and
 * end labels .global: the arm64 linker gives local labels of one section,
 * reached through the GOT, one address, and the blob would be empty.
 */
int hvk_vm_load(struct hvk_vm *vm, uint64_t gpa, const void *start,
		const void *end);
/* vCPU @id with its kvm_run mapped (arm64: not KVM_ARM_VCPU_INIT yet). */
struct hvk_vcpu *hvk_vm_add_vcpu(struct hvk_vm *vm, int id);

/* ---- running ---- */

/*
 * KVM_RUN once. With @limit_ms > 0 a SIGALRM (no-op handler, no
 * SA_RESTART) ends a KVM_RUN that takes longer: it returns -1 with
 * errno EINTR and hvk_step() "time limit".
 */
int hvk_vcpu_run(struct hvk_vcpu *c, unsigned int limit_ms);

/*
 * What an exit handler tells hvk_run_loop(): run again, or stop with a
 * status >= 0 (returned by hvk_run_loop()).
 */
#define HVK_RUN_AGAIN	(-1)
typedef int hvk_exit_fn(struct hvk_vcpu *c, void *ctx);

/*
 * Run @c until @fn returns a status >= 0, which is returned. A KVM_RUN
 * failure returns -1 (errno set), EINTR included unless @restart_eintr.
 * @limit_ms bounds each KVM_RUN as hvk_vcpu_run() does.
 */
int hvk_run_loop(struct hvk_vcpu *c, unsigned int limit_ms,
		 int restart_eintr, hvk_exit_fn *fn, void *ctx);

/* ---- exits ---- */

/* "KVM_EXIT_IO" for KVM_EXIT_IO; NULL for a number <linux/kvm.h> lacks. */
const char *hvk_exit_name(uint32_t reason);
/* The same without "KVM_EXIT_" ("IO"); NULL when unknown. */
const char *hvk_exit_short(uint32_t reason);
/* A readable line about the exit @run holds, in @buf; returns @buf. */
char *hvk_exit_str(const struct kvm_run *run, char *buf, size_t size);
/* An MMIO exit's data: the @run->mmio.len bytes, little-endian. */
uint64_t hvk_mmio_data(const struct kvm_run *run);
/* Fill an MMIO read's data with the @len low bytes of @v. */
void hvk_mmio_fill(struct kvm_run *run, uint64_t v);

/*
 * ---- ucall: guest-to-host reports ----
 *
 * The guest builds a struct hvk_ucall in its memory and hands its guest
 * physical address to the host: x86, a 4-byte OUT of the address to
 * port HVK_UCALL_PORT; arm64, an 8-byte store of the address to
 * HVK_UCALL_MMIO (no memslot there: an MMIO exit). hvk_ucall_get() on
 * the host recognizes the exit, reads the record through the VM's
 * memory and decodes it. All fields are little-endian u64; file and msg
 * are offsets from the record's own start to NUL-terminated strings (0:
 * none), so a record needs no relocation wherever the guest code is
 * loaded. The HVK_UCALL_ASM_* macros below build it from guest asm.
 */
#define HVK_UCALL_PORT		0x1ee		/* x86: OUT dx, eax */
#define HVK_UCALL_MMIO		0x0fff0000	/* arm64: STR x, [addr] */

enum hvk_ucall_cmd {
	HVK_UCALL_NONE,		/* the exit is not a ucall */
	HVK_UCALL_DONE,		/* the guest finished its work */
	HVK_UCALL_FAIL,		/* a guest check failed: file, line, args */
	HVK_UCALL_PRINT,	/* msg and args for the host's log */
	HVK_UCALL_SYNC,		/* a stage the host checks, args[0] */
	HVK_UCALL_NR
};

#define HVK_UCALL_MAX_ARGS	4

/* The record in guest memory. */
struct hvk_ucall_rec {
	uint64_t cmd;
	uint64_t line;
	uint64_t file;		/* offset from the record, or 0 */
	uint64_t msg;		/* offset from the record, or 0 */
	uint64_t nargs;
	uint64_t args[HVK_UCALL_MAX_ARGS];
};

/* The host's decoded copy. */
struct hvk_ucall {
	enum hvk_ucall_cmd cmd;
	uint64_t gpa;		/* where the record was */
	unsigned int line;
	unsigned int nargs;
	uint64_t args[HVK_UCALL_MAX_ARGS];
	char file[128];
	char msg[256];
};

/* Host address of [@gpa, @gpa + @len) in guest memory, or NULL. */
typedef void *hvk_gpa_fn(void *ctx, uint64_t gpa, uint64_t len);

/*
 * Decode the record at @gpa: HVK_UCALL_* on success, -1 with errno
 * EFAULT (not in guest memory) or EINVAL (bad cmd or nargs).
 * Strings are cut at the end of guest memory or of the buffer.
 */
int hvk_ucall_decode(uint64_t gpa, hvk_gpa_fn *xlate, void *ctx,
		     struct hvk_ucall *uc);
/*
 * If @run holds a ucall exit (x86: OUT port HVK_UCALL_PORT, 4 bytes;
 * arm64: 8-byte MMIO write at HVK_UCALL_MMIO), decode it: the command,
 * or -1 (errno as above). HVK_UCALL_NONE for any other exit.
 */
int hvk_ucall_get(const struct kvm_run *run, hvk_gpa_fn *xlate, void *ctx,
		  struct hvk_ucall *uc);
/* hvk_ucall_get() with an hvk_vm's memory. */
int hvk_vm_ucall(struct hvk_vm *vm, struct hvk_vcpu *c, struct hvk_ucall *uc);
/* "FAIL at foo.c:12: msg (args 0x1, 0x2)" in @buf; returns @buf. */
char *hvk_ucall_str(const struct hvk_ucall *uc, char *buf, size_t size);
const char *hvk_ucall_name(int cmd);

#define HVK_STR_(x)	#x
#define HVK_STR(x)	HVK_STR_(x)

/*
 * Guest side, as asm text for a guest blob. The record sits in the code
 * itself, jumped over; the guest finds its address at run time, so the
 * blob runs wherever it is loaded. Numeric labels 7, 8 and 9 are used:
 * do not branch across a ucall to a 7, 8 or 9 of your own.
 *
 * x86 (32-bit protected or 64-bit long mode, flat DS, a stack): the
 * values are the low 32 bits of ECX and EDX (args[0], args[1]); EAX and
 * EDX are clobbered. The same bytes run in both modes.
 * arm64 (MMU off or identity mapped): the values are X0 and X1; X16 and
 * X17 are clobbered.
 */
#define __HVK_UCALL_REC(cmd, nargs, msg)				\
"8:	.quad " HVK_STR(cmd) ", " HVK_STR(__LINE__) ", 7f - 8b, 6f - 8b, "	\
		HVK_STR(nargs) ", 0, 0, 0, 0\n"				\
"7:	.asciz \"" __FILE__ "\"\n"					\
"6:	.asciz \"" msg "\"\n"

#define HVK_UCALL_ASM_X86(cmd, nargs, msg)				\
"	call 9f\n"							\
	__HVK_UCALL_REC(cmd, nargs, msg)				\
"9:	.byte 0x58\n"		/* pop %eax / pop %rax */		\
"	.byte 0x89, 0x48, 40\n"	/* mov %ecx, 40(%eax|%rax): args[0] */	\
"	.byte 0x89, 0x50, 48\n"	/* mov %edx, 48(%eax|%rax): args[1] */	\
"	mov $" HVK_STR(HVK_UCALL_PORT) ", %dx\n"			\
"	out %eax, %dx\n"

#define HVK_UCALL_ASM_ARM64(cmd, nargs, msg)				\
"	b 9f\n"								\
"	.balign 8\n"							\
	__HVK_UCALL_REC(cmd, nargs, msg)				\
"	.balign 4\n"							\
"9:	adr x17, 8b\n"							\
"	str x0, [x17, #40]\n"						\
"	str x1, [x17, #48]\n"						\
"	mov x16, #" HVK_STR(HVK_UCALL_MMIO) "\n"			\
"	str x17, [x16]\n"

#ifdef __x86_64__
#define HVK_UCALL_ASM	HVK_UCALL_ASM_X86
#else
#define HVK_UCALL_ASM	HVK_UCALL_ASM_ARM64
#endif
/* The usual ones: GUEST_DONE, a failed check with two values, a print. */
#define HVK_UCALL_ASM_DONE	HVK_UCALL_ASM(1, 0, "")
#define HVK_UCALL_ASM_FAIL(msg)	HVK_UCALL_ASM(2, 2, msg)
#define HVK_UCALL_ASM_PRINT(msg) HVK_UCALL_ASM(3, 2, msg)
#define HVK_UCALL_ASM_SYNC	HVK_UCALL_ASM(4, 1, "")

/* ---- x86 guest set-up ---- */
#ifdef __x86_64__

enum hvk_x86_mode {
	HVK_X86_REAL,
	HVK_X86_PROT32,
	HVK_X86_LONG64,
};

/* GDT selectors hvk_x86_write_gdt() provides. */
#define HVK_X86_SEL_CODE32	0x08
#define HVK_X86_SEL_DATA	0x10
#define HVK_X86_SEL_CODE64	0x18
#define HVK_X86_GDT_ENTRIES	4

/*
 * Where a guest's tables are and what its segments' bases are. Real mode:
 * CS at @code (selector @code >> 4), DS/ES/SS at @data, the IVT at @ivt.
 * Protected and long mode: flat CS/DS/ES/SS (base 0), the IDT at @idt.
 * Every mode: FS at @fs, GS at @gs, the GDT at @gdt; long mode: CR3 =
 * @pml4 (identity tables from hvk_x86_write_page_tables()).
 */
struct hvk_x86_layout {
	uint64_t code, data, fs, gs;
	uint64_t gdt, ivt, idt, pml4;
};

/* Flat 4 GiB code32, data and code64 descriptors (HVK_X86_SEL_*). */
void hvk_x86_write_gdt(void *gdt);
/*
 * Identity page tables for the low 4 GiB with 2 MiB pages: PML4 at
 * @hva (guest @gpa), the PDPT one page above, 4 PDs above that (6 pages
 * in all). @preset_ad: Accessed and Dirty preset in every entry (the CPU
 * then never writes the tables).
 */
void hvk_x86_write_page_tables(void *hva, uint64_t gpa, int preset_ad);
/*
 * Point vector @vec of @mode's table at @table (IVT or IDT) at @handler:
 * real mode as segment @handler_cs_base >> 4, offset from that base; an
 * interrupt gate on HVK_X86_SEL_CODE32/64 otherwise.
 */
void hvk_x86_set_gate(void *table, enum hvk_x86_mode mode, int vec,
		      uint64_t handler, uint64_t handler_cs_base);
void hvk_x86_seg(struct kvm_segment *s, uint16_t sel, uint64_t base,
		 uint32_t limit, uint8_t type, int db, int l, int gran);
/*
 * Fill @sr (from KVM_GET_SREGS) for @mode with @l: segments, CR0 (real
 * mode: PE and PG cleared, the rest kept), CR3, CR4 (OSFXSR, OSXMMEXCPT;
 * PAE in long mode), EFER (LME, LMA in long mode), GDTR, IDTR. TR and
 * LDTR keep their values.
 */
void hvk_x86_mode_sregs(struct kvm_sregs *sr, enum hvk_x86_mode mode,
			const struct hvk_x86_layout *l);
const char *hvk_x86_mode_name(enum hvk_x86_mode mode);
/* KVM_GET_SUPPORTED_CPUID (up to 128 entries); free() it. */
struct kvm_cpuid2 *hvk_x86_supported_cpuid(int sys);
struct kvm_cpuid_entry2 *hvk_x86_cpuid_entry(struct kvm_cpuid2 *c,
					     uint32_t fn, uint32_t idx);

#endif /* __x86_64__ */

/* ---- arm64 guest set-up ---- */
#ifdef __aarch64__

/* A core register's ONE_REG id: HVK_ARM64_CORE(KVM_REG_SIZE_U64, regs.pc). */
#define HVK_ARM64_CORE(size, field) \
	(KVM_REG_ARM64 | KVM_REG_ARM_CORE | (size) | \
	 KVM_REG_ARM_CORE_REG(field))
#define HVK_ARM64_X(i)	HVK_ARM64_CORE(KVM_REG_SIZE_U64, regs.regs[i])
#define HVK_ARM64_PC	HVK_ARM64_CORE(KVM_REG_SIZE_U64, regs.pc)
#define HVK_ARM64_PSTATE HVK_ARM64_CORE(KVM_REG_SIZE_U64, regs.pstate)
#define HVK_ARM64_SP_EL1 HVK_ARM64_CORE(KVM_REG_SIZE_U64, sp_el1)

/* KVM_GET_ONE_REG / KVM_SET_ONE_REG of @id at @val. */
int hvk_arm64_get_reg(int vcpu, uint64_t id, void *val);
int hvk_arm64_set_reg(int vcpu, uint64_t id, const void *val);
/*
 * KVM_ARM_VCPU_INIT of @vcpu with VM @vm's preferred target and
 * @features (KVM_ARM_VCPU_* bits of word 0).
 */
int hvk_arm64_vcpu_init(int vm, int vcpu, uint32_t features);
#endif /* __aarch64__ */

#endif /* HVK_LIBHVK_H */

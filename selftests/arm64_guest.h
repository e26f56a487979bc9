/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-setup helpers for the arm64 guest-execution selftests
 * (arm64_*_test.c): a VM with one RAM memslot, vCPUs initialised with the
 * preferred target, guest code blobs copied into RAM, core registers
 * through ONE_REG, KVM_RUN and exit checks, and signals that end a
 * KVM_RUN.
 *
 * Guests are tiny asm blobs written next to the test that runs them
 * (GUEST_CODE below). They start at EL1h with the MMU off (KVM's reset
 * state), at the PC the host sets, and talk to the host with MMIO stores
 * to addresses no memslot covers, with HVC (PSCI) or through registers the
 * host reads with KVM_GET_ONE_REG.
 *
 * Only the ABI hvk offers on arm64 is used: no in-kernel irqchip, no guest
 * timer, vCPU features PSCI_0_2 and POWER_OFF only. The expectations are
 * those of Linux 6.1's KVM.
 *
 * Include after "kselftest_harness.h" and "lib.h". Helpers taking
 * @_metadata may ASSERT (and so leave the test): call them from the test's
 * own thread only; vCPU threads report through their own structs.
 */
#ifndef HVK_ARM64_GUEST_H
#define HVK_ARM64_GUEST_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/time.h>
#include <linux/psci.h>

/*
 * Guest physical layout. Plain numbers (no casts or suffixes): the asm
 * blobs use them too, through G_STR().
 */
#define G_RAM_GPA	0x40000000	/* slot 0: code at its start */
#define G_RAM_SIZE	0x40000		/* 256 KiB */
#define G_DATA_OFF	0x10000		/* scratch data in RAM */
#define G_MMIO_GPA	0x10000000	/* no memslot: MMIO exits */
#define G_HOLE_GPA	0x30000000	/* no memslot: nothing there */

#define G_STR_(x)	#x
#define G_STR(x)	G_STR_(x)

/*
 * GUEST_CODE(name, "insn\n" ...) defines a guest blob as global asm:
 * name[] to name_end[] is copied into guest RAM by g_load(). The blob
 * starts 4 KiB aligned (so a .balign inside it, e.g. for a VBAR_EL1 vector
 * table, holds at any page-aligned guest address) and ends with its own
 * literal pool (.ltorg), so "ldr xN, =CONST" works inside it. Labels that
 * the host needs (an entry point) are declared with GUEST_SYM() and found
 * with g_sym_off(); other labels should be local (1:, 2f) or unique.
 */
#define GUEST_CODE(name, body)						\
	extern const char name[], name##_end[];				\
	asm(".pushsection .rodata.hvk_guest, \"a\"\n"			\
	    ".balign 4096\n"						\
	    ".global " #name "\n"					\
	    #name ":\n"							\
	    body "\n"							\
	    ".ltorg\n"							\
	    ".global " #name "_end\n"					\
	    #name "_end:\n"						\
	    ".popsection\n")

#define GUEST_SYM(sym)	extern const char sym[]

/* Offset of @sym inside the blob starting at @blob. */
#define g_sym_off(blob, sym)	((uint64_t)((sym) - (blob)))

/* Core register ids: offset in 32-bit words into struct kvm_regs. */
#define G_CORE(size, field)	HVK_ARM64_CORE(size, field)
#define G_X(i)		G_CORE(KVM_REG_SIZE_U64, regs.regs[i])
#define G_SP_EL0	G_CORE(KVM_REG_SIZE_U64, regs.sp)
#define G_PC		G_CORE(KVM_REG_SIZE_U64, regs.pc)
#define G_PSTATE	G_CORE(KVM_REG_SIZE_U64, regs.pstate)
#define G_SP_EL1	G_CORE(KVM_REG_SIZE_U64, sp_el1)
#define G_ELR_EL1	G_CORE(KVM_REG_SIZE_U64, elr_el1)
#define G_SPSR_EL1	G_CORE(KVM_REG_SIZE_U64, spsr[KVM_SPSR_EL1])
#define G_V(i)		G_CORE(KVM_REG_SIZE_U128, fp_regs.vregs[i])
#define G_FPSR		G_CORE(KVM_REG_SIZE_U32, fp_regs.fpsr)
#define G_FPCR		G_CORE(KVM_REG_SIZE_U32, fp_regs.fpcr)

/* PSCI return values (the spec's; not in the uapi header). */
#define G_PSCI_SUCCESS		0
#define G_PSCI_NOT_SUPPORTED	-1
#define G_PSCI_INVALID_PARAMS	-2
#define G_PSCI_ALREADY_ON	-4
#define G_PSCI_INTERNAL_FAILURE	-6

/* ESR_ELx fields and the exception classes the tests see. */
#define G_ESR_EC(esr)		(((esr) >> 26) & 0x3f)
#define G_ESR_IL		(1ULL << 25)
#define G_ESR_FSC(esr)		((esr) & 0x3f)
#define G_EC_IABT_CUR		0x21
#define G_EC_DABT_CUR		0x25
#define G_FSC_EXTABT		0x10

#define G_MAX_VCPUS	4

/* How long g_run_expect() lets one KVM_RUN go on. */
#define G_RUN_LIMIT_MS	10000

struct g_vm {
	int vm;
	int nvcpus;
	int vcpu[G_MAX_VCPUS];
	struct kvm_run *run[G_MAX_VCPUS];
	size_t run_size;
	uint8_t *ram;		/* backing of slot 0 at G_RAM_GPA */
	size_t ram_size;
	struct kvm_vcpu_init pref;
};

/*
 * Signals that end a KVM_RUN: a no-op handler for SIGALRM and SIGUSR1,
 * installed without SA_RESTART (KVM_RUN returns -EINTR, never restarts).
 */
static inline void g_noop_handler(int sig)
{
	(void)sig;
}

static inline void g_signals_init(void)
{
	hvk_noop_signals();
}

/*
 * SIGALRM to this process after @ms milliseconds, then every @every_ms
 * (0: once). g_alarm_ms(0, 0) cancels it.
 */
static inline void g_alarm_ms(unsigned int ms, unsigned int every_ms)
{
	hvk_alarm_us(ms * 1000L, every_ms * 1000L);
}

/* Milliseconds on the monotonic clock. */
static inline uint64_t g_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static inline int g_get_reg(int vcpu, uint64_t id, void *val)
{
	return hvk_arm64_get_reg(vcpu, id, val);
}

static inline int g_set_reg(int vcpu, uint64_t id, const void *val)
{
	return hvk_arm64_set_reg(vcpu, id, val);
}

/* A 64-bit register of vCPU @i; the test fails (ASSERT) if it cannot. */
#define g_get64(g, i, id) __g_get64(_metadata, g, i, id, #id)
static inline uint64_t __g_get64(struct __test_metadata *_metadata,
				 struct g_vm *g, int i, uint64_t id,
				 const char *name)
{
	uint64_t v = 0;
	int r;

	ASSERT_OK(r, g_get_reg(g->vcpu[i], id, &v),
		  "KVM_GET_ONE_REG(%s) of vCPU %d", name, i);
	return v;
}

#define g_set64(g, i, id, v) __g_set64(_metadata, g, i, id, v, #id)
static inline void __g_set64(struct __test_metadata *_metadata,
			     struct g_vm *g, int i, uint64_t id, uint64_t v,
			     const char *name)
{
	int r;

	ASSERT_OK(r, g_set_reg(g->vcpu[i], id, &v),
		  "KVM_SET_ONE_REG(%s, %#llx) of vCPU %d", name,
		  (unsigned long long)v, i);
}

/*
 * A VM of IPA @type with @ram_size bytes of RAM (slot 0) at G_RAM_GPA and
 * no vCPU yet.
 */
static inline void g_vm_create_type(struct __test_metadata *_metadata,
				    struct g_vm *g, unsigned long type,
				    size_t ram_size)
{
	int sys, r;

	memset(g, 0, sizeof(*g));
	g->vm = -1;
	g_signals_init();
	sys = hvk_open_dev();
	ASSERT_LE(0, sys) TH_LOG("open(%s): %s", hvk_dev_path(),
				 strerror(errno));
	r = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, r) TH_LOG("KVM_GET_VCPU_MMAP_SIZE");
	g->run_size = r;
	g->vm = ioctl(sys, KVM_CREATE_VM, type);
	close(sys);
	ASSERT_LE(0, g->vm) TH_LOG("KVM_CREATE_VM(%#lx): %s", type,
				   strerror(errno));
	ASSERT_OK(r, ioctl(g->vm, KVM_ARM_PREFERRED_TARGET, &g->pref),
		  "KVM_ARM_PREFERRED_TARGET");
	g->ram_size = ram_size;
	g->ram = hvk_alloc(ram_size);
	ASSERT_NE(MAP_FAILED, g->ram) TH_LOG("mmap of %zu bytes", ram_size);
	ASSERT_OK(r, hvk_set_region(g->vm, 0, 0, G_RAM_GPA, ram_size,
				    (uintptr_t)g->ram),
		  "KVM_SET_USER_MEMORY_REGION(slot 0 at %#x)", G_RAM_GPA);
}

static inline void g_vm_create(struct __test_metadata *_metadata,
			       struct g_vm *g)
{
	g_vm_create_type(_metadata, g, 0, G_RAM_SIZE);
}

/*
 * vCPU @id (index g->nvcpus), initialised with the preferred target and
 * @features (a mask of KVM_ARM_VCPU_* bits), kvm_run mapped. Returns the
 * index.
 */
static inline int g_vcpu_add(struct __test_metadata *_metadata,
			     struct g_vm *g, int id, uint32_t features)
{
	struct kvm_vcpu_init init = { .target = g->pref.target };
	int i = g->nvcpus, fd, r;
	void *run;

	ASSERT_GT(G_MAX_VCPUS, i);
	ASSERT_OK(fd, ioctl(g->vm, KVM_CREATE_VCPU, id),
		  "KVM_CREATE_VCPU(%d)", id);
	g->vcpu[i] = fd;
	g->nvcpus++;
	init.features[0] = features;
	ASSERT_OK(r, ioctl(fd, KVM_ARM_VCPU_INIT, &init),
		  "KVM_ARM_VCPU_INIT(vCPU %d, features %#x)", id, features);
	run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	ASSERT_NE(MAP_FAILED, run) TH_LOG("mmap of vCPU %d's kvm_run", id);
	g->run[i] = run;
	return i;
}

static inline void g_vm_destroy(struct g_vm *g)
{
	int i;

	for (i = 0; i < g->nvcpus; i++)
		hvk_vcpu_destroy(g->vcpu[i], g->run[i], g->run_size);
	g->nvcpus = 0;
	if (g->vm >= 0)
		close(g->vm);
	g->vm = -1;
	if (g->ram && g->ram != MAP_FAILED)
		munmap(g->ram, g->ram_size);
	g->ram = NULL;
}

/* Copy the blob [@start, @end) to RAM offset @off. */
static inline void g_load(struct __test_metadata *_metadata, struct g_vm *g,
			  uint64_t off, const char *start, const char *end)
{
	ASSERT_LE(off + (end - start), g->ram_size)
		TH_LOG("guest code must fit in RAM");
	hvk_load_code(g->ram + off, start, end);
}

/*
 * A VM with RAM and one vCPU (id 0, PSCI 0.2) about to run @blob, loaded at
 * the start of RAM, from its start.
 */
#define g_vm_with_code(g, blob) \
	__g_vm_with_code(_metadata, g, blob, blob##_end)
static inline void __g_vm_with_code(struct __test_metadata *_metadata,
				    struct g_vm *g, const char *start,
				    const char *end)
{
	g_vm_create(_metadata, g);
	g_vcpu_add(_metadata, g, 0, 1U << KVM_ARM_VCPU_PSCI_0_2);
	g_load(_metadata, g, 0, start, end);
	g_set64(g, 0, G_PC, G_RAM_GPA);
}

/* KVM_RUN of vCPU @i: its return value, errno in *@err. */
static inline int g_run_raw(struct g_vm *g, int i, int *err)
{
	int r;

	errno = 0;
	r = ioctl(g->vcpu[i], KVM_RUN, 0);
	*err = errno;
	return r;
}

static inline const char *g_exit_name(uint32_t reason)
{
	const char *n = hvk_exit_short(reason);

	return n ? n : "other";
}

/* KVM_RUN of vCPU @i must return 0 with exit reason @reason. */
#define g_run_expect(g, i, reason) \
	__g_run_expect(_metadata, g, i, reason, #reason)
static inline void __g_run_expect(struct __test_metadata *_metadata,
				  struct g_vm *g, int i, uint32_t reason,
				  const char *name)
{
	int r, err;
	uint64_t pc = 0;

	/* A guest that never exits fails the test instead of hanging it. */
	g_alarm_ms(G_RUN_LIMIT_MS, 0);
	r = g_run_raw(g, i, &err);
	g_alarm_ms(0, 0);
	if (r == 0 && g->run[i]->exit_reason == reason)
		return;
	g_get_reg(g->vcpu[i], G_PC, &pc);
	ASSERT_TRUE(0) TH_LOG("KVM_RUN of vCPU %d: expected exit %s, got "
			      "return %d (%s), exit reason %u (%s), guest "
			      "PC %#llx", i, name, r, r ? hvk_errname(err) :
			      "ok", g->run[i]->exit_reason,
			      g_exit_name(g->run[i]->exit_reason),
			      (unsigned long long)pc);
}

/* Little-endian value of the @len bytes of an MMIO exit's data. */
static inline uint64_t g_mmio_data(const struct kvm_run *run)
{
	return hvk_mmio_data(run);
}

/* Fill an MMIO read's data with the @len low bytes of @v, little-endian. */
static inline void g_mmio_fill(struct kvm_run *run, uint64_t v)
{
	hvk_mmio_fill(run, v);
}

/*
 * KVM_RUN of vCPU @i must exit with an MMIO access at @gpa of @len bytes,
 * a write when @is_write. Returns the written value (0 for a read).
 */
#define g_run_mmio(g, i, gpa, len, is_write) \
	__g_run_mmio(_metadata, g, i, gpa, len, is_write)
static inline uint64_t __g_run_mmio(struct __test_metadata *_metadata,
				    struct g_vm *g, int i, uint64_t gpa,
				    uint32_t len, int is_write)
{
	struct kvm_run *run = g->run[i];

	__g_run_expect(_metadata, g, i, KVM_EXIT_MMIO, "KVM_EXIT_MMIO");
	EXPECT_EQ(gpa, run->mmio.phys_addr)
		TH_LOG("MMIO exit: phys_addr %#llx, expected %#llx",
		       (unsigned long long)run->mmio.phys_addr,
		       (unsigned long long)gpa);
	EXPECT_EQ(len, run->mmio.len)
		TH_LOG("MMIO exit at %#llx: len", (unsigned long long)gpa);
	EXPECT_EQ(!!is_write, run->mmio.is_write)
		TH_LOG("MMIO exit at %#llx: is_write", (unsigned long long)gpa);
	ASSERT_TRUE(run->mmio.len >= 1 && run->mmio.len <= 8);
	return is_write ? g_mmio_data(run) : 0;
}

#endif /* HVK_ARM64_GUEST_H */

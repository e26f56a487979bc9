/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvk-fuzz: a seeded fuzzer of the KVM API as /dev/hvk (or /dev/kvm)
 * offers it, in the spirit of syzkaller programs.
 *
 * A program is a list of operations (struct op) generated from one 64-bit
 * seed before anything runs (gen.c): each op is a kind and four random
 * words. Executors (exec.c, sysvm.c, mem.c, vcpu.c, race.c and the arch
 * files x86_*.c / arm64_*.c) interpret those words against the current state ("the
 * vCPU a[0] % nr_vcpus of VM a[1] % nr_vms"), so the sequence of calls
 * depends only on the seed; only the results (fds, errnos, exits) depend
 * on the kernel. Guest code is generated from an op's words too.
 */
#ifndef HVK_FUZZ_H
#define HVK_FUZZ_H

#include <stdint.h>
#include <stddef.h>
#include <linux/kvm.h>

#define MAX_SYS		2
#define MAX_VMS		3
#define MAX_VCPUS	4
#define MAX_SLOTS	8	/* slot ids the model tracks per VM */
#define MAX_MEMS	6	/* host mappings that back slots */
#define MAX_OPS		64

enum op_kind {
	OP_OPEN_DEV,
	OP_CLOSE_DEV,
	OP_SYS_MISC,		/* API_VERSION, CHECK_EXTENSION, MMAP_SIZE */
	OP_SYS_ARCH,		/* arch system ioctls (CPUID, MSR lists) */
	OP_CREATE_VM,
	OP_CLOSE_VM,
	OP_VM_MISC,		/* CHECK_EXTENSION on the VM, ENABLE_CAP */
	OP_VM_ARCH,		/* TSS/identity map, PREFERRED_TARGET */
	OP_MMAP_MEM,
	OP_MUNMAP_MEM,
	OP_SET_SLOT,		/* add, delete, move, flags, overlaps */
	OP_CREATE_VCPU,
	OP_CLOSE_VCPU,
	OP_VCPU_MMAP,		/* mmap/munmap of the run area */
	OP_VCPU_STATE,		/* arch register ioctls */
	OP_GUEST,		/* guest code, layout and CPU mode */
	OP_RUN,			/* KVM_RUN, bounded by a timer */
	OP_BAD_IOCTL,		/* unknown numbers, bad pointers */
	OP_RACE,		/* a thread destroys things during KVM_RUN */
	OP_NR
};

struct op {
	uint16_t kind;
	uint64_t a[4];
};

struct prog {
	uint64_t seed;		/* the program's own seed */
	uint64_t idx;
	int n;
	struct op ops[MAX_OPS];
};

struct mem {
	uint8_t *hva;		/* NULL: not mapped */
	size_t size;
};

struct slot {
	int used;
	uint32_t flags;
	uint64_t gpa, size, hva;
	int mem;		/* index into st.mem, -1 when foreign */
};

struct vcpu {
	int fd;			/* -1: none */
	int id;
	struct kvm_run *run;	/* NULL: not mapped */
	int inited;		/* arm64: VCPU_INIT succeeded */
	int ran;
	uint64_t entry;		/* where the guest restarts (x86 rip) */
	int mode;		/* arch CPU mode of the last OP_GUEST */
};

struct vm {
	int fd;			/* -1: none */
	unsigned long type;
	int nvcpus_made;
	int dirty;		/* something unmodelled succeeded: no must-succeed checks */
	int ran;		/* a vCPU of it ran */
	struct slot slot[MAX_SLOTS];
	struct vcpu cpu[MAX_VCPUS];
};

struct st {
	int sys[MAX_SYS];
	struct vm vm[MAX_VMS];
	struct mem mem[MAX_MEMS];
	long run_size;
};

struct cfg {
	uint64_t seed;
	uint64_t first;		/* first program index */
	uint64_t calls;		/* budget in calls */
	unsigned int seconds;	/* budget in seconds (0: none) */
	unsigned int timer_ms;	/* the SIGALRM that ends each KVM_RUN */
	unsigned int hang_ms;	/* a KVM_RUN longer than this is a hang */
	int replay;		/* one program only */
	int print;		/* print programs, run nothing */
	int single;		/* no threads: exact replay */
	int verbose;
	int kvm;		/* the device is the in-tree KVM */
	const char *dev;
};

extern struct cfg cfg;
extern uint64_t ncalls;
extern long run_area;
/* KVM_RUN outcomes: [0..39] exit reasons, then EINTR, other errors */
#define ST_EINTR 40
#define ST_ERR 41
#define ST_UNSEEN 42	/* returned 0, run area not mapped */
extern uint64_t run_stats[43];		/* KVM_GET_VCPU_MMAP_SIZE */		/* ioctls and friends made */
extern const struct prog *cur_prog;
extern int cur_op;

/* The generator's PRNG (splitmix64): one state, pure function of seed. */
static inline uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* gen.c */
void gen_prog(struct prog *p, uint64_t seed, uint64_t idx);
void print_op(const struct op *o, int i);
const char *op_name(int kind);

/* main.c: counted calls and checks */
long xioctl(int fd, unsigned long req, unsigned long arg);
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A bad pointer chosen by @r: NULL, unmapped, kernel, straddling. */
unsigned long bad_ptr(uint64_t r);
/* A scratch buffer of @len bytes filled from @r (returned pointer). */
void *scratch(uint64_t r, size_t len);

/* Picking existing objects from an op word; NULL/-1 when none. */
int pick_sys(struct st *s, uint64_t r);
struct vm *pick_vm(struct st *s, uint64_t r);
struct vcpu *pick_vcpu(struct vm *vm, uint64_t r);
int pick_mem(struct st *s, uint64_t r);

/* Executors: exec.c, sysvm.c, mem.c, vcpu.c, race.c */
void exec_op(struct st *s, const struct op *o);
void exec_vcpu_op(struct st *s, const struct op *o);
int vm_used(struct vm *vm);
/* sysvm.c */
void op_open_dev(struct st *s, const struct op *o);
void op_close_dev(struct st *s, const struct op *o);
void op_sys_misc(struct st *s, const struct op *o);
void op_create_vm(struct st *s, const struct op *o);
void op_close_vm(struct st *s, const struct op *o);
void op_vm_misc(struct st *s, const struct op *o);
/* mem.c */
void op_mmap_mem(struct st *s, const struct op *o);
void op_munmap_mem(struct st *s, const struct op *o);
/* exec.c */
void op_bad_ioctl(struct st *s, const struct op *o);
void st_init(struct st *s);
void st_teardown(struct st *s);
void close_vcpu(struct vcpu *c, long run_size);
void close_vm(struct st *s, struct vm *vm);
void set_slot(struct st *s, struct vm *vm, const struct op *o);
void do_run(struct st *s, struct vm *vm, struct vcpu *c, uint64_t r,
	    int nruns);
void do_race(struct st *s, const struct op *o);
int slot_overlaps(struct vm *vm, int skip, uint64_t gpa, uint64_t size);
/*
 * A slot for guest code, the first from index @r on that is used, at
 * least @min_size long, starts below @max_gpa and lies wholly in a
 * mapping of st.mem; NULL when there is none.
 */
struct slot *guest_slot(struct st *s, struct vm *vm, uint64_t r,
			uint64_t min_size, uint64_t max_gpa);
/* The gpa of a used slot of @vm other than @sl, or @none. */
uint64_t other_slot_gpa(struct vm *vm, struct slot *sl, uint64_t none);
int vm_sys(struct st *s);
void runner_begin(void);
void runner_end(void);
void watchdog_start(void);
uint64_t now_ms(void);

/* Per arch: x86_ioctl.c + x86_guest.c, or arm64_ioctl.c + arm64_guest.c */
extern const char arch_name[];
extern const unsigned long arch_vm_types[];
extern const int arch_nvm_types;
void arch_sys_op(struct st *s, int sys, const struct op *o);
void arch_vm_op(struct st *s, struct vm *vm, const struct op *o);
int arch_vcpu_created(struct st *s, struct vm *vm, struct vcpu *c);
void arch_vcpu_state(struct st *s, struct vm *vm, struct vcpu *c,
		     const struct op *o);
void arch_guest(struct st *s, struct vm *vm, struct vcpu *c,
		const struct op *o);
/* After an exit: fill in reads; 1 when the vCPU should stop running. */
int arch_exit(struct vm *vm, struct vcpu *c, uint64_t *r);
int arch_exit_ok(uint32_t reason);

#endif /* HVK_FUZZ_H */

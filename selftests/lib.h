/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny helpers shared by the hvk selftests.
 *
 * Every test binary runs unmodified against hvk (/dev/hvk) and against the
 * in-tree KVM (/dev/kvm): the device comes from $HVK_DEV. Whatever a test
 * asserts is what the in-tree KVM of Linux 6.1 does; where KVM differs
 * between x86-64 and arm64 the test says so with #ifdef __x86_64__.
 *
 * Include after "kselftest_harness.h": the ASSERT_/EXPECT_ wrappers below
 * use the harness's _metadata.
 */
#ifndef HVK_SELFTESTS_LIB_H
#define HVK_SELFTESTS_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

/*
 * The device, memslot, vCPU and exit helpers live in libhvk (tools/lib),
 * shared with the tools: hvk_dev_path(), hvk_open_dev(), hvk_set_region(),
 * hvk_alloc(), hvk_errname() and the rest of libhvk.h.
 */
#include "../tools/lib/libhvk.h"

#if defined(__x86_64__)
#define HVK_ARCH_NAME "x86_64"
#elif defined(__aarch64__)
#define HVK_ARCH_NAME "arm64"
#else
#error "hvk selftests support x86_64 and arm64 only"
#endif

/* A KVMIO ioctl number no KVM version defines (nr 0xff, no data). */
#define HVK_UNKNOWN_IOCTL	_IO(KVMIO, 0xff)
/* The same with a data direction and size, as if it carried a struct. */
#define HVK_UNKNOWN_IOCTL_RW \
	_IOWR(KVMIO, 0xfe, struct kvm_userspace_memory_region)
/* An ioctl with a foreign type byte (a terminal ioctl, TCGETS's number). */
#define HVK_FOREIGN_IOCTL	0x5401
/* A KVM_CAP_* number far beyond any KVM defines. */
#define HVK_UNKNOWN_CAP		1000000

/*
 * What an unknown ioctl on a VM fd gives: kvm_arch_vm_ioctl()'s default is
 * -ENOTTY on x86 and -EINVAL on arm64 (Linux 6.1).
 */
#ifdef __x86_64__
#define HVK_VM_UNKNOWN_ERRNO	ENOTTY
#else
#define HVK_VM_UNKNOWN_ERRNO	EINVAL
#endif

/* A signal handler that does nothing: its signal only ends a syscall. */
static inline void hvk_noop_handler(int sig)
{
	(void)sig;
}

/*
 * SIGALRM and SIGUSR1 end a KVM_RUN (or any blocking syscall) with EINTR
 * and do nothing else: no SA_RESTART.
 */
static inline void hvk_noop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hvk_noop_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * SIGALRM to this process after @us microseconds, then every @every_us
 * (0: once); hvk_alarm_us(0, 0) cancels it.
 */
static inline void hvk_alarm_us(long us, long every_us)
{
	struct itimerval it = {
		.it_value = { us / 1000000, us % 1000000 },
		.it_interval = { every_us / 1000000, every_us % 1000000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

/* True when the lab says we run against the in-tree KVM. */
static inline int hvk_lab_kvm(void)
{
	const char *p = getenv("HVK_LAB_KVM");

	return p && !strcmp(p, "1");
}

static inline long hvk_page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

static inline long hvk_cap(int fd, long cap)
{
	return ioctl(fd, KVM_CHECK_EXTENSION, cap);
}

/* A new VM of @type from a device fd of its own; -1 with errno set. */
static inline int hvk_new_vm_type(unsigned long type)
{
	int sys = hvk_open_dev(), vm, err;

	if (sys < 0)
		return -1;
	vm = ioctl(sys, KVM_CREATE_VM, type);
	err = errno;
	close(sys);
	errno = err;
	return vm;
}

static inline int hvk_new_vm(void)
{
	return hvk_new_vm_type(0);
}

/* What a syscall returned in a forked child. */
struct hvk_child_res {
	long ret;
	int err;
};

/*
 * ioctl(@fd, @req, @arg) in a forked child (a process with another mm, as
 * KVM's kvm->mm check sees it); the child's result lands in @res.
 * Returns 0, or -1 when the child could not be run or reported nothing.
 */
static inline int hvk_child_ioctl(int fd, unsigned long req, unsigned long arg,
				  struct hvk_child_res *res)
{
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct hvk_child_res r;

		close(p[0]);
		errno = 0;
		r.ret = ioctl(fd, req, arg);
		r.err = errno;
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], res, sizeof(*res));
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return n == sizeof(*res) && WIFEXITED(status) &&
	       !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * Record a failed check: log it, fail the test, and for an ASSERT leave the
 * test now (the harness's own __bail()); an EXPECT carries on.
 */
#define __HVK_FAIL(_assert, fmt, ...) do {				\
	__TH_LOG(fmt, ##__VA_ARGS__);					\
	_metadata->passed = 0;						\
	__bail(_assert, _metadata);					\
} while (0)

/*
 * Run @call (a syscall returning -1 and setting errno on failure) and check
 * that it failed with @err. The message says what was checked (the
 * caller's words), the call, the expected and the seen result.
 */
#define __HVK_CHECK_ERRNO(_assert, call_str, call, err, fmt, ...) do {	\
	long __r;							\
	int __e;							\
	if (_assert)							\
		__INC_STEP(_metadata);					\
	errno = 0;							\
	__r = (long)(call);						\
	__e = errno;							\
	if (__r != -1 || __e != (err))					\
		__HVK_FAIL(_assert, fmt ": %s: Expected -1 with %s, "	\
			   "got %ld with %s", ##__VA_ARGS__, call_str,	\
			   hvk_errname(err), __r,			\
			   __r == -1 ? hvk_errname(__e) : "no error");	\
} while (0)

#define EXPECT_ERRNO(call, err, fmt, ...) \
	__HVK_CHECK_ERRNO(0, #call, call, err, fmt, ##__VA_ARGS__)
#define ASSERT_ERRNO(call, err, fmt, ...) \
	__HVK_CHECK_ERRNO(1, #call, call, err, fmt, ##__VA_ARGS__)

/* Check that @call succeeded (returned >= 0); its result lands in @res. */
#define __HVK_CHECK_OK(_assert, res, call_str, call, fmt, ...) do {	\
	int __e;							\
	if (_assert)							\
		__INC_STEP(_metadata);					\
	errno = 0;							\
	(res) = (call);							\
	__e = errno;							\
	if ((long)(res) < 0)						\
		__HVK_FAIL(_assert, fmt ": %s: Expected success, "	\
			   "got %ld with %s", ##__VA_ARGS__, call_str,	\
			   (long)(res), hvk_errname(__e));		\
} while (0)

#define EXPECT_OK(res, call, fmt, ...) \
	__HVK_CHECK_OK(0, res, #call, call, fmt, ##__VA_ARGS__)
#define ASSERT_OK(res, call, fmt, ...) \
	__HVK_CHECK_OK(1, res, #call, call, fmt, ##__VA_ARGS__)

/* ioctl(@fd, @req, @arg) in a forked child must fail with @err. */
#define EXPECT_CHILD_ERRNO(_fd, _req, _arg, _err, fmt, ...) do {		\
	struct hvk_child_res __cr;					\
	if (hvk_child_ioctl(_fd, _req, (unsigned long)(_arg), &__cr))	\
		__HVK_FAIL(0, fmt ": the forked child did not report",	\
			   ##__VA_ARGS__);				\
	else if (__cr.ret != -1 || __cr.err != (_err))			\
		__HVK_FAIL(0, fmt ": ioctl(%s, %s) in a forked child: "	\
			   "Expected -1 with %s, got %ld with %s",	\
			   ##__VA_ARGS__, #_fd, #_req, hvk_errname(_err),	\
			   __cr.ret, __cr.ret == -1 ?			\
			   hvk_errname(__cr.err) : "no error");		\
} while (0)

/*
 * The first @n values of statistic @name (a counter has one, a histogram
 * one per bucket) from a KVM_GET_STATS_FD fd, read in KVM's binary
 * format; -1 with errno set if it is not there or has fewer values.
 */
static inline int hvk_stat_n(int stats_fd, const char *name, uint64_t *val,
			     unsigned int n)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *descs;
	uint32_t i;
	int r = -1;

	if (pread(stats_fd, &h, sizeof(h), 0) != sizeof(h))
		return -1;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(dsz * h.num_desc);
	if (!descs)
		return -1;
	if (pread(stats_fd, descs, dsz * h.num_desc, h.desc_offset) !=
	    (ssize_t)(dsz * h.num_desc))
		goto out;
	errno = ENOENT;
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);

		if (strncmp(d->name, name, h.name_size))
			continue;
		errno = ERANGE;
		if (d->size >= n &&
		    pread(stats_fd, val, n * sizeof(*val),
			  h.data_offset + d->offset) ==
		    (ssize_t)(n * sizeof(*val)))
			r = 0;
		break;
	}
out:
	free(descs);
	return r;
}

/* A counter's value: hvk_stat_n() with one value. */
static inline int hvk_stat(int stats_fd, const char *name, uint64_t *val)
{
	return hvk_stat_n(stats_fd, name, val, 1);
}

/*
 * Tracepoints through tracefs (the lab mounts it at HVK_TRACEFS). The
 * hypervisor's events are "hvk/hvk_NAME" under hvk and "kvm/kvm_NAME"
 * under the in-tree KVM: hvk_trace_event() names them.
 */
#define HVK_TRACEFS	"/sys/kernel/tracing"

static inline int hvk_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

static inline const char *hvk_trace_event(const char *name)
{
	static char buf[4][96];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s_%s", hvk_lab_kvm() ? "kvm" : "hvk",
		 hvk_lab_kvm() ? "kvm" : "hvk", name);
	return b;
}

/* Enable (1) or disable (0) tracefs event SYSTEM/EVENT. */
static inline int hvk_trace_enable(const char *event, int on)
{
	char path[160];

	snprintf(path, sizeof(path), HVK_TRACEFS "/events/%s/enable", event);
	return hvk_write_file(path, on ? "1" : "0");
}

/* Empty the trace buffer. */
static inline int hvk_trace_clear(void)
{
	return hvk_write_file(HVK_TRACEFS "/trace", "");
}

/* Lines of the trace buffer that contain @word (e.g. "hvk_exit:"). */
static inline long hvk_trace_count(const char *word)
{
	char line[512];
	long n = 0;
	FILE *f = fopen(HVK_TRACEFS "/trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, word))
			n++;
	fclose(f);
	return n;
}

/* How often eventfd @efd fired since the last call (0: never; nonblocking). */
static inline uint64_t hvk_eventfd_count(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

/* The @n low bytes at @p, little-endian. */
static inline uint64_t hvk_le(const void *p, unsigned int n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);
	return v;
}

/*
 * The VM's coalesced MMIO ring in a vCPU's mapping @run, and how many
 * entries it has (KVM_COALESCED_MMIO_MAX for this page size).
 */
static inline struct kvm_coalesced_mmio_ring *hvk_coalesced_ring(void *run,
								 unsigned int *max)
{
	long page = hvk_page_size();

	*max = (page - sizeof(struct kvm_coalesced_mmio_ring)) /
	       sizeof(struct kvm_coalesced_mmio);
	return (void *)((uint8_t *)run + KVM_COALESCED_MMIO_PAGE_OFFSET * page);
}

/* Take up to @room entries off the ring, as a VMM does before an exit. */
static inline unsigned int hvk_coalesced_drain(struct kvm_coalesced_mmio_ring *ring,
					       unsigned int max,
					       struct kvm_coalesced_mmio *out,
					       unsigned int room)
{
	unsigned int n = 0;

	while (ring->first != ring->last && n < room) {
		__sync_synchronize();	/* the entry after seeing @last */
		out[n++] = ring->coalesced_mmio[ring->first % max];
		ring->first = (ring->first + 1) % max;
	}
	return n;
}

/* Coalesced ring entry @ent must be a @len-byte write of @val at @addr. */
#define EXPECT_COALESCED(ent, addr, _len, val) do {			\
	EXPECT_EQ(addr, (ent).phys_addr);				\
	EXPECT_EQ(_len, (ent).len);					\
	EXPECT_EQ(val, hvk_le((ent).data, _len));			\
} while (0)

/*
 * Drain the coalesced ring after an exit and check what it held: 4-byte
 * stores to @gpa of the values *@next, *@next - 1, ... in that order
 * (*@next counts down past them). @seen (entries drained before) numbers
 * the messages. Returns how many entries there were. An ASSERT.
 */
#define hvk_coalesced_check_drain(ring, max, gpa, next, seen) \
	__hvk_coalesced_check_drain(_metadata, ring, max, gpa, next, seen)
static inline unsigned int
__hvk_coalesced_check_drain(struct __test_metadata *_metadata,
			    struct kvm_coalesced_mmio_ring *ring,
			    unsigned int max, uint64_t gpa, unsigned int *next,
			    unsigned int seen)
{
	static struct kvm_coalesced_mmio e[512];
	unsigned int i, n;

	n = hvk_coalesced_drain(ring, max, e, 512);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(gpa, e[i].phys_addr);
		ASSERT_EQ(*next, hvk_le(e[i].data, 4))
			TH_LOG("ring entry %u", seen + i);
		(*next)--;
	}
	return n;
}

#endif /* HVK_SELFTESTS_LIB_H */

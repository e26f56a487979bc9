// SPDX-License-Identifier: GPL-2.0
/*
 * hvk-fuzz: options, the program loop, the checks' reporting, the KVM_RUN
 * watchdog and the helpers every executor shares. See README.md.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"
#include "libhvk.h"

struct cfg cfg = {
	.calls = 10000,
	.timer_ms = 20,
	.hang_ms = 5000,
};
uint64_t ncalls;
long run_area;
uint64_t run_stats[43];
const struct prog *cur_prog;
int cur_op = -1;
static uint64_t t_start, t_progress;

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

long xioctl(int fd, unsigned long req, unsigned long arg)
{
	__atomic_add_fetch(&ncalls, 1, __ATOMIC_RELAXED);
	return ioctl(fd, req, arg);
}

static void where(FILE *f)
{
	if (cur_prog)
		fprintf(f, "seed %#llx program %llu op %d (%s)",
			(unsigned long long)cfg.seed,
			(unsigned long long)cur_prog->idx, cur_op,
			cur_op >= 0 ? op_name(cur_prog->ops[cur_op].kind) :
			"-");
	else
		fprintf(f, "seed %#llx", (unsigned long long)cfg.seed);
}

static void print_prog(const struct prog *p)
{
	int i;

	printf("program %llu of seed %#llx (%d ops, program seed %#llx):\n",
	       (unsigned long long)p->idx, (unsigned long long)cfg.seed, p->n,
	       (unsigned long long)p->seed);
	for (i = 0; i < p->n; i++)
		print_op(&p->ops[i], i);
}

static void final_line(const char *result)
{
	double secs = (now_ms() - t_start) / 1000.0;
	int i;

	printf("hvk-fuzz: KVM_RUN outcomes:");
	for (i = 0; i < 40; i++)
		if (run_stats[i])
			printf(" exit%d=%llu", i,
			       (unsigned long long)run_stats[i]);
	printf(" unseen=%llu EINTR=%llu errors=%llu\n",
	       (unsigned long long)run_stats[ST_UNSEEN],
	       (unsigned long long)run_stats[ST_EINTR],
	       (unsigned long long)run_stats[ST_ERR]);

	printf("hvk-fuzz: result=%s calls=%llu seconds=%.1f calls_per_s=%.0f "
	       "seed=%#llx programs=%llu..%llu arch=%s dev=%s threads=%s\n",
	       result, (unsigned long long)ncalls, secs,
	       secs > 0 ? ncalls / secs : 0.0, (unsigned long long)cfg.seed,
	       (unsigned long long)cfg.first,
	       (unsigned long long)(cur_prog ? cur_prog->idx : cfg.first),
	       arch_name, cfg.dev, cfg.single ? "off" : "on");
	fflush(stdout);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("hvk-fuzz: FAIL: ");
	where(stdout);
	printf(": ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (cur_prog) {
		print_prog(cur_prog);
		printf("hvk-fuzz: replay: hvk-fuzz --seed %#llx --program %llu "
		       "--replay%s\n", (unsigned long long)cfg.seed,
		       (unsigned long long)cur_prog->idx,
		       cfg.single ? " --single" : "");
	}
	final_line("FAIL");
	exit(1);
}

void note(const char *fmt, ...)
{
	va_list ap;

	if (!cfg.verbose)
		return;
	printf("    ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- bad pointers and scratch buffers ---- */

static uint8_t *guard;		/* a read-write page, then a PROT_NONE one */
static uint8_t scratch_buf[65536] __attribute__((aligned(4096)));

unsigned long bad_ptr(uint64_t r)
{
	switch (r % 6) {
	case 0:
		return 0;
	case 1:
		return (unsigned long)guard + 4096 + (r >> 8) % 4096;
	case 2:	/* a kernel address (the linear map / text area) */
		return (sizeof(long) == 8 ? 0xffff800000000000UL : 0) |
		       ((r >> 8) & 0x7ffffffff000UL);
	case 3:	/* straddles into the PROT_NONE page */
		return (unsigned long)guard + 4096 - 1 - (r >> 8) % 64;
	case 4:	/* non-canonical */
		return 0x8000000000000000UL | ((r >> 8) & 0xffffffffUL);
	default: /* misaligned but valid */
		return (unsigned long)scratch_buf + 1 + (r >> 8) % 7;
	}
}

void *scratch(uint64_t r, size_t len)
{
	uint64_t s = r;
	size_t i;

	if (len > sizeof(scratch_buf))
		len = sizeof(scratch_buf);
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v = rnd(&s);

		memcpy(scratch_buf + i, &v, 8);
	}
	return scratch_buf;
}

/* ---- KVM_RUN bounds: SIGALRM for this thread, a watchdog for hangs ---- */

#define MAX_RUNNERS 8
static struct runner {
	pthread_t thr;
	uint64_t start;		/* 0: not in KVM_RUN */
	unsigned int ticks;	/* watchdog passes that saw this run */
} runners[MAX_RUNNERS];
static pthread_mutex_t runners_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig)
{
	(void)sig;
}

static void timer_ms(unsigned int ms)
{
	struct itimerval it = {
		.it_value = { ms / 1000, (ms % 1000) * 1000 },
		.it_interval = { ms / 1000, (ms % 1000) * 1000 },
	};

	setitimer(ITIMER_REAL, &it, NULL);
}

static __thread int is_main;

/*
 * Around each KVM_RUN. The main thread arms a repeating ITIMER_REAL
 * (SIGALRM, blocked in every other thread, lands here); other threads
 * are sent SIGUSR1 by the watchdog. Either way the run must return.
 */
void runner_begin(void)
{
	int i;

	pthread_mutex_lock(&runners_lock);
	for (i = 0; i < MAX_RUNNERS; i++)
		if (!runners[i].start) {
			runners[i].thr = pthread_self();
			runners[i].ticks = 0;
			__atomic_store_n(&runners[i].start, now_ms(),
					 __ATOMIC_RELEASE);
			break;
		}
	pthread_mutex_unlock(&runners_lock);
	if (is_main)
		timer_ms(cfg.timer_ms);
}

void runner_end(void)
{
	int i;

	if (is_main)
		timer_ms(0);
	pthread_mutex_lock(&runners_lock);
	for (i = 0; i < MAX_RUNNERS; i++)
		if (runners[i].start && pthread_equal(runners[i].thr,
						      pthread_self()))
			__atomic_store_n(&runners[i].start, 0,
					 __ATOMIC_RELEASE);
	pthread_mutex_unlock(&runners_lock);
}

static void *watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t now;
		int i;

		usleep(cfg.timer_ms * 1000);
		now = now_ms();
		pthread_mutex_lock(&runners_lock);
		for (i = 0; i < MAX_RUNNERS; i++) {
			uint64_t st = runners[i].start;

			if (!st || now - st < cfg.timer_ms)
				continue;
			/*
			 * A hang: hang_ms gone by and as many watchdog passes
			 * (each sending a signal) as that takes, so that a
			 * jump of the clock (a starved emulator) is no hang.
			 */
			if (now - st > cfg.hang_ms &&
			    ++runners[i].ticks > cfg.hang_ms / cfg.timer_ms) {
				printf("hvk-fuzz: HANG: KVM_RUN did not return "
				       "%u ms after its timer: ", cfg.hang_ms);
				fail("hang");
			}
			if (now - st <= cfg.hang_ms)
				runners[i].ticks++;
			pthread_kill(runners[i].thr, SIGUSR1);
		}
		pthread_mutex_unlock(&runners_lock);
	}
	return NULL;
}

void watchdog_start(void)
{
	pthread_t t;
	sigset_t set, old;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (pthread_create(&t, NULL, watchdog, NULL)) {
		perror("pthread_create");
		exit(3);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- the loop ---- */

static void print_st(struct st *s)
{
	int i, j;

	printf("     fds: sys %d %d;", s->sys[0], s->sys[1]);
	for (i = 0; i < MAX_VMS; i++) {
		printf(" vm %d [", s->vm[i].fd);
		for (j = 0; j < MAX_VCPUS; j++)
			printf("%s%d", j ? " " : "", s->vm[i].cpu[j].fd);
		printf("]");
	}
	printf("\n");
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

/* MemAvailable in kB (0 if unknown): a coarse look for pinned-page leaks. */
static long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void usage(void)
{
	fprintf(stderr,
"usage: hvk-fuzz [--seed S] [--program I] [--calls N] [--seconds T]\n"
"                [--replay] [--print] [--single] [--timer-ms MS]\n"
"                [--hang-ms MS] [-v]\n"
"  Runs programs I, I+1, ... of seed S until N calls or T seconds.\n"
"  --replay: program I only; --print: print program I and exit;\n"
"  --single: no threads (RACE ops run their action in line): exact\n"
"  replay. The device is $HVK_DEV (default /dev/hvk).\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct prog prog;
	struct sigaction sa;
	const char *e;
	int i, fds0;
	long mem0;

	is_main = 1;
	cfg.seed = ((uint64_t)time(NULL) << 20) ^ getpid();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--replay"))
			cfg.replay = 1;
		else if (!strcmp(a, "--print"))
			cfg.print = 1;
		else if (!strcmp(a, "--single"))
			cfg.single = 1;
		else if (!strcmp(a, "-v"))
			cfg.verbose = 1;
		else if (v && !strcmp(a, "--seed"))
			cfg.seed = strtoull(argv[++i], NULL, 0);
		else if (v && !strcmp(a, "--program"))
			cfg.first = strtoull(argv[++i], NULL, 0);
		else if (v && !strcmp(a, "--calls"))
			cfg.calls = strtoull(argv[++i], NULL, 0);
		else if (v && !strcmp(a, "--seconds"))
			cfg.seconds = strtoul(argv[++i], NULL, 0);
		else if (v && !strcmp(a, "--timer-ms"))
			cfg.timer_ms = strtoul(argv[++i], NULL, 0);
		else if (v && !strcmp(a, "--hang-ms"))
			cfg.hang_ms = strtoul(argv[++i], NULL, 0);
		else
			usage();
	}
	if (!cfg.timer_ms)
		cfg.timer_ms = 1;
	cfg.dev = hvk_dev_path();
	e = getenv("HVK_LAB_KVM");
	cfg.kvm = (e && !strcmp(e, "1")) || strstr(cfg.dev, "kvm");
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (cfg.print) {
		gen_prog(&prog, cfg.seed, cfg.first);
		cur_prog = &prog;
		print_prog(&prog);
		return 0;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: KVM_RUN gets EINTR */
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	guard = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + 4096, 4096, PROT_NONE)) {
		perror("mmap");
		return 3;
	}
	t_start = t_progress = now_ms();
	printf("hvk-fuzz: start: seed=%#llx program=%llu calls=%llu "
	       "seconds=%u arch=%s dev=%s%s threads=%s timer_ms=%u\n",
	       (unsigned long long)cfg.seed, (unsigned long long)cfg.first,
	       (unsigned long long)cfg.calls, cfg.seconds, arch_name,
	       cfg.dev, cfg.kvm ? " (in-tree KVM)" : "",
	       cfg.single ? "off" : "on", cfg.timer_ms);
	watchdog_start();
	fds0 = count_fds();
	mem0 = mem_available();
	for (uint64_t idx = cfg.first;; idx++) {
		struct st s;
		int n;

		gen_prog(&prog, cfg.seed, idx);
		cur_prog = &prog;
		if (cfg.verbose || cfg.replay)
			print_prog(&prog);
		st_init(&s);
		for (cur_op = 0; cur_op < prog.n; cur_op++) {
			if (cfg.verbose)
				print_op(&prog.ops[cur_op], cur_op);
			exec_op(&s, &prog.ops[cur_op]);
			if (cfg.verbose)
				print_st(&s);
		}
		cur_op = -1;
		st_teardown(&s);
		if (now_ms() - t_progress >= 30000) {
			t_progress = now_ms();
			printf("hvk-fuzz: progress: program %llu, %llu calls, "
			       "%.0f s\n", (unsigned long long)idx,
			       (unsigned long long)ncalls,
			       (t_progress - t_start) / 1000.0);
		}
		n = count_fds();
		if (n != fds0)
			fail("%d fds open after the program, %d before", n,
			     fds0);
		if (cfg.replay || ncalls >= cfg.calls ||
		    (cfg.seconds && now_ms() - t_start >= cfg.seconds * 1000ULL))
			break;
	}
	/* Reported, not judged: page cache and slab move it too. */
	printf("hvk-fuzz: MemAvailable %ld kB at the start, %ld kB at the end\n",
	       mem0, mem_available());
	final_line("ok");
	return 0;
}

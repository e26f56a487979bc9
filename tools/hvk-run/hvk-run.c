// SPDX-License-Identifier: GPL-2.0
/*
 * hvk-run: a thin launcher for flat guest images, an ordinary KVM client.
 *
 * It opens $HVK_DEV (default /dev/hvk; /dev/kvm works the same), creates
 * a VM with one vCPU and one slot of RAM, copies a flat binary into it,
 * sets the vCPU up so the image starts at its entry point, and runs it,
 * playing the few devices a "hello" guest needs (a serial port, a way to
 * end with a status) in userspace. There is no in-kernel irqchip and no
 * interrupt is ever injected: guests poll.
 *
 * This file is the arch-neutral part: arguments, the VM, RAM, the image,
 * the run loop, the timeout and the exits every arch treats alike. The
 * machine models are in x86.c and arm64.c. See README.md for the machine
 * each arch offers and the exit statuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "hvk-run.h"
#include "libhvk.h"
#include "linux.h"

static volatile sig_atomic_t timed_out;
/* The vCPU's kvm_run, for the SIGALRM handler (NULL until mapped). */
static struct kvm_run *volatile alarm_run;

void die_msg(const char *fmt, ...)
{
	va_list ap;

	flush_output();
	fputs("hvk-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void trace(struct machine *m, const char *fmt, ...)
{
	va_list ap;

	if (!m->verbose)
		return;
	flush_output();
	fputs("hvk-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void guest_putc(uint8_t c)
{
	putchar(c);
}

void flush_output(void)
{
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: hvk-run [OPTIONS] IMAGE\n"
"       hvk-run --kernel KERNEL [--initrd FILE] [--append CMDLINE]\n"
"               [--cpus N] [--mem MIB] [--timeout SEC] [-v]\n"
"\n"
"Runs the flat binary IMAGE in a VM with one vCPU on $HVK_DEV\n"
"(default /dev/hvk; /dev/kvm works the same).\n"
"\n"
"Options:\n"
"  --mem MIB        guest RAM in MiB (default 16, at most %llu)\n"
"  --load ADDR      guest physical address to load IMAGE at\n"
"  --entry ADDR     guest address of the first instruction (default:\n"
"                   the load address)\n"
"  --timeout SEC    stop the guest after SEC seconds, with up to three\n"
"                   decimals (0.25); exit status 124\n"
"  -v, --verbose    trace to stderr how the guest ended and every\n"
"                   access to a port or address with no device\n"
"  -h, --help       this text\n"
"%s"
"\n"
"Booting Linux (see README.md for the machine):\n"
"  --kernel FILE    the kernel: an arm64 Image, or an x86 bzImage\n"
"  --initrd FILE    an initramfs\n"
"  --append LINE    the kernel command line (default: the console on\n"
"                   the UART)\n"
"  --cpus N         vCPUs, 1 to %u (default 1)\n"
"  --mem MIB        guest RAM (default %llu for a kernel)\n"
"\n"
"Exit status: what the guest wrote to the exit register; 0 when the\n"
"guest ends as described above; 1 the guest failed (triple fault, entry\n"
"failure, internal error, unexpected exit: a diagnosis goes to stderr);\n"
"2 bad arguments; 3 no device or a setup ioctl failed; 4 the guest asked\n"
"for a reset; 124 timeout.\n",
		(unsigned long long)(arch_max_mem / MIB), arch_usage,
		LINUX_MAX_CPUS, (unsigned long long)(LINUX_DEFAULT_MEM / MIB));
}

static int parse_u64(const char *opt, const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		goto bad;
	*out = strtoull(s, &end, 0);
	if (errno || *end)
		goto bad;
	return 0;
bad:
	die_msg("%s: '%s' is not a number (decimal, or hex with 0x)", opt, s);
	return -1;
}

/* Seconds with up to three decimals, into milliseconds; more than 0. */
static int parse_timeout(const char *s, unsigned int *ms)
{
	unsigned long long sec = 0, frac = 0;
	const char *p = s;
	int digits = 0, decimals = 0;

	for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
		sec = sec * 10 + (*p - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && decimals < 3; p++) {
			frac = frac * 10 + (*p - '0');
			decimals++;
			digits++;
		}
	}
	for (; decimals < 3; decimals++)
		frac *= 10;
	if (*p || !digits || sec * 1000 + frac == 0 || sec > 86400) {
		die_msg("--timeout '%s': want seconds, more than 0 and at most 86400, up to three decimals",
			s);
		return -1;
	}
	*ms = sec * 1000 + frac;
	return 0;
}

/*
 * "--opt VALUE" or "--opt=VALUE". Returns the value and advances *i, or
 * NULL if argv[*i] is not this option. *missing is set if the option is
 * there without its value.
 */
static const char *opt_value(char **argv, int argc, int *i, const char *opt,
			     bool *missing)
{
	size_t n = strlen(opt);
	const char *a = argv[*i];

	if (strncmp(a, opt, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const char *const with_value[] = {
		"--mem", "--load", "--entry", "--timeout", "--mode", "--x0",
		"--kernel", "--initrd", "--append", "--cpus",
	};
	int i;

	o->mem_size = 16 * MIB;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		bool missing = false;
		uint64_t n;
		unsigned int k;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose = true;
			continue;
		}
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		for (k = 0; k < sizeof(with_value) / sizeof(*with_value); k++) {
			v = opt_value(argv, argc, &i, with_value[k], &missing);
			if (v || missing)
				break;
		}
		if (missing) {
			die_msg("option %s needs a value (see --help)", a);
			return -1;
		}
		if (!v) {
			die_msg("unknown option '%s' (see --help)", a);
			return -1;
		}
		switch (k) {
		case 0:
			if (parse_u64("--mem", v, &n))
				return -1;
			if (n < 1 || n > arch_max_mem / MIB) {
				die_msg("--mem %s: guest RAM must be 1 to %llu MiB",
					v, (unsigned long long)(arch_max_mem / MIB));
				return -1;
			}
			o->mem_size = n * MIB;
			o->mem_set = true;
			break;
		case 1:
			if (parse_u64("--load", v, &o->load))
				return -1;
			o->load_set = true;
			break;
		case 2:
			if (parse_u64("--entry", v, &o->entry))
				return -1;
			o->entry_set = true;
			break;
		case 3:
			if (parse_timeout(v, &o->timeout_ms))
				return -1;
			o->timeout_arg = v;
			break;
		case 4:
			o->mode = v;
			break;
		case 5:
			if (parse_u64("--x0", v, &o->x0))
				return -1;
			o->x0_set = true;
			break;
		case 6:
			o->kernel = v;
			break;
		case 7:
			o->initrd = v;
			break;
		case 8:
			o->cmdline = v;
			break;
		case 9:
			if (parse_u64("--cpus", v, &n))
				return -1;
			if (n < 1 || n > LINUX_MAX_CPUS) {
				die_msg("--cpus %s: want 1 to %u vCPUs", v,
					LINUX_MAX_CPUS);
				return -1;
			}
			o->cpus = n;
			break;
		}
	}
	if (o->kernel) {
		if (i < argc) {
			die_msg("--kernel boots a kernel; unexpected IMAGE '%s' (see --help)",
				argv[i]);
			return -1;
		}
		if (o->load_set || o->entry_set || o->x0_set || o->mode) {
			die_msg("--load, --entry, --x0 and --mode are for flat images, not --kernel");
			return -1;
		}
		return 0;
	}
	if (o->initrd || o->cmdline || o->cpus) {
		die_msg("--initrd, --append and --cpus need --kernel");
		return -1;
	}
	if (i >= argc) {
		die_msg("no IMAGE given (see --help)");
		return -1;
	}
	if (i + 1 < argc) {
		die_msg("one IMAGE only; unexpected '%s' (see --help)",
			argv[i + 1]);
		return -1;
	}
	o->image = argv[i];
	return 0;
}

void *gpa_to_host(struct machine *m, uint64_t gpa, uint64_t len)
{
	if (gpa < m->ram_base || gpa - m->ram_base > m->ram_size ||
	    len > m->ram_size - (gpa - m->ram_base))
		return NULL;
	return m->ram + (gpa - m->ram_base);
}

/* Opens the image and checks that it fits where it is to be loaded. */
static int open_image(const struct options *o, const struct machine *m,
		      int *fd, off_t *size)
{
	uint64_t ram_end = m->ram_base + m->ram_size;
	struct stat st;

	if (o->load < m->ram_base || o->load >= ram_end) {
		die_msg("load address 0x%llx is outside RAM [0x%llx, 0x%llx)",
			(unsigned long long)o->load,
			(unsigned long long)m->ram_base,
			(unsigned long long)ram_end);
		return -1;
	}
	if (o->entry < m->ram_base || o->entry >= ram_end) {
		die_msg("entry address 0x%llx is outside RAM [0x%llx, 0x%llx)",
			(unsigned long long)o->entry,
			(unsigned long long)m->ram_base,
			(unsigned long long)ram_end);
		return -1;
	}
	*fd = open(o->image, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		die_msg("cannot open image %s: %s", o->image, strerror(errno));
		return -1;
	}
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
		die_msg("image %s is not a regular file", o->image);
		goto err;
	}
	if (st.st_size == 0) {
		die_msg("image %s is empty", o->image);
		goto err;
	}
	if ((uint64_t)st.st_size > ram_end - o->load) {
		die_msg("image %s (%lld bytes) does not fit in RAM: loaded at 0x%llx it would end at 0x%llx, RAM ends at 0x%llx (--mem %llu)",
			o->image, (long long)st.st_size,
			(unsigned long long)o->load,
			(unsigned long long)(o->load + st.st_size),
			(unsigned long long)ram_end,
			(unsigned long long)(m->ram_size / MIB));
		goto err;
	}
	*size = st.st_size;
	return 0;
err:
	close(*fd);
	return -1;
}

static int load_image(struct machine *m, const struct options *o, int fd,
		      off_t size)
{
	uint8_t *dst = gpa_to_host(m, o->load, size);
	off_t done = 0;

	while (done < size) {
		ssize_t r = read(fd, dst + done, size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			die_msg("reading image %s: %s", o->image,
				r ? strerror(errno) : "unexpected end of file");
			return -1;
		}
		done += r;
	}
	return 0;
}

static int open_device(struct machine *m)
{
	int v;

	m->sys_fd = hvk_open_dev();
	if (m->sys_fd < 0) {
		int e = errno;

		if (e == ENOENT || e == ENODEV || e == ENXIO)
			die_msg("cannot open %s: %s: is hvk.ko loaded? (HVK_DEV=%s)",
				m->dev, strerror(e), m->dev);
		else
			die_msg("cannot open %s: %s", m->dev, strerror(e));
		return -1;
	}
	v = ioctl(m->sys_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		die_msg("%s: KVM_GET_API_VERSION gave %d, want %d: not a KVM device?",
			m->dev, v, KVM_API_VERSION);
		return -1;
	}
	return 0;
}

static int create_vm(struct machine *m)
{
	m->vm_fd = ioctl(m->sys_fd, KVM_CREATE_VM, 0);
	if (m->vm_fd < 0) {
		die_msg("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	/* NORESERVE: a large --mem costs only the pages the guest touches. */
	m->ram = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->ram == MAP_FAILED) {
		die_msg("cannot allocate %llu MiB of guest RAM: %s",
			(unsigned long long)(m->ram_size / MIB),
			strerror(errno));
		return -1;
	}
	if (hvk_set_region(m->vm_fd, 0, 0, m->ram_base, m->ram_size,
			   (uintptr_t)m->ram)) {
		die_msg("KVM_SET_USER_MEMORY_REGION (RAM at 0x%llx, %llu MiB): %s",
			(unsigned long long)m->ram_base,
			(unsigned long long)(m->ram_size / MIB),
			strerror(errno));
		return -1;
	}
	if (arch_setup_vm(m))
		return -1;
	m->run_size = ioctl(m->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (m->run_size < (long)sizeof(struct kvm_run)) {
		die_msg("KVM_GET_VCPU_MMAP_SIZE gave %ld", m->run_size);
		return -1;
	}
	/* vCPU 0 and its kvm_run mapping. */
	m->vcpu_fd = hvk_vcpu_create(m->vm_fd, 0, m->run_size, &m->run);
	if (m->vcpu_fd < 0) {
		die_msg("%s: %s", hvk_step(), strerror(errno));
		return -1;
	}
	return 0;
}

const char *exit_reason_name(uint32_t reason)
{
	const char *n = hvk_exit_name(reason);

	return n ? n : "an exit reason unknown to hvk-run";
}

static const char *internal_suberror(uint32_t s)
{
	switch (s) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "instruction emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "exit while delivering an event";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "hardware exit reason the hypervisor does not handle";
	default:
		return "unknown suberror";
	}
}

int common_exit(struct machine *m)
{
	struct kvm_run *run = m->run;
	uint32_t i;

	switch (run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		die_msg("the guest shut down (KVM_EXIT_SHUTDOWN): a triple fault, or an exception with no usable handler");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		die_msg("the hypervisor could not enter the guest (KVM_EXIT_FAIL_ENTRY): hardware reason 0x%llx on CPU %u",
			(unsigned long long)
			run->fail_entry.hardware_entry_failure_reason,
			run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		die_msg("hypervisor internal error (KVM_EXIT_INTERNAL_ERROR): suberror %u, %s",
			run->internal.suberror,
			internal_suberror(run->internal.suberror));
		for (i = 0; i < run->internal.ndata &&
		     i < sizeof(run->internal.data) /
			 sizeof(run->internal.data[0]); i++)
			fprintf(stderr, "  data[%u] = 0x%llx\n", i,
				(unsigned long long)run->internal.data[i]);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			trace(m, "the guest powered off");
			return 0;
		case KVM_SYSTEM_EVENT_RESET:
			die_msg("the guest asked for a system reset; hvk-run does not reboot, it stops here");
			return EXIT_RESET;
		case KVM_SYSTEM_EVENT_CRASH:
			die_msg("the guest reported a crash (KVM_SYSTEM_EVENT_CRASH)");
			break;
		default:
			die_msg("unexpected system event %u (KVM_EXIT_SYSTEM_EVENT)",
				run->system_event.type);
			break;
		}
		break;
	default:
		die_msg("unexpected exit: reason %u (%s)", run->exit_reason,
			exit_reason_name(run->exit_reason));
		break;
	}
	arch_dump_regs(m);
	return EXIT_GUEST_FAILED;
}

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	/* If KVM_RUN is not under way yet, it returns at once. */
	if (alarm_run)
		alarm_run->immediate_exit = 1;
}

static int run_loop(struct machine *m, const struct options *o)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	if (o->timeout_ms) {
		struct itimerval t = {
			.it_value.tv_sec = o->timeout_ms / 1000,
			.it_value.tv_usec = o->timeout_ms % 1000 * 1000,
		};

		alarm_run = m->run;
		/* No SA_RESTART: the signal must end KVM_RUN with EINTR. */
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &t, NULL);
	}
	for (;;) {
		int st;

		if (ioctl(m->vcpu_fd, KVM_RUN, 0) < 0) {
			int e = errno;

			if (e == EINTR && timed_out) {
				die_msg("timeout: the guest did not end within %s s; stopped it",
					o->timeout_arg);
				arch_dump_regs(m);
				return EXIT_TIMEOUT;
			}
			if (e == EINTR || e == EAGAIN)
				continue;
			die_msg("KVM_RUN: %s", strerror(e));
			arch_dump_regs(m);
			return EXIT_GUEST_FAILED;
		}
		st = arch_handle_exit(m);
		if (st != RUN_AGAIN)
			return st;
	}
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct machine m = { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	int img_fd, st;
	off_t img_size;

	setvbuf(stdout, NULL, _IOLBF, 0);
	m.dev = hvk_dev_path();

	if (parse_args(argc, argv, &o))
		return EXIT_USAGE;
	if (o.kernel)
		return linux_main(&o, m.dev);
	m.verbose = o.verbose;
	m.ram_base = arch_ram_base;
	m.ram_size = o.mem_size;
	if (arch_options(&o, &m))
		return EXIT_USAGE;
	if (!o.entry_set)
		o.entry = o.load;
	if (open_image(&o, &m, &img_fd, &img_size))
		return EXIT_USAGE;

	if (open_device(&m) || create_vm(&m))
		return EXIT_HOST;
	if (load_image(&m, &o, img_fd, img_size))
		return EXIT_HOST;
	close(img_fd);
	if (arch_setup_vcpu(&m, &o))
		return EXIT_HOST;
	trace(&m, "%s: %s loaded at 0x%llx (%lld bytes), entry 0x%llx, RAM [0x%llx, 0x%llx)",
	      arch_name, o.image, (unsigned long long)o.load,
	      (long long)img_size, (unsigned long long)o.entry,
	      (unsigned long long)m.ram_base,
	      (unsigned long long)(m.ram_base + m.ram_size));

	st = run_loop(&m, &o);
	flush_output();
	/* Closing the fds and the exit tear the VM down. */
	return st;
}

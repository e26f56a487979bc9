// SPDX-License-Identifier: GPL-2.0
/*
 * hvk-run --kernel: boot a Linux kernel, the arch-neutral part.
 *
 * Everything that can be wrong with the command line (files missing,
 * unreadable, empty, not a kernel, too big for RAM) is found before the
 * device is opened, so it never costs a guest. Then: the VM, its RAM, the
 * in-kernel irqchip (linux_ARCH.c), one vCPU and one thread per CPU, the
 * kernel, initrd and firmware tables in RAM, and the threads run until
 * one of them sees the guest end (power off, reset, a failure) or the
 * timeout expires. The others are then kicked out of KVM_RUN (a signal,
 * with kvm_run.immediate_exit for a kick that lands between two runs) and
 * joined. A thread that is not in the guest blocks nothing: secondary
 * CPUs wait inside KVM_RUN until the guest starts them (PSCI CPU_ON on
 * arm64, INIT/SIPI on x86), which the in-kernel irqchip handles.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "linux.h"

static pthread_mutex_t end_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t end_cond = PTHREAD_COND_INITIALIZER;
static bool ended;
static int end_status;
static volatile sig_atomic_t stopping;
/*
 * The threads (one per vCPU, one for stdin) are created first thing, before
 * the files are read, the VM is made or guest RAM is written, and wait
 * here until run_vcpus() lets them go (or setup failed: then they just
 * end), so no thread is ever cloned beside a vCPU in KVM_RUN. (Tried
 * against a lab kernel WARNING, "Bad FPU state detected at
 * restore_fpregs_from_fpstate", seen in hvk-run under kvm_intel in the
 * 1-CPU x86 lab; it did not cure it: see README.md, "Lab quirk".)
 */
static pthread_mutex_t go_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cond = PTHREAD_COND_INITIALIZER;
static bool go;

void *lgpa(struct lvm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < vm->ram_base || gpa - vm->ram_base > vm->ram_size ||
	    len > vm->ram_size - (gpa - vm->ram_base))
		return NULL;
	return vm->ram + (gpa - vm->ram_base);
}

int lcopy(struct lvm *vm, uint64_t gpa, const void *src, size_t len)
{
	void *dst = lgpa(vm, gpa, len);

	if (!dst) {
		die_msg("internal error: 0x%llx+0x%zx is outside guest RAM",
			(unsigned long long)gpa, len);
		return -1;
	}
	memcpy(dst, src, len);
	return 0;
}

int lfail(const char *what)
{
	die_msg("%s: %s", what, strerror(errno));
	return -1;
}

/* Reads a whole file; -1 with a one-line message if it cannot be used. */
static int read_file(const char *what, const char *path, uint64_t max,
		     uint8_t **data, size_t *size)
{
	struct stat st;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		die_msg("cannot open %s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		die_msg("%s %s is not a regular file", what, path);
		goto err;
	}
	if (st.st_size == 0) {
		die_msg("%s %s is empty", what, path);
		goto err;
	}
	if ((uint64_t)st.st_size > max) {
		die_msg("%s %s (%lld bytes) is bigger than guest RAM (%llu MiB)",
			what, path, (long long)st.st_size,
			(unsigned long long)(max / MIB));
		goto err;
	}
	*data = malloc(st.st_size);
	if (!*data) {
		die_msg("out of memory reading %s %s", what, path);
		goto err;
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, *data + done, st.st_size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			die_msg("reading %s %s: %s", what, path,
				r ? strerror(errno) : "unexpected end of file");
			goto err;
		}
		done += r;
	}
	*size = done;
	close(fd);
	return 0;
err:
	close(fd);
	return -1;
}

static int open_device(struct lvm *vm)
{
	int e;

	vm->sys_fd = open(vm->dev, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		e = errno;
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			die_msg("cannot open %s: %s: is hvk.ko loaded? (HVK_DEV=%s)",
				vm->dev, strerror(e), vm->dev);
		else
			die_msg("cannot open %s: %s", vm->dev, strerror(e));
		return -1;
	}
	if (ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		die_msg("%s: KVM_GET_API_VERSION is not %d: not a KVM device?",
			vm->dev, KVM_API_VERSION);
		return -1;
	}
	/* Checked first so the error names what is missing. */
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0) {
		die_msg("%s does not offer KVM_CAP_IRQCHIP (an in-kernel interrupt controller), which booting Linux needs",
			vm->dev);
		return -1;
	}
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (long)sizeof(struct kvm_run)) {
		die_msg("KVM_GET_VCPU_MMAP_SIZE gave %ld", vm->run_size);
		return -1;
	}
	return 0;
}

static int create_vm(struct lvm *vm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = vm->ram_base,
		.memory_size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	unsigned int i;

	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return lfail("KVM_CREATE_VM");
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region))
		return lfail("KVM_SET_USER_MEMORY_REGION");
	if (larch_setup_vm(vm))
		return -1;
	for (i = 0; i < vm->ncpus; i++) {
		struct lvcpu *c = &vm->vcpu[i];

		c->id = i;
		c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (c->fd < 0)
			return lfail("KVM_CREATE_VCPU");
		c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, c->fd, 0);
		if (c->run == MAP_FAILED) {
			c->run = NULL;
			return lfail("mmap of a vCPU's kvm_run");
		}
		if (larch_setup_vcpu(vm, c))
			return -1;
	}
	return larch_boot(vm);
}

/* The first thread to call this decides the exit status. */
static void end_run(int status)
{
	pthread_mutex_lock(&end_lock);
	if (!ended) {
		ended = true;
		end_status = status;
		stopping = 1;
		pthread_cond_signal(&end_cond);
	}
	pthread_mutex_unlock(&end_lock);
}

int linux_common_exit(struct lvm *vm, struct lvcpu *c)
{
	struct machine m = {
		.dev = vm->dev, .sys_fd = vm->sys_fd, .vm_fd = vm->vm_fd,
		.vcpu_fd = c->fd, .run = c->run, .run_size = vm->run_size,
		.ram = vm->ram, .ram_base = vm->ram_base,
		.ram_size = vm->ram_size, .verbose = vm->verbose,
	};
	int st;

	/* Only one vCPU reports; the others are being stopped. */
	pthread_mutex_lock(&vm->dev_lock);
	if (stopping) {
		pthread_mutex_unlock(&vm->dev_lock);
		return 0;
	}
	if (vm->ncpus > 1 && (c->run->exit_reason != KVM_EXIT_SYSTEM_EVENT ||
			      c->run->system_event.type == KVM_SYSTEM_EVENT_CRASH))
		fprintf(stderr, "hvk-run: vCPU %u:\n", c->id);
	st = common_exit(&m);
	pthread_mutex_unlock(&vm->dev_lock);
	return st;
}

static void on_kick(int sig)
{
	(void)sig;
}

struct thread_arg {
	struct lvm *vm;
	struct lvcpu *c;
};

static void *vcpu_main(void *p)
{
	struct thread_arg *a = p;
	struct lvm *vm = a->vm;
	struct lvcpu *c = a->c;
	int st;

	pthread_mutex_lock(&go_lock);
	while (!go)
		pthread_cond_wait(&go_cond, &go_lock);
	pthread_mutex_unlock(&go_lock);
	while (!stopping && c->run) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			int e = errno;

			if (e == EINTR || e == EAGAIN)
				continue;
			if (stopping)
				break;
			pthread_mutex_lock(&vm->dev_lock);
			die_msg("vCPU %u: KVM_RUN: %s", c->id, strerror(e));
			pthread_mutex_unlock(&vm->dev_lock);
			end_run(EXIT_GUEST_FAILED);
			break;
		}
		st = larch_exit(vm, c);
		if (st != RUN_AGAIN) {
			end_run(st);
			break;
		}
	}
	return NULL;
}

/* stdin to the guest's UART, as long as there is any. */
static void *input_main(void *p)
{
	struct lvm *vm = p;
	uint8_t buf[64];

	pthread_mutex_lock(&go_lock);
	while (!go)
		pthread_cond_wait(&go_cond, &go_lock);
	pthread_mutex_unlock(&go_lock);
	while (!stopping) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		size_t room;
		ssize_t n;

		pthread_mutex_lock(&vm->dev_lock);
		room = larch_input_room(vm);
		pthread_mutex_unlock(&vm->dev_lock);
		if (!room) {
			usleep(10000);
			continue;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(0, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n <= 0)
			break;
		pthread_mutex_lock(&vm->dev_lock);
		larch_input(vm, buf, n);
		pthread_mutex_unlock(&vm->dev_lock);
	}
	return NULL;
}

static struct thread_arg thread_args[LINUX_MAX_CPUS];
static pthread_t input_thread;
static bool have_input;

static void start_threads(struct lvm *vm)
{
	struct sigaction sa = { .sa_handler = on_kick };
	unsigned int i;

	/* No SA_RESTART: the kick must end KVM_RUN with EINTR. */
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < vm->ncpus; i++) {
		vm->vcpu[i].fd = -1;
		thread_args[i] = (struct thread_arg){ vm, &vm->vcpu[i] };
		if (pthread_create(&vm->vcpu[i].thread, NULL, vcpu_main,
				   &thread_args[i])) {
			die_msg("cannot create the thread of vCPU %u", i);
			end_run(EXIT_HOST);
			break;
		}
		vm->vcpu[i].started = true;
	}
	have_input = !pthread_create(&input_thread, NULL, input_main, vm);
}

static void release_threads(void)
{
	pthread_mutex_lock(&go_lock);
	go = true;
	pthread_cond_broadcast(&go_cond);
	pthread_mutex_unlock(&go_lock);
}

/* Kick every vCPU out of the guest and wait for all threads. */
static void stop_threads(struct lvm *vm)
{
	unsigned int i;

	stopping = 1;
	release_threads();
	for (i = 0; i < vm->ncpus; i++) {
		if (!vm->vcpu[i].started)
			continue;
		if (vm->vcpu[i].run)
			vm->vcpu[i].run->immediate_exit = 1;
		pthread_kill(vm->vcpu[i].thread, SIGUSR1);
	}
	for (i = 0; i < vm->ncpus; i++)
		if (vm->vcpu[i].started)
			pthread_join(vm->vcpu[i].thread, NULL);
	if (have_input)
		pthread_join(input_thread, NULL);
}

static int run_vcpus(struct lvm *vm, const struct options *o)
{
	struct timespec deadline;
	unsigned int i;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += o->timeout_ms / 1000;
	deadline.tv_nsec += (long)(o->timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	release_threads();

	pthread_mutex_lock(&end_lock);
	while (!ended && rc != ETIMEDOUT) {
		if (o->timeout_ms)
			rc = pthread_cond_timedwait(&end_cond, &end_lock,
						    &deadline);
		else
			pthread_cond_wait(&end_cond, &end_lock);
	}
	pthread_mutex_unlock(&end_lock);
	if (rc == ETIMEDOUT && !ended) {
		end_run(EXIT_TIMEOUT);
		pthread_mutex_lock(&vm->dev_lock);
		die_msg("timeout: the guest did not end within %s s; stopped it",
			o->timeout_arg);
		pthread_mutex_unlock(&vm->dev_lock);
	}

	stop_threads(vm);

	if (end_status == EXIT_TIMEOUT) {
		for (i = 0; i < vm->ncpus; i++) {
			struct machine m = {
				.vcpu_fd = vm->vcpu[i].fd,
				.run = vm->vcpu[i].run, .ram = vm->ram,
				.ram_base = vm->ram_base,
				.ram_size = vm->ram_size,
			};

			fprintf(stderr, "hvk-run: vCPU %u:\n", i);
			arch_dump_regs(&m);
		}
	}
	return end_status;
}

static int linux_setup(struct lvm *vm, const struct options *o);

int linux_main(const struct options *o, const char *dev)
{
	struct lvm *vm = calloc(1, sizeof(*vm));
	int st;

	if (!vm) {
		die_msg("out of memory");
		return EXIT_HOST;
	}
	*vm = (struct lvm){
		.dev = dev, .sys_fd = -1, .vm_fd = -1,
		.ram_base = larch_ram_base,
		.ram_size = o->mem_set ? o->mem_size : LINUX_DEFAULT_MEM,
		.ncpus = o->cpus ? o->cpus : 1,
		.verbose = o->verbose,
		.kernel_path = o->kernel, .initrd_path = o->initrd,
		.cmdline = o->cmdline ? o->cmdline : larch_default_cmdline,
	};
	pthread_mutex_init(&vm->dev_lock, NULL);
	start_threads(vm);
	st = linux_setup(vm, o);
	if (st) {
		stop_threads(vm);
		return st;
	}
	trace(&(struct machine){ .verbose = vm->verbose },
	      "booting %s (%zu bytes)%s%s with %u vCPU(s), %llu MiB, command line \"%s\"",
	      o->kernel, vm->kernel_size, o->initrd ? ", initrd " : "",
	      o->initrd ? o->initrd : "", vm->ncpus,
	      (unsigned long long)(vm->ram_size / MIB), vm->cmdline);
	st = run_vcpus(vm, o);
	flush_output();
	return st;
}

/* Everything before the vCPUs run: 0 or hvk-run's exit status. */
static int linux_setup(struct lvm *vm, const struct options *o)
{
	if (vm->ram_size < larch_min_mem) {
		die_msg("--mem %llu: booting Linux needs at least %llu MiB",
			(unsigned long long)(vm->ram_size / MIB),
			(unsigned long long)(larch_min_mem / MIB));
		return EXIT_USAGE;
	}
	if (read_file("kernel", o->kernel, vm->ram_size, &vm->kernel,
		      &vm->kernel_size))
		return EXIT_USAGE;
	if (o->initrd && read_file("initrd", o->initrd, vm->ram_size,
				   &vm->initrd, &vm->initrd_size))
		return EXIT_USAGE;
	if (larch_check(vm))
		return EXIT_USAGE;

	/* NORESERVE: RAM costs only the pages the guest touches. */
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		die_msg("cannot allocate %llu MiB of guest RAM: %s",
			(unsigned long long)(vm->ram_size / MIB),
			strerror(errno));
		return EXIT_HOST;
	}
	if (open_device(vm) || create_vm(vm))
		return EXIT_HOST;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libhvk: KVM_RUN with a time limit, and the run-and-check-exit loop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "libhvk.h"
#include "internal.h"

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

/* Our SIGALRM handler, without SA_RESTART: KVM_RUN returns -EINTR. */
static void set_alarm(unsigned int ms)
{
	struct itimerval it = {
		.it_value = { ms / 1000, (ms % 1000) * 1000 },
	};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm_fired = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

int hvk_vcpu_run(struct hvk_vcpu *c, unsigned int limit_ms)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	int r, err;

	if (limit_ms)
		set_alarm(limit_ms);
	r = ioctl(c->fd, KVM_RUN, 0);
	err = errno;
	if (limit_ms)
		setitimer(ITIMER_REAL, &off, NULL);
	errno = err;
	if (r < 0)
		return hvk_fail(limit_ms && err == EINTR && alarm_fired ?
				"time limit" : "KVM_RUN");
	return r;
}

int hvk_run_loop(struct hvk_vcpu *c, unsigned int limit_ms,
		 int restart_eintr, hvk_exit_fn *fn, void *ctx)
{
	int r;

	for (;;) {
		r = hvk_vcpu_run(c, limit_ms);
		if (r < 0) {
			if (errno == EINTR && restart_eintr && !alarm_fired)
				continue;
			return -1;
		}
		r = fn(c, ctx);
		if (r != HVK_RUN_AGAIN)
			return r;
	}
}

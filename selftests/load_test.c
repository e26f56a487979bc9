// SPDX-License-Identifier: GPL-2.0
/*
 * Module load refusal: hvk must not load while another hypervisor owns
 * the hardware, and must say why in the kernel log.
 *
 * Runs in the lab with --kvm (HVK_LAB_KVM=1): the in-tree KVM is loaded and
 * /hvk.ko ($HVK_KO) is not. On x86 a VM on /dev/kvm makes KVM 6.1 turn VMX
 * on (CR4.VMXE) on every CPU; on arm64 the built-in KVM owns EL2 from boot.
 * Either way finit_module(hvk.ko) must fail with EBUSY and leave an
 * "hvk:" line in the log. Against hvk itself (HVK_LAB_KVM=0) the refusal
 * cannot be provoked; the test skips.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "lib.h"

/* Seek /dev/kmsg to its end; the fd, or -1. */
static int kmsg_open_at_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Copy the text of every kernel log record since kmsg_open_at_end() that
 * contains @needle, except the module loader's taint notices, into @out
 * (joined by " | ": one TAP comment line); the number found.
 */
static int kmsg_grep(int fd, const char *needle, char *out, size_t outsz)
{
	char rec[8192];
	int found = 0;
	size_t used = 0;

	out[0] = 0;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *text, *end;

		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n <= 0)
			break;		/* EAGAIN: no more records */
		rec[n] = 0;
		/* "prio,seq,usec,flags;text\n" then continuation lines */
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		end = strchr(text, '\n');
		if (end)
			*end = 0;
		if (!strstr(text, needle))
			continue;
		/* The module loader's own lines name the module too. */
		if (strstr(text, "taints kernel") ||
		    strstr(text, "tainting kernel"))
			continue;
		found++;
		if (used + strlen(text) + 4 < outsz)
			used += snprintf(out + used, outsz - used, "%s%s",
					 used ? " | " : "", text);
	}
	return found;
}

static int finit_module(int fd, const char *params, int flags)
{
	return syscall(SYS_finit_module, fd, params, flags);
}

TEST(refused_while_kvm_owns_the_hardware)
{
	const char *ko = getenv("HVK_KO");
	char lines[2048];
	int sys, vm, kofd, kmsg, r, err, found;

	if (!hvk_lab_kvm())
		SKIP(return, "HVK_LAB_KVM is not 1: running against hvk "
		     "(already loaded), not the in-tree KVM; load refusal is "
		     "tested under tools/lab/run --kvm");
	if (!ko || !*ko)
		ko = "/hvk.ko";
	kofd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, kofd) TH_LOG("open(%s): %s", ko, strerror(errno));

	/* x86: the first VM turns VMX on (KVM 6.1 hardware_enable_all). */
	sys = hvk_open_dev();
	ASSERT_LE(0, sys)
		TH_LOG("open(%s): %s", hvk_dev_path(), strerror(errno));
	ASSERT_OK(vm, ioctl(sys, KVM_CREATE_VM, 0), "KVM_CREATE_VM on KVM");

	kmsg = kmsg_open_at_end();
	ASSERT_LE(0, kmsg) TH_LOG("open /dev/kmsg: %s", strerror(errno));

	errno = 0;
	r = finit_module(kofd, "", 0);
	err = errno;
	if (r == 0) {
		/* Put things back before failing: unload the stray hvk. */
		syscall(SYS_delete_module, "hvk", O_NONBLOCK);
	}
	EXPECT_EQ(-1, r)
		TH_LOG("finit_module(%s) with KVM active must fail, but hvk "
		       "loaded (now unloaded again)", ko);
	EXPECT_EQ(EBUSY, err)
		TH_LOG("finit_module(%s) with KVM active: expected EBUSY, got "
		       "%s", ko, hvk_errname(err));

	found = kmsg_grep(kmsg, "hvk:", lines, sizeof(lines));
	EXPECT_LT(0, found)
		TH_LOG("the kernel log must have an \"hvk:\" line saying why "
		       "the load was refused; none since finit_module");
	if (found)
		TH_LOG("kernel log: %s", lines);

	close(kmsg);
	close(vm);
	close(sys);
	close(kofd);
}

TEST(second_load_eexist)
{
	const char *ko = getenv("HVK_KO");
	int kofd;

	if (hvk_lab_kvm())
		SKIP(return, "HVK_LAB_KVM is 1: hvk is not loaded under --kvm");
	if (!ko || !*ko)
		ko = "/hvk.ko";
	kofd = open(ko, O_RDONLY | O_CLOEXEC);
	if (kofd < 0)
		SKIP(return, "no hvk module file at %s", ko);
	ASSERT_LE(0, open(hvk_dev_path(), O_RDWR | O_CLOEXEC))
		TH_LOG("hvk must be loaded: open(%s): %s", hvk_dev_path(),
		       strerror(errno));
	EXPECT_ERRNO(finit_module(kofd, "", 0), EEXIST,
		     "loading %s while hvk is loaded", ko);
	close(kofd);
}

TEST_HARNESS_MAIN

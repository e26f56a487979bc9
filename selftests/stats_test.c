// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_STATS_FD on VM and vCPU fds: KVM's binary layout (the checks
 * of the upstream kvm_binary_stats_test: header, id string, descriptor
 * fields, non-overlapping blocks, bulk and per-statistic reads agree),
 * read() and pread() windows, the fd keeping its VM alive, and counters
 * that exist under both hypervisors. Counters moving with guest exits
 * are checked by the ARCH_iobus_test guests.
 */
#include "kselftest_harness.h"
#include "lib.h"

FIXTURE(stats) {
	int sys, vm, vcpu;
};

FIXTURE_SETUP(stats)
{
	self->sys = hvk_open_dev();
	ASSERT_LE(0, self->sys);
	self->vm = ioctl(self->sys, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	self->vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu);
}

FIXTURE_TEARDOWN(stats)
{
	close(self->vcpu);
	close(self->vm);
	close(self->sys);
}

static void check_layout(struct __test_metadata *_metadata, int fd,
			 const char *want_id)
{
	struct kvm_stats_header h;
	size_t dsz, data_size = 0;
	uint64_t *data, one;
	char id[256], *descs;
	uint32_t i;

	ASSERT_EQ(sizeof(h), read(fd, &h, sizeof(h)));
	EXPECT_EQ(0, h.flags);
	ASSERT_TRUE(h.name_size > 0 && h.name_size <= sizeof(id));
	ASSERT_LT(0, h.num_desc);
	/* A sequential read goes on with the id string. */
	ASSERT_EQ(h.name_size, read(fd, id, h.name_size));
	ASSERT_LT(strnlen(id, h.name_size), h.name_size);
	EXPECT_EQ(0, strcmp(id, want_id)) TH_LOG("id \"%s\", expected \"%s\"",
					       id, want_id);
	EXPECT_EQ(sizeof(h), h.id_offset);
	ASSERT_GE(h.desc_offset, sizeof(h));
	ASSERT_GE(h.data_offset, sizeof(h));
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	ASSERT_TRUE(h.desc_offset > h.data_offset ||
		    h.desc_offset + dsz * h.num_desc <= h.data_offset);

	descs = malloc(dsz * h.num_desc);
	ASSERT_NE(NULL, descs);
	ASSERT_EQ((ssize_t)(dsz * h.num_desc),
		  pread(fd, descs, dsz * h.num_desc, h.desc_offset));
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);
		uint32_t type = d->flags & KVM_STATS_TYPE_MASK;
		uint32_t unit = d->flags & KVM_STATS_UNIT_MASK;

		EXPECT_LT(strnlen(d->name, h.name_size), h.name_size);
		EXPECT_LE(type, KVM_STATS_TYPE_MAX);
		EXPECT_LE(unit, KVM_STATS_UNIT_MAX);
		EXPECT_LE(d->flags & KVM_STATS_BASE_MASK, KVM_STATS_BASE_MAX);
		if (unit == KVM_STATS_UNIT_SECONDS) {
			EXPECT_LE(d->exponent, 0);
		} else {
			EXPECT_GE(d->exponent, 0);
		}
		EXPECT_NE(0, d->size) TH_LOG("%s", d->name);
		if (type == KVM_STATS_TYPE_LINEAR_HIST) {
			EXPECT_NE(0, d->bucket_size) TH_LOG("%s", d->name);
		} else {
			EXPECT_EQ(0, d->bucket_size) TH_LOG("%s", d->name);
		}
		data_size += d->size * sizeof(uint64_t);
	}
	ASSERT_TRUE(h.data_offset >= h.desc_offset ||
		    h.data_offset + data_size <= h.desc_offset);
	data = malloc(data_size);
	ASSERT_NE(NULL, data);
	ASSERT_EQ((ssize_t)data_size, pread(fd, data, data_size, h.data_offset));
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);

		ASSERT_LT(d->offset, data_size) TH_LOG("%s", d->name);
		/* One by one, as the bulk read saw it (a counter at rest). */
		ASSERT_EQ(sizeof(one),
			  pread(fd, &one, sizeof(one), h.data_offset + d->offset));
		if (d->flags == (KVM_STATS_TYPE_CUMULATIVE |
				 KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10))
			EXPECT_EQ(data[d->offset / 8], one) TH_LOG("%s", d->name);
	}
	/* Past the end: nothing, no error. */
	EXPECT_EQ(0, pread(fd, &one, sizeof(one), h.data_offset + data_size));
	free(data);
	free(descs);
}

TEST_F(stats, vm_layout)
{
	char id[64];
	int fd = ioctl(self->vm, KVM_GET_STATS_FD, 0);

	ASSERT_LE(0, fd) TH_LOG("KVM_GET_STATS_FD: %s", hvk_errname(errno));
	snprintf(id, sizeof(id), "kvm-%d", getpid());
	check_layout(_metadata, fd, id);
	close(fd);
}

TEST_F(stats, vcpu_layout)
{
	char id[64];
	int fd = ioctl(self->vcpu, KVM_GET_STATS_FD, 0);

	ASSERT_LE(0, fd) TH_LOG("KVM_GET_STATS_FD: %s", hvk_errname(errno));
	snprintf(id, sizeof(id), "kvm-%d/vcpu-0", getpid());
	check_layout(_metadata, fd, id);
	close(fd);
}

TEST_F(stats, capability_and_fd_flags)
{
	int fd = ioctl(self->vm, KVM_GET_STATS_FD, 0);
	char c;

	EXPECT_EQ(1, hvk_cap(self->sys, KVM_CAP_BINARY_STATS_FD));
	ASSERT_LE(0, fd);
	/* Read-only, close-on-exec. */
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(1, read(fd, &c, 1));
	close(fd);
}

/* A stats fd keeps its VM: readable after every other fd is closed. */
TEST_F(stats, fd_outlives_the_vm_fds)
{
	int vfd = ioctl(self->vcpu, KVM_GET_STATS_FD, 0);
	int mfd = ioctl(self->vm, KVM_GET_STATS_FD, 0);
	uint64_t v = ~0ULL;
	char id[64];

	ASSERT_LE(0, vfd);
	ASSERT_LE(0, mfd);
	close(self->vcpu);
	close(self->vm);
	self->vcpu = self->vm = -1;
	EXPECT_EQ(0, hvk_stat(vfd, "exits", &v));
	EXPECT_EQ(0, v) TH_LOG("a vCPU that never ran has no exits");
	snprintf(id, sizeof(id), "kvm-%d", getpid());
	check_layout(_metadata, mfd, id);
	close(vfd);
	close(mfd);
}

TEST_HARNESS_MAIN

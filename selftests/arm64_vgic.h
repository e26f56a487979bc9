/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vGICv3 helpers for the arm64 selftests (arm64_vgic*_test.c): the
 * device, its addresses (QEMU virt's layout) and register access through
 * the device attributes, and the GIC system register names for guest
 * code (generic encodings: every assembler takes them).
 *
 * Include after "kselftest_harness.h", "lib.h" and "arm64_guest.h".
 */
#ifndef HVK_ARM64_VGIC_H
#define HVK_ARM64_VGIC_H

#define VG_DIST		0x08000000
#define VG_REDIST	0x080a0000

#define ICC_SRE_EL1	"S3_0_C12_C12_5"
#define ICC_PMR_EL1	"S3_0_C4_C6_0"
#define ICC_IGRPEN1_EL1	"S3_0_C12_C12_7"
#define ICC_IAR1_EL1	"S3_0_C12_C12_0"
#define ICC_EOIR1_EL1	"S3_0_C12_C12_1"
#define ICC_SGI1R_EL1	"S3_0_C12_C11_5"

static inline int vg_attr(int fd, unsigned long req, uint32_t group,
			  uint64_t attr, void *val)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (uintptr_t)val,
	};

	return ioctl(fd, req, &a);
}

/* KVM_CREATE_DEVICE of a vGICv3 on @vm: the device fd. */
static inline int __vg_create(int vm, int *err)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	int r;

	r = ioctl(vm, KVM_CREATE_DEVICE, &cd);
	*err = errno;
	return r ? -1 : (int)cd.fd;
}

#define vg_create(m, vm) __vg_create_ok(m, vm)
static inline int __vg_create_ok(struct __test_metadata *_metadata, int vm)
{
	int fd, err;

	fd = __vg_create(vm, &err);
	ASSERT_LE(0, fd) TH_LOG("KVM_CREATE_DEVICE(VGIC_V3): %s",
				hvk_errname(err));
	return fd;
}

static inline void vg_set_addrs(struct __test_metadata *_metadata, int gic)
{
	uint64_t d = VG_DIST, r = VG_REDIST;

	ASSERT_EQ(0, vg_attr(gic, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			     KVM_VGIC_V3_ADDR_TYPE_DIST, &d))
		TH_LOG("set DIST: %s", hvk_errname(errno));
	ASSERT_EQ(0, vg_attr(gic, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
			     KVM_VGIC_V3_ADDR_TYPE_REDIST, &r))
		TH_LOG("set REDIST: %s", hvk_errname(errno));
}

static inline void vg_init(struct __test_metadata *_metadata, int gic)
{
	ASSERT_EQ(0, vg_attr(gic, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
			     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
		TH_LOG("CTRL_INIT: %s", hvk_errname(errno));
}

/* The DIST_REGS / REDIST_REGS attr of @off (vCPU index = Aff0 @cpu). */
#define VG_REG(cpu, off)	(((uint64_t)(cpu) << 32) | (off))

static inline uint32_t vg_get(struct __test_metadata *_metadata, int gic,
			      uint32_t group, uint64_t attr)
{
	uint32_t v = 0xdeadbeef;

	EXPECT_EQ(0, vg_attr(gic, KVM_GET_DEVICE_ATTR, group, attr, &v))
		TH_LOG("get group %u attr %#llx: %s", group,
		       (unsigned long long)attr, hvk_errname(errno));
	return v;
}

#define vg_dist_get(m, gic, off) \
	vg_get(m, gic, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, (off))
#define vg_redist_get(m, gic, cpu, off) \
	vg_get(m, gic, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, VG_REG(cpu, off))

#endif /* HVK_ARM64_VGIC_H */

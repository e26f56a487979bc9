// SPDX-License-Identifier: GPL-2.0
/*
 * libhvk, arm64: ONE_REG access and vCPU initialisation with the VM's
 * preferred target.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "libhvk.h"
#include "internal.h"

int hvk_arm64_get_reg(int vcpu, uint64_t id, void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu, KVM_GET_ONE_REG, &r) ?
	       hvk_fail("KVM_GET_ONE_REG") : 0;
}

int hvk_arm64_set_reg(int vcpu, uint64_t id, const void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu, KVM_SET_ONE_REG, &r) ?
	       hvk_fail("KVM_SET_ONE_REG") : 0;
}

int hvk_arm64_vcpu_init(int vm, int vcpu, uint32_t features)
{
	struct kvm_vcpu_init init;

	memset(&init, 0, sizeof(init));
	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init))
		return hvk_fail("KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= features;
	if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init))
		return hvk_fail("KVM_ARM_VCPU_INIT");
	return 0;
}

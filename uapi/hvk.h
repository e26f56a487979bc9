/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvk's own userspace ABI, beyond <linux/kvm.h>.
 *
 * hvk speaks the KVM API: same ioctl numbers, structs, exit reasons and
 * errnos, so a KVM client drives /dev/hvk unmodified. Anything hvk adds
 * that KVM does not have is defined here and nowhere else, so a client
 * that uses only <linux/kvm.h> never depends on it.
 */
#ifndef _UAPI_HVK_H
#define _UAPI_HVK_H

/*
 * The device: its misc device name, its node, and the environment
 * variable hvk's tools and tests read to pick another node (the in-tree
 * KVM's /dev/kvm, for comparisons). libhvk (tools/lib) opens
 * $HVK_DEV_ENV, else HVK_DEV_PATH.
 */
#define HVK_DEV_NAME	"hvk"
#define HVK_DEV_PATH	"/dev/" HVK_DEV_NAME
#define HVK_DEV_ENV	"HVK_DEV"

#endif /* _UAPI_HVK_H */

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

/* The device node, and the variable tests read to pick another one. */
#define HVK_DEV_PATH	"/dev/hvk"
#define HVK_DEV_ENV	"HVK_DEV"

#endif /* _UAPI_HVK_H */

# SPDX-License-Identifier: GPL-2.0
#
# ARCH as the kernel (x86, arm64) or uname -m (x86_64, aarch64) spells
# it, normalized to x86_64 or arm64, and the cross prefix that builds for
# it from this x86-64 host. Included by tools/lib, selftests and
# tools/fuzz; an empty ARCH stays empty (the includer picks a default).

ifeq ($(ARCH),x86)
override ARCH := x86_64
endif
ifeq ($(ARCH),aarch64)
override ARCH := arm64
endif
ifeq ($(ARCH),arm64)
HVK_CROSS := aarch64-linux-gnu-
else
HVK_CROSS :=
endif

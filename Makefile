# SPDX-License-Identifier: GPL-2.0
#
#   make                      build hvk.ko for the running kernel
#   make KDIR=HEADERS         ... against a kernel headers/build directory
#   make KDIR=HEADERS ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
#                             cross-build the arm64 module
#   make W=1                  with the kernel's extra warnings
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

.PHONY: all modules clean

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module-level checks that need a shell rather than a C test: run in the
# lab guest after the selftests, against hvk only (HVK_MODULE=hvk). TAP.
#
#   - the load message and what the arch probe found are in the log
#   - /dev/hvk is a root-only character device
#   - modinfo documents the parameters; a bad parameter refuses the load
#   - CPU hotplug (when there is a second CPU) keeps hvk working
#   - a suspend/resume cycle (where the machine has suspend to RAM)
#   - rmmod frees everything and a reload works again
#
# Uses hvk-info (tools/hvk-info) from the working directory.

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
check() { # check "description" command...
	desc=$1; shift
	if "$@" >/tmp/check.out 2>&1; then ok "$desc"; else
		notok "$desc"; sed 's/^/# /' /tmp/check.out; fi
}

echo "TAP version 13"
if [ "$HVK_MODULE" != hvk ]; then
	echo "1..0 # SKIP module checks are for hvk; the device here is $HVK_DEV"
	exit 0
fi
# The plan comes last (TAP allows it): the checks depend on the machine.

check "load message: /dev/hvk ready" sh -c 'dmesg | grep -q "hvk: /dev/hvk ready"'
case "$HVK_LAB_ARCH" in
x86_64) check "load message: VMX taken (VMXON) on every online CPU" \
	sh -c 'dmesg | grep "hvk:" | grep -qi "vmxon\|vmx on\|vmx enabled"' ;;
arm64) check "load message: EL2 with VHE, IPA limit, VMID bits logged" \
	sh -c 'dmesg | grep -q "hvk: EL2 with VHE on .* IPA limit .* VMIDs"' ;;
esac
check "/dev/hvk is a character device, mode 0600" \
	sh -c 'ls -l /dev/hvk | grep -q "^crw------- "'
# busybox modinfo wants modules.dep: read the .modinfo strings directly.
check "modinfo documents max_vcpus; it reads 64 in sysfs" \
	sh -c 'strings "$HVK_KO" | grep -q "^parm=max_vcpus:.*KVM_CAP_MAX_VCPUS" &&
	       [ "$(cat /sys/module/hvk/parameters/max_vcpus)" = 64 ]'
check "hvk-info: a VM's whole life through /dev/hvk" ./hvk-info

# Guests that never exit on their own: hvk must get the CPU back anyway
# (x86: the VMX-preemption timer; arm64: host interrupts route to EL2).
# Not run under the in-tree KVM: kvm_intel in Bochs never returns from
# such a guest (see LAB.md), which is the point of checking hvk here.
run=./$HVK_LAB_ARCH/hvk-run
spin=./$HVK_LAB_ARCH/spin-irqoff.bin
check "a guest spinning with interrupts masked ends on a signal (hvk-run --timeout 0.2: status 124)" \
	sh -c "$run --timeout 0.2 $spin 2>/dev/null; [ \$? -eq 124 ]"
check "kill -9 of a VMM whose guest spins with interrupts masked" \
	sh -c "$run $spin 2>/dev/null & p=\$!; sleep 0.3; kill -9 \$p; wait \$p;
	       [ \$? -eq 137 ]"

if [ "$(cat /sys/devices/system/cpu/online)" != 0 ] &&
   [ -e /sys/devices/system/cpu/cpu1/online ]; then
	check "CPU 1 goes offline with hvk loaded" \
		sh -c 'echo 0 > /sys/devices/system/cpu/cpu1/online'
	check "CPU 1 comes back online with hvk loaded" \
		sh -c 'echo 1 > /sys/devices/system/cpu/cpu1/online'
	check "hvk works after hotplug" ./hvk-info
	check "CPU 1 offline and back while two guests spin on it and CPU 0" \
		sh -c "$run $spin 2>/dev/null & p=\$!; $run $spin 2>/dev/null & q=\$!;
		       sleep 0.3; echo 0 > /sys/devices/system/cpu/cpu1/online &&
		       sleep 0.2; echo 1 > /sys/devices/system/cpu/cpu1/online;
		       r=\$?; sleep 0.2; kill -0 \$p \$q || r=1;
		       kill -9 \$p \$q; wait; [ \$r -eq 0 ]"
	check "guests run again after that hotplug" \
		sh -c "$run --timeout 0.2 $spin 2>/dev/null; [ \$? -eq 124 ]"
else
	for i in 1 2 3 4 5; do
		skip "one CPU: no hotplug to test"
	done
fi

# Suspend to RAM up to the point where the machine would sleep
# (pm_test=core): on x86 VMX goes off on every CPU and back on at resume.
# (arm64 keeps no per-CPU EL2 state, and QEMU's virt board refuses it.)
# pm_test_delay=0: the default 5 s busy-wait is minutes under Bochs.
if [ "$HVK_LAB_ARCH" = x86_64 ] && grep -qw mem /sys/power/state; then
	check "suspend/resume cycle (pm_test=core), then hvk works" \
		sh -c 'echo 0 > /sys/module/suspend/parameters/pm_test_delay &&
		       echo core > /sys/power/pm_test &&
		       echo mem > /sys/power/state &&
		       echo none > /sys/power/pm_test && ./hvk-info &&
		       dmesg | grep -q "hvk: CPU0: VMX on again after resume"'
else
	skip "suspend is checked on x86 only (arm64 keeps no per-CPU EL2 state)"
fi

check "rmmod hvk with no fd open" rmmod hvk
check "/dev/hvk gone after rmmod" sh -c '! test -e /dev/hvk'
check "insmod max_vcpus=0 is refused" sh -c '! insmod "$HVK_KO" max_vcpus=0 &&
	dmesg | grep -q "hvk: max_vcpus=0 out of range"'
check "reload hvk and use it again" sh -c 'insmod "$HVK_KO" && ./hvk-info'

echo "1..$n"
[ $fails -eq 0 ]

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
echo "1..12"

if [ "$HVK_MODULE" != hvk ]; then
	i=0
	while [ $i -lt 12 ]; do
		skip "module checks are for hvk; the device here is $HVK_DEV"
		i=$((i + 1))
	done
	exit 0
fi

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

if [ "$(cat /sys/devices/system/cpu/online)" != 0 ] &&
   [ -e /sys/devices/system/cpu/cpu1/online ]; then
	check "CPU 1 goes offline with hvk loaded" \
		sh -c 'echo 0 > /sys/devices/system/cpu/cpu1/online'
	check "CPU 1 comes back online with hvk loaded" \
		sh -c 'echo 1 > /sys/devices/system/cpu/cpu1/online'
	check "hvk works after hotplug" ./hvk-info
else
	skip "one CPU: no hotplug to test"
	skip "one CPU: no hotplug to test"
	skip "one CPU: no hotplug to test"
fi

check "rmmod hvk with no fd open" rmmod hvk
check "/dev/hvk gone after rmmod" sh -c '! test -e /dev/hvk'
check "insmod max_vcpus=0 is refused" sh -c '! insmod "$HVK_KO" max_vcpus=0 &&
	dmesg | grep -q "hvk: max_vcpus=0 out of range"'
check "reload hvk and use it again" sh -c 'insmod "$HVK_KO" && ./hvk-info'

[ $fails -eq 0 ]

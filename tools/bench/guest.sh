#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tools/bench/guest.sh: the guest side of tools/bench/run (busybox sh, in
# the lab's /work next to exitcost).
#
#   guest.sh one  [EXITCOST ARGS...]   measure $HVK_DEV (the lab's choice)
#   guest.sh both [EXITCOST ARGS...]   x86 with --kvm-modules: measure the
#                                      in-tree KVM, then hvk, in this boot
#
# "both" runs KVM first (rmmod hvk, insmod $HVK_LAB_KVM_MODULES), then
# unloads it and measures hvk (insmod $HVK_KO): should hvk hang or crash
# the guest, KVM's figures are already out. A step that fails turns that
# column's rows into "n/a (reason)" through exitcost --unavailable.

mode=${1:-}
[ $# -gt 0 ] && shift

# 2 MiB rows: hugetlb pages, reserved now while memory is unfragmented
# (exitcost falls back to THP if this yields too few).
echo 64 >/proc/sys/vm/nr_hugepages 2>/dev/null
echo "HVK-BENCH: info hugetlb_pages=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null)"

modname() { # /lab/kvm/03-kvm-intel.ko -> kvm_intel
	n=${1##*/}
	n=${n#[0-9][0-9]-}
	n=${n%.ko}
	echo "$n" | tr - _
}

case $mode in
one)
	name=hvk
	[ "${HVK_LAB_KVM:-0}" = 1 ] && name=kvm
	./exitcost --name "$name" "$@"
	;;
both)
	why=
	if [ -z "${HVK_LAB_KVM_MODULES:-}" ]; then
		why="no KVM modules in the initramfs (lab run without --kvm-modules)"
	elif ! out=$(rmmod hvk 2>&1); then
		why="rmmod hvk failed: $out"
	else
		loaded=
		for m in $HVK_LAB_KVM_MODULES; do
			if ! out=$(insmod "$m" 2>&1); then
				why="insmod $m failed: $out"
				break
			fi
			loaded="$(modname "$m") $loaded"
		done
	fi
	if [ -n "$why" ]; then
		./exitcost --name kvm --unavailable "$why" "$@"
	else
		HVK_DEV=/dev/kvm ./exitcost --name kvm "$@"
	fi
	why=
	for n in $loaded; do
		out=$(rmmod "$n" 2>&1) || { why="rmmod $n failed: $out"; break; }
	done
	if [ -z "$why" ] && [ ! -e /dev/hvk ]; then
		out=$(insmod "${HVK_KO:-/hvk.ko}" 2>&1) || why="insmod hvk.ko failed: $out"
	fi
	if [ -n "$why" ]; then
		./exitcost --name hvk --unavailable "$why" "$@"
	else
		HVK_DEV=/dev/hvk ./exitcost --name hvk "$@"
	fi
	;;
*)
	echo "usage: guest.sh one|both [EXITCOST ARGS...]" >&2
	exit 2
	;;
esac

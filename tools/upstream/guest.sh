#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the lab guest (tools/upstream/run copies it in): each upstream
# KVM selftest named on the command line, one after another, under a
# per-test timeout, between marker lines that run parses:
#   UPSTREAM NONCE begin TEST
#   UPSTREAM NONCE end TEST rc=STATUS secs=GUEST_SECONDS
#
#   guest.sh NONCE TIMEOUT BINDIR TEST...
#
# BINDIR/ARGS may give a test its arguments: lines "TEST ARGS...".
#
# The tests open /dev/kvm by name. Under hvk ($HVK_DEV is /dev/hvk) a
# /dev/kvm symlink to it makes them unmodified KVM clients of hvk.

nonce=$1 tmo=$2 bindir=$3
shift 3

if [ "$HVK_DEV" != /dev/kvm ]; then
	if [ -e /dev/kvm ]; then
		echo "UPSTREAM $nonce note: /dev/kvm exists beside $HVK_DEV: not linking"
	else
		ln -s "$HVK_DEV" /dev/kvm
	fi
fi
ls -l /dev/kvm "$HVK_DEV"

now() { cut -d' ' -f1 /proc/uptime; }

for t in "$@"; do
	echo "UPSTREAM $nonce begin $t"
	t0=$(now)
	# SIGKILL: a test may ignore or handle TERM; KILL cannot be caught
	# (run tells a timeout from a crash by the time taken).
	# Arguments for this test, if $bindir/ARGS has a "TEST ARGS..." line.
	a=$(awk -v t="$t" '$1 == t { $1 = ""; sub(/^ /, ""); print; exit }' "$bindir/ARGS" 2>/dev/null)
	[ -n "$a" ] && echo "UPSTREAM $nonce args $t $a"
	# shellcheck disable=SC2086 # $a: words on purpose
	(cd "$bindir/$(dirname "$t")" && exec timeout -s KILL "$tmo" "./$(basename "$t")" $a) 2>&1
	rc=$?
	t1=$(now)
	echo "UPSTREAM $nonce end $t rc=$rc secs=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")"
done
exit 0

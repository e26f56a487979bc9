#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the hvk selftests (busybox sh). The test binaries sit next to this
# script (the lab copies them into the guest's working dir):
#
#   ./run.sh                 every test binary, in tests.list's order
#   ./run.sh vm_test ...     just these
#
# Each binary prints its own TAP. Exits 0 only if every binary ran and
# passed; the last line sums up the test cases of all binaries.

cd "$(dirname "$0")" || exit 1

# The Makefile writes tests.list: the arch-neutral tests, then this arch's.
TESTS=$(cat tests.list 2>/dev/null)
[ -n "$TESTS" ] || { echo "# tests.list missing or empty"; exit 1; }
[ $# -gt 0 ] && TESTS="$*"

echo "# hvk selftests: device ${HVK_DEV:-/dev/hvk}," \
	"module '${HVK_MODULE-}', arch ${HVK_LAB_ARCH:-?}, kvm ${HVK_LAB_KVM:-?}"

failed_bins=""
pass=0
fail=0
skip=0
for t in $TESTS; do
	echo "# === $t ==="
	if [ ! -x "./$t" ]; then
		echo "# $t: missing (not copied next to run.sh?)"
		failed_bins="$failed_bins $t"
		fail=$((fail + 1))
		continue
	fi
	out="/tmp/hvk-selftest-$t.$$"
	"./$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N"
	totals=$(grep '^# Totals:' "$out" | tail -n 1)
	rm -f "$out"
	if [ -n "$totals" ]; then
		set -- $(echo "$totals" | sed 's/^# Totals: //; s/[a-z]*://g')
		pass=$((pass + $1))
		fail=$((fail + $2))
		skip=$((skip + $5))
	fi
	if [ "$rc" -ne 0 ]; then
		echo "# $t: exit status $rc"
		failed_bins="$failed_bins $t"
		# A crash before the totals still counts as a failure.
		[ -z "$totals" ] && fail=$((fail + 1))
	fi
done

if [ -n "$failed_bins" ]; then
	echo "# FAILED:$failed_bins"
else
	echo "# all test binaries passed"
fi
echo "selftests: $pass passed, $fail failed, $skip skipped"
[ -z "$failed_bins" ]

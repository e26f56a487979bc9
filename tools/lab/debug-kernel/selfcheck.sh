#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/lab/debug-kernel/selfcheck.sh [--arch x86_64|arm64]: show that the
# lab on the debug kernel (tools/lab/run --debug-kernel) fails a run that
# leaks and a run that uses memory after freeing it. Builds
# selfcheck/hvk_lab_selfcheck.c against the debug kernel (outside the
# tree) and runs three labs, insmod'ing it with:
#   mode=none  expect status 0
#   mode=leak  expect 125 (kmemleak, after the command)
#   mode=uaf   expect 120 (KASAN use-after-free splat)
# Ends with "N passed, N failed"; exits non-zero if any did not match.

set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"

ARCH=x86_64
while (($#)); do
	case $1 in
	--arch) ARCH=$2; shift 2 ;;
	--arch=*) ARCH=${1#*=}; shift ;;
	-h | --help) sed -n '3,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "selfcheck.sh: unknown argument '$1'" >&2; exit "$EX_USAGE" ;;
	esac
done
case $ARCH in x86_64 | arm64) ;; *) die "$EX_USAGE" "bad --arch '$ARCH'" ;; esac
((EUID == 0)) || die "must run as root"

debug_kernel_setup "$ARCH" || exit
unlock_cache
b=$CACHE/debug-kernel/selfcheck-$ARCH-$DK_TAG
mkdir -p "$b"
cp "$HERE/selfcheck/hvk_lab_selfcheck.c" "$HERE/selfcheck/Kbuild" "$b/"
mk=(make --no-print-directory -C "$DK_BUILD" M="$b")
[[ $ARCH == arm64 ]] && mk+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
"${mk[@]}" modules >&2 || die "building the self-check module failed"

pass=0 fail=0
for t in none:0 leak:"$EX_LEAK" uaf:"$EX_SPLAT"; do
	mode=${t%%:*} want=${t#*:}
	msg "=== mode=$mode: expecting status $want"
	"$LAB_DIR/run" --arch "$ARCH" --debug-kernel --timeout 600 \
		--file "$b/hvk_lab_selfcheck.ko" -- insmod ./hvk_lab_selfcheck.ko mode="$mode"
	rc=$?
	if ((rc == want)); then
		echo "ok: mode=$mode: status $rc"
		pass=$((pass + 1))
	else
		echo "FAILED: mode=$mode: status $rc, expected $want"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
((fail == 0))

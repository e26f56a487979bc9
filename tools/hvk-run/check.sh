#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [DIR]: hvk-run's self-check, for the lab's busybox sh.
#
# Runs every example guest with DIR/hvk-run (DIR: where this script is,
# i.e. tools/build/ARCH, which make -C tools fills) against $HVK_DEV and
# compares what it printed and its exit status with what the guest must
# do; then runs hvk-run with bad arguments and checks the exit status and
# the message. Prints TAP, one line per case, and exits non-zero if any
# case failed. Example, in the lab:
#
#   make -C tools ARCH=x86_64
#   tools/lab/run --kvm --timeout 300 --file tools/build/x86_64 -- \
#       sh ./x86_64/check.sh
dir=${1:-$(dirname "$0")}
run=$dir/hvk-run
tmp=${TMPDIR:-/tmp}/hvk-run-check.$$
n=0
failed=0

mkdir -p "$tmp" || exit 1
trap 'rm -rf "$tmp"' EXIT

# check DESCRIPTION STATUS STDOUT STDERR_PART -- HVK-RUN-ARGS...
#   STATUS: the exit status wanted; STDOUT: the whole of stdout wanted
#   (a trailing newline added unless empty); STDERR_PART: a string stderr
#   must contain, or "" for no check. Runs with HVK_DEV as exported.
check() {
	desc=$1 want_st=$2 want_out=$3 want_err=$4
	shift 5
	n=$((n + 1))
	"$run" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ -n "$want_out" ]; then
		printf '%s\n' "$want_out" >"$tmp/want"
	else
		: >"$tmp/want"
	fi
	why=
	[ "$st" -eq "$want_st" ] || why="exit status $st, want $want_st"
	cmp -s "$tmp/out" "$tmp/want" || why="${why:+$why; }stdout differs"
	if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$tmp/err"; then
		why="${why:+$why; }stderr lacks '$want_err'"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		echo "# $why; ran: hvk-run $*"
		sed 's/^/# stdout: /' "$tmp/out"
		# The message and the first registers are enough here.
		head -n 12 "$tmp/err" | sed 's/^/# stderr: /'
		failed=$((failed + 1))
	fi
}

# A guest that prints LINE and exits 0.
hello() { # hello NAME LINE ARGS...
	name=$1 line=$2
	shift 2
	check "$name printed '$line' and exited 0" 0 "$line" "" -- \
		"$@" "$dir/$name.bin"
}

if [ ! -x "$run" ]; then
	echo "Bail out! no hvk-run in $dir (make -C tools ARCH=...)"
	exit 1
fi
echo "# hvk-run in $dir, HVK_DEV=${HVK_DEV:-/dev/hvk}"

case $(uname -m) in
x86_64)
	arch=x86_64
	hello hello-real "Hello from real mode" --mode real
	hello hello-prot "Hello from protected mode" --mode prot
	hello hello-long "Hello from long mode" --mode long
	# hello-real addresses its message in DS and hello-long RIP-relative,
	# so both run loaded elsewhere too (real mode: all segments 0x1000).
	check "hello-real with --load 0x17c00 (CS=DS=SS=0x1000, IP=0x7c00) printed its line" \
		0 "Hello from real mode" "" -- --mode real --load 0x17c00 \
		"$dir/hello-real.bin"
	check "hello-long with --load 0x200000 --entry 0x200000 --mem 4 printed its line" \
		0 "Hello from long mode" "" -- --load 0x200000 \
		--entry 0x200000 --mem 4 "$dir/hello-long.bin"
	check "halt printed 'halting' (one rep outsb) and HLT ended it with status 0" \
		0 "halting" "" -- "$dir/halt.bin"
	check "exit42's 32-bit OUT of 0x1234002a to port 0x501 gave exit status 42" \
		42 "" "" -- "$dir/exit42.bin"
	check "triple-fault (UD2, no IDT) exited 1 reporting KVM_EXIT_SHUTDOWN with registers" \
		1 "" "KVM_EXIT_SHUTDOWN" -- "$dir/triple-fault.bin"
	check "triple-fault's diagnosis shows rip at the UD2 (0x100000)" \
		1 "" "rip 0x0000000000100000" -- "$dir/triple-fault.bin"
	check "spin with --timeout 0.1 was stopped with exit status 124" \
		124 "" "did not end within 0.1 s" -- --timeout 0.1 "$dir/spin.bin"
	check "bus: IN from port 0x510 read 0xff, MMIO load at 0xd0000000 read 0xffffffff (exit 90)" \
		90 "" "" -- "$dir/bus.bin"
	hello_bin=$dir/hello-long.bin
	;;
aarch64)
	arch=arm64
	hello hello-arm64 "Hello from arm64"
	# Position-independent (ADR, literal pool): runs loaded elsewhere.
	check "hello-arm64 with --load 0x80200000 --mem 4 printed its line" \
		0 "Hello from arm64" "" -- --load 0x80200000 --mem 4 \
		"$dir/hello-arm64.bin"
	check "exit-x0 with --x0 42 wrote x0 to the exit register: exit status 42" \
		42 "" "" -- --x0 42 "$dir/exit-x0.bin"
	check "exit-x0 without --x0 found x0 = 0: exit status 0" \
		0 "" "" -- "$dir/exit-x0.bin"
	check "reset (PSCI SYSTEM_RESET) exited 4 saying so" \
		4 "" "system reset" -- "$dir/reset.bin"
	check "spin with --timeout 0.1 was stopped with exit status 124" \
		124 "" "did not end within 0.1 s" -- --timeout 0.1 "$dir/spin.bin"
	# KVM's answer to an MMIO access it cannot decode: ENOSYS.
	check "bad-mmio (STP to the UART, no syndrome): KVM_RUN failed with ENOSYS, exit 1" \
		1 "" "KVM_RUN: Function not implemented" -- "$dir/bad-mmio.bin"
	check "bad-mmio's diagnosis shows pc at the STP (0x80000004)" \
		1 "" "pc       0x0000000080000004" -- "$dir/bad-mmio.bin"
	check "bus: MMIO load at 0x0a000000 read 0xffffffff (exit 90)" \
		90 "" "" -- "$dir/bus.bin"
	hello_bin=$dir/hello-arm64.bin
	;;
*)
	echo "Bail out! hvk-run has no guests for $(uname -m)"
	exit 1
	;;
esac

# Bad arguments: exit status 2 (3 for a missing device) and a message.
check "unknown option --bogus: exit 2, named" \
	2 "" "unknown option '--bogus'" -- --bogus "$hello_bin"
check "--mem with no value: exit 2" \
	2 "" "option --mem needs a value" -- --mem
check "--mem 0: exit 2" 2 "" "guest RAM must be 1 to" -- --mem 0 "$hello_bin"
check "--timeout 0: exit 2" 2 "" "--timeout '0': want seconds" -- \
	--timeout 0 "$hello_bin"
check "--timeout 1.2345 (four decimals): exit 2" \
	2 "" "--timeout '1.2345': want seconds" -- --timeout 1.2345 "$hello_bin"
check "--mem 12x (not a number): exit 2" \
	2 "" "'12x' is not a number" -- --mem 12x "$hello_bin"
check "no IMAGE: exit 2" 2 "" "no IMAGE given" --
check "image that does not exist: exit 2" \
	2 "" "cannot open image $tmp/none" -- "$tmp/none"
# 4 MiB of zeros cannot fit in 2 MiB of RAM wherever it is loaded.
dd if=/dev/zero of="$tmp/big.bin" bs=1024 count=4096 2>/dev/null
check "4 MiB image with --mem 2: exit 2, does not fit" \
	2 "" "does not fit in RAM" -- --mem 2 "$tmp/big.bin"
if [ $arch = x86_64 ]; then
	check "--load 0x40000000 beyond 16 MiB of RAM: exit 2" \
		2 "" "load address 0x40000000 is outside RAM" -- \
		--load 0x40000000 "$hello_bin"
	check "--mode bogus: exit 2" \
		2 "" "want real, prot or long" -- --mode bogus "$hello_bin"
	check "--load 0x2000 in long mode (hvk-run's page tables): exit 2" \
		2 "" "GDT and page tables" -- --load 0x2000 "$hello_bin"
	check "--x0 on x86: exit 2" 2 "" "--x0 is for arm64" -- \
		--x0 1 "$hello_bin"
else
	check "--load 0x1000 below RAM at 0x80000000: exit 2" \
		2 "" "load address 0x1000 is outside RAM" -- \
		--load 0x1000 "$hello_bin"
	check "--mode on arm64: exit 2" \
		2 "" "--mode is for x86" -- --mode long "$hello_bin"
fi
dev_was=${HVK_DEV-unset}
export HVK_DEV=$tmp/no-such-dev
check "missing device: exit 3, asks whether hvk.ko is loaded" \
	3 "" "is hvk.ko loaded? (HVK_DEV=$tmp/no-such-dev)" -- "$hello_bin"
if [ "$dev_was" = unset ]; then unset HVK_DEV; else HVK_DEV=$dev_was; fi

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux-check.sh [DIR]: boot hvk-run's Linux test guest and check it (busybox
# sh, run inside the lab). DIR (default: this script's directory) holds
# hvk-run, linux-kernel and linux-initrd.gz (tools/hvk-run/mkguest DIR).
#
#   - bad command lines: one line on stderr, status 2, before any device is
#     opened (HVK_DEV points nowhere for them);
#   - boots with 1 and 2 vCPUs (LINUX_CHECK_CPUS, default "1 2"): the
#     guest's markers, every CPU online, the timer interrupt counting on
#     every CPU between two reads of /proc/interrupts one second apart
#     (arm64: arch_timer; x86: LOC), IPIs with 2 vCPUs (arm64: IPI0-6;
#     x86: RES+CAL+TLB), and power-off ending hvk-run with status 0;
#   - reboot ends hvk-run with status 4 (always on arm64; on x86 only with
#     LINUX_CHECK_REBOOT=1: each x86 boot costs minutes in Bochs);
#   - on a hypervisor without an in-kernel irqchip (hvk until issues 11/12
#     land): hvk-run fails at once with one line naming what is missing and
#     status 3; the boot cases are then reported as skipped, with that line.
#
# Prints TAP; exits 1 if any case failed. Environment: HVK_DEV,
# LINUX_CHECK_CPUS, LINUX_CHECK_REBOOT, LINUX_CHECK_TIMEOUT (seconds per
# boot: default 120 on arm64, 900 on x86), LINUX_CHECK_MEM (MiB, 256).

DIR=${1:-$(dirname "$0")}
RUN=$DIR/hvk-run
KERNEL=$DIR/linux-kernel
INITRD=$DIR/linux-initrd.gz
T=${TMPDIR:-/tmp}/linux-check.$$
mkdir -p "$T"
n=0
failed=0

case $(uname -m) in
aarch64) ARCH=arm64 CONSOLE=ttyAMA0 ;;
*) ARCH=x86_64 CONSOLE=ttyS0 ;;
esac
if [ "$ARCH" = arm64 ]; then
	TIMEOUT=${LINUX_CHECK_TIMEOUT:-120}
	REBOOT=${LINUX_CHECK_REBOOT:-1}
else
	TIMEOUT=${LINUX_CHECK_TIMEOUT:-900}
	REBOOT=${LINUX_CHECK_REBOOT:-0}
fi
MEM=${LINUX_CHECK_MEM:-256}
CPUS=${LINUX_CHECK_CPUS:-1 2}
CMDLINE="console=$CONSOLE loglevel=4 panic=-1"

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
diag() { sed 's/^/# /' "$@"; }

for f in "$RUN" "$KERNEL" "$INITRD"; do
	if [ ! -f "$f" ]; then
		echo "Bail out! $f missing (make -C tools; tools/hvk-run/mkguest)"
		exit 1
	fi
done

# --- bad command lines ------------------------------------------------------
# usage_case NAME ARGS...: status 2, exactly one "hvk-run: " line on
# stderr, nothing on stdout, and the device never opened.
usage_case() {
	name=$1
	shift
	HVK_DEV=/dev/hvk-run-linux-check-nowhere "$RUN" "$@" >"$T/out" 2>"$T/err" </dev/null
	st=$?
	lines=$(wc -l <"$T/err")
	if [ "$st" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$T/out" ] &&
	    grep -q '^hvk-run: ' "$T/err"; then
		ok "$name: $(cat "$T/err")"
	else
		not_ok "$name: status $st (want 2), $lines stderr line(s) (want 1)"
		diag "$T/err" "$T/out"
	fi
}
: >"$T/empty"
usage_case "missing kernel" --kernel "$T/nonexistent"
usage_case "kernel is a directory" --kernel "$T"
usage_case "empty kernel" --kernel "$T/empty"
usage_case "kernel is not a kernel" --kernel "$INITRD"
usage_case "missing initrd" --kernel "$KERNEL" --initrd "$T/nonexistent"
usage_case "empty initrd" --kernel "$KERNEL" --initrd "$T/empty"
usage_case "--mem 0" --kernel "$KERNEL" --mem 0
usage_case "--mem not a number" --kernel "$KERNEL" --mem 12x
usage_case "--mem too small for the kernel" --kernel "$KERNEL" --initrd "$INITRD" --mem 33
usage_case "--mem too big" --kernel "$KERNEL" --mem 999999
usage_case "--cpus 0" --kernel "$KERNEL" --cpus 0
usage_case "--cpus 9" --kernel "$KERNEL" --cpus 9
usage_case "--kernel and an IMAGE" --kernel "$KERNEL" "$INITRD"
usage_case "--initrd without --kernel" --initrd "$INITRD" "$KERNEL"
usage_case "--kernel without a value" --kernel

# --- boots ------------------------------------------------------------------
# counts SECTION PATTERN: the per-CPU numbers of the /proc/interrupts lines
# matching PATTERN in the guest's dump number SECTION, summed per CPU, as
# "c0 c1 ..."; empty if no line matches.
counts() {
	awk -v sec="HVK-GUEST: interrupts $1" -v pat="$2" -v ncpu="$3" '
		$0 ~ sec { on = 1; next }
		/HVK-GUEST: end/ { on = 0 }
		on && $0 ~ pat {
			for (i = 1; i <= ncpu; i++) s[i] += $(i + 1); seen = 1
		}
		END { if (seen) for (i = 1; i <= ncpu; i++) printf "%d ", s[i] }
	' "$T/out"
}

# all_grew "A..." "B...": every B[i] > A[i] > 0... (B[i] > A[i] >= 0, B[i] > 0)
all_grew() {
	set -- $1 -- $2
	na=0
	for a; do
		[ "$a" = -- ] && break
		na=$((na + 1))
	done
	[ "$na" -gt 0 ] || return 1
	i=1
	while [ "$i" -le "$na" ]; do
		eval "a=\${$i}; b=\${$((i + na + 1))}"
		[ -n "$b" ] && [ "$b" -gt "$a" ] || return 1
		i=$((i + 1))
	done
}

sum() { s=0; for x in $1; do s=$((s + x)); done; echo $s; }

NO_IRQCHIP=
# boot NAME CPUS APPEND: run the guest; sets st, secs.
boot() {
	t0=$(cut -d' ' -f1 /proc/uptime)
	echo "# booting: $RUN --kernel $KERNEL --initrd $INITRD --cpus $2 --mem $MEM --append \"$CMDLINE $3\""
	# The guest's console is shown as it comes (TAP comments: a hang in
	# the lab still shows how far it got) and kept in $T/out; the
	# guest's tty turns \n into \r\n.
	: >"$T/out"
	{
		"$RUN" --kernel "$KERNEL" --initrd "$INITRD" --cpus "$2" \
			--mem "$MEM" --append "$CMDLINE $3" --timeout "$TIMEOUT" \
			2>"$T/err" </dev/null
		echo $? >"$T/st"
	} | tr -d '\r' | while IFS= read -r l; do
		echo "# | $l"
		echo "$l" >>"$T/out"
	done
	st=$(cat "$T/st")
	t1=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

# The first boot (the first power-off case) tells whether the hypervisor
# has an in-kernel irqchip.
FIRST=${CPUS%% *}
boot probe "$FIRST" "hvkend=poweroff"
probe_pending=1
if [ "$st" = 3 ] && grep -q 'KVM_CAP_IRQCHIP\|KVM_CREATE_DEVICE\|KVM_CREATE_IRQCHIP\|KVM_CAP_PIT2\|KVM_CAP_DEVICE_CTRL' "$T/err"; then
	NO_IRQCHIP=$(cat "$T/err")
	if [ "$(wc -l <"$T/err")" = 1 ] && [ ! -s "$T/out" ]; then
		ok "no in-kernel irqchip on $HVK_DEV: one line, status 3, in ${secs} s: $NO_IRQCHIP"
	else
		not_ok "no in-kernel irqchip: want one stderr line and no guest output"
		diag "$T/err" "$T/out"
	fi
	if [ "${HVK_LAB_KVM:-0}" = 1 ]; then
		not_ok "the in-tree KVM must have the irqchip"
	fi
fi

check_boot() {
	ncpu=$1 end=$2 want=$3
	tag="$ARCH $ncpu vCPU(s), $end"
	if [ -n "$NO_IRQCHIP" ]; then
		skip "$tag" "no in-kernel irqchip: $NO_IRQCHIP"
		return
	fi
	if [ "$ncpu" = "$FIRST" ] && [ "$end" = poweroff ] && [ -n "$probe_pending" ]; then
		probe_pending=	# the probe boot was this case
	else
		boot "$tag" "$ncpu" "hvkend=$end"
	fi
	echo "# $tag: status $st after $secs s of lab guest time"
	bad=
	[ "$st" = "$want" ] || bad="$bad status $st (want $want);"
	grep -q '^HVK-GUEST: init$' "$T/out" || bad="$bad no init marker;"
	if [ "$ncpu" = 1 ]; then online=0; else online="0-$((ncpu - 1))"; fi
	grep -q "^HVK-GUEST: online $online\$" "$T/out" ||
		bad="$bad online CPUs not $online ($(grep '^HVK-GUEST: online' "$T/out"));"
	grep -q "^HVK-GUEST: $end\$" "$T/out" || bad="$bad no $end marker;"
	if [ "$ARCH" = arm64 ]; then timer=arch_timer; else timer='^ *LOC:'; fi
	t1=$(counts 1 "$timer" "$ncpu")
	t2=$(counts 2 "$timer" "$ncpu")
	all_grew "$t1" "$t2" ||
		bad="$bad timer ($timer) not counting on every CPU: '$t1' then '$t2';"
	if [ "$ncpu" -gt 1 ]; then
		if [ "$ARCH" = arm64 ]; then ipi='^ *IPI[0-9]:'; else ipi='^ *(RES|CAL|TLB):'; fi
		ipis=$(sum "$(counts 2 "$ipi" "$ncpu")")
		[ "$ipis" -gt 0 ] || bad="$bad no IPIs ($ipi);"
	else
		ipis=n/a
	fi
	if [ -z "$bad" ]; then
		ok "$tag: status $st, CPUs $online online, timer $t1-> $t2, IPIs $ipis, $secs s"
	else
		not_ok "$tag:$bad"
		diag "$T/err"
	fi
}

for c in $CPUS; do
	check_boot "$c" poweroff 0
done
if [ "$REBOOT" = 1 ]; then
	check_boot 1 reboot 4
	if [ -z "$NO_IRQCHIP" ] && ! grep -q 'reset' "$T/err"; then
		not_ok "reboot: hvk-run says why it stopped"
		diag "$T/err"
	fi
else
	skip "$ARCH reboot" "LINUX_CHECK_REBOOT=1 to run it (one more boot)"
fi

rm -rf "$T"
echo "1..$n"
[ "$failed" = 0 ]

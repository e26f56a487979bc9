#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu-check.sh [--cpus N] [--mem MIB] [--timeout SEC] [--strace]
#               [--no-log] [--machine M] [-- EXTRA QEMU ARGS]
#
# Runs INSIDE the lab guest (busybox sh), from the bundle that
# tools/vmm/fetch builds and `tools/lab/run --file` copies to /work/vmm:
# boots the nested guest (Debian's 6.1 kernel + a busybox initramfs) with
# Debian's unmodified QEMU 7.2 on the lab's hypervisor ($HVK_DEV: hvk, or
# the in-tree KVM with --kvm), -accel kvm, the in-kernel irqchip, and
# checks that it reached its /init with N CPUs online and its timer
# interrupts counting.
#
# The KVM ioctls QEMU makes are recorded by lib/kvm-ioctl-log.so
# (LD_PRELOAD; it only records, see kvm-ioctl-log.c) and summarised after
# the run under "VMM-IOCTL:" lines: calls counted by (fd kind, ioctl, key,
# result); every distinct failed call; every call but the bulk register
# traffic (ONE_REG, IRQ_LINE, vGIC register-state attributes) in order.
# --no-log leaves the logger out.
#
#   --strace   run QEMU under strace -f (ioctl, openat and mmap of the KVM
#              fds) and print a summary: every distinct KVM ioctl with its
#              results, each KVM_CHECK_EXTENSION asked and its answer,
#              every failed ioctl (first 40 lines), then the raw trace
#              without the successful KVM_RUNs (first 400 lines).
#
# Prints "VMM-CHECK: PASS ..." or "VMM-CHECK: FAIL ..." and exits 0 / 1
# (2: bad usage).
#
# QEMU opens /dev/kvm by name: when the lab's device is /dev/hvk, /dev/kvm
# is made a symlink to it (QEMU itself is not changed). The binaries are
# Debian's, dynamically linked: their loader's path is made a symlink into
# the bundle and LD_LIBRARY_PATH points at the bundle's lib/.

D=$(cd "$(dirname "$0")" && pwd)
ARCH=$(cat "$D/ARCH")
cpus=1 mem=256 timeout=600 strace=0 log=1 machine=
while [ $# -gt 0 ]; do
	case $1 in
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--strace) strace=1; shift ;;
	--no-log) log=0; shift ;;
	--machine) machine=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "qemu-check.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

dev=${HVK_DEV:-/dev/kvm}
if [ "$dev" != /dev/kvm ]; then
	[ -e /dev/kvm ] && { echo "qemu-check.sh: /dev/kvm exists beside $dev" >&2; exit 2; }
	ln -s "$dev" /dev/kvm || exit 2
fi

loader=$(cat "$D/lib/LOADER")
case $ARCH in
arm64) ldpath=/lib/$loader ;;
x86_64) ldpath=/lib64/$loader ;;
esac
mkdir -p "${ldpath%/*}"
[ -e "$ldpath" ] || ln -s "$D/lib/$loader" "$ldpath" || exit 2
export LD_LIBRARY_PATH=$D/lib

# Kernel command line: the console, no reboot on panic (QEMU's -no-reboot
# then exits), few console messages (each UART byte is an MMIO or PIO exit).
case $ARCH in
arm64)
	qemu=$D/bin/qemu-system-aarch64
	: "${machine:=virt,gic-version=3}"
	set -- -M "$machine" -cpu host \
		-append "console=ttyAMA0 panic=-1 printk.time=1 loglevel=4" "$@"
	;;
x86_64)
	qemu=$D/bin/qemu-system-x86_64
	: "${machine:=pc}"
	set -- -M "$machine" -cpu host -L "$D/share" \
		-append "console=ttyS0 panic=-1 printk.time=1 loglevel=4" "$@"
	;;
esac
set -- "$qemu" -nodefaults -display none -no-reboot -accel kvm \
	-smp "$cpus" -m "$mem" -kernel "$D/guest/vmlinuz" \
	-initrd "$D/guest/initrd.gz" -serial stdio -monitor none "$@"

out=/tmp/qemu-check.log
tr=/tmp/qemu-check.strace
kl=/tmp/kvm-ioctl.log
rm -f "$kl"
if [ $log = 1 ]; then
	export LD_PRELOAD=$D/lib/kvm-ioctl-log.so KVM_IOCTL_LOG=$kl
fi
echo "VMM-CHECK: $ARCH cpus=$cpus mem=$mem dev=$dev: $*"
if [ $strace = 1 ]; then
	set -- "$D/bin/strace" -f -qq -y -e trace=ioctl,openat -e signal=none \
		-o "$tr" "$@"
fi
t0=$(cut -d' ' -f1 /proc/uptime)
timeout -s KILL "$timeout" "$@" </dev/null 2>&1 | tee "$out"
unset LD_PRELOAD
t1=$(cut -d' ' -f1 /proc/uptime)
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')

if [ $strace = 1 ] && [ -s "$tr" ]; then
	echo "VMM-STRACE: ---- distinct ioctls (count, request, result) ----"
	# A line: PID ioctl(FD<path>, REQUEST, ARG...) = RESULT [ERRNO (...)]
	awk '/ ioctl\(/ {
		req = $0; sub(/^[^,]*, /, "", req); sub(/[,)].*/, "", req)
		res = $0; sub(/.*\) = /, "", res); sub(/ \(.*/, "", res)
		if (res ~ /^[0-9]+$/ && res != "0") res = ">0"
		n[req " = " res]++
	} END { for (k in n) printf "%6d %s\n", n[k], k }' "$tr" | sort -k2
	echo "VMM-STRACE: ---- KVM_CHECK_EXTENSION (cap = answer) ----"
	grep 'KVM_CHECK_EXTENSION' "$tr" |
		sed 's/^[0-9]* *//; s/ioctl([^,]*, KVM_CHECK_EXTENSION, //; s/) = / = /' |
		sort -u
	echo "VMM-STRACE: ---- failed ioctls (first 40) ----"
	grep ' ioctl(.* = -1 ' "$tr" | head -n 40
	echo "VMM-STRACE: ---- trace without successful KVM_RUNs (first 400 lines) ----"
	grep -v 'KVM_RUN, 0) = 0$' "$tr" | grep -v 'KVM_CHECK_EXTENSION' | head -n 400
	echo "VMM-STRACE: ---- end ----"
fi

if [ -s "$kl" ]; then
	echo "VMM-IOCTL: ---- calls: count, fd kind, ioctl, key = result ----"
	sed 's/ | .* = / = /; s/^KVMLOG //; s/^vcpu[0-9]* /vcpu /' "$kl" |
		sort | uniq -c | sort -k3,3 -k4
	echo "VMM-IOCTL: ---- successful KVM_RUNs per vCPU ----"
	grep ' KVM_RUN ok ' "$kl"
	echo "VMM-IOCTL: ---- distinct failed calls ----"
	grep ' = -E[A-Z0-9]*$' "$kl" | sort | uniq -c
	if grep -q '_DEVICE_ATTR group=[1256] ' "$kl"; then
		# arm64: which vGIC registers are saved/restored (distributor
		# 1, redistributor 5, CPU interface sysregs 6, GICv2 CPU 2):
		# the attribute's low 32 bits (offset or sysreg encoding; the
		# MPIDR above them left out), with the results.
		echo "VMM-IOCTL: ---- vGIC register-state attributes (low 32 bits) ----"
		grep '_DEVICE_ATTR group=[1256] ' "$kl" |
			sed 's/^KVMLOG [^ ]* \([A-Z_]*\) group=\([0-9]*\) | attr=0x\([0-9a-f]*\) .* = \(.*\)$/\1 \2 \3 \4/' |
			awk '{ a = $3; if (length(a) > 8) a = substr(a, length(a) - 7)
				print $1, "group=" $2, "attr=0x" a, "=", $4 }' |
			sort | uniq -c
	fi
	echo "VMM-IOCTL: ---- in order, without ONE_REG, IRQ_LINE, vGIC register state ----"
	grep -v -e '_ONE_REG ' -e 'KVM_IRQ_LINE ' -e ' KVM_RUN ok ' \
		-e '_DEVICE_ATTR group=[1256] ' "$kl" | uniq -c | head -n 600
	echo "VMM-IOCTL: ---- end ----"
fi

log=$out
on=$(sed -n 's/^VMM-GUEST: online=\([^ ]*\) nproc=\([0-9]*\).*/\2/p' "$log" | tr -d '\r' | head -n1)
td=$(sed -n 's/^VMM-GUEST: timer_irqs .* delta=\([0-9-]*\).*/\1/p' "$log" | tr -d '\r' | head -n1)
up=$(sed -n 's/^VMM-GUEST: init uptime=\([0-9.]*\).*/\1/p' "$log" | tr -d '\r' | head -n1)
why=
if ! grep -q '^VMM-GUEST: done' "$log"; then
	why="the nested guest did not finish its /init"
elif [ "$on" != "$cpus" ]; then
	why="$on CPU(s) online, expected $cpus"
elif [ -z "$td" ] || [ "$td" -le 0 ]; then
	why="timer interrupts did not count (delta $td)"
fi
if [ -z "$why" ]; then
	echo "VMM-CHECK: PASS $ARCH cpus=$cpus online=$on timer_delta=$td guest_uptime_at_init=${up}s wall=${el}s"
	exit 0
fi
echo "VMM-CHECK: FAIL $ARCH cpus=$cpus: $why (guest_uptime_at_init=${up:-none} wall=${el}s)"
exit 1

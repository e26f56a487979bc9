# SPDX-License-Identifier: GPL-2.0
#
# Shared by tools/lab/run and tools/lab/deps (sourced, not executed).
#
# Everything the lab needs comes from Debian's packages and is cached under
# $HVK_LAB_CACHE (default /var/cache/hvk-lab):
#
#   lock                     flock held around apt-get/dpkg/downloads/extracts
#   debs/                    .debs fetched with `apt-get download`
#   kernel/<krel>/           dpkg -x of linux-image-<krel> (the guest kernel)
#   fastboot/<krel>.bzImage  x86: that kernel, decompressed ahead (mkfastboot)
#   busybox/arm64/           dpkg -x of busybox-static:arm64
#   libfdt/arm64/            dpkg -x of libfdt-dev:arm64 (hvk-run's arm64 build)
#   guest/<arch>-<krel>/     hvk-run's nested Linux guest (tools/hvk-run/mkguest)
#   build/<arch>-<krel>/     copy of the module sources, built incrementally
#                            (debug kernel: <arch>-<krel>-<srcver>-<hash>/)
#   build/<arch>-<krel>.lock flock held while that build dir is synced/built
#   ksft/                    kselftest.h + kselftest_harness.h (linux-source-6.1)
#   debug-kernel/            the debug kernel's source and build trees (below)
#   runs/<stamp>-<arch>-XXXX per-run dirs (console log kept; big files removed)
#
# <krel> is the kernel release, e.g. 6.1.0-56-amd64 or 6.12.117+deb12-arm64.
# The ABI part (6.1.0-56) is never hard-coded: it is read from the Debian
# metapackage installed on the host (linux-headers-amd64 for 6.1,
# linux-headers-6.12-amd64 for 6.12), because security updates move it.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LAB_DIR/../.." && pwd)
CACHE=${HVK_LAB_CACHE:-/var/cache/hvk-lab}

# Exit statuses of the lab itself (the command's own status passes through).
EX_USAGE=2
EX_SPLAT=120     # kernel splat / panic / unexpected reboot after the start marker
EX_LOAD=121      # the hypervisor module(s) failed to load in the guest
EX_SETUP=122     # installing, fetching or building failed on the host
EX_BOOT=123      # the guest never reached /init, or the emulator died early
EX_TIMEOUT=124   # --timeout expired (emulator killed)
EX_LEAK=125      # --debug-kernel: kmemleak reported a leak at the end of the run

# Host packages. Every combo needs the common ones; x86 needs Bochs and the
# ISO tools, arm64 needs QEMU and the cross compiler. make/gcc/kmod are
# dependencies of the kernel headers anyway but listed for clarity.
# libc6-dev: gcc only recommends it, and the host unit tests and static
# test binaries need it; perl (not just perl-base): W=1 runs kernel-doc,
# which needs Pod::Usage. Both found missing on a minbase debootstrap.
PKGS_COMMON=(busybox-static cpio xz-utils kmod make gcc libc6-dev perl)
PKGS_X86=(bochs bochsbios vgabios isolinux syslinux-common xorriso zstd python3 binutils)
PKGS_ARM64=(qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
PKGS_KSFT=(linux-source-6.1)

msg() { printf 'hvk-lab: %s\n' "$*" >&2; }
# die [STATUS] MESSAGE...: a lab failure, on stderr.
die() {
	local rc=$EX_SETUP
	if [[ $1 =~ ^[0-9]+$ ]]; then rc=$1; shift; fi
	printf 'hvk-lab: error: %s\n' "$*" >&2
	exit "$rc"
}

export DEBIAN_FRONTEND=noninteractive

# --- locking ---------------------------------------------------------------
# One global lock around apt-get, dpkg and the cache's downloads/extractions,
# taken only for those steps (never while a guest runs). apt/dpkg's own locks
# are also waited for (DPkg::Lock::Timeout) in case something else uses apt.
LOCK_FD=
lock_cache() {
	[[ -n $LOCK_FD ]] && return 0
	mkdir -p "$CACHE" || die "cannot create cache dir $CACHE"
	exec {LOCK_FD}>"$CACHE/lock"
	if ! flock -n "$LOCK_FD"; then
		msg "waiting for another lab's lock on $CACHE/lock ..."
		flock "$LOCK_FD"
	fi
}
unlock_cache() {
	[[ -z $LOCK_FD ]] && return 0
	flock -u "$LOCK_FD"
	exec {LOCK_FD}>&-
	LOCK_FD=
}

APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root)
APT_UPDATED=0
apt_update() {
	((APT_UPDATED)) && return 0
	msg "apt-get update ..."
	apt-get -q -o DPkg::Lock::Timeout=600 update >&2 || die "apt-get update failed"
	APT_UPDATED=1
}

pkg_installed() { # PKG -> true when dpkg says it is installed
	[[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]
}
pkg_has_candidate() { # PKG -> true when apt knows a candidate version
	local c
	c=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	[[ -n $c && $c != "(none)" ]]
}

ensure_arm64_arch() {
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		lock_cache
		msg "dpkg --add-architecture arm64"
		dpkg --add-architecture arm64 || die "dpkg --add-architecture arm64 failed"
		APT_UPDATED=0
		apt_update
	fi
}

# ensure_pkgs PKG...: apt-get install whatever is not installed yet. Quick
# (dpkg-query only) when everything is there.
ensure_pkgs() {
	local p missing=()
	for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
	((${#missing[@]})) || return 0
	lock_cache
	# Always refresh the lists before installing: stale lists can offer
	# versions the archive has dropped (or old kernels), and a fresh
	# machine's lists may lack the security suite altogether.
	apt_update
	msg "installing Debian packages: ${missing[*]}"
	apt-get install --no-install-recommends "${APT_OPTS[@]}" "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed"
}

# --- kernel resolution -----------------------------------------------------
# resolve_kernel 6.1|6.12: sets KABI (e.g. 6.1.0-56), KPKGVER (the Debian
# version of that kernel's packages, e.g. 6.1.192-2) and HDRS_AMD64. Installs
# the amd64 headers metapackage, which also brings linux-headers-KABI-common
# and linux-kbuild (both needed for the arm64 headers too).
resolve_kernel() {
	local kernel=$1 meta dep
	case $kernel in
	6.1) meta=linux-headers-amd64 ;;
	6.12) meta=linux-headers-6.12-amd64 ;;
	*) die "$EX_USAGE" "unknown kernel '$kernel' (6.1 or 6.12)" ;;
	esac
	ensure_pkgs "$meta"
	dep=$(dpkg-query -W -f='${Depends}' "$meta")
	# "linux-headers-6.1.0-56-amd64 (= 6.1.192-2)" -> 6.1.0-56
	[[ $dep =~ linux-headers-([^ ,]+)-amd64 ]] || die "cannot parse '$meta' Depends: $dep"
	KABI=${BASH_REMATCH[1]}
	[[ $KABI == "$kernel".* ]] || die "$meta points at $KABI, not a $kernel kernel"
	ensure_pkgs "linux-headers-$KABI-amd64"
	KPKGVER=$(dpkg-query -W -f='${Version}' "linux-headers-$KABI-amd64")
	HDRS_AMD64=/usr/src/linux-headers-$KABI-amd64
	[[ -d $HDRS_AMD64 ]] || die "$HDRS_AMD64 missing"
}

# --- downloads -------------------------------------------------------------
# fetch_deb NAME ARCH VERSION: echo the path of the .deb in $CACHE/debs,
# downloading it (apt-get download) when not cached. If apt no longer knows
# that version (the archive moved on), apt-get update and retry once; if the
# version is gone for good the host's headers metapackage must be upgraded
# (`apt-get install linux-headers-amd64`) and the lab re-run.
fetch_deb() {
	local name=$1 arch=$2 ver=$3 dir=$CACHE/debs f
	f=$dir/${name}_${ver//:/%3a}_${arch}.deb
	if [[ ! -s $f ]]; then
		lock_cache
		mkdir -p "$dir"
		if [[ ! -s $f ]]; then
			msg "downloading $name:$arch=$ver ..."
			if ! (cd "$dir" && apt-get download "${APT_OPTS[@]:1}" "$name:$arch=$ver" >&2); then
				apt_update
				(cd "$dir" && apt-get download "${APT_OPTS[@]:1}" "$name:$arch=$ver" >&2) ||
					die "cannot download $name:$arch=$ver (upgrade the host's kernel headers metapackage?)"
			fi
			[[ -s $f ]] || die "apt-get download did not produce $f"
		fi
	fi
	echo "$f"
}

# extract_deb DEB DIR: dpkg -x DEB into DIR unless DIR/.hvk-lab-deb already
# names DEB. Extracts to a temp dir first, so a half-extracted tree never
# looks complete.
extract_deb() {
	local deb=$1 dir=$2 tmp
	[[ $(cat "$dir/.hvk-lab-deb" 2>/dev/null) == "$(basename "$deb")" ]] && return 0
	lock_cache
	[[ $(cat "$dir/.hvk-lab-deb" 2>/dev/null) == "$(basename "$deb")" ]] && return 0
	msg "extracting $(basename "$deb") ..."
	tmp=$dir.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	dpkg -x "$deb" "$tmp" || { rm -rf "$tmp"; die "dpkg -x $deb failed"; }
	basename "$deb" >"$tmp/.hvk-lab-deb"
	rm -rf "$dir"
	mv "$tmp" "$dir"
}

# --- per-combo setup -------------------------------------------------------
# lab_setup ARCH KERNEL: install/fetch everything a run of that combo needs.
# Sets KABI KREL HDRS KIMG_DIR VMLINUZ MODDIR BUSYBOX.
lab_setup() {
	local arch=$1 kernel=$2 deb
	ensure_pkgs "${PKGS_COMMON[@]}"
	case $arch in
	x86_64) ensure_pkgs "${PKGS_X86[@]}" ;;
	arm64)
		ensure_arm64_arch
		ensure_pkgs "${PKGS_ARM64[@]}"
		;;
	*) die "$EX_USAGE" "unknown arch '$arch' (x86_64 or arm64)" ;;
	esac
	resolve_kernel "$kernel"
	local darch=amd64
	[[ $arch == arm64 ]] && darch=arm64
	KREL=$KABI-$darch

	# Guest kernel image (+ modules): always from the .deb, never the host's.
	deb=$(fetch_deb "linux-image-$KREL" "$darch" "$KPKGVER") || exit
	KIMG_DIR=$CACHE/kernel/$KREL
	extract_deb "$deb" "$KIMG_DIR"
	VMLINUZ=$KIMG_DIR/boot/vmlinuz-$KREL
	MODDIR=$KIMG_DIR/lib/modules/$KREL
	[[ -f $VMLINUZ ]] || die "$VMLINUZ missing"

	if [[ $arch == x86_64 ]]; then
		HDRS=$HDRS_AMD64
		BUSYBOX=/bin/busybox
		x86_fastboot "$deb"
	else
		setup_arm64_headers
		local bbver
		bbver=$(apt_candidate busybox-static:arm64) || exit
		[[ -n $bbver ]] || die "no busybox-static:arm64 in apt"
		deb=$(fetch_deb busybox-static arm64 "$bbver") || exit
		extract_deb "$deb" "$CACHE/busybox/arm64"
		BUSYBOX=$CACHE/busybox/arm64/bin/busybox
	fi
	[[ -x $BUSYBOX ]] || die "$BUSYBOX missing"
	unlock_cache
}

# x86_fastboot DEB: make $FASTBOOT, Debian's bzImage with the kernel
# decompressed on the host (mkfastboot + x86-fastboot.S; see there): Bochs
# otherwise spends ~40 s of a 56 s 6.1 boot in the XZ decompressor. Rebuilt
# when the kernel .deb, the stub or mkfastboot change.
# x86_fastboot ID IMAGE OUT (the debug kernel): the same for IMAGE, into
# OUT, rebuilt when ID changes.
x86_fastboot() {
	local img=${2:-$VMLINUZ} stamp
	FASTBOOT=${3:-$CACHE/fastboot/$KREL.bzImage}
	local d=${FASTBOOT%/*}
	stamp="$(basename "$1") $(cat "$LAB_DIR/x86-fastboot.S" "$LAB_DIR/mkfastboot" | md5sum | cut -c1-32)"
	[[ -s $FASTBOOT && $(cat "$FASTBOOT.stamp" 2>/dev/null) == "$stamp" ]] && return 0
	lock_cache
	[[ -s $FASTBOOT && $(cat "$FASTBOOT.stamp" 2>/dev/null) == "$stamp" ]] && return 0
	msg "making the fast-boot bzImage for $img ..."
	mkdir -p "$d"
	local tmp=$d/stub.$$
	# Self-relative code: the object must have no relocations, so that
	# objcopy's raw .text is the final stub.
	gcc -c -o "$tmp.o" "$LAB_DIR/x86-fastboot.S" || die "assembling x86-fastboot.S failed"
	[[ -z $(readelf -r "$tmp.o" | grep -i 'R_X86') ]] || die "x86-fastboot.S has relocations"
	objcopy -O binary -j .text "$tmp.o" "$tmp.bin" || die "objcopy failed"
	python3 "$LAB_DIR/mkfastboot" "$img" "$tmp.bin" "$FASTBOOT" || die "mkfastboot failed"
	rm -f "$tmp.o" "$tmp.bin"
	echo "$stamp" >"$FASTBOOT.stamp"
}

# Version of busybox-static:arm64 to fetch: the one already cached if any
# (no apt query needed on later runs), else apt's candidate.
apt_candidate() {
	local f
	f=$(cat "$CACHE/busybox/arm64/.hvk-lab-deb" 2>/dev/null) || true
	if [[ $f =~ ^busybox-static_(.+)_arm64\.deb$ ]]; then
		local v=${BASH_REMATCH[1]}
		echo "${v//%3a/:}"
		return
	fi
	pkg_has_candidate "$1" || apt_update
	apt-cache policy "$1" | sed -n 's/^ *Candidate: *//p'
}

# libfdt_setup: Debian's libfdt-dev:arm64 (libfdt.h and the static
# libfdt.a) for hvk-run's static arm64 build (it builds the device tree of
# a Linux guest), dpkg -x'ed into $CACHE/libfdt/arm64. Sets LIBFDT_DIR (the
# tree with usr/include and usr/lib/aarch64-linux-gnu). Quick when cached.
libfdt_setup() {
	local d=$CACHE/libfdt/arm64 ver deb
	LIBFDT_DIR=$d
	[[ -s $d/usr/lib/aarch64-linux-gnu/libfdt.a && -s $d/usr/include/libfdt.h ]] && return 0
	ensure_arm64_arch
	pkg_has_candidate libfdt-dev:arm64 || apt_update
	ver=$(apt-cache policy libfdt-dev:arm64 | sed -n 's/^ *Candidate: *//p')
	[[ -n $ver && $ver != "(none)" ]] || die "no libfdt-dev:arm64 in apt"
	deb=$(fetch_deb libfdt-dev arm64 "$ver") || exit
	extract_deb "$deb" "$d"
	unlock_cache
	[[ -s $d/usr/lib/aarch64-linux-gnu/libfdt.a ]] || die "$deb has no libfdt.a"
}

# The arm64 headers go to /usr/src/linux-headers-KREL (a real directory, not
# a symlink into the cache): its `scripts` and `tools` are relative links
# (../../lib/linux-kbuild-VER/...) that must resolve to the host's own
# linux-kbuild of the same version, which the amd64 headers brought; its
# Makefile includes /usr/src/linux-headers-KABI-common (arch all, also
# brought by the amd64 headers).
setup_arm64_headers() {
	local deb tmp
	HDRS=/usr/src/linux-headers-$KREL
	deb=linux-headers-${KREL}_${KPKGVER//:/%3a}_arm64.deb
	if [[ $(cat "$HDRS/.hvk-lab-deb" 2>/dev/null) != "$deb" ]]; then
		deb=$(fetch_deb "linux-headers-$KREL" arm64 "$KPKGVER") || exit
		lock_cache
		msg "installing arm64 headers at $HDRS ..."
		tmp=$CACHE/hdr.tmp.$$
		rm -rf "$tmp"
		dpkg -x "$deb" "$tmp" || die "dpkg -x $deb failed"
		[[ -d $tmp/usr/src/linux-headers-$KREL ]] || die "$deb has no usr/src/linux-headers-$KREL"
		basename "$deb" >"$tmp/usr/src/linux-headers-$KREL/.hvk-lab-deb"
		rm -rf "$HDRS"
		mv "$tmp/usr/src/linux-headers-$KREL" "$HDRS"
		rm -rf "$tmp"
	fi
	[[ -d /usr/src/linux-headers-$KABI-common ]] ||
		die "/usr/src/linux-headers-$KABI-common missing (comes with linux-headers-$KABI-amd64)"
	[[ -e $HDRS/scripts/Makefile.build ]] ||
		die "$HDRS/scripts does not resolve (linux-kbuild for $KABI missing?)"
}

# ksft_setup: extract kselftest.h and kselftest_harness.h (only those two
# members) from Debian's linux-source-6.1 tarball into $CACHE/ksft.
ksft_setup() {
	local tar=/usr/src/linux-source-6.1.tar.xz ver top=linux-source-6.1
	local d=$CACHE/ksft m=tools/testing/selftests
	ensure_pkgs "${PKGS_KSFT[@]}"
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	[[ $(cat "$d/.hvk-lab-version" 2>/dev/null) == "$ver" && -s $d/kselftest_harness.h ]] && return 0
	lock_cache
	[[ $(cat "$d/.hvk-lab-version" 2>/dev/null) == "$ver" && -s $d/kselftest_harness.h ]] && return 0
	msg "extracting kselftest headers from $tar ..."
	rm -rf "$d.tmp"
	mkdir -p "$d.tmp"
	# --occurrence: stop reading the (large) archive once both are found.
	tar -xJf "$tar" --occurrence -C "$d.tmp" --strip-components=4 \
		"$top/$m/kselftest_harness.h" "$top/$m/kselftest.h" ||
		die "extracting kselftest headers from $tar failed"
	echo "$ver" >"$d.tmp/.hvk-lab-version"
	rm -rf "$d"
	mv "$d.tmp" "$d"
	unlock_cache
}

# --- module build ----------------------------------------------------------
# Only these top-level entries of the repo are module sources.
MODULE_ENTRIES=(Kbuild Makefile core vmx arm64 mmu irq uapi)
# Build products never copied from the repo (a developer may have run make
# in the repo for another kernel) and never deleted from the build dir.
BUILD_PRODUCTS=('*.o' '*.ko' '*.mod' '*.mod.c' '.*.cmd' '*.a' '*.order'
	'Module.symvers' '.tmp_*' '*.tmp' '*.dwo' '*.symtypes' '*.lst' '.cache.mk')

# find_sources DIR: list (sorted) the source files of MODULE_ENTRIES in DIR.
find_sources() {
	local e ex=() p entries=()
	for p in "${BUILD_PRODUCTS[@]}"; do ex+=(! -name "$p"); done
	for e in "${MODULE_ENTRIES[@]}"; do [[ -e $1/$e ]] && entries+=("$e"); done
	((${#entries[@]})) || return 0
	(cd "$1" && find "${entries[@]}" \( -type f -o -type l \) "${ex[@]}" | LC_ALL=C sort)
}

# build_module ARCH OUTDIR: sync the repo's module sources into
# $CACHE/build/ARCH-KREL (one tree per arch and kernel, so concurrent runs
# do not clobber each other; a lock serializes runs of the same one), make
# it incrementally, copy hvk.ko out. A failed build fails the run.
build_module() {
	local arch=$1 out=$2 fd rc
	# BUILD_TAG (the debug kernel's): KREL alone does not tell its builds apart.
	local b=$CACHE/build/$arch-$KREL${BUILD_TAG:+-$BUILD_TAG}
	local mk=(make --no-print-directory -C "$b" -j"$(nproc)" KDIR="$HDRS")
	[[ $arch == arm64 ]] && mk+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	[[ -f $REPO_DIR/Kbuild || -f $REPO_DIR/Makefile ]] || die "no Kbuild/Makefile in $REPO_DIR"
	mkdir -p "$b"
	exec {fd}>"$b.lock"
	flock "$fd"
	# Drop sources that no longer exist in the repo (and whole entries).
	local stale
	stale=$(LC_ALL=C comm -23 <(find_sources "$b") <(find_sources "$REPO_DIR"))
	if [[ -n $stale ]]; then
		(cd "$b" && xargs -d '\n' rm -f <<<"$stale")
	fi
	local e
	for e in "${MODULE_ENTRIES[@]}"; do
		[[ ! -e $REPO_DIR/$e && -d $b/$e ]] && rm -rf "${b:?}/$e"
	done
	# Copy what changed. The copy gets the current time as its mtime, not
	# the repo's: a repo mtime can be older than the objects of the last
	# build (two worktrees sharing this cache, a file restored from
	# elsewhere, an edit during a build), and make would keep a stale
	# object. Unchanged files are left alone, so make stays incremental.
	local f n=0
	while IFS= read -r f; do
		if ! cmp -s "$REPO_DIR/$f" "$b/$f"; then
			mkdir -p "$b/$(dirname "$f")"
			cp -L "$REPO_DIR/$f" "$b/$f" || die "copying $f to $b failed"
			n=$((n + 1))
		fi
	done < <(find_sources "$REPO_DIR")
	((n)) && msg "$n changed source file(s) copied to $b"
	msg "building hvk.ko for $arch $KREL in $b ..."
	"${mk[@]}" >&2
	rc=$?
	if ((rc)) || [[ ! -f $b/hvk.ko ]]; then
		exec {fd}>&-
		die "BUILD FAILED: ${mk[*]} (status $rc)"
	fi
	cp "$b/hvk.ko" "$out/hvk.ko"
	exec {fd}>&-
}

# --- kernel modules from the Debian image ------------------------------------
# mod_closure NAME...: print (one per line, load order) the .ko paths in
# $MODDIR needed to load NAMEs: their `depends` first. The image .deb ships
# no modules.dep (depmod runs at install), so modinfo is asked per module.
declare -A MOD_PATH=()
mod_index() {
	((${#MOD_PATH[@]})) && return 0
	local f n
	while IFS= read -r f; do
		n=${f##*/}
		n=${n%%.ko*}
		MOD_PATH[${n//-/_}]=$f
	done < <(find "$MODDIR/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
}
declare -A MOD_SEEN=()
mod_closure() {
	local n d f deps
	mod_index
	for n in "$@"; do
		n=${n//-/_}
		[[ -n ${MOD_SEEN[$n]:-} ]] && continue
		MOD_SEEN[$n]=1
		f=${MOD_PATH[$n]:-}
		[[ -n $f ]] || die "module $n not found in $MODDIR"
		deps=$(modinfo -F depends "$f") || die "modinfo $f failed"
		for d in ${deps//,/ }; do mod_closure "$d"; done
		echo "$f"
	done
}

# ko_copy SRC DEST: copy a Debian module, decompressing .ko.xz/.zst/.gz
# (6.12's modules are compressed; busybox insmod wants a plain .ko) and
# dropping its signature (see ko_strip_sig).
ko_copy() {
	case $1 in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac || die "cannot copy module $1"
	ko_strip_sig "$2"
}

# ko_strip_sig KO: drop an appended module signature, in place. Checking it
# is half of what loading kvm.ko costs in Bochs (~4 of ~7 s: hashing 3 MB
# on an emulated CPU). Debian does not enforce signatures without Secure
# Boot, so the module loads all the same, unsigned like hvk.ko itself (the
# kernel is tainted 'E' either way). Layout at the end of a signed module:
# signature, struct module_signature (12 bytes: signer_len at [3],
# key_id_len at [4], big-endian sig_len at [8..11]), then the 28-byte magic.
ko_strip_sig() {
	local f=$1 size b
	[[ $(tail -c 28 "$f") == "~Module signature appended~" ]] || return 0
	size=$(stat -c %s "$f")
	read -r -a b < <(tail -c 40 "$f" | head -c 12 | od -An -tu1)
	local sig=$(((b[8] << 24) | (b[9] << 16) | (b[10] << 8) | b[11]))
	truncate -s $((size - 40 - sig - b[3] - b[4])) "$f" || die "cannot strip the signature of $f"
}

# --- the debug kernel (run --debug-kernel, deps --debug-kernel) ---------------
# A 6.1 kernel built once per arch from Debian's linux-source-6.1 with
# KASAN, lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, kmemleak, DEBUG_LIST and
# UBSAN: `make allnoconfig`, then debug-kernel/common.config and
# debug-kernel/ARCH.config merged in (scripts/kconfig/merge_config.sh),
# olddefconfig, and every line of the fragments checked. Only the image,
# vmlinux and modules_prepare are built (no modules: on x86 kvm.ko and
# kvm-intel.ko are configured, for the symbols hvk uses, but never built).
# Cache layout, under $CACHE/debug-kernel/:
#
#   src-<srcver>/             linux-source-6.1's tarball, extracted
#   <arch>-<srcver>-<hash>/   the O= build tree: the image, vmlinux,
#                             Module.symvers, .config, what an external
#                             module build needs (the KDIR for hvk.ko);
#                             objects pruned after the build
#   <arch>-<srcver>-<hash>.log   the build's log
#
# <srcver> is linux-source-6.1's Debian version; <hash> hashes the two
# fragments and DK_RECIPE, so a change to either rebuilds.
PKGS_DEBUGK=(linux-source-6.1 flex bison bc libelf-dev libssl-dev)
DK_RECIPE=1 # bump when the build steps below change what they produce

# dk_key ARCH: sets DK_SRCVER and DK_HASH (no installs beyond linux-source).
dk_key() {
	local arch=$1 frag=$LAB_DIR/debug-kernel
	[[ -f $frag/common.config && -f $frag/$arch.config ]] ||
		die "$frag/common.config or $arch.config missing"
	DK_SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
	[[ -n $DK_SRCVER ]] || die "linux-source-6.1 is not installed"
	DK_HASH=$( (echo "recipe $DK_RECIPE $arch"; cat "$frag/common.config" "$frag/$arch.config") |
		sha256sum | cut -c1-12)
}

# dk_extract: extract linux-source-6.1 into $CACHE/debug-kernel/src-VER
# (once; sets DK_SRC).
dk_extract() {
	local tar=/usr/src/linux-source-6.1.tar.xz d=$CACHE/debug-kernel
	DK_SRC=$d/src-$DK_SRCVER
	[[ -f $DK_SRC/.hvk-lab-done ]] && return 0
	lock_cache
	if [[ ! -f $DK_SRC/.hvk-lab-done ]]; then
		msg "extracting $tar ..."
		mkdir -p "$d"
		rm -rf "$DK_SRC.tmp"
		mkdir -p "$DK_SRC.tmp"
		tar -xJf "$tar" -C "$DK_SRC.tmp" --strip-components=1 ||
			{ rm -rf "$DK_SRC.tmp"; die "extracting $tar failed"; }
		[[ -f $DK_SRC.tmp/Makefile ]] || die "$tar has no top-level Makefile"
		touch "$DK_SRC.tmp/.hvk-lab-done"
		rm -rf "$DK_SRC"
		mv "$DK_SRC.tmp" "$DK_SRC"
	fi
	unlock_cache
}

# dk_check_config ARCH O: every "CONFIG_X=v" and "# CONFIG_X is not set"
# line of the fragments must be in O/.config as written.
dk_check_config() {
	local arch=$1 o=$2 l s bad=()
	while IFS= read -r l; do
		if [[ $l =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			s=${BASH_REMATCH[1]}
			grep -q "^$s=" "$o/.config" && bad+=("$l (got: $(grep "^$s=" "$o/.config"))")
		elif [[ $l =~ ^(CONFIG_[A-Za-z0-9_]+)= ]]; then
			s=${BASH_REMATCH[1]}
			grep -qxF "$l" "$o/.config" ||
				bad+=("$l (got: $(grep -E "^$s=|^# $s is not set" "$o/.config" || echo "absent: unmet dependency or no such option"))")
		fi
	done < <(cat "$LAB_DIR/debug-kernel/common.config" "$LAB_DIR/debug-kernel/$arch.config")
	((${#bad[@]})) || return 0
	msg "debug kernel config: these fragment lines did not stick after olddefconfig:"
	printf '  %s\n' "${bad[@]}" >&2
	return 1
}

# debug_kernel_setup ARCH: build (once) the debug kernel for ARCH. Sets
# DK_BUILD (the O= tree, also hvk.ko's KDIR), DK_IMAGE (bzImage or Image),
# DK_KREL (its uname -r) and DK_TAG (<srcver>-<hash>).
debug_kernel_setup() {
	local arch=$1 fd rc o img karch=$1
	ensure_pkgs "${PKGS_DEBUGK[@]}"
	if [[ $arch == arm64 ]]; then
		ensure_pkgs "${PKGS_ARM64[@]}"
		img=arch/arm64/boot/Image
	else
		karch=x86_64
		img=arch/x86/boot/bzImage
	fi
	dk_key "$arch"
	DK_TAG=$DK_SRCVER-$DK_HASH
	o=$CACHE/debug-kernel/$arch-$DK_TAG
	DK_BUILD=$o DK_IMAGE=$o/$img
	if [[ ! -f $o/.hvk-lab-done ]]; then
		dk_extract
		mkdir -p "$CACHE/debug-kernel"
		exec {fd}>"$o.lock"
		if ! flock -n "$fd"; then
			msg "waiting for another lab building the $arch debug kernel ..."
			flock "$fd"
		fi
		[[ -f $o/.hvk-lab-done ]] || dk_build "$arch" "$karch" "$o" "$img" || {
			rc=$?
			exec {fd}>&-
			return "$rc"
		}
		exec {fd}>&-
	fi
	DK_KREL=$(cat "$o/include/config/kernel.release" 2>/dev/null)
	[[ -n $DK_KREL && -s $DK_IMAGE && -s $o/Module.symvers ]] ||
		die "the debug kernel in $o is incomplete (remove it to rebuild)"
}

# dk_build ARCH KARCH O IMG: the build itself (under O's lock). `nice`:
# it takes a while, and other labs' emulators must not starve.
dk_build() {
	local arch=$1 karch=$2 o=$3 img=$4 log=$3.log t0=$EPOCHREALTIME
	local mk=(nice -n 10 make -C "$DK_SRC" O="$o" ARCH="$karch" -j"$(nproc)")
	[[ $arch == arm64 ]] && mk+=(CROSS_COMPILE=aarch64-linux-gnu-)
	local frag=$LAB_DIR/debug-kernel
	msg "building the $arch debug kernel ($DK_SRCVER, fragments $DK_HASH) in $o"
	msg "  this takes a while (tens of minutes on 2 cores); log: $log"
	rm -rf "$o"
	mkdir -p "$o"
	: >"$log"
	{
		"${mk[@]}" allnoconfig &&
			KCONFIG_CONFIG=$o/.config "$DK_SRC/scripts/kconfig/merge_config.sh" -m -O "$o" \
				"$o/.config" "$frag/common.config" "$frag/$arch.config" &&
			"${mk[@]}" olddefconfig
	} >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "debug kernel: configuring failed (log: $log)"; }
	dk_check_config "$arch" "$o" || die "debug kernel: the config lacks requested options (log: $log)"
	cp "$o/.config" "$o/config.merged"
	local TIMEFORMAT='%R %U %S'
	local times
	# `time` (bash): wall, user and sys CPU of make and all its children.
	times=$( { time "${mk[@]}" "${img#arch/*/boot/}" modules_prepare >>"$log" 2>&1; } 2>&1 ) ||
		{ tail -n 30 "$log" >&2; die "debug kernel: the build failed (log: $log)"; }
	[[ -s $o/$img && -s $o/vmlinux.symvers ]] || die "debug kernel: no $img or vmlinux.symvers after the build (log: $log)"
	# No modules are built: the kernel's exports are vmlinux's.
	cp "$o/vmlinux.symvers" "$o/Module.symvers"
	# Keep what an external module build needs (.config, include/,
	# arch/*/include, scripts/, tools/objtool, Module.symvers, Makefile)
	# plus the image and vmlinux; the kernel's objects go.
	find "$o" \( -path "$o/scripts" -o -path "$o/tools" \) -prune -o \
		\( -name '*.o' -o -name '*.a' -o -name '.*.cmd' -o -name '*.mod.c' \) -type f -print0 |
		xargs -0 rm -f
	rm -f "$o/vmlinux.o"
	read -r -a times <<<"$times"
	echo "wall ${times[0]} s, user ${times[1]} s, sys ${times[2]} s (make -j$(nproc), nice 10)" >"$o/build-time"
	msg "debug kernel for $arch built: $(cat "$o/build-time"); image $(du -h "$o/$img" | cut -f1), tree $(du -sh "$o" | cut -f1)"
	echo "$DK_TAG" >"$o/.hvk-lab-done"
}

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds the small Linux of the slow test tier from Debian's linux-source-6.1: `make
# tinyconfig`, then tests/linux/small.config on top. Both images go into a cache outside the
# repository (never commit them):
#   ${MILLIVM_CACHE:-/var/cache/millivm}/linux-<hash>/vmlinux   (PVH ELF)
#   ${MILLIVM_CACHE:-/var/cache/millivm}/linux-<hash>/bzImage   (64-bit boot protocol)
# The hash covers the config fragment, the source package version, the compiler and the
# recipe version below, so a change to any of them builds a new kernel; an existing one is
# reused.
# About 6 CPU-minutes (3-4 minutes on 2 idle cores), plus half a minute to unpack the source
# the first time.
#
# Usage: tests/linux/build-kernel.sh [--print-dir] [-j N]
#   --print-dir  print the kernel's cache directory (built or not) and exit; fails when the
#                source package is missing
# Packages (installed when run as root, else the apt-get line is printed):
#   linux-source-6.1 flex bison bc libelf-dev lz4 (and build-essential)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/small.config
cache=${MILLIVM_CACHE:-/var/cache/millivm}
source_pkg=linux-source-6.1
source_tar=/usr/src/$source_pkg.tar.xz
recipe=1 # bump when the build steps below change what is built
jobs=$(nproc)
print_dir=false

while [ $# -gt 0 ]; do
	case $1 in
	--print-dir) print_dir=true ;;
	-j) jobs=$2; shift ;;
	-j*) jobs=${1#-j} ;;
	*) echo "usage: $0 [--print-dir] [-j N]" >&2; exit 2 ;;
	esac
	shift
done

source_version() {
	dpkg-query -W -f='${Status} ${Version}' "$source_pkg" 2>/dev/null |
		sed -n 's/^install ok installed //p'
}

kernel_dir() {
	local version=$1
	local hash
	hash=$({ cat "$fragment"; echo "$version recipe $recipe"; gcc -dumpfullversion; } |
		sha256sum | cut -c1-12)
	echo "$cache/linux-$hash"
}

if $print_dir; then
	version=$(source_version)
	if [ -z "$version" ]; then
		echo "build-kernel: $source_pkg is not installed" >&2
		exit 1
	fi
	kernel_dir "$version"
	exit 0
fi

packages=(build-essential "$source_pkg" flex bison bc libelf-dev lz4)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "build-kernel: missing packages; run as root:" >&2
		echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
		exit 1
	fi
	echo "build-kernel: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

version=$(source_version)
out=$(kernel_dir "$version")
mkdir -p "$cache"
exec 9>"$cache/.build-lock"
flock 9 # one build at a time; a second caller then finds the kernel built
if [ -f "$out/vmlinux" ] && [ -f "$out/bzImage" ]; then
	echo "build-kernel: up to date: $out"
	exit 0
fi

start=$(date +%s)
src=$cache/src-$version/$source_pkg
if [ ! -f "$src/Makefile" ]; then
	echo "build-kernel: unpacking $source_tar"
	rm -rf "$cache/src-$version.tmp"
	mkdir -p "$cache/src-$version.tmp"
	tar -xf "$source_tar" -C "$cache/src-$version.tmp"
	rm -rf "$cache/src-$version"
	mv "$cache/src-$version.tmp" "$cache/src-$version"
fi

build=$out.build
rm -rf "$build" "$out"
mkdir -p "$build"
log=$build/build.log
echo "build-kernel: building $source_pkg $version in $build (log: $log)"
kmake() { make -C "$src" O="$build" -j"$jobs" "$@" >>"$log" 2>&1; }
if ! { kmake tinyconfig &&
	"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$fragment" \
		>>"$log" 2>&1 &&
	kmake olddefconfig; }; then
	tail -20 "$log" >&2
	echo "build-kernel: configuration failed (log: $log)" >&2
	exit 1
fi

# Every line of the fragment must have survived olddefconfig (a missing dependency drops
# an option silently).
lost=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qx -- "$line" "$build/.config" || lost+=("$line") ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		if grep -q "^$opt=" "$build/.config"; then lost+=("$line"); fi ;;
	esac
done <"$fragment"
if [ "${#lost[@]}" -gt 0 ]; then
	echo "build-kernel: options of $fragment not in the final .config:" >&2
	printf '  %s\n' "${lost[@]}" >&2
	exit 1
fi

if ! kmake vmlinux bzImage; then
	tail -30 "$log" >&2
	echo "build-kernel: build failed (log: $log)" >&2
	exit 1
fi
mkdir -p "$out.tmp"
cp "$build/vmlinux" "$build/arch/x86/boot/bzImage" "$build/.config" "$build/System.map" \
	"$log" "$out.tmp/"
mv "$out.tmp/.config" "$out.tmp/config"
echo "$source_pkg $version, $(gcc -dumpfullversion), $(date -u +%FT%TZ)" >"$out.tmp/built-from"
mv "$out.tmp" "$out"
rm -rf "$build"
echo "build-kernel: done in $(($(date +%s) - start)) s: $out/vmlinux $out/bzImage"

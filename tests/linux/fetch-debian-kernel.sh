#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Fetches Debian's stock kernel (linux-image-amd64's dependency, linux-image-6.1.0-*-amd64)
# with apt and unpacks it into a cache outside the repository (never commit kernels):
#   ${MILLIVM_CACHE:-/var/cache/millivm}/debian-kernel-<version>/
#     vmlinuz   the bzImage as Debian ships it (64-bit boot protocol)
#     vmlinux   the PVH ELF, extracted from vmlinuz's compressed payload
#     config    the kernel's build configuration
#     pvh-entry the PVH entry address from the note (0x1000850 for Debian 12's 6.1)
#     System.map the kernel's symbols (the modules are not kept)
# Idempotent: a complete cache directory is reused. The vmlinux must carry the Xen PVH entry
# note (XEN_ELFNOTE_PHYS32_ENTRY); the script fails otherwise.
#
# Usage: tests/linux/fetch-debian-kernel.sh [--print-dir]
#   --print-dir  print the cache directory for the candidate version (fetched or not), exit
set -euo pipefail
cache=${MILLIVM_CACHE:-/var/cache/millivm}
print_dir=false
case ${1:-} in
--print-dir) print_dir=true ;;
"") ;;
*) echo "usage: $0 [--print-dir]" >&2; exit 2 ;;
esac

# linux-image-amd64 depends on exactly one versioned image package.
image_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
[ -n "$image_pkg" ] || { echo "fetch-debian-kernel: apt knows no linux-image-amd64" >&2; exit 1; }
version=$(apt-cache policy "$image_pkg" | sed -n 's/^ *Candidate: //p')
dir=$cache/debian-kernel-$version
if $print_dir; then
	echo "$dir"
	exit 0
fi
if [ -f "$dir/vmlinux" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/config" ]; then
	echo "fetch-debian-kernel: cached in $dir"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "$image_pkg=$version" >/dev/null 2>&1) ||
	{ echo "fetch-debian-kernel: apt-get download $image_pkg=$version failed" >&2; exit 1; }
deb=$(ls "$work"/*.deb)
mkdir -p "$work/pkg"
dpkg -x "$deb" "$work/pkg"
vmlinuz=$(ls "$work"/pkg/boot/vmlinuz-*)
kconfig=$(ls "$work"/pkg/boot/config-*)

# The bzImage's payload is a compressed vmlinux (xz on Debian 12); find the stream by its
# magic and let the decompressor ignore what follows it. Like Linux's scripts/extract-vmlinux.
extract() { # magic-as-printf-escapes decompress-command...
	local magic=$1 offset
	shift
	for offset in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | cut -d: -f1); do
		tail -c +$((offset + 1)) "$vmlinuz" | "$@" >"$work/vmlinux" 2>/dev/null || true
		if [ "$(head -c 4 "$work/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			return 0
		fi
	done
	return 1
}
extract '\xfd\x37\x7a\x58\x5a\x00' xz -dc ||
	extract '\x28\xb5\x2f\xfd' zstd -dc ||
	extract '\x1f\x8b\x08' gzip -dc ||
	{ echo "fetch-debian-kernel: no xz, zstd or gzip vmlinux in $vmlinuz" >&2; exit 1; }

# The PVH entry note: name "Xen", type 18 = 0x12, the entry as a little-endian number (some
# kernels pad it to 8 bytes). readelf knows Xen notes by number only.
entry=$(readelf -nW "$work/vmlinux" |
	sed -n 's/^ *Xen .*(0x00000012).*description data: \([0-9a-f]*\) \([0-9a-f]*\) \([0-9a-f]*\) \([0-9a-f]*\).*/0x\4\3\2\1/p')
[ -n "$entry" ] ||
	{ echo "fetch-debian-kernel: $vmlinuz has no Xen PVH entry note" >&2; exit 1; }
echo "$entry" >"$work/pvh-entry"

mkdir -p "$dir.tmp"
rm -rf "$dir.tmp"/*
cp "$vmlinuz" "$dir.tmp/vmlinuz"
cp "$kconfig" "$dir.tmp/config"
mv "$work/vmlinux" "$dir.tmp/vmlinux"
mv "$work/pvh-entry" "$dir.tmp/pvh-entry"
cp "$work"/pkg/boot/System.map-* "$dir.tmp/System.map"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "fetch-debian-kernel: $image_pkg $version in $dir"

#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Installs the Debian 12 packages millivm needs to build, test and benchmark (run as root).
# Without root it prints the apt-get line to run instead.
set -eu
packages=(
	build-essential clang          # gcc and clang: the project builds with both
	libcmocka-dev                  # unit tests
	libclang-rt-14-dev             # ASan/UBSan and libFuzzer runtimes for clang
	liburing-dev libseccomp-dev libjansson-dev  # io_uring disks, sandbox, config/API
	libslirp-dev libslirp0         # --net user: headers to build, the library loaded at run time
	gdb                            # gdb stub tests
	curl                           # the API tests' HTTP client (curl --unix-socket)
	qemu-system-x86                # the peer in benchmarks and the reference-guest cross-check
	passt                          # bench/net.py: QEMU on passt beside libslirp
	acpica-tools                   # iasl/acpiexec judge the --acpi tables (tests/integration/acpi-iasl.sh)
	chromium                       # flame graph check in a real browser
	python3 iproute2 procps acl util-linux  # acl, setpriv: the unprivileged-run test
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages; run as root:" >&2
	echo "  apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

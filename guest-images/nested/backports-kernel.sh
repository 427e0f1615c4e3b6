#!/usr/bin/env bash
# Unpacks Debian's bookworm-backports kernel (linux-image-amd64 from
# bookworm-backports: Linux 6.12 when this was written) under
# .build/nested/kernels/VERSION for `nested-kvm.sh --kernel-root`, without
# installing it or touching this machine's apt sources: its own source list
# and package lists live in the cache directory.
#
# Why: KVM_PRE_FAULT_MEMORY (Linux 6.10+, KVM API doc 4.143) is not offered by
# this machine's KVM nor by bookworm's 6.1; a nested host running the
# backports kernel offers it on its kvm_amd, so `vmm --warm prefault` can be
# run for real (README, "Stage-2 warm-up").
#
# Prints the directory (holding boot/vmlinuz-VERSION and the four modules
# nested-kvm.sh loads, under lib/modules/VERSION/kernel/). Exit statuses:
# 0 done (or already there), 69 the package could not be fetched (no network,
# no such suite: a reason on stderr), 125 anything else failed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=$repo/.build/nested/kernels
mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial"
die() { echo "backports-kernel: $2" >&2; exit "$1"; }

echo "deb http://deb.debian.org/debian bookworm-backports main" > "$cache/apt/sources.list"
apt=(-o Dir::Etc::SourceList="$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$cache/apt/lists" -o Dir::Cache::Archives="$cache/apt/archives"
     -o APT::Sandbox::User=root -o Debug::NoLocking=1)
# The package lists, refreshed at most once a day.
if [ -z "$(find "$cache/apt/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  apt-get "${apt[@]}" -qq update >&2 || die 69 "apt-get update of bookworm-backports failed"
fi
# linux-image-amd64 (the metapackage) names the versioned image package.
pkg=$(apt-cache "${apt[@]}" depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
[ -n "$pkg" ] || die 69 "bookworm-backports lists no linux-image-amd64"
version=${pkg#linux-image-}
dir=$cache/$version
if [ ! -f "$dir/boot/vmlinuz-$version" ]; then
  (cd "$cache/apt" && apt-get "${apt[@]}" -qq download "$pkg" >&2) || die 69 "apt-get download $pkg failed"
  deb=$(ls "$cache/apt/${pkg}_"*.deb | head -1)
  rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" --wildcards \
      "./boot/vmlinuz-$version" "./lib/modules/$version/kernel/virt/lib/irqbypass.ko*" \
      "./lib/modules/$version/kernel/drivers/crypto/ccp/ccp.ko*" \
      "./lib/modules/$version/kernel/arch/x86/kvm/kvm.ko*" "./lib/modules/$version/kernel/arch/x86/kvm/kvm-amd.ko*" \
    || die 125 "unpacking $deb failed"
  rm -f "$deb"
  rm -rf "$dir"; mv "$dir.tmp" "$dir"
fi
echo "$dir"

#!/usr/bin/env bash
# CI on hardware-assisted KVM (README, "Hardware-assisted KVM by nested
# emulation"): builds the initrds the checks boot, then runs ci-inside.sh in
# the nested host (nested-kvm.sh), then ci-prefault.sh in a second nested host
# running bookworm-backports' Linux (backports-kernel.sh), whose kvm_amd offers
# KVM_PRE_FAULT_MEMORY. Exits 0 when every check passed, 1 when one failed,
# 124/125 when the harness itself failed.
#
# Usage: ci-checks.sh        (BENCH_FILTER overrides the benchmark subset)
set -euo pipefail
# (In braces: bash reads all of it before running, so editing the file
# while it runs cannot break a run.)
{
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
programs=$repo/.build/nested/programs
ci=$repo/.build/nested/ci

# The benchmarks checked there: under TCG a benchmark takes ~20 s in the
# nested host (calibration, 5 repetitions on each side, one boot with 256 MiB
# populated by --prealloc), so the whole suite (~15 min) does not fit the
# budget. One of each kind the suite has: the cheapest call, the clock,
# memory (page faults, mmap/munmap, brk), descriptors (pipe, read/write,
# open/close, stat, poll), signal masks.
BENCH_FILTER=${BENCH_FILTER:-^(getpid|clock_gettime|read_null|write_null|pipe|open_close|stat|mmap_fault|mmap_munmap|brk|poll|sigprocmask)$}

"$here/build-programs.sh" "$programs"
# Initrds (newc) for the checks that boot the built-in kernel with a command
# line of their own: list.cpio holds /faults and /hello (musl) for run lists,
# syscalls-LIBC.cpio syscalls.c as /init with the files
# GuestKernelTests.syscallResultsMatchTheHost puts beside it.
pack() {  # OUT DIR
  (cd "$2" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$1"
}
stage=$ci/stage
rm -rf "$ci"; mkdir -p "$stage/dev"
cp "$programs/faults-musl" "$stage/faults"; cp "$programs/hello-musl" "$stage/hello"
pack "$ci/list.cpio" "$stage"
for libc in musl glibc; do
  rm -rf "$stage"; mkdir -p "$stage/dev" "$stage/sub"
  printf 'hello world, file\n' > "$stage/data.txt"
  printf 'file a\n' > "$stage/sub/a.txt"; printf 'file b\n' > "$stage/sub/b.txt"
  ln -s data.txt "$stage/link.txt"; ln -s sub "$stage/sublink"
  chmod 644 "$stage/data.txt" "$stage"/sub/*.txt; chmod 755 "$stage/sub" "$stage/dev"
  cp "$programs/syscalls-$libc" "$stage/init"
  pack "$ci/syscalls-$libc.cpio" "$stage"
done
# linux-sh.cpio: BusyBox as a Linux guest's init (rdinit=/bin/sh), for the
# checks that pipe commands into its ttyS0.
rm -rf "$stage"; mkdir -p "$stage/bin" "$stage/dev"
cp /bin/busybox "$stage/bin/busybox"
for a in sh poweroff; do ln -s busybox "$stage/bin/$a"; done
pack "$ci/linux-sh.cpio" "$stage"
rm -rf "$stage"
# hugepages.c's output depends on the kernel's version (Linux >= 6.7 puts
# anonymous mappings of 2 MiB or more on a 2 MiB boundary; the nested host's
# Debian 6.1 does not), so it is compared with this host's Linux, under this
# host's THP policy, which ci-inside.sh sets in the nested host.
sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled > "$ci/thp"
for libc in musl glibc; do
  (cd / && "$programs/hugepages-$libc") > "$ci/hugepages-$libc.host" 2>&1
done

# Debian's kernel (the nested host's own) as the Linux guest of the
# --linux-kernel bench. The watchdog is for a hang: on an idle 2-core
# machine both nested hosts' checks took about 4 minutes (eba957b's CI), but
# TCG is CPU-bound, and beside builds and bench runs they once took past 20.
linux=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1 || true)
status=0
"$here/nested-kvm.sh" --timeout "${NESTED_KVM_TIMEOUT:-1800}" \
  --add "$here/ci-inside.sh" --add "$ci" --add "$repo/guest-images/bench/baseline-hardware.json" \
  --add "$repo/guest-images/kernel-tests/busybox" \
  ${linux:+--add "$linux"} -- "sh $here/ci-inside.sh '$BENCH_FILTER' '$linux'" || status=$?

# KVM_PRE_FAULT_MEMORY (Linux 6.10+) is offered neither here nor by
# bookworm's 6.1: a second nested host runs bookworm-backports' kernel.
# Without the package (no network) the checks are skipped, and say why.
set +e
root=$("$here/backports-kernel.sh" 2> "$ci/backports.err"); s=$?
set -e
if [ $s = 69 ]; then
  echo "skip KVM_PRE_FAULT_MEMORY checks: $(tail -1 "$ci/backports.err")"
elif [ $s != 0 ]; then
  echo "FAIL backports kernel: status $s: $(tail -1 "$ci/backports.err")"; status=1
else
  s=0
  "$here/nested-kvm.sh" --kernel-root "$root" --timeout 600 --add "$here/ci-prefault.sh" \
    -- "sh $here/ci-prefault.sh" || s=$?
  [ $s = 0 ] || [ $status != 0 ] || status=$s
fi
exit $status
}

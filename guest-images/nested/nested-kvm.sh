#!/usr/bin/env bash
# Runs COMMAND on hardware-assisted KVM: inside a Linux booted under QEMU's
# TCG with an emulated AMD SVM + nested paging CPU, where /dev/kvm is a real
# kvm_amd (platform.md, last section; README, "Hardware-assisted KVM by
# nested emulation").
#
# Usage: nested-kvm.sh [--add PATH]... [--memory SIZE] [--timeout SECONDS]
#                      [--boot-timeout SECONDS] [--kernel-root DIR] -- COMMAND
# --memory is the nested host's RAM (QEMU's -m, default 2G).
# --kernel-root boots another Linux as the nested host: DIR holds
# boot/vmlinuz-VERSION and lib/modules/VERSION/kernel/ (an unpacked
# linux-image package: backports-kernel.sh makes one), instead of this
# machine's /boot and /lib/modules.
#
# The nested host's initramfs holds BusyBox, the kvm_amd modules, the release
# `vmm` (on PATH, with its shared libraries), the build products `vmm` uses
# (built-in kernel, benchmark binary) and the test programs (built here into
# .build/nested/programs/), and each --add PATH (a file or a directory), all
# at the same absolute paths as on this machine. COMMAND is a shell command
# line run by BusyBox sh in the current directory's path; its stdout goes to
# stdout, its stderr to stderr, and this script exits with its status.
#
# Exit statuses: COMMAND's own (0-255), or
#   64   bad usage
#   124  timed out: the nested host did not boot within --boot-timeout
#        (default 180 s, $NESTED_KVM_BOOT_TIMEOUT) or COMMAND did not finish
#        within --timeout (default 1800 s, $NESTED_KVM_TIMEOUT); QEMU is killed
#   125  the harness failed: packages, build, QEMU, or the nested host stopped
#        (panic, module load failure, no /dev/kvm) before reporting a status
# Every failure of the harness itself is one line on stderr starting
# "nested-kvm: "; the nested host's boot log is kept in .build/nested/boot.log.
set -euo pipefail
# (In braces: bash reads all of it before running, so editing the file
# while it runs cannot break a run.)
{

die() { echo "nested-kvm: $2" >&2; exit "$1"; }
usage() { die 64 "usage: nested-kvm.sh [--add PATH]... [--memory SIZE] [--timeout SECONDS] [--boot-timeout SECONDS] [--kernel-root DIR] -- COMMAND"; }

adds=() memory=2G kernel_root=
timeout=${NESTED_KVM_TIMEOUT:-1800} boot_timeout=${NESTED_KVM_BOOT_TIMEOUT:-180}
while [ $# -gt 0 ]; do
  case $1 in
    --add) [ $# -ge 2 ] || usage; adds+=("$2"); shift 2 ;;
    --memory) [ $# -ge 2 ] || usage; memory=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    --boot-timeout) [ $# -ge 2 ] || usage; boot_timeout=$2; shift 2 ;;
    --kernel-root) [ $# -ge 2 ] || usage; kernel_root=$2; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
[ $# -eq 1 ] || usage
command_line=$1
[[ $memory =~ ^[0-9]+[MG]$ ]] || die 64 "--memory $memory: give a size like 2G or 1536M"
[[ $timeout =~ ^[0-9]+$ && $boot_timeout =~ ^[0-9]+$ ]] || die 64 "timeouts are whole seconds"
for p in "${adds[@]}"; do [ -e "$p" ] || die 64 "--add $p: no such file or directory"; done
if [ -n "$kernel_root" ]; then
  kernel=$(ls "$kernel_root"/boot/vmlinuz-* 2>/dev/null | head -1)
  [ -n "$kernel" ] || die 64 "--kernel-root $kernel_root: no boot/vmlinuz-* in it"
  kver=${kernel##*/vmlinuz-}
  [ -d "$kernel_root/lib/modules/$kver/kernel" ] || die 64 "--kernel-root $kernel_root: no lib/modules/$kver/kernel in it"
fi

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=$repo/.build/nested
mkdir -p "$cache"

# Debian packages: QEMU, the kernel whose kvm_amd we load, BusyBox; a C
# compiler and both libcs for the test programs.
kver=6.1.0-57-amd64
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -f /boot/vmlinuz-$kver ] || need+=(linux-image-amd64)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v musl-gcc >/dev/null || need+=(musl-tools)
if [ ${#need[@]} -gt 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >&2 \
    || die 125 "apt-get install ${need[*]} failed"
fi
# linux-image-amd64 may bring a newer kernel than the one named above.
if [ ! -f /boot/vmlinuz-$kver ]; then
  kver=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -1)
  [ -n "$kver" ] || die 125 "no /boot/vmlinuz-*-amd64 after installing linux-image-amd64"
fi
if [ -n "$kernel_root" ]; then
  kver=${kernel##*/vmlinuz-}
  modules=$kernel_root/lib/modules/$kver
else
  kernel=/boot/vmlinuz-$kver
  modules=/lib/modules/$kver
fi

# One run at a time builds the cached pieces (other runs wait here); the
# per-run ones live in $work.
work=$(mktemp -d)
qemu_pid=
cleanup() { [ -n "$qemu_pid" ] && kill -9 "$qemu_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
exec 9> "$cache/lock"
flock 9

# --- The release vmm and what it finds by absolute path ---------------------
# NESTED_KVM_PREBUILT=1: use the release build as it is (`swift test` holds
# the package's build lock while its tests call this script).
if [ "${NESTED_KVM_PREBUILT:-}" = 1 ]; then
  vmm=$repo/.build/release/vmm
else
  (cd "$repo" && swift build -c release > "$cache/build.log" 2>&1) \
    || die 125 "swift build -c release failed: $(grep -m1 'error:' "$cache/build.log") (log: $cache/build.log)"
  vmm=$(cd "$repo" && swift build -c release --show-bin-path)/vmm
fi
[ -x "$vmm" ] || die 125 "no release vmm at $vmm"
guest_kernel=$("$vmm" info 2>/dev/null | sed -n 's/^built-in kernel: //p')
bench=$(sed -n 's/^let benchBuildPath = "\(.*\)"$/\1/p' \
  "$repo"/.build/plugins/outputs/*/GuestImages/destination/BuildGuestImages/GuestImagesBuildPaths.swift 2>/dev/null | head -1)
[ -f "$guest_kernel" ] || die 125 "the built-in kernel ($guest_kernel) is missing"
[ -f "$bench" ] || die 125 "the benchmark binary ($bench) is missing"

# --- Test programs (NAME-glibc, NAME-musl, NAME.elf) --------------------------
programs=$cache/programs
"$repo/guest-images/nested/build-programs.sh" "$programs" || exit 125

# --- The initramfs: three newc archives, concatenated (the kernel unpacks
# each in turn, buffer-format.rst) -------------------------------------------
# copy SRC [DEST]: SRC (dereferenced) at DEST (default: SRC's own path) under $stage.
copy() { mkdir -p "$stage$(dirname "${2:-$1}")"; cp -rL "$1" "$stage${2:-$1}"; }
pack() { (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$1.tmp" && mv "$1.tmp" "$1"; }

# 1. base.cpio (cached): BusyBox and its applet links, the modules, /init.
base=$cache/base-$kver.cpio
if [ ! -f "$base" ] || [ "$repo/guest-images/nested/init.sh" -nt "$base" ] || [ "$0" -nt "$base" ]; then
  stage=$cache/stage-base; rm -rf "$stage"; mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,lib/modules}
  chmod 1777 "$stage/tmp"
  cp /bin/busybox "$stage/bin/busybox"
  for applet in $(/bin/busybox --list-full); do
    [ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
  done
  for m in virt/lib/irqbypass drivers/crypto/ccp/ccp arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
    name=$(basename $m)
    if [ -f "$modules/kernel/$m.ko" ]; then cp "$modules/kernel/$m.ko" "$stage/lib/modules/$name.ko"
    elif [ -f "$modules/kernel/$m.ko.xz" ]; then xz -dc "$modules/kernel/$m.ko.xz" > "$stage/lib/modules/$name.ko"
    else die 125 "module $modules/kernel/$m.ko(.xz) not found"; fi
  done
  cp "$repo/guest-images/nested/init.sh" "$stage/init"; chmod 755 "$stage/init"
  pack "$base"; rm -rf "$stage"
fi

# 2. products.cpio: vmm with its libraries, the built-in kernel, the benchmark
# binary, the test programs; rebuilt whenever one of them is newer.
products=$cache/products.cpio
stale=$([ -f "$products" ] || echo missing)
for f in "$vmm" "$guest_kernel" "$bench" "$programs"/*; do
  if [ "$f" -nt "$products" ]; then stale=newer; fi
done
if [ -n "$stale" ]; then
  stage=$cache/stage-products; rm -rf "$stage"; mkdir -p "$stage/usr/local/bin"
  copy "$vmm"; ln -s "$vmm" "$stage/usr/local/bin/vmm"
  for lib in $(ldd "$vmm" | grep -o '/[^ ]*') /lib64/ld-linux-x86-64.so.2; do copy "$lib"; done
  copy "$guest_kernel"; copy "$bench"; copy "$programs"
  pack "$products"; rm -rf "$stage"
fi

# 3. run.cpio (every run): the --add paths, COMMAND, its directory, a nonce
# that marks the nested /init's status line so no output can forge it.
nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
stage=$work/stage-run; mkdir -p "$stage/nested" "$stage$PWD"
for p in "${adds[@]}"; do
  abs=$(cd "$(dirname "$p")" && pwd)/$(basename "$p")
  copy "$p" "$abs"
done
printf '%s\n' "$command_line" > "$stage/nested/command"
printf '%s\n' "$PWD" > "$stage/nested/cwd"
printf '%s\n' "$nonce" > "$stage/nested/nonce"
pack "$work/run.cpio"
initrd=$work/initrd.cpio
cat "$base" "$products" "$work/run.cpio" > "$initrd"
rm -rf "$stage"
flock -u 9; exec 9>&-

# --- Boot -------------------------------------------------------------------
# ttyS0 (stdio): the kernel's console, /init's markers, COMMAND's stdout;
# ttyS1 (appended to our stderr): COMMAND's stderr.
log=$cache/boot.log
: > "$log"
mkfifo "$work/console"
qemu-system-x86_64 -accel tcg -cpu EPYC,+svm,+npt -m "$memory" -smp 1 -nographic -no-reboot \
  -monitor none -serial stdio -chardev file,id=err,path=/dev/fd/3,append=on -serial chardev:err \
  -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 quiet loglevel=3 panic=-1" \
  < /dev/null > "$work/console" 3>&2 2>"$work/qemu.err" &
qemu_pid=$!

# The console filter: boot output to the log; after "<nonce> ready", output
# through to stdout until "<nonce> status N" (its leading newline is ours,
# so output is reproduced byte for byte, trailing newline or not).
(
  state=boot pending=
  while IFS= read -r line || [ -n "$line" ]; do
    case $state,$line in
      boot,*"$nonce ready"*) state=run; : > "$work/ready" ;;
      boot,*"$nonce failed: "*) echo "${line#*"$nonce failed: "}" > "$work/failed" ;;
      boot,*) printf '%s\n' "$line" >> "$log" ;;
      run,*"$nonce status "*) printf '%s' "${line%%"$nonce status "*}"; echo "${line##*"$nonce status "}" > "$work/status"; state=done ;;
      run,*) printf '%s%s' "$pending" "$line"; pending=$'\n' ;;
      done,*) printf '%s\n' "$line" >> "$log" ;;
    esac
  done
  [ $state = run ] && printf '%s' "$pending"
  true
) < "$work/console" &
filter_pid=$!

# The watchdog: QEMU is killed at the boot or the whole-run deadline.
start=$SECONDS
while kill -0 "$qemu_pid" 2>/dev/null; do
  if [ ! -e "$work/ready" ] && [ $((SECONDS - start)) -ge "$boot_timeout" ]; then
    : > "$work/boot-timeout"; kill -9 "$qemu_pid"; break
  fi
  if [ $((SECONDS - start)) -ge "$timeout" ]; then
    : > "$work/timeout"; kill -9 "$qemu_pid"; break
  fi
  sleep 1
done
qemu_status=0
{ wait "$qemu_pid"; } 2>/dev/null || qemu_status=$?   # (no "Killed" line from bash)
qemu_pid=
wait "$filter_pid" || true

if [ -e "$work/status" ]; then exit "$(cat "$work/status")"; fi
[ -e "$work/boot-timeout" ] && die 124 "the nested host did not finish booting within ${boot_timeout} s (boot log: $log)"
[ -e "$work/timeout" ] && die 124 "COMMAND did not finish within ${timeout} s (QEMU killed)"
[ -e "$work/failed" ] && die 125 "the nested host could not start: $(cat "$work/failed") (boot log: $log)"
# QEMU's own complaints, less the TCG CPUID warnings every boot prints.
grep -v 'warning: TCG doesn.t support requested feature' "$work/qemu.err" | head -3 >&2 || true
if [ -e "$work/ready" ]; then
  die 125 "the nested host stopped before COMMAND finished (QEMU status $qemu_status; boot log: $log)"
fi
last=$(grep -a -m1 'Kernel panic' "$log" || tail -1 "$log")
die 125 "the nested host stopped while booting (QEMU status $qemu_status; ${last#*] }; boot log: $log)"
exit
}

#!/usr/bin/env bash
# libFuzzer over the repository's own parsing code (Tests/Fuzz/README.md).
#
#   Tests/Fuzz/fuzz.sh --list                 the targets and the code each one runs
#   Tests/Fuzz/fuzz.sh TARGET SECONDS [-libFuzzer-option ...]
#                                             build TARGET, fuzz it for SECONDS
#   Tests/Fuzz/fuzz.sh all SECONDS            every target in turn, SECONDS each
#   Tests/Fuzz/fuzz.sh TARGET FILE...         run TARGET once on each FILE (reproduce)
#   Tests/Fuzz/fuzz.sh --build TARGET|all     build only
#
# Exit status: 0 no crash; 1 a crash, a failed check, a timeout or an
# out-of-memory (the input is kept in .build/fuzz/crashes/TARGET/ and
# printed); 2 bad usage or a build failure.
# Environment: FUZZ_OPT=-Onone builds faster and runs ~4x slower (CI); the
# default is -O. Arithmetic overflow, bad indices and force-unwraps trap in
# both, and AddressSanitizer is always on.
set -euo pipefail
# A trap is reported by libFuzzer (deadly signal + stack); the Swift runtime's
# own backtracer would only slow each crash down.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# name | what it fuzzes (real sources) | kernel files compiled in | libFuzzer options
# Kernel files are named from Sources/GuestKernel/Kernel; the host doubles for
# what they need of the kernel's hardware layer from the root (Tests/...): the
# unit tests' HostStubs.swift and, for the log and RAM, Targets/KernelHost.swift.
host_stubs="Tests/VMMTests/KernelShared/HostStubs.swift"
targets=(
  "elf|ELF validation and placement: Boot/ELFImage.swift, MemoryMap.swift, BootInfo.swift, BootPageTables.swift, Memory/GuestMemory.swift||-max_len=8192"
  "initramfs|initramfs writer (Initramfs/CPIOArchive.swift, Initramfs.swift) read back by the kernel's Cpio.swift + FS/Initramfs.swift|FS/Cpio.swift FS/Initramfs.swift FS/InitramfsNames.swift FS/NameHash.swift Memory/FrameAllocator.swift Memory/Physical.swift $host_stubs Tests/Fuzz/Targets/KernelHost.swift|-max_len=4096"
  "cpio|the kernel's cpio reader and initramfs index: Kernel/FS/Cpio.swift, Kernel/FS/Initramfs.swift|FS/Cpio.swift FS/Initramfs.swift FS/InitramfsNames.swift FS/NameHash.swift Memory/FrameAllocator.swift Memory/Physical.swift $host_stubs Tests/Fuzz/Targets/KernelHost.swift|-max_len=8192"
  "cmdline|the kernel's command-line parser (Kernel/Boot/CommandLine.swift, walked as RunList.swift does) and the VMM's Initramfs/KernelCommandLine.swift|Boot/CommandLine.swift Process/StringList.swift Memory/TransparentHugePages.swift Process/VMA.swift Process/VMAStore.swift FS/Cpio.swift $host_stubs|-max_len=4096 -detect_leaks=0"
  "json|baseline/JSON parser: Report/JSONParser.swift, Report/JSON.swift, Bench/Baseline.swift||-max_len=4096"
  "exit|exit decoding from a kvm_run page (CKVM ckvm_decode_exit, KVM/VCPU.swift, KVM/VCPUExit.swift) through Run/ExitDispatcher.swift and the devices||-max_len=16384"
  "hypercall|hypercall records: Devices/Hypercall.swift against Memory/GuestMemory.swift||-max_len=4096"
  "symbols|the profile's symbol table: Boot/KernelSymbols.swift, Run/InstructionProfile.swift, Report/ProfileText.swift||-max_len=8192"
)

field() { # field TARGET N
  local t
  for t in "${targets[@]}"; do
    IFS='|' read -r name what kernel opts <<<"$t"
    if [ "$name" = "$1" ]; then
      case $2 in 1) echo "$what" ;; 2) echo "$kernel" ;; 3) echo "$opts" ;; esac
      return 0
    fi
  done
  return 1
}
names() { local t; for t in "${targets[@]}"; do echo "${t%%|*}"; done; }

opt=${FUZZ_OPT:--O}
out=$root/.build/fuzz/${opt#-}
spm=$root/.build/debug
core_lib=$out/core/libVMMCore.a
swift_flags=(-parse-as-library -swift-version 5 "$opt" -g -sanitize=fuzzer,address)
module_flags=(-I "$out/core" -I "$out/ckvm" -I "$spm/Modules"
              -I "$root/.build/checkouts/swift-system/Sources/CSystem/include")

# The VMM's sources as `swift build` compiles them, minus what needs the
# argument parser or the plugin-built modules (the CLI, the built-in paths).
core_sources() {
  find Sources/VMM -name '*.swift' ! -path '*/CLI/*' ! -name 'BuiltIn*.swift' ! -name GuestRunner.swift | sort
}

newer_than() { # newer_than FILE PATH... : any PATH newer than FILE (or FILE missing)
  local f=$1; shift
  [ ! -e "$f" ] && return 0
  [ -n "$(find "$@" -newer "$f" -print -quit 2>/dev/null)" ]
}

build_core() {
  # SwiftPM's own build of swift-system (SystemPackage) is linked in as is.
  if [ ! -e "$spm/Modules/SystemPackage.swiftmodule" ]; then
    swift build --target SystemPackage >/dev/null || { echo "fuzz.sh: swift build --target SystemPackage failed" >&2; exit 2; }
  fi
  mkdir -p "$out/core" "$out/ckvm"
  printf 'module CKVM {\n    umbrella "%s/Sources/CKVM/include"\n    export *\n}\n' "$root" >"$out/ckvm/module.modulemap"
  if newer_than "$out/ckvm/.built" Sources/CKVM; then
    local f
    rm -f "$out"/ckvm/*.o "$out"/ckvm/*.a
    for f in Sources/CKVM/*.c; do
      clang -c -O1 -g -fsanitize=fuzzer-no-link,address -ISources/CKVM/include "$f" -o "$out/ckvm/$(basename "$f" .c).o"
    done
    touch "$out/ckvm/.built"
  fi
  if newer_than "$core_lib" Sources/VMM Sources/CKVM; then
    echo "fuzz.sh: compiling the VMM's sources ($opt, $(core_sources | wc -l) files)" >&2
    # shellcheck disable=SC2046
    swiftc -emit-library -static -emit-module -module-name VMMCore -enable-testing \
      -emit-module-path "$out/core/VMMCore.swiftmodule" -o "$core_lib.tmp" \
      "${swift_flags[@]}" "${module_flags[@]}" $(core_sources) \
      || { echo "fuzz.sh: the VMM's sources do not compile for fuzzing" >&2; exit 2; }
    mv "$core_lib.tmp" "$core_lib"
  fi
}

build_target() { # build_target NAME -> $out/bin/NAME
  local name=$1 kernel k
  kernel=$(field "$name" 2) || { echo "fuzz.sh: unknown target '$name' (--list lists them)" >&2; exit 2; }
  build_core
  local sources=(Tests/Fuzz/Targets/FuzzInput.swift Tests/Fuzz/Targets/FakeVCPU.swift "Tests/Fuzz/Targets/$name.swift")
  for k in $kernel; do
    case $k in Tests/*) sources+=("$k") ;; *) sources+=("Sources/GuestKernel/Kernel/$k") ;; esac
  done
  local bin=$out/bin/$name
  mkdir -p "$out/bin"
  if newer_than "$bin" "${sources[@]}" "$core_lib" "$out/ckvm/.built"; then
    echo "fuzz.sh: building $name" >&2
    swiftc "${swift_flags[@]}" "${module_flags[@]}" -module-name "Fuzz_$name" "${sources[@]}" \
      -L "$out/core" -lVMMCore "$out"/ckvm/*.o "$spm"/SystemPackage.build/*.o "$spm"/CSystem.build/*.o \
      -o "$bin.tmp" 2> >(grep -v 'warning: Cannot export local symbol' >&2) \
      || { echo "fuzz.sh: target $name does not build" >&2; exit 2; }
    mv "$bin.tmp" "$bin"
  fi
}

run_target() { # run_target NAME SECONDS [options]
  local name=$1 seconds=$2; shift 2
  build_target "$name"
  local opts work crashes log
  opts=$(field "$name" 3)
  work=$root/.build/fuzz/corpus/$name          # what this machine's runs found, kept between runs
  crashes=$root/.build/fuzz/crashes/$name
  log=$root/.build/fuzz/logs/$name.log
  mkdir -p "$work" "$crashes" "$(dirname "$log")" "Tests/Fuzz/corpus/$name"
  local marker=$crashes/.started
  touch "$marker"
  local status=0 asan=${ASAN_OPTIONS:-}
  # A target that keeps what the kernel keeps for good (the command line's
  # words) would otherwise be reported as leaking at exit.
  [[ $opts == *-detect_leaks=0* ]] && asan=detect_leaks=0${asan:+:$asan}
  # shellcheck disable=SC2086
  ASAN_OPTIONS=$asan "$out/bin/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" $opts "$@" "$work" "Tests/Fuzz/corpus/$name" >"$log" 2>&1 || status=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "$(date -u +%FT%TZ) $name $seconds s ${runs:-?} executions status $status" >>"$root/.build/fuzz/runs.txt"
  if [ $status -ne 0 ]; then
    echo "fuzz.sh: $name FAILED (libFuzzer status $status); last lines of $log:" >&2
    grep -E 'ERROR|Fatal error|fuzz check failed|SUMMARY|==[0-9]+==|#[0-9]+ 0x' "$log" | head -25 >&2 || tail -25 "$log" >&2
    local f
    for f in $(find "$crashes" -type f -newer "$marker" ! -name '.started'); do
      echo "fuzz.sh: input kept in $f ($(stat -c %s "$f") bytes):" >&2
      od -A x -t x1z -v "$f" | head -32 >&2
      echo "fuzz.sh: reproduce with: Tests/Fuzz/fuzz.sh $name $f" >&2
    done
    return 1
  fi
  echo "fuzz.sh: $name: ${runs:-?} executions in $seconds s, no crash (corpus $(ls "$work" | wc -l) + $(ls "Tests/Fuzz/corpus/$name" | wc -l) seeds)"
}

case ${1:-} in
  --list)
    for n in $(names); do printf '%-10s %s\n' "$n" "$(field "$n" 1)"; done
    ;;
  --build)
    [ $# -eq 2 ] || { echo "usage: fuzz.sh --build TARGET|all" >&2; exit 2; }
    if [ "$2" = all ]; then for n in $(names); do build_target "$n"; done; else build_target "$2"; fi
    ;;
  ""|-h|--help)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    [ $# -ge 1 ] || exit 2
    ;;
  *)
    [ $# -ge 2 ] || { echo "usage: fuzz.sh TARGET SECONDS | fuzz.sh TARGET FILE... | fuzz.sh --list" >&2; exit 2; }
    target=$1; shift
    if [ "$target" != all ] && ! field "$target" 1 >/dev/null; then
      echo "fuzz.sh: unknown target '$target' (--list lists them)" >&2; exit 2
    fi
    if [[ $1 =~ ^[0-9]+$ ]]; then
      seconds=$1; shift
      if [ "$target" = all ]; then
        failed=0
        for n in $(names); do run_target "$n" "$seconds" "$@" || failed=1; done
        exit $failed
      fi
      run_target "$target" "$seconds" "$@"
    else
      [ "$target" != all ] || { echo "fuzz.sh: name one target to reproduce an input" >&2; exit 2; }
      build_target "$target"
      # shellcheck disable=SC2046
      "$out/bin/$target" $(field "$target" 3) "$@"
    fi
    ;;
esac

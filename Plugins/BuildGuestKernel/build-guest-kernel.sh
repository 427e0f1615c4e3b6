#!/bin/sh
# Builds the freestanding Embedded Swift guest kernel (x86_64-unknown-none-elf).
#
# Usage: build-guest-kernel.sh <toolchain-bin> <kernel-src-dir> <work-dir> <out-elf> [<path.swift> [<abi-include-dir> [<vdso-dir>]]]
#
# Run by the BuildGuestKernel plugin (beside this script) during `swift build` whenever a kernel source changed.
# Can also be run by hand, e.g.
#   sh Plugins/BuildGuestKernel/build-guest-kernel.sh "$(dirname "$(command -v swiftc)")" \
#     Sources/GuestKernel/Kernel /tmp/k /tmp/k/kernel.elf "" Sources/CKVM/include
set -eu
# swift-build (`--build-system swiftbuild`) runs this with SDKROOT=/ (and many Xcode-style
# variables) in the environment; swiftc would then pass -sdk / and the freestanding
# compile would pick up glibc's /usr/include/stdint.h. The kernel uses no SDK.
unset SDKROOT
BIN=$1 SRC=$2 WORK=$3 OUT=$4 PATHSWIFT=${5:-}
# vmm_guest_abi.h, shared with the VMM (Sources/CKVM/include); defaults to the repo layout.
ABI=${6:-$SRC/../../CKVM/include}
# The vDSO's sources (vdso.c, vdso.lds, vdso_data.h); defaults to the repo layout.
VDSO=${7:-$SRC/../../../guest-images/vdso}
OBJ="$WORK/obj"
mkdir -p "$OBJ"
rm -f "$OBJ"/*.o "$OUT"

# Baseline x86-64 only (no popcnt...), no SSE/MMX, no cmpxchg16b: this KVM emulates ring 0.
CFLAGS="--target=x86_64-unknown-none-elf -march=x86-64 -mno-cx16 -ffreestanding -fno-builtin
  -nostdlib -mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -mno-sse -mno-sse2 -mno-mmx
  -mno-avx -msoft-float -fno-stack-protector -fno-asynchronous-unwind-tables
  -ffunction-sections -fdata-sections -Os -Wall -I$SRC/include -I$ABI -I$VDSO"

# 1. All Swift sources: one whole-module Embedded compile -> one object. No frame pointer
#    (swiftc keeps one by default; -Xcc -fomit-frame-pointer reaches its IRGen): nothing walks
#    RBP chains, and a tail-calling thunk's push/mov/pop was 3 instructions on every system call.
# shellcheck disable=SC2046
"$BIN/swiftc" -target x86_64-unknown-none-elf \
  -enable-experimental-feature Embedded -wmo -parse-as-library -Osize \
  -module-name GuestKernel \
  -Xfrontend -disable-stack-protector -Xfrontend -function-sections \
  -Xcc -march=x86-64 -Xcc -mno-cx16 \
  -Xcc -mno-red-zone -Xcc -mcmodel=kernel -Xcc -fno-pic \
  -Xcc -mno-sse -Xcc -mno-mmx -Xcc -fomit-frame-pointer \
  -I "$SRC/include" -I "$ABI" -I "$VDSO" \
  -c $(find "$SRC" -name '*.swift' | LC_ALL=C sort) -o "$OBJ/swift.o"

# 2. C and assembly sources (.c, .S), one object each.
for f in $(find "$SRC" \( -name '*.c' -o -name '*.S' \) | LC_ALL=C sort); do
  # shellcheck disable=SC2086
  "$BIN/clang" $CFLAGS -c "$f" -o "$OBJ/$(basename "$f").o"
done

# 2b. The vDSO (vdso(7)): a position-independent shared object for ring 3, linked at 0
#     with Linux's version node LINUX_2.6, then embedded page-aligned in .rodata
#     (vdso_image_start..vdso_image_end) with its data page in .bss (vdso_vvar);
#     Memory/Vdso.swift maps both into every process. It must need no relocation:
#     nothing rebases it.
"$BIN/clang" --target=x86_64-unknown-none-elf -march=x86-64 -O2 -fPIC -ffreestanding -fno-builtin -nostdlib \
  -fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone -Wall -I"$VDSO" \
  -c "$VDSO/vdso.c" -o "$WORK/vdso.o"
"$BIN/ld.lld" -shared -nostdlib -T "$VDSO/vdso.lds" --hash-style=both -soname linux-vdso.so.1 --build-id=none \
  -z max-page-size=4096 -z noexecstack --no-undefined -o "$WORK/vdso.so" "$WORK/vdso.o"
SECTIONS=$("$BIN/llvm-objdump" -h "$WORK/vdso.so")
if printf '%s\n' "$SECTIONS" | grep -q '\.rela\?\.'; then
  echo "error: the vDSO has relocations; it is mapped as it is" >&2
  exit 1
fi
# Memory/Vdso.swift has room for 3 pages between the stack and the top of the user half.
if [ "$(wc -c < "$WORK/vdso.so")" -gt 12288 ]; then
  echo "error: the vDSO is larger than the 12 KiB Memory/Vdso.swift maps" >&2
  exit 1
fi
cat > "$WORK/vdso_image.S" <<EOS
    .section .rodata.vdso_image, "a"
    .balign 4096
    .globl vdso_image_start, vdso_image_end
vdso_image_start:
    .incbin "$WORK/vdso.so"
vdso_image_end:
    .balign 4096
    .section .bss.vdso_vvar, "aw", @nobits
    .balign 4096
    .globl vdso_vvar
vdso_vvar:
    .zero 4096
EOS
# shellcheck disable=SC2086
"$BIN/clang" $CFLAGS -c "$WORK/vdso_image.S" -o "$OBJ/vdso_image.S.o"

# 3. Link at 0xffffffff80100000, loaded at physical 0x100000 (see linker.ld).
"$BIN/ld.lld" -T "$SRC/linker.ld" --gc-sections -z max-page-size=4096 -static -nostdlib --orphan-handling=error \
  -o "$OUT.tmp" "$OBJ"/*.o

# 4. No SSE/MMX/x87 nor instruction this KVM cannot emulate may reach ring 0 (platform.md;
#    fxsave/fxrstor are emulated, xsave/xrstor are not).
BAD=$("$BIN/llvm-objdump" -d --no-show-raw-insn "$OUT.tmp" \
      | grep -E '%xmm|%ymm|%zmm|%mm[0-7]|%st\b|popcnt|[[:space:]]xsave|[[:space:]]xrstor|rdtscp|cmpxchg16b|xgetbv|ldmxcsr|[[:space:]](clac|stac|fwait|wait)\b|[[:space:]]f(ld|st|ild|istp|nstcw|ldcw|mul|add|div|sub)' \
      | head -n 5 || true)
if [ -n "$BAD" ]; then
  echo "error: guest kernel contains instructions this KVM cannot run in ring 0:" >&2
  echo "$BAD" >&2
  rm -f "$OUT.tmp"
  exit 1
fi
mv "$OUT.tmp" "$OUT"

# 5. Optionally, a Swift source for the host naming the kernel file. Rewritten only when
#    its content changes, so a kernel-only change does not recompile host code.
if [ -n "$PATHSWIFT" ]; then
  printf '// Generated by Plugins/BuildGuestKernel/build-guest-kernel.sh. Do not edit.\nlet guestKernelBuildPath = "%s"\n' "$OUT" > "$PATHSWIFT.tmp"
  if cmp -s "$PATHSWIFT.tmp" "$PATHSWIFT"; then rm -f "$PATHSWIFT.tmp"; else mv "$PATHSWIFT.tmp" "$PATHSWIFT"; fi
fi

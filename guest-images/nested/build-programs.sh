#!/usr/bin/env bash
# Builds the test programs into OUTDIR as Tests/VMMTests build them:
# kernel-tests/NAME.c as NAME-glibc (gcc -static) and NAME-musl (musl-gcc
# -static), test-guests/NAME.S as NAME.elf (test-guests/README.md). Only
# what is older than its source, or than a header beside it (*.h, *.inc),
# is rebuilt.
#
# Usage: build-programs.sh OUTDIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
mkdir -p "$out"
build() {  # OUT SOURCE COMMAND...
  local exe=$1 src=$2; shift 2
  local stale=0 dep
  [ -f "$exe" ] || stale=1
  for dep in "$src" "$(dirname "$src")"/*.h "$(dirname "$src")"/*.inc; do
    [ -e "$dep" ] && [ "$dep" -nt "$exe" ] && stale=1
  done
  if [ "$stale" = 1 ]; then
    if ! "$@" -o "$exe.tmp" "$src" 2>"$exe.log"; then
      echo "nested-kvm: cannot build $exe from $src: $(head -1 "$exe.log")" >&2; exit 125
    fi
    mv "$exe.tmp" "$exe"; rm -f "$exe.log"
  fi
}
for src in "$repo"/guest-images/kernel-tests/*.c; do
  name=$(basename "$src" .c)
  build "$out/$name-glibc" "$src" gcc -static -O2
  build "$out/$name-musl" "$src" musl-gcc -static -O2
done
for src in "$repo"/guest-images/test-guests/*.S; do
  name=$(basename "$src" .S)
  script=()
  [ -f "${src%.S}.ld" ] && script=(-Wl,-T,"${src%.S}.ld")
  build "$out/$name.elf" "$src" cc -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-Ttext=0x100000 \
    "${script[@]}" -I "$repo/Sources/CKVM/include"
done

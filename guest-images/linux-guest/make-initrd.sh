#!/usr/bin/env bash
# Builds the initrd of the Linux-guest test: tiny-init.c (static, musl) as
# /init, with /dev/console (Linux opens it for init's stdio).
# Usage: make-initrd.sh OUT.cpio
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/dev"
musl-gcc -static -O2 -o "$stage/init" "$here/tiny-init.c"
(cd "$stage" && { find . | LC_ALL=C sort | cpio -o -H newc --quiet; }) > "$out.tmp"
mv "$out.tmp" "$out"

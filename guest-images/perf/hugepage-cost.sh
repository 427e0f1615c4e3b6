#!/usr/bin/env bash
# 2 MiB against 4 KiB pages in the Swift guest kernel: guest-kernel
# instructions (KVM's insn_emulation, deterministic) and wall time between the
# marks of hugepage-cost.c (fault in 2 MiB, fault in 512 x 4 KiB, free each).
#
#   guest-images/perf/hugepage-cost.sh [RUNS]      (default 3)
#
# Needs root (/dev/kvm) and musl-gcc (or cc with a static libc).
set -euo pipefail
runs=${1:-3}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc=$(command -v musl-gcc || echo cc)
"$cc" -static -O2 -o "$work/hugepage-cost" "$repo/guest-images/perf/hugepage-cost.c"
swift build --package-path "$repo" >/dev/null
for i in $(seq "$runs"); do
    echo "run $i"
    swift run --package-path "$repo" vmm run --memory 64M --exit-stats "$work/hugepage-cost" 2>&1 \
        | sed -n '/^2 MiB mapping/p; /^marks/,/^  5 /p'
done

#!/usr/bin/env bash
# Guest RAM preallocation: `vmm --prealloc` against QEMU's `-mem-prealloc`
# (with `-overcommit mem-lock=on`, the same populate-then-lock), same size, same
# session. Each side is timed with and without preallocation, so the
# difference is the cost of preallocating alone (process start-up cancels).
# Both advise transparent huge pages by default (vmm since issue 8, QEMU
# always); vmm's 4 KiB figure is `--no-hugepages`.
#
#   guest-images/perf/prealloc-vs-qemu.sh [SIZE] [RUNS]     (defaults 1G, 10)
#
# Needs root, hyperfine and qemu-system-x86 (Debian packages), cc.
set -euo pipefail
size=${1:-1G}
runs=${2:-10}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swift build -c release --package-path "$repo" >/dev/null
vmm="$repo/.build/release/vmm"
cc -nostdlib -static -no-pie -Wl,-Ttext=0x100000 -I "$repo/Sources/CKVM/include" \
   -o "$work/exit.elf" "$repo/guest-images/test-guests/exit_status.S"
# QEMU starts paused (-S) and quits from its monitor: it allocates, populates
# and locks guest RAM, creates the VM, and exits.
qemu="qemu-system-x86_64 -M microvm -accel kvm -smp 1 -m $size -nodefaults -display none -S -monitor stdio"
hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$work/h.json" \
  "$vmm boot $work/exit.elf --memory $size" \
  "$vmm boot $work/exit.elf --memory $size --prealloc --no-hugepages" \
  "$vmm boot $work/exit.elf --memory $size --prealloc" >/dev/null
hyperfine -i --warmup 2 --runs "$runs" --export-json "$work/q.json" \
  "echo quit | $qemu" \
  "echo quit | $qemu -mem-prealloc -overcommit mem-lock=on" >/dev/null
# What QEMU actually left resident and locked (its flags are requests).
( (sleep 3; echo quit) | $qemu -mem-prealloc -overcommit mem-lock=on >/dev/null 2>&1 & )
sleep 2
qpid=$(pgrep -n -f "qemu-system-x86_64 -M microvm" || true)
qres=$(grep -E "VmRSS|VmLck" "/proc/$qpid/status" 2>/dev/null | tr -s ' \t' ' ' | tr '\n' ' ' || true)
qthp=$(awk '/^AnonHugePages:/{s+=$2} END{print s" kB"}' "/proc/$qpid/smaps" 2>/dev/null || true)
sleep 2
python3 - "$work/h.json" "$work/q.json" "$size" "$qres" "$qthp" <<'PY'
import json, statistics, sys
def medians(path):
    return [statistics.median(r["times"]) * 1000 for r in json.load(open(path))["results"]]
v0, v1, v2 = medians(sys.argv[1]); q0, q1 = medians(sys.argv[2])
print(f"guest RAM {sys.argv[3]}, median wall ms (hyperfine), preallocation = with - without:")
print(f"  vmm --prealloc --no-hugepages: {v1:7.1f} (without {v0:6.1f}) -> {v1 - v0:7.1f} ms, 4 KiB pages, all populated and locked")
print(f"  vmm --prealloc (THP default): {v2:7.1f}                  -> {v2 - v0:7.1f} ms, THP")
print(f"  qemu -mem-prealloc+mem-lock: {q1:7.1f} (without {q0:6.1f}) -> {q1 - q0:7.1f} ms")
print(f"  qemu after preallocating: {sys.argv[4]} AnonHugePages {sys.argv[5]}")
print(f"  ratios vmm/qemu, preallocation alone: {(v1 - v0) / (q1 - q0):.2f} (4 KiB), {(v2 - v0) / (q1 - q0):.2f} (THP)")
PY

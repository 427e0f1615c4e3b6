#!/usr/bin/env bash
# Exit round trip: the Swift run loop's time per exit against the minimal C
# loop (kvm-exit-loop.c), same guest (null_loop: N port writes to 0x80), same
# CPU, alternating runs in one session. Prints the medians and their ratio.
#
#   guest-images/perf/exit-roundtrip.sh [RUNS] [LOOPS]     (defaults 7, 100000)
#
# Needs root (for /dev/kvm), cc, python3, taskset. Builds vmm in release mode.
set -euo pipefail
runs=${1:-7}
loops=${2:-100000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swift build -c release --package-path "$repo" >/dev/null
vmm="$repo/.build/release/vmm"
cc -O2 -o "$work/kvm-exit-loop" "$repo/guest-images/perf/kvm-exit-loop.c"
cc -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-Ttext=0x100000 -DLOOPS="$loops" \
   -I "$repo/Sources/CKVM/include" -o "$work/null_loop.elf" "$repo/guest-images/test-guests/null_loop.S"

swift_ns=() c_ns=()
for i in $(seq "$runs"); do
  taskset -c 0 "$vmm" boot "$work/null_loop.elf" --memory 64M --json-stats "$work/s.json"
  swift_ns+=("$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["run_ns"]/d["exits_total"])' "$work/s.json")")
  c_ns+=("$(taskset -c 0 "$work/kvm-exit-loop" "$work/null_loop.elf" | sed -n 's/.*ns_per_exit=\([0-9.]*\).*/\1/p')")
done
python3 - "${swift_ns[*]}" "${c_ns[*]}" "$loops" <<'PY'
import statistics, sys
s = [float(x) for x in sys.argv[1].split()]
c = [float(x) for x in sys.argv[2].split()]
print(f"exits per run: {int(sys.argv[3]) + 1}, runs: {len(s)} each, alternating, pinned to CPU 0")
print(f"vmm (Swift) ns/exit: median {statistics.median(s):.0f}  min {min(s):.0f}  max {max(s):.0f}")
print(f"C baseline  ns/exit: median {statistics.median(c):.0f}  min {min(c):.0f}  max {max(c):.0f}")
print(f"ratio Swift/C (medians): {statistics.median(s)/statistics.median(c):.3f}")
PY

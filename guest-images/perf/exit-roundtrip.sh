#!/usr/bin/env bash
# Exit round trip: the Swift run loop's time per exit against the minimal C
# loop (kvm-exit-loop.c), same guest (null_loop: N writes to port 0x80), same
# CPU, runs alternating in one session (hyperfine-style: compare in one run).
#
#   guest-images/perf/exit-roundtrip.sh [RUNS] [LOOPS]     (defaults 11, 100000)
#
# Reports, for each side: wall ns per exit (KVM_RUN loop, median/min/max) and
# user-mode CPU ns per exit (the VMM's own work; the rest is the kernel's),
# then the median of the per-pair wall ratios, which cancels slow drift in
# machine load. Needs root (/dev/kvm), cc, python3, taskset.
set -euo pipefail
runs=${1:-11}
loops=${2:-100000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

swift build -c release --package-path "$repo" >/dev/null
cc -O2 -o "$work/kvm-exit-loop" "$repo/guest-images/perf/kvm-exit-loop.c"
cc -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-Ttext=0x100000 -DLOOPS="$loops" \
   -I "$repo/Sources/CKVM/include" -o "$work/null_loop.elf" "$repo/guest-images/test-guests/null_loop.S"

python3 - "$repo/.build/release/vmm" "$work" "$runs" "$loops" <<'PY'
import json, os, re, statistics, subprocess, sys
vmm, work, runs, loops = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
guest = os.path.join(work, "null_loop.elf")

def run(argv):
    p = subprocess.Popen(["taskset", "-c", "0"] + argv, stdout=subprocess.PIPE)
    out = p.stdout.read().decode()
    _, status, usage = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, argv
    return out, usage.ru_utime

sw, c, sw_user, c_user, pairs = [], [], [], [], []
for i in range(runs):
    _, user = run([vmm, "boot", guest, "--memory", "64M", "--json-stats", work + "/s.json"])
    d = json.load(open(work + "/s.json"))
    s_ns = d["run_ns"] / d["exits_total"]
    out, cuser = run([work + "/kvm-exit-loop", guest])
    m = re.search(r"exits=(\d+) ns_total=\d+ ns_per_exit=([\d.]+)", out)
    c_ns, c_exits = float(m.group(2)), int(m.group(1))
    sw.append(s_ns); c.append(c_ns); pairs.append(s_ns / c_ns)
    sw_user.append(user * 1e9 / d["exits_total"]); c_user.append(cuser * 1e9 / c_exits)

def line(name, xs):
    return f"{name}: median {statistics.median(xs):7.0f}  min {min(xs):7.0f}  max {max(xs):7.0f}"
print(f"{loops + 1} exits per run, {runs} runs per side, alternating, pinned to CPU 0")
print(line("vmm (Swift) wall ns/exit", sw))
print(line("C baseline  wall ns/exit", c))
print(line("vmm (Swift) user ns/exit", sw_user))
print(line("C baseline  user ns/exit", c_user))
print(f"ratio Swift/C, median of per-pair ratios: {statistics.median(pairs):.3f}  "
      f"(of medians: {statistics.median(sw) / statistics.median(c):.3f})")
PY

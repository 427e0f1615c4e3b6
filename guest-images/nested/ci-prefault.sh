#!/bin/sh
# KVM_PRE_FAULT_MEMORY checks, run by ci-checks.sh inside a nested host that
# offers it (nested-kvm.sh --kernel-root with backports-kernel.sh's Linux).
# BusyBox sh. One line per check, "ok" or "FAIL"; exits 1 if any failed.
#
# Usage (inside): ci-prefault.sh
repo=$(cd "$(dirname "$0")/../.." && pwd)
P=$repo/.build/nested/programs
T=/tmp/ci-prefault
mkdir -p $T
failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
# pf_fixed of a whole run (kvm_stats_delta of --json-stats).
pf_fixed() { sed -n 's/^ *"pf_fixed": \([0-9]*\).*/\1/p' "$1" | head -1; }

echo "== KVM_PRE_FAULT_MEMORY ($(uname -r))"
vmm info > $T/info 2>&1
if grep -q 'KVM_CAP_PRE_FAULT_MEMORY: 1' $T/info; then pass "vmm info: KVM_CAP_PRE_FAULT_MEMORY offered"
else fail "vmm info: no KVM_CAP_PRE_FAULT_MEMORY: 1 ($(grep PRE_FAULT $T/info))"; fi

# The faults it saves: the same program with --warm none, touch and prefault;
# pf_fixed over the whole run (boot, load, run, teardown).
for mode in none touch prefault; do
  vmm run --prealloc --memory 64M --timeout 60 --warm $mode --json-stats $T/$mode.json $P/hello-musl > $T/out 2> $T/err
  s=$?
  if [ $s = 7 ]; then pass "vmm run --warm $mode: pf_fixed $(pf_fixed $T/$mode.json) over the run"
  else fail "vmm run --warm $mode: status $s ($(head -1 $T/err))"; fi
done
none=$(pf_fixed $T/none.json) pre=$(pf_fixed $T/prefault.json)
if [ -n "$none" ] && [ -n "$pre" ] && [ "$pre" -lt "$none" ]; then pass "prefault saves stage-2 faults ($pre < $none pf_fixed)"
else fail "prefault saves stage-2 faults: pf_fixed ${pre:-?} with prefault, ${none:-?} with none"; fi

# The default warm-up with --prealloc is prefault here, and the timed loops
# take no stage-2 faults.
vmm --prealloc bench --quick --budget-ms 5 --repeat 1 --memory 64M --filter '^(getpid|mmap_fault|fork_exit)$' \
  --json $T/bench.json > $T/bench 2> $T/bench.err
s=$?
cat $T/bench
if [ $s = 0 ] && grep -q '^warm-up: prefault (KVM_PRE_FAULT_MEMORY [0-9.]* ms)' $T/bench; then pass "bench: warm-up prefault by default"
else fail "bench: status $s, warm-up $(grep '^warm-up' $T/bench) $(tail -1 $T/bench.err)"; fi
n=$(grep -cE '"stage2_faults_per_op": 0(\.0+)?,' $T/bench.json)
if [ "$n" = 3 ]; then pass "bench: 0 stage-2 faults/op in getpid, mmap_fault, fork_exit"
else fail "bench: $n of 3 benchmarks at 0 stage-2 faults/op ($(grep '"stage2_faults_per_op"' $T/bench.json | tr -d ' \n'))"; fi

echo "== $failures failed"
[ $failures = 0 ]

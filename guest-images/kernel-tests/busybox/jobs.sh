# BusyBox sh on the host and in the guest, stdout compared line for line
# (BusyBoxRunTests, guest-images/nested/ci-inside.sh): traps, background
# jobs and wait, kill of a job, $! and $?, signals between the shell and
# its children. No pids or times are printed; the shell's own notes on
# killed jobs go to stderr, which the guest's console would mix into stdout.
d=/tmp/bbj.$$; mkdir $d; cd $d
trap 'cd /; rm -r $d; echo "the EXIT trap says"; echo done' EXIT
trap 'echo "USR1 trapped"' USR1
kill -USR1 $$
echo "after the USR1 trap"
(exit 7) & wait $!; echo "background subshell status $?"
sleep 0.2 & s=$!
echo "sleeping job running: $(kill -0 $s && echo yes)"
wait $s; echo "sleep job status $?"
sleep 10 & k=$!
{ kill $k; wait $k; } 2>/dev/null; echo "killed job status $?"
for i in 1 2 3; do (sleep 0.$i; echo "job $i done" > j$i) & done
wait; cat j1 j2 j3
echo "wait with no jobs: $(wait; echo $?)"
( trap 'echo "subshell TERM trapped"; exit 3' TERM; kill -TERM $(sh -c 'echo $PPID'); sleep 1; echo never ) ; echo "subshell status $?"
{ sh -c 'kill -USR1 $$; echo never'; } 2>/dev/null; echo "a child sh killed by default USR1: status $?"
sh -c 'trap "" INT; kill -INT $$; echo "INT ignored in a child sh"'
echo "end of script"

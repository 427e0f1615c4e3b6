# BusyBox sh on the host and in the guest, stdout compared line for line
# (BusyBoxRunTests, guest-images/nested/ci-inside.sh): pipelines, subshells,
# command substitution, here-documents, yes | head, functions, and the
# tar/gzip/sed/sort/awk applets.
set -e
d=/tmp/bbt.$$; mkdir $d; cd $d
echo "pipeline: $(echo one two three | tr ' ' '\n' | sort -r | head -2 | tr '\n' ,)"
x=$( (echo a; echo b) | wc -l ); echo "subshell lines: $x"
cat <<END > here.txt
line one
  line two $x
END
cat here.txt; wc -c < here.txt
yes abc | head -3
seq 1 20 | awk '{s+=$1} END {print "sum", s}'
printf 'b\na\nc\na\n' | sort | uniq -c | sed 's/^ *//'
echo "sed: $(echo hello world | sed -e 's/o/0/g' -e 's/w/W/')"
mkdir t; for i in 1 2 3; do echo "file $i" > t/f$i; done
tar cf t.tar t; rm -r t; tar xf t.tar; cat t/f2; ls t | tr '\n' ' '; echo
gzip -c t.tar > t.tar.gz; gunzip -c t.tar.gz | tar tf - | sort | tr '\n' ' '; echo
f() { echo "func $1"; return 3; }; f x || echo "status $?"
case abc in a*) echo case-ok;; esac
i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo "loop $i"
test -d t && echo dir; [ -f t/f1 ] && echo file
echo $(( 7 * 6 )); expr 2 + 3; basename /a/b/c.txt .txt; dirname /a/b/c
false | true; echo "pipe status $?"; ! false && echo negated
cd /; rm -r $d; echo done

#!/bin/sh
# /init of the nested host that nested-kvm.sh boots: loads kvm_amd, runs
# /nested/command in the directory /nested/cwd names, reports its status on
# the console marked with /nested/nonce, and powers off.
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
chmod 1777 /tmp
nonce=$(cat /nested/nonce)
# No descriptor of init stays on the serial ports: each write below opens
# and closes its port, and the last close waits until the UART has sent
# everything (tty_port_close_start), so nothing is lost at power-off.
exec </dev/null >/dev/null 2>&1
say() { echo "$*" > /dev/ttyS0; }
fail() { say "$nonce failed: $*"; poweroff -f; }

for m in irqbypass ccp kvm kvm-amd; do
  out=$(insmod /lib/modules/$m.ko 2>&1) || fail "insmod $m.ko: $out"
done
for i in 1 2 3 4 5 6 7 8 9 10; do [ -c /dev/kvm ] && break; sleep 0.1; done
[ -c /dev/kvm ] || fail "no /dev/kvm after loading kvm-amd"
# Output byte for byte: no \n -> \r\n on either port.
stty -F /dev/ttyS0 -opost || fail "stty -opost on ttyS0"
stty -F /dev/ttyS1 -opost || fail "stty -opost on ttyS1"
cd "$(cat /nested/cwd)" || fail "cd $(cat /nested/cwd)"

say "$nonce ready"
sh -c "$(cat /nested/command)" >/dev/ttyS0 2>/dev/ttyS1
status=$?
printf '\n%s status %d\n' "$nonce" "$status" > /dev/ttyS0
poweroff -f

#!/usr/bin/env bash
# Writes the committed seed corpus, Tests/Fuzz/corpus/TARGET/ (README.md
# there says what each seed is). Needs as, ld, strip, cpio and cc. The seeds
# are committed: run this only to change them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
c=$root/Tests/Fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$c"/{elf,initramfs,cpio,cmdline,json,exit,hypercall}

# elf: two minimal kernels, as `vmm boot --kernel` takes them: one PT_LOAD
# identity-mapped at 1 MiB; and one linked at 0xffffffff80100000 (loaded at
# 1 MiB), text plus data with bss.
printf '.globl _start\n.text\n_start: hlt\n jmp _start\n.data\n.quad 1\n.bss\n.skip 8192\n' >"$tmp/k.s"
as -o "$tmp/k.o" "$tmp/k.s"
cat >"$tmp/low.ld" <<'EOF'
ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(5); }
SECTIONS { . = 0x100000; .text : { *(.text) } :text /DISCARD/ : { *(.data) *(.bss) } }
EOF
cat >"$tmp/high.ld" <<'EOF'
ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(5); data PT_LOAD FLAGS(6); }
SECTIONS { . = 0xffffffff80100000; .text : AT(0x100000) { *(.text) } :text
  . = 0xffffffff80101000; .data : AT(0x101000) { *(.data) } :data  .bss : { *(.bss) } :data }
EOF
for k in low high; do
  ld -n -static -nostdlib --build-id=none -z noexecstack -T "$tmp/$k.ld" -o "$c/elf/$k.elf" "$tmp/k.o"
  strip -s "$c/elf/$k.elf"
done

# cpio: GNU cpio newc archives (plain and "crc", magic 070702) of a small tree.
mkdir -p "$tmp/tree/bin" "$tmp/tree/etc"
printf 'hello\n' >"$tmp/tree/bin/hello"
printf 'x' >"$tmp/tree/etc/one"
ln -s ../bin/hello "$tmp/tree/etc/link"
(cd "$tmp/tree" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --owner=0:0 >"$c/cpio/gnu-newc.cpio")
(cd "$tmp/tree" && find bin etc | LC_ALL=C sort | cpio --quiet -o -H crc --owner=0:0 >"$c/cpio/gnu-crc.cpio")

# initramfs: entry records [op][permissions: u16][path length][path][data
# length][data], op % 4 = file, directory, symlink, character device.
rec() { # rec OP PERM_LO PERM_HI PATH DATA
  printf "\\x$1\\x$2\\x$3\\x$(printf %02x ${#4})%s\\x$(printf %02x ${#5})%s" "$4" "$5"
}
{ rec 00 ed 01 /init 'ELF!'; rec 01 ed 01 /etc ''; rec 00 a4 01 /etc/passwd 'root:x:0:0::/:/init'
  rec 02 ff 01 /etc/link ../init; rec 03 b6 01 /dev/null $'\x01\x03'; } >"$c/initramfs/tree.bin"
{ rec 00 ed 01 /a/b/c/prog 'data'; rec 01 ff 03 /tmp ''; } >"$c/initramfs/implied-dirs.bin"

# cmdline: first byte even = a kernel command line; odd = NUL-separated init
# path and arguments for KernelCommandLine.forInit.
printf '\x00init=/bin/prog quiet debug transparent_hugepage=always HOME=/x -- a "b c" "" ; /bin/two y ; /bin/three' \
  >"$c/cmdline/run-list.txt"
printf '\x00bootmarks init=/init' >"$c/cmdline/plain.txt"
printf '\x01/init\x00a\x00b c\x00;\x00\x00--\x00x=y' >"$c/cmdline/for-init.bin"

# json: a --baseline file in the shape `vmm bench --json` writes.
cat >"$c/json/baseline.json" <<'EOF'
{
  "vmm_version": "0.1",
  "environment": {"kvm": "software-assisted (kvm_pvm)", "memory_bytes": 268435456, "quick": true},
  "benchmarks": [
    {"name": "getpid", "status": "ok", "exits_per_op": 0, "guest_kernel_instructions_per_op": 38.0,
     "guest_repetitions": [{"rep": 0, "iters": 20000, "ns_per_op": 1234.5}]},
    {"name": "write_devnull", "status": "skipped", "reason": "guest: \u0041 \"quoted\"\n"},
    {"name": "mmap_munmap", "status": "marginal", "exits_per_op": 0.5e-3, "guest_kernel_instructions_per_op": 643,
     "guest_repetitions": [{"iters": 1e3}]}
  ]
}
EOF
printf '[1, -2, 3.5e10, 18446744073709551615, true, false, null, "\\ud83d", {"a": [[]]}]' >"$c/json/values.json"

# exit and hypercall: kvm_run pages and hypercall records, laid out with the
# real structs (<linux/kvm.h>, vmm_guest_abi.h).
cat >"$tmp/gen.c" <<'EOF'
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmm_guest_abi.h"

static unsigned char ram[256];

static void hc(unsigned at, unsigned op, unsigned long long a0, unsigned long long a1) {
    struct vmm_hypercall h = { VMM_HYPERCALL_MAGIC, VMM_ABI_VERSION, op, 0, a0, a1, 0, 0 };
    memcpy(ram + at, &h, sizeof h);
}

/* [length: u16][run area: length bytes][guest RAM] */
static void exit_seed(const char *name, struct kvm_run *run, unsigned length, const unsigned char *data, unsigned n) {
    static unsigned char area[8192];
    memset(area, 0, sizeof area);
    memcpy(area, run, sizeof *run);
    if (run->exit_reason == KVM_EXIT_IO) memcpy(area + run->io.data_offset, data, n);
    FILE *f = fopen(name, "wb");
    unsigned char len[2] = { length & 0xff, length >> 8 };
    fwrite(len, 1, 2, f);
    fwrite(area, 1, length, f);
    fwrite(ram, 1, sizeof ram, f);
    fclose(f);
}

static void io(const char *name, int dir, int port, int size, int count, unsigned offset, const void *data) {
    struct kvm_run run;
    memset(&run, 0, sizeof run);
    run.exit_reason = KVM_EXIT_IO;
    run.io.direction = dir;
    run.io.size = size;
    run.io.port = port;
    run.io.count = count;
    run.io.data_offset = offset;
    exit_seed(name, &run, offset + size * count, data, size * count);
}

int main(void) {
    char path[256];
    const char *c = getenv("CORPUS");
    hc(0x40, VMM_HC_MARK, 0x101, 0);
    hc(0x80, VMM_HC_REPORT, 0xc0, 5);
    memcpy(ram + 0xc0, "hello", 5);
    unsigned mark = 0x40, report = 0x80, code = 3;
#define P(n) (snprintf(path, sizeof path, "%s/exit/%s", c, n), path)
    io(P("out-com1.bin"), KVM_EXIT_IO_OUT, VMM_PORT_COM1, 1, 5, 0x200, "hello");
    io(P("in-lsr.bin"), KVM_EXIT_IO_IN, VMM_PORT_COM1 + 5, 1, 1, 0x200, "\0");
    io(P("out-exit.bin"), KVM_EXIT_IO_OUT, VMM_PORT_EXIT, 4, 1, 4096, &code);
    io(P("hypercall-mark.bin"), KVM_EXIT_IO_OUT, VMM_PORT_HYPERCALL, 4, 1, 0x200, &mark);
    io(P("hypercall-report.bin"), KVM_EXIT_IO_OUT, VMM_PORT_HYPERCALL, 4, 1, 0x200, &report);
    struct kvm_run run;
    memset(&run, 0, sizeof run);
    run.exit_reason = KVM_EXIT_MMIO;
    run.mmio.phys_addr = 0xfee00000;
    run.mmio.len = 4;
    run.mmio.is_write = 1;
    exit_seed(P("mmio-write.bin"), &run, sizeof run, 0, 0);
    memset(&run, 0, sizeof run);
    run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
    run.internal.suberror = 1;
    run.internal.ndata = 3;
    run.internal.data[0] = 0x0f0b;
    exit_seed(P("internal-error.bin"), &run, sizeof run, 0, 0);

    /* hypercall: [RAM size selector][record address: u64][RAM]; selector 0 = 64 bytes */
    static const struct { const char *name; unsigned char sel; unsigned long long at; } h[] = {
        { "mark.bin", 0, 0x40 }, { "report.bin", 0, 0x80 }, { "misaligned.bin", 0, 0x44 },
    };
    unsigned char big[1 + 8 + 256];
    for (unsigned i = 0; i < sizeof h / sizeof h[0]; i++) {
        big[0] = 1;                         /* 64 + 127 bytes of RAM */
        memcpy(big + 1, &h[i].at, 8);
        memcpy(big + 9, ram, sizeof ram);
        snprintf(path, sizeof path, "%s/hypercall/%s", c, h[i].name);
        FILE *f = fopen(path, "wb");
        fwrite(big, 1, sizeof big, f);
        fclose(f);
    }
    /* a kernel log line (VMM_HC_LOG) saying its program was killed by
       SIGKILL: the record at 0, its text at 0xb0 (inside the 191 bytes) */
    hc(0, VMM_HC_LOG, 0xb0, 6);
    ((struct vmm_hypercall *)ram)->arg2 = 9;
    memcpy(ram + 0xb0, "killed", 6);
    memset(big + 1, 0, 8);
    memcpy(big + 9, ram, sizeof ram);
    snprintf(path, sizeof path, "%s/hypercall/log.bin", c);
    FILE *f = fopen(path, "wb");
    fwrite(big, 1, sizeof big, f);
    fclose(f);
    return 0;
}
EOF
cc -O1 -I"$root/Sources/CKVM/include" -o "$tmp/gen" "$tmp/gen.c"
CORPUS=$c "$tmp/gen"
ls -l "$c"/*

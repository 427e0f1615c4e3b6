// A directory of many entries (usage: bigdir DIR FILE): counts DIR's entries
// with getdents64 and prints FILE. GuestKernelTests boots it with an initramfs
// of 20,000 files (the kernel's cpio index once panicked past ~1,630 entries).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char buf[1 << 16];

int main(int argc, char **argv) {
    if (argc < 3) return 64;
    int d = open(argv[1], O_RDONLY | O_DIRECTORY);
    if (d < 0) { perror(argv[1]); return 1; }
    long entries = 0, n;
    while ((n = syscall(SYS_getdents64, d, buf, sizeof buf)) > 0)
        for (long off = 0; off < n; entries++) off += *(unsigned short *)(buf + off + 16);
    printf("entries: %ld (last call %ld)\n", entries, n);
    int f = open(argv[2], O_RDONLY);
    if (f < 0) { perror(argv[2]); return 1; }
    n = read(f, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("%s: %s", argv[2], buf);
    return 0;
}

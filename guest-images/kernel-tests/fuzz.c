// Random system calls with random arguments (usage: fuzz [ROUNDS [SEED]] or
// fuzz memory [ROUNDS]).
// The kernel must survive: the program may die by its own hand (a random
// write over its stack is a SIGSEGV, status 139), but the VM must never stop
// with a kernel status (112-115) nor hang. Calls that would only end or
// unmap the program itself are skipped.
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <time.h>
static uint64_t s = 88172645463325252ull;
static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
static char buf[65536];
static uint64_t arg(void) {
    switch (rnd() % 8) {
    case 0: return 0;
    case 1: return rnd() % 64;
    case 2: return (uint64_t)buf + rnd() % sizeof buf;
    case 3: return rnd();
    case 4: return 0xffffffff80100000ull + rnd() % 0x100000;
    case 5: return 0x7ffffffff000ull - rnd() % 0x10000;
    case 6: return (uint64_t)-(int64_t)(rnd() % 5000);
    default: return rnd() % 0x100000000ull;
    }
}
// Memory calls at random inside a 64 MiB area of its own: mmap(MAP_FIXED),
// munmap, mprotect, madvise(DONTNEED, HUGEPAGE, NOHUGEPAGE), mincore, and
// kernel copies into it (read from /dev/zero, clock_gettime) whatever the
// protection. One call in four spans up to 4 MiB, so that areas of 2 MiB and
// more form, take 2 MiB pages (with transparent_hugepage=always, or advised)
// and are then cut by the next calls.
static int memory_fuzz(long rounds) {
    const long area = 64l << 20;
    char *base = mmap(NULL, area, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return 1;
    int zero = open("/dev/zero", O_RDONLY);
    unsigned char vec[64];
    long ok = 0;
    for (long i = 0; i < rounds; i++) {
        long off = (long)(rnd() % (area / 4096)) * 4096;
        long len = (long)(rnd() % 4 == 0 ? rnd() % 1024 + 1 : rnd() % 64 + 1) * 4096;
        if (off + len > area) len = area - off;
        char *p = base + off;
        long r = 0;
        switch (rnd() % 9) {
        case 0: r = (long)mmap(p, len, (int)(rnd() % 4), MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0); break;
        case 1: r = munmap(p, len); break;
        case 2: r = mprotect(p, len, (int)(rnd() % 4)); break;
        case 3: r = madvise(p, len, MADV_DONTNEED); break;
        case 4: r = mincore(p, len > 64 * 4096 ? 64 * 4096 : len, vec); break;
        case 5: r = read(zero, p + rnd() % len, rnd() % 9000); break;
        case 6: r = madvise(p, len, rnd() % 2 ? MADV_HUGEPAGE : MADV_NOHUGEPAGE); break;
        case 7: r = read(zero, p + (rnd() % len & ~4095l), 4096); break;
        default: r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, p + rnd() % len); break;
        }
        if (r != -1) ok++;
    }
    munmap(base, area);
    printf("memory fuzz: %ld of %ld calls succeeded\n", ok, rounds);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "memory")) return memory_fuzz(argc > 2 ? atol(argv[2]) : 20000);
    long rounds = argc > 1 ? atol(argv[1]) : 20000;
    if (argc > 2) s ^= (uint64_t)atol(argv[2]);
    /* Also skipped, as they would block forever on Linux too: pause and
     * rt_sigsuspend (no signal comes), pipe/pipe2 (a read or write on the
     * fuzzer's own pipe sleeps), execveat. */
    static const int skip[] = { 3, 9, 10, 11, 12, 22, 25, 28, 33, 34, 35, 56, 57, 58, 59, 60, 62, 130, 158, 200, 202, 218,
                                230, 231, 234, 292, 293, 322, 0x5600 };
    long done = 0;
    for (long i = 0; i < rounds; i++) {
        long nr = rnd() % 450;
        int bad = 0;
        for (unsigned k = 0; k < sizeof skip / sizeof skip[0]; k++) if (skip[k] == nr) bad = 1;
        if (bad) continue;
        syscall(nr, arg(), arg(), arg(), arg(), arg(), arg());
        done++;
    }
    char msg[64];
    int n = snprintf(msg, sizeof msg, "survived %ld calls\n", done);
    write(1, msg, n);
    return 0;
}

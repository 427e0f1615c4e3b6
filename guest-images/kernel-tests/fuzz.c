// Random system calls with random arguments (usage: fuzz [ROUNDS [SEED]]).
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
int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 20000;
    if (argc > 2) s ^= (uint64_t)atol(argv[2]);
    static const int skip[] = { 3, 9, 10, 11, 12, 25, 28, 33, 35, 56, 57, 58, 59, 60, 62, 158, 200, 202, 218, 230, 231, 234, 292, 0x5600 };
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

// Seeded system-call fuzzer for the guest kernel (guest-images/kernel-tests/
// README.md, "fuzz.c"). Usage:
//
//   fuzz run SEED COUNT [FROM [TO]]   make calls 0 ..< COUNT; log calls FROM ..< TO
//   fuzz print SEED FROM TO           print calls FROM ..< TO without making them
//   fuzz memory [ROUNDS]              random memory calls inside one 64 MiB area
//   fuzz [ROUNDS [SEED]]              = fuzz run SEED ROUNDS (older form)
//
// Call i is a pure function of (SEED, i) (a counter-based generator), and the
// scratch memory its pointers point into is rewritten from the seed before
// every call, so a call is reproduced by running the same seed again: the
// progress lines ("fuzz: N calls") bound where a failure happened, and
// `fuzz run SEED COUNT FROM TO` logs that window, each call before it is made
// (a line "call I: NR(A0, ..., A5)") and its result after ("= R").
//
// The kernel must survive every call: no kernel status (112-115), no hang,
// and, with the avoidance below, the program itself must survive too (status
// 0). Avoided, because they would legitimately end or cripple the fuzzer:
//   - exit, exit_group, execve, execveat, fork, vfork, clone, clone3;
//   - kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo,
//     pidfd_send_signal (a signal to itself), rt_sigreturn (a garbage frame),
//     rt_sigaction (handlers at random addresses), pause, rt_sigsuspend,
//     futex (a wait blocks forever with one thread), nanosleep,
//     clock_nanosleep (random sleeps), reboot, close_range (would close the
//     log descriptor), brk (libc's TLS and heap live there), set_tid_address,
//     process_vm_writev, arch_prctl(ARCH_SET_FS) (the TLS base; other codes run);
//   - pipe, pipe2, eventfd, eventfd2: a random read or write on the fuzzer's
//     own pipe or eventfd would block forever with one process, on Linux as
//     in the guest;
//   - poll, select, pselect6, ppoll, epoll_wait, epoll_pwait, epoll_pwait2
//     are kept but never wait: their timeout is forced to 0;
//   - the VMM's hypercall numbers 0x5600.. (a guest exit/mark, not a syscall).
// SIGPIPE and SIGXFSZ are ignored (set once at the start: rt_sigaction is
// never called), so a write to a pipe without readers is EPIPE, not death.
// Memory calls (mmap, munmap, mprotect, madvise, mremap, mincore, msync,
// mlock, pkey_mprotect, remap_file_pages) are kept, with their address
// forced inside a 64 MiB sandbox area of their own (MAP_FIXED), so they never
// touch the program's text, data or stack. Pointer arguments point into a
// 64 KiB scratch area followed by an unmapped page, at paths of interest
// ("/tmp/f0", "/dev/null", ...) placed in it, into the sandbox, at kernel and
// non-canonical addresses, or anywhere at random. Descriptors 0-2 are
// /dev/null, so that random writes do not reach the console; the log goes to
// descriptor 1023.
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SCRATCH (64 << 10)
#define SANDBOX (64l << 20)
#define LOGFD 1023
#define MAXNR 464

static char *scratch, *pristine, *sandbox;

static uint64_t splitmix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The generator of one call: seeded from (seed, index) only. */
static uint64_t g;
static uint64_t rnd(void) { g = splitmix(g); return g; }

static const char *const paths[] = {
    "/tmp/f0", "/tmp/f1", "/tmp/d0", "/tmp/d0/f2", "/tmp", "/", "/dev/null", "/dev/zero",
    "/dev/urandom", "/dev/console", "/init", ".", "..", "/tmp/l0", "", "/dev",
};
#define NPATHS (sizeof paths / sizeof paths[0])
#define PATHSLOT 256            /* paths[k] at scratch + k * PATHSLOT */

static uint64_t pointer(void) {
    switch (rnd() % 6) {
    case 0: return (uint64_t)scratch + PATHSLOT * (rnd() % NPATHS);
    case 1: return (uint64_t)scratch + SCRATCH - rnd() % 64;                 /* runs into the guard page */
    case 2: return (uint64_t)sandbox + rnd() % SANDBOX;
    default: return (uint64_t)scratch + rnd() % SCRATCH;
    }
}

static uint64_t arg(void) {
    switch (rnd() % 10) {
    case 0: return 0;
    case 1: return rnd() % 64;
    case 2: case 3: return pointer();
    case 4: return rnd();
    case 5: return 0xffffffff80000000ull + rnd() % 0x200000;
    case 6: return 0x7ffffffff000ull - rnd() % 64;                          /* top of the user half */
    case 7: return (uint64_t)-(int64_t)(rnd() % 5000);
    case 8: return 1ull << (rnd() % 64);
    default: return rnd() % 0x100000000ull;
    }
}

static int avoided(uint64_t nr) {
    static const int list[] = { 12, 13, 15, 22, 34, 35, 56, 57, 58, 59, 60, 62, 129, 130, 169, 200, 202, 218, 230,
                                231, 234, 284, 290, 293, 297, 310, 311, 322, 424, 435, 436 };
    for (unsigned k = 0; k < sizeof list / sizeof list[0]; k++) if ((uint64_t)list[k] == nr) return 1;
    return 0;
}

/* Calls with an address in the sandbox: mmap, mprotect, munmap, mremap,
 * msync, mincore, madvise, mlock, munlock, remap_file_pages, pkey_mprotect. */
static int memory_call(uint64_t nr) {
    return nr == 9 || nr == 10 || nr == 11 || nr == 25 || nr == 26 || nr == 27 || nr == 28 || nr == 149 ||
           nr == 150 || nr == 216 || nr == 325 || nr == 329;
}

struct call { uint64_t nr, a[6]; };

static struct call make(uint64_t seed, uint64_t i) {
    struct call c;
    g = splitmix(seed ^ splitmix(i));
    do {
        c.nr = rnd() % 64 == 0 ? rnd() : rnd() % MAXNR;       /* now and then an unknown number */
    } while (avoided(c.nr) || (c.nr >= 0x5600 && c.nr < 0x5700));
    for (int k = 0; k < 6; k++) c.a[k] = arg();
    if (memory_call(c.nr)) {
        uint64_t off = (rnd() % (SANDBOX / 4096)) * 4096 + (rnd() % 16 == 0 ? rnd() % 4096 : 0);
        uint64_t room = SANDBOX - off;
        c.a[0] = (uint64_t)sandbox + off;
        if (c.a[1] > room || rnd() % 2) c.a[1] = rnd() % room + 1;
        if (c.nr == 9) c.a[3] = (c.a[3] & ~(uint64_t)0x100000) | MAP_FIXED;  /* not NOREPLACE: always inside */
        if (c.nr == 25) {                                                    /* mremap: a new place inside too */
            uint64_t noff = (rnd() % (SANDBOX / 4096)) * 4096;
            c.a[4] = (uint64_t)sandbox + noff;
            if (c.a[2] > SANDBOX - noff) c.a[2] = rnd() % (SANDBOX - noff) + 1;
        }
    }
    if (c.nr == 158 && c.a[0] == 0x1002) c.a[0] = 0x1003;                    /* ARCH_SET_FS -> ARCH_GET_FS */
    static uint64_t zero_time[2];                                            /* a timeval/timespec of 0 */
    zero_time[0] = zero_time[1] = 0;
    if (c.nr == 7) c.a[2] = 0;                                               /* poll */
    if (c.nr == 232 || c.nr == 281) c.a[3] = 0;                              /* epoll_wait, epoll_pwait */
    if (c.nr == 23 || c.nr == 270) c.a[4] = (uint64_t)(uintptr_t)zero_time;  /* select, pselect6 */
    if (c.nr == 271) c.a[2] = (uint64_t)(uintptr_t)zero_time;                /* ppoll */
    if (c.nr == 441) c.a[3] = (uint64_t)(uintptr_t)zero_time;                /* epoll_pwait2 */
    return c;
}

static void say(const char *fmt, unsigned long long a, unsigned long long b) {
    char line[160];
    int n = snprintf(line, sizeof line, fmt, a, b);
    if (write(LOGFD, line, n) < 0) _exit(2);
}

static void show(uint64_t i, const struct call *c) {
    char line[256];
    int n = snprintf(line, sizeof line, "call %llu: %llu(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)\n",
                     (unsigned long long)i, (unsigned long long)c->nr, (unsigned long long)c->a[0],
                     (unsigned long long)c->a[1], (unsigned long long)c->a[2], (unsigned long long)c->a[3],
                     (unsigned long long)c->a[4], (unsigned long long)c->a[5]);
    if (write(LOGFD, line, n) < 0) _exit(2);
}

static void setup(uint64_t seed) {
    if (dup2(1, LOGFD) != LOGFD) _exit(3);
    signal(SIGPIPE, SIG_IGN);            /* a write to a pipe without readers is EPIPE, not death */
    signal(SIGXFSZ, SIG_IGN);
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    if (null > 2) close(null);
    /* scratch, then an unmapped guard page */
    char *s = mmap(NULL, SCRATCH + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    pristine = mmap(NULL, SCRATCH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sandbox = mmap(NULL, SANDBOX, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (s == MAP_FAILED || pristine == MAP_FAILED || sandbox == MAP_FAILED) _exit(3);
    munmap(s + SCRATCH, 4096);
    scratch = s;
    g = splitmix(seed);
    for (int k = 0; k < SCRATCH / 8; k++) {
        uint64_t v = rnd();
        /* some plausible small values (lengths, descriptors, flags) among the random ones */
        if (v % 4 == 0) v = v >> 58;
        memcpy(pristine + 8 * k, &v, 8);
    }
    for (unsigned k = 0; k < NPATHS; k++) memcpy(pristine + PATHSLOT * k, paths[k], strlen(paths[k]) + 1);
    mkdir("/tmp", 01777);
}

static int run(uint64_t seed, uint64_t count, uint64_t from, uint64_t to) {
    setup(seed);
    say("fuzz: seed %llu, %llu calls\n", seed, count);
    for (uint64_t i = 0; i < count; i++) {
        struct call c = make(seed, i);
        memcpy(scratch, pristine, SCRATCH);
        int logged = i >= from && i < to;
        if (logged) show(i, &c);
        long r = syscall(c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
        if (logged) say("= %lld%s\n", (long long)r, (unsigned long long)(uintptr_t)"");
        if ((i + 1) % 10000 == 0) say("fuzz: %llu calls%s\n", i + 1, (unsigned long long)(uintptr_t)"");
    }
    say("fuzz: survived %llu calls (seed %llu)\n", count, seed);
    return 0;
}

// Memory calls at random inside a 64 MiB area of its own: mmap(MAP_FIXED),
// munmap, mprotect, madvise(DONTNEED, HUGEPAGE, NOHUGEPAGE), mincore, and
// kernel copies into it (read from /dev/zero, clock_gettime) whatever the
// protection. One call in four spans up to 4 MiB, so that areas of 2 MiB and
// more form, take 2 MiB pages (with transparent_hugepage=always, or advised)
// and are then cut by the next calls.
static int memory_fuzz(long rounds) {
    const long area = 64l << 20;
    g = 88172645463325252ull;
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

static uint64_t number(const char *s) { return strtoull(s, NULL, 0); }

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "memory")) return memory_fuzz(argc > 2 ? atol(argv[2]) : 20000);
    if (argc > 3 && !strcmp(argv[1], "run"))
        return run(number(argv[2]), number(argv[3]), argc > 4 ? number(argv[4]) : 0,
                   argc > 5 ? number(argv[5]) : (argc > 4 ? UINT64_MAX : 0));
    if (argc > 4 && !strcmp(argv[1], "print")) {
        setup(number(argv[2]));
        for (uint64_t i = number(argv[3]); i < number(argv[4]); i++) { struct call c = make(number(argv[2]), i); show(i, &c); }
        return 0;
    }
    if (argc > 1 && (argv[1][0] < '0' || argv[1][0] > '9')) {
        fprintf(stderr, "usage: fuzz run SEED COUNT [FROM [TO]] | fuzz print SEED FROM TO | fuzz memory [ROUNDS] | fuzz [ROUNDS [SEED]]\n");
        return 64;
    }
    return run(argc > 2 ? number(argv[2]) : 0, argc > 1 ? number(argv[1]) : 20000, 0, 0);
}

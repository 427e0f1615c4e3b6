/* The guest kernel's vDSO (vdso(7)): clock_gettime, gettimeofday, time,
 * clock_getres and getcpu answered in ring 3 from the TSC and the data page
 * the kernel keeps (vdso_data.h), as Linux's lib/vdso/gettimeofday.c does.
 * Clocks it does not handle (the CPU-time clocks, MONOTONIC_RAW, TAI, ...)
 * go to the system call, which also gives their errors.
 *
 * Built by Plugins/BuildGuestKernel/build-guest-kernel.sh: -fPIC, -nostdlib,
 * linked -shared with vdso.lds, then embedded in kernel.elf. No data, no
 * relocations: the one reference, vvar_page, is PC-relative. */
#include <stdint.h>
#include "vdso_data.h"

struct timespec64 { int64_t tv_sec; int64_t tv_nsec; };
struct timeval64 { int64_t tv_sec; int64_t tv_usec; };
struct timezone32 { int32_t tz_minuteswest; int32_t tz_dsttime; };

extern const volatile struct vdso_data vvar_page __attribute__((visibility("hidden")));

enum { SYS_gettimeofday = 96, SYS_time = 201, SYS_clock_gettime = 228, SYS_clock_getres = 229, SYS_getcpu = 309 };

static long sys2(long n, long a, long b)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return r;
}

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

/* lfence keeps the TSC read after earlier loads (Linux's rdtsc_ordered). */
static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t)hi << 32 | lo;
}

/* Nanoseconds since boot and the wall-clock base, under the sequence count.
 * 0 when the kernel has not filled the page (the callers then make the call). */
static int read_clock(uint64_t *since_boot, uint64_t *realtime_base)
{
    const volatile struct vdso_data *d = &vvar_page;
    uint32_t seq;
    uint64_t t, k, base;
    do {
        seq = d->seq;
        __asm__ volatile("" ::: "memory");
        if (d->version != VDSO_DATA_VERSION) return 0;
        k = d->tsc_khz;
        base = d->boot_realtime;
        t = rdtsc_ordered() - d->boot_tsc;
        __asm__ volatile("" ::: "memory");
    } while ((seq & 1) || seq != d->seq);
    if (k == 0) return 0;
    *since_boot = (t / k) * 1000000 + (t % k) * 1000000 / k;   /* Support/Clock.swift */
    *realtime_base = base;
    return 1;
}

/* The clocks answered here; the others go to the kernel. */
static int clock_ns(long clock, uint64_t *ns)
{
    uint64_t since_boot, base;
    switch (clock) {
    case 0: case 5:                 /* CLOCK_REALTIME, CLOCK_REALTIME_COARSE */
        if (!read_clock(&since_boot, &base)) return 0;
        *ns = base + since_boot;
        return 1;
    case 1: case 6: case 7:         /* CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME */
        if (!read_clock(&since_boot, &base)) return 0;
        *ns = since_boot;
        return 1;
    default:
        return 0;
    }
}

int __vdso_clock_gettime(long clock, struct timespec64 *ts)
{
    uint64_t ns;
    if (!clock_ns(clock, &ns)) return (int)sys2(SYS_clock_gettime, clock, (long)ts);
    ts->tv_sec = (int64_t)(ns / 1000000000);
    ts->tv_nsec = (int64_t)(ns % 1000000000);
    return 0;
}

int __vdso_clock_getres(long clock, struct timespec64 *res)
{
    uint64_t ns;
    if (!clock_ns(clock, &ns)) return (int)sys2(SYS_clock_getres, clock, (long)res);
    if (res) { res->tv_sec = 0; res->tv_nsec = 1; }   /* the system call's resolution: 1 ns */
    return 0;
}

int __vdso_gettimeofday(struct timeval64 *tv, struct timezone32 *tz)
{
    uint64_t ns;
    if (!clock_ns(0, &ns)) return (int)sys2(SYS_gettimeofday, (long)tv, (long)tz);
    if (tv) {
        tv->tv_sec = (int64_t)(ns / 1000000000);
        tv->tv_usec = (int64_t)(ns % 1000000000 / 1000);
    }
    if (tz) { tz->tz_minuteswest = 0; tz->tz_dsttime = 0; }
    return 0;
}

int64_t __vdso_time(int64_t *t)
{
    uint64_t ns;
    if (!clock_ns(0, &ns)) return sys2(SYS_time, (long)t, 0);
    int64_t s = (int64_t)(ns / 1000000000);
    if (t) *t = s;
    return s;
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *unused)
{
    const volatile struct vdso_data *d = &vvar_page;
    if (d->version != VDSO_DATA_VERSION) return (int)sys3(SYS_getcpu, (long)cpu, (long)node, (long)unused);
    if (cpu) *cpu = d->cpu;
    if (node) *node = d->node;
    return 0;
}

/* The plain names Linux also exports (weak aliases, as in its vclock_gettime.c). */
int clock_gettime(long, struct timespec64 *) __attribute__((weak, alias("__vdso_clock_gettime")));
int clock_getres(long, struct timespec64 *) __attribute__((weak, alias("__vdso_clock_getres")));
int gettimeofday(struct timeval64 *, struct timezone32 *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));

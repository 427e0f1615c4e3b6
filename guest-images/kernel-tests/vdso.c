/* The vDSO (vdso(7)), checked the same way on the host and in the guest:
 * AT_SYSINFO_EHDR names an ELF shared object whose LINUX_2.6 symbols answer
 * like the system calls (each vDSO reading brackets a system call's reading
 * of the same clock: v1 <= syscall <= v2; v2 - v1 < 10 s is only a sanity
 * bound, since a loaded host may stop the vCPU for 200 ms), in a forked
 * child and after execve as well. Prints one line per check; no times. */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

/* dietlibc names the numbers only as __NR_* and lacks these clocks (uapi linux/time.h). */
#ifdef __dietlibc__
#define SYS_clock_gettime __NR_clock_gettime
#define SYS_gettimeofday __NR_gettimeofday
#define SYS_time __NR_time
/* Nor syscall(3): the instruction itself, two arguments at most here. */
static long syscall2(long n, long a, long b) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "0"(n), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return r;
}
#define syscall(n, a, ...) syscall2(n, (long)(a), (long)(__VA_ARGS__ + 0))
#endif
#ifndef CLOCK_REALTIME_COARSE
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME 7
#endif
#include <unistd.h>

static const Elf64_Ehdr *eh;
static uintptr_t base;                 /* load bias: mapped address - p_vaddr of the PT_LOAD */
static const Elf64_Sym *symtab;
static const char *strtab;
static const Elf64_Half *versym;
static const Elf64_Verdef *verdef;
static uint32_t nsyms;

static int setup(void)
{
    eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
    if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_type != ET_DYN) return 0;
    const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
    const Elf64_Dyn *dyn = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD) base = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
        if (ph[i].p_type == PT_DYNAMIC) dyn = (const void *)((const char *)eh + ph[i].p_offset);
    }
    if (!dyn) return 0;
    const uint32_t *hash = 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        void *p = (void *)(base + dyn->d_un.d_ptr);
        switch (dyn->d_tag) {
        case DT_SYMTAB: symtab = p; break;
        case DT_STRTAB: strtab = p; break;
        case DT_HASH: hash = p; break;
        case DT_VERSYM: versym = p; break;
        case DT_VERDEF: verdef = p; break;
        }
    }
    if (!symtab || !strtab || !hash) return 0;
    nsyms = hash[1];
    return 1;
}

/* The version name of dynamic symbol i (musl's checkver, the other way round). */
static const char *version_of(uint32_t i)
{
    if (!versym || !verdef) return "";
    uint16_t v = versym[i] & 0x7fff;
    for (const Elf64_Verdef *d = verdef;; d = (const void *)((const char *)d + d->vd_next)) {
        if (!(d->vd_flags & VER_FLG_BASE) && d->vd_ndx == v) {
            const Elf64_Verdaux *a = (const void *)((const char *)d + d->vd_aux);
            return strtab + a->vda_name;
        }
        if (!d->vd_next) return "";
    }
}

static void *lookup(const char *name)
{
    for (uint32_t i = 0; i < nsyms; i++) {
        const Elf64_Sym *s = &symtab[i];
        if (ELF64_ST_TYPE(s->st_info) == STT_FUNC && s->st_shndx != SHN_UNDEF && strcmp(strtab + s->st_name, name) == 0
            && strcmp(version_of(i), "LINUX_2.6") == 0)
            return (void *)(base + s->st_value);
    }
    return 0;
}

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*tod_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);
typedef int (*getcpu_fn)(unsigned *, unsigned *, void *);

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int check(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    return ok;
}

static int clocks(const char *who)
{
    gettime_fn gt = (gettime_fn)lookup("__vdso_clock_gettime");
    tod_fn tod = (tod_fn)lookup("__vdso_gettimeofday");
    time_fn tm = (time_fn)lookup("__vdso_time");
    getcpu_fn gc = (getcpu_fn)lookup("__vdso_getcpu");
    int all = 1;
    char line[96];
    static const struct { clockid_t id; const char *name; } cl[] = {
        { CLOCK_REALTIME, "CLOCK_REALTIME" }, { CLOCK_MONOTONIC, "CLOCK_MONOTONIC" },
        { CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE" }, { CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE" },
        { CLOCK_BOOTTIME, "CLOCK_BOOTTIME" }, { CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID" },
    };
    for (unsigned c = 0; c < sizeof cl / sizeof cl[0]; c++) {
        int ok = gt != 0;
        for (int i = 0; ok && i < 200; i++) {
            struct timespec a, s, b;
            ok = gt(cl[c].id, &a) == 0 && syscall(SYS_clock_gettime, cl[c].id, &s) == 0 && gt(cl[c].id, &b) == 0
                 && ns(a) <= ns(s) && ns(s) <= ns(b) && ns(b) - ns(a) < 10000000000LL && a.tv_nsec < 1000000000;
            if (!ok)   /* why, on stderr (the comparison is of stdout) */
                fprintf(stderr, "%s clock %d: vdso %lld, syscall %lld, vdso %lld ns\n", who, (int)cl[c].id,
                        (long long)ns(a), (long long)ns(s), (long long)ns(b));
        }
        snprintf(line, sizeof line, "%s %s brackets the system call", who, cl[c].name);
        all &= check(line, ok);
    }
    struct timespec r;
    snprintf(line, sizeof line, "%s bad clock is EINVAL", who);
    all &= check(line, gt && gt(-100, &r) == -22);
    int ok = tod != 0;
    for (int i = 0; ok && i < 200; i++) {
        struct timeval a, s, b;
        ok = tod(&a, 0) == 0 && syscall(SYS_gettimeofday, &s, 0) == 0 && tod(&b, 0) == 0
             && (a.tv_sec < s.tv_sec || (a.tv_sec == s.tv_sec && a.tv_usec <= s.tv_usec))
             && (s.tv_sec < b.tv_sec || (s.tv_sec == b.tv_sec && s.tv_usec <= b.tv_usec)) && b.tv_usec < 1000000;
    }
    snprintf(line, sizeof line, "%s gettimeofday brackets the system call", who);
    all &= check(line, ok);
    ok = tm != 0;
    for (int i = 0; ok && i < 200; i++) {
        time_t a, s, b, stored = -1;
        a = tm(&stored);
        s = syscall(SYS_time, 0);
        b = tm(0);
        ok = a == stored && a <= s && s <= b && b - a <= 10;
    }
    snprintf(line, sizeof line, "%s time brackets the system call", who);
    all &= check(line, ok);
    unsigned cpu = 999, node = 999;
    snprintf(line, sizeof line, "%s getcpu answers", who);
    all &= check(line, gc && gc(&cpu, &node, 0) == 0 && cpu < 1024 && node < 1024);
    /* What the libc calls (the vDSO in both musl and glibc) agrees too. */
    ok = 1;
    for (int i = 0; ok && i < 200; i++) {
        struct timespec a, s, b;
        ok = clock_gettime(CLOCK_MONOTONIC, &a) == 0 && syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &s) == 0
             && clock_gettime(CLOCK_MONOTONIC, &b) == 0 && ns(a) <= ns(s) && ns(s) <= ns(b);
    }
    snprintf(line, sizeof line, "%s libc clock_gettime brackets the system call", who);
    all &= check(line, ok);
    return all;
}

int main(int argc, char **argv)
{
    if (!check("AT_SYSINFO_EHDR names an ELF shared object", setup())) return 1;
    check("LINUX_2.6 symbols found", lookup("__vdso_clock_gettime") && lookup("__vdso_gettimeofday")
          && lookup("__vdso_time") && lookup("__vdso_getcpu") && lookup("clock_gettime") && lookup("gettimeofday")
          && lookup("time") && lookup("getcpu"));
    if (argc > 1 && strcmp(argv[1], "exec") == 0) return clocks("after exec") ? 0 : 1;
    int ok = clocks("parent");
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) { int r = clocks("child"); fflush(stdout); _exit(r ? 0 : 1); }
    int st = 0;
    waitpid(c, &st, 0);
    check("forked child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        char *args[] = { argv[0], "exec", 0 };
        execv("/proc/self/exe", args);
        execv(argv[0], args);
        _exit(127);
    }
    waitpid(c, &st, 0);
    check("exec'd child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    printf("done\n");
    return ok ? 0 : 1;
}

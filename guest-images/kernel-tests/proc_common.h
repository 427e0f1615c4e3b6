/*
 * Shared by the proc_*.c differential programs (issue 11: processes). Each
 * prints deterministic lines (no pids, no times: relative facts only) that
 * must be the same on the host and in the guest, with glibc and musl.
 *
 * Output goes through say(): one write(2) per line, no stdio buffer, so a
 * fork never duplicates unflushed output and lines of different processes
 * never mix within a line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "default_signals.h"

static inline void say(const char *fmt, ...) {
    char b[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof b - 1) n = sizeof b - 1;
    for (int off = 0; off < n;) {
        ssize_t w = write(1, b + off, n - off);
        if (w <= 0) { if (w < 0 && errno == EINTR) continue; return; }
        off += w;
    }
}

static inline const char *yes(int c) { return c ? "yes" : "no"; }

/* errno names, the same with glibc and musl. */
static inline const char *ename(int e) {
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case ESRCH: return "ESRCH";
    case EINTR: return "EINTR"; case E2BIG: return "E2BIG"; case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF"; case ECHILD: return "ECHILD"; case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM"; case EACCES: return "EACCES"; case EFAULT: return "EFAULT";
    case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL";
    case EPIPE: return "EPIPE"; case ENOSYS: return "ENOSYS"; case ENAMETOOLONG: return "ENAMETOOLONG";
    case ETXTBSY: return "ETXTBSY";
    default: return "E?";
    }
}

/* "-1 ENAME" or the value. */
static inline const char *res(long r) {
    static char b[4][64];
    static int i;
    char *p = b[i++ & 3];
    if (r < 0) snprintf(p, 64, "-1 %s", ename(errno));
    else snprintf(p, 64, "%ld", r);
    return p;
}

/* A status the same way everywhere: "exited N", "killed by signal N",
   "stopped by signal N", "continued" (no core bit: it depends on the host's
   core-dump settings). */
static inline const char *status_text(int st) {
    static char b[4][48];
    static int i;
    char *p = b[i++ & 3];
    if (WIFEXITED(st)) snprintf(p, 48, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) snprintf(p, 48, "killed by signal %d", WTERMSIG(st));
    else if (WIFSTOPPED(st)) snprintf(p, 48, "stopped by signal %d", WSTOPSIG(st));
    else if (WIFCONTINUED(st)) snprintf(p, 48, "continued");
    else snprintf(p, 48, "status %#x", st);
    return p;
}

/* waitpid for `pid`, retried on EINTR; the status, or -1. */
static inline int reap(pid_t pid) {
    int st;
    pid_t r;
    do r = waitpid(pid, &st, 0); while (r < 0 && errno == EINTR);
    return r == pid ? st : -1;
}

/* A clean start: the host's test runner may leave descriptors open and
   signals ignored or blocked (exec keeps both); the guest's init has none. */
static inline void proc_setup(void) {
    for (int i = 3; i < 1024; i++) close(i);
    default_signals();
}

/* No core files from the children that die by SIGSEGV, SIGABRT... */
static inline void no_core(void) {
    struct rlimit z = {0, 0};
    setrlimit(RLIMIT_CORE, &z);
    prctl(PR_SET_DUMPABLE, 0);
}

static inline double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static inline void msleep(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) < 0 && errno == EINTR) {}
}

/* Reads exactly n bytes (or to EOF); the count. */
static inline long read_full(int fd, void *buf, long n) {
    long got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += r;
    }
    return got;
}

static inline long write_full(int fd, const void *buf, long n) {
    long put = 0;
    while (put < n) {
        ssize_t r = write(fd, (const char *)buf + put, n - put);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        put += r;
    }
    return put;
}

/* n children (n <= 8), released together once all are forked, sleep ms each
   and report when their sleep began and ended; child i exits with i + 1.
   They slept at the same time when the last began before the first ended.
   Only the sleeps' own times are compared: the forks' wall time depends on
   the machine's load where ring 0 is emulated. */
struct sleep_together { int exited_in_order, each_slept_enough, all_at_once; };

static inline struct sleep_together sleep_together(int n, long ms) {
    int go[2], times[2];
    pipe(go);
    pipe(times);
    pid_t pids[8];
    for (int i = 0; i < n; i++) if ((pids[i] = fork()) == 0) {
        char c;
        close(go[1]);
        read_full(go[0], &c, 1);
        double t[2];
        t[0] = now();
        msleep(ms);
        t[1] = now();
        write(times[1], t, sizeof t);
        _exit(i + 1);
    }
    close(go[0]);
    close(times[1]);
    write_full(go[1], "xxxxxxxx", n);
    int ok = 1;
    double last_start = 0, first_end = 1e18, shortest = 1e18;
    for (int i = 0; i < n; i++) {
        double t[2];
        ok &= read_full(times[0], t, sizeof t) == sizeof t;
        if (t[0] > last_start) last_start = t[0];
        if (t[1] < first_end) first_end = t[1];
        if (t[1] - t[0] < shortest) shortest = t[1] - t[0];
    }
    close(go[1]);
    close(times[0]);
    for (int i = 0; i < n; i++) { int st = reap(pids[i]); ok &= WIFEXITED(st) && WEXITSTATUS(st) == i + 1; }
    return (struct sleep_together){ok, shortest >= ms / 1000.0, last_start < first_end};
}

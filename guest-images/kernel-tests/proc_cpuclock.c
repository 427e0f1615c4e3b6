/*
 * The CPU-time clocks (clock_gettime(2), clock_getcpuclockid(3)): they
 * advance while the process runs and not while it sleeps; another process's
 * clock is read through its clock id, a missing pid's is refused. Only
 * relative facts are printed.
 */
#include "proc_common.h"

static long long ns(clockid_t c) {
    struct timespec t;
    if (clock_gettime(c, &t) != 0) return -1;
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Spins until the process CPU clock has advanced by `want` ns (10 s of wall time at most). */
static int spin_cpu(long long want) {
    long long start = ns(CLOCK_PROCESS_CPUTIME_ID), wall = ns(CLOCK_MONOTONIC);
    while (ns(CLOCK_PROCESS_CPUTIME_ID) - start < want)
        if (ns(CLOCK_MONOTONIC) - wall > 10000000000LL) return 0;
    return 1;
}

int main(void) {
    proc_setup();
    struct timespec rs;
    const char *got = res(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &rs));
    say("clock_getres process CPU clock: %s, %ld ns\n", got, rs.tv_nsec);
    say("clock_getres thread CPU clock: %s\n", res(clock_getres(CLOCK_THREAD_CPUTIME_ID, &rs)));
    say("process CPU clock reaches +50 ms by spinning: %s\n", yes(spin_cpu(50000000)));
    long long before = ns(CLOCK_PROCESS_CPUTIME_ID), thread_before = ns(CLOCK_THREAD_CPUTIME_ID);
    struct timespec nap = {0, 200000000};
    nanosleep(&nap, NULL);
    long long slept = ns(CLOCK_PROCESS_CPUTIME_ID) - before;
    say("a 200 ms sleep adds less than 100 ms of CPU time: %s\n", yes(slept >= 0 && slept < 100000000));
    say("thread CPU clock moves with it: %s\n", yes(ns(CLOCK_THREAD_CPUTIME_ID) >= thread_before));
    say("wall clocks are not CPU clocks (monotonic far ahead of process CPU): %s\n",
        yes(ns(CLOCK_MONOTONIC) > ns(CLOCK_PROCESS_CPUTIME_ID)));

    /* Another process's clock: a child that spins, then waits for a byte. */
    int go[2], ready[2];
    pipe(go); pipe(ready);
    pid_t pid = fork();
    if (pid == 0) {
        close(go[1]); close(ready[0]);
        spin_cpu(30000000);
        write(ready[1], "r", 1);
        char c;
        read(go[0], &c, 1);
        _exit(0);
    }
    close(go[0]); close(ready[1]);
    char c;
    read(ready[0], &c, 1);
    clockid_t child;
    int r = clock_getcpuclockid(pid, &child);
    say("clock_getcpuclockid(child): %s\n", r == 0 ? "0" : ename(r));
    long long child_ns = r == 0 ? ns(child) : -1;
    say("the child's clock shows its 30 ms: %s\n", yes(child_ns >= 30000000));
    say("clock_getcpuclockid(self) reads like CLOCK_PROCESS_CPUTIME_ID: %s\n",
        yes(clock_getcpuclockid(0, &child) == 0 && ns(child) > 0));
    write(go[1], "x", 1);
    say("child %s\n", status_text(reap(pid)));
    /* (Its errno is the libc's: glibc says ESRCH, Debian's musl EINVAL.) */
    say("clock_getcpuclockid of a reaped child fails: %s\n", yes(clock_getcpuclockid(pid, &child) != 0));
    errno = 0;
    say("clock_gettime of a missing pid's clock: %s\n", res(clock_gettime((clockid_t)((~(pid_t)999999 << 3) | 2), &rs)));
    say("clock_gettime of an invalid CPU clock kind: %s\n", res(clock_gettime((clockid_t)((~(pid_t)0 << 3) | 3), &rs)));
    say("done\n");
    return 0;
}

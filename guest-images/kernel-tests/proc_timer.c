/*
 * The timer without signal handlers (issue 11): preemption (a child spins
 * forever in ring 3 while the parent and a worker keep working; a child runs
 * while its parent spins without a system call), timed sleeps of several
 * processes at once, alarm/setitimer/getitimer values, SIGALRM's default
 * action ending a sleeping and a spinning process, a child continued by
 * SIGCONT running beside a spinning parent. Handlers and EINTR from a
 * timer signal are proc_signals' and proc_sleep's. Only relative facts and
 * yes/no are printed.
 */
#include "proc_common.h"
#include <sys/time.h>

/* Spins in ring 3 (a million increments between non-blocking reads, no
   other system call) until a byte comes on `fd` or 20 s pass; the last
   read's result (1: the byte came). */
static long spin_until_byte(int fd) {
    fcntl(fd, F_SETFL, O_NONBLOCK);
    double t0 = now();
    char ch;
    long got = -1;
    volatile unsigned long n = 0;
    while (got != 1 && now() - t0 < 20) {
        for (int j = 0; j < 1000000; j++) n++;
        got = read(fd, &ch, 1);
    }
    return got;
}

static void preemption(void) {
    /* The parent spins in ring 3 (no system call in the loop): the child runs anyway. */
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) { close(p[0]); write(p[1], "x", 1); _exit(3); }
    close(p[1]);
    long got = spin_until_byte(p[0]);
    close(p[0]);
    say("child ran while the parent spun: %s, %s\n", yes(got == 1), status_text(reap(c)));

    /* A child spinning forever does not starve the parent or a worker. */
    pid_t spin = fork();
    if (spin == 0) { volatile unsigned long k = 0; for (;;) k++; }
    pipe(p);
    pid_t worker = fork();
    if (worker == 0) {
        close(p[0]);
        unsigned long sum = 0;
        for (int i = 0; i < 100; i++) sum += getppid() > 0;
        write(p[1], &sum, sizeof sum);
        _exit(9);
    }
    close(p[1]);
    int rounds = 0;
    for (int i = 0; i < 10; i++) { msleep(5); rounds++; }
    unsigned long sum = 0;
    read_full(p[0], &sum, sizeof sum);
    close(p[0]);
    say("parent slept and woke beside the spinner: %d rounds\n", rounds);
    say("worker beside the spinner: sum %lu, %s\n", sum, status_text(reap(worker)));
    int st;
    say("spinner still running: %s\n", res(waitpid(spin, &st, WNOHANG)));
    kill(spin, SIGKILL);
    say("spinner: %s\n", status_text(reap(spin)));
}

static void sleepers(void) {
    struct sleep_together r = sleep_together(3, 2000);
    say("3 children sleeping 2 s: exited in order %s, each slept >= 2 s %s, all asleep at once %s\n",
        yes(r.exited_in_order), yes(r.each_slept_enough), yes(r.all_at_once));
}

static void timers(void) {
    unsigned first = alarm(5), second = alarm(0);
    say("alarm(5) then alarm(0): %u, %u\n", first, second);
    /* A first expiry far enough out for the slowest machine (nested TCG) to disarm it first. */
    struct itimerval it = {{0, 20000}, {5, 0}}, cur, old;
    say("setitimer: %s\n", res(setitimer(ITIMER_REAL, &it, NULL)));
    getitimer(ITIMER_REAL, &cur);
    say("getitimer: interval 20 ms %s, value in (0, 5 s] %s\n",
        yes(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 20000),
        yes((cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0) && cur.it_value.tv_sec * 1000000 + cur.it_value.tv_usec <= 5000000));
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, &old);
    say("disarmed: old interval 20 ms %s\n", yes(old.it_interval.tv_usec == 20000));
    getitimer(ITIMER_REAL, &cur);
    say("getitimer disarmed: %s\n", yes(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0));
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    say("setitimer tv_usec 1e6: %s\n", res(syscall(SYS_setitimer, ITIMER_REAL, &bad, NULL)));
    say("setitimer bad which: %s\n", res(syscall(SYS_setitimer, 42, &it, NULL)));
    say("getitimer bad pointer: %s\n", res(syscall(SYS_getitimer, ITIMER_REAL, (void *)8)));
    say("setitimer NULL new: %s\n", res(syscall(SYS_setitimer, ITIMER_REAL, NULL, NULL)));

    double t0 = now();
    pid_t pid = fork();
    if (pid == 0) { alarm(1); struct timespec t = {10, 0}; nanosleep(&t, NULL); _exit(1); }
    int st = reap(pid);
    double e = now() - t0;
    say("alarm(1) in nanosleep(10 s): %s, after >= 1 s %s, well before 10 s %s\n", status_text(st), yes(e >= 1.0), yes(e < 6));
    pid = fork();
    if (pid == 0) { alarm(1); volatile unsigned long n = 0; for (;;) n++; }
    say("alarm(1) while spinning: %s\n", status_text(reap(pid)));
    pid = fork();
    if (pid == 0) {
        struct itimerval p = {{0, 10000}, {0, 10000}};
        setitimer(ITIMER_REAL, &p, NULL);
        for (;;) pause();
    }
    say("periodic itimer, no handler: %s\n", status_text(reap(pid)));
    alarm(3);
    pid = fork();
    if (pid == 0) { getitimer(ITIMER_REAL, &cur); _exit(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0 ? 0 : 1); }
    say("fork child has no timer: %s\n", status_text(reap(pid)));
    unsigned left = alarm(0);                 /* 3, or less on a slow machine: not 0, not more */
    say("alarm(0) after alarm(3): between 1 and 3 %s\n", yes(left >= 1 && left <= 3));
}

/* A stopped child continued by SIGCONT runs while its parent spins in ring 3
   (SIGCONT makes it runnable: the tick must start for it). */
static void continued(void) {
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) { close(p[0]); raise(SIGSTOP); write(p[1], "x", 1); _exit(4); }
    close(p[1]);
    int st;
    waitpid(c, &st, WUNTRACED);
    say("child stopped itself: %s\n", status_text(st));
    kill(c, SIGCONT);
    long got = spin_until_byte(p[0]);
    close(p[0]);
    say("continued child ran while the parent spun: %s, %s\n", yes(got == 1), status_text(reap(c)));
}

int main(void) {
    proc_setup();
    preemption();
    continued();
    sleepers();
    timers();
    say("done\n");
    return 0;
}

/*
 * Sleeping and timers (issue 11): nanosleep/clock_nanosleep really sleep
 * (elapsed >= requested; only yes/no is printed), sleeping processes
 * overlap, alarm/setitimer/getitimer, poll as a sleep, and a child that
 * spins forever in user mode while the parent and another child keep
 * working, until the parent kills it.
 */
#include "proc_common.h"
#include <poll.h>
#include <sys/time.h>

static volatile sig_atomic_t alarms;
static void on_alarm(int s) { (void)s; alarms++; }

static void sleeps(void) {
    double t0 = now();
    struct timespec t = {0, 50 * 1000000};
    int r = nanosleep(&t, NULL);
    double e = now() - t0;
    say("nanosleep 50 ms: %s, slept >= 50 ms: %s, < 5 s: %s\n", res(r), yes(e >= 0.050), yes(e < 5));
    t0 = now();
    t.tv_nsec = 30 * 1000000;
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &t, NULL);
    say("clock_nanosleep relative 30 ms: %d, slept enough: %s\n", r, yes(now() - t0 >= 0.030));
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 40 * 1000000;
    if (until.tv_nsec >= 1000000000) { until.tv_sec++; until.tv_nsec -= 1000000000; }
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    struct timespec after;
    clock_gettime(CLOCK_MONOTONIC, &after);
    say("clock_nanosleep absolute: %d, woke at or after the deadline: %s\n", r,
        yes(after.tv_sec > until.tv_sec || (after.tv_sec == until.tv_sec && after.tv_nsec >= until.tv_nsec)));
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec -= 10;                                    /* in the past: returns at once */
    t0 = now();
    r = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL);
    say("clock_nanosleep absolute in the past: %d, at once: %s\n", r, yes(now() - t0 < 1));
    t0 = now();
    unsigned left = sleep(1);                              /* (arguments are evaluated in any order) */
    say("sleep(1): %u, slept >= 1 s: %s\n", left, yes(now() - t0 >= 1.0));
    t0 = now();
    r = usleep(20000);
    say("usleep(20000): %s, slept enough: %s\n", res(r), yes(now() - t0 >= 0.020));
    struct timespec bad = {0, 1000000000};
    say("nanosleep tv_nsec 1e9: %s\n", res(nanosleep(&bad, NULL)));
    struct timespec neg = {-1, 0};
    say("nanosleep negative: %s\n", res(nanosleep(&neg, NULL)));
    say("nanosleep bad pointer: %s\n", res(syscall(SYS_nanosleep, (void *)8, NULL)));
    say("clock_nanosleep bad clock: %d\n", clock_nanosleep(12345, 0, &t, NULL));
    struct timespec zero = {0, 0};
    say("nanosleep 0: %s\n", res(nanosleep(&zero, NULL)));
    t0 = now();
    r = poll(NULL, 0, 30);
    say("poll(no fds, 30 ms): %s, waited enough: %s\n", res(r), yes(now() - t0 >= 0.030));
    t0 = now();
    struct timeval tv = {0, 30000};
    r = select(0, NULL, NULL, NULL, &tv);
    say("select(no fds, 30 ms): %s, waited enough: %s\n", res(r), yes(now() - t0 >= 0.030));
}

static void overlapping(void) {
    struct sleep_together r = sleep_together(4, 250);
    say("4 children sleeping 250 ms: all exited %s, each slept >= 250 ms %s, all asleep at once %s\n",
        yes(r.exited_in_order), yes(r.each_slept_enough), yes(r.all_at_once));
}

static void timers(void) {
    signal(SIGALRM, on_alarm);
    unsigned first = alarm(5), second = alarm(0);
    say("alarm(5) then alarm(0) returns: %u, then %u\n", first, second);
    double t0 = now();
    alarm(1);
    pause();
    say("alarm(1) + pause: alarms %d, after >= 1 s %s\n", (int)alarms, yes(now() - t0 >= 1.0));
    alarms = 0;
    struct itimerval it = {{0, 20000}, {0, 20000}}, cur;
    t0 = now();
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &cur);
    say("getitimer: interval 20 ms %s, value in (0, 20 ms] %s\n", yes(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 20000),
        yes(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 20000));
    while (alarms < 5 && now() - t0 < 10) pause();            /* bounded: a kernel without timers must not hang here */
    double e = now() - t0;
    struct itimerval off = {{0, 0}, {0, 0}}, old;
    setitimer(ITIMER_REAL, &off, &old);
    say("periodic 20 ms timer: 5 signals after >= 100 ms %s, old interval returned %s\n", yes(e >= 0.100),
        yes(old.it_interval.tv_usec == 20000));
    getitimer(ITIMER_REAL, &cur);
    say("disarmed: %s\n", yes(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0));
    say("setitimer bad which: %s\n", res(syscall(SYS_setitimer, 42, &it, NULL)));
    signal(SIGALRM, SIG_DFL);
    /* An alarm's default action ends the process. */
    pid_t pid = fork();
    if (pid == 0) { alarm(1); for (;;) pause(); }
    say("child with alarm(1) and no handler: %s\n", status_text(reap(pid)));
    /* Timers are not inherited across fork. */
    alarm(3);
    pid = fork();
    if (pid == 0) { struct itimerval c; getitimer(ITIMER_REAL, &c); _exit(c.it_value.tv_sec == 0 && c.it_value.tv_usec == 0 ? 0 : 1); }
    say("fork child has no pending alarm: %s\n", status_text(reap(pid)));
    alarm(0);
}

static void spinner(void) {
    /* A child spinning in ring 3 must not starve the parent or other children. */
    pid_t spin = fork();
    if (spin == 0) { volatile unsigned long n = 0; for (;;) n++; }
    int p[2];
    pipe(p);
    pid_t worker = fork();
    if (worker == 0) {
        close(p[0]);
        unsigned long sum = 0;
        for (int i = 0; i < 200; i++) { sum += getppid() > 0; if (i % 50 == 0) sched_yield(); }
        write(p[1], &sum, sizeof sum);
        _exit(9);
    }
    close(p[1]);
    int rounds = 0;
    for (int i = 0; i < 20; i++) { msleep(5); rounds++; }        /* the parent sleeps and wakes, 20 times */
    unsigned long sum = 0;
    read_full(p[0], &sum, sizeof sum);
    close(p[0]);
    say("parent kept working beside the spinner: %d rounds\n", rounds);
    say("worker child ran beside the spinner: sum %lu, %s\n", sum, status_text(reap(worker)));
    int st;
    say("spinner still running: %s\n", res(waitpid(spin, &st, WNOHANG)));
    kill(spin, SIGKILL);
    say("spinner %s\n", status_text(reap(spin)));
    spin = fork();
    if (spin == 0) { volatile unsigned long n = 0; for (;;) n++; }
    msleep(20);
    kill(spin, SIGTERM);
    say("second spinner, SIGTERM: %s\n", status_text(reap(spin)));
}

int main(void) {
    proc_setup();
    sleeps();
    overlapping();
    timers();
    spinner();
    say("done\n");
    return 0;
}

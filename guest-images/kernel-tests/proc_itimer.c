/*
 * ITIMER_PROF and ITIMER_VIRTUAL (setitimer(2), getitimer(2)): timers of the
 * process's CPU time. Periodic ones send SIGPROF/SIGVTALRM while the process
 * spins in user mode; none fires while it sleeps; a one-shot fires once;
 * getitimer reports the interval and a value no larger than it; disarming
 * returns the old setting; fork clears them, execve keeps them; EINVAL and
 * EFAULT. Only relative facts are printed.
 */
#include "proc_common.h"
#include <sys/time.h>

static volatile sig_atomic_t profs, virtuals;
static void on_prof(int s) { (void)s; profs++; }
static void on_virtual(int s) { (void)s; virtuals++; }

/* Spins in user mode until *count reaches `want` or `ms` of wall time pass. */
static int spin_until(volatile sig_atomic_t *count, int want, long ms) {
    double end = now() + ms / 1000.0;
    while (*count < want && now() < end)
        for (volatile int i = 0; i < 100000; i++) {}
    return *count >= want;
}

static void spin_for(long ms) {
    double end = now() + ms / 1000.0;
    while (now() < end)
        for (volatile int i = 0; i < 100000; i++) {}
}

static struct itimerval every(long value_us, long interval_us) {
    struct itimerval v = { { interval_us / 1000000, interval_us % 1000000 }, { value_us / 1000000, value_us % 1000000 } };
    return v;
}

static long us(struct timeval t) { return t.tv_sec * 1000000L + t.tv_usec; }

static void periodic(int which, const char *name, volatile sig_atomic_t *count, const char *sig) {
    struct itimerval v = every(10000, 10000), got, old;
    say("%s every 10 ms: %s", name, res(setitimer(which, &v, NULL)));
    say(", 5 %s while spinning: %s\n", sig, yes(spin_until(count, 5, 10000)));
    getitimer(which, &got);
    say("%s getitimer: interval 10 ms %s, value in (0, 10 ms] %s\n", name, yes(us(got.it_interval) == 10000),
        yes(us(got.it_value) > 0 && us(got.it_value) <= 10000));
    struct itimerval off = every(0, 0);
    setitimer(which, &off, &old);
    say("%s disarmed: the old interval returned %s", name, yes(us(old.it_interval) == 10000));
    getitimer(which, &got);
    say(", getitimer zero %s", yes(us(got.it_interval) == 0 && us(got.it_value) == 0));
    int before = *count;
    spin_for(100);
    say(", no %s after %s\n", sig, yes(*count == before));
}

int main(int argc, char **argv) {
    proc_setup();
    struct itimerval got;
    if (argc > 1 && !strcmp(argv[1], "exec")) {
        getitimer(ITIMER_VIRTUAL, &got);
        say("after execve: ITIMER_VIRTUAL still armed %s, interval kept %s\n", yes(us(got.it_value) > 0),
            yes(us(got.it_interval) == 1000000));
        return 0;
    }
    getitimer(ITIMER_PROF, &got);
    say("ITIMER_PROF at start: zero %s", yes(us(got.it_value) == 0 && us(got.it_interval) == 0));
    getitimer(ITIMER_VIRTUAL, &got);
    say(", ITIMER_VIRTUAL: zero %s\n", yes(us(got.it_value) == 0 && us(got.it_interval) == 0));
    signal(SIGPROF, on_prof);
    signal(SIGVTALRM, on_virtual);
    periodic(ITIMER_PROF, "ITIMER_PROF", &profs, "SIGPROF");
    periodic(ITIMER_VIRTUAL, "ITIMER_VIRTUAL", &virtuals, "SIGVTALRM");

    /* A sleeping process uses no CPU time: a one-shot of 50 ms waits out a
     * 300 ms sleep, then fires once the process has spun that long. */
    profs = 0;
    struct itimerval once = every(50000, 0);
    setitimer(ITIMER_PROF, &once, NULL);
    msleep(300);
    say("one-shot ITIMER_PROF of 50 ms: none during a 300 ms sleep %s", yes(profs == 0));
    say(", then one by spinning %s", yes(spin_until(&profs, 1, 10000)));
    spin_for(100);
    say(", and only one %s", yes(profs == 1));
    getitimer(ITIMER_PROF, &got);
    say(", disarmed after %s\n", yes(us(got.it_value) == 0));

    /* fork clears both; execve keeps them. */
    struct itimerval far = every(100000000, 1000000);
    setitimer(ITIMER_PROF, &far, NULL);
    pid_t c = fork();
    if (c == 0) {
        struct itimerval g1, g2;
        getitimer(ITIMER_PROF, &g1);
        getitimer(ITIMER_VIRTUAL, &g2);
        _exit(us(g1.it_value) == 0 && us(g1.it_interval) == 0 && us(g2.it_value) == 0 ? 0 : 1);
    }
    say("fork: the child has no CPU timers: %s\n", yes(reap(c) == 0));
    getitimer(ITIMER_PROF, &got);
    say("the parent's stays armed: %s\n", yes(us(got.it_value) > 0 && us(got.it_interval) == 1000000));
    struct itimerval off = every(0, 0);
    setitimer(ITIMER_PROF, &off, NULL);
    c = fork();
    if (c == 0) {
        setitimer(ITIMER_VIRTUAL, &far, NULL);
        char *args[] = { argv[0], "exec", NULL };
        execv(argv[0], args);
        _exit(127);
    }
    reap(c);

    errno = 0;
    say("setitimer which 5: %s\n", res(setitimer(5, &far, NULL)));
    say("getitimer which 5: %s\n", res(getitimer(5, &got)));
    struct itimerval bad = every(0, 0);
    bad.it_value.tv_usec = 1000000;
    say("setitimer ITIMER_PROF tv_usec 1000000: %s\n", res(setitimer(ITIMER_PROF, &bad, NULL)));
    say("getitimer ITIMER_VIRTUAL to a bad address: %s\n", res(syscall(SYS_getitimer, ITIMER_VIRTUAL, (void *)8)));
    say("done\n");
    return 0;
}

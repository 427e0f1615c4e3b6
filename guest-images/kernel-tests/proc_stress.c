/*
 * proc_stress [ROUNDS]: fork/exit, fork+exec, COW faults, pipe ping-pong,
 * signal storms, piles of zombies and of blocked children, ROUNDS times
 * each (default 200; 0 does nothing, the idle run of a leak check). The
 * lines are counts that must be the same on the host and in the guest. For
 * the leak check, run it between idle runs in one boot and compare the
 * kernel's "N frames free" lines (see README.md, "Leak checks").
 */
#include "proc_common.h"

static volatile sig_atomic_t got;
static void on_usr1(int s) { (void)s; got++; }

static void fork_exit(int rounds) {
    int ok = 0;
    for (int i = 0; i < rounds; i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(i & 0xff);
        int st = reap(pid);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == (i & 0xff);
    }
    say("fork/exit: %d of %d\n", ok, rounds);
}

static void fork_touch(int rounds) {
    long size = 1 << 20;
    unsigned char *buf = malloc(size);
    memset(buf, 1, size);
    int ok = 0;
    for (int i = 0; i < rounds; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (long j = 0; j < size; j += 4096) buf[j] = 2;      /* 256 COW faults */
            _exit(0);
        }
        ok += reap(pid) == 0;
    }
    long bad = 0;
    for (long j = 0; j < size; j += 4096) bad += buf[j] != 1;
    say("fork + 1 MiB of COW writes: %d of %d, parent's pages changed %ld\n", ok, rounds, bad);
    free(buf);
}

static void fork_exec(const char *self, int rounds) {
    int ok = 0;
    for (int i = 0; i < rounds; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            char *args[] = {"stress", "exit-now", NULL}, *env[] = {NULL};
            execve(self, args, env);
            _exit(127);
        }
        int st = reap(pid);
        ok += WIFEXITED(st) && WEXITSTATUS(st) == 42;
    }
    say("fork+exec: %d of %d\n", ok, rounds);
}

static void ping_pong(int rounds) {
    int to[2], from[2];
    pipe(to); pipe(from);
    pid_t pid = fork();
    if (pid == 0) {
        close(to[1]); close(from[0]);
        unsigned char c;
        while (read(to[0], &c, 1) == 1) { c++; if (write(from[1], &c, 1) != 1) _exit(1); }
        _exit(0);
    }
    close(to[0]); close(from[1]);
    int ok = 0;
    for (int i = 0; i < rounds * 10; i++) {
        unsigned char c = (unsigned char)i, r = 0;
        write(to[1], &c, 1);
        if (read_full(from[0], &r, 1) == 1 && r == (unsigned char)(c + 1)) ok++;
    }
    close(to[1]);
    int st = reap(pid);
    close(from[0]);
    say("pipe ping-pong: %d of %d, echo %s\n", ok, rounds * 10, status_text(st));
}

static void signal_storm(int rounds) {
    int ack[2];
    pipe(ack);
    pid_t pid = fork();
    if (pid == 0) {
        close(ack[0]);
        sigset_t m, none;
        sigemptyset(&m); sigaddset(&m, SIGUSR1);
        sigprocmask(SIG_BLOCK, &m, NULL);
        signal(SIGUSR1, on_usr1);
        sigemptyset(&none);
        write(ack[1], "r", 1);
        for (int seen = 0; seen < rounds;) {
            while (got == seen) sigsuspend(&none);
            seen = got;
            write(ack[1], "a", 1);                       /* one acknowledgement per signal */
        }
        _exit(got == rounds ? 0 : 1);
    }
    close(ack[1]);
    char c;
    read_full(ack[0], &c, 1);
    int acks = 0;
    for (int i = 0; i < rounds; i++) { kill(pid, SIGUSR1); acks += read_full(ack[0], &c, 1) == 1; }
    say("signals one at a time: %d acknowledged of %d, receiver %s\n", acks, rounds, status_text(reap(pid)));
    close(ack[0]);
    /* Unsynchronized: standard signals coalesce, so at least one and at most all run. */
    int done[2];
    pipe(done);
    pid = fork();
    if (pid == 0) {
        close(done[0]);
        sigset_t m, none;                                /* blocked until sigsuspend: no lost wakeup */
        sigemptyset(&m); sigaddset(&m, SIGUSR1);
        sigprocmask(SIG_BLOCK, &m, NULL);
        signal(SIGUSR1, on_usr1);
        sigemptyset(&none);
        write(done[1], "r", 1);
        for (;;) {
            sigsuspend(&none);
            int n = got;
            write(done[1], &n, sizeof n);
        }
    }
    close(done[1]);
    read_full(done[0], &c, 1);
    for (int i = 0; i < rounds * 5; i++) kill(pid, SIGUSR1);
    int n = 0;
    read_full(done[0], &n, sizeof n);
    kill(pid, SIGTERM);
    int st = reap(pid);
    say("storm of %d signals: ran at least once %s, at most %d %s; receiver %s\n", rounds * 5, yes(n >= 1),
        rounds * 5, yes(n <= rounds * 5), status_text(st));
    close(done[0]);
}

static void piles(int rounds) {
    int n = rounds < 30 ? rounds : 30;
    pid_t pids[30];
    for (int i = 0; i < n; i++) if ((pids[i] = fork()) == 0) _exit(i);
    /* All are zombies (or about to be) until now. */
    int ok = 0;
    for (int i = 0; i < n; i++) { int st = reap(pids[i]); ok += WIFEXITED(st) && WEXITSTATUS(st) == i; }
    say("zombie pile: %d of %d\n", ok, n);
    int gate[2];
    pipe(gate);
    for (int i = 0; i < n; i++) if ((pids[i] = fork()) == 0) { char c; close(gate[1]); read(gate[0], &c, 1); _exit(1); }
    close(gate[0]);
    int st;
    int running = 0;
    for (int i = 0; i < n; i++) running += waitpid(pids[i], &st, WNOHANG) == 0;
    close(gate[1]);                                      /* all wake with EOF */
    ok = 0;
    for (int i = 0; i < n; i++) ok += reap(pids[i]) == (1 << 8);
    say("blocked pile: %d running, %d of %d exited after EOF\n", running, ok, n);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exit-now") == 0) return 42;
    proc_setup();
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    if (rounds < 0 || rounds > 100000) { say("usage: proc_stress [ROUNDS 0..100000]\n"); return 2; }
    if (rounds == 0) { say("idle\n"); return 0; }
    fork_exit(rounds);
    fork_touch(rounds / 4);
    fork_exec(argv[0], rounds / 4);
    ping_pong(rounds);
    signal_storm(rounds);
    piles(rounds);
    say("done\n");
    return 0;
}

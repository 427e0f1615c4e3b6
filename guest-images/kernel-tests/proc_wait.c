/*
 * Wait statuses: exit codes, deaths by signal (sent and by faults), wait4,
 * waitpid, waitid (P_PID, P_ALL, P_PGID, WNOHANG, WNOWAIT), errors, and
 * stop/continue (WUNTRACED, WCONTINUED) (issue 11).
 */
#include "proc_common.h"
#include <poll.h>

static pid_t child_exit(int code) {
    pid_t pid = fork();
    if (pid == 0) _exit(code);
    return pid;
}

static void fault(int kind) {
    no_core();
    switch (kind) {
    case 0: *(volatile int *)0 = 1; break;                        /* SIGSEGV */
    case 1: __asm__ volatile("ud2"); break;                        /* SIGILL */
    case 2: __asm__ volatile("xorl %%ecx, %%ecx; movl $1, %%eax; cltd; idivl %%ecx" ::: "eax", "ecx", "edx"); break;   /* SIGFPE */
    case 3: __asm__ volatile("int3"); break;                       /* SIGTRAP */
    case 4: abort();                                               /* SIGABRT */
    }
    _exit(100);
}

static void exit_codes(void) {
    int codes[] = {0, 1, 2, 42, 127, 128, 200, 255, 256, 511, -1};
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int st = reap(child_exit(codes[i]));
        say("exit(%d): %s, WIFEXITED %d WEXITSTATUS %d WIFSIGNALED %d\n", codes[i], status_text(st),
            !!WIFEXITED(st), WEXITSTATUS(st), !!WIFSIGNALED(st));
    }
    pid_t pid = fork();
    if (pid == 0) exit(9);                                  /* exit(3), not _exit: same status */
    say("exit(9) through atexit path: %s\n", status_text(reap(pid)));
    pid = fork();
    if (pid == 0) syscall(SYS_exit_group, 17);
    say("exit_group(17): %s\n", status_text(reap(pid)));
}

static void deaths(void) {
    int sigs[] = {SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT, SIGABRT};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        int ready[2];
        pipe(ready);
        pid_t pid = fork();
        if (pid == 0) { no_core(); write(ready[1], "r", 1); for (;;) pause(); }
        char c;
        read_full(ready[0], &c, 1);                 /* cores off before the signal */
        close(ready[0]); close(ready[1]);
        kill(pid, sigs[i]);
        int st = reap(pid);
        say("kill %d: %s, WIFSIGNALED %d WTERMSIG %d WIFEXITED %d\n", sigs[i], status_text(st),
            !!WIFSIGNALED(st), WTERMSIG(st), !!WIFEXITED(st));
    }
    const char *names[] = {"null write", "ud2", "divide by zero", "int3", "abort"};
    for (int k = 0; k < 5; k++) {
        pid_t pid = fork();
        if (pid == 0) fault(k);
        say("%s: %s\n", names[k], status_text(reap(pid)));
    }
    pid_t pid = fork();
    if (pid == 0) { raise(SIGTERM); _exit(1); }
    say("raise(SIGTERM): %s\n", status_text(reap(pid)));
    pid = fork();
    if (pid == 0) { signal(SIGTERM, SIG_IGN); raise(SIGTERM); _exit(6); }
    say("raise(SIGTERM) ignored: %s\n", status_text(reap(pid)));
}

static void wait_calls(void) {
    int st;
    struct rusage ru;
    pid_t pid = child_exit(21);
    int got = wait4(pid, &st, 0, &ru) == pid;      /* (arguments are evaluated in any order) */
    say("wait4 returns the pid: %s, %s\n", yes(got), status_text(st));
    pid = child_exit(22);
    got = waitpid(-1, &st, 0) == pid;
    say("waitpid(-1) returns the pid: %s, %s\n", yes(got), status_text(st));
    pid = child_exit(23);
    say("waitpid(pid, NULL): %s\n", yes(waitpid(pid, NULL, 0) == pid));

    siginfo_t si;
    pid = child_exit(24);
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, pid, &si, WEXITED);
    say("waitid P_PID: %s signo %d code %d status %d pid right %s uid right %s\n", res(r), si.si_signo, si.si_code,
        si.si_status, yes(si.si_pid == pid), yes(si.si_uid == getuid()));
    pid = fork();
    if (pid == 0) { no_core(); kill(getpid(), SIGUSR1); _exit(0); }
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED);
    say("waitid P_ALL killed: %s signo %d code %d status %d pid right %s\n", res(r), si.si_signo, si.si_code,
        si.si_status, yes(si.si_pid == pid));

    /* WNOWAIT leaves the child waitable. */
    pid = child_exit(25);
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
    say("waitid WNOWAIT status %d, then waitpid: %s\n", si.si_status, status_text(reap(pid)));

    /* WNOHANG: a running child gives 0 (waitid: si_pid 0). */
    int fds[2];
    pipe(fds);
    pid = fork();
    if (pid == 0) { char c; close(fds[1]); read(fds[0], &c, 1); _exit(26); }
    close(fds[0]);
    say("waitpid WNOHANG running: %s\n", res(waitpid(pid, &st, WNOHANG)));
    memset(&si, 0, sizeof si);
    si.si_pid = 12345;
    r = waitid(P_PID, pid, &si, WEXITED | WNOHANG);
    say("waitid WNOHANG running: %s si_pid zero %s\n", res(r), yes(si.si_pid == 0));
    close(fds[1]);
    say("then: %s\n", status_text(reap(pid)));

    /* Process groups: P_PGID and waitpid(-pgid). */
    pid_t a = fork();
    if (a == 0) { setpgid(0, 0); _exit(27); }
    setpgid(a, a);
    pid_t b = fork();
    if (b == 0) { setpgid(0, a); _exit(28); }
    setpgid(b, a);
    int sum = 0;
    for (int i = 0; i < 2; i++) {
        memset(&si, 0, sizeof si);
        if (waitid(P_PGID, a, &si, WEXITED) == 0) sum += si.si_status;
    }
    say("waitid P_PGID collected statuses summing %d\n", sum);
    a = fork();
    if (a == 0) { setpgid(0, 0); _exit(29); }
    setpgid(a, a);
    got = waitpid(-a, &st, 0) == a;
    say("waitpid(-pgid): %s %s\n", yes(got), status_text(st));

    /* Errors. */
    say("waitpid no children: %s\n", res(waitpid(-1, &st, 0)));
    say("waitid no children: %s\n", res(waitid(P_ALL, 0, &si, WEXITED)));
    pid = child_exit(30);
    say("waitid no options: %s\n", res(waitid(P_PID, pid, &si, 0)));
    say("waitpid bad options: %s\n", res(waitpid(pid, &st, 0x1000)));
    say("waitid bad idtype: %s\n", res(waitid((idtype_t)42, 0, &si, WEXITED)));
    say("wait4 bad status pointer: %s\n", res(wait4(pid, (int *)8, 0, NULL)));
    say("child still there after EFAULT: %s\n", res(waitpid(pid, &st, WNOHANG) == pid ? 1 : 0));
    say("waitpid our own pid: %s\n", res(waitpid(getpid(), &st, 0)));
}

static void stop_continue(void) {
    int st;
    pid_t pid = fork();
    if (pid == 0) { for (;;) pause(); }
    kill(pid, SIGSTOP);
    int got = waitpid(pid, &st, WUNTRACED) == pid;
    say("WUNTRACED after SIGSTOP: %s %s\n", yes(got), status_text(st));
    say("stopped child again WNOHANG|WUNTRACED: %s\n", res(waitpid(pid, &st, WNOHANG | WUNTRACED)));
    kill(pid, SIGCONT);
    got = waitpid(pid, &st, WCONTINUED) == pid;
    say("WCONTINUED after SIGCONT: %s %s\n", yes(got), status_text(st));
    kill(pid, SIGKILL);
    reap(pid);
    /* SIGTSTP stops only a process whose group is not orphaned: this child
       gets a group of its own, whose parent (this process: never init, see
       main) is in another group of the same session. */
    pid = fork();
    if (pid == 0) { setpgid(0, 0); for (;;) pause(); }
    setpgid(pid, pid);
    siginfo_t si;
    kill(pid, SIGTSTP);
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WSTOPPED);
    say("waitid WSTOPPED after SIGTSTP: code %d status %d\n", si.si_code, si.si_status);
    kill(pid, SIGCONT);
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WCONTINUED);
    say("waitid WCONTINUED: code %d status %d\n", si.si_code, si.si_status);
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    kill(pid, SIGKILL);                                /* SIGKILL ends a stopped process */
    say("SIGKILL while stopped: %s\n", status_text(reap(pid)));
    pid = fork();
    if (pid == 0) { signal(SIGTSTP, SIG_IGN); raise(SIGTSTP); _exit(31); }
    say("SIGTSTP ignored: %s\n", status_text(reap(pid)));
    /* After setsid the child's group is orphaned (its parent is in another
       session): SIGTSTP's default stop does nothing there (POSIX). */
    pid = fork();
    if (pid == 0) { setsid(); raise(SIGTSTP); raise(SIGTTIN); raise(SIGTTOU); _exit(32); }
    say("SIGTSTP/SIGTTIN/SIGTTOU in an orphaned group (after setsid): %s\n", status_text(reap(pid)));
}

/* An exit that leaves a process group orphaned while a member is stopped
 * (kill_orphaned_pgrp): the group gets SIGHUP, then SIGCONT. S makes a
 * session; its child C a group of its own, where C's child G stops itself;
 * C exits, so G's group lost its link (S, another group of the session). */
static int hangup_fd = -1;
static void on_hup(int s) { (void)s; write(hangup_fd, "H", 1); }
static void on_cont(int s) { (void)s; write(hangup_fd, "C", 1); }
static void orphaned_with_a_stopped_member(void) {
    int rep[2];
    pipe(rep);
    pid_t s = fork();
    if (s == 0) {
        close(rep[0]);
        setsid();
        pid_t c = fork();
        if (c == 0) {
            setpgid(0, 0);
            pid_t g = fork();
            if (g == 0) {
                hangup_fd = rep[1];
                signal(SIGHUP, on_hup);
                signal(SIGCONT, on_cont);
                pid_t me = getpid();
                write(rep[1], &me, sizeof me);
                raise(SIGSTOP);
                write(rep[1], "E", 1);
                _exit(0);
            }
            int st;
            waitpid(g, &st, WUNTRACED);
            _exit(WIFSTOPPED(st) ? 0 : 1);
        }
        int st;
        waitpid(c, &st, 0);
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 2);
    }
    close(rep[1]);
    int st = reap(s);
    pid_t g = 0;
    read(rep[0], &g, sizeof g);
    char got[8] = {0};
    int n = 0;
    struct pollfd pf = {rep[0], POLLIN, 0};
    while (n < 3 && poll(&pf, 1, 10000) == 1 && read(rep[0], got + n, 1) == 1) n++;
    if (n < 3 && g > 0) kill(g, SIGKILL);       /* left stopped: the kernel lacks the rule */
    say("orphaned group with a stopped member: middle exited %s; SIGHUP %s, SIGCONT %s, then ran on %s\n",
        status_text(st), yes(strchr(got, 'H') != NULL), yes(strchr(got, 'C') != NULL), yes(n == 3 && got[2] == 'E'));
    close(rep[0]);
}

int main(void) {
    proc_setup();
    exit_codes();
    deaths();
    wait_calls();
    /* In a child: as the guest's /init this process's children count for no
       group (Linux skips init's children when it decides a group is orphaned). */
    pid_t pid = fork();
    if (pid == 0) { stop_continue(); _exit(0); }
    int st = reap(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) say("stop_continue: %s\n", status_text(st));
    orphaned_with_a_stopped_member();
    say("done\n");
    return 0;
}

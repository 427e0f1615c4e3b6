/*
 * Job control on the controlling terminal (issue 13; Linux's
 * drivers/tty/tty_jobctrl.c __tty_check_change, termios(3), credentials(7)):
 * a process of a background group that reads the terminal gets SIGTTIN (its
 * group stops; SIGTTIN ignored or blocked: EIO), one that writes with TOSTOP
 * set gets SIGTTOU (ignored or blocked: the write goes ahead), and so do
 * tcsetattr, tcsetpgrp, tcflush, tcdrain and tcflow; tcgetpgrp, TIOCSWINSZ and
 * FIONREAD do not check. In an orphaned group every such call is EIO instead
 * (tcsetpgrp's ENOTTY).
 *
 * The session leader, its group the terminal's foreground, is in the guest
 * the program itself with the console (vmm run starts each program as under
 * `setsid -c`); on the host, a child in a session of its own on a fresh pty
 * (/dev/ptmx), so no terminal of the host's is needed. It hands the
 * terminal to a job (its child, in a group of its own) that runs the checks.
 * Each background call runs in a forked child of the job in a group of its
 * own; its line goes through a pipe and the job prints it, so only the
 * foreground prints to stdout (in the guest, the console itself). Writes are
 * of 0 bytes (n_tty_write still checks), so nothing reaches the terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "default_signals.h"

static int tty;                 /* /dev/tty: the controlling terminal */
static int report[2];           /* a background child's line, to the leader */
static pid_t leader_group;
static struct termios saved;
static volatile sig_atomic_t caught;

static void on_signal(int s) { caught = s; }

static const char *ename(int e) {
    switch (e) {
    case EIO: return "EIO"; case EINTR: return "EINTR"; case ENOTTY: return "ENOTTY";
    case EPERM: return "EPERM"; case ESRCH: return "ESRCH"; case EINVAL: return "EINVAL";
    case EAGAIN: return "EAGAIN"; case ENXIO: return "ENXIO";
    default: return "E?";
    }
}

static const char *res(long r) {
    static char b[4][32];
    static int i;
    char *p = b[i++ & 3];
    if (r < 0) snprintf(p, 32, "-1 %s", ename(errno));
    else snprintf(p, 32, "%ld", r);
    return p;
}

static const char *signame(int s) {
    return s == SIGTTIN ? "SIGTTIN" : s == SIGTTOU ? "SIGTTOU" : s == SIGKILL ? "SIGKILL" : "another signal";
}

/* The signal's disposition in the calling process. */
static void dispose(int sig, const char *how) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = !strcmp(how, "ignored") ? SIG_IGN : !strcmp(how, "handled") ? on_signal : SIG_DFL;
    sigaction(sig, &sa, NULL);                   /* no SA_RESTART: a handler means EINTR */
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, sig);
    sigprocmask(!strcmp(how, "blocked") ? SIG_BLOCK : SIG_UNBLOCK, &m, NULL);
}

static void tostop(int on) {
    struct termios t = saved;
    if (on) t.c_lflag |= TOSTOP; else t.c_lflag &= ~TOSTOP;
    tcsetattr(tty, TCSANOW, &t);
}

/* The caller's group back in the foreground (SIGTTOU blocked, as shells do). */
static void foreground_again(void) {
    sigset_t m, old;
    sigemptyset(&m);
    sigaddset(&m, SIGTTOU);
    sigprocmask(SIG_BLOCK, &m, &old);
    tcsetpgrp(tty, getpgrp());
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void drain(void) {
    char b[512];
    long n;
    fflush(stdout);
    while ((n = read(report[0], b, sizeof b)) > 0) write(1, b, n);
}

enum call { READ, WRITE0, TCSETATTR, TCSETPGRP, TCGETPGRP, TCFLUSH, TCDRAIN, TCFLOW, SETWINSZ, FIONREAD_ };
static const char *names[] = { "read", "write 0 bytes", "tcsetattr", "tcsetpgrp own group", "tcgetpgrp is the leader's",
                               "tcflush", "tcdrain", "tcflow", "TIOCSWINSZ", "FIONREAD" };

static long call(enum call c) {
    char b[4] = { 0 };
    int n;
    struct winsize w;
    switch (c) {
    case READ: return read(tty, b, 1);
    case WRITE0: return write(tty, b, 0);
    case TCSETATTR: return tcsetattr(tty, TCSANOW, &saved);
    case TCSETPGRP: return tcsetpgrp(tty, getpgrp());
    case TCGETPGRP: { pid_t g = tcgetpgrp(tty); return g < 0 ? -1 : g == leader_group; }
    case TCFLUSH: return tcflush(tty, TCIFLUSH);
    case TCDRAIN: return tcdrain(tty);
    case TCFLOW: return tcflow(tty, TCOON);
    case SETWINSZ: return ioctl(tty, TIOCGWINSZ, &w) < 0 ? -1 : ioctl(tty, TIOCSWINSZ, &w);
    case FIONREAD_: return ioctl(tty, FIONREAD, &n) < 0 ? -1 : n;
    }
    return -1;
}

/* `c` from a child in a background group of its own, `sig` `how`: what it
   returned, or how it stopped and what SIGCONT did then. */
static void in_background(enum call c, int sig, const char *how) {
    fflush(stdout);
    pid_t k = fork();
    if (k == 0) {
        setpgid(0, 0);
        dup2(report[1], 1);
        dispose(sig, how);
        caught = 0;
        long r = call(c);
        printf("%s, %s %s: %s%s\n", names[c], signame(sig), how, res(r), caught ? ", handler ran" : "");
        fflush(stdout);
        _exit(0);
    }
    setpgid(k, k);
    int st;
    waitpid(k, &st, WUNTRACED);
    if (WIFSTOPPED(st)) {
        printf("%s, %s %s: group stopped by %s\n", names[c], signame(sig), how, signame(WSTOPSIG(st)));
        /* Continued, still in the background: the call restarts and stops again. */
        kill(k, SIGCONT);
        waitpid(k, &st, WUNTRACED);
        printf("  after SIGCONT: %s\n", WIFSTOPPED(st) ? signame(WSTOPSIG(st)) : "not stopped");
        kill(k, SIGKILL);
        waitpid(k, &st, 0);
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("%s: child ended with status %#x\n", names[c], st);
    }
    drain();
    foreground_again();
}

/* A grandchild in a group of its own whose parent has exited: the group is
   orphaned (no member has a parent in another group of the session; init
   does not count), so it is never stopped: EIO. */
static void orphaned(void) {
    int o[2];
    pipe(o);
    tostop(1);
    fflush(stdout);
    pid_t m = fork();
    if (m == 0) {
        m = getpid();
        if (fork() == 0) {
            setpgid(0, 0);
            dup2(o[1], 1);
            close(o[0]);
            close(o[1]);
            while (getppid() == m) usleep(1000);
            const enum call calls[] = { READ, WRITE0, TCSETATTR, TCFLUSH, TCSETPGRP, TCGETPGRP };
            for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++)
                printf("orphaned %s: %s\n", names[calls[i]], res(call(calls[i])));
            dispose(SIGTTIN, "handled");
            caught = 0;
            long v = call(READ);
            printf("orphaned read, SIGTTIN handled: %s%s\n", res(v), caught ? ", handler ran" : "");
            dispose(SIGTTIN, "ignored");
            printf("orphaned read, SIGTTIN ignored: %s\n", res(call(READ)));
            dispose(SIGTTOU, "ignored");
            printf("orphaned write, SIGTTOU ignored: %s\n", res(call(WRITE0)));
            fflush(stdout);
            _exit(0);
        }
        _exit(0);
    }
    close(o[1]);
    waitpid(m, NULL, 0);
    char b[512];
    long n;
    while ((n = read(o[0], b, sizeof b)) > 0) write(1, b, n);     /* until the grandchild is gone */
    close(o[0]);
    tostop(0);
}

/* The checks, run by a job in the foreground whose parent is the session
   leader: not init (in the guest the program is pid 1, and init's children
   do not keep a group from being orphaned). */
static void checks(void) {
    leader_group = getpgrp();
    tcgetattr(tty, &saved);
    saved.c_lflag &= ~TOSTOP;
    tcsetattr(tty, TCSANOW, &saved);
    printf("job in the foreground: %d\n", tcgetpgrp(tty) == leader_group);
    pipe(report);
    fcntl(report[0], F_SETFL, O_NONBLOCK);

    const char *hows[] = { "default", "ignored", "blocked", "handled" };
    for (int i = 0; i < 4; i++) in_background(READ, SIGTTIN, hows[i]);
    in_background(WRITE0, SIGTTOU, "default");
    printf("write from the foreground: %s\n", res(write(tty, "", 0)));
    tostop(1);
    for (int i = 0; i < 4; i++) in_background(WRITE0, SIGTTOU, hows[i]);
    tostop(0);
    for (int i = 0; i < 4; i++) in_background(TCSETATTR, SIGTTOU, hows[i]);
    in_background(TCSETPGRP, SIGTTOU, "default");
    in_background(TCSETPGRP, SIGTTOU, "blocked");
    in_background(TCSETPGRP, SIGTTOU, "ignored");
    const enum call others[] = { TCFLUSH, TCDRAIN, TCFLOW };
    for (int i = 0; i < 3; i++) { in_background(others[i], SIGTTOU, "default"); in_background(others[i], SIGTTOU, "handled"); }
    in_background(TCGETPGRP, SIGTTOU, "default");
    in_background(SETWINSZ, SIGTTOU, "default");
    in_background(FIONREAD_, SIGTTOU, "default");
    /* SIGTTIN does not matter to writes, SIGTTOU not to reads. */
    in_background(READ, SIGTTOU, "ignored");
    tostop(1);
    in_background(WRITE0, SIGTTIN, "ignored");
    tostop(0);
    orphaned();
}

/* The session leader, its group the foreground: the checks' job gets the
   terminal, then the leader takes it back. */
static int leader(void) {
    printf("session leader: %d, foreground: %d\n", getsid(0) == getpid(), tcgetpgrp(tty) == getpgrp());
    int go[2];
    pipe(go);
    fflush(stdout);
    pid_t k = fork();
    if (k == 0) {
        char c;
        setpgid(0, 0);
        read(go[0], &c, 1);
        checks();
        _exit(0);
    }
    setpgid(k, k);
    tcsetpgrp(tty, k);
    write(go[1], "g", 1);
    int st;
    waitpid(k, &st, 0);
    foreground_again();
    printf("leader in the foreground again: %d\n", tcgetpgrp(tty) == getpgrp());
    fflush(stdout);                                             /* the host's leader ends by _exit */
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int main(void) {
    /* A test runner's child may inherit SIGTTIN and SIGTTOU blocked, which
       would turn the stops into EIO or success. */
    default_signals();
    setvbuf(stdout, NULL, _IOLBF, 0);
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY);       /* posix_openpt, which dietlibc lacks */
    if (master < 0) {
        /* The guest: no pty; the console is this session's terminal already. */
        tty = open("/dev/tty", O_RDWR);
        if (tty < 0) { printf("no controlling terminal: %s\n", res(-1)); return 1; }
        int r = leader();
        printf("done\n");
        return r;
    }
    int unlock = 0, n = -1;
    char name[32];
    ioctl(master, TIOCSPTLCK, &unlock);                         /* unlockpt */
    ioctl(master, TIOCGPTN, &n);                                /* ptsname */
    snprintf(name, sizeof name, "/dev/pts/%d", n);
    fflush(stdout);
    pid_t l = fork();
    if (l == 0) {
        setsid();
        int s = open(name, O_RDWR);
        if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0) { printf("pty: %s\n", res(-1)); _exit(1); }
        tty = open("/dev/tty", O_RDWR);
        _exit(leader());
    }
    int st;
    waitpid(l, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { printf("leader: status %#x\n", st); return 1; }
    printf("done\n");
    return 0;
}

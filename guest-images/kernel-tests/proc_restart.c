/*
 * Which blocking calls a signal restarts (issue 11; signal(7) "Interruption
 * of system calls and library functions by signal handlers"):
 *  - a handler with SA_RESTART restarts eventfd read, flock, F_SETLKW,
 *    recv, wait4; without SA_RESTART they fail with EINTR;
 *  - poll, select, epoll_wait and nanosleep are never restarted after a
 *    handler (EINTR), SA_RESTART or not;
 *  - a signal that only stops and continues the process (no handler ran)
 *    restarts every one, sleeps and timeouts to their first deadline;
 *  - pselect, ppoll and epoll_pwait keep their own mask until the handler
 *    of the signal it let through has run.
 * A child blocks in the call after saying "ready" on a pipe; the parent
 * signals it 50 ms later and completes the call 50 ms after that. Only
 * results and relative facts are printed.
 */
#include "proc_common.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/socket.h>

enum call { EVENTFD, FLOCK, SETLKW, RECV, WAIT4, POLL, SELECT, EPOLL, NANOSLEEP, NCALLS };
static const char *names[] = {"eventfd read", "flock", "F_SETLKW", "recv", "wait4", "poll", "select", "epoll_wait", "nanosleep"};

static volatile sig_atomic_t handled;
static void on_usr1(int sig) { (void)sig; handled++; }

static int efd, sv[2], lockfd, ep, ready[2];
static pid_t grandchild;

static void handler(int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
}

/* The file the lock calls use, the parent holding both kinds of lock on it. */
static void parent_locks(void) {
    lockfd = open("/tmp/proc_restart.lock", O_RDWR | O_CREAT | O_TRUNC, 0600);
    flock(lockfd, LOCK_EX);
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    fcntl(lockfd, F_SETLK, &l);
}

static void parent_unlocks(void) {
    struct flock l = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    fcntl(lockfd, F_SETLK, &l);
    flock(lockfd, LOCK_UN);
}

/* The blocking call in the child; the result as res() prints it. */
static long blocking(enum call c, long timeout_ms) {
    char b[8];
    switch (c) {
    case EVENTFD: { uint64_t v; return read(efd, &v, 8); }
    case FLOCK: {
        int fd = open("/tmp/proc_restart.lock", O_RDWR);     /* its own description: the parent's flock conflicts */
        return flock(fd, LOCK_EX);
    }
    case SETLKW: {
        struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
        return fcntl(lockfd, F_SETLKW, &l);
    }
    case RECV: return recv(sv[1], b, sizeof b, 0);
    case WAIT4: {
        int st;
        long r = waitpid(grandchild, &st, 0);
        return r == grandchild ? 1 : r;
    }
    case POLL: {
        struct pollfd p = {.fd = sv[1], .events = POLLIN};
        return poll(&p, 1, (int)timeout_ms);
    }
    case SELECT: {
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(sv[1], &rd);
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        return select(sv[1] + 1, &rd, NULL, NULL, timeout_ms < 0 ? NULL : &tv);
    }
    case EPOLL: { struct epoll_event e; return epoll_wait(ep, &e, 1, (int)timeout_ms); }
    case NANOSLEEP: {
        struct timespec t = {timeout_ms < 0 ? 5 : timeout_ms / 1000, timeout_ms < 0 ? 0 : (timeout_ms % 1000) * 1000000L};
        return nanosleep(&t, NULL);
    }
    default: return -1;
    }
}

/* What ends the call from the outside (a timed call ends by itself). */
static void complete(enum call c) {
    uint64_t one = 1;
    switch (c) {
    case EVENTFD: write(efd, &one, 8); break;
    case FLOCK: case SETLKW: parent_unlocks(); break;
    case RECV: case POLL: case SELECT: write(sv[0], "x", 1); break;
    case EPOLL: write(sv[0], "x", 1); break;
    case WAIT4: if (grandchild > 0) kill(grandchild, SIGKILL); break;
    default: break;
    }
}

/* One run: the child blocks in `c` (`timeout_ms`, -1 for none, where the call
   takes one); `how` is what the parent does to it: "handler", "handler
   SA_RESTART" (SIGUSR1 with a handler), or "stop" (SIGSTOP then SIGCONT). */
static void run(enum call c, const char *how, long timeout_ms) {
    parent_locks();
    efd = eventfd(0, 0);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    ep = epoll_create1(0);
    struct epoll_event e = {.events = EPOLLIN};
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &e);
    pipe(ready);
    pid_t pid = fork();
    if (pid == 0) {
        handled = 0;
        if (!strcmp(how, "handler")) handler(0);
        if (!strcmp(how, "handler SA_RESTART")) handler(SA_RESTART);
        if (c == WAIT4) {
            grandchild = fork();
            if (grandchild == 0) { for (;;) pause(); }
        }
        double t0 = now();
        write(ready[1], &grandchild, sizeof grandchild);     /* the parent kills it to end wait4 */
        long r = blocking(c, timeout_ms);
        double ms = (now() - t0) * 1000;
        char extra[64] = "";
        if (timeout_ms > 0 && !strcmp(how, "stop")) snprintf(extra, sizeof extra, ", waited the whole %ld ms %s", timeout_ms, yes(ms >= timeout_ms));
        say("%s, %s: %s, handler ran %d%s\n", names[c], how, res(r), (int)handled, extra);
        _exit(0);
    }
    grandchild = 0;
    read_full(ready[0], &grandchild, sizeof grandchild);
    msleep(50);
    if (!strcmp(how, "stop")) {
        int st;
        kill(pid, SIGSTOP);
        waitpid(pid, &st, WUNTRACED);
        kill(pid, SIGCONT);
    } else {
        kill(pid, SIGUSR1);
    }
    msleep(50);
    if (timeout_ms < 0) complete(c);
    if (c == WAIT4 && timeout_ms >= 0 && grandchild > 0) kill(grandchild, SIGKILL);
    int st = reap(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) say("child: %s\n", status_text(st));
    parent_unlocks();
    close(lockfd); close(efd); close(sv[0]); close(sv[1]); close(ep); close(ready[0]); close(ready[1]);
}

/* pselect, ppoll, epoll_pwait with SIGUSR1 blocked outside and let through by
   the call's own mask: the handler runs, EINTR, SIGUSR1 blocked again after. */
static void masked(int which) {
    static const char *what[] = {"pselect", "ppoll", "epoll_pwait"};
    pipe(ready);
    ep = epoll_create1(0);
    pid_t pid = fork();
    if (pid == 0) {
        handled = 0;
        handler(0);
        sigset_t usr1, none, after;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigemptyset(&none);
        sigprocmask(SIG_BLOCK, &usr1, NULL);
        write(ready[1], "r", 1);
        long r;
        struct epoll_event e;
        if (which == 0) r = pselect(0, NULL, NULL, NULL, NULL, &none);
        else if (which == 1) r = ppoll(NULL, 0, NULL, &none);
        else r = epoll_pwait(ep, &e, 1, -1, &none);
        int handled_then = handled;
        sigprocmask(SIG_BLOCK, NULL, &after);
        say("%s with SIGUSR1 let through by its mask: %s, handler ran %d, SIGUSR1 blocked again after %s\n",
            what[which], res(r), handled_then, yes(sigismember(&after, SIGUSR1)));
        _exit(0);
    }
    char x;
    read_full(ready[0], &x, 1);
    msleep(50);
    kill(pid, SIGUSR1);
    int st = reap(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) say("child: %s\n", status_text(st));
    close(ready[0]); close(ready[1]); close(ep);
}

int main(void) {
    proc_setup();
    mkdir("/tmp", 0777);
    for (enum call c = 0; c < NCALLS; c++) {
        run(c, "handler", -1);
        run(c, "handler SA_RESTART", -1);
        if (c != NANOSLEEP) run(c, "stop", -1);     /* nanosleep's stop run is the timed one below */
    }
    /* Timeouts across a stop: the call still ends at its first deadline. */
    run(POLL, "stop", 300);
    run(SELECT, "stop", 300);
    run(EPOLL, "stop", 300);
    run(NANOSLEEP, "stop", 300);
    for (int i = 0; i < 3; i++) masked(i);
    unlink("/tmp/proc_restart.lock");
    say("done\n");
    return 0;
}

/*
 * poll, ppoll, select, pselect6 (issue 12): readiness of pipes, eventfds
 * and /dev/null, POLLNVAL and POLLHUP as Linux, negative fds, timeouts that
 * really wait (and select's time left), blocking woken by another process,
 * the errors.
 */
#include "ev_common.h"
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

static const char *pollx(struct pollfd *p, int n, int timeout) {
    static char b[4][256];
    static int k;
    char *s = b[k++ & 3];
    for (int i = 0; i < n; i++) p[i].revents = 0x7777;
    int r = poll(p, n, timeout);
    if (r < 0) { snprintf(s, 256, "%s", rv(r)); return s; }
    int o = snprintf(s, 256, "%d:", r);
    for (int i = 0; i < n; i++) o += snprintf(s + o, 256 - o, " %#x", (unsigned)(unsigned short)p[i].revents);
    return s;
}

int main(void) {
    proc_setup();
    int p[2], nul = open("/dev/null", O_RDWR), e = eventfd(0, 0);
    pipe(p);
    struct pollfd f[6] = {
        {p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {nul, POLLIN | POLLOUT, 0},
        {e, POLLIN | POLLOUT, 0}, {-1, POLLIN, 0}, {77, POLLIN, 0},
    };
    say("poll: %s\n", pollx(f, 6, 0));
    write(p[1], "x", 1);
    say("poll after a write: %s\n", pollx(f, 6, 0));
    f[0].events = 0;
    say("events 0 on a readable pipe: %s\n", pollx(f, 1, 0));
    f[0].events = POLLIN;
    close(p[1]);
    say("writer closed, byte unread: %s\n", pollx(f, 1, 0));
    char c;
    read(p[0], &c, 1);
    say("writer closed, drained: %s\n", pollx(f, 1, 0));
    int q[2];
    pipe(q);
    close(q[0]);
    struct pollfd w = {q[1], POLLOUT, 0};
    say("reader closed: %s\n", pollx(&w, 1, 0));
    say("poll nfds too big: %s\n", rv(poll(f, 1u << 20, 0)));
    say("poll bad pointer: %s\n", rv(poll((struct pollfd *)8, 1, 0)));
    say("poll nothing, 0 fds: %s\n", rv(poll(NULL, 0, 0)));

    /* Timeouts really wait. */
    int r2[2];
    pipe(r2);
    struct pollfd g = {r2[0], POLLIN, 0};
    double t0 = now();
    say("poll timeout 80 ms: %s\n", pollx(&g, 1, 80));
    say("it waited >= 80 ms: %s\n", yes(ms_since(t0) >= 80));
    struct timespec ts = {0, 60 * 1000000L};
    t0 = now();
    say("ppoll 60 ms: %s\n", rv(ppoll(&g, 1, &ts, NULL)));
    say("it waited >= 60 ms: %s\n", yes(ms_since(t0) >= 60));
    struct timespec badts = {0, 1000000000L};
    say("ppoll bad timespec: %s\n", rv(ppoll(&g, 1, &badts, NULL)));
    sigset_t none;
    sigemptyset(&none);
    say("ppoll bad sigsetsize: %s\n", rv(syscall(SYS_ppoll, &g, 1, NULL, &none, 4)));
    pid_t pid = fork();
    if (pid == 0) { msleep(50); write(r2[1], "y", 1); _exit(0); }
    t0 = now();
    say("poll blocked, woken by the child: %s\n", pollx(&g, 1, -1));
    say("it waited for the child: %s\n", yes(ms_since(t0) >= 40));
    reap(pid);
    read(r2[0], &c, 1);

    /* select. */
    fd_set rd, wr, ex;
    FD_ZERO(&rd); FD_ZERO(&wr); FD_ZERO(&ex);
    FD_SET(r2[0], &rd); FD_SET(r2[1], &wr); FD_SET(nul, &rd); FD_SET(r2[0], &ex);
    struct timeval tv = {0, 0};
    int n = select(r2[1] + 1 > nul + 1 ? r2[1] + 1 : nul + 1, &rd, &wr, &ex, &tv);
    say("select: %s, read pipe %s, read null %s, write pipe %s, except %s\n", rv(n),
        yes(FD_ISSET(r2[0], &rd)), yes(FD_ISSET(nul, &rd)), yes(FD_ISSET(r2[1], &wr)), yes(FD_ISSET(r2[0], &ex)));
    FD_ZERO(&rd);
    FD_SET(r2[0], &rd);
    tv.tv_sec = 0; tv.tv_usec = 70000;
    t0 = now();
    n = select(r2[0] + 1, &rd, NULL, NULL, &tv);
    say("select timeout 70 ms: %s, set cleared %s\n", rv(n), yes(!FD_ISSET(r2[0], &rd)));     /* musl's select does not update tv */
    say("it waited >= 70 ms: %s\n", yes(ms_since(t0) >= 70));
    /* A closed fd below the table's size: Linux ignores fds at or past its fd table's
     * max_fds (max_select_fd), which depends on how many fds the process ever had, so a
     * high number like 200 gives EBADF in one process and 0 in another. */
    int gone = dup(nul);
    close(gone);
    FD_ZERO(&rd);
    FD_SET(gone, &rd);
    tv.tv_sec = 0; tv.tv_usec = 0;
    say("select a closed fd: %s\n", rv(select(gone + 1, &rd, NULL, NULL, &tv)));
    tv.tv_usec = -1;
    say("select negative timeval: %s\n", rv(select(1, NULL, NULL, NULL, &tv)));
    tv.tv_sec = 0; tv.tv_usec = 1000001;                    /* the kernel carries microseconds into seconds */
    t0 = now();
    say("select 1.000001 s given as microseconds: %s\n", rv(syscall(SYS_select, 0, NULL, NULL, NULL, &tv)));
    say("it waited >= 1 s: %s, time left %ld us\n", yes(ms_since(t0) >= 1000), (long)(tv.tv_sec * 1000000 + tv.tv_usec));
    say("select nfds -1: %s\n", rv(select(-1, NULL, NULL, NULL, NULL)));
    pid = fork();
    if (pid == 0) { msleep(50); write(r2[1], "z", 1); _exit(0); }
    FD_ZERO(&rd);
    FD_SET(r2[0], &rd);
    t0 = now();
    ts.tv_sec = 10; ts.tv_nsec = 0;
    n = pselect(r2[0] + 1, &rd, NULL, NULL, &ts, &none);
    say("pselect blocked, woken by the child: %s, readable %s\n", rv(n), yes(FD_ISSET(r2[0], &rd)));
    say("it waited for the child: %s\n", yes(ms_since(t0) >= 40));
    reap(pid);
    say("done\n");
    return 0;
}

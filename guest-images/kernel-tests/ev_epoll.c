/*
 * epoll (issue 12): epoll_ctl ADD/MOD/DEL and its errors, level- and
 * edge-triggered readiness, EPOLLONESHOT, EPOLLHUP/EPOLLERR when the other
 * end of a pipe closes, data returned as given, an epoll set watching
 * another, timeouts that really wait, a blocked epoll_wait woken by another
 * process, epoll_pwait with a signal mask, close removing an interest.
 */
#include "ev_common.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>

/* One epoll_wait: "n: events@data ..." (the order is the kernel's). */
static const char *waitx(int ep, int max, int timeout) {
    static char b[4][256];
    static int k;
    char *p = b[k++ & 3];
    struct epoll_event ev[8];
    memset(ev, 0, sizeof ev);
    int n = epoll_wait(ep, ev, max, timeout);
    if (n < 0) { snprintf(p, 256, "%s", rv(n)); return p; }
    int o = snprintf(p, 256, "%d:", n);
    for (int i = 0; i < n && o < 240; i++) o += snprintf(p + o, 256 - o, " %#x@%llu", ev[i].events, (unsigned long long)ev[i].data.u64);
    return p;
}

static int ctl(int ep, int op, int fd, unsigned events, uint64_t data) {
    struct epoll_event e = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, op, fd, &e);
}

static void put(int fd, int n) { char b[64] = {0}; write(fd, b, n); }
static void take(int fd, int n) { char b[64]; read(fd, b, n); }

static void errors(void) {
    int ep = epoll_create1(0), p[2];
    pipe(p);
    int file = open("/ev_epoll_file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (file < 0) file = open("/tmp/ev_epoll_file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    say("epoll_create(0): %s\n", rv(syscall(SYS_epoll_create, 0)));      /* musl's wrapper ignores size */
    say("epoll_create1(bad flags): %s\n", rv(epoll_create1(1)));
    say("ADD: %s\n", rv(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1)));
    say("ADD again: %s\n", rv(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1)));
    say("MOD of one not added: %s\n", rv(ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLOUT, 2)));
    say("DEL of one not added: %s\n", rv(ctl(ep, EPOLL_CTL_DEL, p[1], 0, 0)));
    say("ADD a regular file: %s\n", rv(ctl(ep, EPOLL_CTL_ADD, file, EPOLLIN, 3)));
    say("ADD the set to itself: %s\n", rv(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 4)));
    say("ctl on a non-epoll fd: %s\n", rv(ctl(p[0], EPOLL_CTL_ADD, p[1], EPOLLOUT, 5)));
    say("ctl with a bad fd: %s\n", rv(ctl(ep, EPOLL_CTL_ADD, 999, EPOLLIN, 6)));
    say("ctl with a bad epfd: %s\n", rv(ctl(999, EPOLL_CTL_ADD, p[0], EPOLLIN, 6)));
    say("ctl with a bad op: %s\n", rv(ctl(ep, 7, p[1], EPOLLIN, 6)));
    say("ctl with a bad event pointer: %s\n", rv(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], (struct epoll_event *)8)));
    say("DEL with a NULL event: %s\n", rv(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL)));
    say("EPOLLEXCLUSIVE with MOD: %s\n", rv(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1) == 0 ? ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1) : -1));
    say("epoll_wait maxevents 0: %s\n", waitx(ep, 0, 0));
    say("epoll_wait on a pipe: %s\n", rv(epoll_wait(p[0], (struct epoll_event[1]){0}, 1, 0)));
    say("epoll_wait bad buffer: %s\n", rv(epoll_wait(ep, (struct epoll_event *)8, 1, 0)));
    int a = epoll_create1(0), b = epoll_create1(0);
    say("ADD set b to a: %s\n", rv(ctl(a, EPOLL_CTL_ADD, b, EPOLLIN, 7)));
    say("ADD set a to b (a loop): %s\n", rv(ctl(b, EPOLL_CTL_ADD, a, EPOLLIN, 8)));
    struct stat st;
    fstat(ep, &st);
    say("fstat mode %o\n", (unsigned)st.st_mode);
    say("read of an epoll fd: %s\n", rv(read(ep, &st, 8)));
    close(a); close(b); close(ep); close(p[0]); close(p[1]); close(file);
    unlink("/ev_epoll_file"); unlink("/tmp/ev_epoll_file");
}

static void triggers(void) {
    int ep = epoll_create1(EPOLL_CLOEXEC), p[2];
    pipe(p);
    say("EPOLL_CLOEXEC: %s\n", yes(fcntl(ep, F_GETFD) == FD_CLOEXEC));
    ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x1122334455667788ULL);
    say("LT empty: %s\n", waitx(ep, 8, 0));
    put(p[1], 10);
    say("LT after a write: %s\n", waitx(ep, 8, 0));
    say("LT again, unread: %s\n", waitx(ep, 8, 0));
    take(p[0], 10);
    say("LT drained: %s\n", waitx(ep, 8, 0));

    ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 2);
    say("ET empty: %s\n", waitx(ep, 8, 0));
    put(p[1], 5);
    say("ET after a write: %s\n", waitx(ep, 8, 0));
    say("ET again, unread: %s\n", waitx(ep, 8, 0));
    put(p[1], 5);
    say("ET after another write: %s\n", waitx(ep, 8, 0));
    take(p[0], 3);
    say("ET after a partial read: %s\n", waitx(ep, 8, 0));
    ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, 3);
    say("ET after MOD, still readable: %s\n", waitx(ep, 8, 0));
    take(p[0], 7);

    ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 4);
    put(p[1], 1);
    say("ONESHOT: %s\n", waitx(ep, 8, 0));
    say("ONESHOT again: %s\n", waitx(ep, 8, 0));
    put(p[1], 1);
    say("ONESHOT after another write: %s\n", waitx(ep, 8, 0));
    say("ONESHOT MOD of a fired interest: %s\n", rv(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 5)));
    say("after MOD: %s\n", waitx(ep, 8, 0));
    say("DEL: %s\n", rv(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0)));
    say("after DEL: %s\n", waitx(ep, 8, 0));
    take(p[0], 2);

    /* Two interests; maxevents 1 and 2. */
    int e1 = eventfd(0, 0), e2 = eventfd(0, 0);
    ctl(ep, EPOLL_CTL_ADD, e1, EPOLLIN | EPOLLOUT, 11);
    ctl(ep, EPOLL_CTL_ADD, e2, EPOLLIN, 12);
    uint64_t one = 1;
    write(e2, &one, 8);
    say("two interests: %s\n", waitx(ep, 8, 0));
    say("maxevents 1: %s\n", waitx(ep, 1, 0));

    /* The write end of a pipe, and HUP/ERR when the other end closes. */
    ctl(ep, EPOLL_CTL_DEL, e1, 0, 0);
    ctl(ep, EPOLL_CTL_DEL, e2, 0, 0);
    ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 21);
    say("write end: %s\n", waitx(ep, 8, 0));
    ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLRDHUP, 22);
    close(p[0]);                                  /* the last reference: the interest goes too */
    say("after the reader closed: %s\n", waitx(ep, 8, 0));
    int q[2];
    pipe(q);
    ctl(ep, EPOLL_CTL_DEL, p[1], 0, 0);
    ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN, 31);
    close(q[1]);
    say("after the writer closed: %s\n", waitx(ep, 8, 0));
    ctl(ep, EPOLL_CTL_MOD, q[0], 0, 32);
    say("events 0 still gets HUP: %s\n", waitx(ep, 8, 0));

    /* A dup keeps the description, so the interest stays after closing the fd it was added with. */
    int r[2];
    pipe(r);
    int d = dup(r[0]);
    ctl(ep, EPOLL_CTL_DEL, q[0], 0, 0);
    ctl(ep, EPOLL_CTL_ADD, r[0], EPOLLIN, 41);
    close(r[0]);
    put(r[1], 1);
    say("closed fd, description alive: %s\n", waitx(ep, 8, 0));
    say("DEL by the dup: %s\n", rv(ctl(ep, EPOLL_CTL_DEL, d, 0, 0)));

    /* An epoll set watching another. */
    int inner = epoll_create1(0);
    ctl(inner, EPOLL_CTL_ADD, d, EPOLLIN, 51);
    int outer = epoll_create1(0);
    say("ADD inner to outer: %s\n", rv(ctl(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 52)));
    say("outer, inner ready: %s\n", waitx(outer, 8, 0));
    take(d, 1);
    say("outer, inner empty: %s\n", waitx(outer, 8, 0));
    close(inner); close(outer); close(d); close(r[1]); close(q[0]); close(p[1]); close(e1); close(e2); close(ep);
}

static void blocking(void) {
    int ep = epoll_create1(0), p[2];
    pipe(p);
    ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 9);
    double t0 = now();
    say("timeout 100 ms: %s\n", waitx(ep, 8, 100));
    long ms = ms_since(t0);
    say("it waited >= 100 ms: %s\n", yes(ms >= 100));
    pid_t pid = fork();
    if (pid == 0) { msleep(60); put(p[1], 1); _exit(0); }
    t0 = now();
    say("blocked wait, woken by the child: %s\n", waitx(ep, 8, -1));
    say("it waited for the child: %s\n", yes(ms_since(t0) >= 50));
    reap(pid);
    take(p[0], 1);
    /* epoll_pwait's mask: a blocked SIGUSR1 from the child does not end the wait... */
    sigset_t usr1, none;
    sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    pid = fork();
    if (pid == 0) { msleep(30); kill(getppid(), SIGUSR1); msleep(30); put(p[1], 1); _exit(0); }
    struct epoll_event ev;
    int n = epoll_pwait(ep, &ev, 1, 5000, &usr1);
    say("epoll_pwait with SIGUSR1 blocked: %s data %llu\n", rv(n), (unsigned long long)ev.data.u64);
    reap(pid);
    take(p[0], 1);
    sigset_t pending;
    sigpending(&pending);
    say("SIGUSR1 pending after: %s\n", yes(sigismember(&pending, SIGUSR1)));      /* it stays blocked: its default action would end us */
    say("epoll_pwait bad sigsetsize: %s\n", rv(syscall(SYS_epoll_pwait, ep, &ev, 1, 0, &none, 4)));
    close(ep); close(p[0]); close(p[1]);
}

int main(void) {
    proc_setup();
    errors();
    triggers();
    blocking();
    say("done\n");
    return 0;
}

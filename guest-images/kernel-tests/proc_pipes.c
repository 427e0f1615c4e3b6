/*
 * Pipes between processes (issue 11): blocking readers and writers, more
 * data than the 64 KiB capacity, PIPE_BUF atomicity, EOF when the last
 * writer closes, SIGPIPE/EPIPE both ways, O_NONBLOCK, pipe2 flags, poll,
 * and a two-stage pipeline with dup2.
 */
#include "proc_common.h"
#include <poll.h>

static unsigned char pattern(long i) { return (unsigned char)(i * 7 + i / 4096); }

static void big_transfer(void) {
    int p[2], back[2];
    pipe(p); pipe(back);
    long total = 4 << 20;                            /* 64 x the capacity */
    pid_t pid = fork();
    if (pid == 0) {                                  /* reader: slow start, small reads */
        close(p[1]); close(back[0]);
        msleep(20);
        unsigned char buf[3000];
        long got = 0, bad = 0;
        for (;;) {
            ssize_t r = read(p[0], buf, sizeof buf);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            for (ssize_t i = 0; i < r; i++) bad += buf[i] != pattern(got + i);
            got += r;
        }
        long out[2] = {got, bad};
        write(back[1], out, sizeof out);
        _exit(0);
    }
    close(p[0]); close(back[1]);
    unsigned char *data = malloc(total);
    for (long i = 0; i < total; i++) data[i] = pattern(i);
    long put = write_full(p[1], data, total);        /* blocks while the pipe is full */
    close(p[1]);
    long out[2] = {0, 0};
    read_full(back[0], out, sizeof out);
    say("parent wrote %ld bytes in one write call sequence: %s\n", total, yes(put == total));
    say("child read %ld bytes, %ld wrong\n", out[0], out[1]);
    say("reader %s\n", status_text(reap(pid)));
    close(back[0]);
    free(data);

    /* The other way: the child writes 1 MiB, the parent reads. */
    pipe(p);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        unsigned char buf[65536 + 100];
        long sent = 0;
        while (sent < (1 << 20)) {
            for (long i = 0; i < (long)sizeof buf; i++) buf[i] = pattern(sent + i);
            long n = (1 << 20) - sent < (long)sizeof buf ? (1 << 20) - sent : (long)sizeof buf;
            if (write_full(p[1], buf, n) != n) _exit(1);
            sent += n;
        }
        _exit(0);
    }
    close(p[1]);
    long got = 0, bad = 0;
    unsigned char buf[5000];
    for (;;) {
        ssize_t r = read(p[0], buf, sizeof buf);
        if (r <= 0) break;
        for (ssize_t i = 0; i < r; i++) bad += buf[i] != pattern(got + i);
        got += r;
    }
    say("parent read %ld bytes from the child, %ld wrong, then EOF\n", got, bad);
    say("writer %s\n", status_text(reap(pid)));
    close(p[0]);
}

static void capacity(void) {
    int p[2];
    pipe(p);
    say("F_GETPIPE_SZ: %s\n", res(fcntl(p[0], F_GETPIPE_SZ)));
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    static char chunk[4096];        /* whole pages: Linux's page-granular pipe and a byte ring agree */
    long n = 0;
    for (;;) {
        ssize_t w = write(p[1], chunk, sizeof chunk);
        if (w < 0) break;
        n += w;
    }
    say("nonblocking fill: %ld bytes, then %s\n", n, ename(errno));
    char one[4096];
    read(p[0], one, 100);
    say("100 bytes read: write of 1000 (> free space, <= PIPE_BUF): %s\n", res(write(p[1], chunk, 1000)));
    read(p[0], one, 4096);
    say("after reading 4096 more: write of 1000: %s\n", res(write(p[1], chunk, 1000)));
    close(p[0]); close(p[1]);
    int q[2];
    say("pipe2(O_CLOEXEC|O_NONBLOCK): %s\n", res(pipe2(q, O_CLOEXEC | O_NONBLOCK)));
    say("cloexec on both: %s, nonblock on both: %s\n",
        yes((fcntl(q[0], F_GETFD) & FD_CLOEXEC) && (fcntl(q[1], F_GETFD) & FD_CLOEXEC)),
        yes((fcntl(q[0], F_GETFL) & O_NONBLOCK) && (fcntl(q[1], F_GETFL) & O_NONBLOCK)));
    char c;
    say("empty nonblocking read: %s\n", res(read(q[0], &c, 1)));
    say("pipe2 bad flags: %s\n", res(pipe2(p, 0x4000000)));
    close(q[0]); close(q[1]);
}

static void atomic_writes(void) {
    enum { WRITERS = 4, RECORDS = 64, SIZE = 4096 };   /* PIPE_BUF: no interleaving */
    int p[2];
    pipe(p);
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            close(p[0]);
            char rec[SIZE];
            memset(rec, 'A' + w, SIZE);
            for (int i = 0; i < RECORDS; i++) if (write(p[1], rec, SIZE) != SIZE) _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    int counts[WRITERS] = {0}, torn = 0;
    char rec[SIZE];
    while (read_full(p[0], rec, SIZE) == SIZE) {
        int k = rec[0] - 'A';
        for (int i = 1; i < SIZE; i++) if (rec[i] != rec[0]) { torn++; break; }
        if (k >= 0 && k < WRITERS) counts[k]++;
    }
    int all = 1;
    for (int w = 0; w < WRITERS; w++) { all &= counts[w] == RECORDS; reap(pids[w]); }
    say("%d writers x %d records of %d bytes: all arrived %s, torn %d\n", WRITERS, RECORDS, SIZE, yes(all), torn);
    close(p[0]);
}

static void eof_and_hangup(void) {
    int p[2], ctl[2];
    pipe(p); pipe(ctl);
    pid_t pid = fork();
    if (pid == 0) {                                 /* holds a write end until ctl closes */
        close(ctl[1]); close(p[0]);
        char c;
        read(ctl[0], &c, 1);
        _exit(0);
    }
    close(ctl[0]);
    close(p[1]);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    char c;
    say("read with another writer left: %s\n", res(read(p[0], &c, 1)));
    struct pollfd pf = {p[0], POLLIN, 0};
    say("poll with a writer left: %s\n", res(poll(&pf, 1, 0)));
    fcntl(p[0], F_SETFL, 0);
    close(ctl[1]);                                  /* the last writer goes */
    say("blocking read after the last writer closed: %s\n", res(read(p[0], &c, 1)));
    pf.revents = 0;
    int r = poll(&pf, 1, 1000);
    say("poll after: %s, POLLHUP %s\n", res(r), yes(pf.revents & POLLHUP));
    reap(pid);
    close(p[0]);

    /* A reader blocked in read wakes with EOF when the writer exits. */
    pipe(p);
    pid = fork();
    if (pid == 0) { close(p[0]); msleep(30); _exit(0); }
    close(p[1]);
    say("blocked read woken by the writer's exit: %s\n", res(read(p[0], &c, 1)));
    reap(pid);
    close(p[0]);
}

static void sigpipe(void) {
    /* The child writes, the parent has closed the read end: SIGPIPE kills it. */
    int p[2];
    pipe(p);
    close(p[0]);
    pid_t pid = fork();
    if (pid == 0) { write(p[1], "x", 1); _exit(0); }
    say("child writing to a pipe without readers: %s\n", status_text(reap(pid)));
    /* The same with SIGPIPE ignored: EPIPE. */
    pid = fork();
    if (pid == 0) { signal(SIGPIPE, SIG_IGN); _exit(write(p[1], "x", 1) < 0 && errno == EPIPE ? 32 : 1); }
    say("with SIGPIPE ignored: %s (32 = EPIPE)\n", status_text(reap(pid)));
    close(p[1]);
    /* The other way: the parent writes, the reading child exits after 10 bytes. */
    pipe(p);
    pid = fork();
    if (pid == 0) { char b[10]; close(p[1]); read_full(p[0], b, 10); _exit(0); }
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    static char chunk[8192];
    long sent = 0;
    ssize_t w;
    while ((w = write(p[1], chunk, sizeof chunk)) > 0) sent += w;   /* blocks until the reader is gone */
    say("parent's write after the reader exited: %s, sent more than 10: %s\n", res(w), yes(sent > 10));
    signal(SIGPIPE, SIG_DFL);
    reap(pid);
    close(p[1]);
    /* A blocked writer gets SIGPIPE when the last reader goes away. */
    pipe(p);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        for (;;) write(p[1], chunk, sizeof chunk);   /* fills, blocks, then dies */
    }
    close(p[1]);
    msleep(30);
    close(p[0]);
    say("blocked writer when the reader closes: %s\n", status_text(reap(pid)));
}

static void pipeline(void) {
    int p[2], out[2];
    pipe(p); pipe(out);
    pid_t producer = fork();
    if (producer == 0) {
        dup2(p[1], 1);
        close(p[0]); close(p[1]); close(out[0]); close(out[1]);
        for (int i = 0; i < 1000; i++) say("line %d\n", i);
        _exit(0);
    }
    pid_t consumer = fork();
    if (consumer == 0) {
        dup2(p[0], 0); dup2(out[1], 1);
        close(p[0]); close(p[1]); close(out[0]); close(out[1]);
        char buf[4096];
        long lines = 0, bytes = 0;
        ssize_t r;
        while ((r = read(0, buf, sizeof buf)) > 0) {
            bytes += r;
            for (ssize_t i = 0; i < r; i++) lines += buf[i] == '\n';
        }
        say("%ld %ld\n", lines, bytes);
        _exit(0);
    }
    close(p[0]); close(p[1]); close(out[1]);
    char buf[64] = {0};
    read_full(out[0], buf, sizeof buf - 1);
    close(out[0]);
    reap(producer);
    reap(consumer);
    say("pipeline: consumer counted lines and bytes: %s", buf);
}

int main(void) {
    proc_setup();
    big_transfer();
    capacity();
    atomic_writes();
    eof_and_hangup();
    sigpipe();
    pipeline();
    say("done\n");
    return 0;
}

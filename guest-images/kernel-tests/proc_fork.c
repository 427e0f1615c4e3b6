/*
 * fork, copy-on-write, vfork, many children, zombies, orphans, sessions
 * (issue 11). Differential: the same lines on the host and in the guest.
 */
#include "proc_common.h"
#include <sys/mman.h>

static int global = 1;

/* Large region: every 4 KiB page gets `seed + page`; the number of pages that do not match. */
static long fill(unsigned char *p, long n, int seed) {
    for (long i = 0; i < n; i += 4096) p[i] = (unsigned char)(seed + i / 4096);
    return 0;
}
static long mismatches(const unsigned char *p, long n, int seed) {
    long bad = 0;
    for (long i = 0; i < n; i += 4096) bad += p[i] != (unsigned char)(seed + i / 4096);
    return bad;
}

static void basics(void) {
    pid_t me = getpid();
    int fds[2];
    if (pipe(fds)) { say("pipe failed\n"); exit(1); }
    pid_t pid = fork();
    if (pid == 0) {
        pid_t mine = getpid();
        write(fds[1], &mine, sizeof mine);
        _exit(getppid() == me ? 10 : 11);
    }
    pid_t reported = 0;
    read_full(fds[0], &reported, sizeof reported);
    int st = reap(pid);
    say("fork returns child pid > 0 in parent: %s\n", yes(pid > 0));
    say("child pid differs from parent: %s\n", yes(pid != me));
    say("child's getpid equals fork's return: %s\n", yes(reported == pid));
    say("child's getppid is the parent: %s\n", yes(WIFEXITED(st) && WEXITSTATUS(st) == 10));
    say("child %s\n", status_text(st));
    close(fds[0]); close(fds[1]);
}

static void cow(void) {
    long small = 8 << 20;
    unsigned char *heap = malloc(small);
    fill(heap, small, 1);
    /* A 2 MiB-aligned region with MADV_HUGEPAGE: may be a 2 MiB page. */
    long huge = 4 << 20;
    unsigned char *raw = mmap(NULL, huge + (2 << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char *hp = (unsigned char *)(((uintptr_t)raw + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
    madvise(hp, huge, MADV_HUGEPAGE);
    fill(hp, huge, 2);
    volatile int on_stack = 5;
    unsigned char *shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared[0] = 1;
    int go[2], done[2];
    pipe(go); pipe(done);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = 1;
        ok &= mismatches(heap, small, 1) == 0 && mismatches(hp, huge, 2) == 0;   /* sees the parent's data */
        global = 2; on_stack = 6; shared[0] = 2;
        fill(heap, small, 3);
        fill(hp, huge, 4);
        hp[4096 * 3 + 7] = 99;                                        /* and a byte inside a page */
        ok &= mismatches(heap, small, 3) == 0 && mismatches(hp, huge, 4) == 0;
        char c = ok;
        write(done[1], &c, 1);
        /* The parent writes now; this copy must not change. */
        read_full(go[0], &c, 1);
        ok &= mismatches(heap, small, 3) == 0 && global == 2 && on_stack == 6 && hp[4096 * 3 + 7] == 99;
        _exit(ok ? 0 : 1);
    }
    char c = 0;
    read_full(done[0], &c, 1);
    say("child saw the parent's memory and its own writes: %s\n", yes(c == 1));
    say("parent's heap unchanged by child's writes: %s\n", yes(mismatches(heap, small, 1) == 0));
    say("parent's 2 MiB-aligned region unchanged: %s\n", yes(mismatches(hp, huge, 2) == 0 && hp[4096 * 3 + 7] == 0));
    say("parent's global and stack unchanged: %s\n", yes(global == 1 && on_stack == 5));
    say("MAP_SHARED region sees the child's write: %s\n", yes(shared[0] == 2));
    fill(heap, small, 5);
    global = 3;
    write(go[1], &c, 1);
    int st = reap(pid);
    say("child's copy unchanged by parent's later writes: %s\n", yes(WIFEXITED(st) && WEXITSTATUS(st) == 0));
    /* Fork again after the parent rewrote: the new child sees the new data. */
    pid = fork();
    if (pid == 0) _exit(mismatches(heap, small, 5) == 0 && global == 3 ? 0 : 1);
    st = reap(pid);
    say("second child sees the parent's new data: %s\n", yes(WIFEXITED(st) && WEXITSTATUS(st) == 0));
    free(heap);
    munmap(raw, huge + (2 << 20));
    munmap(shared, 8192);
    close(go[0]); close(go[1]); close(done[0]); close(done[1]);
}

/* MAP_SHARED|MAP_ANONYMOUS: one object for parent and children, pages
   first touched after the fork included; mprotect and munmap in one process
   leave the others' view alone; MADV_DONTNEED keeps the contents. */
static void shared_anonymous(void) {
    long n = 64 << 12;                                   /* 64 pages, none touched yet */
    unsigned char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[5 << 12] = 50;                                     /* one page touched before the fork */
    priv[0] = 1;
    mprotect(m + (60 << 12), 4 << 12, PROT_NONE);        /* a PROT_NONE stretch, restored in the child */
    int up[2], down[2];
    pipe(up); pipe(down);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        int ok = m[5 << 12] == 50 && m[7 << 12] == 0;
        fill(m, 32 << 12, 7);                            /* pages untouched by anyone so far */
        priv[0] = 2;
        mprotect(m + (60 << 12), 4 << 12, PROT_READ | PROT_WRITE);
        m[61 << 12] = 61;
        c = ok;
        write(up[1], &c, 1);
        read_full(down[0], &c, 1);                       /* the parent wrote pages 32.. */
        ok = mismatches(m + (32 << 12), 16 << 12, 9) == 0;
        mprotect(m, n, PROT_READ);                       /* read-only here; the parent still writes */
        c = ok;
        write(up[1], &c, 1);
        read_full(down[0], &c, 1);
        ok = m[48 << 12] == 48;
        munmap(m, 16 << 12);                             /* gone here, not in the parent */
        c = ok;
        write(up[1], &c, 1);
        read_full(down[0], &c, 1);
        /* A grandchild shares the same object. */
        pid_t g = fork();
        if (g == 0) { mprotect(m + (16 << 12), 48 << 12, PROT_READ | PROT_WRITE); m[20 << 12] = 20; _exit(m[49 << 12] == 49 ? 0 : 1); }
        int gst = reap(g);
        _exit(WIFEXITED(gst) && WEXITSTATUS(gst) == 0 ? 0 : 3);
    }
    char c = 0;
    read_full(up[0], &c, 1);
    say("shared: child saw the page written before fork: %s\n", yes(c == 1));
    say("shared: child's writes to pages untouched before fork seen: %s\n", yes(mismatches(m, 32 << 12, 7) == 0));
    say("shared: page made accessible in the child, still PROT_NONE here; contents: %d\n",
        (mprotect(m + (60 << 12), 4 << 12, PROT_READ), m[61 << 12]));
    say("shared: private page unchanged by the child: %s\n", yes(priv[0] == 1));
    fill(m + (32 << 12), 16 << 12, 9);
    write(down[1], &c, 1);
    read_full(up[0], &c, 1);
    say("shared: parent's later writes seen by the child: %s\n", yes(c == 1));
    m[48 << 12] = 48;                                    /* writable here though read-only in the child */
    write(down[1], &c, 1);
    read_full(up[0], &c, 1);
    say("shared: write after the child's mprotect(PROT_READ) seen: %s\n", yes(c == 1));
    m[49 << 12] = 49;
    say("shared: child's munmap leaves the parent's pages: %s\n", yes(m[0] == 7 && m[15 << 12] == 7 + 15));
    write(down[1], &c, 1);
    int st = reap(pid);
    say("shared: grandchild's write seen by the grandparent: %s (child %s)\n", yes(m[20 << 12] == 20), status_text(st));
    madvise(m, n, MADV_DONTNEED);
    say("shared: MADV_DONTNEED keeps the contents: %s\n", yes(m[20 << 12] == 20 && m[5 << 12] == 7 + 5));
    munmap(m, n);
    munmap(priv, 4096);
    close(up[0]); close(up[1]); close(down[0]); close(down[1]);
}

static void shared_descriptors(void) {
    mkdir("/tmp", 0777);
    int fd = open("/tmp/proc_fork_offset", O_RDWR | O_CREAT | O_TRUNC, 0644);
    pid_t pid = fork();
    if (pid == 0) { write(fd, "abcdef", 6); _exit(0); }
    reap(pid);
    say("file offset shared with the child: %s\n", res(lseek(fd, 0, SEEK_CUR)));
    write(fd, "gh", 2);
    char buf[16] = {0};
    pread(fd, buf, sizeof buf - 1, 0);
    say("file contents: %s\n", buf);
    close(fd);
    unlink("/tmp/proc_fork_offset");
}

static void vfork_test(void) {
    volatile int touched = 0;
    pid_t pid = vfork();
    if (pid == 0) { touched = 1; _exit(7); }
    /* The parent resumes only after the child's _exit; vfork shares memory. */
    say("vfork child's write seen by the parent: %s\n", yes(touched == 1));
    say("vfork child %s\n", status_text(reap(pid)));
}

static void many_children(void) {
    enum { N = 50 };
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = fork();
        if (pids[i] == 0) _exit(i);
        if (pids[i] < 0) { say("fork %d failed: %s\n", i, ename(errno)); exit(1); }
    }
    int distinct = 1;
    for (int i = 0; i < N; i++) for (int j = 0; j < i; j++) distinct &= pids[i] != pids[j];
    int ok = 1;
    for (int i = N - 1; i >= 0; i--) {          /* reaped in reverse order of creation */
        int st = reap(pids[i]);
        ok &= WIFEXITED(st) && WEXITSTATUS(st) == i;
    }
    say("%d children: distinct pids %s, each exit status right %s\n", N, yes(distinct), yes(ok));
    errno = 0;
    say("wait with no children left: %s\n", res(wait(NULL)));
    /* Any order: wait(-1) collects them all. */
    for (int i = 0; i < N; i++) if (fork() == 0) _exit(1);
    int got = 0, sum = 0, st;
    while (wait(&st) > 0) { got++; sum += WEXITSTATUS(st); }
    say("wait(-1) collected %d children, statuses sum %d, then %s\n", got, sum, ename(errno));
}

static void zombies(void) {
    int fds[2];
    pipe(fds);
    pid_t pid = fork();
    if (pid == 0) { char c; close(fds[1]); read(fds[0], &c, 1); _exit(3); }
    close(fds[0]);
    int st;
    say("WNOHANG on a running child: %s\n", res(waitpid(pid, &st, WNOHANG)));
    close(fds[1]);                                   /* the child reads EOF and exits */
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);      /* a zombie now, still waitable */
    say("zombie still exists (kill 0): %s\n", res(kill(pid, 0)));
    say("waitid WNOWAIT code %d status %d\n", si.si_code, si.si_status);
    say("reaped: %s\n", status_text(reap(pid)));
    say("after reaping (kill 0): %s\n", res(kill(pid, 0)));
    say("waitpid on a non-child: %s\n", res(waitpid(getpid(), &st, WNOHANG)));
}

static void orphans(void) {
    /* On the host we become the subreaper (the guest's program is init,
       which orphans go to anyway): the orphan's new parent is us. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t top = getpid();
    int fds[2];
    pipe(fds);
    pid_t mid = fork();
    if (mid == 0) {
        pid_t me = getpid();
        pid_t g = fork();
        if (g == 0) {
            while (getppid() == me) sched_yield();      /* until the middle process is gone */
            char c = getppid() == top || getppid() == 1;
            write(fds[1], &c, 1);
            _exit(4);
        }
        _exit(5);
    }
    close(fds[1]);
    int st = reap(mid);
    char c = 0;
    read_full(fds[0], &c, 1);
    say("middle process %s\n", status_text(st));
    say("orphan re-parented: %s\n", yes(c == 1));
    int gst;
    pid_t g = wait(&gst);
    say("orphan reaped by us: %s, %s\n", yes(g > 0), g > 0 ? status_text(gst) : ename(errno));
    close(fds[0]);
}

static void sessions(void) {
    pid_t pid = fork();
    if (pid == 0) {
        pid_t me = getpid();
        pid_t sid = setsid();
        int ok = sid == me && getsid(0) == me && getpgrp() == me && getpgid(0) == me;
        _exit(ok ? 0 : 1);
    }
    int st = reap(pid);
    say("setsid in a child: own session and group: %s\n", yes(WIFEXITED(st) && WEXITSTATUS(st) == 0));
    pid = fork();
    if (pid == 0) { pause(); _exit(0); }
    int r = setpgid(pid, pid);
    say("setpgid(child, child): %s, getpgid(child) is child: %s\n", res(r), yes(getpgid(pid) == pid));
    kill(pid, SIGKILL);
    say("killed child %s\n", status_text(reap(pid)));
}

int main(void) {
    proc_setup();
    basics();
    cow();
    shared_anonymous();
    shared_descriptors();
    vfork_test();
    many_children();
    zombies();
    orphans();
    sessions();
    say("done\n");
    return 0;
}

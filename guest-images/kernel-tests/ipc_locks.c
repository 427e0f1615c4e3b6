/*
 * Record locks (fcntl F_SETLK/F_SETLKW/F_GETLK, F_OFD_*) and flock between
 * processes (issue 12): conflicts, splitting and merging, to-EOF and
 * negative lengths, SEEK_CUR/SEEK_END, release on close of any descriptor
 * and on exit, blocking waits, EDEADLK, OFD and flock ownership by open file
 * description, flock conversion. F_GETLK answers are printed without pids
 * (only whether the pid is the expected one).
 */
#include "ipc_common.h"
#include <sys/file.h>

static char path[64];
static pid_t parent_pid;

static int lk(int fd, int cmd, short type, short whence, off_t start, off_t len) {
    struct flock l = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &l);
}

static const char *tname(int t) { return t == F_RDLCK ? "RD" : t == F_WRLCK ? "WR" : t == F_UNLCK ? "UN" : "?"; }

/* F_GETLK (or F_OFD_GETLK) of [start, start+len): what it reports. */
static const char *probe(int fd, int cmd, short type, off_t start, off_t len, pid_t owner) {
    static char b[4][96];
    static int i;
    char *p = b[i++ & 3];
    struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    if (fcntl(fd, cmd, &l) != 0) { snprintf(p, 96, "%s", r(-1)); return p; }
    if (l.l_type == F_UNLCK) snprintf(p, 96, "UN");
    else snprintf(p, 96, "%s start %lld len %lld pid %s", tname(l.l_type), (long long)l.l_start, (long long)l.l_len,
                  l.l_pid == owner ? "owner" : l.l_pid == -1 ? "-1" : "other");
    return p;
}

/* Runs fn in a child and waits for it (its lines come before the parent's next ones). */
/* A child that says it is ready, then blocks in lk(fd, cmd, WR start..len)
   and reports what it got (what: the line's name); returned once it has
   had 50 ms to block there. */
static pid_t blocked_child(int fd, int cmd, off_t start, off_t len, const char *what) {
    int ready[2];
    pipe(ready);
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        write(ready[1], "x", 1);
        int rc = lk(fd, cmd, F_WRLCK, SEEK_SET, start, len);
        say("child: %s: %s\n", what, r(rc));
        _exit(0);
    }
    close(ready[1]);
    char c;
    read(ready[0], &c, 1);
    close(ready[0]);
    msleep(50);
    return pid;
}

static void in_child(void (*fn)(int), int fd) {
    pid_t pid = fork();
    if (pid == 0) { fn(fd); _exit(0); }
    int st = reap(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) say("child %s\n", status_text(st));
}

static void child_view_basic(int fd) {
    say("child: F_GETLK WR at 10: %s\n", probe(fd, F_GETLK, F_WRLCK, 10, 1, parent_pid));
    say("child: F_SETLK WR at 0: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    say("child: F_SETLK RD at 100..199: %s\n", r(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 100, 100)));
    say("child: F_GETLK RD at 99: %s\n", probe(fd, F_GETLK, F_RDLCK, 99, 1, parent_pid));
}

static void child_view_split(int fd) {
    say("child: at 50: %s\n", probe(fd, F_GETLK, F_WRLCK, 50, 1, parent_pid));
    say("child: at 39..40: %s\n", probe(fd, F_GETLK, F_WRLCK, 39, 2, parent_pid));
    say("child: at 59..60: %s\n", probe(fd, F_GETLK, F_WRLCK, 59, 2, parent_pid));
    say("child: WR at 45 (parent holds RD 40..59): %s\n", probe(fd, F_GETLK, F_WRLCK, 45, 1, parent_pid));
    say("child: RD at 45: %s\n", probe(fd, F_GETLK, F_RDLCK, 45, 1, parent_pid));
}

static void child_view_merged(int fd) {
    say("child: at 50 after WR 40..59: %s\n", probe(fd, F_GETLK, F_WRLCK, 50, 1, parent_pid));
}

static void child_view_shared(int fd) {
    say("child: F_SETLK RD 0..99 over the parent's RD: %s\n", r(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 100)));
    say("child: F_SETLK WR 0..99: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100)));
}

static void child_view_ranges(int fd) {
    say("child: at 1<<40 (parent WR from 1000, len 0): %s\n", probe(fd, F_GETLK, F_WRLCK, 1LL << 40, 1, parent_pid));
    say("child: at 150..199 (parent start 200 len -50): %s\n", probe(fd, F_GETLK, F_WRLCK, 150, 50, parent_pid));
    say("child: at 140..149: %s\n", probe(fd, F_GETLK, F_WRLCK, 140, 10, parent_pid));
    say("child: at 10..20 (SEEK_CUR 10 + 5, len 5): %s\n", probe(fd, F_GETLK, F_WRLCK, 10, 11, parent_pid));
    say("child: at 280..299 (SEEK_END -10, len 10): %s\n", probe(fd, F_GETLK, F_WRLCK, 280, 20, parent_pid));
}

static void child_view_free(int fd) {
    say("child: whole file: %s\n", probe(fd, F_GETLK, F_WRLCK, 0, 0, parent_pid));
}

static void posix_locks(void) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char zeros[300] = {0};
    write(fd, zeros, sizeof zeros);
    say("F_SETLK WR 0..99: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100)));
    say("own F_GETLK WR at 10: %s\n", probe(fd, F_GETLK, F_WRLCK, 10, 1, parent_pid));
    in_child(child_view_basic, fd);

    say("unlock 40..59: %s\n", r(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20)));
    say("RD 40..59: %s\n", r(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 40, 20)));
    in_child(child_view_split, fd);
    say("WR 40..59: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 20)));
    in_child(child_view_merged, fd);
    say("RD 0..99 over WR: %s\n", r(lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 100)));
    in_child(child_view_shared, fd);
    say("unlock all: %s\n", r(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0)));

    say("WR from 1000 len 0: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1000, 0)));
    say("WR start 200 len -50: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 200, -50)));
    lseek(fd, 10, SEEK_SET);
    say("WR SEEK_CUR +5 len 5: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 5, 5)));
    say("WR SEEK_END -10 len 10: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 10)));
    in_child(child_view_ranges, fd);

    /* Closing any descriptor of the file releases the process's locks. */
    int other = open(path, O_RDONLY);
    close(other);
    say("after closing another descriptor of the file:\n");
    in_child(child_view_free, fd);

    /* Errors. */
    int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY);
    say("bad whence: %s\n", r(lk(fd, F_SETLK, F_WRLCK, 7, 0, 1)));
    say("bad type: %s\n", r(lk(fd, F_SETLK, 9, SEEK_SET, 0, 1)));
    say("negative start: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, -5, 1)));
    say("len reaching below 0: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -6)));
    say("F_GETLK of F_UNLCK: %s\n", r(lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1)));
    say("WR on O_RDONLY: %s\n", r(lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    say("RD on O_WRONLY: %s\n", r(lk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1)));
    say("F_GETLK WR on O_RDONLY: %s\n", probe(ro, F_GETLK, F_WRLCK, 0, 1, parent_pid));
    say("unlock on O_RDONLY: %s\n", r(lk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 1)));
    say("start + len overflow: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0x7fffffffffffffffLL, 2)));
    say("SEEK_END overflow: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_END, 0x7fffffffffffffffLL, 1)));
    say("bad pointer: %s\n", r(fcntl(fd, F_SETLK, (void *)8)));
    say("F_GETLK bad pointer: %s\n", r(fcntl(fd, F_GETLK, (void *)8)));
    struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1, .l_pid = 5 };
    say("F_OFD_SETLK with l_pid 5: %s\n", r(fcntl(fd, F_OFD_SETLK, &l)));
    say("F_OFD_GETLK with l_pid 5: %s\n", r(fcntl(fd, F_OFD_GETLK, &l)));
    l.l_pid = 5;
    say("F_SETLK with l_pid 5 (ignored): %s\n", r(fcntl(fd, F_SETLK, &l)));
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    say("bad fd: %s\n", r(lk(99, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    close(ro); close(wo); close(fd);
}

/* Locks go when their process exits, and F_SETLKW waits for them. */
static void exit_and_wait(void) {
    int fd = open(path, O_RDWR);
    int go[2];
    pipe(go);
    pid_t pid = fork();
    if (pid == 0) {
        close(go[0]);
        lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
        write(go[1], "x", 1);
        _exit(0);
    }
    close(go[1]);
    char c;
    read(go[0], &c, 1);
    say("child %s\n", status_text(reap(pid)));
    say("after the child's exit: %s\n", probe(fd, F_GETLK, F_WRLCK, 0, 10, pid));
    close(go[0]);

    /* F_SETLKW: the child waits until the parent unlocks. */
    lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    pid = blocked_child(fd, F_SETLKW, 5, 1, "F_SETLKW after the parent's unlock");
    say("parent unlocks\n");
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 10);
    say("waiter %s\n", status_text(reap(pid)));

    /* A waiter killed by SIGKILL: its own lock is released. */
    lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    int ready[2];
    pipe(ready);
    pid = fork();
    if (pid == 0) {
        close(ready[0]);
        lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 20, 10);
        write(ready[1], "x", 1);
        lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 10);
        _exit(3);
    }
    close(ready[1]);
    read(ready[0], &c, 1);
    say("waiter's own lock: %s\n", probe(fd, F_GETLK, F_WRLCK, 20, 1, pid));
    kill(pid, SIGKILL);
    say("waiter %s\n", status_text(reap(pid)));
    say("its lock after: %s\n", probe(fd, F_GETLK, F_WRLCK, 20, 1, pid));
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    close(ready[0]);
    close(fd);
}

/* Two processes each holding a byte and waiting for the other's: exactly
   one of them gets EDEADLK (which one depends on scheduling), the other
   gets the byte once the first gives up. */
static void deadlock(void) {
    int fd = open(path, O_RDWR);
    int rep[2], go[2];
    pipe(rep); pipe(go);
    lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
    pid_t pid = fork();
    if (pid == 0) {
        close(rep[0]); close(go[1]);
        lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
        write(rep[1], "x", 1);
        char c;
        read(go[0], &c, 1);
        msleep(30);
        int rc = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
        int e = rc < 0 ? errno : 0;
        if (rc < 0) lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 1, 1);
        write(rep[1], &e, sizeof e);
        _exit(0);
    }
    close(rep[1]); close(go[0]);
    char c;
    read(rep[0], &c, 1);
    write(go[1], "x", 1);
    int rc = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
    int mine = rc < 0 ? errno : 0;
    if (rc < 0) lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
    int theirs = -1;
    read_full(rep[0], &theirs, sizeof theirs);
    reap(pid);
    say("deadlock: EDEADLK for exactly one: %s, the other got the lock: %s\n",
        yes((mine == EDEADLK) != (theirs == EDEADLK)), yes(mine == 0 || theirs == 0));
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    close(rep[0]); close(go[1]); close(fd);
}

static void ofd_locks(void) {
    int a = open(path, O_RDWR), b = open(path, O_RDWR);
    say("OFD WR 0..9 via a: %s\n", r(lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10)));
    say("OFD WR 0..9 via b (same process): %s\n", r(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10)));
    say("OFD GETLK via b: %s\n", probe(b, F_OFD_GETLK, F_WRLCK, 5, 1, parent_pid));
    say("OFD GETLK via a: %s\n", probe(a, F_OFD_GETLK, F_WRLCK, 5, 1, parent_pid));
    say("POSIX F_SETLK via a (same process): %s\n", r(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    say("POSIX F_GETLK via a: %s\n", probe(a, F_GETLK, F_WRLCK, 0, 1, parent_pid));
    int d = dup(a);
    close(d);
    say("after closing a dup of a: via b: %s\n", r(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10)));
    pid_t pid = fork();
    if (pid == 0) {
        say("child: OFD RD 0..9 via the inherited a (same owner): %s\n", r(lk(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 10)));
        _exit(0);
    }
    reap(pid);
    say("b RD after the child converted a's lock to RD: %s\n", r(lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 10)));
    say("b WR: %s\n", r(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10)));
    close(a);
    say("b WR after closing a: %s\n", r(lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10)));
    /* OFD F_OFD_SETLKW across processes on two descriptions. */
    int c2 = open(path, O_RDWR);
    pid = blocked_child(c2, F_OFD_SETLKW, 0, 10, "F_OFD_SETLKW after b's unlock");
    say("b unlocks\n");
    lk(b, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 10);
    reap(pid);
    say("c2's lock outlives the child (its description is still open here): %s\n", probe(b, F_OFD_GETLK, F_WRLCK, 0, 1, parent_pid));
    close(c2);
    say("after closing c2: %s\n", probe(b, F_OFD_GETLK, F_WRLCK, 0, 1, parent_pid));
    close(b);
}

static void flocks(void) {
    int a = open(path, O_RDWR), b = open(path, O_RDONLY);
    say("flock a EX: %s\n", r(flock(a, LOCK_EX)));
    say("flock a EX again: %s\n", r(flock(a, LOCK_EX)));
    say("flock b EX|NB: %s\n", r(flock(b, LOCK_EX | LOCK_NB)));
    say("flock b SH|NB: %s\n", r(flock(b, LOCK_SH | LOCK_NB)));
    say("fcntl WR via a while a holds flock EX: %s\n", r(lk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    lk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    say("flock a SH (converted): %s\n", r(flock(a, LOCK_SH)));
    say("flock b SH|NB: %s\n", r(flock(b, LOCK_SH | LOCK_NB)));
    /* A failed conversion has already dropped the old lock (Linux). */
    say("flock b EX|NB: %s\n", r(flock(b, LOCK_EX | LOCK_NB)));
    say("flock a EX|NB (b's SH went with its failed conversion): %s\n", r(flock(a, LOCK_EX | LOCK_NB)));
    say("flock b SH|NB: %s\n", r(flock(b, LOCK_SH | LOCK_NB)));
    say("flock b UN: %s\n", r(flock(b, LOCK_UN)));
    say("flock b UN again: %s\n", r(flock(b, LOCK_UN)));
    /* A dup shares the lock; the last close releases it. */
    flock(a, LOCK_EX);
    int d = dup(a);
    say("flock UN via a dup: %s\n", r(flock(d, LOCK_UN)));
    say("then b EX|NB: %s\n", r(flock(b, LOCK_EX | LOCK_NB)));
    flock(b, LOCK_UN);
    flock(a, LOCK_EX);
    close(a);
    say("a closed, dup open: b EX|NB: %s\n", r(flock(b, LOCK_EX | LOCK_NB)));
    close(d);
    say("dup closed too: b EX|NB: %s\n", r(flock(b, LOCK_EX | LOCK_NB)));
    flock(b, LOCK_UN);
    /* A child shares the description; the lock outlives the parent's close. */
    a = open(path, O_RDWR);
    flock(a, LOCK_EX);
    int ready[2], go[2];
    pipe(ready); pipe(go);
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]); close(go[1]);
        say("child: flock EX on the inherited description: %s\n", r(flock(a, LOCK_EX | LOCK_NB)));
        write(ready[1], "x", 1);
        char c;
        read(go[0], &c, 1);
        _exit(0);
    }
    close(ready[1]); close(go[0]);
    char c;
    read(ready[0], &c, 1);
    close(a);
    say("parent closed its a, child holds it: b EX|NB: %s\n", r(flock(b, LOCK_EX | LOCK_NB)));
    close(go[1]);
    reap(pid);
    say("child exited: b EX|NB: %s\n", r(flock(b, LOCK_EX | LOCK_NB)));
    /* Blocking flock: a child waits for b's lock. */
    pipe(ready);
    pid = fork();
    if (pid == 0) {
        close(ready[0]);
        int e = open(path, O_RDONLY);
        write(ready[1], "x", 1);
        say("child: flock SH after b's unlock: %s\n", r(flock(e, LOCK_SH)));
        _exit(0);
    }
    close(ready[1]);
    read(ready[0], &c, 1);
    msleep(30);
    say("b unlocks\n");
    flock(b, LOCK_UN);
    reap(pid);
    close(ready[0]);
    say("flock bad op 0: %s\n", r(flock(b, 0)));
    say("flock SH|EX: %s\n", r(flock(b, LOCK_SH | LOCK_EX)));
    say("flock bad fd: %s\n", r(flock(99, LOCK_EX)));
    say("flock bad fd, bad op: %s\n", r(flock(99, 0)));
    say("flock LOCK_MAND: %s\n", r(flock(b, 32 | 64)));
    close(b);
}

/* `ipc_locks table`: disjoint one-byte locks until one fails (the guest's
   table holds 512; Linux has no such limit), then all unlocked. */
static void fill_table(long max) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    long n = 0;
    int rc = 0;
    while (n < max && (rc = lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 2 * n, 1)) == 0) n++;
    say("locked %ld ranges, then %s\n", n, r(rc));
    say("a range that merges with one held: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1)));
    say("unlock all: %s\n", r(lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0)));
    say("then a lock: %s\n", r(lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1)));
    close(fd);
}

int main(int argc, char **argv) {
    proc_setup();
    parent_pid = getpid();
    snprintf(path, sizeof path, "/tmp/ipc_locks.%d", (int)getpid());
    if (argc > 1 && strcmp(argv[1], "table") == 0) { fill_table(argc > 2 ? atol(argv[2]) : 4096); unlink(path); return 0; }
    posix_locks();
    exit_and_wait();
    deadlock();
    ofd_locks();
    flocks();
    unlink(path);
    say("done\n");
    return 0;
}

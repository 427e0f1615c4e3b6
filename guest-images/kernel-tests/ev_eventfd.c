/*
 * eventfd (issue 12): the counter and EFD_SEMAPHORE, EFD_NONBLOCK and
 * EFD_CLOEXEC, the 8-byte rules, blocking read at 0 and write at overflow
 * (woken by another process), poll readiness, fstat.
 */
#include "ev_common.h"
#include <poll.h>
#include <sys/eventfd.h>

static uint64_t v;

static const char *rd(int fd) { v = 0; long r = read(fd, &v, 8); static char b[4][80]; static int i; char *p = b[i++ & 3];
    if (r < 0) snprintf(p, 80, "%s", rv(r)); else snprintf(p, 80, "%ld value %llu", r, (unsigned long long)v); return p; }
static const char *wr(int fd, uint64_t x) { return rv(write(fd, &x, 8)); }
static int revents(int fd, short events) { struct pollfd p = {fd, events, 0}; poll(&p, 1, 0); return p.revents; }

int main(void) {
    proc_setup();
    int fd = eventfd(5, EFD_NONBLOCK);
    say("eventfd(5, EFD_NONBLOCK): %s\n", fd >= 0 ? "ok" : rv(fd));
    say("read: %s\n", rd(fd));
    say("read at 0 with O_NONBLOCK: %s\n", rd(fd));
    say("write 3: %s\n", wr(fd, 3));
    say("write 4: %s\n", wr(fd, 4));
    say("read: %s\n", rd(fd));
    char small[4];
    say("read of 4 bytes: %s\n", rv(read(fd, small, 4)));
    say("write of 4 bytes: %s\n", rv(write(fd, small, 4)));
    char big[16] = {0};
    uint64_t one = 1;
    memcpy(big, &one, 8);
    say("write of 16 bytes: %s\n", rv(write(fd, big, 16)));
    say("write of 8 bytes: %s\n", rv(write(fd, big, 8)));
    say("read of 16 bytes: %s\n", rv(read(fd, big, 16)));
    say("write 0xffffffffffffffff: %s\n", wr(fd, ~0ULL));
    say("write 0: %s\n", wr(fd, 0));
    say("write 0xfffffffffffffffe: %s\n", wr(fd, ~0ULL - 1));
    say("write 1 more (full): %s\n", wr(fd, 1));
    say("revents when full: %#x\n", revents(fd, POLLIN | POLLOUT));
    say("read: %s\n", rd(fd));
    say("revents when empty: %#x\n", revents(fd, POLLIN | POLLOUT));
    void *volatile bad = (void *)8;
    say("bad buffer read at 0: %s\n", rv(read(fd, bad, 8)));
    wr(fd, 2);
    say("bad buffer write: %s\n", rv(write(fd, bad, 8)));
    say("bad buffer read: %s\n", rv(read(fd, bad, 8)));
    close(fd);

    int s = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    for (int i = 0; i < 4; i++) say("semaphore read %d: %s\n", i, rd(s));
    close(s);

    say("eventfd bad flags: %s\n", rv(eventfd(0, 0x10)));
    int c = eventfd(0, EFD_CLOEXEC);
    say("EFD_CLOEXEC sets FD_CLOEXEC: %s\n", yes(fcntl(c, F_GETFD) == FD_CLOEXEC));
    say("O_NONBLOCK without EFD_NONBLOCK: %s\n", yes((fcntl(c, F_GETFL) & O_NONBLOCK) != 0));
    say("O_RDWR: %s\n", yes((fcntl(c, F_GETFL) & O_ACCMODE) == O_RDWR));
    struct stat st;
    fstat(c, &st);
    say("fstat mode %o, size %lld\n", (unsigned)st.st_mode, (long long)st.st_size);
    say("lseek: %s\n", rv(lseek(c, 0, SEEK_SET)));
    char pb[8];
    say("pread: %s\n", rv(pread(c, pb, 8, 0)));

    /* A blocking read at 0 is woken by another process's write. */
    pid_t pid = fork();
    if (pid == 0) { msleep(50); wr(c, 7); _exit(0); }
    double t0 = now();
    say("blocking read: %s\n", rd(c));
    say("it waited for the child: %s\n", yes(ms_since(t0) >= 40));
    reap(pid);

    /* A blocking write at overflow is woken by another process's read. */
    int f = eventfd(0, 0);
    wr(f, ~0ULL - 1);
    pid = fork();
    if (pid == 0) { msleep(50); rd(f); _exit(0); }
    t0 = now();
    say("blocking write: %s\n", wr(f, 1));
    say("it waited for the child: %s\n", yes(ms_since(t0) >= 40));
    reap(pid);
    say("read after: %s\n", rd(f));
    say("done\n");
    return 0;
}

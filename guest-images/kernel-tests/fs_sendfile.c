/*
 * sendfile(2) and statfs(2)/fstatfs(2) (issue 13): file to pipe, file, socket
 * and /dev/null, with and without an offset, the offsets after, EOF, count 0,
 * a pipe's capacity, bad descriptors, O_APPEND, bad offset pointers; statfs
 * fields that are the same on the host and in the guest (f_type of /proc,
 * /dev, pipes, sockets; f_bsize, f_namelen; never block counts) and errors.
 * Its files live in a fresh directory under /tmp, removed at the end.
 */
#include "ev_common.h"
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/time.h>

#define SIZE 100000
#define ST_VALID_FLAG 0x20          /* statfs(2): f_flags is valid (Linux 2.6.36+) */
static unsigned char pattern[SIZE], got[SIZE];
static char dir[64], src[96], dst[96];

static unsigned char at(long i) { return (unsigned char)(i * 7 + 3); }

/* Reads n bytes from fd and says whether they are pattern[from, from + n). */
static const char *matches(int fd, long from, long n) {
    long k = 0;
    while (k < n) { long r = read(fd, got + k, n - k); if (r <= 0) break; k += r; }
    if (k != n) return "short";
    for (long i = 0; i < n; i++) if (got[i] != at(from + i)) return "differs";
    return "same";
}

static volatile int alarms;
static void on_alarm(int s) { (void)s; alarms++; }

static long sf(int out, int in, off_t *off, size_t n) { return sendfile(out, in, off, n); }
static long here(int fd) { return (long)lseek(fd, 0, SEEK_CUR); }

static void sendfile_tests(void) {
    long r;
    int in = open(src, O_RDONLY);
    int p[2];
    pipe(p);
    say("file to pipe, 3000: %s\n", rv(sf(p[1], in, NULL, 3000)));
    say("in offset after: %ld\n", here(in));
    say("pipe holds the file's first bytes: %s\n", matches(p[0], 0, 3000));
    off_t off = 100;
    say("with offset 100, 500: %s\n", rv(sf(p[1], in, &off, 500)));
    say("offset after: %lld, in offset still: %ld\n", (long long)off, here(in));
    say("pipe holds bytes 100..600: %s\n", matches(p[0], 100, 500));
    off = SIZE - 1000;
    r = sf(p[1], in, &off, 5000);
    say("past EOF from size-1000, 5000: %s, offset %lld\n", rv(r), (long long)(off - SIZE));
    say("pipe holds the tail: %s\n", matches(p[0], SIZE - 1000, 1000));
    say("at EOF: %s\n", rv(sf(p[1], in, &off, 10)));
    off = (off_t)1 << 40;
    say("offset 2^40: %s\n", rv(sf(p[1], in, &off, 10)));
    r = sf(p[1], in, NULL, 0);
    say("count 0: %s, in offset %ld\n", rv(r), here(in));
    off = -1;
    say("negative offset: %s\n", rv(sf(p[1], in, &off, 10)));
    say("count SIZE_MAX: %s\n", rv(sf(p[1], in, NULL, (size_t)-1)));
    say("bad offset pointer: %s\n", rv(sf(p[1], in, (off_t *)8, 10)));
    say("bad offset pointer, bad fds: %s\n", rv(sf(-1, -1, (off_t *)8, 10)));
    /* A read-only offset: read in, the bytes sent, the write-back fails. */
    off_t *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *ro = 0;
    mprotect(ro, 4096, PROT_READ);
    say("read-only offset: %s\n", rv(sf(p[1], in, ro, 10)));
    int queued = -1;
    ioctl(p[0], FIONREAD, &queued);
    say("  bytes in the pipe after it: %d, offset still %lld\n", queued, (long long)*ro);
    matches(p[0], 0, queued > 0 ? queued : 0);
    munmap(ro, 4096);

    /* A pipe takes what fits (64 KiB), then EAGAIN when nonblocking. */
    lseek(in, 0, SEEK_SET);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    r = sf(p[1], in, NULL, SIZE);
    say("whole file to an empty pipe: %s, in offset %ld\n", rv(r), here(in));
    r = sf(p[1], in, NULL, 10);
    say("full nonblocking pipe: %s, in offset %ld\n", rv(r), here(in));
    say("pipe holds the first 64 KiB: %s\n", matches(p[0], 0, 65536));
    /* A blocking sendfile into a full pipe sleeps as write does: EINTR from
       a handler without SA_RESTART, nothing moved. */
    fcntl(p[1], F_SETFL, 0);
    write(p[1], pattern, 65536);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    r = sf(p[1], in, NULL, 10);
    say("full blocking pipe, interrupted: %s, in offset %ld, alarm seen %s\n", rv(r), here(in), yes(alarms == 1));
    say("pipe holds what write put there: %s\n", matches(p[0], 0, 65536));
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    r = sf(p[1], in, NULL, 10);
    say("pipe without readers: %s, in offset %ld\n", rv(r), here(in));
    close(p[1]);

    /* To a file (several bounce-buffer rounds), /dev/null, a socket. */
    lseek(in, 0, SEEK_SET);
    int out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0600);
    r = sf(out, in, NULL, SIZE + 5);
    say("file to file, whole: %s, in offset %ld, out offset %ld\n", rv(r), here(in), here(out));
    lseek(out, 0, SEEK_SET);
    say("copy matches: %s\n", matches(out, 0, SIZE));
    off = 5;
    r = sf(out, in, &off, 7);
    say("again at offset 5, 7 bytes: %s, out offset %ld\n", rv(r), here(out));
    close(out);
    int app = open(dst, O_WRONLY | O_APPEND);
    off = 0;
    say("O_APPEND out: %s\n", rv(sf(app, in, &off, 10)));
    close(app);
    int null = open("/dev/null", O_WRONLY);
    off = 0;
    r = sf(null, in, &off, SIZE);
    say("to /dev/null: %s, offset %lld\n", rv(r), (long long)off);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    off = 1234;
    say("to a stream socket: %s\n", rv(sf(sv[0], in, &off, 3000)));
    say("socket holds bytes 1234..4234: %s\n", matches(sv[1], 1234, 3000));

    /* Bad descriptors and kinds. */
    say("in -1: %s\n", rv(sf(null, -1, NULL, 10)));
    say("out -1: %s\n", rv(sf(-1, in, NULL, 10)));
    int wo = open(src, O_WRONLY);
    say("in not readable: %s\n", rv(sf(null, wo, NULL, 10)));
    say("out not writable: %s\n", rv(sf(in, in, NULL, 10)));
    int q[2];
    pipe(q);
    write(q[1], "abc", 3);
    say("in a pipe: %s\n", rv(sf(null, q[0], NULL, 10)));
    off = 0;
    say("in a pipe with an offset: %s\n", rv(sf(null, q[0], &off, 10)));
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    say("in a directory: %s\n", rv(sf(null, d, NULL, 10)));
    int e = eventfd(0, 0);
    say("out an eventfd: %s\n", rv(sf(e, in, &off, 10)));
    close(e); close(d); close(q[0]); close(q[1]); close(wo); close(sv[0]); close(sv[1]); close(null); close(in);
}

/* Sources that are not regular files (Linux 5.12+: any in_fd with a
   splice_read into a pipe; into anything else it must also be seekable). */
static void other_sources(void) {
    int p[2], q[2], sv[2], dg[2];
    pipe(p);
    pipe(q);
    int zero = open("/dev/zero", O_RDONLY), rnd = open("/dev/urandom", O_RDONLY);
    int null = open("/dev/null", O_RDWR);
    off_t off = 5;
    say("/dev/zero to pipe, 100: %s\n", rv(sf(p[1], zero, NULL, 100)));
    long n = sf(p[1], zero, &off, 100);
    say("/dev/zero with offset 5: %s, offset after %lld\n", rv(n), (long long)off);
    int queued = -1;
    ioctl(p[0], FIONREAD, &queued);
    long k = read(p[0], got, sizeof got), nonzero = 0;
    for (long i = 0; i < k; i++) nonzero += got[i] != 0;
    say("pipe held %d bytes, read %ld, nonzero %ld\n", queued, k, nonzero);
    say("/dev/zero to an empty pipe, SIZE: %s\n", rv(sf(p[1], zero, NULL, SIZE)));
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    say("/dev/zero to the full nonblocking pipe: %s\n", rv(sf(p[1], zero, NULL, 10)));
    while (read(p[0], got, sizeof got) == sizeof got) {}
    say("/dev/urandom to pipe, 32: %s\n", rv(sf(q[1], rnd, NULL, 32)));
    say("  read back: %ld\n", (long)read(q[0], got, 64));
    int out = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0600);
    n = sf(out, zero, NULL, 3 * 4096 + 5);
    say("/dev/zero to a file, 3 pages + 5: %s, out offset %ld\n", rv(n), here(out));
    struct stat st;
    fstat(out, &st);
    say("  file size %lld\n", (long long)st.st_size);
    say("/dev/urandom to a file, 10: %s\n", rv(sf(out, rnd, NULL, 10)));
    say("/dev/zero to /dev/null, 1 MiB: %s\n", rv(sf(null, zero, NULL, 1 << 20)));
    say("/dev/null as the source: %s\n", rv(sf(q[1], null, NULL, 10)));

    /* A stream socket gives what it holds now (one read), a datagram one datagram. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[1], "abcdefgh", 8);
    say("stream socket to pipe, 3: %s\n", rv(sf(q[1], sv[0], NULL, 3)));
    say("stream socket to pipe, 100: %s\n", rv(sf(q[1], sv[0], NULL, 100)));
    k = read(q[0], got, 64);
    say("  pipe: %.*s\n", (int)(k > 0 ? k : 0), (char *)got);
    write(sv[1], "xyz", 3);
    say("stream socket to a file: %s\n", rv(sf(out, sv[0], NULL, 10)));
    off = 0;
    say("stream socket with an offset: %s\n", rv(sf(q[1], sv[0], &off, 10)));
    say("  socket still holds: %ld\n", (long)read(sv[0], got, 64));
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    say("empty nonblocking socket: %s\n", rv(sf(q[1], sv[0], NULL, 10)));
    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
    write(dg[1], "one", 3);
    write(dg[1], "second", 6);
    say("datagram socket to pipe, 100: %s\n", rv(sf(q[1], dg[0], NULL, 100)));
    say("datagram socket to pipe, 2: %s\n", rv(sf(q[1], dg[0], NULL, 2)));
    k = read(q[0], got, 64);
    say("  pipe: %.*s\n", (int)(k > 0 ? k : 0), (char *)got);

    /* Into a full blocking pipe it waits before reading: interrupted, the
       socket keeps its bytes. */
    write(sv[1], "kept", 4);
    fcntl(sv[0], F_SETFL, 0);
    write(q[1], pattern, 65536);
    alarms = 0;
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    n = sf(q[1], sv[0], NULL, 10);
    say("socket to a full blocking pipe, interrupted: %s, alarm seen %s\n", rv(n), yes(alarms == 1));
    k = read(sv[0], got, 64);
    say("  socket still holds: %.*s\n", (int)(k > 0 ? k : 0), (char *)got);

    int e = eventfd(1, 0);
    say("an eventfd as the source: %s\n", rv(sf(p[1], e, NULL, 8)));
    int r[2];
    pipe(r);
    write(r[1], "abc", 3);
    say("a pipe into a pipe: %s\n", rv(sf(p[1], r[0], NULL, 3)));
    close(r[0]); close(r[1]); close(e); close(out); close(dg[0]); close(dg[1]); close(sv[0]); close(sv[1]);
    close(null); close(rnd); close(zero); close(q[0]); close(q[1]); close(p[0]); close(p[1]);
}

static void fs_line(const char *name, const char *path) {
    struct statfs s;
    if (statfs(path, &s) != 0) { say("statfs %s: %s\n", name, rv(-1)); return; }
    say("statfs %s: bsize %ld frsize %ld namelen %ld valid %s\n", name, (long)s.f_bsize, (long)s.f_frsize,
        (long)s.f_namelen, yes(s.f_flags & ST_VALID_FLAG));
}

static const char *fstype(int fd) {
    static char b[4][32];
    static int i;
    char *p = b[i++ & 3];
    struct statfs s;
    if (fstatfs(fd, &s) != 0) snprintf(p, 32, "%s", rv(-1));
    else snprintf(p, 32, "%#lx", (unsigned long)s.f_type);
    return p;
}

static void statfs_tests(void) {
    fs_line("/", "/");
    fs_line("/tmp", "/tmp");
    fs_line("dir", dir);
    fs_line("/proc", "/proc");
    struct statfs s, t;
    statfs("/proc", &s);
    say("/proc f_type: %#lx, blocks %ld\n", (unsigned long)s.f_type, (long)s.f_blocks);
    statfs("/dev", &s);
    say("/dev f_type: %#lx\n", (unsigned long)s.f_type);
    statfs("/proc/self", &s);
    say("/proc/self f_type: %#lx\n", (unsigned long)s.f_type);
    statfs("/tmp", &s);
    statfs(dir, &t);
    say("fsid of /tmp and its subdirectory the same: %s\n", yes(memcmp(&s.f_fsid, &t.f_fsid, sizeof s.f_fsid) == 0));
    statfs("/proc", &t);
    say("fsid of /tmp and /proc differ: %s\n", yes(memcmp(&s.f_fsid, &t.f_fsid, sizeof s.f_fsid) != 0));
    say("/tmp blocks free <= total: %s\n", yes(s.f_bfree <= s.f_blocks && s.f_bavail <= s.f_bfree));
    struct statvfs v;
    long r = statvfs("/tmp", &v);
    say("statvfs /tmp: %s, bsize %lu namemax %lu\n", rv(r), v.f_bsize, v.f_namemax);

    int p[2];
    pipe(p);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int e = eventfd(0, 0);
    int pr = open("/proc/self/stat", O_RDONLY);
    int f = open(src, O_RDONLY);
    statfs("/tmp", &s);
    fstatfs(f, &t);
    say("fstatfs of a file in /tmp: same f_type as /tmp: %s\n", yes(s.f_type == t.f_type));
    say("fstatfs pipe %s, socket %s, eventfd %s, /proc file %s\n", fstype(p[0]), fstype(sv[0]), fstype(e), fstype(pr));
    say("fstatfs -1: %s\n", fstype(-1));
    close(f);
    say("fstatfs closed: %s\n", fstype(f));
    say("fstatfs bad buffer: %s\n", rv(syscall(SYS_fstatfs, pr, 8L)));
    close(p[0]); close(p[1]); close(sv[0]); close(sv[1]); close(e); close(pr);

    say("statfs missing: %s\n", rv(statfs("/tmp/no/such", &s)));
    say("statfs through a file: %s\n", rv(statfs("/proc/self/stat/x", &s)));
    say("statfs empty path: %s\n", rv(statfs("", &s)));
    say("statfs bad path: %s\n", rv(syscall(SYS_statfs, 8L, &s)));
    say("statfs bad buffer: %s\n", rv(syscall(SYS_statfs, "/tmp", 8L)));
}

int main(void) {
    proc_setup();
    for (long i = 0; i < SIZE; i++) pattern[i] = at(i);
    strcpy(dir, "/tmp/fs_sendfile.XXXXXX");
    if (!mkdtemp(dir)) { say("mkdtemp: %s\n", rv(-1)); return 1; }
    snprintf(src, sizeof src, "%s/src", dir);
    snprintf(dst, sizeof dst, "%s/dst", dir);
    int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    say("source written: %s\n", rv(write(fd, pattern, SIZE)));
    close(fd);
    sendfile_tests();
    other_sources();
    statfs_tests();
    unlink(src);
    unlink(dst);
    rmdir(dir);
    say("done\n");
    return 0;
}

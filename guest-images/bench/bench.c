/*
 * bench: the 54-benchmark system-call latency suite (docs/benchmarks.md).
 *
 * One static binary, run natively on the host and as /init inside the guest.
 * Output protocol, mark ids and iteration-count rules: see README.md.
 *
 * Build (either libc, both warning-free with -Wall):
 *   gcc      -static -O2 -Wall -I ../../Sources/CKVM/include -o bench bench.c
 *   musl-gcc -static -O2 -Wall -I ../../Sources/CKVM/include -o bench bench.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/io.h>
#include <termios.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <spawn.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include("vmm_guest_abi.h")
#include "vmm_guest_abi.h"
#endif
#endif
#ifndef VMM_SYSCALL_MARK
/* Same value as Sources/CKVM/include/vmm_guest_abi.h (used when built without
 * -I ../../Sources/CKVM/include): the guest kernel forwards
 * syscall(VMM_SYSCALL_MARK, id) to the VMM; Linux answers ENOSYS. */
#define VMM_SYSCALL_MARK 0x5600
#endif

#define PAGE 4096L
#define DEFAULT_PATH "/bin:/usr/bin:/sbin:/usr/sbin"

/* ------------------------------------------------------------------------ */
/* Errors: every failure leaves one line of text in g_err.                  */

static char g_err[512];

static const char *ename(int e)
{
    switch (e) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC)
    E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY)
    E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE)
    E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS)
    E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE) E(ENOSYS) E(ENAMETOOLONG)
    E(ENOTEMPTY) E(ELOOP) E(EOPNOTSUPP) E(EAFNOSUPPORT) E(EPROTONOSUPPORT)
    E(ENOTSOCK) E(ETIMEDOUT) E(ECONNREFUSED) E(EOVERFLOW)
#undef E
    default: return "E?";
    }
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r') *s = ' ';
}

/* Sets g_err to "<what>: ENAME (description)" and returns -1. */
static int fail_errno(const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(g_err, sizeof g_err, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof g_err) n = sizeof g_err - 1;
    char desc[128];
    snprintf(desc, sizeof desc, "%s", strerror(e));
    for (char *p = desc; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p += 'a' - 'A';
    snprintf(g_err + n, sizeof g_err - n, ": %s (%s)", ename(e), desc);
    sanitize(g_err);
    return -1;
}

/* Sets g_err to the formatted text and returns -1. */
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_err, sizeof g_err, fmt, ap);
    va_end(ap);
    sanitize(g_err);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Paths in /tmp: unique per pid, all registered and removed after each      */
/* benchmark (whatever happened) and at exit.                               */

static char g_tmp[64];   /* "/tmp/bench.<pid>" */
static char *g_created[32];
static int g_ncreated;

static const char *tpath(char *buf, size_t n, const char *suffix)
{
    snprintf(buf, n, "%s.%s", g_tmp, suffix);
    return buf;
}

static void reg(const char *path)
{
    for (int i = 0; i < g_ncreated; i++)
        if (strcmp(g_created[i], path) == 0) return;
    if (g_ncreated < (int)(sizeof g_created / sizeof g_created[0]))
        g_created[g_ncreated++] = strdup(path);
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *de;
            char sub[4096];
            while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
                snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
                rm_rf(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void cleanup_tmp(void)
{
    for (int i = g_ncreated - 1; i >= 0; i--) {
        rm_rf(g_created[i]);
        free(g_created[i]);
    }
    g_ncreated = 0;
}

static void on_fatal_signal(int sig)
{
    cleanup_tmp();
    _exit(128 + sig);
}

/* Writes a whole file (registered for cleanup). */
static int write_file(const char *path, const char *data, size_t len)
{
    reg(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno("open %s", path);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) { close(fd); return fail_errno("write %s", path); }
        off += (size_t)w;
    }
    if (close(fd) != 0) return fail_errno("close %s", path);
    return 0;
}

/* Reads a whole file into a malloc'ed NUL-terminated buffer. */
static char *read_file(const char *path, size_t *lenp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { fail_errno("open %s", path); return NULL; }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (len == cap) { cap *= 2; buf = realloc(buf, cap + 1); }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) { fail_errno("read %s", path); free(buf); close(fd); return NULL; }
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = 0;
    if (lenp) *lenp = len;
    return buf;
}

/* A growable string for building expected outputs and inputs. */
struct sbuf { char *p; size_t len, cap; };
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n >= 0 && b->p && b->len + (size_t)n < b->cap) { b->len += (size_t)n; return; }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
}

/* ------------------------------------------------------------------------ */
/* Processes                                                                 */

/* Reaps every zombie child (we may be pid 1 and inherit orphans). Returns 1 if
 * a live child remains, 0 otherwise. */
static int reap_zombies(void)
{
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p > 0) continue;
        return p == 0;
    }
}

static int describe_status(char *buf, size_t n, int st)
{
    if (WIFEXITED(st)) return snprintf(buf, n, "exit status %d", WEXITSTATUS(st));
    if (WIFSIGNALED(st)) return snprintf(buf, n, "killed by signal %d", WTERMSIG(st));
    return snprintf(buf, n, "wait status 0x%x", st);
}

/* fork + execv(path, argv) + waitpid: the timed form, nothing extra in the
 * child. Returns 0 and the wait status, or -1 (g_err). */
static int spawn_fast(const char *path, char *const argv[], int *status)
{
    pid_t pid = fork();
    if (pid < 0) return fail_errno("fork");
    if (pid == 0) {
        execv(path, argv);
        _exit(127);
    }
    if (waitpid(pid, status, 0) != pid) return fail_errno("waitpid");
    return 0;
}

/* The diagnostic form (setup and checks): reports an exec failure's errno
 * through a close-on-exec pipe, and fails unless the child exits 0. */
static int spawn_checked(const char *path, char *const argv[])
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe2");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) { int e = errno; close(p[0]); close(p[1]); errno = e; return fail_errno("fork"); }
    if (pid == 0) {
        close(p[0]);
        execv(path, argv);
        int e = errno;
        if (write(p[1], &e, sizeof e) < 0) { /* nothing to do */ }
        _exit(127);
    }
    close(p[1]);
    int e = 0;
    ssize_t r = read(p[0], &e, sizeof e);
    close(p[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid) return fail_errno("waitpid");
    if (r == (ssize_t)sizeof e) { errno = e; return fail_errno("execve %s", path); }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char s[64];
        describe_status(s, sizeof s, st);
        char cmd[256] = "";
        size_t off = 0;
        for (int i = 0; argv[i] && off < sizeof cmd - 1; i++)
            off += snprintf(cmd + off, sizeof cmd - off, "%s%s", i ? " " : "", argv[i]);
        return fail("%s: %s", cmd, s);
    }
    return 0;
}

/* Is an executable called name somewhere in $PATH? Copies its path. */
static int find_in_path(const char *name, char *out, size_t n)
{
    const char *path = getenv("PATH");
    if (!path || !*path) path = DEFAULT_PATH;
    while (*path) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        snprintf(out, n, "%.*s/%s", (int)len, path, name);
        if (len && access(out, X_OK) == 0) return 1;
        path += len;
        if (*path == ':') path++;
    }
    return 0;
}

/* The program as PATH finds it, else the first of the usual directories
 * that has it. PATH first: `vmm bench` gives the host side a PATH of links
 * to the guest's BusyBox, so that both sides run the same binaries. */
static const char *find_prog(const char *name, char *buf, size_t n)
{
    if (find_in_path(name, buf, n)) return buf;
    const char *dirs[] = { "/bin", "/usr/bin", "/sbin", "/usr/sbin" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(buf, n, "%s/%s", dirs[i], name);
        if (access(buf, X_OK) == 0) return buf;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Shared state of the benchmarks (one runs at a time)                       */

static int fd_a = -1, fd_b = -1, fd_c = -1, fd_d = -1;
static pid_t child_pid = -1;
static char path_a[128], path_b[128], path_c[128];
static char prog_path[256], sh_path[256];
static char *cmd_argv[40];
static char cmd_buf[1024];
static char *vol_map;            /* mmap_fault's mapping */
static long vol_map_pages;
static void *page;               /* mprotect's page */
static unsigned long brk_cur;
static volatile sig_atomic_t sig_count;
static struct sigaction saved_sa;
static int saved_sa_valid;
static struct sigaction saved_pipe_sa;
static int saved_pipe_valid;
static char file_tree_names[10][160];
static unsigned char buf4k[4096] __attribute__((aligned(4096)));
static unsigned char buf4k_b[4096] __attribute__((aligned(4096)));

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static void teardown_common(void)
{
    close_fd(&fd_a); close_fd(&fd_b); close_fd(&fd_c); close_fd(&fd_d);
    if (child_pid > 0) {
        int st;
        waitpid(child_pid, &st, 0);
        child_pid = -1;
    }
    if (saved_sa_valid) { sigaction(SIGUSR1, &saved_sa, NULL); saved_sa_valid = 0; }
    if (saved_pipe_valid) { sigaction(SIGPIPE, &saved_pipe_sa, NULL); saved_pipe_valid = 0; }
    if (vol_map) { munmap(vol_map, (size_t)vol_map_pages * PAGE); vol_map = NULL; }
    if (page) { munmap(page, PAGE); page = NULL; }
}

static int open_into(int *fd, const char *path, int flags)
{
    *fd = open(path, flags | O_CLOEXEC);
    if (*fd < 0) return fail_errno("open %s", path);
    return 0;
}

static const char file_content[] = "bench: the open_close/fstat/lseek file\n";

static int setup_tmpfile(void)
{
    tpath(path_a, sizeof path_a, "file");
    if (write_file(path_a, file_content, sizeof file_content - 1)) return -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The benchmarks: setup (untimed), run(iters) (timed), after (untimed, after  */
/* each run), check (verification instead of timing).                        */

#define CK_OK 0
#define CK_FAIL -1

/* getpid */
static int run_getpid(long n)
{
    for (long i = 0; i < n; i++)
        if (syscall(SYS_getpid) < 0) return fail_errno("getpid");
    return 0;
}
static int check_getpid(void)
{
    long r = syscall(SYS_getpid);
    if (r <= 0) return fail("getpid returned %ld", r);
    if (r != (long)getpid()) return fail("raw getpid %ld != libc getpid %ld", r, (long)getpid());
    return CK_OK;
}

/* read_null / write_null / pread / writev / fcntl_getfl / dup_close / poll */
static int setup_null_rw(void) { return open_into(&fd_a, "/dev/null", O_RDWR); }

static int run_read_null(long n)
{
    char c;
    for (long i = 0; i < n; i++)
        if (read(fd_a, &c, 1) < 0) return fail_errno("read /dev/null");
    return 0;
}
static int check_read_null(void)
{
    char c = 'q';
    ssize_t r = read(fd_a, &c, 1);
    if (r != 0) return r < 0 ? fail_errno("read /dev/null") : fail("read /dev/null returned %zd, want 0", r);
    if (c != 'q') return fail("read /dev/null changed the buffer");
    return CK_OK;
}

static int run_write_null(long n)
{
    for (long i = 0; i < n; i++)
        if (write(fd_a, "x", 1) != 1) return fail_errno("write /dev/null");
    return 0;
}
static int check_write_null(void)
{
    ssize_t r = write(fd_a, "x", 1);
    if (r != 1) return r < 0 ? fail_errno("write /dev/null") : fail("write /dev/null returned %zd, want 1", r);
    r = write(fd_a, buf4k, sizeof buf4k);
    if (r != (ssize_t)sizeof buf4k) return fail("write 4096 to /dev/null returned %zd", r);
    return CK_OK;
}

/* pipe */
static int setup_pipe(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe");
    fd_a = p[0]; fd_b = p[1];
    for (int i = 0; i < 4096; i++) buf4k[i] = (unsigned char)(i * 7 + 3);
    return 0;
}
static int read_full(int fd, void *buf, size_t len, const char *what)
{
    size_t off = 0;
    while (off < len) {
        ssize_t r = read(fd, (char *)buf + off, len - off);
        if (r < 0) return fail_errno("read %s", what);
        if (r == 0) return fail("read %s: unexpected end of file after %zu bytes", what, off);
        off += (size_t)r;
    }
    return 0;
}
static int run_pipe(long n)
{
    for (long i = 0; i < n; i++) {
        ssize_t w = write(fd_b, buf4k, 4096);
        if (w != 4096) return w < 0 ? fail_errno("write pipe") : fail("write pipe: short write %zd", w);
        if (read_full(fd_a, buf4k_b, 4096, "pipe")) return -1;
    }
    return 0;
}
static int check_pipe(void)
{
    for (int k = 0; k < 5; k++) {
        for (int i = 0; i < 4096; i++) buf4k[i] = (unsigned char)(i * 13 + k * 31 + 1);
        memset(buf4k_b, 0, sizeof buf4k_b);
        if (run_pipe(1)) return -1;
        if (memcmp(buf4k, buf4k_b, 4096) != 0) return fail("pipe: data read back differs from data written (round %d)", k);
    }
    /* nothing left behind */
    if (fcntl(fd_a, F_SETFL, O_NONBLOCK) != 0) return fail_errno("fcntl O_NONBLOCK");
    ssize_t r = read(fd_a, buf4k_b, 1);
    if (!(r < 0 && errno == EAGAIN)) return fail("pipe: extra data after the round trips (read returned %zd)", r);
    fcntl(fd_a, F_SETFL, 0);
    return CK_OK;
}

/* fork_exit */
static int setup_fork(void)
{
    fflush(NULL);
    pid_t p = fork();
    if (p < 0) return fail_errno("fork");
    if (p == 0) _exit(0);
    int st;
    if (waitpid(p, &st, 0) != p) return fail_errno("waitpid");
    return 0;
}
static int run_fork_exit(long n)
{
    for (long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) return fail_errno("fork");
        if (p == 0) _exit(0);
        int st;
        if (waitpid(p, &st, 0) != p) return fail_errno("waitpid");
        if (st != 0) { char s[64]; describe_status(s, sizeof s, st); return fail("fork_exit child: %s", s); }
    }
    return 0;
}
static int check_fork_exit(void)
{
    pid_t me = getpid();
    for (int k = 0; k < 3; k++) {
        int code = k == 2 ? 42 : 0;
        pid_t p = fork();
        if (p < 0) return fail_errno("fork");
        if (p == 0) _exit(getpid() != me ? code : 99);
        if (p == me) return fail("fork returned the parent's own pid");
        int st;
        if (waitpid(p, &st, 0) != p) return fail_errno("waitpid");
        if (!WIFEXITED(st) || WEXITSTATUS(st) != code) {
            char s[64]; describe_status(s, sizeof s, st);
            return fail("child %d: %s, want exit status %d", k, s, code);
        }
    }
    return CK_OK;
}

/* open_close */
static int run_open_close(long n)
{
    for (long i = 0; i < n; i++) {
        int fd = open(path_a, O_RDONLY);
        if (fd < 0) return fail_errno("open %s", path_a);
        if (close(fd) != 0) return fail_errno("close");
    }
    return 0;
}
static int check_open_close(void)
{
    int fd = open(path_a, O_RDONLY);
    if (fd < 0) return fail_errno("open %s", path_a);
    char b[128];
    ssize_t r = read(fd, b, sizeof b);
    if (r != (ssize_t)sizeof file_content - 1 || memcmp(b, file_content, (size_t)r) != 0) {
        close(fd);
        return fail("read back %zd bytes, not the file's content", r);
    }
    if (close(fd) != 0) return fail_errno("close");
    if (close(fd) != -1 || errno != EBADF) return fail("second close of the same fd did not fail with EBADF");
    if (run_open_close(3)) return -1;
    return CK_OK;
}

/* mmap_fault: iters = pages; mmap + one write per page timed, munmap after. */
static int run_mmap_fault(long n)
{
    char *p = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return fail_errno("mmap %ld pages", n);
    vol_map = p;
    vol_map_pages = n;
    volatile char *v = p;
    for (long i = 0; i < n; i++) v[i * PAGE] = (char)(i | 1);
    return 0;
}
static void after_mmap_fault(void)
{
    if (vol_map) munmap(vol_map, (size_t)vol_map_pages * PAGE);
    vol_map = NULL;
}
static int check_mmap_fault(void)
{
    long n = 64;
    if (run_mmap_fault(n)) return -1;
    if ((uintptr_t)vol_map % PAGE) return fail("mapping not page-aligned");
    for (long i = 0; i < n; i++) {
        const char *pg = vol_map + i * PAGE;
        if (pg[0] != (char)(i | 1)) return fail("page %ld reads back %d, want %d", i, pg[0], (char)(i | 1));
        for (long j = 1; j < PAGE; j++)
            if (pg[j] != 0) return fail("page %ld byte %ld not zero", i, j);
    }
    after_mmap_fault();
    return CK_OK;
}

/* stat */
static int run_stat(long n)
{
    struct stat st;
    for (long i = 0; i < n; i++)
        if (stat("/tmp", &st) != 0) return fail_errno("stat /tmp");
    return 0;
}
static int check_stat(void)
{
    struct stat st;
    if (stat("/tmp", &st) != 0) return fail_errno("stat /tmp");
    if (!S_ISDIR(st.st_mode)) return fail("stat /tmp: not a directory (mode 0%o)", (unsigned)st.st_mode);
    if (st.st_nlink < 2) return fail("stat /tmp: st_nlink %lu < 2", (unsigned long)st.st_nlink);
    char p[128];
    tpath(p, sizeof p, "nonexistent");
    if (stat(p, &st) != -1 || errno != ENOENT) return fail("stat of a missing path did not fail with ENOENT");
    return CK_OK;
}

/* gettid */
static int run_gettid(long n)
{
    for (long i = 0; i < n; i++)
        if (syscall(SYS_gettid) < 0) return fail_errno("gettid");
    return 0;
}
static int check_gettid(void)
{
    long t = syscall(SYS_gettid), p = syscall(SYS_getpid);
    if (t <= 0) return fail("gettid returned %ld", t);
    if (t != p) return fail("single-threaded: gettid %ld != getpid %ld", t, p);
    return CK_OK;
}

/* clock_gettime */
static int run_clock_gettime(long n)
{
    struct timespec ts;
    for (long i = 0; i < n; i++)
        if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return fail_errno("clock_gettime");
    return 0;
}
static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static int check_clock_gettime(void)
{
    int64_t prev = now_ns();
    for (int i = 0; i < 1000; i++) {
        int64_t t = now_ns();
        if (t < prev) return fail("CLOCK_MONOTONIC went backwards by %lld ns", (long long)(prev - t));
        prev = t;
    }
    int64_t a = now_ns();
    struct timespec d = { 0, 2000000 };
    nanosleep(&d, NULL);
    int64_t b = now_ns();
    if (b - a < 2000000) return fail("a 2 ms nanosleep advanced CLOCK_MONOTONIC by only %lld ns", (long long)(b - a));
    if (b - a > 10000000000LL) return fail("a 2 ms nanosleep advanced CLOCK_MONOTONIC by %lld ns", (long long)(b - a));
    return CK_OK;
}

/* fcntl_getfl */
static int run_fcntl_getfl(long n)
{
    for (long i = 0; i < n; i++)
        if (fcntl(fd_a, F_GETFL) < 0) return fail_errno("fcntl F_GETFL");
    return 0;
}
static int check_fcntl_getfl(void)
{
    int f = fcntl(fd_a, F_GETFL);
    if (f < 0) return fail_errno("fcntl F_GETFL");
    if ((f & O_ACCMODE) != O_RDWR) return fail("F_GETFL of an O_RDWR fd: 0%o", (unsigned)f);
    if (open_into(&fd_b, "/dev/null", O_RDONLY | O_NONBLOCK)) return -1;
    f = fcntl(fd_b, F_GETFL);
    if (f < 0) return fail_errno("fcntl F_GETFL");
    if ((f & O_ACCMODE) != O_RDONLY || !(f & O_NONBLOCK))
        return fail("F_GETFL of an O_RDONLY|O_NONBLOCK fd: 0%o", (unsigned)f);
    return CK_OK;
}

/* uname */
static int run_uname(long n)
{
    struct utsname u;
    for (long i = 0; i < n; i++)
        if (uname(&u) != 0) return fail_errno("uname");
    return 0;
}
static int check_uname(void)
{
    struct utsname u;
    memset(&u, 0x55, sizeof u);
    if (uname(&u) != 0) return fail_errno("uname");
    if (strnlen(u.sysname, sizeof u.sysname) == sizeof u.sysname || !u.sysname[0]) return fail("uname: bad sysname");
    if (strnlen(u.release, sizeof u.release) == sizeof u.release || !u.release[0]) return fail("uname: bad release");
    if (strcmp(u.machine, "x86_64") != 0) return fail("uname: machine \"%.20s\", want x86_64", u.machine);
    return CK_OK;
}

/* dup_close */
static int run_dup_close(long n)
{
    for (long i = 0; i < n; i++) {
        int d = dup(fd_a);
        if (d < 0) return fail_errno("dup");
        if (close(d) != 0) return fail_errno("close");
    }
    return 0;
}
static int check_dup_close(void)
{
    for (int k = 0; k < 3; k++) {
        int d = dup(fd_a);
        if (d < 0) return fail_errno("dup");
        if (d == fd_a) return fail("dup returned the same fd %d", d);
        if (fcntl(d, F_GETFD) < 0) return fail_errno("fcntl F_GETFD on the new fd");
        if (fcntl(d, F_GETFD) & FD_CLOEXEC) return fail("dup'ed fd has FD_CLOEXEC set");
        struct stat s1, s2;
        if (fstat(d, &s1) || fstat(fd_a, &s2)) return fail_errno("fstat");
        if (s1.st_ino != s2.st_ino || s1.st_dev != s2.st_dev) return fail("dup'ed fd refers to another file");
        if (close(d) != 0) return fail_errno("close");
        if (fcntl(d, F_GETFD) != -1 || errno != EBADF) return fail("closed fd %d still valid", d);
    }
    return CK_OK;
}

/* fstat */
static int setup_fstat(void)
{
    if (setup_tmpfile()) return -1;
    return open_into(&fd_a, path_a, O_RDONLY);
}
static int run_fstat(long n)
{
    struct stat st;
    for (long i = 0; i < n; i++)
        if (fstat(fd_a, &st) != 0) return fail_errno("fstat");
    return 0;
}
static int check_fstat(void)
{
    struct stat a, b;
    if (fstat(fd_a, &a) != 0) return fail_errno("fstat");
    if (stat(path_a, &b) != 0) return fail_errno("stat %s", path_a);
    if (!S_ISREG(a.st_mode)) return fail("fstat: not a regular file");
    if (a.st_size != (off_t)sizeof file_content - 1) return fail("fstat: size %lld, want %zu", (long long)a.st_size, sizeof file_content - 1);
    if (a.st_ino != b.st_ino || a.st_dev != b.st_dev) return fail("fstat and stat disagree on dev/ino");
    return CK_OK;
}

/* getcwd */
static int run_getcwd(long n)
{
    char b[4096];
    for (long i = 0; i < n; i++)
        if (getcwd(b, sizeof b) == NULL) return fail_errno("getcwd");
    return 0;
}
static int check_getcwd(void)
{
    char b[4096];
    if (getcwd(b, sizeof b) == NULL) return fail_errno("getcwd");
    if (b[0] != '/') return fail("getcwd: \"%.100s\" is not absolute", b);
    struct stat s1, s2;
    if (stat(b, &s1) != 0) return fail_errno("stat %.100s", b);
    if (stat(".", &s2) != 0) return fail_errno("stat .");
    if (s1.st_ino != s2.st_ino || s1.st_dev != s2.st_dev) return fail("getcwd \"%.100s\" is not the current directory", b);
    return CK_OK;
}

/* brk: raw syscalls; the break is read before each run (malloc may move it). */
static void before_brk(void) { brk_cur = (unsigned long)syscall(SYS_brk, 0); }
static int setup_brk(void)
{
    before_brk();
    unsigned long r = (unsigned long)syscall(SYS_brk, brk_cur + PAGE);
    if (r != brk_cur + PAGE) return fail("brk: could not grow the break by one page (0x%lx -> 0x%lx)", brk_cur, r);
    r = (unsigned long)syscall(SYS_brk, brk_cur);
    if (r != brk_cur) return fail("brk: could not shrink the break back (got 0x%lx, want 0x%lx)", r, brk_cur);
    return 0;
}
static int run_brk(long n)
{
    unsigned long cur = brk_cur;
    for (long i = 0; i < n; i++) {
        if ((unsigned long)syscall(SYS_brk, cur + PAGE) != cur + PAGE) return fail("brk: grow failed at iteration %ld", i);
        if ((unsigned long)syscall(SYS_brk, cur) != cur) return fail("brk: shrink failed at iteration %ld", i);
    }
    return 0;
}
static int check_brk(void)
{
    for (int k = 0; k < 3; k++) {
        before_brk();
        unsigned long cur = brk_cur;
        /* the new page starts at the page-aligned break */
        unsigned long r = (unsigned long)syscall(SYS_brk, cur + PAGE);
        if (r != cur + PAGE) return fail("brk grow: got 0x%lx, want 0x%lx", r, cur + PAGE);
        if ((unsigned long)syscall(SYS_brk, 0) != cur + PAGE) return fail("brk(0) after grow does not report the new break");
        volatile char *last = (volatile char *)(cur + PAGE - 1);
        if (*last != 0) return fail("brk: the grown memory is not zero");
        *last = 1;
        r = (unsigned long)syscall(SYS_brk, cur);
        if (r != cur) return fail("brk shrink: got 0x%lx, want 0x%lx", r, cur);
        if ((unsigned long)syscall(SYS_brk, 0) != cur) return fail("brk(0) after shrink does not report the old break");
    }
    return CK_OK;
}

/* lseek */
static int run_lseek(long n)
{
    for (long i = 0; i < n; i++)
        if (lseek(fd_a, 0, SEEK_CUR) < 0) return fail_errno("lseek");
    return 0;
}
static int check_lseek(void)
{
    if (lseek(fd_a, 0, SEEK_CUR) != 0) return fail("lseek SEEK_CUR on a fresh fd is not 0");
    if (lseek(fd_a, 7, SEEK_SET) != 7) return fail("lseek SEEK_SET 7 did not return 7");
    if (lseek(fd_a, 0, SEEK_CUR) != 7) return fail("lseek SEEK_CUR after SEEK_SET 7 is not 7");
    char c;
    if (read(fd_a, &c, 1) != 1 || c != file_content[7]) return fail("read after lseek did not read byte 7");
    if (lseek(fd_a, 0, SEEK_CUR) != 8) return fail("lseek SEEK_CUR after reading one byte is not 8");
    if (lseek(fd_a, 0, SEEK_END) != (off_t)sizeof file_content - 1) return fail("lseek SEEK_END is not the file size");
    lseek(fd_a, 0, SEEK_SET);
    return CK_OK;
}

/* readlink */
static int setup_readlink(void)
{
    if (setup_tmpfile()) return -1;
    tpath(path_b, sizeof path_b, "link");
    reg(path_b);
    unlink(path_b);
    if (symlink(path_a, path_b) != 0) return fail_errno("symlink %s", path_b);
    return 0;
}
static int run_readlink(long n)
{
    char b[256];
    for (long i = 0; i < n; i++)
        if (readlink(path_b, b, sizeof b) < 0) return fail_errno("readlink %s", path_b);
    return 0;
}
static int check_readlink(void)
{
    char b[256];
    memset(b, 'x', sizeof b);
    ssize_t r = readlink(path_b, b, sizeof b);
    if (r < 0) return fail_errno("readlink %s", path_b);
    if ((size_t)r != strlen(path_a) || memcmp(b, path_a, (size_t)r) != 0)
        return fail("readlink returned \"%.*s\", want \"%s\"", (int)(r > 100 ? 100 : r), b, path_a);
    if (b[r] != 'x') return fail("readlink wrote past the returned length");
    if (readlink(path_a, b, sizeof b) != -1 || errno != EINVAL) return fail("readlink of a regular file did not fail with EINVAL");
    return CK_OK;
}

/* access */
static int run_access(long n)
{
    for (long i = 0; i < n; i++)
        if (access("/tmp", F_OK) != 0) return fail_errno("access /tmp");
    return 0;
}
static int check_access(void)
{
    if (access("/tmp", F_OK) != 0) return fail_errno("access /tmp");
    char p[128];
    tpath(p, sizeof p, "nonexistent");
    if (access(p, F_OK) != -1 || errno != ENOENT) return fail("access of a missing path did not fail with ENOENT");
    return CK_OK;
}

/* mmap_munmap */
static int run_mmap_munmap(long n)
{
    for (long i = 0; i < n; i++) {
        void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return fail_errno("mmap");
        if (munmap(p, PAGE) != 0) return fail_errno("munmap");
    }
    return 0;
}
static int check_mmap_munmap(void)
{
    for (int k = 0; k < 3; k++) {
        char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return fail_errno("mmap");
        if ((uintptr_t)p % PAGE) return fail("mmap returned an unaligned address");
        for (long j = 0; j < PAGE; j++)
            if (p[j]) return fail("fresh anonymous page not zero");
        p[0] = 1; p[PAGE - 1] = 2;
        unsigned char vec;
        if (mincore(p, PAGE, &vec) != 0) return fail_errno("mincore of the mapped page");
        if (munmap(p, PAGE) != 0) return fail_errno("munmap");
        if (mincore(p, PAGE, &vec) != -1 || errno != ENOMEM) return fail("page still mapped after munmap (mincore did not fail with ENOMEM)");
    }
    return CK_OK;
}

/* mprotect */
static int setup_mprotect(void)
{
    page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) { page = NULL; return fail_errno("mmap"); }
    ((char *)page)[0] = 1;
    return 0;
}
static int run_mprotect(long n)
{
    for (long i = 0; i < n; i++) {
        if (mprotect(page, PAGE, PROT_READ) != 0) return fail_errno("mprotect PROT_READ");
        if (mprotect(page, PAGE, PROT_READ | PROT_WRITE) != 0) return fail_errno("mprotect PROT_READ|PROT_WRITE");
    }
    return 0;
}
static int check_mprotect(void)
{
    /* the kernel writing into the page (read from /dev/zero) fails with
     * EFAULT exactly when the page is read-only */
    if (open_into(&fd_a, "/dev/zero", O_RDONLY)) return -1;
    if (mprotect(page, PAGE, PROT_READ) != 0) return fail_errno("mprotect PROT_READ");
    ssize_t r = read(fd_a, page, 1);
    if (r != -1 || errno != EFAULT) return fail("read into a PROT_READ page returned %zd, want EFAULT", r);
    if (((char *)page)[0] != 1) return fail("page content changed under PROT_READ");
    if (mprotect(page, PAGE, PROT_READ | PROT_WRITE) != 0) return fail_errno("mprotect PROT_READ|PROT_WRITE");
    r = read(fd_a, page, 1);
    if (r != 1) return fail("read into the page after restoring PROT_WRITE returned %zd", r);
    if (((char *)page)[0] != 0) return fail("page not written after restoring PROT_WRITE");
    return CK_OK;
}

/* sigaction */
static void on_usr1(int sig) { (void)sig; sig_count++; }
static int save_usr1(void)
{
    if (sigaction(SIGUSR1, NULL, &saved_sa) != 0) return fail_errno("sigaction (query)");
    saved_sa_valid = 1;
    return 0;
}
static int run_sigaction(long n)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    for (long i = 0; i < n; i++)
        if (sigaction(SIGUSR1, &sa, NULL) != 0) return fail_errno("sigaction");
    return 0;
}
static int check_sigaction(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) != 0) return fail_errno("sigaction (handler)");
    if (run_sigaction(1)) return -1;
    if (sigaction(SIGUSR1, NULL, &old) != 0) return fail_errno("sigaction (query)");
    if (old.sa_handler != SIG_IGN) return fail("SIGUSR1 disposition is not SIG_IGN after sigaction");
    sig_count = 0;
    if (raise(SIGUSR1) != 0) return fail_errno("raise");
    if (sig_count != 0) return fail("the old handler ran although SIGUSR1 is ignored");
    return CK_OK;
}

/* sigprocmask */
static int run_sigprocmask(long n)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    for (long i = 0; i < n; i++) {
        if (sigprocmask(SIG_BLOCK, &s, NULL) != 0) return fail_errno("sigprocmask SIG_BLOCK");
        if (sigprocmask(SIG_UNBLOCK, &s, NULL) != 0) return fail_errno("sigprocmask SIG_UNBLOCK");
    }
    return 0;
}
static int check_sigprocmask(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) != 0) return fail_errno("sigaction");
    sigset_t s, cur, pend;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    if (run_sigprocmask(2)) return -1;
    if (sigprocmask(SIG_BLOCK, &s, NULL) != 0) return fail_errno("sigprocmask SIG_BLOCK");
    if (sigprocmask(SIG_SETMASK, NULL, &cur) != 0) return fail_errno("sigprocmask (query)");
    if (!sigismember(&cur, SIGUSR1)) return fail("SIGUSR1 not in the mask after SIG_BLOCK");
    sig_count = 0;
    raise(SIGUSR1);
    if (sig_count != 0) return fail("handler ran while SIGUSR1 was blocked");
    if (sigpending(&pend) != 0) return fail_errno("sigpending");
    if (!sigismember(&pend, SIGUSR1)) return fail("blocked SIGUSR1 not pending");
    if (sigprocmask(SIG_UNBLOCK, &s, NULL) != 0) return fail_errno("sigprocmask SIG_UNBLOCK");
    if (sig_count != 1) return fail("handler ran %d times after unblocking, want 1", (int)sig_count);
    if (sigprocmask(SIG_SETMASK, NULL, &cur) != 0) return fail_errno("sigprocmask (query)");
    if (sigismember(&cur, SIGUSR1)) return fail("SIGUSR1 still in the mask after SIG_UNBLOCK");
    return CK_OK;
}

/* pread */
static int run_pread(long n)
{
    char c;
    for (long i = 0; i < n; i++)
        if (pread(fd_a, &c, 1, 0) < 0) return fail_errno("pread /dev/null");
    return 0;
}
static int check_pread(void)
{
    char c = 'q';
    ssize_t r = pread(fd_a, &c, 1, 0);
    if (r != 0) return fail("pread /dev/null returned %zd, want 0", r);
    if (setup_tmpfile() || open_into(&fd_b, path_a, O_RDONLY)) return -1;
    if (pread(fd_b, &c, 1, 5) != 1 || c != file_content[5]) return fail("pread at offset 5 did not read byte 5");
    if (lseek(fd_b, 0, SEEK_CUR) != 0) return fail("pread moved the file offset");
    return CK_OK;
}

/* writev */
static int run_writev(long n)
{
    struct iovec iov = { (void *)"x", 1 };
    for (long i = 0; i < n; i++)
        if (writev(fd_a, &iov, 1) != 1) return fail_errno("writev /dev/null");
    return 0;
}
static int check_writev(void)
{
    struct iovec iov = { (void *)"x", 1 };
    ssize_t r = writev(fd_a, &iov, 1);
    if (r != 1) return fail("writev of 1 byte to /dev/null returned %zd", r);
    /* and it really gathers: 3 pieces into a pipe */
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe");
    fd_b = p[0]; fd_c = p[1];
    struct iovec v3[3] = { { (void *)"ab", 2 }, { (void *)"c", 1 }, { (void *)"def", 3 } };
    if (writev(fd_c, v3, 3) != 6) return fail_errno("writev to a pipe");
    char b[8] = { 0 };
    if (read(fd_b, b, 6) != 6 || memcmp(b, "abcdef", 6) != 0) return fail("writev gathered \"%.6s\", want abcdef", b);
    return CK_OK;
}

/* sched_yield */
static int run_sched_yield(long n)
{
    for (long i = 0; i < n; i++)
        if (sched_yield() != 0) return fail_errno("sched_yield");
    return 0;
}
static int check_sched_yield(void)
{
    for (int i = 0; i < 3; i++)
        if (sched_yield() != 0) return fail_errno("sched_yield");
    long r = syscall(SYS_sched_yield);
    if (r != 0) return fail("raw sched_yield returned %ld", r);
    return CK_OK;
}

/* getpriority */
static int run_getpriority(long n)
{
    for (long i = 0; i < n; i++) {
        errno = 0;
        if (getpriority(PRIO_PROCESS, 0) == -1 && errno) return fail_errno("getpriority");
    }
    return 0;
}
static int check_getpriority(void)
{
    errno = 0;
    int p = getpriority(PRIO_PROCESS, 0);
    if (p == -1 && errno) return fail_errno("getpriority");
    if (p < -20 || p > 19) return fail("getpriority returned %d, outside [-20, 19]", p);
    long raw = syscall(SYS_getpriority, PRIO_PROCESS, 0);
    if (raw != 20 - p) return fail("raw getpriority %ld != 20 - nice (%d)", raw, 20 - p);
    return CK_OK;
}

/* read_zero */
static int setup_read_zero(void) { return open_into(&fd_a, "/dev/zero", O_RDONLY); }
static int run_read_zero(long n)
{
    for (long i = 0; i < n; i++) {
        ssize_t r = read(fd_a, buf4k, 4096);
        if (r != 4096) return r < 0 ? fail_errno("read /dev/zero") : fail("read /dev/zero: short read %zd", r);
    }
    return 0;
}
static int check_read_zero(void)
{
    for (int k = 0; k < 3; k++) {
        memset(buf4k, 0xaa, sizeof buf4k);
        ssize_t r = read(fd_a, buf4k, 4096);
        if (r != 4096) return fail("read /dev/zero returned %zd, want 4096", r);
        for (int i = 0; i < 4096; i++)
            if (buf4k[i]) return fail("byte %d from /dev/zero is 0x%02x", i, buf4k[i]);
    }
    return CK_OK;
}

/* signal_delivery */
static int setup_signal_delivery(void)
{
    if (save_usr1()) return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) != 0) return fail_errno("sigaction");
    return 0;
}
static int run_signal_delivery(long n)
{
    for (long i = 0; i < n; i++) {
        sig_atomic_t before = sig_count;
        if (raise(SIGUSR1) != 0) return fail_errno("raise");
        if (sig_count != before + 1) return fail("handler did not run once per raise");
    }
    return 0;
}
static int check_signal_delivery(void)
{
    sig_count = 0;
    for (int i = 1; i <= 10; i++) {
        if (raise(SIGUSR1) != 0) return fail_errno("raise");
        if (sig_count != i) return fail("after %d raises the handler ran %d times", i, (int)sig_count);
    }
    return CK_OK;
}

/* epoll_wait */
static int setup_epoll(void)
{
    fd_a = epoll_create1(EPOLL_CLOEXEC);
    if (fd_a < 0) return fail_errno("epoll_create1");
    fd_b = eventfd(0, EFD_CLOEXEC);
    if (fd_b < 0) return fail_errno("eventfd");
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 };
    if (epoll_ctl(fd_a, EPOLL_CTL_ADD, fd_b, &ev) != 0) return fail_errno("epoll_ctl ADD");
    return 0;
}
static int run_epoll_wait(long n)
{
    struct epoll_event ev;
    for (long i = 0; i < n; i++) {
        int r = epoll_wait(fd_a, &ev, 1, 0);
        if (r != 0) return r < 0 ? fail_errno("epoll_wait") : fail("epoll_wait: %d events, want 0", r);
    }
    return 0;
}
static int check_epoll_wait(void)
{
    struct epoll_event ev;
    int r = epoll_wait(fd_a, &ev, 1, 0);
    if (r != 0) return fail("epoll_wait on an empty eventfd returned %d, want 0", r);
    uint64_t v = 1;
    if (write(fd_b, &v, 8) != 8) return fail_errno("write eventfd");
    memset(&ev, 0, sizeof ev);
    r = epoll_wait(fd_a, &ev, 1, 0);
    if (r != 1 || !(ev.events & EPOLLIN) || ev.data.u64 != 7)
        return fail("after a write, epoll_wait returned %d (events 0x%x), want 1 EPOLLIN", r, (unsigned)ev.events);
    if (read(fd_b, &v, 8) != 8) return fail_errno("read eventfd");
    r = epoll_wait(fd_a, &ev, 1, 0);
    if (r != 0) return fail("after draining, epoll_wait returned %d, want 0", r);
    return CK_OK;
}

/* poll */
static int run_poll(long n)
{
    struct pollfd p = { .fd = fd_a, .events = POLLIN | POLLOUT };
    for (long i = 0; i < n; i++) {
        int r = poll(&p, 1, 0);
        if (r != 1) return r < 0 ? fail_errno("poll") : fail("poll /dev/null returned %d, want 1", r);
    }
    return 0;
}
static int check_poll(void)
{
    struct pollfd p = { .fd = fd_a, .events = POLLIN | POLLOUT };
    int r = poll(&p, 1, 0);
    if (r != 1) return fail("poll /dev/null returned %d, want 1", r);
    if (p.revents != (POLLIN | POLLOUT)) return fail("poll /dev/null revents 0x%x, want POLLIN|POLLOUT (0x%x)", (unsigned)p.revents, (unsigned)(POLLIN | POLLOUT));
    return CK_OK;
}

/* eventfd */
static int setup_eventfd(void)
{
    fd_a = eventfd(0, EFD_CLOEXEC);
    if (fd_a < 0) return fail_errno("eventfd");
    return 0;
}
static int run_eventfd(long n)
{
    uint64_t v = 1;
    for (long i = 0; i < n; i++) {
        if (write(fd_a, &v, 8) != 8) return fail_errno("write eventfd");
        if (read(fd_a, &v, 8) != 8) return fail_errno("read eventfd");
    }
    return 0;
}
static int check_eventfd(void)
{
    uint64_t v = 42, r = 0;
    if (write(fd_a, &v, 8) != 8) return fail_errno("write eventfd");
    if (read(fd_a, &r, 8) != 8) return fail_errno("read eventfd");
    if (r != 42) return fail("eventfd read back %llu, want 42", (unsigned long long)r);
    v = 3;
    if (write(fd_a, &v, 8) != 8) return fail_errno("write eventfd");
    v = 4;
    if (write(fd_a, &v, 8) != 8) return fail_errno("write eventfd");
    if (read(fd_a, &r, 8) != 8) return fail_errno("read eventfd");
    if (r != 7) return fail("eventfd: writes of 3 and 4 read back %llu, want 7", (unsigned long long)r);
    if (fcntl(fd_a, F_SETFL, O_NONBLOCK) != 0) return fail_errno("fcntl");
    ssize_t x = read(fd_a, &r, 8);
    if (x != -1 || errno != EAGAIN) return fail("read of a zero eventfd did not fail with EAGAIN");
    return CK_OK;
}

/* getdents64 */
static int run_getdents64(long n)
{
    char b[1024] __attribute__((aligned(8)));
    for (long i = 0; i < n; i++) {
        int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return fail_errno("open /tmp");
        if (syscall(SYS_getdents64, fd, b, sizeof b) < 0) { int e = errno; close(fd); errno = e; return fail_errno("getdents64"); }
        if (close(fd) != 0) return fail_errno("close");
    }
    return 0;
}
struct linux_dirent64 { uint64_t d_ino; int64_t d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };
static int check_getdents64(void)
{
    char mine[128];
    tpath(mine, sizeof mine, "dentry");
    if (write_file(mine, "", 0)) return -1;
    const char *base = strrchr(mine, '/') + 1;
    char b[1024] __attribute__((aligned(8)));
    int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail_errno("open /tmp");
    int first = 1, first_entries = 0, dot = 0, dotdot = 0, found = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, b, sizeof b);
        if (n < 0) { close(fd); return fail_errno("getdents64"); }
        if (n == 0) break;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *d = (struct linux_dirent64 *)(b + off);
            if (d->d_reclen == 0 || off + d->d_reclen > n) { close(fd); return fail("getdents64: bad d_reclen %u", d->d_reclen); }
            if (first) first_entries++;
            if (strcmp(d->d_name, ".") == 0) dot = 1;
            else if (strcmp(d->d_name, "..") == 0) dotdot = 1;
            else if (strcmp(d->d_name, base) == 0) found = 1;
            off += d->d_reclen;
        }
        first = 0;
    }
    close(fd);
    if (first_entries < 2) return fail("the first 1 KiB getdents64 returned %d entries, want >= 2", first_entries);
    if (!dot || !dotdot) return fail("/tmp listing lacks \"%s\"", dot ? ".." : ".");
    if (!found) return fail("/tmp listing lacks the file %s created", base);
    return CK_OK;
}

/* socketpair */
static int run_socketpair(long n)
{
    int sv[2];
    for (long i = 0; i < n; i++) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return fail_errno("socketpair");
        if (close(sv[0]) != 0 || close(sv[1]) != 0) return fail_errno("close");
    }
    return 0;
}
static int check_socketpair(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return fail_errno("socketpair");
    fd_a = sv[0]; fd_b = sv[1];
    char b[8] = { 0 };
    if (write(fd_a, "ping", 4) != 4) return fail_errno("write socket 0");
    if (read(fd_b, b, 4) != 4 || memcmp(b, "ping", 4) != 0) return fail("socket 1 did not receive ping");
    if (write(fd_b, "pong", 4) != 4) return fail_errno("write socket 1");
    if (read(fd_a, b, 4) != 4 || memcmp(b, "pong", 4) != 0) return fail("socket 0 did not receive pong");
    close_fd(&fd_b);
    if (read(fd_a, b, 4) != 0) return fail("no end of file after the peer closed");
    return CK_OK;
}

/* pipe_pingpong: fd_a -> child (write end in parent), fd_b <- child */
static int setup_pingpong(void)
{
    int to[2], from[2];
    if (pipe2(to, O_CLOEXEC) != 0) return fail_errno("pipe");
    if (pipe2(from, O_CLOEXEC) != 0) { close(to[0]); close(to[1]); return fail_errno("pipe"); }
    fflush(NULL);
    pid_t p = fork();
    if (p < 0) {
        int e = errno;
        close(to[0]); close(to[1]); close(from[0]); close(from[1]);
        errno = e;
        return fail_errno("fork");
    }
    if (p == 0) {
        close(to[1]); close(from[0]);
        char c;
        for (;;) {
            ssize_t r = read(to[0], &c, 1);
            if (r <= 0) _exit(r == 0 ? 0 : 1);
            if (write(from[1], &c, 1) != 1) _exit(2);
        }
    }
    child_pid = p;
    close(to[0]); close(from[1]);
    fd_a = to[1]; fd_b = from[0];
    /* a dead child must give EPIPE, not kill us */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, &saved_pipe_sa) == 0) saved_pipe_valid = 1;
    return 0;
}
static int run_pipe_pingpong(long n)
{
    char c = 'p';
    for (long i = 0; i < n; i++) {
        if (write(fd_a, &c, 1) != 1) return fail_errno("write to child");
        ssize_t r = read(fd_b, &c, 1);
        if (r != 1) return r < 0 ? fail_errno("read from child") : fail("read from child: end of file (child died)");
    }
    return 0;
}
static int check_pipe_pingpong(void)
{
    for (int i = 0; i < 256; i++) {
        unsigned char c = (unsigned char)i, r = 0;
        if (write(fd_a, &c, 1) != 1) return fail_errno("write to child");
        if (read(fd_b, &r, 1) != 1) return fail("read from child failed at byte %d", i);
        if (r != c) return fail("sent byte %d, got %d back", c, r);
    }
    /* the child exits 0 on end of file */
    close_fd(&fd_a);
    int st;
    if (waitpid(child_pid, &st, 0) != child_pid) return fail_errno("waitpid");
    child_pid = -1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { char s[64]; describe_status(s, sizeof s, st); return fail("echo child: %s", s); }
    return CK_OK;
}

/* waitid */
static int setup_waitid(void)
{
    if (reap_zombies()) return fail("waitid: a child process is running; the benchmark needs none");
    siginfo_t si;
    int r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
    if (r == -1 && errno == ECHILD) return 0;
    if (r == -1) return fail_errno("waitid");
    return fail("waitid with no children returned %d, want -1 ECHILD", r);
}
static int run_waitid(long n)
{
    siginfo_t si;
    for (long i = 0; i < n; i++)
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) != -1 || errno != ECHILD)
            return fail("waitid: want -1 ECHILD (no children) at iteration %ld", i);
    return 0;
}
static int check_waitid(void)
{
    siginfo_t si;
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) != -1 || errno != ECHILD) return fail("waitid with no children: want -1 ECHILD");
    /* and with one exited child it reports that child */
    fflush(NULL);
    pid_t p = fork();
    if (p < 0) return CK_OK; /* fork missing: the ECHILD part is what the benchmark uses */
    if (p == 0) _exit(5);
    memset(&si, 0, sizeof si);
    if (waitid(P_ALL, 0, &si, WEXITED) != 0) return fail_errno("waitid (one child)");
    if (si.si_pid != p || si.si_code != CLD_EXITED || si.si_status != 5)
        return fail("waitid reported pid %d code %d status %d, want pid %d CLD_EXITED 5", (int)si.si_pid, si.si_code, si.si_status, (int)p);
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) != -1 || errno != ECHILD) return fail("waitid after reaping: want -1 ECHILD");
    return CK_OK;
}

/* getuid */
static int run_getuid(long n)
{
    volatile uid_t sink;
    for (long i = 0; i < n; i++) sink = getuid();
    (void)sink;
    return 0;
}
static int check_getuid(void)
{
    uid_t u = getuid();
    long raw = syscall(SYS_getuid);
    if (raw < 0) return fail_errno("getuid");
    if ((long)u != raw) return fail("getuid %ld != raw getuid %ld", (long)u, raw);
    if (geteuid() != (uid_t)syscall(SYS_geteuid)) return fail("geteuid disagrees with the raw syscall");
    return CK_OK;
}

/* exec_true */
static int setup_exec_true(void)
{
    if (!find_prog("true", prog_path, sizeof prog_path)) return fail("true: not found in PATH, /bin or /usr/bin");
    cmd_argv[0] = "true"; cmd_argv[1] = NULL;
    return spawn_checked(prog_path, cmd_argv);
}
static int run_spawn(long n)
{
    for (long i = 0; i < n; i++) {
        int st;
        if (spawn_fast(prog_path, cmd_argv, &st)) return -1;
        if (st != 0) {
            char s[64];
            describe_status(s, sizeof s, st);
            return fail("%s: %s", cmd_argv[0], s);
        }
    }
    return 0;
}
static int check_exec_true(void)
{
    for (int i = 0; i < 3; i++) {
        int st;
        if (spawn_fast(prog_path, cmd_argv, &st)) return -1;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { char s[64]; describe_status(s, sizeof s, st); return fail("%s: %s", prog_path, s); }
    }
    /* a failing program is seen as failing (exec really ran something) */
    char f[256];
    if (find_prog("false", f, sizeof f)) {
        char *av[] = { "false", NULL };
        int st;
        if (spawn_fast(f, av, &st)) return -1;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 1) return fail("%s did not exit 1", f);
    }
    return CK_OK;
}

/* shell-based: sh -c CMD */
static int find_sh(void)
{
    if (!find_prog("sh", sh_path, sizeof sh_path)) return fail("sh: not found in PATH, /bin or /usr/bin");
    snprintf(prog_path, sizeof prog_path, "%s", sh_path);
    return 0;
}
/* prepares cmd_argv = { "sh", "-c", cmd } and tries it once; `tools` names
 * the programs the command needs, for a useful reason when one is missing */
static int setup_sh_cmd(const char *cmd, const char *const tools[])
{
    if (find_sh()) return -1;
    snprintf(cmd_buf, sizeof cmd_buf, "%s", cmd);
    cmd_argv[0] = "sh"; cmd_argv[1] = "-c"; cmd_argv[2] = cmd_buf; cmd_argv[3] = NULL;
    char tmp[256];
    for (int i = 0; tools && tools[i]; i++)
        if (!find_in_path(tools[i], tmp, sizeof tmp)) {
            const char *p = getenv("PATH");
            return fail("%s: not found in PATH=%s", tools[i], p ? p : "(unset)");
        }
    return spawn_checked(sh_path, cmd_argv);
}
/* runs `sh -c cmd` (diagnostic form), for checks */
static int sh_run(const char *cmd)
{
    char *av[] = { "sh", "-c", (char *)cmd, NULL };
    return spawn_checked(sh_path, av);
}
static int check_output(const char *path, const char *want)
{
    size_t len;
    char *got = read_file(path, &len);
    if (!got) return -1;
    int ok = len == strlen(want) && memcmp(got, want, len) == 0;
    if (!ok) {
        size_t i = 0;
        while (i < len && got[i] == want[i]) i++;
        fail("output differs from the expected text at byte %zu (got %zu bytes, want %zu)", i, len, strlen(want));
    }
    free(got);
    return ok ? 0 : -1;
}

static int setup_shell_noop(void) { return setup_sh_cmd("true", NULL); }
static int check_shell_noop(void)
{
    if (run_spawn(3)) return -1;
    /* the shell really runs its command: exit status and a side effect */
    char *av[] = { "sh", "-c", "exit 3", NULL };
    int st;
    if (spawn_fast(sh_path, av, &st)) return -1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 3) return fail("sh -c 'exit 3' did not exit 3");
    tpath(path_b, sizeof path_b, "out");
    reg(path_b);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "echo shell-ok > %s", path_b);
    if (sh_run(cmd)) return -1;
    return check_output(path_b, "shell-ok\n");
}

/* pipe_grep */
static struct sbuf grep_expected;
static int setup_pipe_grep(void)
{
    struct sbuf in = { 0 };
    free(grep_expected.p);
    memset(&grep_expected, 0, sizeof grep_expected);
    const char *fruit[] = { "banana", "cherry", "apple pie", "grape", "pineapple", "melon", "plum" };
    for (int i = 0; i < 100; i++) {
        sb_printf(&in, "line %03d: %s\n", i, fruit[i % 7]);
        if (strstr(fruit[i % 7], "apple")) sb_printf(&grep_expected, "line %03d: %s\n", i, fruit[i % 7]);
    }
    tpath(path_a, sizeof path_a, "grep");
    int r = write_file(path_a, in.p, in.len);
    free(in.p);
    if (r) return -1;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "grep apple %s > /dev/null", path_a);
    const char *tools[] = { "grep", NULL };
    return setup_sh_cmd(cmd, tools);
}
static int check_pipe_grep(void)
{
    if (run_spawn(2)) return -1;
    tpath(path_b, sizeof path_b, "out");
    reg(path_b);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "grep apple %s > %s", path_a, path_b);
    if (sh_run(cmd)) return -1;
    return check_output(path_b, grep_expected.p);
}

/* file_tree */
static int setup_file_tree(void)
{
    tpath(path_a, sizeof path_a, "tree");
    reg(path_a);
    rm_rf(path_a);
    for (int i = 0; i < 10; i++)
        snprintf(file_tree_names[i], sizeof file_tree_names[i], "%s/f%d", path_a, i);
    return 0;
}
static int run_file_tree_once(int *entries)
{
    if (mkdir(path_a, 0755) != 0) return fail_errno("mkdir %s", path_a);
    for (int i = 0; i < 10; i++) {
        int fd = open(file_tree_names[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) return fail_errno("create %s", file_tree_names[i]);
        if (close(fd) != 0) return fail_errno("close");
    }
    DIR *d = opendir(path_a);
    if (!d) return fail_errno("opendir %s", path_a);
    int n = 0;
    errno = 0;
    while (readdir(d)) n++;
    if (errno) { int e = errno; closedir(d); errno = e; return fail_errno("readdir %s", path_a); }
    closedir(d);
    if (n != 12) return fail("readdir of %s found %d entries, want 12", path_a, n);
    for (int i = 0; i < 10; i++)
        if (unlink(file_tree_names[i]) != 0) return fail_errno("unlink %s", file_tree_names[i]);
    if (rmdir(path_a) != 0) return fail_errno("rmdir %s", path_a);
    if (entries) *entries = n;
    return 0;
}
static int run_file_tree(long n)
{
    for (long i = 0; i < n; i++)
        if (run_file_tree_once(NULL)) return -1;
    return 0;
}
static int check_file_tree(void)
{
    for (int k = 0; k < 3; k++) {
        int n = 0;
        if (run_file_tree_once(&n)) return -1;
        struct stat st;
        if (lstat(path_a, &st) != -1 || errno != ENOENT) return fail("%s still exists after rmdir", path_a);
        for (int i = 0; i < 10; i++)
            if (lstat(file_tree_names[i], &st) != -1) return fail("%s still exists", file_tree_names[i]);
    }
    return CK_OK;
}

/* sed_pipeline */
static struct sbuf sed_expected;
#define SED_CMD "sed -e 's/quick/slow/g' -e 's/dog/cat/'"
static int setup_sed(void)
{
    struct sbuf in = { 0 };
    free(sed_expected.p);
    memset(&sed_expected, 0, sizeof sed_expected);
    for (int i = 0; i < 200; i++) {
        if (i % 3 == 0) {
            sb_printf(&in, "%03d the quick brown fox jumps over the lazy dog, quick dog\n", i);
            sb_printf(&sed_expected, "%03d the slow brown fox jumps over the lazy cat, slow dog\n", i);
        } else {
            sb_printf(&in, "%03d nothing to change on this line\n", i);
            sb_printf(&sed_expected, "%03d nothing to change on this line\n", i);
        }
    }
    tpath(path_a, sizeof path_a, "sed");
    int r = write_file(path_a, in.p, in.len);
    free(in.p);
    if (r) return -1;
    char cmd[300];
    snprintf(cmd, sizeof cmd, SED_CMD " %s > /dev/null", path_a);
    const char *tools[] = { "sed", NULL };
    return setup_sh_cmd(cmd, tools);
}
static int check_sed(void)
{
    if (run_spawn(2)) return -1;
    tpath(path_b, sizeof path_b, "out");
    reg(path_b);
    char cmd[400];
    snprintf(cmd, sizeof cmd, SED_CMD " %s > %s", path_a, path_b);
    if (sh_run(cmd)) return -1;
    return check_output(path_b, sed_expected.p);
}

/* sort_uniq: 10 words, counts 5, 15, ..., 95 (sum 500), interleaved */
static int setup_sort_uniq(void)
{
    struct sbuf in = { 0 };
    int left[10];
    for (int w = 0; w < 10; w++) left[w] = 5 + 10 * w;
    int lines = 0;
    for (int round = 0; lines < 500; round++)
        for (int w = 0; w < 10; w++) {
            int k = (w * 7 + round * 3) % 10; /* a scrambled order */
            if (left[k] > 0) { sb_printf(&in, "word%02d\n", k); left[k]--; lines++; }
        }
    tpath(path_a, sizeof path_a, "sort");
    int r = write_file(path_a, in.p, in.len);
    free(in.p);
    if (r) return -1;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "sort %s | uniq -c | sort -rn > /dev/null", path_a);
    const char *tools[] = { "sort", "uniq", NULL };
    return setup_sh_cmd(cmd, tools);
}
static int check_sort_uniq(void)
{
    if (run_spawn(2)) return -1;
    tpath(path_b, sizeof path_b, "out");
    reg(path_b);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "sort %s | uniq -c | sort -rn > %s", path_a, path_b);
    if (sh_run(cmd)) return -1;
    size_t len;
    char *got = read_file(path_b, &len);
    if (!got) return -1;
    /* uniq -c pads the count differently in GNU and BusyBox: compare fields */
    char *save = NULL, *line = strtok_r(got, "\n", &save);
    int w = 9, bad = 0;
    for (; line; line = strtok_r(NULL, "\n", &save), w--) {
        int count;
        char word[32];
        if (w < 0 || sscanf(line, " %d %31s", &count, word) != 2) { bad = 1; break; }
        char want[16];
        snprintf(want, sizeof want, "word%02d", w);
        if (count != 5 + 10 * w || strcmp(word, want) != 0) { bad = 1; break; }
    }
    if (!bad && w != -1) bad = 1;
    free(got);
    if (bad) return fail("sort | uniq -c | sort -rn output is not the 10 expected \"count word\" lines in order");
    return CK_OK;
}

/* tar_extract: 20 files archived at setup with tar, extracted per iteration */
static int setup_tar(void)
{
    char tar[256];
    if (!find_prog("tar", tar, sizeof tar)) {
        const char *p = getenv("PATH");
        return fail("tar: not found in PATH=%s, /bin, /usr/bin, /sbin or /usr/sbin", p ? p : "(unset)");
    }
    snprintf(prog_path, sizeof prog_path, "%s", tar);
    tpath(path_a, sizeof path_a, "tarsrc");
    tpath(path_b, sizeof path_b, "tar");
    tpath(path_c, sizeof path_c, "tarout");
    reg(path_a); reg(path_b); reg(path_c);
    rm_rf(path_a); rm_rf(path_c);
    if (mkdir(path_a, 0755) != 0) return fail_errno("mkdir %s", path_a);
    if (mkdir(path_c, 0755) != 0) return fail_errno("mkdir %s", path_c);
    static char names[20][8];
    char *av[32];
    int ac = 0;
    av[ac++] = "tar"; av[ac++] = "-cf"; av[ac++] = path_b; av[ac++] = "-C"; av[ac++] = path_a;
    for (int i = 0; i < 20; i++) {
        snprintf(names[i], sizeof names[i], "f%02d", i);
        char p[256];
        snprintf(p, sizeof p, "%s/%s", path_a, names[i]);
        struct sbuf c = { 0 };
        for (int j = 0; j <= i; j++) sb_printf(&c, "file %02d line %02d\n", i, j);
        int r = write_file(p, c.p, c.len);
        free(c.p);
        if (r) return -1;
        av[ac++] = names[i];
    }
    av[ac] = NULL;
    if (spawn_checked(prog_path, av)) return -1;
    static char *xav[8];
    xav[0] = "tar"; xav[1] = "-xf"; xav[2] = path_b; xav[3] = "-C"; xav[4] = path_c; xav[5] = NULL;
    for (int i = 0; i < 6; i++) cmd_argv[i] = xav[i];
    return spawn_checked(prog_path, cmd_argv);
}
static int check_tar(void)
{
    rm_rf(path_c);
    if (mkdir(path_c, 0755) != 0) return fail_errno("mkdir %s", path_c);
    if (run_spawn(2)) return -1;
    for (int i = 0; i < 20; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/f%02d", path_c, i);
        struct sbuf c = { 0 };
        for (int j = 0; j <= i; j++) sb_printf(&c, "file %02d line %02d\n", i, j);
        int r = check_output(p, c.p);
        free(c.p);
        if (r) return fail("extracted f%02d: %s", i, g_err);
    }
    DIR *d = opendir(path_c);
    if (!d) return fail_errno("opendir %s", path_c);
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    if (n != 22) return fail("extraction produced %d entries, want 20 files", n - 2);
    return CK_OK;
}

/* ------------------------------------------------------------------------ */
/* The ten added after the seed (docs/benchmarks.md, after tar_extract).     */

/* statx: raw syscall (musl before 1.2.5 has no wrapper); the fields read are
 * struct statx's fixed offsets (include/uapi/linux/stat.h). */
#ifndef SYS_statx
#define SYS_statx 332
#endif
#define BENCH_STATX_BASIC_STATS 0x7ffU
#define BENCH_AT_STATX_SYNC_AS_STAT 0
static unsigned char statx_buf[256] __attribute__((aligned(8)));
static long do_statx(const char *path)
{
    return syscall(SYS_statx, AT_FDCWD, path, BENCH_AT_STATX_SYNC_AS_STAT, BENCH_STATX_BASIC_STATS, statx_buf);
}
static int run_statx(long n)
{
    for (long i = 0; i < n; i++)
        if (do_statx("/tmp") != 0) return fail_errno("statx /tmp");
    return 0;
}
static int check_statx(void)
{
    memset(statx_buf, 0xaa, sizeof statx_buf);
    if (do_statx("/tmp") != 0) return fail_errno("statx /tmp");
    uint32_t mask, nlink;
    uint16_t mode;
    uint64_t ino;
    memcpy(&mask, statx_buf + 0, 4);
    memcpy(&nlink, statx_buf + 16, 4);
    memcpy(&mode, statx_buf + 28, 2);
    memcpy(&ino, statx_buf + 32, 8);
    if ((mask & 0x103) != 0x103) return fail("statx mask 0x%x lacks TYPE|MODE|INO", mask);
    struct stat st;
    if (stat("/tmp", &st) != 0) return fail_errno("stat /tmp");
    if (!S_ISDIR(mode)) return fail("statx /tmp: mode 0%o is not a directory", mode);
    if (ino != (uint64_t)st.st_ino) return fail("statx ino %llu != stat ino %llu", (unsigned long long)ino, (unsigned long long)st.st_ino);
    if (nlink < 2) return fail("statx /tmp: nlink %u < 2", nlink);
    errno = 0;
    if (do_statx("/nonexistent-bench-path") != -1 || errno != ENOENT) return fail("statx of a missing path did not give ENOENT");
    return CK_OK;
}

/* getsid */
static int run_getsid(long n)
{
    for (long i = 0; i < n; i++)
        if (getsid(0) < 0) return fail_errno("getsid");
    return 0;
}
static int check_getsid(void)
{
    /* 0 is a valid answer: getsid reports 0 when the session leader lives
     * outside the caller's PID namespace (pid_vnr of an invisible pid), as
     * it does for a CI job started inside a container without setsid. */
    pid_t s = getsid(0);
    if (s < 0) return fail_errno("getsid");
    if (getsid(getpid()) != s) return fail("getsid(getpid()) != getsid(0)");
    long raw = syscall(SYS_getsid, 0);
    if (raw != (long)s) return fail("raw getsid %ld != libc %ld", raw, (long)s);
    return CK_OK;
}

/* getrlimit / prlimit64 / setrlimit on RLIMIT_NOFILE */
static struct rlimit saved_nofile;
static int setup_rlimit(void)
{
    if (getrlimit(RLIMIT_NOFILE, &saved_nofile) != 0) return fail_errno("getrlimit RLIMIT_NOFILE");
    return 0;
}
static int run_getrlimit(long n)
{
    struct rlimit r;
    for (long i = 0; i < n; i++)
        if (getrlimit(RLIMIT_NOFILE, &r) != 0) return fail_errno("getrlimit");
    return 0;
}
static int check_getrlimit(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return fail_errno("getrlimit");
    if (r.rlim_cur > r.rlim_max) return fail("soft limit %llu above hard limit %llu", (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
    if (r.rlim_cur < 3) return fail("RLIMIT_NOFILE soft limit %llu < 3", (unsigned long long)r.rlim_cur);
    return CK_OK;
}
static int run_prlimit64(long n)
{
    struct rlimit old;
    for (long i = 0; i < n; i++)
        if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old) != 0) return fail_errno("prlimit64");
    return 0;
}
static int check_prlimit64(void)
{
    struct rlimit old, r;
    if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old) != 0) return fail_errno("prlimit64");
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return fail_errno("getrlimit");
    if (old.rlim_cur != r.rlim_cur || old.rlim_max != r.rlim_max) return fail("prlimit64 and getrlimit disagree");
    errno = 0;
    if (syscall(SYS_prlimit64, 0, 1000, NULL, &old) != -1 || errno != EINVAL) return fail("prlimit64 of resource 1000 did not give EINVAL");
    return CK_OK;
}
static int run_setrlimit(long n)
{
    for (long i = 0; i < n; i++)
        if (setrlimit(RLIMIT_NOFILE, &saved_nofile) != 0) return fail_errno("setrlimit");
    return 0;
}
static int check_setrlimit(void)
{
    struct rlimit low = saved_nofile, r;
    low.rlim_cur = 64;
    if (setrlimit(RLIMIT_NOFILE, &low) != 0) return fail_errno("setrlimit soft 64");
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return fail_errno("getrlimit");
    int ok = r.rlim_cur == 64 && r.rlim_max == saved_nofile.rlim_max;
    /* fd 64 is now beyond the limit */
    errno = 0;
    int over = fcntl(0, F_DUPFD, 64) == -1 && errno == EINVAL;
    if (setrlimit(RLIMIT_NOFILE, &saved_nofile) != 0) return fail_errno("setrlimit restore");
    if (!ok) return fail("getrlimit after setrlimit(64) reads %llu/%llu", (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
    if (!over) return fail("F_DUPFD 64 under a soft limit of 64 did not give EINVAL");
    low.rlim_cur = saved_nofile.rlim_max;
    low.rlim_max = saved_nofile.rlim_max;
    if (low.rlim_max != RLIM_INFINITY) {
        low.rlim_cur = low.rlim_max + 1;
        errno = 0;
        if (setrlimit(RLIMIT_NOFILE, &low) != -1 || errno != EINVAL) return fail("soft limit above the hard limit did not give EINVAL");
    }
    return CK_OK;
}

/* fcntl_lock / flock on a /tmp file */
static int setup_lockfile(void)
{
    if (setup_tmpfile()) return -1;
    return open_into(&fd_a, path_a, O_RDWR);
}
static int set_lock(int fd, short type)
{
    struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
    return fcntl(fd, F_SETLK, &l);
}
static int run_fcntl_lock(long n)
{
    for (long i = 0; i < n; i++) {
        if (set_lock(fd_a, F_WRLCK) != 0) return fail_errno("fcntl F_SETLK F_WRLCK");
        if (set_lock(fd_a, F_UNLCK) != 0) return fail_errno("fcntl F_SETLK F_UNLCK");
    }
    return 0;
}
static int check_fcntl_lock(void)
{
    /* A lock is seen by another process: F_GETLK in a child reports it. */
    if (set_lock(fd_a, F_WRLCK) != 0) return fail_errno("fcntl F_SETLK F_WRLCK");
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) return fail_errno("fork");
    if (pid == 0) {
        struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 1 };
        if (fcntl(fd_a, F_GETLK, &l) != 0) _exit(2);
        if (l.l_type != F_WRLCK || l.l_pid != parent || l.l_start != 0 || l.l_len != 100) _exit(3);
        struct flock w = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
        if (fcntl(fd_a, F_SETLK, &w) != -1 || (errno != EAGAIN && errno != EACCES)) _exit(4);
        _exit(0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) return fail_errno("waitpid");
    if (set_lock(fd_a, F_UNLCK) != 0) return fail_errno("fcntl F_SETLK F_UNLCK");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char s[64];
        describe_status(s, sizeof s, st);
        return fail("the child's view of the lock was wrong (%s: 2 F_GETLK failed, 3 lock not reported, 4 conflicting F_SETLK did not fail)", s);
    }
    return CK_OK;
}
static int run_flock(long n)
{
    for (long i = 0; i < n; i++) {
        if (flock(fd_a, LOCK_EX) != 0) return fail_errno("flock LOCK_EX");
        if (flock(fd_a, LOCK_UN) != 0) return fail_errno("flock LOCK_UN");
    }
    return 0;
}
static int check_flock(void)
{
    /* A second open file description conflicts with the first's lock. */
    if (open_into(&fd_b, path_a, O_RDWR)) return -1;
    if (flock(fd_a, LOCK_EX) != 0) return fail_errno("flock LOCK_EX");
    errno = 0;
    int blocked = flock(fd_b, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
    if (flock(fd_a, LOCK_UN) != 0) return fail_errno("flock LOCK_UN");
    if (!blocked) return fail("LOCK_EX|LOCK_NB on a second open of a locked file did not give EWOULDBLOCK");
    if (flock(fd_b, LOCK_EX | LOCK_NB) != 0) return fail_errno("flock LOCK_EX|LOCK_NB after the unlock");
    if (flock(fd_b, LOCK_UN) != 0) return fail_errno("flock LOCK_UN");
    return CK_OK;
}

/* setsockopt / getsockopt: SO_REUSEADDR on an AF_UNIX stream socket */
static int setup_unix_socket(void)
{
    fd_a = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd_a < 0) return fail_errno("socket AF_UNIX");
    int one = 1;
    if (setsockopt(fd_a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return fail_errno("setsockopt SO_REUSEADDR");
    return 0;
}
static int run_setsockopt(long n)
{
    int one = 1;
    for (long i = 0; i < n; i++)
        if (setsockopt(fd_a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return fail_errno("setsockopt SO_REUSEADDR");
    return 0;
}
static int get_reuseaddr(int *v)
{
    socklen_t len = sizeof *v;
    *v = -1;
    if (getsockopt(fd_a, SOL_SOCKET, SO_REUSEADDR, v, &len) != 0) return fail_errno("getsockopt SO_REUSEADDR");
    if (len != sizeof *v) return fail("getsockopt SO_REUSEADDR returned length %u", (unsigned)len);
    return 0;
}
static int run_getsockopt(long n)
{
    int v;
    for (long i = 0; i < n; i++)
        if (get_reuseaddr(&v)) return -1;
    return 0;
}
static int check_sockopt(void)
{
    int v, zero = 0, one = 1;
    if (get_reuseaddr(&v)) return -1;
    if (v != 1) return fail("SO_REUSEADDR reads %d after setting 1", v);
    if (setsockopt(fd_a, SOL_SOCKET, SO_REUSEADDR, &zero, sizeof zero) != 0) return fail_errno("setsockopt SO_REUSEADDR 0");
    if (get_reuseaddr(&v)) return -1;
    if (v != 0) return fail("SO_REUSEADDR reads %d after setting 0", v);
    if (setsockopt(fd_a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return fail_errno("setsockopt SO_REUSEADDR 1");
    socklen_t len = sizeof v;
    if (getsockopt(fd_a, SOL_SOCKET, SO_TYPE, &v, &len) != 0) return fail_errno("getsockopt SO_TYPE");
    if (v != SOCK_STREAM) return fail("SO_TYPE reads %d, want SOCK_STREAM", v);
    errno = 0;
    if (setsockopt(fd_a, SOL_SOCKET, SO_REUSEADDR, &one, 1) != -1 || errno != EINVAL) return fail("a 1-byte SO_REUSEADDR did not give EINVAL");
    return CK_OK;
}

/* exec_true_posix_spawn: posix_spawn of /bin/true + waitpid */
static int posix_spawn_wait(const char *path, char *const argv[], int *status)
{
    pid_t pid;
    int r = posix_spawn(&pid, path, NULL, NULL, argv, environ);
    if (r != 0) { errno = r; return fail_errno("posix_spawn %s", path); }
    if (waitpid(pid, status, 0) != pid) return fail_errno("waitpid");
    return 0;
}
static int run_posix_spawn(long n)
{
    for (long i = 0; i < n; i++) {
        int st;
        if (posix_spawn_wait(prog_path, cmd_argv, &st)) return -1;
        if (st != 0) {
            char s[64];
            describe_status(s, sizeof s, st);
            return fail("%s: %s", cmd_argv[0], s);
        }
    }
    return 0;
}
static int check_posix_spawn(void)
{
    int st;
    for (int i = 0; i < 3; i++) {
        if (posix_spawn_wait(prog_path, cmd_argv, &st)) return -1;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { char s[64]; describe_status(s, sizeof s, st); return fail("%s: %s", prog_path, s); }
    }
    char f[256];
    if (find_prog("false", f, sizeof f)) {
        char *av[] = { "false", NULL };
        if (posix_spawn_wait(f, av, &st)) return -1;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 1) return fail("%s did not exit 1", f);
    }
    pid_t pid;
    char *av[] = { "missing", NULL };
    int r = posix_spawn(&pid, "/nonexistent-bench-program", NULL, NULL, av, environ);
    if (r == 0) {
        /* glibc and musl report exec failure as the return value; an old
         * libc may instead run a child that exits 127 */
        if (waitpid(pid, &st, 0) != pid) return fail_errno("waitpid");
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 127) return fail("posix_spawn of a missing program succeeded");
    } else if (r != ENOENT) {
        errno = r;
        return fail_errno("posix_spawn of a missing program: want ENOENT, got");
    }
    return CK_OK;
}

/* ------------------------------------------------------------------------ */
/* The table (order and names = docs/benchmarks.md; index = mark id's high bits) */

struct bench {
    const char *name;
    long ref_iters;
    int (*setup)(void);
    void (*before)(void);
    int (*run)(long iters);
    void (*after)(void);
    int (*check)(void);
};

static int setup_none(void) { return 0; }
static int setup_sigaction(void) { return save_usr1(); }
static int setup_sigprocmask(void) { return save_usr1(); }
static int setup_open_close(void) { return setup_tmpfile(); }
static int setup_lseek(void) { return setup_fstat(); }
static int setup_tmp_dir(void)
{
    struct stat st;
    if (stat("/tmp", &st) != 0) return fail_errno("stat /tmp");
    return 0;
}

static const struct bench benches[] = {
    { "getpid",          1000000, setup_none,           NULL, run_getpid,          NULL, check_getpid },
    { "read_null",        500000, setup_null_rw,        NULL, run_read_null,       NULL, check_read_null },
    { "write_null",       500000, setup_null_rw,        NULL, run_write_null,      NULL, check_write_null },
    { "pipe",                256, setup_pipe,           NULL, run_pipe,            NULL, check_pipe },
    { "fork_exit",           500, setup_fork,           NULL, run_fork_exit,       NULL, check_fork_exit },
    { "open_close",       100000, setup_open_close,     NULL, run_open_close,      NULL, check_open_close },
    { "mmap_fault",         4096, setup_none,           NULL, run_mmap_fault,      after_mmap_fault, check_mmap_fault },
    { "stat",             200000, setup_tmp_dir,        NULL, run_stat,            NULL, check_stat },
    { "gettid",          1000000, setup_none,           NULL, run_gettid,          NULL, check_gettid },
    { "clock_gettime",   1000000, setup_none,           NULL, run_clock_gettime,   NULL, check_clock_gettime },
    { "fcntl_getfl",     1000000, setup_null_rw,        NULL, run_fcntl_getfl,     NULL, check_fcntl_getfl },
    { "uname",            500000, setup_none,           NULL, run_uname,           NULL, check_uname },
    { "dup_close",        500000, setup_null_rw,        NULL, run_dup_close,       NULL, check_dup_close },
    { "fstat",            500000, setup_fstat,          NULL, run_fstat,           NULL, check_fstat },
    { "getcwd",           500000, setup_none,           NULL, run_getcwd,          NULL, check_getcwd },
    { "brk",              500000, setup_brk,            before_brk, run_brk,       NULL, check_brk },
    { "lseek",           1000000, setup_lseek,          NULL, run_lseek,           NULL, check_lseek },
    { "readlink",         200000, setup_readlink,       NULL, run_readlink,        NULL, check_readlink },
    { "access",           200000, setup_tmp_dir,        NULL, run_access,          NULL, check_access },
    { "mmap_munmap",      100000, setup_none,           NULL, run_mmap_munmap,     NULL, check_mmap_munmap },
    { "mprotect",         200000, setup_mprotect,       NULL, run_mprotect,        NULL, check_mprotect },
    { "sigaction",        500000, setup_sigaction,      NULL, run_sigaction,       NULL, check_sigaction },
    { "sigprocmask",      500000, setup_sigprocmask,    NULL, run_sigprocmask,     NULL, check_sigprocmask },
    { "pread",            500000, setup_null_rw,        NULL, run_pread,           NULL, check_pread },
    { "writev",           500000, setup_null_rw,        NULL, run_writev,          NULL, check_writev },
    { "sched_yield",      500000, setup_none,           NULL, run_sched_yield,     NULL, check_sched_yield },
    { "getpriority",      500000, setup_none,           NULL, run_getpriority,     NULL, check_getpriority },
    { "read_zero",        200000, setup_read_zero,      NULL, run_read_zero,       NULL, check_read_zero },
    { "signal_delivery",  200000, setup_signal_delivery, NULL, run_signal_delivery, NULL, check_signal_delivery },
    { "epoll_wait",       500000, setup_epoll,          NULL, run_epoll_wait,      NULL, check_epoll_wait },
    { "poll",             500000, setup_null_rw,        NULL, run_poll,            NULL, check_poll },
    { "eventfd",          500000, setup_eventfd,        NULL, run_eventfd,         NULL, check_eventfd },
    { "getdents64",       100000, setup_tmp_dir,        NULL, run_getdents64,      NULL, check_getdents64 },
    { "socketpair",       200000, setup_none,           NULL, run_socketpair,      NULL, check_socketpair },
    { "pipe_pingpong",     50000, setup_pingpong,       NULL, run_pipe_pingpong,   NULL, check_pipe_pingpong },
    { "waitid",           500000, setup_waitid,         NULL, run_waitid,          NULL, check_waitid },
    { "getuid",          1000000, setup_none,           NULL, run_getuid,          NULL, check_getuid },
    { "exec_true",           200, setup_exec_true,      NULL, run_spawn,           NULL, check_exec_true },
    { "shell_noop",          100, setup_shell_noop,     NULL, run_spawn,           NULL, check_shell_noop },
    { "pipe_grep",           100, setup_pipe_grep,      NULL, run_spawn,           NULL, check_pipe_grep },
    { "file_tree",            50, setup_file_tree,      NULL, run_file_tree,       NULL, check_file_tree },
    { "sed_pipeline",        100, setup_sed,            NULL, run_spawn,           NULL, check_sed },
    { "sort_uniq",            50, setup_sort_uniq,      NULL, run_spawn,           NULL, check_sort_uniq },
    { "tar_extract",          50, setup_tar,            NULL, run_spawn,           NULL, check_tar },
    /* added after the seed; appended so that the indices above (mark ids) stay */
    { "statx",            200000, setup_tmp_dir,        NULL, run_statx,           NULL, check_statx },
    { "getsid",          1000000, setup_none,           NULL, run_getsid,          NULL, check_getsid },
    { "getrlimit",       1000000, setup_none,           NULL, run_getrlimit,       NULL, check_getrlimit },
    { "prlimit64",       1000000, setup_none,           NULL, run_prlimit64,       NULL, check_prlimit64 },
    { "setrlimit",        500000, setup_rlimit,         NULL, run_setrlimit,       NULL, check_setrlimit },
    { "fcntl_lock",       200000, setup_lockfile,       NULL, run_fcntl_lock,      NULL, check_fcntl_lock },
    { "flock",            200000, setup_lockfile,       NULL, run_flock,           NULL, check_flock },
    { "setsockopt",       500000, setup_unix_socket,    NULL, run_setsockopt,      NULL, check_sockopt },
    { "getsockopt",       500000, setup_unix_socket,    NULL, run_getsockopt,      NULL, check_sockopt },
    { "exec_true_posix_spawn", 200, setup_exec_true,    NULL, run_posix_spawn,     NULL, check_posix_spawn },
};
#define NBENCH ((int)(sizeof benches / sizeof benches[0]))
_Static_assert(sizeof benches / sizeof benches[0] == 54, "the suite has 54 benchmarks");

/* ------------------------------------------------------------------------ */
/* Driver                                                                    */

/* --vmm-ports: Linux is the guest kernel (vmm bench --linux-kernel). Marks go
 * straight to the VMM's mark port and the exit status to its exit port,
 * after ioperm(2); the Swift kernel's mark system call does not exist there. */
static int g_vmm_ports;

static void mark(long id)
{
    if (g_vmm_ports) outl((unsigned)id, VMM_PORT_MARK);
    else syscall(VMM_SYSCALL_MARK, id);
}

/* Empty brackets: the marks and timestamps of a timed repetition with no
 * loop between them. What the guest spends on them (the mark system calls'
 * tails, the two clock reads) is subtracted from every bracket by the VMM, so
 * per-operation figures are the operation's alone. Index 0xffff, reps 0..2. */
#define CALIBRATION_INDEX 0xffff
static void calibration_brackets(void)
{
    for (long rep = 0; rep < 3; rep++) {
        long id = ((long)CALIBRATION_INDEX << 16) | (rep << 1);
        mark(id);
        int64_t t0 = now_ns();
        int64_t t1 = now_ns();
        mark(id | 1);
        (void)t0; (void)t1;
    }
}

/* One untimed run (calibration, warm-up): before, run, after. */
static int run_untimed(const struct bench *b, long iters, int64_t *elapsed)
{
    if (b->before) b->before();
    int64_t t0 = now_ns();
    int r = b->run(iters);
    int64_t t1 = now_ns();
    if (b->after) b->after();
    *elapsed = t1 - t0;
    return r;
}

struct opts {
    int quick, check, list;
    long budget_ms, repeat, warmup, iters;
    int warmup_set;
};

static void print_skipped(const char *name)
{
    printf("skipped name=%s reason=%s\n", name, g_err[0] ? g_err : "unknown");
}

static void finish_bench(void)
{
    teardown_common();
    reap_zombies();
    cleanup_tmp();
}

/* Returns 1 if a check failed. */
static int do_check(const struct bench *b)
{
    g_err[0] = 0;
    if (b->setup()) { print_skipped(b->name); finish_bench(); return 0; }
    fflush(NULL);
    /* the timed iteration itself, a few times, must work... */
    int64_t t;
    int r = run_untimed(b, 3, &t);
    if (r == 0) {
        /* ...and do what it should (b->check verifies its effects) */
        fflush(NULL);
        r = b->check();
    } else {
        char tmp[sizeof g_err];
        snprintf(tmp, sizeof tmp, "%s", g_err);
        fail("iteration: %s", tmp);
    }
    fflush(NULL);
    if (r == CK_OK) printf("check name=%s ok\n", b->name);
    else printf("check name=%s failed reason=%s\n", b->name, g_err[0] ? g_err : "unknown");
    finish_bench();
    return r != CK_OK;
}

static void do_bench(int idx, const struct opts *o)
{
    const struct bench *b = &benches[idx];
    g_err[0] = 0;
    if (b->setup()) { print_skipped(b->name); finish_bench(); return; }
    fflush(NULL);

    long iters;
    int64_t t;
    if (o->iters > 0) {
        iters = o->iters;
    } else if (o->quick) {
        /* one cold pass first (first fork, first page faults, the echo
         * child's first wake-up...), not used for the estimate */
        if (run_untimed(b, 1, &t)) { print_skipped(b->name); finish_bench(); return; }
        long c = 1;
        for (;;) {
            if (run_untimed(b, c, &t)) { print_skipped(b->name); finish_bench(); return; }
            if (t >= 1000000 || c >= b->ref_iters) break;
            c = c * 10 > b->ref_iters ? b->ref_iters : c * 10;
        }
        double per = (double)t / (double)c;
        double want = per > 0 ? (double)o->budget_ms * 1e6 / per : (double)b->ref_iters;
        iters = want < 1 ? 1 : want > (double)b->ref_iters ? b->ref_iters : (long)want;
        fprintf(stderr, "bench: %s: calibration %ld iters in %lld ns -> iters=%ld (reference %ld)\n",
                b->name, c, (long long)t, iters, b->ref_iters);
    } else {
        iters = b->ref_iters;
    }

    for (long w = 0; w < o->warmup; w++)
        if (run_untimed(b, iters, &t)) { print_skipped(b->name); finish_bench(); return; }

    int64_t *ns = calloc((size_t)o->repeat, sizeof *ns);
    for (long rep = 0; rep < o->repeat; rep++) {
        long id = ((long)idx << 16) | (rep << 1);
        if (b->before) b->before();
        mark(id);
        int64_t t0 = now_ns();
        int r = b->run(iters);
        int64_t t1 = now_ns();
        mark(id | 1);
        if (b->after) b->after();
        if (r) { free(ns); print_skipped(b->name); finish_bench(); return; }
        ns[rep] = t1 - t0;
    }
    /* printed only when every repetition succeeded: never a partial number */
    for (long rep = 0; rep < o->repeat; rep++)
        printf("result name=%s rep=%ld iters=%ld ns=%lld ns_per_op=%.1f\n", b->name, rep, iters,
               (long long)ns[rep], (double)ns[rep] / (double)iters);
    free(ns);
    finish_bench();
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench [--list] [--quick] [--budget-ms N] [--repeat N] [--warmup N] [--iters N] [--check] [--vmm-ports] [NAME ...]\n");
}

static int parse_long(const char *opt, const char *s, long min, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || *end || end == s || v < min) {
        fprintf(stderr, "bench: %s needs an integer >= %ld\n", opt, min);
        return -1;
    }
    *out = v;
    return 0;
}

/* As /init, fds 0-2 may be closed: keep them occupied so our own fds never
 * land on 1 (stdout) or 2. */
static void ensure_std_fds(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0) {
            int n = open("/dev/console", O_RDWR);
            if (n < 0) n = open("/dev/null", O_RDWR);
            if (n >= 0 && n != fd) { dup2(n, fd); close(n); }
        }
}

static int bench_main(int argc, char **argv);

int main(int argc, char **argv)
{
    int status = bench_main(argc, argv);
    if (g_vmm_ports) {
        /* The console is a tty on Linux's 8250 driver: wait until the UART
         * has sent everything (tcdrain) before the VM ends. */
        fflush(NULL);
        tcdrain(1);
        tcdrain(2);
        outb((unsigned char)status, VMM_PORT_EXIT);   /* ends the VM: vmm exits with it */
    }
    return status;
}

static int bench_main(int argc, char **argv)
{
    struct opts o = { .budget_ms = 20, .repeat = 5, .warmup = 1 };
    int sel[NBENCH * 4];
    int nsel = 0;

    ensure_std_fds();
    setvbuf(stdout, NULL, _IOLBF, 0);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--list")) o.list = 1;
        else if (!strcmp(a, "--quick")) o.quick = 1;
        else if (!strcmp(a, "--check")) o.check = 1;
        else if (!strcmp(a, "--vmm-ports")) {
            if (ioperm(VMM_PORT_EXIT, 1, 1) != 0 || ioperm(VMM_PORT_MARK, 4, 1) != 0) {
                fprintf(stderr, "bench: --vmm-ports: ioperm: %s\n", strerror(errno));
                return 2;
            }
            g_vmm_ports = 1;
        }
        else if (!strcmp(a, "--budget-ms")) { if (parse_long(a, i + 1 < argc ? argv[++i] : NULL, 1, &o.budget_ms)) return 2; }
        else if (!strcmp(a, "--repeat")) { if (parse_long(a, i + 1 < argc ? argv[++i] : NULL, 1, &o.repeat)) return 2; }
        else if (!strcmp(a, "--warmup")) { if (parse_long(a, i + 1 < argc ? argv[++i] : NULL, 0, &o.warmup)) return 2; o.warmup_set = 1; }
        else if (!strcmp(a, "--iters")) { if (parse_long(a, i + 1 < argc ? argv[++i] : NULL, 1, &o.iters)) return 2; }
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        else if (a[0] == '-') { fprintf(stderr, "bench: unknown option %s\n", a); usage(stderr); return 2; }
        else {
            int found = -1;
            for (int k = 0; k < NBENCH; k++)
                if (!strcmp(benches[k].name, a)) found = k;
            if (found < 0) { fprintf(stderr, "bench: unknown benchmark %s (see --list)\n", a); return 2; }
            if (nsel < (int)(sizeof sel / sizeof sel[0])) sel[nsel++] = found;
        }
    }
    if (o.repeat > 32767) {
        /* the repetition number has 15 bits in a mark id */
        fprintf(stderr, "bench: --repeat must be <= 32767\n");
        return 2;
    }
    if (o.list) {
        for (int k = 0; k < NBENCH; k++) printf("%s\n", benches[k].name);
        return 0;
    }
    if (nsel == 0)
        for (int k = 0; k < NBENCH; k++) sel[nsel++] = k;

    /* As /init there may be no PATH (and no /tmp). */
    setenv("PATH", DEFAULT_PATH, 0);
    int made_tmp = 0;
    struct stat st;
    if (stat("/tmp", &st) != 0 && errno == ENOENT) {
        if (mkdir("/tmp", 01777) == 0) { made_tmp = 1; fprintf(stderr, "bench: created /tmp\n"); }
    }
    snprintf(g_tmp, sizeof g_tmp, "/tmp/bench.%ld", (long)getpid());
    /* Start from a known signal state whatever the parent left: an empty
     * mask and default dispositions (both survive exec; a blocked or ignored
     * SIGUSR1 would change what sigaction/signal_delivery measure). */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < 32; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    printf("bench-begin version=1 benchmarks=%d mode=%s\n", nsel, o.quick ? "quick" : "full");
    if (!o.check) calibration_brackets();
    int failed = 0;
    for (int i = 0; i < nsel; i++) {
        if (o.check) failed |= do_check(&benches[sel[i]]);
        else do_bench(sel[i], &o);
    }
    printf("bench-end\n");
    cleanup_tmp();
    if (made_tmp) rmdir("/tmp");
    return failed ? 1 : 0;
}

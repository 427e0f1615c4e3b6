/*
 * Differential syscall test through `vmm run` (Tests/VMMTests/RunCommandTests):
 * run on the host and as init in the guest; the
 * outputs must agree line for line. Each line is "name: result". A line whose
 * value legitimately differs between the two (pids, times, sizes chosen by the
 * system) starts with "~ " and only its name is compared.
 *
 * Uses raw syscall(2) where libc might answer from a cache or emulate, so the
 * kernel is what is tested. Paths used: /tmp (created if missing), /dev/null,
 * /dev/zero, /dev/urandom, and the program's own files under /tmp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/ioctl.h>

/* errno names, the same with glibc and musl (which lacks strerrorname_np) */
static const char *ename(int e) {
    switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF";
    case EFAULT: return "EFAULT"; case EEXIST: return "EEXIST"; case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL"; case ENOTTY: return "ENOTTY";
    case ERANGE: return "ERANGE"; case ENOSYS: return "ENOSYS"; case ENOTEMPTY: return "ENOTEMPTY";
    case ENOMEM: return "ENOMEM"; case EACCES: return "EACCES"; case ESPIPE: return "ESPIPE";
    case EAGAIN: return "EAGAIN"; case ENAMETOOLONG: return "ENAMETOOLONG"; case ELOOP: return "ELOOP";
    case EMFILE: return "EMFILE"; case EXDEV: return "EXDEV"; case EROFS: return "EROFS";
    default: return "E?";
    }
}
static void line(const char *name, long r) {
    if (r < 0) printf("%s: -1 %s\n", name, ename(errno));
    else printf("%s: %ld\n", name, r);
}
static void vary(const char *name, long r) {
    if (r < 0) printf("~ %s: -1 %s\n", name, ename(errno));
    else printf("~ %s: %ld\n", name, r);
}
#define CHECK(name, expr) line(name, (long)(expr))

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* Descriptors the host's test runner may have left open (the guest's init
     * has only 0-2): closed, so that descriptor numbers and "bad fd" lines
     * are the same on both sides. */
    for (int i = 3; i < 1024; i++) close(i);
    char buf[4096];
    mkdir("/tmp", 01777);
    chdir("/");

    /* identity */
    vary("getpid", syscall(SYS_getpid));
    vary("gettid", syscall(SYS_gettid));
    vary("getppid", syscall(SYS_getppid));
    CHECK("gettid==getpid", syscall(SYS_gettid) == syscall(SYS_getpid));
    vary("getuid", syscall(SYS_getuid));
    vary("geteuid", syscall(SYS_geteuid));
    vary("getgid", syscall(SYS_getgid));
    vary("getegid", syscall(SYS_getegid));
    CHECK("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
    CHECK("umask", umask(022) >= 0);
    CHECK("umask again", umask(022));

    struct utsname u;
    CHECK("uname", uname(&u));
    printf("uname.sysname: %s\n", u.sysname);
    printf("uname.machine: %s\n", u.machine);

    /* files: /dev */
    int null = open("/dev/null", O_RDWR);
    CHECK("open /dev/null", null >= 0);
    CHECK("write /dev/null", write(null, "x", 1));
    CHECK("read /dev/null", read(null, buf, 1));
    CHECK("pread /dev/null", pread(null, buf, 1, 0));
    struct iovec iov[2] = {{"ab", 2}, {"cde", 3}};
    CHECK("writev /dev/null", writev(null, iov, 2));
    int zero = open("/dev/zero", O_RDONLY);
    buf[0] = 1; buf[4095] = 1;
    CHECK("read /dev/zero 4096", read(zero, buf, 4096));
    CHECK("zeroes", buf[0] == 0 && buf[4095] == 0);
    int ur = open("/dev/urandom", O_RDONLY);
    CHECK("read /dev/urandom", read(ur, buf, 16));
    CHECK("getrandom", syscall(SYS_getrandom, buf, 16, 0));
    CHECK("close urandom", close(ur));
    CHECK("close closed", close(ur));
    CHECK("close -1", close(-1));
    CHECK("write bad fd", write(999, "x", 1));
    CHECK("read EFAULT", syscall(SYS_read, zero, (void *)16, 8));
    /* Linux's /dev/null never reads the buffer: no EFAULT. */
    CHECK("write /dev/null bad pointer", syscall(SYS_write, null, (void *)16, 8));
    int tmpf = open("/tmp/vmm-efault", O_CREAT | O_TRUNC | O_RDWR, 0600);
    CHECK("write file EFAULT", syscall(SYS_write, tmpf, (void *)16, 8));
    CHECK("write kernel address EFAULT", syscall(SYS_write, tmpf, (void *)0xffffffff80100000UL, 8));
    CHECK("stat EFAULT path", syscall(SYS_stat, (void *)16, buf));
    close(tmpf);
    unlink("/tmp/vmm-efault");
    CHECK("ioctl TCGETS /dev/null", ioctl(null, TCGETS, buf));

    /* fcntl, dup, lseek */
    CHECK("fcntl F_GETFL /dev/null", fcntl(null, F_GETFL) & O_ACCMODE);
    CHECK("fcntl F_GETFD", fcntl(null, F_GETFD));
    CHECK("fcntl F_SETFD", fcntl(null, F_SETFD, FD_CLOEXEC));
    CHECK("fcntl F_GETFD again", fcntl(null, F_GETFD));
    int d = dup(null);
    CHECK("dup > null", d > null);
    CHECK("dup2 to 100", dup2(null, 100));
    CHECK("dup3 same fd", syscall(SYS_dup3, 100, 100, 0));
    CHECK("close 100", close(100));
    CHECK("close dup", close(d));

    /* tmpfs: create, write, seek, read, stat */
    int f = open("/tmp/vmm-test-file", O_CREAT | O_TRUNC | O_RDWR, 0644);
    CHECK("open O_CREAT", f >= 0);
    CHECK("write 11", write(f, "hello world", 11));
    CHECK("lseek SEEK_CUR", lseek(f, 0, SEEK_CUR));
    CHECK("lseek SEEK_SET 6", lseek(f, 6, SEEK_SET));
    memset(buf, 0, 16);
    CHECK("read 5", read(f, buf, 16));
    printf("read data: %s\n", buf);
    CHECK("lseek SEEK_END", lseek(f, 0, SEEK_END));
    CHECK("lseek negative", lseek(f, -100, SEEK_SET));
    CHECK("pwrite at 20", pwrite(f, "Z", 1, 20));
    struct stat st;
    CHECK("fstat", fstat(f, &st));
    CHECK("fstat size", st.st_size);
    CHECK("fstat is reg", S_ISREG(st.st_mode));
    CHECK("fstat mode", st.st_mode & 0777);
    CHECK("pread hole", pread(f, buf, 4, 12));
    CHECK("hole is zero", buf[0] == 0 && buf[3] == 0);
    CHECK("close f", close(f));
    CHECK("stat /tmp", stat("/tmp", &st));
    CHECK("stat /tmp is dir", S_ISDIR(st.st_mode));
    CHECK("stat missing", stat("/tmp/does-not-exist", &st));
    CHECK("lstat file", lstat("/tmp/vmm-test-file", &st));
    CHECK("newfstatat", fstatat(AT_FDCWD, "tmp/vmm-test-file", &st, 0));
    CHECK("access F_OK", access("/tmp", F_OK));
    CHECK("access missing", access("/nope", F_OK));
    CHECK("faccessat", faccessat(AT_FDCWD, "/tmp/vmm-test-file", R_OK, 0));
    CHECK("open missing", open("/tmp/nope", O_RDONLY));
    CHECK("open O_EXCL existing", open("/tmp/vmm-test-file", O_CREAT | O_EXCL | O_WRONLY, 0600));
    CHECK("open dir O_WRONLY", open("/tmp", O_WRONLY));
    CHECK("open file as dir", open("/tmp/vmm-test-file/x", O_RDONLY));

    /* directories, symlinks, rename, unlink */
    CHECK("mkdir", mkdir("/tmp/vmm-dir", 0755));
    CHECK("mkdir exists", mkdir("/tmp/vmm-dir", 0755));
    CHECK("symlink", symlink("/tmp/vmm-test-file", "/tmp/vmm-link"));
    memset(buf, 0, 64);
    CHECK("readlink", readlink("/tmp/vmm-link", buf, 64));
    printf("readlink data: %s\n", buf);
    CHECK("readlink not link", readlink("/tmp/vmm-test-file", buf, 64));
    CHECK("lstat link is link", lstat("/tmp/vmm-link", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK("stat via link size", stat("/tmp/vmm-link", &st) == 0 ? st.st_size : -1);
    CHECK("rename", rename("/tmp/vmm-test-file", "/tmp/vmm-dir/moved"));
    CHECK("stat old name", stat("/tmp/vmm-test-file", &st));
    CHECK("dangling link", stat("/tmp/vmm-link", &st));
    CHECK("rmdir not empty", rmdir("/tmp/vmm-dir"));
    CHECK("chdir", chdir("/tmp/vmm-dir"));
    memset(buf, 0, 64);
    CHECK("getcwd ok", getcwd(buf, 64) != NULL);
    printf("getcwd: %s\n", buf);
    CHECK("getcwd too small", syscall(SYS_getcwd, buf, 3));
    CHECK("relative open", (f = open("moved", O_RDONLY)) >= 0);
    CHECK("close rel", close(f));
    CHECK("chdir ..", chdir(".."));
    int dfd = open("/tmp/vmm-dir", O_RDONLY | O_DIRECTORY);
    CHECK("open O_DIRECTORY", dfd >= 0);
    long n = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    int entries = 0, saw_moved = 0;
    for (long off = 0; off < n;) {
        struct { unsigned long ino; long off; unsigned short reclen; unsigned char type; char name[]; } *e = (void *)(buf + off);
        entries++;
        if (strcmp(e->name, "moved") == 0) saw_moved = (e->type == DT_REG);
        off += e->reclen;
    }
    CHECK("getdents64 entries", entries);
    CHECK("getdents64 saw moved", saw_moved);
    CHECK("getdents64 at end", syscall(SYS_getdents64, dfd, buf, sizeof buf));
    CHECK("close dir", close(dfd));
    CHECK("unlinkat", unlinkat(AT_FDCWD, "/tmp/vmm-dir/moved", 0));
    CHECK("unlink link", unlink("/tmp/vmm-link"));
    CHECK("unlink dir", unlink("/tmp/vmm-dir"));
    CHECK("rmdir", rmdir("/tmp/vmm-dir"));
    CHECK("rmdir missing", rmdir("/tmp/vmm-dir"));

    /* memory */
    char *brk0 = (char *)syscall(SYS_brk, 0);
    char *brk1 = (char *)syscall(SYS_brk, brk0 + 8192);
    CHECK("brk grows", brk1 == brk0 + 8192);
    brk0[8191] = 7;
    CHECK("brk shrinks", (char *)syscall(SYS_brk, brk0) == brk0);
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap", m != MAP_FAILED);
    CHECK("mmap zero-filled", m[0] == 0 && m[3 * 4096 - 1] == 0);
    m[4096] = 5;
    CHECK("mprotect R", mprotect(m, 4096, PROT_READ));
    CHECK("mprotect RW", mprotect(m, 4096, PROT_READ | PROT_WRITE));
    CHECK("madvise DONTNEED", madvise(m, 4096, MADV_DONTNEED));
    CHECK("munmap middle", munmap(m + 4096, 4096));
    CHECK("munmap rest", munmap(m, 3 * 4096));
    CHECK("mmap bad flags", mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
    CHECK("munmap unaligned", munmap(m + 1, 4096));

    /* time */
    struct timespec a, b;
    CHECK("clock_gettime MONOTONIC", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a));
    CHECK("clock_gettime REALTIME", syscall(SYS_clock_gettime, CLOCK_REALTIME, &b));
    CHECK("clock_getres", syscall(SYS_clock_getres, CLOCK_MONOTONIC, &b));
    CHECK("clock_gettime bad clock", syscall(SYS_clock_gettime, 12345, &b));
    struct timeval tv;
    CHECK("gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
    struct timespec ns = {0, 1000000};
    CHECK("nanosleep", syscall(SYS_nanosleep, &ns, NULL));
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
    CHECK("monotonic advances", (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) >= 1000000);
    CHECK("clock_nanosleep", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ns, NULL));
    CHECK("sched_yield", syscall(SYS_sched_yield));

    /* signals (recorded; delivery is the next issue) */
    struct sigaction sa = {0}, old;
    sa.sa_handler = SIG_IGN;
    CHECK("sigaction SIGUSR1", sigaction(SIGUSR1, &sa, &old));
    CHECK("old handler default", old.sa_handler == SIG_DFL);
    CHECK("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
    sigset_t set, oldset;
    sigemptyset(&set); sigaddset(&set, SIGUSR2);
    CHECK("sigprocmask block", sigprocmask(SIG_BLOCK, &set, &oldset));
    CHECK("sigprocmask query", sigprocmask(SIG_BLOCK, NULL, &oldset));
    CHECK("SIGUSR2 blocked", sigismember(&oldset, SIGUSR2));
    CHECK("sigprocmask unblock", sigprocmask(SIG_UNBLOCK, &set, NULL));

    /* poll, limits */
    struct pollfd p = {null, POLLIN | POLLOUT, 0};
    CHECK("poll /dev/null", poll(&p, 1, 0));
    CHECK("poll revents", p.revents);
    struct rlimit rl;
    CHECK("prlimit64 NOFILE", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl));
    vary("rlimit nofile", (long)rl.rlim_cur);

    /* the unknown */
    CHECK("syscall 1023", syscall(1023));
    printf("done\n");
    return 0;
}

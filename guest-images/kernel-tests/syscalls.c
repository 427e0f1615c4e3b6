// Differential test: one line per system call result, run on the host (cwd =
// a directory holding data.txt) and as /init in the guest (data.txt in the
// initramfs root); the outputs must agree. Only what behaves the same on both
// is here: the initramfs is read-only in the guest (faults.c checks EROFS).
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define R(name, expr) do { errno = 0; long r_ = (long)(expr); printf("%s = %ld errno=%d\n", name, r_, r_ < 0 ? errno : 0); } while (0)

/* An open(2) result as 1 (and the descriptor closed) or -1. */
static long opened(int fd) {
    if (fd >= 0) close(fd);
    return fd >= 0 ? 1 : fd;
}

/* A name ending in "/" (or "/.") must be a directory (path_resolution(7),
 * fs/namei.c): read-only calls on the initramfs (data.txt, sub, link.txt ->
 * data.txt, sublink -> sub), the rest in /tmp/vmm-ts. */
static void trailing_slashes(void) {
    struct stat st;
    char lb[64];
    R("open file/", open("data.txt/", O_RDONLY));
    R("open file/.", open("data.txt/.", O_RDONLY));
    R("open file//", open("data.txt//", O_RDONLY));
    R("open file/ O_DIRECTORY", open("data.txt/", O_RDONLY | O_DIRECTORY));
    R("open file/ O_CREAT", open("data.txt/", O_CREAT | O_RDONLY, 0644));
    R("open dir/", opened(open("sub/", O_RDONLY)));
    R("open dir/. O_DIRECTORY", opened(open("sub/.", O_RDONLY | O_DIRECTORY)));
    R("open dir/ O_WRONLY", open("sub/", O_WRONLY));
    R("open link-to-file/", open("link.txt/", O_RDONLY));
    R("open link-to-file/ O_NOFOLLOW", open("link.txt/", O_RDONLY | O_NOFOLLOW));
    R("open link-to-dir/ O_NOFOLLOW", opened(open("sublink/", O_RDONLY | O_NOFOLLOW)));
    R("open missing/", open("missing/", O_RDONLY));
    R("open missing/ O_CREAT", open("missing/", O_CREAT | O_WRONLY, 0644));
    R("stat file/", stat("data.txt/", &st));
    R("stat file/.", stat("data.txt/.", &st));
    R("stat dir/", stat("sub/", &st));
    R("stat link-to-file/", stat("link.txt/", &st));
    R("stat link-to-dir/", stat("sublink/", &st));
    R("stat missing/", stat("missing/", &st));
    R("lstat file/", lstat("data.txt/", &st));
    R("lstat link-to-file/", lstat("link.txt/", &st));
    R("lstat link-to-dir/ is dir", (lstat("sublink/", &st), S_ISDIR(st.st_mode)));
    R("lstat link-to-dir is link", (lstat("sublink", &st), S_ISLNK(st.st_mode)));
    R("access file/", access("data.txt/", F_OK));
    R("access dir/", access("sub/", F_OK));
    R("access link-to-file/", access("link.txt/", R_OK));
    R("readlink file/", readlink("data.txt/", lb, sizeof lb));
    R("readlink link-to-file/", readlink("link.txt/", lb, sizeof lb));
    R("readlink link-to-dir/", readlink("sublink/", lb, sizeof lb));
    R("readlink link-to-dir", readlink("sublink", lb, sizeof lb));
    unsigned char sx[256];
    R("statx file/", syscall(332, AT_FDCWD, "data.txt/", 0, 0x7ffu, sx));
    R("statx link-to-file/ NOFOLLOW", syscall(332, AT_FDCWD, "link.txt/", AT_SYMLINK_NOFOLLOW, 0x7ffu, sx));
    R("chdir dir/.", chdir("sub/."));
    R("chdir back", chdir(".."));
    R("mkdir file/", mkdir("data.txt/", 0755));
    R("mkdir file/.", mkdir("data.txt/.", 0755));
    R("mkdir dir/.", mkdir("sub/.", 0755));
    R("mkdir file/x", mkdir("data.txt/x", 0755));
    R("mkdir missing/x", mkdir("missing/x", 0755));
    R("symlink file/x", symlink("t", "data.txt/x"));

    /* /tmp/vmm-ts: f, d, e/e2, lf -> f, ld -> d, dang -> nowhere, lfs -> "f/" */
    const char *links[] = {"lf", "ld", "dang", "lfs", "g", "x"};
    char p[64];
    for (int i = 0; i < 6; i++) { snprintf(p, sizeof p, "/tmp/vmm-ts/%s", links[i]); unlink(p); }
    unlink("/tmp/vmm-ts/f"); rmdir("/tmp/vmm-ts/e/e2"); rmdir("/tmp/vmm-ts/e"); rmdir("/tmp/vmm-ts/d2");
    rmdir("/tmp/vmm-ts/new"); rmdir("/tmp/vmm-ts/d"); rmdir("/tmp/vmm-ts");
    R("ts mkdir", mkdir("/tmp/vmm-ts", 0755));
    R("ts chdir", chdir("/tmp/vmm-ts"));
    R("ts create f", opened(open("f", O_CREAT | O_WRONLY, 0644)));
    R("ts mkdir d", mkdir("d", 0755));
    R("ts mkdir e/", mkdir("e/", 0755));
    R("ts mkdir e/e2//", mkdir("e/e2//", 0755));
    R("ts symlink lf", symlink("f", "lf"));
    R("ts symlink ld", symlink("d", "ld"));
    R("ts symlink dang", symlink("nowhere", "dang"));
    R("ts symlink lfs", symlink("f/", "lfs"));
    R("ts open f/", open("f/", O_RDONLY));
    R("ts open f/ O_CREAT", open("f/", O_CREAT | O_WRONLY, 0644));
    R("ts open d/ O_CREAT", open("d/", O_CREAT | O_RDONLY, 0644));
    R("ts open new/ O_CREAT", open("new/", O_CREAT | O_WRONLY, 0644));
    R("ts open new/ O_CREAT|O_EXCL", open("new/", O_CREAT | O_EXCL | O_WRONLY, 0644));
    R("ts open new/. O_CREAT", open("new/.", O_CREAT | O_WRONLY, 0644));
    R("ts open dang/ O_CREAT", open("dang/", O_CREAT | O_WRONLY, 0644));
    R("ts open f/x/ O_CREAT", open("f/x/", O_CREAT | O_WRONLY, 0644));
    R("ts open nodir/x/ O_CREAT", open("nodir/x/", O_CREAT | O_WRONLY, 0644));
    R("ts stat new (not created)", stat("new", &st));
    R("ts stat nowhere (not created)", stat("nowhere", &st));
    R("ts open d/. O_CREAT", open("d/.", O_CREAT | O_RDONLY, 0644));
    R("ts open d/. O_CREAT|O_EXCL", open("d/.", O_CREAT | O_EXCL | O_RDONLY, 0644));
    R("ts open f/. O_CREAT|O_EXCL", open("f/.", O_CREAT | O_EXCL | O_WRONLY, 0644));
    R("ts open lfs", open("lfs", O_RDONLY));
    R("ts open lfs O_CREAT", open("lfs", O_CREAT | O_WRONLY, 0644));
    R("ts stat lfs", stat("lfs", &st));
    R("ts lstat lfs", lstat("lfs", &st));
    R("ts stat f/", stat("f/", &st));
    R("ts lstat lf/", lstat("lf/", &st));
    R("ts lstat ld/", lstat("ld/", &st));
    R("ts lstat dang/", lstat("dang/", &st));
    R("ts access f/.", access("f/.", F_OK));
    R("ts readlink lf/", readlink("lf/", lb, sizeof lb));
    R("ts readlink ld/", readlink("ld/", lb, sizeof lb));
    R("ts readlink dang/", readlink("dang/", lb, sizeof lb));
    R("ts truncate f/", truncate("f/", 0));
    R("ts mkdir new/", mkdir("new/", 0755));
    R("ts rmdir new/", rmdir("new/"));
    R("ts mkdir f/", mkdir("f/", 0755));
    R("ts mkdir dang/", mkdir("dang/", 0755));
    R("ts mkdir new/.", mkdir("new/.", 0755));
    R("ts mkdir f/.", mkdir("f/.", 0755));
    R("ts mkdir f/x", mkdir("f/x", 0755));
    R("ts mkdir nope/x", mkdir("nope/x", 0755));
    R("ts symlink f/x", symlink("t", "f/x"));
    R("ts symlink nope/x", symlink("t", "nope/x"));
    R("ts rmdir f/", rmdir("f/"));
    R("ts rmdir ld/", rmdir("ld/"));
    R("ts rmdir missing/", rmdir("missing/"));
    R("ts rmdir e/e2/.", rmdir("e/e2/."));
    R("ts rmdir e/e2/..", rmdir("e/e2/.."));
    R("ts rmdir f/.", rmdir("f/."));
    R("ts rmdir .", rmdir("."));
    R("ts unlink f/", unlink("f/"));
    R("ts unlink d/", unlink("d/"));
    R("ts unlink lf/", unlink("lf/"));
    R("ts unlink ld/", unlink("ld/"));
    R("ts unlink dang/", unlink("dang/"));
    R("ts unlink missing/", unlink("missing/"));
    R("ts unlink ld/.", unlink("ld/."));
    R("ts unlink f/x", unlink("f/x"));
    R("ts symlink new/", symlink("x", "new/"));
    R("ts symlink f/", symlink("x", "f/"));
    R("ts symlink d/.", symlink("x", "d/."));
    R("ts symlink new/.", symlink("x", "new/."));
    R("ts rename f/ g", rename("f/", "g"));
    R("ts rename f g/", rename("f", "g/"));
    R("ts rename f d/", rename("f", "d/"));
    R("ts rename lf/ g", rename("lf/", "g"));
    R("ts rename ld/ g", rename("ld/", "g"));
    R("ts rename ld g/", rename("ld", "g/"));
    R("ts rename missing/ g", rename("missing/", "g"));
    R("ts rename f missing/x/", rename("f", "missing/x/"));
    R("ts rename d/ d2/", rename("d/", "d2/"));
    R("ts rename d2 d/", rename("d2", "d/"));
    R("ts rename d/. g", rename("d/.", "g"));
    R("ts rename f d/.", rename("f", "d/."));
    R("ts rename e/e2/.. g", rename("e/e2/..", "g"));
    R("ts rename f/. g", rename("f/.", "g"));
    R("ts rename f g", rename("f", "g"));
    R("ts all still there", access("g", F_OK) == 0 && lstat("lf", &st) == 0 && lstat("ld", &st) == 0 &&
                              lstat("dang", &st) == 0 && stat("d", &st) == 0 && stat("e/e2", &st) == 0);
    for (int i = 0; i < 6; i++) unlink(links[i]);
    rmdir("e/e2"); rmdir("e"); rmdir("d");
    R("ts chdir /tmp", chdir("/tmp"));
    R("ts rmdir", rmdir("/tmp/vmm-ts"));
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    /* Descriptors the host's test runner may have left open (the guest's init
     * has only 0-2): closed, so that descriptor numbers and "bad fd" lines
     * are the same on both sides. */
    for (int i = 3; i < 1024; i++) close(i);
    int home = open(".", O_RDONLY | O_DIRECTORY);          // "/" in the guest, a temp dir on the host
    char buf[64] = {0};
    int fd = open("data.txt", O_RDONLY);
    printf("open data.txt ok=%d\n", fd >= 0);
    R("read 5", read(fd, buf, 5));
    printf("buf=%s\n", buf);
    R("lseek cur", lseek(fd, 0, SEEK_CUR));
    R("lseek end", lseek(fd, 0, SEEK_END));
    R("lseek bad whence", lseek(fd, 0, 42));
    R("lseek negative", lseek(fd, -100, SEEK_SET));
    memset(buf, 0, sizeof buf);
    R("pread 4 at 6", pread(fd, buf, 4, 6));
    printf("buf=%s\n", buf);
    struct stat st;
    R("fstat", fstat(fd, &st));
    printf("size=%ld reg=%d\n", (long)st.st_size, S_ISREG(st.st_mode));
    R("stat", stat("data.txt", &st));
    printf("size=%ld\n", (long)st.st_size);
    R("stat missing", stat("missing.txt", &st));
    R("stat bad pointer", syscall(SYS_stat, (void *)8, &st));
    int d = dup(fd);
    printf("dup > fd: %d\n", d > fd);
    R("lseek dup set 2", lseek(d, 2, SEEK_SET));
    R("lseek orig cur (shared offset)", lseek(fd, 0, SEEK_CUR));
    R("close dup", close(d));
    R("close again", close(d));
    R("read closed", read(d, buf, 1));
    R("dup2 to 20", dup2(fd, 20));
    R("fcntl getfd", fcntl(20, F_GETFD));
    R("fcntl setfd", fcntl(20, F_SETFD, FD_CLOEXEC));
    R("fcntl getfd after", fcntl(20, F_GETFD));
    R("fcntl getfl accmode", fcntl(20, F_GETFL) & O_ACCMODE);
    R("dup3 same fd", dup3(20, 20, 0));
    R("close 20", close(20));
    R("open missing", open("missing.txt", O_RDONLY));
    R("open bad pointer", syscall(SYS_open, (void *)8, O_RDONLY));
    R("open dir as file O_DIRECTORY", open("data.txt", O_RDONLY | O_DIRECTORY));
    R("access data.txt", access("data.txt", R_OK));
    R("access missing", access("missing.txt", F_OK));
    int n = open("/dev/null", O_WRONLY);
    printf("open /dev/null ok=%d\n", n >= 0);
    R("write /dev/null", write(n, "xyz", 3));
    R("read wronly", read(n, buf, 1));
    struct pollfd pfd = { .fd = n, .events = POLLOUT };
    R("poll /dev/null out", poll(&pfd, 1, 0));
    printf("revents=%d\n", pfd.revents);
    struct pollfd bad = { .fd = 55, .events = POLLIN };
    R("poll bad fd", poll(&bad, 1, 0));
    printf("revents=%d\n", bad.revents);
    int z = open("/dev/zero", O_RDONLY);
    memset(buf, 7, 8);
    R("read /dev/zero", read(z, buf, 8));
    printf("zeros=%d\n", buf[0] == 0 && buf[7] == 0);
    R("lseek /dev/zero", lseek(z, 10, SEEK_SET));
    struct iovec iov[2] = { { "wri", 3 }, { "tev\n", 4 } };
    R("writev", writev(1, iov, 2));
    R("writev bad count", writev(1, iov, -1));
    R("write bad fd", write(99, "x", 1));
    R("write negative fd", write(-1, "x", 1));
    R("write bad pointer", write(1, (void *)16, 4));
    R("write zero length", write(1, (void *)16, 0));
    struct utsname u;
    R("uname", uname(&u));
    printf("sysname=%s machine=%s\n", u.sysname, u.machine);
    R("getuid", getuid());
    R("geteuid", geteuid());
    R("getgid", getgid());
    struct timespec ts;
    R("clock_gettime monotonic", clock_gettime(CLOCK_MONOTONIC, &ts));
    R("clock_gettime bad clock", syscall(SYS_clock_gettime, 1000, &ts));
    R("clock_gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8));
    R("clock_getres", clock_getres(CLOCK_MONOTONIC, &ts));
    // Kernel copies to user memory: unmapped, read-only (text), and a fresh
    // (not yet touched) anonymous page.
    R("clock_gettime unmapped", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)0x10000000));
    R("clock_gettime into text", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)main));
    char *fresh = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    R("clock_gettime into fresh page", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, fresh + 4090));
    R("fstat unmapped", syscall(SYS_fstat, 1, (void *)0x10000000));
    fresh[0] = 42;
    R("mprotect none", mprotect(fresh, 4096, PROT_NONE));
    R("clock_gettime into PROT_NONE", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, fresh));
    R("mprotect back", mprotect(fresh, 4096, PROT_READ | PROT_WRITE));
    printf("kept=%d\n", fresh[0]);
    R("sigaltstack-free read from text", syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, (void *)main, 8));
    R("getrandom 16", getrandom(buf, 16, 0));
    R("getrandom bad flags", getrandom(buf, 16, 0x100));
    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap ok=%d zero=%d\n", m != MAP_FAILED, m[5000] == 0);
    m[0] = 1;
    R("mprotect read", mprotect(m, 4096, PROT_READ));
    R("mprotect unaligned", mprotect(m + 1, 4096, PROT_READ));
    R("munmap middle", munmap(m + 4096, 4096));
    R("munmap unaligned", munmap(m + 1, 4096));
    R("munmap zero length", munmap(m, 0));
    R("mmap zero length", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    R("mmap no type", (long)mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0));
    R("mmap bad fd", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 77, 0));
    char *b0 = (char *)syscall(SYS_brk, 0);
    printf("brk grow ok=%d\n", syscall(SYS_brk, b0 + 10000) == (long)(b0 + 10000));
    b0[9999] = 5;
    printf("brk grown ok=%d\n", b0[9999] == 5);
    printf("brk shrink ok=%d\n", syscall(SYS_brk, b0 + 10) == (long)(b0 + 10));
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    R("sigprocmask block", sigprocmask(SIG_BLOCK, &set, &old));
    R("sigprocmask get", sigprocmask(SIG_SETMASK, NULL, &old));
    printf("usr1 blocked=%d\n", sigismember(&old, SIGUSR1));
    R("sigprocmask bad how", syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8));
    struct sigaction sa = { .sa_handler = SIG_IGN };
    R("sigaction usr1", sigaction(SIGUSR1, &sa, NULL));
    R("sigaction kill", sigaction(SIGKILL, &sa, NULL));
    struct sigaction got;
    R("sigaction get", sigaction(SIGUSR1, NULL, &got));
    printf("ignored=%d\n", got.sa_handler == SIG_IGN);
    // Directories: names sorted (the host's order is the file system's).
    DIR *dir = opendir("sub");
    printf("opendir sub ok=%d\n", dir != NULL);
    char names[8][300];
    int count = 0;
    struct dirent *e;
    while (dir && (e = readdir(dir)) && count < 8) snprintf(names[count++], 300, "%s type=%d", e->d_name, e->d_type);
    if (dir) closedir(dir);
    qsort(names, count, 300, (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < count; i++) printf("entry %s\n", names[i]);
    R("open dir O_DIRECTORY", (fd = open("sub", O_RDONLY | O_DIRECTORY)) >= 0);
    R("openat relative to dir", (z = openat(fd, "a.txt", O_RDONLY)) >= 0);
    memset(buf, 0, sizeof buf);
    R("read via dirfd", read(z, buf, 10));
    printf("buf=%s", buf);
    R("read dir", read(fd, buf, 10));
    R("getdents64 file", syscall(SYS_getdents64, z, buf, sizeof buf));
    R("chdir sub", chdir("sub"));
    char cwd[256];
    printf("cwd ends with /sub=%d\n", getcwd(cwd, sizeof cwd) && !strcmp(cwd + strlen(cwd) - 4, "/sub"));
    R("stat b.txt from sub", stat("b.txt", &st));
    R("stat ../data.txt", stat("../data.txt", &st));
    printf("size=%ld\n", (long)st.st_size);
    R("chdir file", chdir("b.txt"));
    R("chdir missing", chdir("nope"));
    R("getcwd small", syscall(SYS_getcwd, cwd, 1));
    R("chdir ..", chdir(".."));
    // statx through syscall(2): musl 1.2.3 has no wrapper. struct statx:
    // stx_mode (u16) at 28, stx_size (u64) at 40.
    unsigned char sx[256];
    R("statx data.txt", syscall(332, AT_FDCWD, "data.txt", 0, 0x7ffu, sx));
    printf("statx size=%llu reg=%d\n", (unsigned long long)*(unsigned long long *)(sx + 40),
           S_ISREG(*(unsigned short *)(sx + 28)));
    R("statx missing", syscall(332, AT_FDCWD, "missing", 0, 0x7ffu, sx));
    // /tmp: writable (tmpfs in the guest). A fixed directory, cleaned first.
    unlink("/tmp/vmm-kt/d/f"); rmdir("/tmp/vmm-kt/d"); unlink("/tmp/vmm-kt/l"); unlink("/tmp/vmm-kt/a");
    unlink("/tmp/vmm-kt/b"); unlink("/tmp/vmm-kt/target"); unlink("/tmp/vmm-kt/f2"); unlink("/tmp/vmm-kt/f");
    rmdir("/tmp/vmm-kt");
    R("mkdir", mkdir("/tmp/vmm-kt", 0755));
    R("mkdir again", mkdir("/tmp/vmm-kt", 0755));
    int t = open("/tmp/vmm-kt/f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("create ok=%d\n", t >= 0);
    R("write tmp", write(t, "0123456789", 10));
    R("lseek 3", lseek(t, 3, SEEK_SET));
    R("write over", write(t, "ab", 2));
    R("pwrite far", pwrite(t, "Z", 1, 5000));
    R("fstat size", (fstat(t, &st), (long)st.st_size));
    memset(buf, 0, sizeof buf);
    R("pread 0", pread(t, buf, 12, 0));
    printf("buf=%s\n", buf);
    memset(buf, 9, sizeof buf);
    R("pread hole", pread(t, buf, 4, 4000));
    printf("hole zero=%d\n", buf[0] == 0 && buf[3] == 0);
    R("ftruncate 4", ftruncate(t, 4));
    R("lseek end", lseek(t, 0, SEEK_END));
    R("ftruncate grow", ftruncate(t, 8));
    memset(buf, 9, sizeof buf);
    R("pread after grow", pread(t, buf, 8, 0));
    printf("tail zero=%d head=%c%c%c%c\n", buf[4] == 0 && buf[7] == 0, buf[0], buf[1], buf[2], buf[3]);
    int ap = open("/tmp/vmm-kt/f", O_WRONLY | O_APPEND);
    R("append", write(ap, "END", 3));
    R("size after append", lseek(t, 0, SEEK_END));
    close(ap);
    R("open excl existing", open("/tmp/vmm-kt/f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    R("rename", rename("/tmp/vmm-kt/f", "/tmp/vmm-kt/f2"));
    R("stat old name", stat("/tmp/vmm-kt/f", &st));
    R("stat new name", stat("/tmp/vmm-kt/f2", &st));
    printf("size=%ld\n", (long)st.st_size);
    R("mkdir d", mkdir("/tmp/vmm-kt/d", 0700));
    R("rename dir into itself", rename("/tmp/vmm-kt/d", "/tmp/vmm-kt/d/x"));
    R("chdir d", chdir("/tmp/vmm-kt/d"));
    int rel = open("f", O_CREAT | O_WRONLY, 0600);
    printf("relative create ok=%d\n", rel >= 0);
    close(rel);
    R("stat ../f2", stat("../f2", &st));
    R("fchdir home", fchdir(home));
    R("fchdir file", fchdir(0));
    R("rmdir non-empty", rmdir("/tmp/vmm-kt/d"));
    R("unlink dir", unlink("/tmp/vmm-kt/d"));
    R("rmdir file", rmdir("/tmp/vmm-kt/f2"));
    DIR *td = opendir("/tmp/vmm-kt");
    count = 0;
    while (td && (e = readdir(td)) && count < 8) snprintf(names[count++], 300, "%s type=%d", e->d_name, e->d_type);
    if (td) closedir(td);
    qsort(names, count, 300, (int (*)(const void *, const void *))strcmp);
    for (int i = 0; i < count; i++) printf("tmp entry %s\n", names[i]);
    R("unlink f (open)", unlink("/tmp/vmm-kt/f2"));
    memset(buf, 0, sizeof buf);
    R("read unlinked but open", pread(t, buf, 4, 0));
    printf("buf=%s\n", buf);
    close(t);
    R("unlink d/f", unlinkat(AT_FDCWD, "/tmp/vmm-kt/d/f", 0));
    R("unlinkat removedir", unlinkat(AT_FDCWD, "/tmp/vmm-kt/d", AT_REMOVEDIR));
    // Symbolic links: link.txt -> data.txt and sublink -> sub are in both trees.
    char lbuf[64] = {0};
    R("readlink link.txt", readlink("link.txt", lbuf, sizeof lbuf));
    printf("target=%s\n", lbuf);
    R("readlink truncated", readlink("link.txt", lbuf, 3));
    R("readlink regular file", readlink("data.txt", lbuf, sizeof lbuf));
    R("lstat link is link", (lstat("link.txt", &st), S_ISLNK(st.st_mode)));
    R("stat link size", (stat("link.txt", &st), (long)st.st_size));
    int lf = open("link.txt", O_RDONLY);
    memset(buf, 0, sizeof buf);
    R("read via link", read(lf, buf, 5));
    printf("buf=%s\n", buf);
    close(lf);
    R("open through dir link", (lf = open("sublink/b.txt", O_RDONLY)) >= 0);
    close(lf);
    R("open O_NOFOLLOW on link", open("link.txt", O_RDONLY | O_NOFOLLOW));
    R("symlink in /tmp", symlink("/tmp/vmm-kt/target", "/tmp/vmm-kt/l"));
    R("symlink exists", symlink("x", "/tmp/vmm-kt/l"));
    R("stat dangling", stat("/tmp/vmm-kt/l", &st));
    R("lstat dangling", lstat("/tmp/vmm-kt/l", &st));
    int ct = open("/tmp/vmm-kt/l", O_CREAT | O_WRONLY, 0644);
    printf("create through dangling link ok=%d\n", ct >= 0);
    R("write through link", write(ct, "abc", 3));
    close(ct);
    R("stat target", (stat("/tmp/vmm-kt/target", &st), (long)st.st_size));
    R("symlink loop a", symlink("/tmp/vmm-kt/b", "/tmp/vmm-kt/a"));
    R("symlink loop b", symlink("/tmp/vmm-kt/a", "/tmp/vmm-kt/b"));
    R("open loop", open("/tmp/vmm-kt/a", O_RDONLY));
    R("unlink link", unlink("/tmp/vmm-kt/l"));
    R("target still there", access("/tmp/vmm-kt/target", F_OK));
    unlink("/tmp/vmm-kt/a"); unlink("/tmp/vmm-kt/b"); unlink("/tmp/vmm-kt/target");
    R("rmdir", rmdir("/tmp/vmm-kt"));
    R("fchdir home again", fchdir(home));
    trailing_slashes();
    R("ioctl bad fd", ioctl(99, 0x5401, buf));
    R("unknown syscall", syscall(1000));
    return 0;
}

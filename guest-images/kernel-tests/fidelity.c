/* What ordinary programs read from a kernel (issue 13): getrusage, times,
 * sysinfo, groups, chmod/chown/utimensat on /tmp, timestamps, /dev device
 * numbers, directory link counts, CPU affinity, prctl names, getcpu.
 * Prints booleans and fixed values only, so that the host's and the guest's
 * lines compare one for one (Tests/VMMTests/FidelityDifferentialTests). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

/* The call first, then what it left (errno, an output): C leaves the order
 * of printf's arguments unspecified. */
#define SHOW(label, call, after) do { long r_ = (long)(call); printf("%s: %ld %d\n", label, r_, (int)(after)); } while (0)

static long usec(struct timeval t) { return t.tv_sec * 1000000L + t.tv_usec; }

static void burn(void)
{
    /* 30 ms of CPU time by the process's own clock, not a fixed loop: ~20 ms
     * of loop on a fast host is one or two 10 ms ticks of times(2), and a
     * loaded host once reported none (times: 1 0). Ring 3 runs natively in the guest.
     * At most 100 rounds of ~1 ms. */
    long start = -1;
    for (int round = 0; round < 100; round++) {
        struct rusage r;
        getrusage(RUSAGE_SELF, &r);
        long t = usec(r.ru_utime) + usec(r.ru_stime);
        if (start < 0) start = t;
        else if (t - start >= 30000) return;
        volatile unsigned long x = 0;
        for (unsigned long i = 0; i < 1500000UL; i++) x += i;
    }
}

static void rusage(void)
{
    struct rusage a, b;
    printf("getrusage self: %d\n", getrusage(RUSAGE_SELF, &a));
    burn();
    getrusage(RUSAGE_SELF, &b);
    printf("rusage self grows: %d\n", usec(b.ru_utime) + usec(b.ru_stime) > usec(a.ru_utime) + usec(a.ru_stime));
    printf("rusage times sane: %d\n", b.ru_utime.tv_usec < 1000000 && b.ru_stime.tv_usec < 1000000 && b.ru_utime.tv_sec < 3600);
    /* The children's times are checked in a fresh child: fork(2) resets them,
     * but execve(2) keeps what the process had reaped before (BusyBox's timeout
     * reaps a helper and then execs its program, so this process may start
     * with some). The parent's figure below then includes the grandchild's,
     * which the child's reaping passed up (getrusage(2): "all descendants"). */
    fflush(stdout);
    pid_t k = fork();
    if (k == 0) {
        getrusage(RUSAGE_CHILDREN, &a);
        printf("rusage children before: %d\n", usec(a.ru_utime) + usec(a.ru_stime) == 0);
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) { burn(); _exit(0); }
        waitpid(c, NULL, 0);
        getrusage(RUSAGE_CHILDREN, &b);
        printf("rusage children after wait: %d\n", usec(b.ru_utime) + usec(b.ru_stime) > 0);
        _exit(0);
    }
    waitpid(k, NULL, 0);
    getrusage(RUSAGE_CHILDREN, &b);
    printf("rusage grandchildren counted: %d\n", usec(b.ru_utime) + usec(b.ru_stime) > 0);
    errno = 0;
    SHOW("getrusage bad who", getrusage(5, &a), errno == EINVAL);
    struct tms t;
    clock_t now = times(&t);
    printf("times: %d %d\n", now != (clock_t)-1, t.tms_cutime + t.tms_cstime > 0);
}

static void info(void)
{
    struct sysinfo s;
    printf("sysinfo: %d\n", sysinfo(&s));
    printf("sysinfo ram: %d %d %d\n", s.totalram > 0, s.freeram <= s.totalram, s.mem_unit >= 1);
    printf("sysinfo procs uptime: %d %d\n", s.procs >= 1, s.uptime >= 0);
}

static void groups(void)
{
    gid_t g[8] = { 5, 7 };
    printf("setgroups: %d\n", setgroups(2, g));
    memset(g, 0, sizeof g);
    int n = getgroups(8, g);
    printf("getgroups: %d %d %d\n", n, g[0], g[1]);
    printf("getgroups count: %d\n", getgroups(0, NULL));
    errno = 0;
    SHOW("getgroups small", getgroups(1, g), errno == EINVAL);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) _exit(getgroups(8, g) == 2 && g[1] == 7 ? 0 : 1);
    int st;
    waitpid(c, &st, 0);
    printf("child inherits groups: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    SHOW("setgroups none", setgroups(0, NULL), getgroups(0, NULL));
}

static void path(char *out, const char *name) { snprintf(out, 128, "%s/%s", dir, name); }

static void modes(void)
{
    char f[128], l[128];
    path(f, "file");
    path(l, "link");
    int fd = open(f, O_CREAT | O_WRONLY, 0644);
    struct stat st;
    printf("chmod: %d", chmod(f, 0640));
    stat(f, &st);
    printf(" %o\n", st.st_mode & 07777);
    printf("fchmod: %d", fchmod(fd, 0600));
    fstat(fd, &st);
    printf(" %o\n", st.st_mode & 07777);
    printf("fchmodat: %d", fchmodat(AT_FDCWD, f, 04755, 0));
    stat(f, &st);
    printf(" %o\n", st.st_mode & 07777);
    printf("chown: %d", chown(f, 12, 34));
    stat(f, &st);
    printf(" %d %d %o\n", (int)st.st_uid, (int)st.st_gid, st.st_mode & 07777);   /* set-user-ID cleared */
    printf("chown -1 -1: %d", chown(f, -1, -1));
    stat(f, &st);
    printf(" %d %d\n", (int)st.st_uid, (int)st.st_gid);
    printf("fchown: %d", fchown(fd, 56, -1));
    fstat(fd, &st);
    printf(" %d %d\n", (int)st.st_uid, (int)st.st_gid);
    symlink("file", l);
    printf("lchown: %d", lchown(l, 77, 88));
    struct stat ls;
    lstat(l, &ls);
    stat(f, &st);
    printf(" link %d %d file %d %d\n", (int)ls.st_uid, (int)ls.st_gid, (int)st.st_uid, (int)st.st_gid);
    printf("fchownat nofollow: %d", fchownat(AT_FDCWD, l, 9, 9, AT_SYMLINK_NOFOLLOW));
    lstat(l, &ls);
    printf(" %d\n", (int)ls.st_uid);
    errno = 0;
    SHOW("chmod missing", chmod("/tmp/no/such/file", 0600), errno == ENOENT);
    close(fd);
}

static void timestamps(void)
{
    char f[128], d[128];
    path(f, "file");
    path(d, "sub");
    struct stat st;
    time_t now = time(NULL);
    int fd = open(f, O_WRONLY);
    fstat(fd, &st);
    printf("new file is recent: %d\n", st.st_mtime >= now - 60 && st.st_mtime <= now + 60 && st.st_ctime >= now - 60);
    struct timespec ts[2] = { { 1000000000, 123456789 }, { 1234567890, 987654321 } };
    printf("utimensat: %d", utimensat(AT_FDCWD, f, ts, 0));
    stat(f, &st);
    printf(" %ld.%09ld %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec omit[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    printf("utimensat omit/now: %d", utimensat(AT_FDCWD, f, omit, 0));
    stat(f, &st);
    printf(" %ld %d\n", (long)st.st_atim.tv_sec, st.st_mtime >= now - 60);
    struct timespec old[2] = { { 100, 0 }, { 200, 5 } };
    printf("futimens: %d", futimens(fd, old));
    fstat(fd, &st);
    printf(" %ld %ld.%09ld\n", (long)st.st_atime, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    write(fd, "x", 1);
    fstat(fd, &st);
    printf("write updates mtime: %d\n", st.st_mtime >= now - 60);
    struct timeval tv[2] = { { 300, 1 }, { 400, 999999 } };
    printf("utimes: %d", utimes(f, tv));
    stat(f, &st);
    printf(" %ld.%09ld %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    errno = 0;
    SHOW("utimensat bad nsec", utimensat(AT_FDCWD, f, bad, 0), errno == EINVAL);
    printf("utimensat null: %d", utimensat(AT_FDCWD, f, NULL, 0));
    stat(f, &st);
    printf(" %d\n", st.st_atime >= now - 60 && st.st_mtime >= now - 60);
    close(fd);
    mkdir(d, 0755);
    stat(dir, &st);
    printf("dir mtime after mkdir is recent: %d\n", st.st_mtime >= now - 60);
}

static void links(void)
{
    char a[128], b[128];
    struct stat st;
    stat(dir, &st);
    printf("dir links (1 subdir): %d\n", (int)st.st_nlink);
    path(a, "sub/a");
    path(b, "sub/b");
    mkdir(a, 0755);
    mkdir(b, 0755);
    path(a, "sub");
    stat(a, &st);
    printf("dir links (2 subdirs): %d\n", (int)st.st_nlink);
    path(b, "sub/b");
    rmdir(b);
    stat(a, &st);
    printf("dir links after rmdir: %d\n", (int)st.st_nlink);
    path(b, "file");
    stat(b, &st);
    printf("file links: %d\n", (int)st.st_nlink);
}

static void devices(void)
{
    const char *dev[] = { "/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/console" };
    for (int i = 0; i < 6; i++) {
        struct stat st;
        if (stat(dev[i], &st) != 0) { printf("%s: missing\n", dev[i]); continue; }
        printf("%s: char %d %u,%u\n", dev[i], S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
    }
}

static void cpus(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    long r = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    printf("sched_getaffinity: %d %d\n", r > 0 && r % 8 == 0, CPU_ISSET(0, &set));
    errno = 0;
    SHOW("sched_getaffinity short", syscall(SYS_sched_getaffinity, 0, 4, &set), errno == EINVAL);
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    printf("sched_setaffinity cpu0: %d\n", sched_setaffinity(0, sizeof set, &set));
    CPU_ZERO(&set);
    errno = 0;
    SHOW("sched_setaffinity none", sched_setaffinity(0, sizeof set, &set), errno == EINVAL);
    errno = 0;
    SHOW("sched_getaffinity no such pid", sched_getaffinity(999999, sizeof set, &set), errno == ESRCH);
    unsigned cpu = 9999, node = 9999;
    SHOW("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL), cpu < 1024 && node < 1024);
}

static void names(void)
{
    char name[32] = { 0 };
    SHOW("PR_GET_NAME", prctl(PR_GET_NAME, name), name[0] != 0);
    printf("PR_SET_NAME: %d\n", prctl(PR_SET_NAME, "fidelity-name-too-long"));
    memset(name, 0, sizeof name);
    prctl(PR_GET_NAME, name);
    printf("name: %s\n", name);
    errno = 0;
    SHOW("prctl unknown", prctl(0x7fff, 0, 0, 0, 0), errno == EINVAL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(dir, sizeof dir, "/tmp/fidelity.%d", (int)getpid());
    mkdir(dir, 0755);
    rusage();
    info();
    groups();
    modes();
    timestamps();
    links();
    devices();
    cpus();
    names();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "%s/sub/a", dir);
    rmdir(cmd);
    snprintf(cmd, sizeof cmd, "%s/sub", dir); rmdir(cmd);
    snprintf(cmd, sizeof cmd, "%s/link", dir); unlink(cmd);
    snprintf(cmd, sizeof cmd, "%s/file", dir); unlink(cmd);
    rmdir(dir);
    printf("done\n");
    return 0;
}

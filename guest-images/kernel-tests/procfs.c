/* /proc as programs read it (proc(5)), checked the same way on the host and
 * in the guest: fixed fields of /proc/self/{stat,status,cmdline}, the exe,
 * cwd and fd links, the fd listing, the [vdso] and [stack] lines of maps,
 * the shapes of the system-wide files, one text per open file (seq_file),
 * CPU times and load averages that move, and exec of /proc/self/exe. One
 * line per check; no pids, times or sizes printed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static int slurp_by(const char *path, int chunk)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int n = 0, r;
    while (n < (int)sizeof buf - 1 && (r = read(fd, buf + n, chunk < (int)sizeof buf - 1 - n ? chunk : (int)sizeof buf - 1 - n)) > 0) n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

static int slurp(const char *path) { return slurp_by(path, 7); }     /* small reads: offsets */

static void check(const char *what, int ok) { printf("%s: %s\n", what, ok ? "ok" : "FAIL"); }

/* Reads the rest of `fd` 7 bytes at a time after the `n` bytes in buf. */
static int rest_by7(int fd, int n)
{
    int r;
    while (n < (int)sizeof buf - 1 && (r = read(fd, buf + n, 7)) > 0) n += r;
    buf[n] = 0;
    return n;
}

/* A whole stat line: "pid (comm) " then 50 numbers (52 fields, proc(5)),
 * each a single space apart, ending in a newline. */
static int stat_is_whole(const char *s)
{
    const char *p = strrchr(s, ')');
    if (!p || p[1] != ' ' || p[2] == 0 || p[3] != ' ') return 0;     /* ") S " */
    int fields = 3;
    for (p += 3; *p == ' '; fields++) {
        p++;
        if (*p == '-') p++;
        if (*p < '0' || *p > '9') return 0;
        while (*p >= '0' && *p <= '9') p++;
    }
    return fields == 52 && p[0] == '\n' && p[1] == 0;
}

/* utime + stime (fields 14, 15) or cutime + cstime (16, 17) of a stat line, -1 if unparsable. */
static long stat_times(const char *s, int children)
{
    const char *p = strrchr(s, ')');
    unsigned long u = 0, st = 0, cu = 0, cs = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %lu %lu", &u, &st, &cu, &cs) != 4) return -1;
    return children ? (long)(cu + cs) : (long)(u + st);
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void spin(double s) { for (double t0 = seconds(); seconds() - t0 < s;) {} }

/* "N.NN": a load average as /proc/loadavg prints it. */
static int is_load(const char *s, int n) { return n >= 4 && s[n - 3] == '.' && strspn(s, "0123456789") == (size_t)n - 3
                                                  && strspn(s + n - 2, "0123456789") == 2; }

/* One text per open file, as seq_file: what a read returns comes from the
 * text made at the first read (or a read at offset 0), whatever changes
 * between the reads; dup and fork share it; lseek to 0 and pread at 0 make it
 * again. The name (comm) changes between the reads here, near the start of
 * stat, where a text made again would show at once. */
static void snapshots(void)
{
    char old[16] = "", name[64];
    prctl(PR_GET_NAME, old);
    int fd = open("/proc/self/stat", O_RDONLY);
    int head = snprintf(name, sizeof name, "%d (", getpid()) + 1;          /* to inside the name */
    int n = read(fd, buf, head);
    prctl(PR_SET_NAME, "Zz");
    n = rest_by7(fd, n > 0 ? n : 0);
    snprintf(name, sizeof name, "%d (%s) ", getpid(), old);
    check("stat read across a rename: one text, the old name", strncmp(buf, name, strlen(name)) == 0 && stat_is_whole(buf));
    check("stat read again past its end: nothing", read(fd, buf, 7) == 0);
    char text[64];
    snprintf(name, sizeof name, "%d (Zz) ", getpid());
    n = pread(fd, text, strlen(name), 0);
    check("pread at 0 makes the text again", n == (int)strlen(name) && strncmp(text, name, n) == 0);
    lseek(fd, 0, SEEK_SET);
    n = rest_by7(fd, 0);
    check("lseek to 0, then read: the new name", strncmp(buf, name, strlen(name)) == 0 && stat_is_whole(buf));

    /* A dup and a forked child read on from the same open file. */
    lseek(fd, 0, SEEK_SET);
    n = read(fd, buf, head);
    prctl(PR_SET_NAME, old);
    int copy = dup(fd);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        int m = read(copy, buf + n, 3);
        m = rest_by7(fd, n + (m > 0 ? m : 0));
        _exit(strncmp(buf, name, strlen(name)) == 0 && stat_is_whole(buf) ? 0 : 1);
    }
    int st = -1;
    waitpid(c, &st, 0);
    check("a dup and a forked child read on in the same text", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(copy);
    close(fd);
}

/* CPU time and load while a child burns the CPU for 5.5 s (a load average
 * sample falls in every 5 s): the child's stat, read 7 bytes at a time
 * while its times change, stays whole; it and /proc/stat count CPU time;
 * the load averages rise. */
static void burning(void)
{
    char path[64], cpu[8];
    unsigned long long v[10] = {0}, ctxt0 = 0, ctxt1 = 0;
    int len = slurp("/proc/stat");
    int cpus = sscanf(buf, "%7s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", cpu, &v[0], &v[1], &v[2], &v[3], &v[4],
                      &v[5], &v[6], &v[7], &v[8], &v[9]);
    unsigned long long busy0 = v[0] + v[1] + v[2];
    char *ct = strstr(buf, "\nctxt ");
    if (ct) ctxt0 = strtoull(ct + 6, NULL, 10);
    char *bt = strstr(buf, "\nbtime ");
    long btime = bt ? atol(bt + 7) : 0;
    char *pr = strstr(buf, "\nprocesses ");
    long processes = pr ? atol(pr + 11) : 0;
    char *rn = strstr(buf, "\nprocs_running ");
    long running = rn ? atol(rn + 15) : 0;
    check("/proc/stat: cpu with 10 numbers, then cpu0", len > 0 && cpus == 11 && strcmp(cpu, "cpu") == 0
          && strstr(buf, "\ncpu0 ") != NULL);
    double up = 0, idle = -1;
    slurp("/proc/uptime");
    sscanf(buf, "%lf %lf", &up, &idle);
    long now = time(NULL);
    check("/proc/stat: btime is now less the uptime", btime <= now && btime >= now - (long)up - 2);
    check("/proc/stat: processes, procs_running >= 1", processes >= 1 && running >= 1);
    check("/proc/uptime: idle > 0", idle > 0);

    fflush(stdout);
    pid_t c = fork();
    if (c == 0) { spin(5.5); _exit(0); }
    snprintf(path, sizeof path, "/proc/%d/stat", c);
    int rounds = 0, whole = 0;
    long child_times = 0;
    for (double t0 = seconds(); seconds() - t0 < 5.0; rounds++) {
        usleep(20000);
        int fd = open(path, O_RDONLY);
        int n = rest_by7(fd, 0);
        close(fd);
        whole += n > 0 && stat_is_whole(buf);
        if (n > 0) child_times = stat_times(buf, 0);
    }
    check("a burning child's stat, read 7 bytes at a time: 52 fields every time", rounds > 0 && whole == rounds);
    check("a burning child's utime + stime > 0", child_times > 0);
    int st;
    waitpid(c, &st, 0);
    slurp("/proc/self/stat");
    check("cutime + cstime > 0 after the child is reaped", stat_times(buf, 1) > 0);

    slurp("/proc/stat");
    sscanf(buf, "%*s %llu %llu %llu", &v[0], &v[1], &v[2]);
    ct = strstr(buf, "\nctxt ");
    if (ct) ctxt1 = strtoull(ct + 6, NULL, 10);
    check("/proc/stat: user + nice + system grew", v[0] + v[1] + v[2] > busy0);
    check("/proc/stat: ctxt grew", ctxt1 > ctxt0);

    len = slurp("/proc/loadavg");
    char l1[16] = "", l5[16] = "", l15[16] = "";
    int run = 0, all = 0, last = 0, k = 0;
    int fields = sscanf(buf, "%15s %15s %15s %d/%d %d%n", l1, l5, l15, &run, &all, &last, &k);
    check("/proc/loadavg: 5 fields, three loads N.NN, 4th a/b", fields == 6 && buf[k] == '\n' && buf[k + 1] == 0
          && is_load(l1, strlen(l1)) && is_load(l5, strlen(l5)) && is_load(l15, strlen(l15)) && run >= 1 && all >= run);
    check("/proc/loadavg: the last pid >= the child's", last >= c);
    check("/proc/loadavg: 1-minute load > 0 after a 5.5 s burn", atof(l1) > 0);
    struct sysinfo si;
    check("sysinfo: loads[0] > 0 after the burn", sysinfo(&si) == 0 && si.loads[0] > 0);
}

/* `procfs rounds N` (ProcFSTests' leak check): N rounds of opening /proc
 * files, reading part of each, sharing them with a dup and a forked child
 * that reads on, and closing them; prints how many rounds read text. */
static int rounds(int n)
{
    static const char *paths[] = { "/proc/self/stat", "/proc/self/maps", "/proc/stat", "/proc/loadavg", "/proc/uptime",
                                   "/proc/meminfo", "/proc/cpuinfo", "/proc/self/status" };
    int good = 0;
    for (int r = 0; r < n; r++) {
        int fds[8], ok = 1;
        for (int i = 0; i < 8; i++) { fds[i] = open(paths[i], O_RDONLY); ok &= fds[i] >= 0 && read(fds[i], buf, 7) == 7; }
        int copy = dup(fds[r % 8]);
        pid_t c = fork();
        if (c == 0) { _exit(read(fds[0], buf, 7) == 7 && read(copy, buf, 7) > 0 ? 0 : 1); }
        int st = -1;
        waitpid(c, &st, 0);
        ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
        for (int i = 0; i < 8; i++) close(fds[i]);
        close(copy);
        good += ok;
    }
    printf("rounds: %d of %d\n", good, n);
    return good == n ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "again") == 0) { printf("re-exec of /proc/self/exe: ok\n"); return 0; }
    if (argc > 2 && strcmp(argv[1], "rounds") == 0) return rounds(atoi(argv[2]));
    char comm[16], link[4096], want[64];
    /* comm is the base name of the file exec'd (fs/exec.c: __set_task_comm
     * of bprm->filename), cut to 15 bytes: the program's own name on the
     * host; in `vmm run` the kernel execs /init, whatever argv[0] says. */
    ssize_t e = readlink("/proc/self/exe", link, sizeof link - 1);
    link[e > 0 ? e : 0] = 0;
    const char *base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
    snprintf(comm, sizeof comm, "%s", base);

    struct stat a, b;
    check("/proc/self/exe is this program", stat("/proc/self/exe", &a) == 0 && stat(argv[0], &b) == 0
          && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    ssize_t n = readlink("/proc/self/exe", link, sizeof link - 1);
    check("/proc/self/exe is absolute", n > 1 && link[0] == '/');
    snprintf(want, sizeof want, "%d", getpid());
    n = readlink("/proc/self", link, sizeof link - 1);
    check("/proc/self links to the pid", n > 0 && (link[n] = 0, strcmp(link, want) == 0));

    int len = slurp("/proc/self/stat");
    int pid = 0, ppid = 0; char state = 0, name[64] = "";
    check("/proc/self/stat: pid (comm) state ppid", len > 0
          && sscanf(buf, "%d (%63[^)]) %c %d", &pid, name, &state, &ppid) == 4 && pid == getpid()
          && strcmp(name, comm) == 0 && state == 'R' && ppid == getppid());
    check("/proc/self/stat: 52 fields", stat_is_whole(buf));
    /* 50 ms of CPU time by getrusage (wall time is no measure on a loaded
     * host), then stat's utime + stime, whole clock ticks each, are >= 4. */
    struct rusage ru;
    for (double t0 = seconds(); seconds() - t0 < 10;) {
        getrusage(RUSAGE_SELF, &ru);
        if ((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec >= 50000) break;
    }
    slurp("/proc/self/stat");
    check("/proc/self/stat: utime + stime >= 4 ticks after 50 ms of CPU (getrusage)", stat_times(buf, 0) >= 4);

    len = slurp("/proc/self/status");
    snprintf(want, sizeof want, "Name:\t%s\n", comm);
    check("/proc/self/status: Name", len > 0 && strncmp(buf, want, strlen(want)) == 0);
    snprintf(want, sizeof want, "\nPid:\t%d\n", getpid());
    check("/proc/self/status: Pid", strstr(buf, want) != NULL);
    snprintf(want, sizeof want, "\nPPid:\t%d\n", getppid());
    check("/proc/self/status: PPid", strstr(buf, want) != NULL);
    check("/proc/self/status: State R (running)", strstr(buf, "\nState:\tR (running)\n") != NULL);

    len = slurp("/proc/self/cmdline");
    int at = 0, same = 1;
    for (int i = 0; i < argc; i++) { same &= at < len && strcmp(buf + at, argv[i]) == 0; at += strlen(argv[i]) + 1; }
    check("/proc/self/cmdline is argv", same && at == len);

    len = slurp("/proc/self/statm");
    long size = 0, rss = 0;
    check("/proc/self/statm: size >= resident > 0", sscanf(buf, "%ld %ld", &size, &rss) == 2 && size >= rss && rss > 0);

    chdir("/");
    n = readlink("/proc/self/cwd", link, sizeof link - 1);
    check("/proc/self/cwd after chdir /", n == 1 && link[0] == '/');

    int fd = open("/dev/null", O_RDONLY);
    snprintf(want, sizeof want, "/proc/self/fd/%d", fd);
    n = readlink(want, link, sizeof link - 1);
    check("/proc/self/fd/N of /dev/null", n == 9 && memcmp(link, "/dev/null", 9) == 0);
    int p[2];
    pipe(p);
    snprintf(want, sizeof want, "/proc/self/fd/%d", p[0]);
    n = readlink(want, link, sizeof link - 1);
    check("/proc/self/fd/N of a pipe", n > 6 && memcmp(link, "pipe:[", 6) == 0 && link[n - 1] == ']');
    DIR *d = opendir("/proc/self/fd");
    int seen0 = 0, seen = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (atoi(e->d_name) == 0 && strcmp(e->d_name, "0") == 0) seen0 = 1;
        if (atoi(e->d_name) == fd) seen = 1;
    }
    if (d) closedir(d);
    check("/proc/self/fd lists 0 and the new descriptor", seen0 && seen);

    d = opendir("/proc");
    int self = 0, mine = 0;
    snprintf(want, sizeof want, "%d", getpid());
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strcmp(e->d_name, "self") == 0) self = 1;
        if (strcmp(e->d_name, want) == 0 && e->d_type == DT_DIR) mine = 1;
    }
    if (d) closedir(d);
    check("/proc lists self and this pid", self && mine);

    len = slurp("/proc/self/maps");
    unsigned long vdso = getauxval(AT_SYSINFO_EHDR), lo = 0, hi = 0;
    char *line = strstr(buf, "[vdso]");
    while (line && line > buf && line[-1] != '\n') line--;
    check("/proc/self/maps: [vdso] at AT_SYSINFO_EHDR, r-xp", line && sscanf(line, "%lx-%lx", &lo, &hi) == 2
          && lo == vdso && strstr(line, " r-xp ") == line + strcspn(line, " "));
    check("/proc/self/maps: [stack]", strstr(buf, " [stack]\n") != NULL);
    /* 400 areas (every other page of a region made PROT_NONE): maps is
     * longer than a page and is read a page at a time to its end (each read
     * makes the text again: 7-byte reads would take minutes where the
     * guest's ring 0 is emulated). */
    long page = sysconf(_SC_PAGESIZE);
    char *region = mmap(NULL, 400 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int split = region != MAP_FAILED;
    for (int i = 1; split && i < 400; i += 2) split = mprotect(region + i * page, page, PROT_NONE) == 0;
    len = slurp_by("/proc/self/maps", 4096);
    int areas = 0;
    for (char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        unsigned long a = 0;
        if (sscanf(l, "%lx-", &a) == 1 && a >= (unsigned long)region && a < (unsigned long)region + 400 * page) areas++;
    }
    check("/proc/self/maps past a page: all 400 areas of a split region, then [stack]",
          split && len > 4096 && areas == 400 && strstr(buf, " [stack]\n") != NULL);
    if (region != MAP_FAILED) munmap(region, 400 * page);

    len = slurp("/proc/meminfo");
    unsigned long total = 0, fr = 0;
    check("/proc/meminfo: MemTotal, MemFree", sscanf(buf, "MemTotal: %lu kB\nMemFree: %lu kB", &total, &fr) == 2
          && fr <= total && total > 0 && strncmp(buf, "MemTotal:       ", 16) == 0);
    check("/proc/meminfo: MemAvailable, SwapTotal", strstr(buf, "\nMemAvailable:") && strstr(buf, "\nSwapTotal:"));
    double up = 0, idle = -1;
    len = slurp("/proc/uptime");
    check("/proc/uptime: two numbers", sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0 && idle >= 0);
    len = slurp("/proc/stat");
    check("/proc/stat: cpu, btime, processes", strncmp(buf, "cpu  ", 5) == 0 && strstr(buf, "\nbtime ") && strstr(buf, "\nprocesses "));
    snapshots();
    burning();
    len = slurp("/proc/cpuinfo");
    check("/proc/cpuinfo: processor 0, flags", strncmp(buf, "processor\t: 0\n", 14) == 0 && strstr(buf, "\nflags\t\t: "));
    len = slurp("/proc/mounts");
    check("/proc/mounts: proc on /proc", strstr(buf, " /proc proc ") != NULL);
    len = slurp("/proc/filesystems");
    check("/proc/filesystems: proc, tmpfs", strstr(buf, "nodev\tproc\n") && strstr(buf, "nodev\ttmpfs\n"));
    len = slurp("/proc/sys/kernel/ostype");
    check("/proc/sys/kernel/ostype", strcmp(buf, "Linux\n") == 0);
    len = slurp("/proc/sys/kernel/osrelease");
    check("/proc/sys/kernel/osrelease", len > 2 && buf[len - 1] == '\n');
    len = slurp("/proc/sys/kernel/pid_max");
    check("/proc/sys/kernel/pid_max", atol(buf) >= 32768);
    check("/proc/self/nonexistent is ENOENT", open("/proc/self/nonexistent", O_RDONLY) < 0);

    fflush(stdout);
    pid_t c = fork();
    if (c == 0) { execl("/proc/self/exe", argv[0], "again", (char *)0); _exit(127); }
    int st;
    waitpid(c, &st, 0);
    check("child exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    printf("done\n");
    return 0;
}

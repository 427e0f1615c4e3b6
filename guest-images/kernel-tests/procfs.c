/* /proc as programs read it (proc(5)), checked the same way on the host and
 * in the guest: fixed fields of /proc/self/{stat,status,cmdline}, the exe,
 * cwd and fd links, the fd listing, the [vdso] and [stack] lines of maps,
 * the shapes of the system-wide files, and exec of /proc/self/exe. One line
 * per check; no pids, times or sizes printed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "again") == 0) { printf("re-exec of /proc/self/exe: ok\n"); return 0; }
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
    int fields = 0;
    for (char *s = strrchr(buf, ')'); s && *s; s++) if (*s == ' ') fields++;
    check("/proc/self/stat: 52 fields", fields + 2 == 52);

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
    len = slurp("/proc/loadavg");
    double l1, l5, l15; int run, all, last;
    check("/proc/loadavg", sscanf(buf, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &run, &all, &last) == 6 && run >= 1 && all >= run);
    len = slurp("/proc/stat");
    check("/proc/stat: cpu, btime, processes", strncmp(buf, "cpu  ", 5) == 0 && strstr(buf, "\nbtime ") && strstr(buf, "\nprocesses "));
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

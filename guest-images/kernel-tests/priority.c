/* getpriority(2)/setpriority(2) as Linux keeps nice values: the raw system
 * call's 20 - nice, the libc's nice, EINVAL for a bad `which`, ESRCH for no
 * match (a reaped pid, a group or user nobody is in), the clamp to
 * [-20, 19], PRIO_PGRP over a group of two, inheritance by fork and the
 * value kept across execve. Run as root (the host half too: lowering a nice
 * value needs CAP_SYS_NICE). Only this program's own processes and its own
 * group are ever changed: never PRIO_USER, which on the host would renice
 * every root process. Prints fixed values only, compared line for line with
 * the host by FidelityDifferentialTests. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The libc's answer and errno, then the raw system call's. */
static void get(const char *label, int which, int who)
{
    errno = 0;
    int v = getpriority(which, who);
    int e = errno;
    long raw = syscall(SYS_getpriority, which, who);
    printf("%s: %d errno %d raw %ld\n", label, v, e, raw < 0 ? -(long)errno : raw);
}

static void set(const char *label, int which, int who, int nice)
{
    errno = 0;
    int r = setpriority(which, who, nice);
    printf("%s: %d errno %d\n", label, r, r < 0 ? errno : 0);
}

static pid_t reaped(void)
{
    pid_t c = fork();
    if (c == 0) _exit(0);
    waitpid(c, NULL, 0);
    return c;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec") == 0) {          /* the execve half */
        get("after exec", PRIO_PROCESS, 0);
        return 0;
    }
    set("start at 0", PRIO_PROCESS, 0, 0);                   /* whatever the test runner's nice */
    get("self", PRIO_PROCESS, 0);
    get("self by pid", PRIO_PROCESS, getpid());
    set("set 5", PRIO_PROCESS, 0, 5);
    get("after 5", PRIO_PROCESS, 0);
    set("set -7 by pid", PRIO_PROCESS, getpid(), -7);
    get("after -7", PRIO_PROCESS, 0);
    set("set 100", PRIO_PROCESS, 0, 100);
    get("clamped high", PRIO_PROCESS, 0);
    set("set -100", PRIO_PROCESS, 0, -100);
    get("clamped low", PRIO_PROCESS, 0);

    get("bad which 3", 3, 0);
    get("bad which -1", -1, 0);
    set("set bad which 7", 7, 0, 0);
    pid_t gone = reaped();
    get("reaped pid", PRIO_PROCESS, gone);
    set("set reaped pid", PRIO_PROCESS, gone, 1);
    get("negative pid", PRIO_PROCESS, -1);
    get("reaped group", PRIO_PGRP, gone);
    get("negative group", PRIO_PGRP, -3);
    get("nobody's uid", PRIO_USER, 54321);
    errno = 0;
    printf("own uid: %d errno %d\n", getpriority(PRIO_USER, getuid()) != -1, errno);

    /* A group of two (a child leads it, a grandchild joins): PRIO_PGRP sets
     * both, and reads the highest priority, the lowest nice. */
    set("child's base 4", PRIO_PROCESS, 0, 4);
    fflush(stdout);
    int go[2];
    if (pipe(go) != 0) return 1;
    pid_t c = fork();
    if (c == 0) {
        get("child inherits", PRIO_PROCESS, 0);
        setpgid(0, 0);
        fflush(stdout);                   /* the guest's console is line-buffered, a host pipe is not */
        pid_t g = fork();
        if (g == 0) {
            char b;
            close(go[1]);
            read(go[0], &b, 1);                                /* until the parent is done */
            get("grandchild sees", PRIO_PROCESS, 0);
            fflush(stdout);
            _exit(0);
        }
        close(go[0]);
        set("group 9", PRIO_PGRP, 0, 9);
        get("group", PRIO_PGRP, 0);
        get("group by id", PRIO_PGRP, getpgrp());
        get("grandchild by pid", PRIO_PROCESS, g);
        set("grandchild to 2", PRIO_PROCESS, g, 2);
        get("group after", PRIO_PGRP, getpgrp());
        get("child after", PRIO_PROCESS, 0);
        fflush(stdout);
        write(go[1], "x", 1);
        waitpid(g, NULL, 0);
        _exit(0);
    }
    close(go[0]);
    close(go[1]);
    waitpid(c, NULL, 0);
    get("parent unchanged", PRIO_PROCESS, 0);

    set("before exec 11", PRIO_PROCESS, 0, 11);
    fflush(stdout);
    pid_t e = fork();
    if (e == 0) {
        execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
        printf("execl: errno %d\n", errno);
        fflush(stdout);
        _exit(1);
    }
    int status;
    waitpid(e, &status, 0);
    printf("exec status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    printf("done\n");
    return 0;
}

/*
 * execve with arguments and environment, what exec keeps and resets, exec
 * errors, posix_spawn, vfork+exec (issue 11). The program execs itself:
 * argv[1] == "child" selects the sub-mode that reports what it received.
 */
#include "proc_common.h"
#include <spawn.h>

extern char **environ;

/* What an exec'd image sees: arguments, environment, descriptors, signals. */
static int child(int argc, char **argv) {
    say("child argc %d:", argc);
    int details = argc > 2 && strcmp(argv[2], "details") == 0;
    for (int i = 0; i < argc; i++) say(" [%s]", details && i == 3 ? "PID" : argv[i]);
    say("\n");
    int envc = 0;
    for (char **e = environ; *e; e++) envc++;
    const char *foo = getenv("FOO"), *empty = getenv("EMPTY");
    say("child envc %d FOO=%s EMPTY=%s\n", envc, foo ? foo : "(unset)", empty ? (*empty ? empty : "(empty)") : "(unset)");
    if (details) {
        say("child pid kept across exec: %s\n", yes(argc > 3 && atol(argv[3]) == getpid()));
        say("child fd 5 (no cloexec) open: %s\n", yes(fcntl(5, F_GETFD) >= 0));
        errno = 0;
        say("child fd 6 (cloexec) open: %s\n", res(fcntl(6, F_GETFD)));
        say("child fd 1000 (no cloexec) open: %s\n", yes(fcntl(1000, F_GETFD) >= 0));
        errno = 0;
        say("child fd 1023 (cloexec) open: %s\n", res(fcntl(1023, F_GETFD)));
        struct sigaction sa;
        sigaction(SIGUSR1, NULL, &sa);
        say("child SIGUSR1 (was handled) is default: %s\n", yes(sa.sa_handler == SIG_DFL));
        sigaction(SIGUSR2, NULL, &sa);
        say("child SIGUSR2 (was ignored) still ignored: %s\n", yes(sa.sa_handler == SIG_IGN));
        sigset_t m;
        sigprocmask(SIG_BLOCK, NULL, &m);
        say("child mask kept (SIGINT blocked): %s\n", yes(sigismember(&m, SIGINT) == 1));
        char cwd[256];
        say("child cwd kept: %s\n", getcwd(cwd, sizeof cwd) ? cwd : ename(errno));
    }
    return 3;
}

static void on_usr1(int s) { (void)s; }

static void exec_with_args(const char *self) {
    int keep = open("/dev/null", O_RDONLY), gone = open("/dev/null", O_RDONLY | O_CLOEXEC);
    dup2(keep, 5); dup2(gone, 6);
    dup2(keep, 1000); dup2(gone, 1023);        /* far up the table: fork copies them, exec closes one */
    fcntl(6, F_SETFD, FD_CLOEXEC); fcntl(1023, F_SETFD, FD_CLOEXEC);
    close(keep); close(gone);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGUSR1, on_usr1);
        signal(SIGUSR2, SIG_IGN);
        sigset_t m;
        sigemptyset(&m); sigaddset(&m, SIGINT);
        sigprocmask(SIG_BLOCK, &m, NULL);
        chdir("/tmp");
        char pidbuf[32];
        snprintf(pidbuf, sizeof pidbuf, "%d", getpid());
        char *args[] = {"renamed", "child", "details", pidbuf, "a b", "", NULL};
        char *env[] = {"FOO=bar", "EMPTY=", "OTHER=1", NULL};
        execve(self, args, env);
        say("execve failed: %s\n", ename(errno));
        _exit(127);
    }
    say("exec'd child %s\n", status_text(reap(pid)));
    close(5); close(6); close(1000); close(1023);
}

static void exec_errors(const char *self) {
    char *args[] = {"x", NULL}, *env[] = {NULL};
    mkdir("/tmp", 0777);
    say("execve missing: %s\n", res(execve("/nonexistent/prog", args, env)));
    say("execve missing in existing dir: %s\n", res(execve("/tmp/no-such-program", args, env)));
    int fd = open("/tmp/proc_exec_text", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    write(fd, "just some text, no #! line\n", 27);
    close(fd);
    say("execve non-ELF: %s\n", res(execve("/tmp/proc_exec_text", args, env)));
    fd = open("/tmp/proc_exec_noexec", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, "\177ELF", 4);
    close(fd);
    say("execve without x permission: %s\n", res(execve("/tmp/proc_exec_noexec", args, env)));
    say("execve directory: %s\n", res(execve("/tmp", args, env)));
    say("execve through a file: %s\n", res(execve("/tmp/proc_exec_text/x", args, env)));
    char *volatile bad = (char *)8;
    say("execve bad pointer: %s\n", res(execve(bad, args, env)));
    /* One string longer than MAX_ARG_STRLEN (32 pages). */
    long big = 32 * 4096 + 10;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big); huge[big] = 0;
    char *bigargs[] = {"x", huge, NULL};
    say("execve argument over 128 KiB: %s\n", res(execve(self, bigargs, env)));
    free(huge);
    unlink("/tmp/proc_exec_text");
    unlink("/tmp/proc_exec_noexec");
    say("still running after failed execs: yes\n");
}

static void spawn(const char *self) {
    pid_t pid;
    char *args[] = {"spawned", "child", "via posix_spawn", NULL};
    char *env[] = {"FOO=spawn", NULL};
    int r = posix_spawn(&pid, self, NULL, NULL, args, env);
    /* (Reaped before printing: the child prints too.) */
    say("posix_spawn: %s, spawned child %s\n", r == 0 ? "0" : ename(r), r == 0 ? status_text(reap(pid)) : "-");
    /* File actions: the child's stdout is a pipe the parent reads. */
    int fds[2];
    pipe(fds);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char *args2[] = {"piped", "child", "into a pipe", NULL};
    r = posix_spawn(&pid, self, &fa, NULL, args2, env);
    close(fds[1]);
    char buf[512] = {0};
    long n = read_full(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    posix_spawn_file_actions_destroy(&fa);
    say("posix_spawn with dup2: %s, %s, read %ld bytes, first line: %.*s\n", r == 0 ? "0" : ename(r),
        r == 0 ? status_text(reap(pid)) : "-", n, (int)strcspn(buf, "\n"), buf);
    r = posix_spawn(&pid, "/nonexistent/prog", NULL, NULL, args, env);
    say("posix_spawn missing: %s\n", r == 0 ? status_text(reap(pid)) : ename(r));
}

static void vfork_exec(const char *self) {
    char *args[] = {"vforked", "child", "after vfork", NULL};
    char *env[] = {"FOO=vfork", "EMPTY=", NULL};
    pid_t pid = vfork();
    if (pid == 0) { execve(self, args, env); _exit(127); }
    say("vfork+exec child %s\n", status_text(reap(pid)));
    pid = vfork();
    if (pid == 0) { execve("/nonexistent/prog", args, env); _exit(errno == ENOENT ? 40 : 41); }
    say("vfork+failed exec child %s\n", status_text(reap(pid)));
}

/* A copy of this program in /tmp (tmpfs in the guest) runs as the original. */
static void exec_from_tmp(const char *self) {
    mkdir("/tmp", 0777);
    char copy[64];
    snprintf(copy, sizeof copy, "/tmp/proc_exec_copy.%d", getpid());
    int in = open(self, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    char buf[65536];
    long n, total = 0, ok = in >= 0 && out >= 0;
    while (ok && (n = read(in, buf, sizeof buf)) > 0) { ok = write(out, buf, n) == n; total += n; }
    close(in); close(out);
    say("copied the program to /tmp: %s\n", yes(ok && total > 0));
    char *args[] = {"copied", "child", "from tmp", NULL};
    char *env[] = {"FOO=tmp", NULL};
    pid_t pid = fork();
    if (pid == 0) { execve(copy, args, env); _exit(errno == ENOEXEC ? 126 : 127); }
    say("exec of the copy: child %s\n", status_text(reap(pid)));
    int r = posix_spawn(&pid, copy, NULL, NULL, args, env);
    say("posix_spawn of the copy: %s, child %s\n", r == 0 ? "0" : ename(r), r == 0 ? status_text(reap(pid)) : "-");
    chmod(copy, 0644);
    say("execve of the copy without x permission: %s\n", res(execve(copy, args, env)));
    unlink(copy);
}

/* ETXTBSY (execve(2), open(2), truncate(2)): a running program's file cannot
 * be opened for writing or truncated; a file open for writing cannot run. */
static void text_busy(const char *self) {
    char copy[64];
    snprintf(copy, sizeof copy, "/tmp/proc_exec_busy.%d", getpid());
    int in = open(self, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    char buf[65536];
    long n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    char *args[] = {"busy", "hold", NULL};
    char *env[] = {NULL};
    pid_t pid = fork();
    if (pid == 0) { execve(copy, args, env); _exit(errno == ETXTBSY ? 26 : 127); }
    say("execve of a file open for writing: child %s\n", status_text(reap(pid)));
    close(out);
    int go[2], ready[2];
    pipe(go); pipe(ready);
    pid = fork();
    if (pid == 0) {
        dup2(go[0], 0); dup2(ready[1], 3);
        execve(copy, args, env);
        _exit(127);
    }
    close(go[0]); close(ready[1]);
    char c = 0;
    say("the copy runs: %s\n", yes(read(ready[0], &c, 1) == 1 && c == 'r'));
    errno = 0;
    int w = open(copy, O_WRONLY);
    say("open for writing while it runs: %s\n", w >= 0 ? "opened" : ename(errno));
    if (w >= 0) close(w);
    int r = open(copy, O_RDONLY);
    say("open for reading while it runs: %s\n", yes(r >= 0));
    if (r >= 0) close(r);
    say("truncate while it runs: %s\n", res(truncate(copy, 0)));
    say("unlink while it runs: %s\n", res(unlink(copy)));
    write(go[1], "x", 1);
    say("the copy, unlinked, ends: %s\n", status_text(reap(pid)));
    close(go[1]); close(ready[0]);
    /* Once nothing runs it, a new file of that name opens for writing. */
    w = open(copy, O_WRONLY | O_CREAT, 0755);
    say("a new file of that name opens for writing: %s\n", yes(w >= 0));
    close(w);
    unlink(copy);
}

/* The image text_busy runs: says it is running, then waits for a byte. */
static int hold(void) {
    char c;
    write(3, "r", 1);
    return read(0, &c, 1) == 1 ? 0 : 1;
}

/* exec replaces the image: a second exec chain ends in the child mode. */
static void exec_chain(const char *self) {
    pid_t pid = fork();
    if (pid == 0) {
        char *args[] = {"hop", "hop", (char *)self, NULL};
        char *env[] = {"FOO=chain", NULL};
        execve(self, args, env);
        _exit(127);
    }
    say("exec chain child %s\n", status_text(reap(pid)));
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) return child(argc, argv);
    if (argc > 1 && strcmp(argv[1], "hold") == 0) return hold();
    if (argc > 2 && strcmp(argv[1], "hop") == 0) {
        char *args[] = {"hopped", "child", "after two execs", NULL};
        char *env[] = {"FOO=chain2", NULL};
        execve(argv[2], args, env);
        return 127;
    }
    proc_setup();
    const char *self = argv[0];
    exec_with_args(self);
    exec_errors(self);
    spawn(self);
    vfork_exec(self);
    exec_chain(self);
    exec_from_tmp(self);
    text_busy(self);
    say("done\n");
    return 0;
}

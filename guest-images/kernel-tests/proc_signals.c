/*
 * Signal delivery (issue 11): SA_SIGINFO handlers (si_signo, si_code, si_pid,
 * si_value, si_addr), faults recovered with siglongjmp or by editing the
 * ucontext, masks and pending sets, queued real-time signals, SA_NODEFER,
 * sa_mask, SA_RESETHAND, SIGCHLD (handler and SIG_IGN), SA_RESTART vs EINTR
 * from a timer signal, pause/sigsuspend/sigtimedwait, sigaltstack and
 * stack overflow, FPU state kept across handlers.
 */
#include "proc_common.h"
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>

static volatile sig_atomic_t hits, last_signo, last_code, last_pid_ok, last_value, aligned;
static volatile sig_atomic_t blocked_inside, other_blocked_inside;
static void *volatile last_addr;
static sigjmp_buf jump;

static void on_info(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    hits++;
    last_signo = si->si_signo;
    last_code = si->si_code;
    last_pid_ok = si->si_pid == getpid();
    last_value = si->si_value.sival_int;
    aligned = ((uintptr_t)__builtin_frame_address(0) & 15) == 0;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    blocked_inside = sigismember(&now, sig);
    other_blocked_inside = sigismember(&now, SIGUSR2);
}

static void install(int sig, void (*h)(int, siginfo_t *, void *), int flags, int mask_usr2) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (mask_usr2) sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(sig, &sa, NULL);
}

static void report(const char *what) {
    say("%s: hits %d signo %d code %d pid right %s\n", what, (int)hits, (int)last_signo, (int)last_code, yes(last_pid_ok));
    hits = 0;
}

static void siginfo_sources(void) {
    install(SIGUSR1, on_info, 0, 0);
    kill(getpid(), SIGUSR1);
    report("kill");
    say("handler stack 16-byte aligned: %s, own signal blocked inside: %s\n", yes(aligned), yes(blocked_inside));
    raise(SIGUSR1);
    report("raise");
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
    report("tgkill");
    union sigval v = {.sival_int = 1234};
    sigqueue(getpid(), SIGUSR1, v);
    report("sigqueue");
    say("sigqueue value: %d\n", (int)last_value);
    install(SIGUSR1, on_info, SA_NODEFER, 1);
    kill(getpid(), SIGUSR1);
    say("SA_NODEFER: own signal blocked inside %s; sa_mask SIGUSR2 blocked inside %s\n", yes(blocked_inside),
        yes(other_blocked_inside));
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    say("mask restored after the handler: %s\n", yes(!sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2)));
    hits = 0;
}

static void masks(void) {
    install(SIGUSR1, on_info, 0, 0);
    sigset_t m, old, pend;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, &old);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    sigpending(&pend);
    say("blocked: handler ran %d, pending SIGUSR1 %s, SIGUSR2 %s\n", (int)hits, yes(sigismember(&pend, SIGUSR1) == 1),
        yes(sigismember(&pend, SIGUSR2) == 1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    say("unblocked: a standard signal sent twice ran %d time(s)\n", (int)hits);
    hits = 0;
    /* Real-time signals queue (40: the same number for glibc and musl). */
    install(40, on_info, 0, 0);
    sigemptyset(&m);
    sigaddset(&m, 40);
    sigprocmask(SIG_BLOCK, &m, NULL);
    for (int i = 0; i < 3; i++) { union sigval v = {.sival_int = i}; sigqueue(getpid(), 40, v); }
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    say("real-time signal sent 3 times ran %d times, last value %d, code %d\n", (int)hits, (int)last_value, (int)last_code);
    hits = 0;
    /* Ignored: discarded, not pending. */
    signal(SIGUSR2, SIG_IGN);
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    kill(getpid(), SIGUSR2);
    sigpending(&pend);
    say("ignored and blocked signal pending: %s\n", yes(sigismember(&pend, SIGUSR2) == 1));
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    signal(SIGUSR2, SIG_DFL);
    /* SIGKILL and SIGSTOP cannot be blocked or caught. */
    sigfillset(&m);
    sigprocmask(SIG_SETMASK, &m, NULL);
    sigprocmask(SIG_SETMASK, NULL, &old);
    say("SIGKILL/SIGSTOP blockable: %s %s\n", yes(sigismember(&old, SIGKILL) == 1), yes(sigismember(&old, SIGSTOP) == 1));
    sigemptyset(&m);
    sigprocmask(SIG_SETMASK, &m, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    say("sigaction(SIGKILL): %s, sigaction(SIGSTOP): %s, sigaction(0): %s, sigaction(65): %s\n", res(sigaction(SIGKILL, &sa, NULL)),
        res(sigaction(SIGSTOP, &sa, NULL)), res(sigaction(0, &sa, NULL)), res(syscall(SYS_rt_sigaction, 65, &sa, NULL, 8)));
    say("kill(bad signal): %s, kill(no such pid): %s, kill(self, 0): %s\n", res(kill(getpid(), 65)), res(kill(0x3fffffff, SIGUSR1)),
        res(kill(getpid(), 0)));
}

static void resethand(void) {
    install(SIGWINCH, on_info, SA_RESETHAND, 0);          /* default action: ignore */
    raise(SIGWINCH);
    raise(SIGWINCH);
    struct sigaction sa;
    sigaction(SIGWINCH, NULL, &sa);
    say("SA_RESETHAND: handler ran %d, now default %s\n", (int)hits, yes(sa.sa_handler == SIG_DFL));
    hits = 0;
}

static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    last_signo = sig;
    last_code = si->si_code;
    last_addr = si->si_addr;
    siglongjmp(jump, 1);
}

static void on_ud2(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    last_signo = sig;
    last_code = si->si_code;
    last_addr = si->si_addr;
    uc->uc_mcontext.gregs[REG_RIP] += 2;                  /* step over ud2 */
}

static void faults(void) {
    install(SIGSEGV, on_fault, 0, 0);
    install(SIGBUS, on_fault, 0, 0);
    install(SIGFPE, on_fault, 0, 0);
    install(SIGILL, on_fault, 0, 0);
    install(SIGTRAP, on_fault, 0, 0);
    volatile int *p = (int *)16;
    if (sigsetjmp(jump, 1) == 0) { *p = 1; say("no fault?\n"); }
    say("write to 16: signal %d code %d addr right %s\n", (int)last_signo, (int)last_code, yes(last_addr == (void *)16));
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(jump, 1) == 0) { *(volatile char *)(ro + 5) = 1; say("no fault?\n"); }
    say("write to read-only page: signal %d code %d addr right %s\n", (int)last_signo, (int)last_code, yes(last_addr == ro + 5));
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    say("siglongjmp restored the mask (SIGSEGV unblocked): %s\n", yes(!sigismember(&now, SIGSEGV)));
    munmap(ro, 4096);
    if (sigsetjmp(jump, 1) == 0) __asm__ volatile("xorl %%ecx, %%ecx; movl $1, %%eax; cltd; idivl %%ecx" ::: "eax", "ecx", "edx");
    say("divide by zero: signal %d code %d\n", (int)last_signo, (int)last_code);
    if (sigsetjmp(jump, 1) == 0) __asm__ volatile("ud2");
    say("ud2: signal %d code %d\n", (int)last_signo, (int)last_code);
    if (sigsetjmp(jump, 1) == 0) __asm__ volatile("int3");
    say("int3: signal %d code %d\n", (int)last_signo, (int)last_code);
    /* Twenty faults in a row: each recovered. */
    int recovered = 0;
    for (int i = 0; i < 20; i++) {
        if (sigsetjmp(jump, 1) == 0) *(volatile int *)(uintptr_t)(64 + i * 8) = i;
        else recovered++;
    }
    say("20 faults recovered: %d\n", recovered);
    /* The handler edits the saved RIP: execution resumes after ud2. */
    install(SIGILL, on_ud2, 0, 0);
    volatile int after = 0;
    __asm__ volatile("ud2");
    after = 1;
    say("resumed after ud2 through the ucontext: %s, signal %d code %d\n", yes(after), (int)last_signo, (int)last_code);
    signal(SIGSEGV, SIG_DFL); signal(SIGBUS, SIG_DFL); signal(SIGFPE, SIG_DFL);
    signal(SIGILL, SIG_DFL); signal(SIGTRAP, SIG_DFL);
}

static volatile sig_atomic_t chld_code, chld_status, chld_pid_ok;
static volatile pid_t chld_expected;
static void on_chld(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    hits++;
    chld_code = si->si_code;
    chld_status = si->si_status;
    chld_pid_ok = si->si_pid == chld_expected;
}

static void sigchld(void) {
    install(SIGCHLD, on_chld, SA_RESTART, 0);
    sigset_t m, old;
    sigemptyset(&m);
    sigaddset(&m, SIGCHLD);
    sigprocmask(SIG_BLOCK, &m, &old);               /* so chld_expected is set before it runs */
    pid_t pid = fork();
    if (pid == 0) _exit(5);
    chld_expected = pid;
    int st = reap(pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    say("SIGCHLD: handler ran %d, code %d status %d pid right %s; child %s\n", (int)hits, (int)chld_code, (int)chld_status,
        yes(chld_pid_ok), status_text(st));
    hits = 0;
    pid = fork();
    if (pid == 0) { no_core(); kill(getpid(), SIGTERM); _exit(0); }
    chld_expected = pid;
    int got;
    do got = waitpid(pid, &st, 0); while (got < 0 && errno == EINTR);
    say("SIGCHLD for a killed child: code %d status %d\n", (int)chld_code, (int)chld_status);
    hits = 0;
    signal(SIGCHLD, SIG_IGN);                       /* children are reaped by the kernel */
    pid = fork();
    if (pid == 0) _exit(6);
    errno = 0;
    int r = waitpid(pid, &st, 0);
    say("SIGCHLD ignored: waitpid %s\n", res(r));
    signal(SIGCHLD, SIG_DFL);
}

static int tick_fd = -1;
static void on_alarm(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)si; (void)uc;
    hits++;
    if (tick_fd >= 0) write(tick_fd, "t", 1);
}

static void timer_once(long ms) {
    struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void restart_vs_eintr(void) {
    int p[2];
    pipe(p);
    char c;
    install(SIGALRM, on_alarm, 0, 0);
    timer_once(30);
    ssize_t r = read(p[0], &c, 1);                      /* empty pipe: blocks until the timer */
    say("read without SA_RESTART: %s, handler ran %d\n", res(r), (int)hits);
    hits = 0;
    tick_fd = p[1];                                     /* the handler now writes a byte */
    install(SIGALRM, on_alarm, SA_RESTART, 0);
    timer_once(30);
    r = read(p[0], &c, 1);
    say("read with SA_RESTART: %s (restarted, got the handler's byte %s), handler ran %d\n", res(r), yes(r == 1 && c == 't'), (int)hits);
    hits = 0;
    tick_fd = -1;
    /* Child's wait is interrupted or restarted the same way. The child
       exits only when the second timer's handler writes it a byte (a child
       that slept instead could end first on a loaded machine). */
    int q[2];
    pipe(q);
    pid_t pid = fork();
    if (pid == 0) { close(q[1]); read_full(q[0], &c, 1); _exit(8); }
    close(q[0]);
    install(SIGALRM, on_alarm, 0, 0);
    timer_once(30);
    int st;
    say("waitpid without SA_RESTART: %s\n", res(waitpid(pid, &st, 0)));
    tick_fd = q[1];
    install(SIGALRM, on_alarm, SA_RESTART, 0);
    timer_once(30);
    int got = waitpid(pid, &st, 0) == pid;
    say("waitpid with SA_RESTART: returns the pid %s, %s\n", yes(got), status_text(st));
    tick_fd = -1;
    close(q[1]);
    hits = 0;
    /* nanosleep is never restarted after a handler (EINTR, time left). */
    timer_once(30);
    struct timespec t = {5, 0}, left = {0, 0};
    double t0 = now();
    int n = nanosleep(&t, &left);
    say("nanosleep 5 s with a 30 ms timer (SA_RESTART): %s, time left in (0, 5 s): %s, woke early: %s\n", res(n),
        yes(left.tv_sec < 5 && (left.tv_sec > 0 || left.tv_nsec > 0)), yes(now() - t0 < 4));
    hits = 0;
    timer_once(30);
    int pr = pause();                                   /* (arguments are evaluated in any order) */
    say("pause: %s, handler ran %d\n", res(pr), (int)hits);
    hits = 0;
    /* sigsuspend with SIGALRM blocked outside. */
    sigset_t m, old, wait_mask;
    sigemptyset(&m);
    sigaddset(&m, SIGALRM);
    sigprocmask(SIG_BLOCK, &m, &old);
    timer_once(30);
    sigemptyset(&wait_mask);
    int s = sigsuspend(&wait_mask);
    sigset_t after;
    sigprocmask(SIG_BLOCK, NULL, &after);
    say("sigsuspend: %s, handler ran %d, mask restored %s\n", res(s), (int)hits, yes(sigismember(&after, SIGALRM) == 1));
    hits = 0;
    /* sigtimedwait takes a blocked signal without running the handler. */
    kill(getpid(), SIGALRM);
    siginfo_t si;
    struct timespec zero = {0, 10 * 1000000};
    int w = sigtimedwait(&m, &si, &zero);
    say("sigtimedwait: %d code %d handler ran %d\n", w, si.si_code, (int)hits);
    say("sigtimedwait with nothing pending: %s\n", res(sigtimedwait(&m, &si, &zero)));
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGALRM, SIG_DFL);
    close(p[0]); close(p[1]);
}

/* FPU/SSE state of the interrupted code survives handlers that use it. */
static volatile double handler_sum;
static void on_fp(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)si; (void)uc;
    hits++;
    double x = 1.0;
    for (int i = 0; i < 100; i++) x = x * 1.5 + 0.25;
    handler_sum += x;
}

static void fpu_across_handlers(void) {
    install(SIGALRM, on_fp, SA_RESTART, 0);
    struct itimerval it = {{0, 2000}, {0, 2000}};
    setitimer(ITIMER_REAL, &it, NULL);
    double a = 0, b = 1;
    long bad = 0;
    double t0 = now();
    while (hits < 20 && now() - t0 < 20) {
        for (int i = 0; i < 1000; i++) { a += 0.5; b *= 1.0000001; }
        double expect_a = 0.5 * 1000 * (long)(a / 500);
        bad += a != expect_a;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    say("floating point across %s20 timer signals intact: %s\n", hits >= 20 ? "" : "fewer than ", yes(bad == 0 && b > 1));
    hits = 0;
    signal(SIGALRM, SIG_DFL);
}

static char *alt_base;
static volatile int on_alt, alt_flags;
static void on_altsig(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)si; (void)uc;
    char local;
    on_alt = &local > alt_base && &local < alt_base + 65536;
    stack_t cur;
    sigaltstack(NULL, &cur);
    alt_flags = cur.ss_flags;
}

static int depth(int n) {
    volatile char pad[1024];
    pad[0] = (char)n;
    return n > 1000000 ? pad[0] : depth(n + 1) + pad[0];
}

static void altstack(void) {
    alt_base = malloc(65536);
    stack_t ss = {.ss_sp = alt_base, .ss_size = 65536, .ss_flags = 0};
    say("sigaltstack: %s\n", res(sigaltstack(&ss, NULL)));
    install(SIGUSR1, on_altsig, SA_ONSTACK, 0);
    kill(getpid(), SIGUSR1);
    say("SA_ONSTACK handler on the alternate stack: %s, ss_flags inside SS_ONSTACK: %s\n", yes(on_alt), yes(alt_flags & SS_ONSTACK));
    install(SIGUSR1, on_altsig, 0, 0);
    kill(getpid(), SIGUSR1);
    say("without SA_ONSTACK: on the alternate stack %s\n", yes(on_alt));
    stack_t small = {.ss_sp = alt_base, .ss_size = 100, .ss_flags = 0};
    say("sigaltstack too small: %s\n", res(sigaltstack(&small, NULL)));
    /* Stack overflow: only an alternate stack can run the SIGSEGV handler. */
    pid_t pid = fork();
    if (pid == 0) {
        no_core();
        struct rlimit lim = {1 << 20, 1 << 20};
        setrlimit(RLIMIT_STACK, &lim);
        install(SIGSEGV, on_fault, SA_ONSTACK, 0);
        if (sigsetjmp(jump, 1) == 0) depth(0);
        _exit(last_signo == SIGSEGV ? 0 : 1);
    }
    say("stack overflow recovered on the alternate stack: %s\n", status_text(reap(pid)));
    pid = fork();
    if (pid == 0) {
        no_core();
        struct rlimit lim = {1 << 20, 1 << 20};
        setrlimit(RLIMIT_STACK, &lim);
        stack_t off = {.ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
        install(SIGSEGV, on_fault, 0, 0);
        if (sigsetjmp(jump, 1) == 0) depth(0);
        _exit(3);
    }
    say("stack overflow without an alternate stack: %s\n", status_text(reap(pid)));
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    signal(SIGUSR1, SIG_DFL);
}

static void across_processes(void) {
    int ready[2];
    pipe(ready);
    pid_t pid = fork();
    if (pid == 0) {
        install(SIGUSR1, on_info, 0, 0);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGUSR1);
        sigprocmask(SIG_BLOCK, &m, NULL);
        write(ready[1], "r", 1);
        sigset_t none;
        sigemptyset(&none);
        while (hits == 0) sigsuspend(&none);
        _exit(last_signo == SIGUSR1 && last_code == SI_USER ? 20 : 21);
    }
    char c;
    read_full(ready[0], &c, 1);
    kill(pid, SIGUSR1);
    say("signal to a child's handler: %s\n", status_text(reap(pid)));
    /* A child killed while blocked in read. */
    pid = fork();
    if (pid == 0) { char b; read(ready[0], &b, 1); _exit(0); }
    msleep(20);
    kill(pid, SIGTERM);
    say("child blocked in read, SIGTERM: %s\n", status_text(reap(pid)));
    close(ready[0]); close(ready[1]);
}

int main(void) {
    proc_setup();
    siginfo_sources();
    masks();
    resethand();
    faults();
    sigchld();
    restart_vs_eintr();
    fpu_across_handlers();
    altstack();
    across_processes();
    say("done\n");
    return 0;
}

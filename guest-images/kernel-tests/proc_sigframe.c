/*
 * The signal frame and its edges (issue 11), without timers: what a handler
 * finds in its ucontext (uc_sigmask, uc_stack, RSP alignment), SSE registers
 * kept across a handler, nested handlers, rt_sigreturn of a bad frame and
 * an action without SA_RESTORER (SIGSEGV), sigaltstack's errors and flags
 * (EPERM on the stack, EINVAL, SS_DISABLE, SS_AUTODISARM), SA_RESTART vs
 * EINTR for a pipe read and a wait interrupted by a child's signal,
 * sigtimedwait woken by a child, rt_sigqueueinfo's EPERM, SIGALRM's SI_KERNEL.
 */
#include "proc_common.h"
#include <ucontext.h>
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)                     /* glibc's headers lack it */
#endif

static volatile sig_atomic_t hits, order[4], norder, mask_has_usr2, rsp_mod16;
static volatile long uc_ss_flags;

static void install(int sig, void (*h)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void on_plain(int sig, siginfo_t *si, void *ucv) {
    (void)si;
    ucontext_t *uc = ucv;
    hits++;
    if (norder < 4) order[norder++] = sig;
    mask_has_usr2 = sigismember(&uc->uc_sigmask, SIGUSR2);
    uc_ss_flags = uc->uc_stack.ss_flags;
}

static void on_nest(int sig, siginfo_t *si, void *uc) {
    on_plain(sig, si, uc);
    if (sig == SIGUSR1) raise(SIGUSR2);              /* runs inside this one */
    if (norder < 4) order[norder++] = -sig;
}

static void ucontext_contents(void) {
    stack_t off = {.ss_flags = SS_DISABLE};        /* exec keeps the launcher's flags: make them known */
    sigaltstack(&off, NULL);
    install(SIGUSR1, on_plain, 0);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    raise(SIGUSR1);
    say("uc_sigmask holds the interrupted mask (SIGUSR2 blocked): %s; uc_stack.ss_flags %ld\n", yes(mask_has_usr2), uc_ss_flags);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    raise(SIGUSR1);
    say("after unblocking: uc_sigmask SIGUSR2 %s\n", yes(mask_has_usr2));
    norder = 0;
    install(SIGUSR1, on_nest, 0);
    install(SIGUSR2, on_nest, 0);
    raise(SIGUSR1);
    say("nested: %d %d %d %d\n", (int)order[0], (int)order[1], (int)order[2], (int)order[3]);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    hits = 0;
}

/* An SSE register holding a value across a signal its handler clobbers. */
static void on_sse(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)si; (void)uc;
    hits++;
    __asm__ volatile("pcmpeqd %%xmm7, %%xmm7; xorps %%xmm6, %%xmm6" ::: "xmm6", "xmm7");
    uintptr_t sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    rsp_mod16 = (int)(sp & 15);
}

static void sse_state(void) {
    install(SIGUSR1, on_sse, 0);
    unsigned long in[2] = {0x1122334455667788UL, 0x99aabbccddeeff00UL}, out7[2], out6[2];
    __asm__ volatile("movdqu %2, %%xmm7; movdqu %2, %%xmm6\n\t"
                     "movl $62, %%eax; movl %3, %%edi; movl $10, %%esi; syscall\n\t"   /* kill(self, SIGUSR1) */
                     "movdqu %%xmm7, %0; movdqu %%xmm6, %1"
                     : "=m"(out7), "=m"(out6) : "m"(in), "r"(getpid()) : "rax", "rdi", "rsi", "rcx", "r11", "xmm6", "xmm7", "memory");
    say("xmm6/xmm7 kept across a handler that changed them: %s, handler ran %d\n",
        yes(out7[0] == in[0] && out7[1] == in[1] && out6[0] == in[0] && out6[1] == in[1]), (int)hits);
    hits = 0;
    signal(SIGUSR1, SIG_DFL);
}

static void bad_frames(void) {
    /* rt_sigreturn with no frame on the stack: SIGSEGV. */
    pid_t pid = fork();
    if (pid == 0) {
        no_core();
        static char junk[4096] __attribute__((aligned(16)));
        memset(junk, 0xff, sizeof junk);                 /* RIP, CS, RSP all garbage */
        __asm__ volatile("lea %0, %%rsp; movl $15, %%eax; syscall" :: "m"(junk[2048]) : "rax", "memory");
        _exit(1);
    }
    say("rt_sigreturn of a garbage frame: %s\n", status_text(reap(pid)));
    /* A handler without SA_RESTORER cannot be returned from: SIGSEGV at delivery. */
    pid = fork();
    if (pid == 0) {
        no_core();
        struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } ka = {(void *)on_plain, SA_SIGINFO, 0, 0};
        syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
        kill(getpid(), SIGUSR1);
        _exit(hits ? 2 : 3);
    }
    say("handler without SA_RESTORER: %s\n", status_text(reap(pid)));
    /* A handler at a non-canonical address: the return to it faults, SIGSEGV. */
    pid = fork();
    if (pid == 0) {
        no_core();
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sigaction(SIGUSR1, NULL, &sa);               /* the libc's restorer ... */
        struct { unsigned long handler, flags; void *restorer; unsigned long mask; } ka = {0x8000000000000000UL, 0x04000000, sa.sa_restorer, 0};
        syscall(SYS_rt_sigaction, SIGUSR1, &ka, NULL, 8);
        kill(getpid(), SIGUSR1);
        _exit(3);
    }
    say("handler at a non-canonical address: %s\n", status_text(reap(pid)));
}

static char alt[65536] __attribute__((aligned(16)));
static volatile int inner_eperm, inner_flags, inner_on_alt, try_set = 1;
static void on_alt(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)si; (void)uc;
    char here;
    inner_on_alt = &here > alt && &here < alt + sizeof alt;
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0}, cur;
    inner_eperm = try_set && sigaltstack(&ss, NULL) == -1 && errno == EPERM;
    sigaltstack(NULL, &cur);
    inner_flags = cur.ss_flags;
}

static void altstack_edges(void) {
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0}, cur;
    sigaltstack(NULL, &cur);
    say("no alternate stack: ss_flags %d ss_size %ld\n", cur.ss_flags, (long)cur.ss_size);
    say("sigaltstack(bad flags): %s\n", res(sigaltstack(&(stack_t){.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0x10}, NULL)));
    say("sigaltstack: %s\n", res(sigaltstack(&ss, NULL)));
    sigaltstack(NULL, &cur);
    say("read back: size right %s flags %d\n", yes(cur.ss_sp == alt && cur.ss_size == sizeof alt), cur.ss_flags);
    install(SIGUSR1, on_alt, SA_ONSTACK);
    raise(SIGUSR1);
    say("inside the handler: on it %s, sigaltstack EPERM %s, ss_flags %d\n", yes(inner_on_alt), yes(inner_eperm), inner_flags);
    stack_t dis = {.ss_flags = SS_DISABLE};
    say("SS_DISABLE: %s\n", res(sigaltstack(&dis, NULL)));
    sigaltstack(NULL, &cur);
    say("after SS_DISABLE: ss_flags %d\n", cur.ss_flags);
    raise(SIGUSR1);
    say("SA_ONSTACK without a stack: on it %s\n", yes(inner_on_alt));
    try_set = 0;                                     /* (Linux keeps a stack a disarmed handler sets) */
    stack_t ad = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = SS_AUTODISARM};
    say("SS_AUTODISARM: %s\n", res(sigaltstack(&ad, NULL)));
    raise(SIGUSR1);
    say("inside with SS_AUTODISARM: on it %s, ss_flags %d (disarmed)\n", yes(inner_on_alt), inner_flags);
    sigaltstack(NULL, &cur);
    say("after the handler: ss_flags %#x (restored from uc_stack)\n", (unsigned)cur.ss_flags);
    sigaltstack(&dis, NULL);
    signal(SIGUSR1, SIG_DFL);
}

static void on_count(int sig, siginfo_t *si, void *uc) { (void)sig; (void)si; (void)uc; hits++; }

/* The parent blocks in read (or wait4); a child signals it, then writes. */
static void restart_from_a_child(int restart) {
    int p[2], go[2];
    pipe(p);
    pipe(go);
    install(SIGUSR1, on_count, restart ? SA_RESTART : 0);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(go[0], &c, 1);
        msleep(50);                                  /* the parent is in read by now */
        kill(parent, SIGUSR1);
        msleep(50);
        write(p[1], "x", 1);
        _exit(0);
    }
    write(go[1], "g", 1);
    char c = 0;
    ssize_t r = read(p[0], &c, 1);
    say("pipe read, %s: %s%s, handler ran %d\n", restart ? "SA_RESTART" : "no SA_RESTART", res(r),
        r == 1 ? (c == 'x' ? " (restarted: the child's byte)" : " (wrong byte)") : "", (int)hits);
    hits = 0;
    reap(pid);
    /* wait4 for a child that signals first, then exits. */
    pid = fork();
    if (pid == 0) { msleep(50); kill(parent, SIGUSR1); msleep(50); _exit(4); }
    int st = 0;
    int w = waitpid(pid, &st, 0);
    say("waitpid, %s: %s, handler ran %d\n", restart ? "SA_RESTART" : "no SA_RESTART", w == pid ? "the pid" : res(w), (int)hits);
    if (w != pid) reap(pid);
    hits = 0;
    signal(SIGUSR1, SIG_DFL);
    close(p[0]); close(p[1]); close(go[0]); close(go[1]);
}

static void sigtimedwait_from_a_child(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) { msleep(50); union sigval v = {.sival_int = 77}; sigqueue(parent, SIGUSR2, v); _exit(0); }
    siginfo_t si;
    struct timespec t = {10, 0};
    int s = sigtimedwait(&m, &si, &t);
    say("sigtimedwait woken by a child's sigqueue: %d code %d value %d pid right %s\n", s, si.si_code, si.si_value.sival_int,
        yes(si.si_pid == pid));
    reap(pid);
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    /* rt_sigqueueinfo: a non-negative si_code to another process is EPERM. */
    siginfo_t fake;
    memset(&fake, 0, sizeof fake);
    fake.si_signo = SIGUSR2;
    fake.si_code = SI_USER;
    pid = fork();
    if (pid == 0) { pause(); _exit(0); }
    say("rt_sigqueueinfo(SI_USER) to another process: %s\n", res(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR2, &fake)));
    kill(pid, SIGKILL);
    say("child killed in pause: %s\n", status_text(reap(pid)));
}

static volatile int alarm_code = -99;
static void on_alarm(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; alarm_code = si->si_code; }

static void alarm_siginfo(void) {
    install(SIGALRM, on_alarm, 0);
    alarm(1);
    pause();
    say("SIGALRM from alarm: si_code %d\n", alarm_code);
    signal(SIGALRM, SIG_DFL);
}

int main(void) {
    proc_setup();
    ucontext_contents();
    sse_state();
    bad_frames();
    altstack_edges();
    restart_from_a_child(0);
    restart_from_a_child(1);
    sigtimedwait_from_a_child();
    alarm_siginfo();
    say("done\n");
    return 0;
}

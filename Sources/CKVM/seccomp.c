/* The vCPU thread's seccomp-BPF filter (README, "Seccomp"). See ckvm.h.
 *
 * Like Firecracker's per-thread filters: installed by the vCPU thread on
 * itself once set-up is done (no SECCOMP_FILTER_FLAG_TSYNC: the main thread,
 * which writes reports and files after the run, is not confined). The
 * filter checks the architecture first (a 32-bit int 0x80 call or an x32
 * call would otherwise be read with x86_64 numbers), then allows the system
 * calls the run loop makes, some only with the arguments it uses; anything
 * else raises SIGSYS (SECCOMP_RET_TRAP), whose handler writes one line naming
 * the call and ends the process with CKVM_SECCOMP_STATUS.
 * Documentation/userspace-api/seccomp_filter.rst; seccomp(2). */
#define _GNU_SOURCE
#include "ckvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_OFF   (offsetof(struct seccomp_data, nr))
#define ARCH_OFF (offsetof(struct seccomp_data, arch))
/* Arguments are 64 bits; x86_64 is little-endian: the low half comes first. */
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)

#define LD(off)        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v)         BPF_STMT(BPF_RET | BPF_K, (v))
#define JEQ(k, t, f)   BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define JSET(k, t, f)  BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (k), (t), (f))
#define ALLOW          RET(SECCOMP_RET_ALLOW)
#define TRAP           RET(SECCOMP_RET_TRAP)
/* Allow system call `nr` outright. */
#define ALLOW_NR(nr)   JEQ((nr), 0, 1), ALLOW

static void on_sigsys(int sig, siginfo_t *info, void *context) {
    (void)sig; (void)context;
    /* Async-signal-safe: format by hand, write(2) and _exit (both allowed). */
    char line[160] = "vmm: seccomp: the vCPU thread made system call ";
    size_t n = strlen(line);
    char digits[12];
    int d = 0;
    unsigned v = (unsigned)info->si_syscall;
    do { digits[d++] = (char)('0' + v % 10); v /= 10; } while (v && d < 11);
    while (d) line[n++] = digits[--d];
    const char *tail = ", which the filter does not allow once the guest runs (README, \"Seccomp\"); stopped\n";
    size_t t = strlen(tail);
    memcpy(line + n, tail, t);
    n += t;
    ssize_t ignored = write(2, line, n);
    (void)ignored;
    _exit(CKVM_SECCOMP_STATUS);
}

int ckvm_seccomp_confine(int stats_fd) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) != 0) return -errno;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSYS);
    int r = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    if (r != 0) return -r;

    struct sock_filter filter[] = {
        /* 0-2: x86_64 only. */
        LD(ARCH_OFF),
        JEQ(AUDIT_ARCH_X86_64, 1, 0),
        RET(SECCOMP_RET_KILL_PROCESS),
        LD(NR_OFF),
        /* The run loop: KVM_RUN, and the register reads of a failure dump
         * (KVM_GET_REGS, KVM_GET_SREGS). The request number is 32 bits
         * (the high half of the argument is ignored by the kernel too). */
        JEQ(SYS_ioctl, 0, 8),
        LD(ARG_LO(1)),
        JEQ(KVM_RUN, 5, 0),
        JEQ(KVM_GET_REGS, 4, 0),
        JEQ(KVM_GET_SREGS, 3, 0),
        JEQ(KVM_IRQ_LINE, 2, 0),   /* the UART's interrupt (Linux guests) */
        JEQ(KVM_GET_MP_STATE, 1, 0),   /* the halt check (Run/HaltWatch.swift) */
        TRAP,
        ALLOW,
        /* The console (stdout) and the VMM's own lines (stderr). */
        JEQ(SYS_write, 0, 7),
        LD(ARG_HI(0)),
        JEQ(0, 0, 4),
        LD(ARG_LO(0)),
        JEQ(1, 1, 0),
        JEQ(2, 0, 1),
        ALLOW,
        TRAP,
        /* KVM's binary statistics at each mark (the stats fd only). */
        JEQ(SYS_pread64, 0, 4),
        LD(ARG_LO(0)),
        JEQ((uint32_t)stats_fd, 0, 1),
        ALLOW,
        TRAP,
        /* Memory for marks, reports and exit counts: glibc's malloc grows a
         * thread's arena with mprotect and maps large blocks with mmap;
         * never executable memory. */
        JEQ(SYS_mprotect, 0, 4),
        LD(ARG_LO(2)),
        JSET(PROT_EXEC, 1, 0),
        ALLOW,
        TRAP,
        JEQ(SYS_mmap, 0, 4),
        LD(ARG_LO(2)),
        JSET(PROT_EXEC, 1, 0),
        ALLOW,
        TRAP,
        /* From here on the accumulator holds the number again (each block
         * above loads an argument only on its own call's path). */
        /* Waiting out a full non-blocking stdout. */
        ALLOW_NR(SYS_poll),
        ALLOW_NR(SYS_ppoll),
        /* Time (the vDSO serves it; the system call is its fallback). */
        ALLOW_NR(SYS_clock_gettime),
        /* Signals: the kick (SIGINT, SIGTERM, the watchdog) returns through
         * rt_sigreturn; glibc masks signals around some calls. */
        ALLOW_NR(SYS_rt_sigreturn),
        ALLOW_NR(SYS_rt_sigprocmask),
        ALLOW_NR(SYS_restart_syscall),
        /* The watchdog's timer is deleted when the loop ends. */
        ALLOW_NR(SYS_timer_delete),
        /* The rest of malloc, the Swift runtime's locks, the thread's end. */
        ALLOW_NR(SYS_brk),
        ALLOW_NR(SYS_munmap),
        ALLOW_NR(SYS_mremap),
        ALLOW_NR(SYS_madvise),
        ALLOW_NR(SYS_futex),
        ALLOW_NR(SYS_sched_yield),
        ALLOW_NR(SYS_gettid),        /* the Swift runtime's lock owner ids */
        ALLOW_NR(SYS_exit),
        ALLOW_NR(SYS_exit_group),
        TRAP,
    };
    struct sock_fprog prog = { .len = (unsigned short)(sizeof filter / sizeof filter[0]), .filter = filter };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return -errno;
    return 0;
}

int ckvm_seccomp_probe(void) {
    /* The debug hook's forbidden call: never reached past the filter. */
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

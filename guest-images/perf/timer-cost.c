/*
 * The timer's and the context switch's cost in guest-kernel instructions
 * (Sources/GuestKernel/README.md, "Costs"). Run in the guest with
 * `vmm --prealloc run --exit-stats timer-cost MODE N` and subtract the
 * N = 0 run's insn_emulation:
 *   yield N   two processes sched_yield N times each (2N switches, plus the
 *             tick interrupts KVM's irq_injections counts);
 *   tick US   one process spins in ring 3 (10^9 increments, no system call)
 *             with an ITIMER_REAL of US microseconds whose SIGALRM is
 *             ignored: one interrupt per expiry, no switch (irq_injections).
 */
#include <signal.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
    if (argc != 3) return 64;
    int n = atoi(argv[2]);
    if (strcmp(argv[1], "yield") == 0) {
        pid_t c = fork();
        for (int i = 0; i < n; i++) sched_yield();
        if (c == 0) _exit(0);
        waitpid(c, 0, 0);
        return 0;
    }
    if (strcmp(argv[1], "tick") != 0) return 64;
    signal(SIGALRM, SIG_IGN);
    struct itimerval it = {{0, n}, {0, n}};
    if (n) setitimer(ITIMER_REAL, &it, 0);
    volatile unsigned long k = 0;
    for (long j = 0; j < 1000000000L; j++) k++;
    return 0;
}

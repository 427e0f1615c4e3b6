/*
 * The kernel's 8-byte user accesses (issue 14: user_get64/user_put64, the
 * one-instruction get_user/put_user with a fault fixup): sigprocmask's sets,
 * eventfd's counter and sigaction's struct read from and written to bad
 * pointers, kernel addresses, never-touched pages, words across a page
 * boundary, read-only pages, holes and copy-on-write pages. Each says what
 * Linux says (rt_sigprocmask(2), eventfd(2), rt_sigaction(2)), including
 * what a failed call has already done.
 */
#include "ev_common.h"
#include <sys/eventfd.h>
#include <sys/mman.h>

/* rt_sigaction's own struct (the kernel's layout, not a libc's). */
struct kernel_sigaction { void (*handler)(int); unsigned long flags; void (*restorer)(void); uint64_t mask; };

static long mask_call(int how, const void *set, void *old) { return syscall(SYS_rt_sigprocmask, how, set, old, 8); }

int main(void) {
    proc_setup();
    uint64_t usr1 = 1ull << (SIGUSR1 - 1), old = 0;
    say("sigprocmask, set at address 8: %s\n", rv(mask_call(SIG_BLOCK, (void *)8, NULL)));
    say("sigprocmask, old set at address 8: %s\n", rv(mask_call(SIG_BLOCK, &usr1, (void *)8)));
    say("sigprocmask, set at a kernel address: %s\n", rv(mask_call(SIG_BLOCK, (void *)0xffffffff80000000ul, NULL)));
    say("sigprocmask, old set only: %s\n", rv(mask_call(SIG_SETMASK, NULL, &old)));
    say("SIGUSR1 blocked by the call whose old set faulted: %s\n", yes(old & usr1));

    char *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    say("set from a never-touched page: %s\n", rv(mask_call(SIG_BLOCK, m, NULL)));
    const char *r = rv(mask_call(SIG_BLOCK, NULL, m + 4096));
    say("old set into a never-touched page: %s, word %llx\n", r, (unsigned long long)*(uint64_t *)(m + 4096));
    r = rv(mask_call(SIG_BLOCK, NULL, m + 2 * 4096 - 4));
    say("old set across a page boundary into a never-touched page: %s, word %llx\n", r,
        (unsigned long long)*(uint64_t *)(m + 2 * 4096 - 4));
    mprotect(m + 4096, 4096, PROT_READ);
    say("old set into a read-only page: %s\n", rv(mask_call(SIG_BLOCK, NULL, m + 4096)));
    munmap(m + 2 * 4096, 4096);
    say("old set across a page boundary into a hole: %s\n", rv(mask_call(SIG_BLOCK, NULL, m + 2 * 4096 - 4)));

    int e = eventfd(5, 0);
    uint64_t v = 0, three = 3, nine = 9;
    void *volatile bad = (void *)8;                       /* volatile: the compiler's own checks stay out */
    say("eventfd write from address 8: %s\n", rv(write(e, bad, 8)));
    say("eventfd read into address 8: %s\n", rv(read(e, bad, 8)));
    say("write 3 after it: %s\n", rv(write(e, &three, 8)));
    r = rv(read(e, &v, 8));
    say("read: %s, value %llu (the faulted read took the 5)\n", r, (unsigned long long)v);

    uint64_t *shared = (uint64_t *)m;                     /* copy-on-write once the child exists */
    *shared = 77;
    pid_t pid = fork();
    if (pid == 0) {
        write(e, &nine, 8);
        read(e, shared, 8);
        say("child's word after read into its copy: %llu\n", (unsigned long long)*shared);
        _exit(0);
    }
    reap(pid);
    say("parent's word: %llu\n", (unsigned long long)*shared);

    struct kernel_sigaction ign = {SIG_IGN, 0, NULL, 0}, got;
    say("sigaction, struct across a page boundary into a hole: %s\n",
        rv(syscall(SYS_rt_sigaction, SIGUSR2, (void *)(m + 2 * 4096 - 16), NULL, 8)));
    r = rv(syscall(SYS_rt_sigaction, SIGUSR2, NULL, &got, 8));
    say("query: %s, still SIG_DFL %s\n", r, yes(got.handler == SIG_DFL));
    say("set SIG_IGN: %s\n", rv(syscall(SYS_rt_sigaction, SIGUSR2, &ign, NULL, 8)));
    r = rv(syscall(SYS_rt_sigaction, SIGUSR2, NULL, &got, 8));
    say("query: %s, SIG_IGN %s\n", r, yes(got.handler == SIG_IGN));
    say("old action into address 8: %s\n", rv(syscall(SYS_rt_sigaction, SIGUSR2, &ign, (void *)8, 8)));
    say("SIGKILL: %s\n", rv(syscall(SYS_rt_sigaction, SIGKILL, &ign, NULL, 8)));
    say("done\n");
    return 0;
}

// getpid cost in guest-kernel instructions: marks 1 and 2 bracket N getpid
// calls, marks 2 and 3 bracket nothing (the cost of a mark itself).
// VMM_SYSCALL_MARK is the guest kernel's private mark system call (vmm_guest_abi.h).
#include <stdio.h>
#include <stdlib.h>

#define VMM_SYSCALL_MARK 0x5600L

static inline long sys1(long n, long a) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a) : "rcx", "r11", "memory");
    return r;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000, sum = 0;
    sys1(VMM_SYSCALL_MARK, 1);
    for (long i = 0; i < n; i++) sum += sys1(39, 0);
    sys1(VMM_SYSCALL_MARK, 2);
    sys1(VMM_SYSCALL_MARK, 3);
    printf("getpid x%ld sum=%ld\n", n, sum);
    return 0;
}

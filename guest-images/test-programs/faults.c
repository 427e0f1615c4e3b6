/*
 * A program that dies the way its first argument says; the kernel must kill
 * it with the signal Linux sends and carry on:
 *   segv   write through a null pointer        -> SIGSEGV (status 139)
 *   ud2    an undefined instruction            -> SIGILL  (132)
 *   div0   integer division by zero            -> SIGFPE  (136)
 *   efault write(2) from a bad pointer         -> EFAULT, exit 0
 *   enosys an unknown system call              -> ENOSYS, exit 0
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "segv")) { *(volatile int *)0 = 1; }
    if (!strcmp(what, "ud2")) { __asm__ volatile("ud2"); }
    if (!strcmp(what, "div0")) { volatile int n = 10, z = 0; volatile int x = n / z; (void)x; }
    if (!strcmp(what, "efault")) {
        long r = syscall(SYS_write, 1, (void *)8, 4);
        printf("write: %ld %s\n", r, errno == EFAULT ? "EFAULT" : "other");
        return r == -1 && errno == EFAULT ? 0 : 1;
    }
    if (!strcmp(what, "enosys")) {
        long r = syscall(777);
        printf("syscall 777: %ld %s\n", r, errno == ENOSYS ? "ENOSYS" : "other");
        return r == -1 && errno == ENOSYS ? 0 : 1;
    }
    printf("usage: faults segv|ud2|div0|efault|enosys\n");
    return 2;
}

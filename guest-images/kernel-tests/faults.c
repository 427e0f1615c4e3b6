// Faults and bad system calls, one per argv[1]. A fault kills the program with
// the signal Linux sends (the VM exits with 128 + signal); "syscalls" checks
// error returns and memory calls, printing one line each, then exits with 3.
// For run lists (several programs on one kernel command line): "hold" takes
// memory, a pipe and tmpfs files and dies by SIGSEGV holding them all;
// "fpu-dirty" leaves odd x87/SSE state behind, "fpu-check" prints its own.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    const char *m = argc > 1 ? argv[1] : "none";
    if (!strcmp(m, "segv")) *(volatile int *)0 = 1;
    if (!strcmp(m, "kernel-address")) *(volatile int *)0xffffffff80100000UL = 1;
    if (!strcmp(m, "ud2")) __asm__ volatile("ud2");
    if (!strcmp(m, "oom")) {
        /* Touch anonymous memory until RAM runs out: Linux's OOM killer ends
         * the program with SIGKILL (status 137), not SIGSEGV. */
        for (;;) {
            char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) { printf("oom: mmap failed first\n"); return 1; }
            for (long i = 0; i < 1 << 20; i += 4096) p[i] = 1;
        }
    }
    if (!strcmp(m, "tmpfs-full")) {
        /* Fill /tmp with 1 MiB files until a write fails: ENOSPC (tmpfs holds
         * at most half of RAM, as Linux's default size=50%), and the program
         * lives on to use memory of its own, then removes the files. */
        static char chunk[1 << 20];
        memset(chunk, 7, sizeof chunk);
        mkdir("/tmp", 01777);
        int files = 0, err = 0;
        char name[32];
        for (; files < 100000 && !err; files++) {
            snprintf(name, sizeof name, "/tmp/fill%d", files);
            int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0600);
            if (fd < 0) { err = errno; break; }
            for (long done = 0; done < (long)sizeof chunk;) {
                long w = write(fd, chunk + done, sizeof chunk - done);
                if (w < 0) { err = errno; break; }
                done += w;
            }
            close(fd);
        }
        printf("tmpfs-full: %s after %d MiB\n", err == ENOSPC ? "ENOSPC" : strerror(err), files);
        char *own = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (long i = 0; own != MAP_FAILED && i < 8 << 20; i += 4096) own[i] = 1;
        printf("tmpfs-full: 8 MiB of its own touched\n");
        for (int i = 0; i <= files; i++) { snprintf(name, sizeof name, "/tmp/fill%d", i); unlink(name); }
        int fd = open("/tmp/after", O_CREAT | O_WRONLY, 0600);
        printf("tmpfs-full: write after unlink: %ld\n", (long)write(fd, chunk, sizeof chunk));
        return 0;
    }
    if (!strcmp(m, "div0")) __asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx" : : : "eax", "ecx", "edx");
    if (!strcmp(m, "int3")) __asm__ volatile("int3");
    if (!strcmp(m, "hold")) {
        char *p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (int i = 0; i < (1 << 20); i += 4096) p[i] = 1;
        char *b = malloc(300000);
        memset(b, 1, 300000);
        static char page[3 * 4096];
        memset(page, 'x', sizeof page);
        int fds[2];
        if (pipe(fds) != 0 || write(fds[1], page, sizeof page) != sizeof page) return 1;
        int keep = open("/tmp/keep", O_CREAT | O_TRUNC | O_RDWR, 0644);          // stays in /tmp
        int gone = open("/tmp/gone", O_CREAT | O_TRUNC | O_RDWR, 0644);          // unlinked, open
        if (keep < 0 || gone < 0 || write(keep, page, sizeof page) != sizeof page ||
            write(gone, page, sizeof page) != sizeof page || unlink("/tmp/gone") != 0) return 2;
        *(volatile int *)0 = 1;
    }
    if (!strcmp(m, "fpu-dirty")) {
        unsigned mxcsr = 0xff80;                               // FTZ, round toward zero
        unsigned short fcw = 0x0c7f;                           // x87 round toward zero
        unsigned long ones = ~0UL;
        __asm__ volatile("ldmxcsr %0; fldcw %1; movq %2, %%xmm15; fldpi"
                         : : "m"(mxcsr), "m"(fcw), "r"(ones) : "xmm15", "st");
        syscall(SYS_exit, 0);
    }
    if (!strcmp(m, "fpu-check")) {
        unsigned mxcsr;
        unsigned short fcw, fsw;
        unsigned long x15;
        __asm__ volatile("stmxcsr %0; fnstcw %1; fnstsw %2; movq %%xmm15, %3"
                         : "=m"(mxcsr), "=m"(fcw), "=m"(fsw), "=r"(x15));
        printf("fpu: mxcsr %x fcw %x top %d xmm15 %lx\n", mxcsr, fcw, (fsw >> 11) & 7, x15);
        return 0;
    }
    if (!strcmp(m, "syscalls")) {
        setvbuf(stdout, NULL, _IONBF, 0);
        long r = syscall(SYS_write, 1, (void *)0x1234, 5);
        printf("write(bad pointer) = %ld errno=%d\n", r, errno);
        r = syscall(SYS_write, 1, (void *)0xffffffff80100000UL, 5);
        printf("write(kernel pointer) = %ld errno=%d\n", r, errno);
        r = syscall(SYS_write, 7, "x", 1);
        printf("write(fd 7) = %ld errno=%d\n", r, errno);
        r = syscall(100000);
        printf("syscall(100000) = %ld errno=%d\n", r, errno);
        char *p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        p[0] = 1;
        p[(1 << 20) - 1] = 2;
        printf("mmap: %d %d %d\n", p != MAP_FAILED, p[0], p[4096]);
        printf("munmap: %d\n", munmap(p, 1 << 20));
        char *b = malloc(300000);
        memset(b, 1, 300000);
        free(b);
        printf("malloc: ok\n");
        // The initramfs is read-only; /tmp is not.
        int r1 = mkdir("/newdir", 0755), e1 = errno;
        printf("mkdir in initrd: %d errno=%d\n", r1, e1);
        r1 = unlink("/init"), e1 = errno;
        printf("unlink initrd file: %d errno=%d\n", r1, e1);
        r1 = open("/init", O_WRONLY), e1 = errno;
        printf("open initrd for write: %d errno=%d\n", r1, e1);
        r1 = open("/newfile", O_CREAT | O_WRONLY, 0644), e1 = errno;
        printf("create in initrd: %d errno=%d\n", r1, e1);
        printf("create in /tmp: %d\n", open("/tmp/x", O_CREAT | O_WRONLY, 0644) >= 0);
        // Odd user flags (NT, AC, DF) across a system call and a page fault.
        __asm__ volatile("pushfq; orq $0x44400, (%%rsp); popfq" ::: "memory", "cc");
        long pid = syscall(SYS_getpid);
        static char fresh[3 * 4096];
        fresh[8191] = 1;                                     // a demand-zero fault with those flags
        __asm__ volatile("pushfq; andq $~0x44400, (%%rsp); popfq" ::: "memory", "cc");
        printf("flags: pid %ld ok %d\n", pid, fresh[8191]);
        // The console is a terminal (TCGETS), /dev/null is not.
        int tty = isatty(1), null = isatty(open("/dev/null", O_RDONLY));
        printf("isatty: console %d /dev/null %d\n", tty, null);
        return 3;
    }
    printf("no fault: %s\n", m);
    return 0;
}

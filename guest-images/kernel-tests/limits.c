/*
 * Differential test of Linux's limits and bad-argument answers (issue 9), run
 * on the host and through `vmm run` (Tests/VMMTests/RunCommandTests); lines
 * "name: result", "~ " lines compare by name only (as syscalls_run.c).
 *
 * - read/write/pread/pwrite/readv/writev check the user range (access_ok)
 *   for every file, /dev/null too, before the count is clamped to
 *   MAX_RW_COUNT (2147479552);
 * - getdents64, getcwd, readlink take counts far beyond the kernel heap;
 * - mmap/madvise at kernel addresses are ENOMEM, arch_prctl beyond the user
 *   half EPERM;
 * - areas up to vm.max_map_count (65530), then ENOMEM (`maps` argument: off
 *   by default in the guest tests, which run it separately; see main).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF";
    case EFAULT: return "EFAULT"; case EINVAL: return "EINVAL"; case ENOMEM: return "ENOMEM";
    case ERANGE: return "ERANGE"; case ENOSPC: return "ENOSPC"; case E2BIG: return "E2BIG";
    default: return "E?";
    }
}
static void line(const char *name, long r) {
    if (r < 0) printf("%s: -1 %s\n", name, ename(errno));
    else printf("%s: %ld\n", name, r);
}
#define CHECK(name, expr) do { errno = 0; line(name, (long)(expr)); } while (0)

#define KERNEL 0xffffffff80100000ul
#define NONCANONICAL 0x8000000000000000ul
#define TOP 0x7ffffffff000ul                  /* TASK_SIZE_MAX */

static char small[64];
static char big[1 << 20];

static void devices(void) {
    int null = open("/dev/null", O_RDWR), zero = open("/dev/zero", O_RDWR), ur = open("/dev/urandom", O_RDWR);
    CHECK("write null kernel", syscall(SYS_write, null, KERNEL, 1));
    CHECK("write null non-canonical", syscall(SYS_write, null, NONCANONICAL, 1));
    CHECK("write null just above the user half", syscall(SYS_write, null, TOP, 1));
    CHECK("write null ending at the top", syscall(SYS_write, null, TOP - 16, 16));
    CHECK("write null NULL 1", syscall(SYS_write, null, 0, 1));
    CHECK("write null kernel 0", syscall(SYS_write, null, KERNEL, 0));
    CHECK("write null top 0", syscall(SYS_write, null, TOP, 0));
    CHECK("write null 1<<62", syscall(SYS_write, null, small, 1ul << 62));
    CHECK("write null -1", syscall(SYS_write, null, small, -1ul));
    CHECK("write null 0x7fffffff", syscall(SYS_write, null, small, 0x7ffffffful));
    CHECK("write null 1<<40", syscall(SYS_write, null, 0x10000ul, 1ul << 40));
    CHECK("write null to the top", syscall(SYS_write, null, 0x10000ul, TOP - 0x10000));
    CHECK("write null past the top", syscall(SYS_write, null, 0x10000ul, TOP - 0x10000 + 1));
    CHECK("read null kernel", syscall(SYS_read, null, KERNEL, 1));
    CHECK("read null non-canonical", syscall(SYS_read, null, NONCANONICAL, 1));
    CHECK("read null 1<<62", syscall(SYS_read, null, small, 1ul << 62));
    CHECK("pread null kernel", syscall(SYS_pread64, null, KERNEL, 1, 0));
    CHECK("pwrite null kernel", syscall(SYS_pwrite64, null, KERNEL, 1, 0));
    CHECK("write zero kernel", syscall(SYS_write, zero, KERNEL, 1));
    CHECK("write zero 1<<62", syscall(SYS_write, zero, small, 1ul << 62));
    CHECK("read zero kernel", syscall(SYS_read, zero, KERNEL, 1));
    CHECK("write urandom kernel", syscall(SYS_write, ur, KERNEL, 1));
    CHECK("read urandom non-canonical", syscall(SYS_read, ur, NONCANONICAL, 1));
    struct iovec kern[2] = {{(void *)KERNEL, 1}, {small, 1}};
    CHECK("writev null kernel entry", syscall(SYS_writev, null, kern, 2));
    CHECK("readv null kernel entry", syscall(SYS_readv, null, kern, 2));
    struct iovec later[2] = {{small, 1}, {(void *)NONCANONICAL, 1}};
    CHECK("writev null bad second entry", syscall(SYS_writev, null, later, 2));
    struct iovec huge[2] = {{small, 1ul << 62}, {small, 1}};
    CHECK("writev null 1<<62 entry", syscall(SYS_writev, null, huge, 2));
    struct iovec neg[2] = {{small, 1}, {small, -1ul}};
    CHECK("writev null negative entry", syscall(SYS_writev, null, neg, 2));
    struct iovec two[2] = {{(void *)0x10000, 0x7ffff000}, {(void *)0x10000, 0x7ffff000}};
    CHECK("writev null 2 x MAX_RW_COUNT", syscall(SYS_writev, null, two, 2));
    CHECK("writev null 1025 entries", syscall(SYS_writev, null, big, 1025));
    CHECK("writev null kernel array", syscall(SYS_writev, null, KERNEL, 1));
    CHECK("writev null no entries", syscall(SYS_writev, null, KERNEL, 0));
    CHECK("writev read-only fd", syscall(SYS_writev, open("/dev/null", O_RDONLY), two, 1));
    close(null); close(zero); close(ur);
}

static void big_counts(void) {
    mkdir("/tmp", 01777);
    mkdir("/tmp/vmm-limits", 0755);
    close(open("/tmp/vmm-limits/one", O_CREAT | O_WRONLY, 0644));
    close(open("/tmp/vmm-limits/two", O_CREAT | O_WRONLY, 0644));
    int d = open("/tmp/vmm-limits", O_RDONLY | O_DIRECTORY);
    CHECK("getdents64 65536", syscall(SYS_getdents64, d, big, 65536));
    lseek(d, 0, SEEK_SET);
    CHECK("getdents64 1 MiB", syscall(SYS_getdents64, d, big, sizeof big));
    lseek(d, 0, SEEK_SET);
    CHECK("getdents64 2^31 (negative int)", syscall(SYS_getdents64, d, big, 1ul << 31));
    lseek(d, 0, SEEK_SET);
    CHECK("getdents64 2^32 (int 0)", syscall(SYS_getdents64, d, big, 1ul << 32));
    lseek(d, 0, SEEK_SET);
    CHECK("getdents64 2^32+64 (int 64)", syscall(SYS_getdents64, d, big, (1ul << 32) + 64));
    lseek(d, 0, SEEK_SET);
    CHECK("getdents64 1 MiB kernel buffer", syscall(SYS_getdents64, d, KERNEL, sizeof big));
    close(d);
    unlink("/tmp/vmm-limits/one");
    unlink("/tmp/vmm-limits/two");
    rmdir("/tmp/vmm-limits");
    chdir("/tmp");
    CHECK("getcwd 1<<62", syscall(SYS_getcwd, big, 1ul << 62));
    CHECK("getcwd kernel", syscall(SYS_getcwd, KERNEL, 4096));
    chdir("/");
    symlink("/tmp/target-of-the-link", "/tmp/vmm-limits-link");
    CHECK("readlink 1<<62", syscall(SYS_readlink, "/tmp/vmm-limits-link", big, 1ul << 62));
    CHECK("readlink -1", syscall(SYS_readlink, "/tmp/vmm-limits-link", big, -1ul));
    CHECK("readlink 2^31", syscall(SYS_readlink, "/tmp/vmm-limits-link", big, 1ul << 31));
    unlink("/tmp/vmm-limits-link");
}

static void addresses(void) {
    int fl = MAP_PRIVATE | MAP_ANONYMOUS;
    CHECK("mmap MAP_FIXED kernel", (long)mmap((void *)0xffffffff80000000ul, 4096, 3, fl | MAP_FIXED, -1, 0));
    CHECK("mmap MAP_FIXED non-canonical", (long)mmap((void *)0x800000000000ul, 4096, 3, fl | MAP_FIXED, -1, 0));
    CHECK("mmap MAP_FIXED unaligned kernel", (long)mmap((void *)0xffffffff80000001ul, 4096, 3, fl | MAP_FIXED, -1, 0));
    CHECK("mmap MAP_FIXED across the top", (long)mmap((void *)(TOP - 4096), 8192, 3, fl | MAP_FIXED_NOREPLACE, -1, 0));
    CHECK("mmap MAP_FIXED_NOREPLACE kernel", (long)mmap((void *)0xffffffff80000000ul, 4096, 3, fl | MAP_FIXED_NOREPLACE, -1, 0));
    CHECK("mmap 1<<62", (long)mmap(NULL, 1ul << 62, 3, fl, -1, 0));
    CHECK("mmap -1", (long)mmap(NULL, -1ul, 3, fl, -1, 0));
    CHECK("mmap 0", (long)mmap(NULL, 0, 3, fl, -1, 0));
    CHECK("madvise kernel DONTNEED", madvise((void *)0xffffffff80000000ul, 4096, MADV_DONTNEED));
    CHECK("madvise kernel HUGEPAGE", madvise((void *)0xffffffff80000000ul, 4096, MADV_HUGEPAGE));
    CHECK("madvise kernel NORMAL", madvise((void *)0xffffffff80000000ul, 4096, MADV_NORMAL));
    CHECK("madvise non-canonical", madvise((void *)0x800000000000ul, 4096, MADV_DONTNEED));
    CHECK("madvise unaligned kernel", madvise((void *)0xffffffff80000001ul, 4096, MADV_DONTNEED));
    CHECK("madvise kernel length 0", madvise((void *)0xffffffff80000000ul, 0, MADV_DONTNEED));
    CHECK("madvise wrapping", madvise((void *)0xfffffffffffff000ul, 8192, MADV_DONTNEED));
    CHECK("madvise unmapped", madvise((void *)0x100000000ul, 4096, MADV_DONTNEED));
    CHECK("madvise unmapped NORMAL", madvise((void *)0x100000000ul, 4096, MADV_NORMAL));
    CHECK("madvise bad advice", madvise((void *)0xffffffff80000000ul, 4096, 77));
    char *m = mmap(NULL, 3 * 4096, 3, fl, -1, 0);
    CHECK("madvise partly unmapped", (munmap(m + 4096, 4096), madvise(m, 3 * 4096, MADV_DONTNEED)));
    munmap(m, 3 * 4096);
    CHECK("munmap kernel", munmap((void *)0xffffffff80000000ul, 4096));
    CHECK("mprotect kernel", mprotect((void *)0xffffffff80000000ul, 4096, PROT_READ));
    CHECK("arch_prctl SET_GS 1<<63", syscall(SYS_arch_prctl, 0x1001, 1ul << 63));
    CHECK("arch_prctl SET_GS non-canonical", syscall(SYS_arch_prctl, 0x1001, 0x800000000000ul));
    CHECK("arch_prctl SET_GS top", syscall(SYS_arch_prctl, 0x1001, TOP));
    CHECK("arch_prctl SET_FS 1<<63", syscall(SYS_arch_prctl, 0x1002, 1ul << 63));
    CHECK("arch_prctl SET_FS top", syscall(SYS_arch_prctl, 0x1002, TOP));
}

/* vm.max_map_count: a PROT_NONE reservation whose pages are made readable
 * one in two, from the top down (each mprotect splits off two areas), until
 * mprotect fails. The process's other areas differ between host and guest,
 * so the count itself is a "~" line. */
static void max_map_count(void) {
    const long pages = 2 * 65536 + 2;
    char *r = mmap(NULL, pages * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) { printf("max_map_count: reservation failed\n"); return; }
    long splits = 0;
    int err = 0;
    for (long i = pages - 2; i > 0; i -= 2) {
        if (mprotect(r + i * 4096, 4096, PROT_READ) != 0) { err = errno; break; }
        splits++;
    }
    printf("~ areas made: %ld\n", 2 * splits);
    printf("areas made > 65000: %d\n", 2 * splits > 65000);
    printf("areas made <= 65530: %d\n", 2 * splits <= 65530);
    printf("then: %s\n", ename(err));
    CHECK("munmap all", munmap(r, pages * 4096));
    char *again = mmap(NULL, 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap after", again != MAP_FAILED);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 3; i < 1024; i++) close(i);
    if (argc > 1 && !strcmp(argv[1], "maps")) { max_map_count(); printf("done\n"); return 0; }
    devices();
    big_counts();
    addresses();
    printf("done\n");
    return 0;
}

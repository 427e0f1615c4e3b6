/*
 * What a 2 MiB page costs the guest kernel against 512 4 KiB pages for the
 * same memory: marks (VMM_SYSCALL_MARK, vmm_guest_abi.h) bracket
 *   1-2  touching every 4 KiB of a 2 MiB MADV_HUGEPAGE mapping (one 2 MiB fault)
 *   2-3  the same on a mapping without advice (512 4 KiB faults)
 *   3-4  munmap of the 2 MiB page (its frame zeroed whole)
 *   4-5  munmap of the 512 pages (each frame zeroed)
 * Run by hugepage-cost.sh; `vmm run --exit-stats` prints the marks with the
 * guest-kernel instructions (insn_emulation) between them.
 */
#include <stdio.h>
#include <sys/mman.h>

#define VMM_SYSCALL_MARK 0x5600L
#define HUGE (2UL << 20)

static inline long mark(long id)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(VMM_SYSCALL_MARK), "D"(id) : "rcx", "r11", "memory");
    return r;
}

int main(void)
{
    char *a = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED || b == MAP_FAILED || madvise(a, HUGE, MADV_HUGEPAGE) != 0) { perror("mmap/madvise"); return 1; }
    mark(1);
    for (size_t o = 0; o < HUGE; o += 4096) a[o] = 1;
    mark(2);
    for (size_t o = 0; o < HUGE; o += 4096) b[o] = 1;
    mark(3);
    munmap(a, HUGE);
    mark(4);
    munmap(b, HUGE);
    mark(5);
    printf("2 MiB mapping at %p (%s), 4 KiB pages at %p\n", (void *)a,
           (unsigned long)a % HUGE == 0 ? "2 MiB-aligned" : "NOT 2 MiB-aligned", (void *)b);
    return 0;
}

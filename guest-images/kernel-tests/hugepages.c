/*
 * 2 MiB pages for anonymous memory (transparent huge pages), differential:
 * run on the host and through `vmm run` (Tests/VMMTests/RunCommandTests); the
 * outputs must agree line for line, except lines starting with "~ " (only the
 * name is compared). Both sides use THP's `madvise` policy (the guest kernel's
 * default, and /sys/kernel/mm/transparent_hugepage/enabled on this project's
 * hosts), so only MADV_HUGEPAGE areas get 2 MiB pages. "resident" counts come
 * from mincore(2): one touched byte makes 512 pages resident when a 2 MiB
 * page backs them, one page otherwise.
 *
 * Exercises what the kernel must do with a 2 MiB page: map it on a fault,
 * give the kernel's own copies (read/write/open) access to it, split it when
 * munmap/mprotect/madvise(MADV_DONTNEED) cover only part of it, change it
 * whole when they cover all of it, and free it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HUGE (2UL << 20)
#define PAGE 4096UL

static long sys(long r) { return r < 0 ? -errno : r; }

/* A pipe stands for a sink that reads the buffer (/dev/null does not look at it). */
static int pipe_fd[2];
static long sink(const void *p, size_t n)
{
    static char drain[8192];
    long r = sys(write(pipe_fd[1], p, n));
    if (r > 0) read(pipe_fd[0], drain, sizeof drain);
    return r;
}

/* Resident pages of [p, p + len), or -errno. */
static long resident(char *p, size_t len)
{
    unsigned char v[1024];
    size_t pages = len / PAGE;
    if (pages > sizeof v) return -E2BIG;
    if (mincore(p, len, v) != 0) return -errno;
    long n = 0;
    for (size_t i = 0; i < pages; i++) n += v[i] & 1;
    return n;
}

static void fill(char *p, size_t len, uint64_t salt)
{
    for (size_t o = 0; o < len; o += PAGE) *(uint64_t *)(p + o) = ((uintptr_t)p + o) ^ salt;
}

/* 1 when every page of [p, p + len) holds what fill() wrote, skipping [hole, hole + PAGE). */
static int check(char *p, size_t len, uint64_t salt, char *hole)
{
    for (size_t o = 0; o < len; o += PAGE) {
        if (p + o == hole) continue;
        if (*(uint64_t *)(p + o) != (((uintptr_t)p + o) ^ salt)) return 0;
    }
    return 1;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);  /* null: for the path test */
    if (zero < 0 || null < 0 || pipe(pipe_fd) != 0) { printf("open /dev, pipe: %d %d\n", zero, null); return 1; }

    /* An 8 MiB anonymous mapping: placed 2 MiB-aligned (Linux >= 6.7). */
    char *m = mmap(NULL, 4 * HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { printf("mmap: %d\n", -errno); return 1; }
    printf("mmap_8m_aligned: %d\n", (uintptr_t)m % HUGE == 0);
    printf("madvise_hugepage: %ld\n", sys(madvise(m, 4 * HUGE, MADV_HUGEPAGE)));
    printf("resident_untouched: %ld\n", resident(m, HUGE));
    m[HUGE + 12345] = 1;
    printf("~ resident_after_one_touch: %ld\n", resident(m + HUGE, HUGE));
    fill(m, 4 * HUGE, 0x5a5a);
    printf("pattern_8m: %d\n", check(m, 4 * HUGE, 0x5a5a, NULL));

    /* The kernel's copies into and out of 2 MiB pages, across their boundaries. */
    printf("read_zero_across: %ld\n", sys(read(zero, m + HUGE - 100, 200)));
    printf("read_zero_result: %d\n", m[HUGE - 100] == 0 && m[HUGE + 99] == 0);
    fill(m, 4 * HUGE, 0x5a5a);
    printf("write_pipe_across: %ld\n", sink(m + 2 * HUGE - 3000, 6000));
    strcpy(m + 3 * HUGE - 5, "/dev/null");          /* a path string spanning two 2 MiB pages */
    int fd = open(m + 3 * HUGE - 5, O_RDONLY);
    printf("open_path_across: %d\n", fd >= 0);
    if (fd >= 0) close(fd);
    fill(m, 4 * HUGE, 0x5a5a);

    /* munmap of one page inside a 2 MiB page: the rest stays, with its data. */
    char *hole = m + HUGE + 77 * PAGE;
    printf("munmap_one_page: %ld\n", sys(munmap(hole, PAGE)));
    printf("mincore_over_hole: %ld\n", resident(m + HUGE, HUGE));
    printf("~ resident_beside_hole: %ld\n", resident(m + HUGE, 77 * PAGE) + resident(hole + PAGE, HUGE - 78 * PAGE));
    printf("pattern_beside_hole: %d\n", check(m, 4 * HUGE, 0x5a5a, hole));

    /* mprotect of one page inside a 2 MiB page, then of a whole one. */
    char *ro = m + 2 * HUGE + 5 * PAGE;
    printf("mprotect_one_page_ro: %ld\n", sys(mprotect(ro, PAGE, PROT_READ)));
    printf("read_into_ro_page: %ld\n", sys(read(zero, ro, 16)));
    printf("read_into_next_page: %ld\n", sys(read(zero, ro + PAGE, 16)));
    printf("write_from_ro_page: %ld\n", sink(ro, 16));
    printf("mprotect_one_page_rw: %ld\n", sys(mprotect(ro, PAGE, PROT_READ | PROT_WRITE)));
    printf("read_into_it_again: %ld\n", sys(read(zero, ro, 16)));
    char *whole = m + 3 * HUGE;
    printf("mprotect_whole_ro: %ld\n", sys(mprotect(whole, HUGE, PROT_READ)));
    printf("read_into_whole_ro: %ld\n", sys(read(zero, whole + 4096 * 9, 16)));
    printf("mprotect_whole_none: %ld\n", sys(mprotect(whole, HUGE, PROT_NONE)));
    printf("write_from_whole_none: %ld\n", sink(whole + 8, 16));
    printf("~ resident_whole_none: %ld\n", resident(whole, HUGE));
    printf("mprotect_whole_rw: %ld\n", sys(mprotect(whole, HUGE, PROT_READ | PROT_WRITE)));
    printf("pattern_after_mprotect: %d\n", check(whole + PAGE, HUGE - PAGE, 0x5a5a, NULL));

    /* MADV_DONTNEED: part of a 2 MiB page, then a whole one, read back as zero. */
    printf("dontneed_part: %ld\n", sys(madvise(m + 8 * PAGE, 8 * PAGE, MADV_DONTNEED)));
    printf("dontneed_part_zero: %d\n", *(uint64_t *)(m + 9 * PAGE) == 0 && check(m + 16 * PAGE, HUGE - 16 * PAGE, 0x5a5a, NULL));
    printf("dontneed_whole: %ld\n", sys(madvise(whole, HUGE, MADV_DONTNEED)));
    printf("dontneed_whole_zero: %d\n", *(uint64_t *)(whole + 5 * PAGE) == 0);
    printf("munmap_all: %ld\n", sys(munmap(m, 4 * HUGE)));
    printf("mincore_unmapped: %ld\n", resident(m, HUGE));

    /* Not advised (policy madvise) and MADV_NOHUGEPAGE: 4 KiB pages only. */
    /* A third 2 MiB above the two used, unmapped just before the madvise
       of a hole: nothing else can be mapped there then (with two only, what
       lay above them was the libc's and the layout's). */
    char *plain = mmap(NULL, 3 * HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    plain[HUGE + 1] = 1;
    printf("resident_not_advised: %ld\n", resident(plain + HUGE, HUGE));
    printf("madvise_nohugepage: %ld\n", sys(madvise(plain, 2 * HUGE, MADV_NOHUGEPAGE)));
    plain[5] = 1;
    printf("resident_nohugepage: %ld\n", resident(plain, HUGE));
    munmap(plain + 2 * HUGE, HUGE);
    long unmapped = sys(madvise(plain + 2 * HUGE, HUGE, MADV_HUGEPAGE));
    printf("madvise_hugepage_unmapped: %d\n", unmapped == -ENOMEM);
    munmap(plain, 2 * HUGE);

    /* Many faults and frees: the huge frames come back (no leak, no corruption). */
    long ok = 1;
    for (int round = 0; round < 6; round++) {
        char *r = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (r == MAP_FAILED || madvise(r, 2 * HUGE, MADV_HUGEPAGE) != 0) { ok = -errno; break; }
        if (*(uint64_t *)(r + HUGE + 64) != 0) ok = 0;      /* a reused 2 MiB frame must be zero */
        fill(r, 2 * HUGE, (uint64_t)round);
        if (!check(r, 2 * HUGE, (uint64_t)round, NULL)) ok = 0;
        munmap(r, 2 * HUGE);
    }
    printf("rounds: %ld\n", ok);
    printf("done\n");
    return 0;
}

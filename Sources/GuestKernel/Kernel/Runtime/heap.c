// Kernel heap for Embedded Swift (swift_allocObject, Array growth):
// posix_memalign/free over a static 10 MiB arena (7.5 MiB of it for the
// 117 KiB per process slot, 64 slots: TaskMemory, VMA list, descriptors), power-of-two size classes
// from 32 B to 64 KiB with a free list each. A block of class s starts at a
// multiple of 2^s, so any alignment <= its size is met. A byte per 32-byte
// granule records each block's class for free(). Not on the syscall fast path.
#include <stddef.h>
#include <stdint.h>

#define HEAP_SIZE   (10u << 20)
#define MIN_SHIFT   5
#define MAX_SHIFT   16
#define ENOMEM      12
#define EINVAL      22

static _Alignas(65536) unsigned char arena[HEAP_SIZE];
static unsigned char granule_class[HEAP_SIZE >> MIN_SHIFT];
static size_t arena_next;
static void *free_lists[MAX_SHIFT + 1];

static unsigned size_class(size_t n) {
    unsigned s = MIN_SHIFT;
    while (s <= MAX_SHIFT && ((size_t)1 << s) < n) s++;
    return s;
}

// Swift callers do not check for NULL: running out is a kernel panic with
// its own status (Boot/Halt.swift), never a wild write. User-controlled
// growth (tmpfs data, page tables) lives in frames, not here.
void kernel_heap_exhausted(void) __attribute__((noreturn));

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    size_t n = size < alignment ? alignment : size;
    unsigned s = size_class(n);
    if (s > MAX_SHIFT) kernel_heap_exhausted();
    if (free_lists[s]) {
        void *p = free_lists[s];
        free_lists[s] = *(void **)p;
        *out = p;
        return 0;
    }
    size_t bytes = (size_t)1 << s;
    size_t start = (arena_next + bytes - 1) & ~(bytes - 1);
    if (start > HEAP_SIZE || HEAP_SIZE - start < bytes) kernel_heap_exhausted();
    arena_next = start + bytes;
    granule_class[start >> MIN_SHIFT] = (unsigned char)s;
    *out = &arena[start];
    return 0;
}

void free(void *p) {
    if (!p) return;
    uintptr_t off = (uintptr_t)p - (uintptr_t)arena;
    if (off >= HEAP_SIZE || (off & ((1u << MIN_SHIFT) - 1)) != 0) return;
    unsigned s = granule_class[off >> MIN_SHIFT];
    if (s < MIN_SHIFT || s > MAX_SHIFT) return;
    *(void **)p = free_lists[s];
    free_lists[s] = p;
}

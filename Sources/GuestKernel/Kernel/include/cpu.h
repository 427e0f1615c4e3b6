// Privileged x86_64 instructions (Intel SDM Vol. 2) for the Swift kernel.
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value) {
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}
static inline void outl(uint16_t port, uint32_t value) {
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}
static inline uint8_t inb(uint16_t port) {
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port) : "memory");
    return value;
}
static inline void kernel_ud2(void) { __asm__ volatile("ud2"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline void invlpg(uint64_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d) {
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" : : "r"(sel) : "memory"); }
// Descriptor-table pointer for lgdt/lidt (SDM Vol. 3A, 2.4.1).
struct __attribute__((packed)) table_pointer { uint16_t limit; uint64_t base; };
static inline void lidt(const struct table_pointer *p) { __asm__ volatile("lidt (%0)" : : "r"(p) : "memory"); }
// One byte written per 4 KiB page of [start, end) (virtual): 4 instructions a page.
// One byte written at start and at every `stride` boundary (a power of two)
// after it, below end: the first byte of each page of that size in the range.
static inline void touch_pages(uint64_t start, uint64_t end, uint64_t stride) {
    for (uint64_t p = start; p < end; p = (p & ~(stride - 1)) + stride) *(volatile uint8_t *)p = 0;
}
// 8-byte string ops only: the 1-byte forms cost 8x more when ring 0 is emulated.
static inline void zero_qwords(void *dst, uint64_t count) {
    __asm__ volatile("cld; rep stosq" : "+D"(dst), "+c"(count) : "a"(0ULL) : "memory");
}
static inline void copy_qwords(void *dst, const void *src, uint64_t count) {
    __asm__ volatile("cld; rep movsq" : "+D"(dst), "+S"(src), "+c"(count) : : "memory");
}
// memcpy of n bytes: the 8-byte form for the bulk, the 1-byte form for the
// tail of at most 7 (cheaper here than a byte loop in Swift: one emulated
// instruction and ~1.3 us a byte against ~5 instructions a byte).
static inline void copy_bytes(void *dst, const void *src, uint64_t n) {
    uint64_t q = n >> 3, r = n & 7;
    __asm__ volatile("cld; rep movsq; movq %3, %%rcx; rep movsb"
                     : "+D"(dst), "+S"(src), "+c"(q) : "r"(r) : "memory");
}
// User x87/SSE state (SDM Vol. 1, 10.5.1; 512 bytes, 16-byte aligned). The
// kernel itself has no SSE (-mno-sse), so the user's registers stay live in
// the CPU across a kernel entry and only a context switch saves them.
static inline void fxsave(void *area) { __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory"); }
static inline void fxrstor(const void *area) { __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory"); }
#endif

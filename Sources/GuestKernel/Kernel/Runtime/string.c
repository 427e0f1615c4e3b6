// memset/memcpy/memmove for Embedded Swift and clang. Compiled with -mno-sse
// -ffreestanding -fno-builtin: no vector code. Aligned bulk uses the 8-byte
// string forms (platform.md: the 1-byte forms cost 8x more in emulated ring 0).
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    if (n >= 16 && ((uintptr_t)d & 7) == 0) {
        uint64_t v = (uint8_t)c * 0x0101010101010101ULL;
        size_t q = n >> 3;
        __asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
        n &= 7;
    }
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n >= 16 && (((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        size_t q = n >> 3;
        __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
        n &= 7;
    }
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    while (n--) d[n] = s[n];   // overlapping, destination above: backwards
    return dst;
}

// One 8-byte load or store (or a 1-byte load) of the running process's memory (Linux's
// get_user/put_user, arch/x86/lib/getuser.S): one instruction where
// user_copy takes nine for 8 bytes. The caller has checked that the word
// lies in the user half. A page fault at user_get64_load or user_put64_store
// is resolved by trap_handler (a demand-zero page or a copy-on-write break:
// the instruction runs again) or sent to the matching fixup (Traps.swift's
// userAccessFixup), which reports the fault.
    .text
    .globl user_get64, user_get64_load, user_get64_fixup
    .globl user_put64, user_put64_store, user_put64_fixup
    .globl user_get8, user_get8_load, user_get8_fixup
// struct user_word user_get64(const void *src): {value, 0}, or {0, 1} at a fault.
user_get64:
user_get64_load:
    movq    (%rdi), %rax
    xorl    %edx, %edx
    ret
user_get64_fixup:
    xorl    %eax, %eax
    movl    $1, %edx
    ret
// uint64_t user_put64(void *dst, uint64_t v): 0, or 1 at a fault.
user_put64:
user_put64_store:
    movq    %rsi, (%rdi)
    xorl    %eax, %eax
    ret
user_put64_fixup:
    movl    $1, %eax
    ret
// struct user_word user_get8(const void *src): {byte, 0}, or {0, 1} at a
// fault (a path's first byte: fstat's "" under AT_EMPTY_PATH).
user_get8:
user_get8_load:
    movzbl  (%rdi), %eax
    xorl    %edx, %edx
    ret
user_get8_fixup:
    xorl    %eax, %eax
    movl    $1, %edx
    ret

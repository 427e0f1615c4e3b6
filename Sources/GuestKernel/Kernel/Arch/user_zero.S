// user_zero(dst, n) -> bytes not zeroed (0: all): clear_user for the running
// process (read of /dev/zero), as user_copy (entry.S) is its copy. The caller
// has checked that [dst, dst + n) lies in the user half. A page fault at
// user_zero_q or user_zero_b is resolved by trap_handler (a demand-zero page:
// the rep resumes) or sent to the matching fixup, which returns what was left
// (Linux's exception-table scheme, arch/x86/lib/clear_page_64.S). DF is clear.
    .text
    .globl user_zero, user_zero_q, user_zero_b, user_zero_fixup_q, user_zero_fixup_b
user_zero:
    movq    %rsi, %rcx
    shrq    $3, %rcx
    andl    $7, %esi
    xorl    %eax, %eax
user_zero_q:
    rep stosq
    movl    %esi, %ecx
user_zero_b:
    rep stosb
    ret                             // %rax still 0
user_zero_fixup_q:
    leaq    (%rsi,%rcx,8), %rax
    ret
user_zero_fixup_b:
    movq    %rcx, %rax
    ret

// Kernel entry from the VMM: 64-bit mode, RDI = boot-info physical address.
    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    cli
    cld
    leaq    boot_stack_top(%rip), %rsp
    xorl    %ebp, %ebp
    call    kmain                   // RDI passes through: kmain(bootInfo)
1:  hlt
    jmp     1b
    .size _start, . - _start

// lgdt, then reload CS with a far return and SS; null DS/ES/FS/GS (the FS/GS
// bases are set through MSRs later). SDM Vol. 3A, 3.4.4 and 5.8.
    .text
    .globl load_gdt
load_gdt:
    lgdt    (%rdi)
    movl    $0x18, %eax
    movl    %eax, %ss
    xorl    %eax, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %fs
    movl    %eax, %gs
    popq    %rax                    // return address
    pushq   $0x10
    pushq   %rax
    lretq

// Context switch (xv6's swtch): saves the callee-saved registers of the
// System V ABI on the current kernel stack, stores that stack pointer at
// *from, loads `to` and pops the next task's. switch_context(from, to).
// Everything else a task owns (user registers: its trap frame at the top of
// its kernel stack; FS base, x87/SSE state, CR3) is switched by the caller
// (Scheduler.swift). A new task's stack holds six zeros and task_start.
    .globl switch_context
switch_context:
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    movq    %rsp, (%rdi)
    movq    %rsi, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    ret

// A new task's first run: its trap frame (zero registers, the entry point
// or the parent's return context) is at the top of its stack.
    .globl task_start
task_start:
    jmp     return_to_user

// ---- System calls ---------------------------------------------------------
//
// Hardware-assisted KVM: SYSCALL jumps here in ring 0 with RCX = user RIP,
// R11 = user RFLAGS, RSP still the user's (SDM Vol. 2B, SYSCALL). One CPU: the
// kernel stack comes from a global, no swapgs needed.
//
// Software-assisted KVM (kvm_pvm, platform.md): SYSCALL stays at CPL 3 and the
// fetch of this supervisor page faults; isr14 below recognises it.
    .globl syscall_entry
    .balign 16
syscall_entry:
    movq    %rsp, syscall_user_rsp(%rip)
    movq    syscall_kernel_rsp(%rip), %rsp
    pushq   $0x2b                   // SS
    pushq   syscall_user_rsp(%rip)  // RSP
    andl    $USER_RFLAGS, %r11d     // see isr14
    orl     $USER_RFLAGS_SET, %r11d
    pushq   %r11                    // RFLAGS
    pushq   $0x33                   // CS
    pushq   %rcx                    // RIP
    pushq   $0                      // error code
    jmp     syscall_common

// #PF. Fast path: a user-mode fault (error code U bit) with RIP == LSTAR is the
// software-assisted SYSCALL: RCX = return RIP, R11 = RFLAGS (platform.md).
// Only user-settable flags go back through iretq (SDM Vol. 3A, 2.3): not IOPL,
// RF, VM, VIF/VIP, nor NT (SYSCALL clears it, as SFMASK does); IF is always
// set: ring 3 takes the timer interrupt (Interrupts.swift). The CPU's error
// code slot becomes the frame's, left as it is: only a whole frame needs
// the 0 there (syscall_complete); falls through into syscall_common.
USER_RFLAGS = 0x240dd5              // CF PF AF ZF SF TF DF OF AC ID
USER_RFLAGS_SET = 0x202             // IF, and bit 1 (always 1)
    .balign 16
1:  pushq   $14
    jmp     isr_common
isr14:
    cmpq    $syscall_entry, 8(%rsp)
    jne     1b
    testb   $4, (%rsp)
    jz      1b
    andl    $USER_RFLAGS, %r11d
    orl     $USER_RFLAGS_SET, %r11d
    movq    %rcx, 8(%rsp)           // the frame becomes the return frame
    movq    %r11, 24(%rsp)

// struct trap_frame (include/frames.h): the registers a system call may
// clobber and must give back (number, arguments) above all others, so that a
// system call can save that group alone.
.macro PUSH_SYSCALL_SAVED
    pushq   %rdi
    pushq   %rsi
    pushq   %rdx
    pushq   %rax
    pushq   %r8
    pushq   %r9
    pushq   %r10
.endm
.macro PUSH_GENERAL_REGISTERS
    PUSH_SYSCALL_SAVED
    pushq   %rcx
    pushq   %r11
    pushq   %rbx
    pushq   %rbp
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
.endm
FRAME_R10 = 8*8                     // offsetof(struct trap_frame, r10)
FRAME_R9 = 9*8
FRAME_R8 = 10*8
FRAME_RAX = 11*8
FRAME_RDX = 12*8
FRAME_RSI = 13*8
FRAME_RDI = 14*8
FRAME_VECTOR = 15*8
FRAME_ERROR = 16*8
FRAME_RIP = 17*8
FRAME_RFLAGS = 19*8

// Common tail of both paths: the stack holds an iretq frame (RIP = user RCX,
// RFLAGS = user R11) and error code 0; RCX and R11 hold what SYSCALL left
// there. A non-canonical return RIP (user code controls RCX on the #PF path;
// iretq would fault on it in ring 0) kills the caller. Then the number picks
// one of four ways (syscall_kinds below): an answer that needs no frame
// (getpid, gettid; getuid and its three siblings), the partial frame
// (syscall_dispatch, nearly every call), the whole frame (calls that read or
// rewrite the whole register image) or, for a number past the tables (the
// VMM's mark, unknown ones), the partial frame and syscall_rest.
syscall_common:
    cmpq    syscall_rip_limit(%rip), %rcx
    jae     syscall_bad_return
    cmpq    $SYSCALL_SLOTS, %rax
    jae     syscall_far
    jmp     *syscall_kinds(,%rax,8)

syscall_getpid:                     // getpid, gettid (one task per process)
    movl    current_pid(%rip), %eax
    addq    $8, %rsp                // error code
    iretq
syscall_getuid:                     // getuid, getgid, geteuid, getegid: one user, root (no set*id)
    xorl    %eax, %eax
    addq    $8, %rsp
    iretq

// The partial frame (Linux's old SAVE_ARGS): the number and the argument
// registers, stored below one stack adjustment; the slots of RCX, R11 (the
// frame's RIP and RFLAGS, as SYSCALL left them), of the callee-saved
// registers, the vector and the error code are left unwritten, since every
// handler preserves RBX, RBP and R12-R15 (System V ABI) and no handler of
// this way reads them from the frame. The handler is
// syscall_table[nr](process, frame) (Dispatcher.swift). On the way out one
// word is tested, the running task's pending signals (Linux's TIF work
// flags): with none, only what was saved is reloaded (RAX is the result),
// RCX = RIP and R11 = RFLAGS as SYSCALL leaves them, and one adjustment
// drops the frame down to the iretq frame; with some, the frame is
// completed from the registers, which still hold the user's values, and
// SignalDelivery acts on it (syscall_exit_signals).
.macro SYSCALL_PARTIAL_FRAME
    subq    $FRAME_ERROR, %rsp      // from the error code's slot down
    movq    %rdi, FRAME_RDI(%rsp)
    movq    %rsi, FRAME_RSI(%rsp)
    movq    %rdx, FRAME_RDX(%rsp)
    movq    %rax, FRAME_RAX(%rsp)
    movq    %r8, FRAME_R8(%rsp)
    movq    %r9, FRAME_R9(%rsp)
    movq    %r10, FRAME_R10(%rsp)
    cld
    movq    current_process(%rip), %rdi
    movq    %rsp, %rsi
.endm
    .globl syscall_dispatch
syscall_dispatch:
    SYSCALL_PARTIAL_FRAME
    call    *syscall_table(,%rax,8)
syscall_exit:
    movq    current_pending(%rip), %rcx
    cmpq    $0, (%rcx)
    jne     syscall_exit_work
    movq    FRAME_R10(%rsp), %r10
    movq    FRAME_R9(%rsp), %r9
    movq    FRAME_R8(%rsp), %r8
    movq    FRAME_RDX(%rsp), %rdx
    movq    FRAME_RSI(%rsp), %rsi
    movq    FRAME_RDI(%rsp), %rdi
    movq    FRAME_RIP(%rsp), %rcx
    movq    FRAME_RFLAGS(%rsp), %r11
    addq    $FRAME_RIP, %rsp
    iretq
syscall_exit_work:
    movq    $256, FRAME_VECTOR(%rsp)
    movq    $0, FRAME_ERROR(%rsp)
    movq    FRAME_RIP(%rsp), %rcx
    movq    %rcx, 7*8(%rsp)
    movq    FRAME_RIP+16(%rsp), %rcx
    movq    %rcx, 6*8(%rsp)
    movq    %rbx, 5*8(%rsp)
    movq    %rbp, 4*8(%rsp)
    movq    %r12, 3*8(%rsp)
    movq    %r13, 2*8(%rsp)
    movq    %r14, 1*8(%rsp)
    movq    %r15, 0*8(%rsp)
    movq    FRAME_RAX(%rsp), %rsi   // the number (no call of this way rewrites it)
syscall_signals:
    movq    %rax, %rdx              // the result
    movq    %rsp, %rdi
    call    syscall_exit_signals
    jmp     return_to_user
syscall_far:
    SYSCALL_PARTIAL_FRAME
    call    syscall_rest
    jmp     syscall_exit

// The whole frame, for the calls that read or rewrite the whole register
// image (rt_sigreturn, clone, fork, vfork, execve, execveat): the number is
// kept in RBX (saved in the frame) across the call, since the call may
// rewrite the frame's RAX; the result goes into the frame, which
// return_to_user reloads whole.
syscall_full:
    movq    $0, (%rsp)              // error code (isr14 leaves the CPU's)
    pushq   $256
    PUSH_GENERAL_REGISTERS
    cld
    movq    %rax, %rbx
    movq    current_process(%rip), %rdi
    movq    %rsp, %rsi
    call    *syscall_table(,%rax,8)
    movq    %rax, FRAME_RAX(%rsp)
    movq    current_pending(%rip), %rcx
    cmpq    $0, (%rcx)
    je      return_to_user
    movq    %rbx, %rsi
    jmp     syscall_signals

syscall_bad_return:
    movq    $0, (%rsp)
    pushq   $256
    PUSH_GENERAL_REGISTERS
    cld
    call    syscall_bad_return_address  // kills: never returns

// The numbers table (arch/x86/entry/syscalls/syscall_64.tbl), two views of
// it: syscall_kinds[nr], the way in (above), and syscall_table[nr], the C-ABI
// handler(process, frame) (Dispatcher.swift): sys_NAME for the frequent calls, which each
// reach their handler with no switch, and syscall_rest for every other
// number (Dispatcher.swift's switch).
SYSCALL_SLOTS = 448                 // past faccessat2 (439)
.macro SYSCALL_KIND n
    .if \n == 39 || \n == 186
    .quad   syscall_getpid
    .elseif \n == 102 || \n == 104 || \n == 107 || \n == 108
    .quad   syscall_getuid
    .elseif \n == 15 || \n == 56 || \n == 57 || \n == 58 || \n == 59 || \n == 322
    .quad   syscall_full
    .else
    .quad   syscall_dispatch
    .endif
.endm
.macro SYSCALL_HANDLER n
    SYSCALL_HANDLER_NAMED \n, 0, sys_read
    SYSCALL_HANDLER_NAMED \n, 1, sys_write
    SYSCALL_HANDLER_NAMED \n, 3, sys_close
    SYSCALL_HANDLER_NAMED \n, 5, sys_fstat
    SYSCALL_HANDLER_NAMED \n, 7, sys_poll
    SYSCALL_HANDLER_NAMED \n, 8, sys_lseek
    SYSCALL_HANDLER_NAMED \n, 9, sys_mmap
    SYSCALL_HANDLER_NAMED \n, 10, sys_mprotect
    SYSCALL_HANDLER_NAMED \n, 11, sys_munmap
    SYSCALL_HANDLER_NAMED \n, 12, sys_brk
    SYSCALL_HANDLER_NAMED \n, 13, sys_rt_sigaction
    SYSCALL_HANDLER_NAMED \n, 14, sys_rt_sigprocmask
    SYSCALL_HANDLER_NAMED \n, 16, sys_ioctl
    SYSCALL_HANDLER_NAMED \n, 17, sys_pread64
    SYSCALL_HANDLER_NAMED \n, 18, sys_pwrite64
    SYSCALL_HANDLER_NAMED \n, 19, sys_readv
    SYSCALL_HANDLER_NAMED \n, 20, sys_writev
    SYSCALL_HANDLER_NAMED \n, 24, sys_sched_yield
    SYSCALL_HANDLER_NAMED \n, 32, sys_dup
    SYSCALL_HANDLER_NAMED \n, 53, sys_socketpair
    SYSCALL_HANDLER_NAMED \n, 54, sys_setsockopt
    SYSCALL_HANDLER_NAMED \n, 55, sys_getsockopt
    SYSCALL_HANDLER_NAMED \n, 63, sys_uname
    SYSCALL_HANDLER_NAMED \n, 72, sys_fcntl
    SYSCALL_HANDLER_NAMED \n, 97, sys_getrlimit
    SYSCALL_HANDLER_NAMED \n, 110, sys_getppid
    SYSCALL_HANDLER_NAMED \n, 124, sys_getsid
    SYSCALL_HANDLER_NAMED \n, 140, sys_getpriority
    SYSCALL_HANDLER_NAMED \n, 217, sys_getdents64
    SYSCALL_HANDLER_NAMED \n, 228, sys_clock_gettime
    SYSCALL_HANDLER_NAMED \n, 232, sys_epoll_wait
    SYSCALL_HANDLER_NAMED \n, 247, sys_waitid
    SYSCALL_HANDLER_NAMED \n, 257, sys_openat
    SYSCALL_HANDLER_NAMED \n, 262, sys_newfstatat
    SYSCALL_HANDLER_NAMED \n, 281, sys_epoll_pwait
    SYSCALL_HANDLER_NAMED \n, 302, sys_prlimit64
    SYSCALL_HANDLER_NAMED \n, 332, sys_statx
    .if handler_named == 0
    .quad   syscall_rest
    .endif
.endm
.macro SYSCALL_HANDLER_NAMED n, number, name
    .if \n == \number
    .quad   \name
    handler_named = 1
    .endif
.endm

    .section .rodata.syscall_table, "a"
    .balign 8
syscall_kinds:
    nr = 0
    .rept SYSCALL_SLOTS
    SYSCALL_KIND nr
    nr = nr + 1
    .endr
    .globl syscall_table
syscall_table:
    nr = 0
    .rept SYSCALL_SLOTS
    handler_named = 0
    SYSCALL_HANDLER nr
    nr = nr + 1
    .endr
    .text

// ---- Copies to and from user memory -----------------------------------------
// user_copy(dst, src, n) -> bytes not copied (0: all). The caller has checked
// that the user side lies in the user half. A page fault at user_copy_q or
// user_copy_b is resolved by trap_handler (demand-zero page: the rep resumes)
// or sent to the matching fixup, which returns what was left (Linux's
// exception-table scheme, arch/x86/lib/copy_user_64.S). DF is clear (entry).
    .globl user_copy, user_copy_q, user_copy_b, user_copy_fixup_q, user_copy_fixup_b
user_copy:
    movq    %rdx, %rcx
    shrq    $3, %rcx
    andl    $7, %edx
user_copy_q:
    rep movsq
    movl    %edx, %ecx
user_copy_b:
    rep movsb
    xorl    %eax, %eax
    ret
user_copy_fixup_q:
    leaq    (%rdx,%rcx,8), %rax
    ret
user_copy_fixup_b:
    movq    %rcx, %rax
    ret

// ---- Exceptions 0..31 -------------------------------------------------------
// Vectors with a CPU error code: 8, 10-14, 17, 21, 29, 30 (SDM Vol. 3A, 6.15).
.macro ISR_NOERR n
    .balign 16
isr\n:
    pushq   $0
    pushq   $\n
    jmp     isr_common
.endm
.macro ISR_ERR n
    .balign 16
isr\n:
    pushq   $\n
    jmp     isr_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31

// Builds struct trap_frame and calls trap_handler(frame); returns with iretq
// when the handler returns (a user fault it resolved, e.g. a demand-zero page).
isr_common:
    PUSH_GENERAL_REGISTERS
    movq    %rsp, %rdi
    cld
    call    trap_handler
    .globl return_to_user
return_to_user:
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbp
    popq    %rbx
    popq    %r11
    popq    %rcx
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rax
    popq    %rdx
    popq    %rsi
    popq    %rdi
    addq    $16, %rsp               // vector, error code
    iretq

// ---- Interrupts ---------------------------------------------------------------
// The LAPIC timer (vector 32, LAPIC.swift): a trap_frame as for exceptions,
// interrupt_handler(frame) (Interrupts.swift), which may switch tasks before
// it returns; then the frame's registers and iretq. The spurious vector (0xff)
// needs no EOI (SDM Vol. 3A, 11.9): iretq.
    .balign 16
    .globl timer_entry
timer_entry:
    pushq   $0
    pushq   $32
    PUSH_GENERAL_REGISTERS
    movq    %rsp, %rdi
    cld
    call    interrupt_handler
    jmp     return_to_user

// The console's UART (IRQ 4 through the 8259, vector 0x34, PIC.swift): the
// same frame and path as the timer's.
    .balign 16
    .globl console_irq_entry
console_irq_entry:
    pushq   $0
    pushq   $0x34
    PUSH_GENERAL_REGISTERS
    movq    %rsp, %rdi
    cld
    call    interrupt_handler
    jmp     return_to_user

    .balign 16
    .globl spurious_entry
spurious_entry:
    iretq

// The idle wait (Scheduler.idleWait): interrupts on for one HLT. STI's
// shadow keeps an interrupt from coming between STI and HLT (SDM Vol. 2B,
// STI); the handler also steps over the HLT if one does (idle_hlt).
    .globl idle_halt, idle_hlt
idle_halt:
    sti
idle_hlt:
    hlt
    cli
    ret

    .globl isr_stub_address
isr_stub_address:
    cmpl    $32, %edi
    jae     1f
    movl    %edi, %edi
    leaq    isr_table(%rip), %rax
    movq    (%rax,%rdi,8), %rax
    ret
1:  xorl    %eax, %eax
    ret

    .section .rodata.isr_table, "a"
    .balign 8
isr_table:
    .quad isr0, isr1, isr2, isr3, isr4, isr5, isr6, isr7
    .quad isr8, isr9, isr10, isr11, isr12, isr13, isr14, isr15
    .quad isr16, isr17, isr18, isr19, isr20, isr21, isr22, isr23
    .quad isr24, isr25, isr26, isr27, isr28, isr29, isr30, isr31

// FXSAVE image of the power-on state: FCW 0x037f, MXCSR 0x1f80, all else 0
// (tag word 0 = every x87 register empty). fxrstor wants 16-byte alignment.
    .section .rodata.fpu, "a"
    .balign 16
    .globl fpu_initial_state
fpu_initial_state:
    .word   0x037f
    .skip   22
    .long   0x1f80
    .skip   512 - 28

    .section .data.syscall, "aw"
    .balign 8
    .globl syscall_kernel_rsp
syscall_kernel_rsp:
    .quad   kernel_stack_top
syscall_user_rsp:
    .quad   0
    .globl current_pid
current_pid:                        // the running task's pid (getpid's fast path)
    .long   0
    .balign 8
    .globl current_process, current_pending, no_pending
current_process:                    // Processes.current, the handlers' first argument
    .quad   0
current_pending:                    // &current_process->pendingSignals, or no_pending
    .quad   no_pending
no_pending:
    .quad   0
syscall_rip_limit:                  // the first non-canonical user address
    .quad   0x0000800000000000

// Stacks: boot (kmain, then the kernel context: run list and idle loop),
// kernel (TSS.RSP0 and SYSCALL's until the first task runs; each task has its
// own, TaskMemory.swift), and #DF's own (TSS.IST1), so a fault on a bad
// kernel stack still reports.
    .section .bss.stacks, "aw", @nobits
    .balign 4096
boot_stack:
    .skip   16384
boot_stack_top:
    .globl kernel_stack_top
    .skip   16384
kernel_stack_top:
    .globl df_stack_top
    .skip   8192
df_stack_top:

// What this kernel asks of the VMM (vmm_guest_abi.h: an ELF note, owner
// "VMM", type VMM_ELFNOTE_FEATURES = 1, descriptor VMM_FEATURE_IRQCHIP = 1):
// the in-kernel irqchip for the LAPIC timer.
    .section .note.vmm, "a", @note
    .balign 4
    .long   4                       // namesz
    .long   4                       // descsz
    .long   1                       // VMM_ELFNOTE_FEATURES
    .asciz  "VMM"
    .long   1                       // VMM_FEATURE_IRQCHIP

    .section .note.GNU-stack, "", @progbits

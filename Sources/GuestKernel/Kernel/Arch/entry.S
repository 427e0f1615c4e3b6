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
    jmp     syscall_common

// #PF. Fast path: a user-mode fault (error code U bit) with RIP == LSTAR is the
// software-assisted SYSCALL: RCX = return RIP, R11 = RFLAGS (platform.md).
// Only user-settable flags go back through iretq (SDM Vol. 3A, 2.3): not IOPL,
// RF, VM, VIF/VIP, nor NT (SYSCALL clears it, as SFMASK does); IF is always
// set: ring 3 takes the timer interrupt (Interrupts.swift). Falls through into
// syscall_common.
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
    addq    $8, %rsp                // drop the error code

// The general registers of a trap_frame (include/frames.h), pushed above its vector
// and error code; return_to_user pops them in the reverse order.
.macro PUSH_GENERAL_REGISTERS
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
.endm

// Common tail of both paths: the stack holds an iretq frame (RIP = user RCX,
// RFLAGS = user R11). getpid/gettid return at once (a non-canonical return
// RIP, which user code controls on the #PF path and which would fault on
// iretq in ring 0, takes the full path, where the dispatcher kills). Every
// other call saves the full register image as a struct trap_frame (vector
// 256 = system call), calls syscall_dispatch(frame) -> RAX, stores RAX in the
// frame and leaves through return_to_user: RCX and R11 come back as saved,
// which is the user RIP and the reduced RFLAGS, as SYSCALL left them.
syscall_common:
    cmpq    $39, %rax
    je      syscall_getpid
    cmpq    $186, %rax
    je      syscall_getpid
syscall_full:
    pushq   $0                      // error code
    pushq   $256                    // vector: system call
    PUSH_GENERAL_REGISTERS
    movq    %rsp, %rdi
    cld
    call    syscall_dispatch
    movq    %rax, 14*8(%rsp)        // trap_frame.rax
    jmp     return_to_user
syscall_getpid:
    movq    %rcx, %rax              // RAX is the result: free
    shrq    $47, %rax
    jnz     syscall_full            // the dispatcher kills: the number no longer matters
    movl    current_pid(%rip), %eax
    iretq

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
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
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

// Stack frames built by entry.S, read and edited by the Swift kernel.
#ifndef KERNEL_FRAMES_H
#define KERNEL_FRAMES_H
#include <stdint.h>

// The user register image of every entry from ring 3 (Linux's pt_regs), at
// the top of the task's kernel stack: an exception (vectors 0..31) or a
// system call (vector 256; both paths, SYSCALL and #PF at LSTAR). General
// registers, then what the stub pushed (vector, error code or 0), then the
// CPU's iretq frame (SDM Vol. 3A, 6.14.2). For a system call: number in rax,
// arguments in rdi, rsi, rdx, r10, r8, r9 (Linux x86_64 ABI), rip/rflags the
// user's return address and flags (RCX, R11).
//
// Most system calls save only the number and the arguments (entry.S,
// syscall_dispatch; Linux's old SAVE_ARGS): their handlers see the first
// eight fields (rbx, rbp, r12-r15, and rcx/r11, which equal rip/rflags),
// vector and error_code unwritten. The calls that read or rewrite the whole image (rt_sigreturn,
// clone, fork, vfork, execve, execveat) and every return that delivers a
// signal have it whole. Hence the order: those eight first.
struct trap_frame {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, rcx;
    uint64_t r10, r9, r8, rax, rdx, rsi, rdi;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

#define TRAP_VECTOR_SYSCALL 256

// Addresses of symbols from linker.ld and entry.S (Swift cannot import
// unsized arrays).
#define KERNEL_SYMBOL_ADDRESS(fn, sym) \
    static inline uint64_t fn(void) { extern char sym[]; return (uint64_t)(uintptr_t)sym; }
KERNEL_SYMBOL_ADDRESS(kernel_end_address, __kernel_end)
KERNEL_SYMBOL_ADDRESS(syscall_entry_address, syscall_entry)        // LSTAR
KERNEL_SYMBOL_ADDRESS(kernel_stack_top_address, kernel_stack_top)  // TSS.RSP0, SYSCALL stack
KERNEL_SYMBOL_ADDRESS(df_stack_top_address, df_stack_top)          // TSS.IST1 (#DF)
KERNEL_SYMBOL_ADDRESS(user_copy_q_address, user_copy_q)            // user_copy fault sites
KERNEL_SYMBOL_ADDRESS(user_copy_b_address, user_copy_b)
KERNEL_SYMBOL_ADDRESS(user_copy_fixup_q_address, user_copy_fixup_q)
KERNEL_SYMBOL_ADDRESS(user_copy_fixup_b_address, user_copy_fixup_b)
KERNEL_SYMBOL_ADDRESS(user_zero_q_address, user_zero_q)            // user_zero fault sites
KERNEL_SYMBOL_ADDRESS(user_zero_b_address, user_zero_b)
KERNEL_SYMBOL_ADDRESS(user_zero_fixup_q_address, user_zero_fixup_q)
KERNEL_SYMBOL_ADDRESS(user_zero_fixup_b_address, user_zero_fixup_b)
KERNEL_SYMBOL_ADDRESS(user_get64_load_address, user_get64_load)    // user_word.S fault sites
KERNEL_SYMBOL_ADDRESS(user_get64_fixup_address, user_get64_fixup)
KERNEL_SYMBOL_ADDRESS(user_put64_store_address, user_put64_store)
KERNEL_SYMBOL_ADDRESS(user_put64_fixup_address, user_put64_fixup)
KERNEL_SYMBOL_ADDRESS(user_get8_load_address, user_get8_load)
KERNEL_SYMBOL_ADDRESS(user_get8_fixup_address, user_get8_fixup)
KERNEL_SYMBOL_ADDRESS(task_start_address, task_start)              // a new task's first return
KERNEL_SYMBOL_ADDRESS(fpu_initial_state_address, fpu_initial_state) // FXSAVE image of reset
KERNEL_SYMBOL_ADDRESS(timer_entry_address, timer_entry)            // IDT vector 32
KERNEL_SYMBOL_ADDRESS(spurious_entry_address, spurious_entry)      // IDT vector 0xff
KERNEL_SYMBOL_ADDRESS(console_irq_entry_address, console_irq_entry) // IDT vector 0x34 (PIC.swift)
KERNEL_SYMBOL_ADDRESS(idle_hlt_address, idle_hlt)                  // the idle wait's HLT
static inline uint64_t *no_pending_address(void) { extern uint64_t no_pending; return &no_pending; }   // current_pending when idle

// entry.S
uint64_t isr_stub_address(unsigned vector);
uint64_t user_copy(void *dst, const void *src, uint64_t n);
// user_zero.S
uint64_t user_zero(void *dst, uint64_t n);
// user_word.S
struct user_word { uint64_t value; uint64_t fault; };
struct user_word user_get64(const void *src);
uint64_t user_put64(void *dst, uint64_t v);
struct user_word user_get8(const void *src);
void load_gdt(const void *pointer);     // lgdt, reload CS/SS, null DS/ES/FS/GS
void switch_context(uint64_t *from, uint64_t to);
void idle_halt(void);                   // sti; hlt; cli
extern uint64_t syscall_kernel_rsp;     // SYSCALL's kernel stack (the running task's)
extern int32_t current_pid;             // getpid's fast path
extern void *current_process;           // Processes.current, for entry.S (Scheduler.swift)
extern uint64_t *current_pending;       // its pendingSignals: entry.S's exit test
#endif

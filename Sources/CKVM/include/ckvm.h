/*
 * CKVM: the thin C layer between Swift and <linux/kvm.h>.
 *
 * Swift cannot import the function-like macros (_IO, _IOW, _IOWR) that build
 * every KVM_* request number, nor name the anonymous structs inside
 * struct kvm_run, so this header gives Swift:
 *   - one fixed-arity wrapper per ioctl, named after it (returns ioctl's
 *     result; errno is left as the kernel set it);
 *   - a decoder that copies the exit payload out of struct kvm_run;
 *   - KVM constants newer than Debian 12's linux-libc-dev (6.1), guarded;
 *   - the signal plumbing for kicking a vCPU out of KVM_RUN
 *     (KVM API doc 4.x "immediate_exit").
 */
#ifndef CKVM_H
#define CKVM_H

#include <stdint.h>
#include <pthread.h>
#include <stddef.h>
#include <linux/kvm.h>
#include "vmm_guest_abi.h"

/* ---- Constants newer than the installed headers (KVM API doc) ----------- */
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY 236
struct kvm_pre_fault_memory {
    __u64 gpa;
    __u64 size;
    __u64 flags;
    __u64 padding[5];
};
#define KVM_PRE_FAULT_MEMORY _IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
#endif
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif

/* Capabilities Swift asks about, as plain integers. */
enum {
    CKVM_CAP_IMMEDIATE_EXIT = KVM_CAP_IMMEDIATE_EXIT,
    CKVM_CAP_GET_TSC_KHZ = KVM_CAP_GET_TSC_KHZ,
    CKVM_CAP_BINARY_STATS_FD = KVM_CAP_BINARY_STATS_FD,
    CKVM_CAP_NR_VCPUS = KVM_CAP_NR_VCPUS,
    CKVM_CAP_MAX_VCPUS = KVM_CAP_MAX_VCPUS,
    CKVM_CAP_NR_MEMSLOTS = KVM_CAP_NR_MEMSLOTS,
    CKVM_CAP_USER_MEMORY = KVM_CAP_USER_MEMORY,
    CKVM_CAP_EXT_CPUID = KVM_CAP_EXT_CPUID,
    CKVM_CAP_USER_MEMORY2 = KVM_CAP_USER_MEMORY2,
    CKVM_CAP_GUEST_MEMFD = KVM_CAP_GUEST_MEMFD,
    CKVM_CAP_PRE_FAULT_MEMORY = KVM_CAP_PRE_FAULT_MEMORY,
    CKVM_CAP_X86_DISABLE_EXITS = KVM_CAP_X86_DISABLE_EXITS,
    CKVM_CAP_SYNC_REGS = KVM_CAP_SYNC_REGS,
    CKVM_CAP_IRQCHIP = KVM_CAP_IRQCHIP,
    CKVM_CAP_TSC_DEADLINE_TIMER = KVM_CAP_TSC_DEADLINE_TIMER,
};

/* ---- System ioctls (/dev/kvm) ------------------------------------------- */
int ckvm_get_api_version(int kvm_fd);
int ckvm_check_extension(int fd, long cap);          /* system or VM fd */
int ckvm_create_vm(int kvm_fd, unsigned long type);
int ckvm_get_vcpu_mmap_size(int kvm_fd);
int ckvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid2 *cpuid);

/* ---- VM ioctls ------------------------------------------------------------ */
int ckvm_set_user_memory_region(int vm_fd, const struct kvm_userspace_memory_region *region);
int ckvm_create_vcpu(int vm_fd, unsigned long id);
int ckvm_create_irqchip(int vm_fd);                     /* before any vCPU */
int ckvm_get_stats_fd(int fd);                        /* VM or vCPU fd */

/* ---- vCPU ioctls ---------------------------------------------------------- */
int ckvm_run(int vcpu_fd);
int ckvm_get_regs(int vcpu_fd, struct kvm_regs *regs);
int ckvm_set_regs(int vcpu_fd, const struct kvm_regs *regs);
int ckvm_get_sregs(int vcpu_fd, struct kvm_sregs *sregs);
int ckvm_set_sregs(int vcpu_fd, const struct kvm_sregs *sregs);
int ckvm_set_cpuid2(int vcpu_fd, const struct kvm_cpuid2 *cpuid);
int ckvm_get_tsc_khz(int vcpu_fd);
int ckvm_translate(int vcpu_fd, struct kvm_translation *tr);
int ckvm_pre_fault_memory(int vcpu_fd, struct kvm_pre_fault_memory *range);
/* In-kernel PC devices for a Linux guest (KVM API doc 4.24, 4.25, 4.79, 4.18);
   ckvm_create_irqchip above. */
int ckvm_create_pit2(int vm_fd);
int ckvm_irq_line(int vm_fd, uint32_t irq, uint32_t level);
int ckvm_set_tss_addr(int vm_fd, unsigned long addr);
/* KVM_SET_GUEST_DEBUG with KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP (on)
 * or nothing (off): every stepped instruction is a KVM_EXIT_DEBUG (KVM API
 * doc 4.65). 0 or -errno. */
int ckvm_set_singlestep(int vcpu_fd, int on);
/* KVM_EXIT_DEBUG's guest RIP (struct kvm_debug_exit_arch.pc). */
uint64_t ckvm_debug_pc(const struct kvm_run *run);

/* ---- struct kvm_run: decoding the exit ------------------------------------ */

/* The payload of the last exit, flattened out of kvm_run's anonymous union.
 * Only the fields belonging to `reason` are meaningful. */
struct ckvm_exit {
    uint32_t reason;                 /* KVM_EXIT_* */
    /* KVM_EXIT_IO */
    uint8_t  io_direction;           /* KVM_EXIT_IO_IN / _OUT */
    uint8_t  io_size;                /* 1, 2 or 4 */
    uint16_t io_port;
    uint32_t io_count;
    uint64_t io_data_offset;         /* from the start of kvm_run */
    /* KVM_EXIT_MMIO */
    uint64_t mmio_phys_addr;
    uint64_t mmio_data;              /* the 8 data bytes, little-endian */
    uint32_t mmio_len;
    uint8_t  mmio_is_write;
    /* KVM_EXIT_FAIL_ENTRY */
    uint64_t fail_entry_reason;
    uint32_t fail_entry_cpu;
    /* KVM_EXIT_INTERNAL_ERROR (its data words: ckvm_internal_error_data) */
    uint32_t internal_suberror;
    uint32_t internal_ndata;         /* as reported; may exceed 16 */
    /* KVM_EXIT_UNKNOWN */
    uint64_t hw_exit_reason;
    /* KVM_EXIT_SYSTEM_EVENT */
    uint32_t system_event_type;
    /* KVM_EXIT_EXCEPTION */
    uint32_t exception;
    uint32_t exception_error_code;
};

void ckvm_decode_exit(const struct kvm_run *run, struct ckvm_exit *out);
/* Copies up to `max` (<= 16) data words of an internal-error exit; returns how many. */
uint32_t ckvm_internal_error_data(const struct kvm_run *run, uint64_t *out, uint32_t max);
/* Completion of an IN / MMIO read: the value the guest will see. */
void ckvm_complete_mmio_read(struct kvm_run *run, uint64_t value);

/* ---- Kicking the vCPU out of KVM_RUN ---------------------------------------
 * A signal handler (installed without SA_RESTART) sets run->immediate_exit
 * and records which signal came, so KVM_RUN returns -EINTR at once whether
 * the signal lands inside KVM_RUN or between two calls of it. */

/* The kick state. One global instance serves the handlers; the functions
 * taking a state pointer are the same logic, callable on a private instance
 * (unit tests) without touching signals.
 *   reason:    why this run was kicked (0 = not kicked); reset per run, so a
 *              watchdog, a signal and a guest exit are never confused;
 *   interrupt: the first SIGINT/SIGTERM this process received, sticky: a run
 *              that begins after it stops at once (`vmm bench` between two
 *              benchmarks). */
#define CKVM_KICK_WATCHDOG (-1)
struct ckvm_kick_state {
    struct kvm_run *volatile run;
    volatile int reason;
    volatile int interrupt;
};
/* A kick: records `reason` (a signal number or CKVM_KICK_WATCHDOG) unless
 * this run already has one, and sets the run's immediate_exit. */
void ckvm_kick_note(struct ckvm_kick_state *s, int reason);
/* Starts a run on `run` (NULL ends it): the reason becomes the sticky
 * interrupt (0 unless one came), and immediate_exit is set if it is one. */
void ckvm_kick_begin(struct ckvm_kick_state *s, struct kvm_run *run);

/* The global instance: begin/end a run, read its reason. */
void ckvm_kick_register(struct kvm_run *run);
/* Why the current run was kicked: 0, CKVM_KICK_WATCHDOG or SIGINT/SIGTERM. */
int ckvm_kick_reason(void);
/* The first SIGINT/SIGTERM received since the handlers were installed, 0 if none. */
int ckvm_interrupt_signal(void);
/* Handle SIGINT/SIGTERM (user interrupt) by kicking; returns 0 or -errno.
 * Idempotent: `vmm bench` installs them before its first child or guest. */
int ckvm_kick_install_signals(void);
/* Arms a one-shot CLOCK_MONOTONIC timer that delivers the kick signal to the
 * calling thread (the vCPU thread) after `nanoseconds`; returns 0 or -errno. */
int ckvm_watchdog_arm(uint64_t nanoseconds);
void ckvm_watchdog_disarm(void);
/* The console-input kick (Devices/ConsoleInput.swift): a real-time signal
 * whose handler only sets the current run's immediate_exit, recording no
 * reason, so KVM_RUN returns -EINTR and the run loop looks at the input
 * (also when the vCPU is halted inside KVM, waiting for an interrupt).
 * install: in the vCPU thread (unblocks it there); 0 or -errno.
 * kick: from the reader thread to `thread` (the vCPU thread); 0 or an errno.
 * clear: the loop resets immediate_exit before looking, unless a stop was asked. */
int ckvm_input_kick_install(void);
int ckvm_input_kick(pthread_t thread);
void ckvm_input_kick_clear(struct kvm_run *run);
/* The halt check (Run/HaltWatch.swift): the main thread asks the vCPU thread,
 * through the console-input kick, to look whether its vCPU is halted for
 * good. request: 0 or an errno. take: 1 once per request, else 0. */
int ckvm_halt_check_request(pthread_t thread);
int ckvm_halt_check_take(void);
/* Joins `thread` if it ends within `nanoseconds`: 0, or ETIMEDOUT (it still
 * runs), or another errno (pthread_timedjoin_np, a GNU extension). */
int ckvm_join_within(pthread_t thread, uint64_t nanoseconds);
/* KVM_GET_MP_STATE (KVM API doc 4.38): the vCPU's KVM_MP_STATE_*, or -errno. */
int ckvm_get_mp_state(int vcpu_fd);

/* ---- Seccomp: the vCPU thread's filter (seccomp.c, README "Seccomp") -------
 * Confines the calling thread: from then on only the run loop's system calls
 * are allowed (pread64 only on `stats_fd`, -1 for none); any other raises
 * SIGSYS, whose handler writes one line naming the call's number to stderr
 * and ends the process with CKVM_SECCOMP_STATUS (128 + SIGSYS, as a shell
 * reports a death by SIGSYS). Returns 0 or -errno. */
#define CKVM_SECCOMP_STATUS 159
int ckvm_seccomp_confine(int stats_fd);
/* The debug hook (VMM_DEBUG_SECCOMP_PROBE=open): calls open(2), which the
 * filter forbids. */
int ckvm_seccomp_probe(void);

/* ---- CPU pinning (sched_setaffinity needs _GNU_SOURCE, which Swift's Glibc
 * module does not define). Pins the calling thread's process; 0 or -errno. */
int ckvm_pin_to_cpu(int cpu);

/* CPUID on the host CPU (the one vmm runs on, not a vCPU): out = eax, ebx,
 * ecx, edx of leaf/subleaf. For detecting an outer hypervisor (leaf
 * 0x40000000, Intel SDM vol. 2A CPUID; Linux arch/x86/kernel/cpu/hypervisor.c). */
void ckvm_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
int ckvm_cpu_count(void);

#endif /* CKVM_H */

/* CKVM: ioctl wrappers and kvm_run decoding. See include/ckvm.h. */
#define _GNU_SOURCE
#include "ckvm.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sched.h>
#include <cpuid.h>

/* The offsets assembly guests use must match the structs. */
#define CHECK(s, f, v) _Static_assert(offsetof(struct s, f) == (v), #s "." #f)
CHECK(vmm_boot_info, magic, VMM_BI_MAGIC);
CHECK(vmm_boot_info, abi_version, VMM_BI_ABI_VERSION);
CHECK(vmm_boot_info, size, VMM_BI_SIZE);
CHECK(vmm_boot_info, flags, VMM_BI_FLAGS);
CHECK(vmm_boot_info, ram_size, VMM_BI_RAM_SIZE);
CHECK(vmm_boot_info, tsc_khz, VMM_BI_TSC_KHZ);
CHECK(vmm_boot_info, initrd_addr, VMM_BI_INITRD_ADDR);
CHECK(vmm_boot_info, initrd_size, VMM_BI_INITRD_SIZE);
CHECK(vmm_boot_info, cmdline_addr, VMM_BI_CMDLINE_ADDR);
CHECK(vmm_boot_info, cmdline_size, VMM_BI_CMDLINE_SIZE);
CHECK(vmm_boot_info, memmap_count, VMM_BI_MEMMAP_COUNT);
CHECK(vmm_boot_info, memmap, VMM_BI_MEMMAP);
CHECK(vmm_boot_info, realtime_ns, VMM_BI_REALTIME_NS);
CHECK(vmm_memmap_entry, base, VMM_ME_BASE);
CHECK(vmm_memmap_entry, size, VMM_ME_SIZE);
CHECK(vmm_memmap_entry, type, VMM_ME_TYPE);
_Static_assert(sizeof(struct vmm_memmap_entry) == VMM_ME_STRIDE, "memmap stride");
CHECK(vmm_hypercall, magic, VMM_HC_OFF_MAGIC);
CHECK(vmm_hypercall, abi_version, VMM_HC_OFF_ABI_VERSION);
CHECK(vmm_hypercall, op, VMM_HC_OFF_OP);
CHECK(vmm_hypercall, result, VMM_HC_OFF_RESULT);
CHECK(vmm_hypercall, arg0, VMM_HC_OFF_ARG0);
CHECK(vmm_hypercall, arg1, VMM_HC_OFF_ARG1);
CHECK(vmm_hypercall, arg2, VMM_HC_OFF_ARG2);
CHECK(vmm_hypercall, arg3, VMM_HC_OFF_ARG3);
_Static_assert(sizeof(struct vmm_hypercall) == VMM_HC_RECORD_SIZE, "hypercall size");
_Static_assert(sizeof(struct vmm_boot_info) <= VMM_BOOT_INFO_SIZE, "boot info fits its area");

int ckvm_get_api_version(int fd) { return ioctl(fd, KVM_GET_API_VERSION, 0); }
int ckvm_check_extension(int fd, long cap) { return ioctl(fd, KVM_CHECK_EXTENSION, cap); }
int ckvm_create_vm(int fd, unsigned long type) { return ioctl(fd, KVM_CREATE_VM, type); }
int ckvm_get_vcpu_mmap_size(int fd) { return ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0); }
int ckvm_get_supported_cpuid(int fd, struct kvm_cpuid2 *c) { return ioctl(fd, KVM_GET_SUPPORTED_CPUID, c); }

int ckvm_set_user_memory_region(int fd, const struct kvm_userspace_memory_region *r) {
    return ioctl(fd, KVM_SET_USER_MEMORY_REGION, r);
}
int ckvm_create_vcpu(int fd, unsigned long id) { return ioctl(fd, KVM_CREATE_VCPU, id); }
int ckvm_create_irqchip(int fd) { return ioctl(fd, KVM_CREATE_IRQCHIP, 0); }
int ckvm_get_stats_fd(int fd) { return ioctl(fd, KVM_GET_STATS_FD, 0); }

int ckvm_run(int fd) { return ioctl(fd, KVM_RUN, 0); }
int ckvm_get_regs(int fd, struct kvm_regs *r) { return ioctl(fd, KVM_GET_REGS, r); }
int ckvm_set_regs(int fd, const struct kvm_regs *r) { return ioctl(fd, KVM_SET_REGS, r); }
int ckvm_get_sregs(int fd, struct kvm_sregs *s) { return ioctl(fd, KVM_GET_SREGS, s); }
int ckvm_set_sregs(int fd, const struct kvm_sregs *s) { return ioctl(fd, KVM_SET_SREGS, s); }
int ckvm_set_cpuid2(int fd, const struct kvm_cpuid2 *c) { return ioctl(fd, KVM_SET_CPUID2, c); }
int ckvm_get_tsc_khz(int fd) { return ioctl(fd, KVM_GET_TSC_KHZ, 0); }
int ckvm_translate(int fd, struct kvm_translation *t) { return ioctl(fd, KVM_TRANSLATE, t); }
int ckvm_pre_fault_memory(int fd, struct kvm_pre_fault_memory *r) { return ioctl(fd, KVM_PRE_FAULT_MEMORY, r); }
int ckvm_create_pit2(int fd) {
    struct kvm_pit_config c = { .flags = KVM_PIT_SPEAKER_DUMMY };   /* port 0x61 in the kernel */
    return ioctl(fd, KVM_CREATE_PIT2, &c);
}
int ckvm_irq_line(int fd, uint32_t irq, uint32_t level) {
    struct kvm_irq_level l = { .irq = irq, .level = level };
    return ioctl(fd, KVM_IRQ_LINE, &l);
}
int ckvm_set_tss_addr(int fd, unsigned long addr) { return ioctl(fd, KVM_SET_TSS_ADDR, addr); }

int ckvm_set_singlestep(int fd, int on) {
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof dbg);
    dbg.control = on ? (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP) : 0;
    return ioctl(fd, KVM_SET_GUEST_DEBUG, &dbg) == 0 ? 0 : -errno;
}

uint64_t ckvm_debug_pc(const struct kvm_run *run) { return run->debug.arch.pc; }

void ckvm_decode_exit(const struct kvm_run *run, struct ckvm_exit *out) {
    memset(out, 0, sizeof *out);
    out->reason = run->exit_reason;
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        out->io_direction = run->io.direction;
        out->io_size = run->io.size;
        out->io_port = run->io.port;
        out->io_count = run->io.count;
        out->io_data_offset = run->io.data_offset;
        break;
    case KVM_EXIT_MMIO:
        out->mmio_phys_addr = run->mmio.phys_addr;
        memcpy(&out->mmio_data, run->mmio.data, sizeof out->mmio_data);
        out->mmio_len = run->mmio.len;
        out->mmio_is_write = run->mmio.is_write;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        out->fail_entry_reason = run->fail_entry.hardware_entry_failure_reason;
        out->fail_entry_cpu = run->fail_entry.cpu;
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        out->internal_suberror = run->internal.suberror;
        out->internal_ndata = run->internal.ndata;
        break;
    case KVM_EXIT_UNKNOWN:
        out->hw_exit_reason = run->hw.hardware_exit_reason;
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        out->system_event_type = run->system_event.type;
        break;
    case KVM_EXIT_EXCEPTION:
        out->exception = run->ex.exception;
        out->exception_error_code = run->ex.error_code;
        break;
    default:
        break;
    }
}

uint32_t ckvm_internal_error_data(const struct kvm_run *run, uint64_t *out, uint32_t max) {
    uint32_t n = run->internal.ndata;
    if (n > max) n = max;
    if (n > 16) n = 16;
    for (uint32_t i = 0; i < n; i++) out[i] = run->internal.data[i];
    return n;
}

void ckvm_complete_mmio_read(struct kvm_run *run, uint64_t value) {
    memcpy(run->mmio.data, &value, sizeof value);
}

/* ---- kick ------------------------------------------------------------------ */

static struct ckvm_kick_state kick_state;
static timer_t watchdog_timer;
static int watchdog_armed;

/* The watchdog uses a real-time signal so it never collides with the
 * program's own SIGALRM/SIGUSR1 use. */
#define CKVM_WATCHDOG_SIGNAL (SIGRTMIN + 1)

void ckvm_kick_note(struct ckvm_kick_state *s, int reason) {
    if (reason != CKVM_KICK_WATCHDOG && s->interrupt == 0) s->interrupt = reason;
    if (s->reason == 0) s->reason = reason;
    struct kvm_run *run = s->run;
    if (run) __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

void ckvm_kick_begin(struct ckvm_kick_state *s, struct kvm_run *run) {
    s->reason = s->interrupt;
    s->run = run;
    /* A signal between the two stores above found no run to kick, or the
     * interrupt came before this run: either way its reason is set now. */
    if (run && s->reason) __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

static void on_watchdog(int sig) { (void)sig; ckvm_kick_note(&kick_state, CKVM_KICK_WATCHDOG); }
static void on_user_signal(int sig) { ckvm_kick_note(&kick_state, sig); }

void ckvm_kick_register(struct kvm_run *run) { ckvm_kick_begin(&kick_state, run); }
int ckvm_kick_reason(void) { return kick_state.reason; }
int ckvm_interrupt_signal(void) { return kick_state.interrupt; }

static int install(int sig, void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return -EINTR */
    if (sigaction(sig, &sa, NULL) != 0) return -errno;
    /* A blocked mask is inherited across fork/exec (a parent's thread may
     * have blocked everything): unblock the signal in this, the vCPU thread,
     * or the kick would stay pending forever. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    int r = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return r == 0 ? 0 : -r;
}

int ckvm_kick_install_signals(void) {
    int r;
    if ((r = install(SIGINT, on_user_signal))) return r;
    if ((r = install(SIGTERM, on_user_signal))) return r;
    return 0;
}

int ckvm_watchdog_arm(uint64_t ns) {
    int r = install(CKVM_WATCHDOG_SIGNAL, on_watchdog);
    if (r) return r;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;   /* to the vCPU thread, not any thread */
    sev.sigev_signo = CKVM_WATCHDOG_SIGNAL;
    sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    if (timer_create(CLOCK_MONOTONIC, &sev, &watchdog_timer) != 0) return -errno;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (ns == 0) ns = 1;
    its.it_value.tv_sec = (time_t)(ns / 1000000000u);
    its.it_value.tv_nsec = (long)(ns % 1000000000u);
    if (timer_settime(watchdog_timer, 0, &its, NULL) != 0) {
        int e = errno;
        timer_delete(watchdog_timer);
        return -e;
    }
    watchdog_armed = 1;
    return 0;
}

void ckvm_watchdog_disarm(void) {
    if (watchdog_armed) {
        timer_delete(watchdog_timer);
        watchdog_armed = 0;
    }
}

#define CKVM_INPUT_SIGNAL (SIGRTMIN + 2)

static void on_input(int sig) {
    (void)sig;
    struct kvm_run *run = kick_state.run;
    if (run) __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

int ckvm_input_kick_install(void) { return install(CKVM_INPUT_SIGNAL, on_input); }

int ckvm_input_kick(pthread_t thread) { return pthread_kill(thread, CKVM_INPUT_SIGNAL); }

static int halt_check_requested;

int ckvm_halt_check_request(pthread_t thread) {
    __atomic_store_n(&halt_check_requested, 1, __ATOMIC_SEQ_CST);
    return ckvm_input_kick(thread);
}

int ckvm_halt_check_take(void) { return __atomic_exchange_n(&halt_check_requested, 0, __ATOMIC_SEQ_CST); }

int ckvm_join_within(pthread_t thread, uint64_t ns) {
    struct timespec t;   /* the deadline is absolute, on CLOCK_REALTIME */
    clock_gettime(CLOCK_REALTIME, &t);
    uint64_t n = (uint64_t)t.tv_nsec + ns;
    t.tv_sec += (time_t)(n / 1000000000u);
    t.tv_nsec = (long)(n % 1000000000u);
    return pthread_timedjoin_np(thread, NULL, &t);
}

int ckvm_get_mp_state(int fd) {
    struct kvm_mp_state s;
    if (ioctl(fd, KVM_GET_MP_STATE, &s) != 0) return -errno;
    return (int)s.mp_state;
}

void ckvm_input_kick_clear(struct kvm_run *run) {
    /* A stop (SIGINT, SIGTERM, the watchdog) noted before or during the
     * reset keeps immediate_exit set: its reason is stored before its flag. */
    __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    if (kick_state.reason != 0) __atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

int ckvm_pin_to_cpu(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return -EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : -errno;
}

int ckvm_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return CPU_COUNT(&set);
}

void ckvm_host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
    __cpuid_count(leaf, subleaf, out[0], out[1], out[2], out[3]);
}

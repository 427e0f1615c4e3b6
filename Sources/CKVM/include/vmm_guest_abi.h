/*
 * The interface between the `vmm` and the guest it boots, defined once.
 *
 * Read by the VMM (through the CKVM module), by the guest kernel and by the
 * assembly test guests (this header is safe to include from `.S` files:
 * structures are hidden behind __ASSEMBLER__). Bump VMM_ABI_VERSION on any
 * incompatible change; a guest checks it before trusting anything else.
 */
#ifndef VMM_GUEST_ABI_H
#define VMM_GUEST_ABI_H

#define VMM_ABI_VERSION 2

/* ---- Ports (x86 port I/O) --------------------------------------------- */

/* 16550 UART, COM1: THR/RBR at +0, LSR at +5. Writes to THR reach stdout. */
#define VMM_PORT_COM1           0x3f8
/* POST/diagnostic port that Linux also writes to; writes are accepted and
 * ignored (counted), reads return 0xff. The exit-round-trip benchmark uses it. */
#define VMM_PORT_NULL           0x80
/* An 8/16/32-bit write of v ends the VM; `vmm` exits with status v & 0xff. */
#define VMM_PORT_EXIT           0x501
/* A 32-bit write of the guest-physical address of a `struct vmm_hypercall`
 * (below 4 GiB, 8-byte aligned) performs that request synchronously. */
#define VMM_PORT_HYPERCALL      0x510
/* A 32-bit write of a mark id records a mark as VMM_HC_MARK does, without
 * the written-back counters: the benchmark binary's marks from user space
 * when Linux is the guest kernel (after ioperm(2); `bench --vmm-ports`). */
#define VMM_PORT_MARK           0x514

/* ---- Guest user programs ------------------------------------------------ */

/* A system call number no Linux uses: the guest kernel turns
 * syscall(VMM_SYSCALL_MARK, id) into a VMM_HC_MARK hypercall (and returns 0);
 * on Linux it fails with ENOSYS. The benchmark binary brackets each timed
 * loop with it, outside the timed region. */
#define VMM_SYSCALL_MARK        0x5600

/* ---- Fixed low-memory map (guest-physical) ------------------------------ */

#define VMM_GDT_ADDR            0x1000   /* GDT (16 entries) then the TSS */
#define VMM_TSS_ADDR            0x1080
#define VMM_BOOT_INFO_ADDR      0x2000   /* struct vmm_boot_info, 8 KiB */
#define VMM_BOOT_INFO_SIZE      0x2000
#define VMM_PML4_ADDR           0x4000
#define VMM_PDPT_LOW_ADDR       0x5000   /* identity map, 1 GiB per entry */
#define VMM_PDPT_HIGH_ADDR      0x6000   /* 0xffffffff80000000 -> phys 0 */
#define VMM_PD_ADDR             0x7000   /* one PD (2 MiB pages) per GiB of RAM */
#define VMM_BOOT_STACK_TOP      0x80000  /* RSP at entry; stack grows down */
#define VMM_RESERVED_END        0x80000  /* [0, this) belongs to the VMM */
#define VMM_KERNEL_VIRT_BASE    0xffffffff80000000ULL

/* Segment selectors, Linux's layout (arch/x86/include/asm/segment.h). */
#define VMM_SEL_KERNEL_CS       0x10
#define VMM_SEL_KERNEL_DS       0x18
#define VMM_SEL_USER32_CS       0x23
#define VMM_SEL_USER_DS         0x2b
#define VMM_SEL_USER_CS         0x33
#define VMM_SEL_TSS             0x40

/* ---- Boot info ----------------------------------------------------------- */

#define VMM_BOOT_MAGIC          0x544f4f424d4d56ULL  /* "VMMBOOT" */

/* flags */
#define VMM_BOOT_FLAG_PREALLOCATED   (1u << 0)  /* RAM populated and locked */
#define VMM_BOOT_FLAG_HUGEPAGES      (1u << 1)  /* THP requested for RAM */
#define VMM_BOOT_FLAG_TOUCH_RAM      (1u << 2)  /* stage-2 not pre-faulted:
                                                   touch RAM once to warm it */
#define VMM_BOOT_FLAG_STAGE2_WARM    (1u << 3)  /* KVM_PRE_FAULT_MEMORY done */
#define VMM_BOOT_FLAG_SOFTWARE_KVM   (1u << 4)  /* ring 0 is emulated (kvm_pvm) */
#define VMM_BOOT_FLAG_IRQCHIP        (1u << 5)  /* in-kernel LAPIC (KVM_CREATE_IRQCHIP):
                                                   the kernel may use its timer */
#define VMM_BOOT_FLAG_HUGE_BACKED    (1u << 6)  /* the host backs all RAM with
                                                   2 MiB pages: TOUCH_RAM needs
                                                   one byte per 2 MiB */

/* An ELF note in the kernel image (PT_NOTE; owner "VMM", type
   VMM_ELFNOTE_FEATURES, a 4-byte descriptor of VMM_FEATURE_* bits): what the
   kernel asks of the machine. A kernel without it gets none of them. */
#define VMM_ELFNOTE_FEATURES         1
#define VMM_FEATURE_IRQCHIP          (1u << 0)  /* wants the in-kernel irqchip; it
                                                   then halts only to wait for interrupts */

/* Marks the kernel makes around its TOUCH_RAM loop (VMM_HC_MARK): the VMM
   reports the time and stage-2 faults between them (--warm touch). */
#define VMM_MARK_TOUCH_RAM_BEGIN     0xffffffffffff0000ULL
#define VMM_MARK_TOUCH_RAM_END       0xffffffffffff0001ULL

/* memory map entry types */
#define VMM_MEM_FREE            1   /* usable by the guest */
#define VMM_MEM_VMM             2   /* GDT, TSS, boot info, page tables, stack */
#define VMM_MEM_KERNEL          3   /* the ELF's PT_LOAD segments */
#define VMM_MEM_INITRD          4   /* the initrd image */

#define VMM_MEMMAP_MAX          32
#define VMM_CMDLINE_MAX         2048

/* ---- Hypercalls ----------------------------------------------------------- */

#define VMM_HYPERCALL_MAGIC     0x4c4c4348u  /* "HCLL" */

/* ops */
#define VMM_HC_MARK             1   /* arg0 = mark id. The VMM records wall time,
                                       its exit counters and KVM's binary stats,
                                       and writes back: arg1 = exits seen by the
                                       VMM so far, arg2 = KVM insn_emulation so
                                       far (~0 if unavailable), arg3 = ns since
                                       the VM started. */
#define VMM_HC_REPORT           2   /* arg0 = guest-physical address of text,
                                       arg1 = length (<= VMM_REPORT_MAX). The VMM
                                       keeps it for --exit-stats / --json-stats. */
#define VMM_HC_LOG              3   /* arg0 = guest-physical address of text,
                                       arg1 = length (<= VMM_REPORT_MAX): one
                                       line of the kernel's own log, without
                                       its newline; arg2 = the signal that
                                       killed the running program when the line
                                       says so, else 0. The VMM writes it to its
                                       stderr (never the console, which is the
                                       program's stdout) and keeps it with the
                                       reports. A VMM without it answers
                                       VMM_HC_ENOSYS; the kernel then sends
                                       VMM_HC_REPORT. */
#define VMM_HC_CONSOLE_READ     4   /* arg0 = guest-physical address, arg1 =
                                       length (<= VMM_REPORT_MAX): the VMM
                                       copies up to that many bytes the console
                                       received (COM1's receiver: the same bytes
                                       RBR would give, in order) and returns how
                                       many (0: none now); writes back arg2 = 1
                                       when the input has ended and every byte
                                       was taken (the carrier dropped), else 0.
                                       One exit per buffer instead of two per
                                       byte. A VMM without it answers
                                       VMM_HC_ENOSYS; the kernel then reads RBR. */

#define VMM_REPORT_MAX          4096

/* result codes (negative errno values, as Linux returns them) */
#define VMM_HC_OK               0
#define VMM_HC_EFAULT           (-14)
#define VMM_HC_EINVAL           (-22)
#define VMM_HC_ENOSYS           (-38)

/* ---- The built-in Swift guest kernel (Sources/GuestKernel) ------------- */

/* Exit-port statuses of the guest kernel besides its init program's own (the
 * program's exit status 0..255, or 128 + the signal that killed it, as a shell
 * reports). Chosen apart from vmm's own statuses (64-77, 116-124). */
#define VMM_KERNEL_EXIT_DEADLOCK      0x6f  /* 111: every process asleep with
                                               nothing left to wake one (Linux
                                               would hang); the sleepers' pids
                                               are on the console */
#define VMM_KERNEL_EXIT_KERNEL_FAULT  0x70  /* 112: exception in ring 0; vector,
                                               error code, RIP, CR2, registers and
                                               stack words are on the console */
#define VMM_KERNEL_EXIT_BAD_BOOT_INFO 0x71  /* 113: boot-info magic/version/size */
#define VMM_KERNEL_EXIT_NO_INIT       0x72  /* 114: init missing or not loadable */
#define VMM_KERNEL_EXIT_PANIC         0x73  /* 115: other panic (out of memory) */

/* The guest kernel's mark system call is VMM_SYSCALL_MARK (above). */

/* Field offsets for assembly guests; ckvm.c checks each with _Static_assert. */
#define VMM_BI_MAGIC            0
#define VMM_BI_ABI_VERSION      8
#define VMM_BI_SIZE             12
#define VMM_BI_FLAGS            16
#define VMM_BI_RAM_SIZE         24
#define VMM_BI_TSC_KHZ          32
#define VMM_BI_INITRD_ADDR      40
#define VMM_BI_INITRD_SIZE      48
#define VMM_BI_CMDLINE_ADDR     56
#define VMM_BI_CMDLINE_SIZE     64
#define VMM_BI_MEMMAP_COUNT     68
#define VMM_BI_MEMMAP           72
#define VMM_BI_REALTIME_NS      2888     /* after memmap[32] and cmdline[2048]; ABI 2 */
#define VMM_ME_BASE             0
#define VMM_ME_SIZE             8
#define VMM_ME_TYPE             16
#define VMM_ME_STRIDE           24
#define VMM_HC_OFF_MAGIC        0
#define VMM_HC_OFF_ABI_VERSION  4
#define VMM_HC_OFF_OP           6
#define VMM_HC_OFF_RESULT       8
#define VMM_HC_OFF_ARG0         16
#define VMM_HC_OFF_ARG1         24
#define VMM_HC_OFF_ARG2         32
#define VMM_HC_OFF_ARG3         40
#define VMM_HC_RECORD_SIZE      48

#ifndef __ASSEMBLER__
#include <stdint.h>

struct vmm_memmap_entry {
    uint64_t base;
    uint64_t size;
    uint32_t type;
    uint32_t reserved;
};

struct vmm_boot_info {
    uint64_t magic;             /* VMM_BOOT_MAGIC */
    uint32_t abi_version;       /* VMM_ABI_VERSION */
    uint32_t size;              /* sizeof(struct vmm_boot_info) */
    uint64_t flags;             /* VMM_BOOT_FLAG_* */
    uint64_t ram_size;          /* bytes, guest-physical [0, ram_size) */
    uint64_t tsc_khz;           /* KVM_GET_TSC_KHZ, 0 when unknown */
    uint64_t initrd_addr;       /* guest-physical, 0 when none */
    uint64_t initrd_size;
    uint64_t cmdline_addr;      /* guest-physical, NUL-terminated */
    uint32_t cmdline_size;      /* bytes without the NUL */
    uint32_t memmap_count;      /* valid entries in memmap */
    struct vmm_memmap_entry memmap[VMM_MEMMAP_MAX];
    char cmdline[VMM_CMDLINE_MAX];
    /* ABI 2: the host's CLOCK_REALTIME (ns since the Epoch) when the record
       was written, just before the vCPU first runs; 0 when unknown. The
       guest's wall clock is this plus the TSC time since its own boot. */
    uint64_t realtime_ns;
};

/* ---- Hypercalls: the request record (constants above) ------------------ */

struct vmm_hypercall {
    uint32_t magic;             /* VMM_HYPERCALL_MAGIC */
    uint16_t abi_version;       /* VMM_ABI_VERSION */
    uint16_t op;                /* VMM_HC_* */
    int64_t  result;            /* written by the VMM */
    uint64_t arg0, arg1, arg2, arg3;
};

#endif /* __ASSEMBLER__ */
#endif /* VMM_GUEST_ABI_H */

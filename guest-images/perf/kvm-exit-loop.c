/*
 * kvm-exit-loop: the smallest honest KVM runner, used as the performance
 * baseline for the Swift `vmm` run loop.
 *
 *   cc -O2 -o kvm-exit-loop kvm-exit-loop.c
 *   ./kvm-exit-loop [-m MiB] guest.elf        (MiB: 2..64, even; default 64)
 *
 * Loads an ELF64 ET_EXEC's PT_LOAD segments at p_paddr, enters e_entry in
 * 64-bit mode with the same set-up the vmm uses (GDT at 0x1000, 2 MiB identity
 * map via PML4 0x4000 / PDPT 0x5000 / PD 0x7000, plus 0xffffffff80000000 ->
 * phys 0 via PDPT 0x6000, RSP 0x80000, RDI 0x2000), then runs KVM_RUN in a
 * tight loop: outs to 0x80 are ignored, to 0x3f8 go to stdout, reads of 0x3fd
 * (LSR) return "transmitter empty", any write to 0x501 ends the run.
 * Prints `exits=N ns_total=T ns_per_exit=T/N` (exits = KVM_RUN returns, the
 * final exit-port one included; time from just before the first KVM_RUN to
 * the return of the exit-port one) and exits with the guest's status & 0xff.
 * Anything else (HLT, shutdown, internal error, other ports) is reported on
 * stderr and ends the program with status 1 (MMIO writes are logged and skipped).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PORT_NULL 0x80
#define PORT_COM1 0x3f8
#define PORT_LSR  0x3fd
#define PORT_EXIT 0x501

static __attribute__((noreturn)) void die(const char *what)
{
    perror(what);
    exit(1);
}

static __attribute__((noreturn)) void fail(const char *what)
{
    fprintf(stderr, "kvm-exit-loop: %s\n", what);
    exit(1);
}

static uint64_t load_elf(const char *path, uint8_t *ram, uint64_t ram_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        die(path);
    uint8_t *f = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (f == MAP_FAILED)
        die("mmap elf");
    close(fd);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
    if ((size_t)st.st_size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
        eh->e_type != ET_EXEC || eh->e_phentsize != sizeof(Elf64_Phdr) ||
        eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)st.st_size)
        fail("not an ELF64 x86_64 ET_EXEC");
    Elf64_Phdr *ph = (Elf64_Phdr *)(f + eh->e_phoff);
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD)
            continue;
        if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset + ph[i].p_filesz > (uint64_t)st.st_size ||
            ph[i].p_paddr >= ram_size || ph[i].p_memsz > ram_size - ph[i].p_paddr)
            fail("PT_LOAD segment outside the file or RAM");
        memcpy(ram + ph[i].p_paddr, f + ph[i].p_offset, ph[i].p_filesz);
        memset(ram + ph[i].p_paddr + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
    }
    uint64_t entry = eh->e_entry;
    munmap(f, st.st_size);
    return entry;
}

static void set_cpuid(int kvm, int vcpu)
{
    for (int n = 64;; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof(struct kvm_cpuid_entry2));
        if (!c)
            die("calloc");
        c->nent = n;
        if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            if (ioctl(vcpu, KVM_SET_CPUID2, c) < 0)
                die("KVM_SET_CPUID2");
            free(c);
            return;
        }
        if (errno != E2BIG)
            die("KVM_GET_SUPPORTED_CPUID");
        free(c);
    }
}

static void setup_long_mode(int vcpu, uint8_t *ram, uint64_t ram_size, uint64_t entry)
{
    /* GDT: 16 entries at 0x1000; 0x10 = 64-bit code, 0x18 = data. */
    uint64_t *gdt = (uint64_t *)(ram + 0x1000);
    gdt[2] = 0x00af9b000000ffffULL;
    gdt[3] = 0x00cf93000000ffffULL;

    /* Page tables: identity map [0, ram_size) with 2 MiB pages, and the
     * same PD again at 0xffffffff80000000 (PML4[511] -> PDPT[510]). */
    uint64_t *pml4 = (uint64_t *)(ram + 0x4000);
    uint64_t *pdpt_lo = (uint64_t *)(ram + 0x5000);
    uint64_t *pdpt_hi = (uint64_t *)(ram + 0x6000);
    uint64_t *pd = (uint64_t *)(ram + 0x7000);
    pml4[0] = 0x5000 | 3;
    pml4[511] = 0x6000 | 3;
    pdpt_lo[0] = 0x7000 | 3;
    pdpt_hi[510] = 0x7000 | 3;
    for (uint64_t i = 0; i < ram_size >> 21; i++)
        pd[i] = (i << 21) | 0x83; /* P | RW | PS */

    struct kvm_sregs s;
    if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
        die("KVM_GET_SREGS");
    struct kvm_segment cs = {.base = 0, .limit = 0xffffffff, .selector = 0x10, .type = 11,
                             .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1};
    struct kvm_segment ds = {.base = 0, .limit = 0xffffffff, .selector = 0x18, .type = 3,
                             .present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1};
    s.cs = cs;
    s.ds = s.es = s.fs = s.gs = s.ss = ds;
    s.gdt.base = 0x1000;
    s.gdt.limit = 16 * 8 - 1;
    s.idt.base = 0;
    s.idt.limit = 0;
    s.cr0 = 0x80010033; /* PE | MP | ET | NE | WP | PG */
    s.cr3 = 0x4000;
    s.cr4 = 0x620;      /* PAE | OSFXSR | OSXMMEXCPT */
    s.efer = 0x500;     /* LME | LMA */
    if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0)
        die("KVM_SET_SREGS");

    struct kvm_regs r = {.rip = entry, .rsp = 0x80000, .rdi = 0x2000, .rflags = 2};
    if (ioctl(vcpu, KVM_SET_REGS, &r) < 0)
        die("KVM_SET_REGS");
}

int main(int argc, char **argv)
{
    uint64_t mib = 64;
    if (argc == 4 && strcmp(argv[1], "-m") == 0) {
        mib = strtoull(argv[2], NULL, 0);
        argv += 2;
        argc -= 2;
    }
    if (argc != 2 || mib < 2 || mib > 64 || mib % 2) {
        fprintf(stderr, "usage: kvm-exit-loop [-m MiB (2..64, even)] guest.elf\n");
        return 2;
    }
    uint64_t ram_size = mib << 20;

    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        die("/dev/kvm");
    if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
        fail("unexpected KVM API version");
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0)
        die("KVM_CREATE_VM");
    uint8_t *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED)
        die("mmap ram");
    struct kvm_userspace_memory_region mr = {.slot = 0, .guest_phys_addr = 0,
                                             .memory_size = ram_size, .userspace_addr = (uintptr_t)ram};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0)
        die("KVM_SET_USER_MEMORY_REGION");
    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0)
        die("KVM_CREATE_VCPU");
    int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size < (int)sizeof(struct kvm_run))
        die("KVM_GET_VCPU_MMAP_SIZE");
    struct kvm_run *run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED)
        die("mmap kvm_run");

    uint64_t entry = load_elf(argv[1], ram, ram_size);
    set_cpuid(kvm, vcpu);
    setup_long_mode(vcpu, ram, ram_size, entry);

    uint64_t exits = 0;
    uint32_t status = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            die("KVM_RUN");
        }
        exits++;
        if (run->exit_reason == KVM_EXIT_IO) {
            uint8_t *data = (uint8_t *)run + run->io.data_offset;
            if (run->io.direction == KVM_EXIT_IO_OUT) {
                if (run->io.port == PORT_NULL)
                    continue;
                if (run->io.port == PORT_COM1) {
                    for (uint32_t i = 0; i < run->io.count; i++)
                        if (write(1, data + i * run->io.size, 1) < 0)
                            die("write");
                    continue;
                }
                if (run->io.port == PORT_EXIT) {
                    status = 0;
                    memcpy(&status, data, run->io.size > 4 ? 4 : run->io.size);
                    break;
                }
            } else if (run->io.port == PORT_LSR) {
                memset(data, 0x60, run->io.size * run->io.count); /* THRE | TEMT */
                continue;
            } else if (run->io.port == PORT_NULL) {
                memset(data, 0xff, run->io.size * run->io.count);
                continue;
            }
            fprintf(stderr, "kvm-exit-loop: unhandled port %s 0x%x size %u\n",
                    run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port, run->io.size);
            return 1;
        }
        switch (run->exit_reason) {
        case KVM_EXIT_INTR:
            continue;
        case KVM_EXIT_MMIO:
            fprintf(stderr, "kvm-exit-loop: mmio %s addr=0x%llx len=%u data=0x%llx (ignored)\n",
                    run->mmio.is_write ? "write" : "read", (unsigned long long)run->mmio.phys_addr,
                    run->mmio.len, *(unsigned long long *)run->mmio.data);
            if (!run->mmio.is_write)
                memset(run->mmio.data, 0xff, sizeof run->mmio.data);
            continue;
        case KVM_EXIT_HLT:
            fail("guest halted (KVM_EXIT_HLT)");
        case KVM_EXIT_SHUTDOWN:
            fail("guest shut down (KVM_EXIT_SHUTDOWN, e.g. triple fault)");
        case KVM_EXIT_INTERNAL_ERROR:
            fprintf(stderr, "kvm-exit-loop: KVM_EXIT_INTERNAL_ERROR suberror %u\n", run->internal.suberror);
            return 1;
        case KVM_EXIT_FAIL_ENTRY:
            fprintf(stderr, "kvm-exit-loop: KVM_EXIT_FAIL_ENTRY reason 0x%llx\n",
                    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
            return 1;
        default:
            fprintf(stderr, "kvm-exit-loop: unhandled exit reason %u\n", run->exit_reason);
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    uint64_t ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ULL + (uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;
    printf("exits=%llu ns_total=%llu ns_per_exit=%llu\n", (unsigned long long)exits,
           (unsigned long long)ns, (unsigned long long)(ns / exits));
    return status & 0xff;
}

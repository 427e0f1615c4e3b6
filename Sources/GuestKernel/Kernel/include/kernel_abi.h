// Numbers of this guest kernel that the VMM's users see: VM exit statuses and
// the kernel's private system calls. Documented in README.md ("Guest kernel").
#ifndef KERNEL_ABI_H
#define KERNEL_ABI_H

// VM exit statuses (port 0x501) besides the init program's own: a program's
// exit status (0..255) or 128 + the signal that killed it (as a shell reports).
#define KERNEL_EXIT_KERNEL_FAULT   0x70  // 112: exception in ring 0 (dump on COM1)
#define KERNEL_EXIT_BAD_BOOT_INFO  0x71  // 113: boot-info magic/version/size wrong
#define KERNEL_EXIT_NO_INIT        0x72  // 114: no init in the initrd, or not loadable
#define KERNEL_EXIT_PANIC          0x73  // 115: other kernel panic (out of memory...)

// Private system calls, outside Linux's number range.
// mark(id): issues the VMM's MARK hypercall (VMM_HC_MARK) with arg0 = id and
// returns 0. Brackets benchmark loops for `vmm boot --exit-stats`.
#define KERNEL_SYS_MARK            0x7fff0001
#endif

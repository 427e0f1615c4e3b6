import KernelSupport

/// SYSCALL set-up for hardware-assisted KVM (Intel SDM Vol. 3B, 5.8.8; AMD APM
/// Vol. 2, 6.1.1). On software-assisted KVM the same LSTAR is what the #PF
/// names (platform.md), so both paths share the entry and the dispatcher.
enum SyscallMSRs {
    static let efer: UInt32 = 0xc000_0080
    static let star: UInt32 = 0xc000_0081
    static let lstar: UInt32 = 0xc000_0082
    static let sfmask: UInt32 = 0xc000_0084
    static let fsBase: UInt32 = 0xc000_0100

    static func install() {
        wrmsr(efer, rdmsr(efer) | 1)                                   // SCE
        // SYSRET: CS = 0x23 + 16 = 0x33, SS = 0x23 + 8 = 0x2b; SYSCALL: CS 0x10, SS 0x18.
        wrmsr(star, (UInt64(VMM_SEL_USER32_CS) << 48) | (UInt64(VMM_SEL_KERNEL_CS) << 32))
        wrmsr(lstar, syscall_entry_address())
        wrmsr(sfmask, 0x4_4700)                                        // TF DF IF NT AC, as Linux
    }
}

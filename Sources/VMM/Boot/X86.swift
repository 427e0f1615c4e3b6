import CKVM

/// Every x86 architectural constant the VMM uses, in one place
/// (Intel SDM Vol. 3A: 2.5 control registers, 3.4.5 segment descriptors,
/// 4.5 4-level paging, 7.2.3 TSS descriptor; AMD APM Vol. 2 for EFER).
enum X86 {
    struct CR0: OptionSet {
        let rawValue: UInt64
        static let pe = CR0(rawValue: 1 << 0)   // protection enable
        static let mp = CR0(rawValue: 1 << 1)   // monitor coprocessor
        static let et = CR0(rawValue: 1 << 4)   // extension type
        static let ne = CR0(rawValue: 1 << 5)   // numeric error
        static let wp = CR0(rawValue: 1 << 16)  // write protect in ring 0
        static let pg = CR0(rawValue: 1 << 31)  // paging
    }

    struct CR4: OptionSet {
        let rawValue: UInt64
        static let pse = CR4(rawValue: 1 << 4)
        static let pae = CR4(rawValue: 1 << 5)
        static let pge = CR4(rawValue: 1 << 7)
        static let osfxsr = CR4(rawValue: 1 << 9)
        static let osxmmexcpt = CR4(rawValue: 1 << 10)
        static let la57 = CR4(rawValue: 1 << 12)
    }

    struct EFER: OptionSet {
        let rawValue: UInt64
        static let sce = EFER(rawValue: 1 << 0)  // SYSCALL enable
        static let lme = EFER(rawValue: 1 << 8)  // long mode enable
        static let lma = EFER(rawValue: 1 << 10) // long mode active
        static let nxe = EFER(rawValue: 1 << 11)
    }

    /// Page-table entry bits (SDM 4.5, tables 4-15..4-20).
    struct PTE: OptionSet {
        let rawValue: UInt64
        static let present = PTE(rawValue: 1 << 0)
        static let writable = PTE(rawValue: 1 << 1)
        static let user = PTE(rawValue: 1 << 2)
        static let accessed = PTE(rawValue: 1 << 5)
        static let dirty = PTE(rawValue: 1 << 6)
        static let largePage = PTE(rawValue: 1 << 7)   // PS: 1 GiB in a PDPTE, 2 MiB in a PDE
        static let global = PTE(rawValue: 1 << 8)
        static let noExecute = PTE(rawValue: 1 << 63)
        /// Physical address bits 51:12 of an entry.
        static let addressMask: UInt64 = 0x000f_ffff_ffff_f000
    }

    static let rflagsReserved: UInt64 = 1 << 1   // bit 1 always reads as 1
    static let rflagsIF: UInt64 = 1 << 9         // interrupts enabled (SDM vol. 1, 3.4.3)

    static let pageSize: UInt64 = 4096
    static let largePageSize: UInt64 = 2 << 20
    static let hugePageSize: UInt64 = 1 << 30

    // The fixed low-memory map and selectors come from the shared ABI header.
    static let gdtAddress = UInt64(VMM_GDT_ADDR)
    static let gdtEntries = 16
    static let tssAddress = UInt64(VMM_TSS_ADDR)
    static let tssLimit: UInt32 = 103         // 104-byte 64-bit TSS, no I/O bitmap
    static let bootInfoAddress = UInt64(VMM_BOOT_INFO_ADDR)
    static let bootInfoSize = UInt64(VMM_BOOT_INFO_SIZE)
    static let pml4Address = UInt64(VMM_PML4_ADDR)
    static let pdptLowAddress = UInt64(VMM_PDPT_LOW_ADDR)
    static let pdptHighAddress = UInt64(VMM_PDPT_HIGH_ADDR)
    static let pdAddress = UInt64(VMM_PD_ADDR)
    static let bootStackTop = UInt64(VMM_BOOT_STACK_TOP)
    static let reservedEnd = UInt64(VMM_RESERVED_END)
    static let kernelVirtualBase: UInt64 = 0xffff_ffff_8000_0000
    /// The high-half window maps this much of RAM (PDPT entries 510 and 511).
    static let highHalfWindow: UInt64 = 2 << 30

    static let kernelCS = UInt16(VMM_SEL_KERNEL_CS)
    static let kernelDS = UInt16(VMM_SEL_KERNEL_DS)
    static let user32CS = UInt16(VMM_SEL_USER32_CS)
    static let userDS = UInt16(VMM_SEL_USER_DS)
    static let userCS = UInt16(VMM_SEL_USER_CS)
    static let tssSelector = UInt16(VMM_SEL_TSS)
}

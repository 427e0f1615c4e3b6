/// The boot GDT, with Linux's selector layout (arch/x86/include/asm/segment.h)
/// so a Linux-like kernel can keep it: 0x08 kernel 32-bit code, 0x10 kernel
/// code, 0x18 kernel data, 0x23 user 32-bit code, 0x2b user data, 0x33 user
/// code, 0x40 the TSS (a 16-byte system descriptor).
enum GDT {
    /// Access byte bits (SDM Vol. 3A 3.4.5).
    struct Access: OptionSet {
        let rawValue: UInt8
        static let accessed = Access(rawValue: 1 << 0)
        static let readWrite = Access(rawValue: 1 << 1)   // readable code / writable data
        static let executable = Access(rawValue: 1 << 3)
        static let codeOrData = Access(rawValue: 1 << 4)  // S: not a system descriptor
        static let ring3 = Access(rawValue: 3 << 5)       // DPL 3
        static let present = Access(rawValue: 1 << 7)
    }

    /// Flags nibble: G (4 KiB granularity), D/B (32-bit), L (64-bit code).
    struct Flags: OptionSet {
        let rawValue: UInt8
        static let long = Flags(rawValue: 1 << 1)
        static let size32 = Flags(rawValue: 1 << 2)
        static let granularity4K = Flags(rawValue: 1 << 3)
    }

    /// Encodes an 8-byte code/data segment descriptor.
    static func segment(base: UInt32, limit: UInt32, access: Access, flags: Flags) -> UInt64 {
        var d = UInt64(limit & 0xffff)
        d |= UInt64(base & 0xff_ffff) << 16
        d |= UInt64(access.rawValue) << 40
        d |= UInt64((limit >> 16) & 0xf) << 48
        d |= UInt64(flags.rawValue & 0xf) << 52
        d |= UInt64(base >> 24) << 56
        return d
    }

    /// Encodes a 16-byte 64-bit TSS descriptor (SDM 7.2.3), type 9 = available.
    static func tss(base: UInt64, limit: UInt32) -> (low: UInt64, high: UInt64) {
        var low = UInt64(limit & 0xffff)
        low |= (base & 0xff_ffff) << 16
        low |= UInt64(0x89) << 40                   // present, DPL 0, type 9
        low |= UInt64((limit >> 16) & 0xf) << 48
        low |= ((base >> 24) & 0xff) << 56
        return (low, base >> 32)
    }

    static let kernelCode = segment(base: 0, limit: 0xfffff,
                                    access: [.present, .codeOrData, .executable, .readWrite, .accessed],
                                    flags: [.granularity4K, .long])
    static let kernelCode32 = segment(base: 0, limit: 0xfffff,
                                      access: [.present, .codeOrData, .executable, .readWrite, .accessed],
                                      flags: [.granularity4K, .size32])
    static let kernelData = segment(base: 0, limit: 0xfffff,
                                    access: [.present, .codeOrData, .readWrite, .accessed],
                                    flags: [.granularity4K, .size32])
    static let userCode32 = segment(base: 0, limit: 0xfffff,
                                    access: [.present, .ring3, .codeOrData, .executable, .readWrite, .accessed],
                                    flags: [.granularity4K, .size32])
    static let userData = segment(base: 0, limit: 0xfffff,
                                  access: [.present, .ring3, .codeOrData, .readWrite, .accessed],
                                  flags: [.granularity4K, .size32])
    static let userCode = segment(base: 0, limit: 0xfffff,
                                  access: [.present, .ring3, .codeOrData, .executable, .readWrite, .accessed],
                                  flags: [.granularity4K, .long])

    /// The table's 16 entries, indexed by selector >> 3.
    static func entries() -> [UInt64] {
        var e = [UInt64](repeating: 0, count: X86.gdtEntries)
        e[1] = kernelCode32
        e[Int(X86.kernelCS >> 3)] = kernelCode
        e[Int(X86.kernelDS >> 3)] = kernelData
        e[Int(X86.user32CS >> 3)] = userCode32
        e[Int(X86.userDS >> 3)] = userData
        e[Int(X86.userCS >> 3)] = userCode
        let t = tss(base: X86.tssAddress, limit: X86.tssLimit)
        e[Int(X86.tssSelector >> 3)] = t.low
        e[Int(X86.tssSelector >> 3) + 1] = t.high
        return e
    }
}

/// What is wrong with a Linux bzImage. Each case is one line for the user
/// (exit status 65, as the ELF loader's errors).
enum BzImageError: Error, Equatable, CustomStringConvertible {
    case truncated(String)
    case protocolTooOld(major: UInt8, minor: UInt8)
    case not64Bit
    case notRelocatable
    case badAlignment(UInt32)
    case badSetupSectors(Int)
    case doesNotFit(loadAddress: UInt64, initSize: UInt64, ramSize: UInt64)

    var description: String {
        switch self {
        case .truncated(let what): return "not a valid bzImage: file is truncated (\(what))"
        case .protocolTooOld(let major, let minor):
            return "bzImage boot protocol \(major).\(String(format2: minor)) is older than 2.12, the first with a 64-bit entry point (boot.rst)"
        case .not64Bit: return "bzImage has no 64-bit entry point (XLF_KERNEL_64 clear in xloadflags)"
        case .notRelocatable: return "bzImage is not relocatable (relocatable_kernel = 0): this VMM loads only relocatable kernels"
        case .badAlignment(let a): return "not a valid bzImage: kernel_alignment 0x\(hex(a)) is not a power of two of at least 4 KiB"
        case .badSetupSectors(let n): return "not a valid bzImage: \(n) setup sectors leave no protected-mode kernel in the file"
        case .doesNotFit(let at, let size, let ram):
            return "Linux kernel at 0x\(hex(at)) needs \(size >> 20) MiB (init_size) and does not fit in \(ram >> 20) MiB of RAM: use a larger --memory"
        }
    }
}

private extension String {
    /// Two decimal digits, as boot.rst writes minor versions (2.05).
    init(format2 n: UInt8) { self = n < 10 ? "0\(n)" : "\(n)" }
}

/// A Linux x86 bzImage, parsed by its setup header (Documentation/arch/x86/
/// boot.rst, "The Real-Mode Kernel Header"; offsets are bootparam.h's
/// struct setup_header inside struct boot_params).
struct BzImage: Equatable {
    /// Offsets in the image (and in the zero page, where the header is copied).
    enum Offset {
        static let setupSects = 0x1f1
        static let syssize = 0x1f4
        static let vidMode = 0x1fa
        static let bootFlag = 0x1fe
        static let jump = 0x200
        static let header = 0x202
        static let version = 0x206
        static let typeOfLoader = 0x210
        static let loadflags = 0x211
        static let code32Start = 0x214
        static let ramdiskImage = 0x218
        static let ramdiskSize = 0x21c
        static let cmdLinePtr = 0x228
        static let initrdAddrMax = 0x22c
        static let kernelAlignment = 0x230
        static let relocatableKernel = 0x234
        static let xloadflags = 0x236
        static let cmdlineSize = 0x238
        static let hardwareSubarch = 0x23c
        static let prefAddress = 0x258
        static let initSize = 0x260
    }

    static let bootFlagValue: UInt16 = 0xaa55
    static let headerMagic: UInt32 = 0x5372_6448   // "HdrS"
    static let minimumVersion: UInt16 = 0x020c     // 2.12: xloadflags, XLF_KERNEL_64
    static let xlfKernel64: UInt16 = 1 << 0
    static let loadedHigh: UInt8 = 1 << 0
    /// The 64-bit entry point is this far into the protected-mode kernel (boot.rst, "64-bit Boot Protocol").
    static let entryOffset64: UInt64 = 0x200

    /// The setup header as in the file: bytes 0x1f1 up to 0x202 + the jump's
    /// offset byte at 0x201 (boot.rst: the header's end), copied into the zero page.
    let setupHeader: [UInt8]
    let version: UInt16
    /// File offset of the protected-mode kernel: (setup_sects + 1) * 512, setup_sects 0 meaning 4.
    let kernelOffset: Int
    let kernelSize: Int
    let kernelAlignment: UInt32
    let preferredAddress: UInt64
    let initSize: UInt64
    let initrdAddressMax: UInt32
    /// The longest command line the kernel takes, without its NUL.
    let commandLineMax: Int

    /// Whether `bytes` look like a bzImage at all (boot_flag and "HdrS"),
    /// so that `vmm boot` picks this loader rather than the ELF one.
    static func recognizes(_ bytes: [UInt8]) -> Bool {
        bytes.count >= Offset.header + 4
            && bytes.u16(Offset.bootFlag) == bootFlagValue && bytes.u32(Offset.header) == headerMagic
    }

    init(bytes: [UInt8]) throws {
        guard bytes.count >= Offset.header + 4 else {
            throw BzImageError.truncated("the setup header ends at 0x206, file has \(bytes.count) bytes")
        }
        version = bytes.u16(Offset.version)
        let major = UInt8(version >> 8), minor = UInt8(version & 0xff)
        guard version >= Self.minimumVersion else { throw BzImageError.protocolTooOld(major: major, minor: minor) }
        let headerEnd = Offset.jump + 2 + Int(bytes[Offset.jump + 1])
        guard headerEnd >= Offset.initSize + 4 else {
            throw BzImageError.truncated("protocol \(major).\(minor) header ends at 0x\(hex(UInt64(headerEnd))), before init_size")
        }
        guard bytes.count >= headerEnd else {
            throw BzImageError.truncated("the setup header ends at 0x\(hex(UInt64(headerEnd))), file has \(bytes.count) bytes")
        }
        setupHeader = Array(bytes[Offset.setupSects..<headerEnd])
        guard bytes.u16(Offset.xloadflags) & Self.xlfKernel64 != 0 else { throw BzImageError.not64Bit }
        guard bytes[Offset.relocatableKernel] != 0 else { throw BzImageError.notRelocatable }
        kernelAlignment = bytes.u32(Offset.kernelAlignment)
        guard kernelAlignment >= 4096, kernelAlignment & (kernelAlignment - 1) == 0 else {
            throw BzImageError.badAlignment(kernelAlignment)
        }
        let sects = bytes[Offset.setupSects] == 0 ? 4 : Int(bytes[Offset.setupSects])
        kernelOffset = (sects + 1) * 512
        guard kernelOffset < bytes.count else { throw BzImageError.badSetupSectors(sects) }
        kernelSize = bytes.count - kernelOffset
        // syssize counts 16-byte paragraphs of the protected-mode kernel.
        let declared = UInt64(bytes.u32(Offset.syssize)) * 16
        guard declared <= UInt64(kernelSize) else {
            throw BzImageError.truncated("syssize says \(declared) bytes of kernel, file has \(kernelSize)")
        }
        preferredAddress = bytes.u64(Offset.prefAddress)
        initSize = UInt64(bytes.u32(Offset.initSize))
        initrdAddressMax = bytes.u32(Offset.initrdAddrMax)
        commandLineMax = Int(bytes.u32(Offset.cmdlineSize))
    }

    /// Where the protected-mode kernel goes: its preferred address, rounded
    /// up to kernel_alignment and at least 1 MiB (boot.rst, "relocatable_kernel"
    /// and "pref_address").
    var loadAddress: UInt64 {
        let align = UInt64(kernelAlignment)
        let base = max(preferredAddress, 1 << 20)
        return (base &+ align &- 1) & ~(align - 1)
    }

    /// The kernel decompresses in place within [load, load + init_size):
    /// that range must lie in RAM.
    func validatePlacement(ramSize: UInt64) throws {
        let (end, overflow) = loadAddress.addingReportingOverflow(max(initSize, UInt64(kernelSize)))
        guard !overflow, end <= ramSize, loadAddress >= (1 << 20) else {
            throw BzImageError.doesNotFit(loadAddress: loadAddress, initSize: initSize, ramSize: ramSize)
        }
    }

    var loadEnd: UInt64 { loadAddress + max(initSize, UInt64(kernelSize)) }
    var entry64: UInt64 { loadAddress + Self.entryOffset64 }
}

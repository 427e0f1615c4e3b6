import CKVM

/// Why a Linux kernel cannot be booted here (not the image's fault).
enum LinuxGuestError: Error, Equatable, CustomStringConvertible {
    case softwareKVM(module: String)
    case commandLineTooLong(Int, max: Int)
    case initrdDoesNotFit(size: UInt64, ramSize: UInt64)

    var description: String {
        switch self {
        case .softwareKVM(let m):
            return "Linux cannot run on this KVM: \(m) emulates guest ring 0 and ends the VM on instructions Linux's kernel uses "
                + "(fwait, xsave, popcnt, ...; platform.md); boot it on hardware-assisted KVM (kvm_intel, kvm_amd), e.g. guest-images/nested/nested-kvm.sh"
        case .commandLineTooLong(let n, let max):
            return "command line is \(n) bytes; this kernel takes at most \(max) (cmdline_size)"
        case .initrdDoesNotFit(let size, let ram):
            return "initrd of \(size) bytes does not fit in \(ram >> 20) MiB of RAM above the Linux kernel's init_size: use a larger --memory"
        }
    }
}

/// How a bzImage is laid out in guest RAM and entered (boot.rst, "64-bit
/// Boot Protocol"): the protected-mode kernel at its preferred address, the
/// zero page and command line in the VMM's low memory, the initrd as high as
/// it may go, the MP table at 639 KiB; the vCPU in long mode with the VMM's
/// identity-mapped page tables, __BOOT_CS 0x10 / __BOOT_DS 0x18 (the VMM's
/// GDT has Linux's layout), RSI = zero page, interrupts off.
struct LinuxBoot {
    static let zeroPageAddress = X86.bootInfoAddress
    static let commandLineAddress = X86.bootInfoAddress + UInt64(ZeroPage.size)
    /// The command line's room: the rest of the VMM's boot-info area.
    static let commandLineRoom = Int(X86.bootInfoSize) - ZeroPage.size - 1
    /// KVM_SET_TSS_ADDR's three pages, below the IOAPIC as QEMU places them.
    static let tssAddress: UInt64 = 0xfffb_d000

    let image: BzImage
    let commandLine: [UInt8]
    let initrdAddress: UInt64
    let initrdSize: UInt64

    init(image: BzImage, commandLine: [UInt8], initrdSize: UInt64?, ramSize: UInt64) throws {
        try image.validatePlacement(ramSize: ramSize)
        let max = min(image.commandLineMax, Self.commandLineRoom)
        guard commandLine.count <= max else { throw LinuxGuestError.commandLineTooLong(commandLine.count, max: max) }
        self.image = image
        self.commandLine = commandLine
        if let size = initrdSize {
            // Highest page-aligned place below initrd_addr_max, above the kernel's init_size.
            let top = Swift.min(ramSize, UInt64(image.initrdAddressMax) + 1)
            guard let base = MemoryMap.initrdPlacement(size: size, ramSize: top, kernelEnd: image.loadEnd) else {
                throw LinuxGuestError.initrdDoesNotFit(size: size, ramSize: ramSize)
            }
            initrdAddress = base
            self.initrdSize = size
        } else {
            initrdAddress = 0
            self.initrdSize = 0
        }
    }

    func zeroPage(ramSize: UInt64) -> ZeroPage {
        ZeroPage(image: image, commandLineAddress: Self.commandLineAddress, initrdAddress: initrdAddress,
                 initrdSize: initrdSize, e820: ZeroPage.e820(ramSize: ramSize))
    }

    /// CPUID as KVM reports it, plus two bits KVM_GET_SUPPORTED_CPUID leaves
    /// to the VMM (KVM API doc 4.46), as QEMU sets them: CPUID.1:ECX[31]
    /// "hypervisor", without which Linux never reads KVM's leaves at
    /// 0x40000000 (no kvmclock: it found no TSC frequency and fell back to
    /// jiffies), and ECX[24], the TSC-deadline timer KVM emulates when it
    /// says so (no LAPIC timer calibration).
    static let hypervisorBit: UInt32 = 1 << 31
    static let tscDeadlineBit: UInt32 = 1 << 24

    static func cpuid(_ supported: [kvm_cpuid_entry2], tscDeadline: Bool) -> [kvm_cpuid_entry2] {
        supported.map { e in
            var e = e
            if e.function == 1 { e.ecx |= hypervisorBit | (tscDeadline ? tscDeadlineBit : 0) }
            return e
        }
    }

    /// The MP table's processor entry wants CPUID 1's signature and features.
    static func mpTable(_ cpuid: [kvm_cpuid_entry2]) -> [UInt8] {
        let leaf1 = cpuid.first { $0.function == 1 }
        return MPTable.build(cpuSignature: leaf1?.eax ?? 0x600, cpuFeatures: leaf1?.edx ?? 0x201)
    }

    static func registers(entry: UInt64) -> kvm_regs {
        var r = LongMode.registers(entry: entry)
        r.rdi = 0
        r.rsi = zeroPageAddress
        return r
    }
}

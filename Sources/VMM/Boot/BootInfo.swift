import CKVM

/// Writes `struct vmm_boot_info` (vmm_guest_abi.h) into guest RAM. Field
/// offsets come from the C header through MemoryLayout, so the layout is
/// defined in exactly one place.
struct BootInfo: Equatable {
    var flags: UInt64 = 0
    var ramSize: UInt64
    var tscKHz: UInt64 = 0
    var realtimeNanos: UInt64 = 0
    var initrdAddress: UInt64 = 0
    var initrdSize: UInt64 = 0
    var commandLine: [UInt8] = []
    var memoryMap: MemoryMap

    static let maxCommandLine = Int(VMM_CMDLINE_MAX) - 1   // room for the NUL
    static let maxMapEntries = Int(VMM_MEMMAP_MAX)

    enum Flag {
        static let preallocated = UInt64(VMM_BOOT_FLAG_PREALLOCATED)
        static let hugePages = UInt64(VMM_BOOT_FLAG_HUGEPAGES)
        static let touchRAM = UInt64(VMM_BOOT_FLAG_TOUCH_RAM)
        static let stage2Warm = UInt64(VMM_BOOT_FLAG_STAGE2_WARM)
        static let softwareKVM = UInt64(VMM_BOOT_FLAG_SOFTWARE_KVM)
        static let irqchip = UInt64(VMM_BOOT_FLAG_IRQCHIP)
    }

    /// The bytes of the record, exactly as the guest reads them.
    func encode() -> [UInt8] {
        var info = vmm_boot_info()
        info.magic = VMM_BOOT_MAGIC
        info.abi_version = UInt32(VMM_ABI_VERSION)
        info.size = UInt32(MemoryLayout<vmm_boot_info>.size)
        info.flags = flags
        info.ram_size = ramSize
        info.tsc_khz = tscKHz
        info.realtime_ns = realtimeNanos
        info.initrd_addr = initrdAddress
        info.initrd_size = initrdSize
        let cmdlineOffset = MemoryLayout<vmm_boot_info>.offset(of: \vmm_boot_info.cmdline)!
        info.cmdline_addr = X86.bootInfoAddress + UInt64(cmdlineOffset)
        let cmdline = commandLine.prefix(Self.maxCommandLine)
        info.cmdline_size = UInt32(cmdline.count)
        // Machine refuses a map with more entries (BootError.memoryMapTooLarge),
        // so this prefix never drops one there.
        let entries = memoryMap.entries.prefix(Self.maxMapEntries)
        info.memmap_count = UInt32(entries.count)

        var bytes = withUnsafeBytes(of: info) { Array($0) }
        let mapOffset = MemoryLayout<vmm_boot_info>.offset(of: \vmm_boot_info.memmap)!
        let entrySize = MemoryLayout<vmm_memmap_entry>.stride
        for (i, e) in entries.enumerated() {
            let entry = vmm_memmap_entry(base: e.base, size: e.size, type: e.kind.rawValue, reserved: 0)
            withUnsafeBytes(of: entry) { raw in
                bytes.replaceSubrange((mapOffset + i * entrySize)..<(mapOffset + (i + 1) * entrySize), with: raw)
            }
        }
        bytes.replaceSubrange(cmdlineOffset..<(cmdlineOffset + cmdline.count), with: cmdline)
        bytes[cmdlineOffset + cmdline.count] = 0
        return bytes
    }
}

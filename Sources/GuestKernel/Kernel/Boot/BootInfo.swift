import KernelSupport

/// What the kernel keeps from the VMM's boot-info record (vmm_guest_abi.h),
/// copied out once at boot after validation.
struct BootParameters {
    var flags: UInt64 = 0
    var ramSize: UInt64 = 0
    var tscKHz: UInt64 = 0
    var realtimeNanos: UInt64 = 0
    var initrdAddress: UInt64 = 0
    var initrdSize: UInt64 = 0
    var cmdlineAddress: UInt64 = 0   // physical
    var cmdlineSize: Int = 0

    /// Validates magic, ABI version and size before trusting any other field.
    static func read(physical: UInt64) -> BootParameters? {
        guard physical != 0, physical & 7 == 0,
              let info = UnsafePointer<vmm_boot_info>(bitPattern: UInt(physical)) else { return nil }
        let bi = info.pointee
        guard bi.magic == VMM_BOOT_MAGIC, bi.abi_version == VMM_ABI_VERSION,
              bi.size == UInt32(MemoryLayout<vmm_boot_info>.size),
              bi.memmap_count <= UInt32(VMM_MEMMAP_MAX),
              bi.cmdline_size < UInt32(VMM_CMDLINE_MAX) else { return nil }
        var p = BootParameters()
        p.flags = bi.flags
        p.ramSize = bi.ram_size
        p.tscKHz = bi.tsc_khz
        p.realtimeNanos = bi.realtime_ns
        if bi.initrd_size > 0, bi.initrd_addr < bi.ram_size, bi.initrd_size <= bi.ram_size &- bi.initrd_addr {
            p.initrdAddress = bi.initrd_addr
            p.initrdSize = bi.initrd_size
        }
        p.cmdlineAddress = physical + UInt64(MemoryLayout<vmm_boot_info>.offset(of: \vmm_boot_info.cmdline) ?? 0)
        p.cmdlineSize = Int(bi.cmdline_size)
        return p
    }

    func has(_ flag: UInt32) -> Bool { flags & UInt64(flag) != 0 }
}

/// Iterates the memory map of the boot-info record at `physical` (identity-mapped at boot).
func forEachMemoryRange(bootInfo physical: UInt64, _ body: (UInt64, UInt64, UInt32) -> Void) {
    guard let info = UnsafePointer<vmm_boot_info>(bitPattern: UInt(physical)) else { return }
    let count = Int(min(info.pointee.memmap_count, UInt32(VMM_MEMMAP_MAX)))
    withUnsafePointer(to: info.pointee.memmap) { t in
        t.withMemoryRebound(to: vmm_memmap_entry.self, capacity: Int(VMM_MEMMAP_MAX)) { e in
            for i in 0..<count { body(e[i].base, e[i].size, e[i].type) }
        }
    }
}

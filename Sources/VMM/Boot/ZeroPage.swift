/// The zero page (struct boot_params, arch/x86/include/uapi/asm/bootparam.h;
/// Documentation/arch/x86/zero-page.rst) a boot loader hands a Linux kernel
/// entered through the 64-bit boot protocol, with the setup header copied
/// from the bzImage and the loader's fields filled in (boot.rst, "Details
/// of Header Fields").
struct ZeroPage: Equatable {
    enum Offset {
        static let extRamdiskImage = 0x0c0
        static let extRamdiskSize = 0x0c4
        static let extCmdLinePtr = 0x0c8
        static let e820Entries = 0x1e8
        static let e820Table = 0x2d0
    }

    static let size = 4096
    static let e820Max = 128          // E820_MAX_ENTRIES_ZEROPAGE
    static let e820EntrySize = 20     // struct boot_e820_entry: addr, size (u64), type (u32), packed
    static let loaderUndefined: UInt8 = 0xff   // type_of_loader: "no assigned ID"
    static let vidModeNormal: UInt16 = 0xffff  // vid_mode: "normal" text mode (boot.rst)

    /// One e820 range (type 1 = RAM, 2 = reserved).
    struct E820Entry: Equatable {
        var address: UInt64
        var size: UInt64
        var type: UInt32
        static let ram: UInt32 = 1
        static let reserved: UInt32 = 2
    }

    var image: BzImage
    var commandLineAddress: UInt64
    var initrdAddress: UInt64 = 0
    var initrdSize: UInt64 = 0
    var e820: [E820Entry]

    /// The PC memory map Linux expects of RAM [0, ramSize): conventional
    /// memory below the EBDA at 639 KiB, the BIOS hole [0x9fc00, 1 MiB)
    /// reserved (it holds the MP table and, from 0xe0000, the ACPI tables),
    /// RAM from 1 MiB. The VMM's own structures below 0x80000 are RAM to
    /// Linux: it copies the zero page and command line early and builds its
    /// own page tables.
    static func e820(ramSize: UInt64) -> [E820Entry] {
        [E820Entry(address: 0, size: MPTable.address, type: E820Entry.ram),
         E820Entry(address: MPTable.address, size: (1 << 20) - MPTable.address, type: E820Entry.reserved),
         E820Entry(address: 1 << 20, size: ramSize - (1 << 20), type: E820Entry.ram)]
    }

    func encode() -> [UInt8] {
        var page = [UInt8](repeating: 0, count: Self.size)
        page.replaceSubrange(BzImage.Offset.setupSects..<(BzImage.Offset.setupSects + image.setupHeader.count),
                             with: image.setupHeader)
        typealias H = BzImage.Offset
        page.put16(Self.vidModeNormal, at: H.vidMode)
        page[H.typeOfLoader] = Self.loaderUndefined
        page[H.loadflags] |= BzImage.loadedHigh
        page.put32(UInt32(truncatingIfNeeded: image.loadAddress), at: H.code32Start)
        page.put32(UInt32(truncatingIfNeeded: initrdAddress), at: H.ramdiskImage)
        page.put32(UInt32(truncatingIfNeeded: initrdSize), at: H.ramdiskSize)
        page.put32(UInt32(truncatingIfNeeded: initrdAddress >> 32), at: Offset.extRamdiskImage)
        page.put32(UInt32(truncatingIfNeeded: initrdSize >> 32), at: Offset.extRamdiskSize)
        page.put32(UInt32(truncatingIfNeeded: commandLineAddress), at: H.cmdLinePtr)
        page.put32(UInt32(truncatingIfNeeded: commandLineAddress >> 32), at: Offset.extCmdLinePtr)
        page.put32(0, at: H.hardwareSubarch)        // X86_SUBARCH_PC
        let entries = e820.prefix(Self.e820Max)
        page[Offset.e820Entries] = UInt8(entries.count)
        for (i, e) in entries.enumerated() {
            let o = Offset.e820Table + i * Self.e820EntrySize
            page.put64(e.address, at: o)
            page.put64(e.size, at: o + 8)
            page.put32(e.type, at: o + 16)
        }
        return page
    }
}

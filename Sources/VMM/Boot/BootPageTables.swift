/// The page tables the guest starts with (SDM Vol. 3A 4.5, 4-level paging):
/// all RAM identity-mapped with 2 MiB pages, and the first 2 GiB of RAM
/// mapped again at 0xffffffff80000000, where Linux-style kernels link.
///
/// PML4[0]   -> PDPT_LOW,  PDPT_LOW[i]  -> PD_i (GiB i of RAM)
/// PML4[511] -> PDPT_HIGH, PDPT_HIGH[510] -> PD_0, [511] -> PD_1
enum BootPageTables {
    /// At most this much RAM: one PD page per GiB must fit below the boot
    /// stack in the fixed low-memory map.
    static let maxRAM: UInt64 = 64 << 30

    struct Page: Equatable {
        let address: UInt64
        var entries: [UInt64]
    }

    static func pdCount(ramSize: UInt64) -> Int {
        Int((ramSize + X86.hugePageSize - 1) / X86.hugePageSize)
    }

    /// Address just past the last PD page.
    static func end(ramSize: UInt64) -> UInt64 {
        X86.pdAddress + UInt64(pdCount(ramSize: ramSize)) * X86.pageSize
    }

    /// Builds every table page. `ramSize` is a multiple of 2 MiB, <= maxRAM.
    static func build(ramSize: UInt64) -> [Page] {
        let table: X86.PTE = [.present, .writable]
        let leaf: X86.PTE = [.present, .writable, .largePage]
        var pml4 = Page(address: X86.pml4Address, entries: .init(repeating: 0, count: 512))
        var low = Page(address: X86.pdptLowAddress, entries: .init(repeating: 0, count: 512))
        var high = Page(address: X86.pdptHighAddress, entries: .init(repeating: 0, count: 512))
        pml4.entries[0] = X86.pdptLowAddress | table.rawValue
        pml4.entries[511] = X86.pdptHighAddress | table.rawValue

        var pds: [Page] = []
        let largePages = ramSize / X86.largePageSize
        for i in 0..<pdCount(ramSize: ramSize) {
            let pdAddress = X86.pdAddress + UInt64(i) * X86.pageSize
            var pd = Page(address: pdAddress, entries: .init(repeating: 0, count: 512))
            for j in 0..<512 {
                let n = UInt64(i) * 512 + UInt64(j)
                guard n < largePages else { break }
                pd.entries[j] = n * X86.largePageSize | leaf.rawValue
            }
            low.entries[i] = pdAddress | table.rawValue
            if i < 2 { high.entries[510 + i] = pdAddress | table.rawValue }
            pds.append(pd)
        }
        return [pml4, low, high] + pds
    }

    /// Where the boot tables send a virtual address (nil: not mapped).
    static func translate(virtual: UInt64, ramSize: UInt64) -> UInt64? {
        if virtual < ramSize { return virtual }
        if virtual >= X86.kernelVirtualBase {
            let physical = virtual - X86.kernelVirtualBase
            if physical < min(ramSize, X86.highHalfWindow) { return physical }
        }
        return nil
    }
}

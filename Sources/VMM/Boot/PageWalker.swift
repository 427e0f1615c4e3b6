/// Translates a guest virtual address by walking the guest's own 4-level page
/// tables in guest RAM (SDM Vol. 3A 4.5), for register dumps. Every table
/// read goes through GuestMemory's checks, so a corrupt CR3 or entry gives nil.
enum PageWalker {
    static func translate(_ virtual: UInt64, cr0: UInt64, cr3: UInt64, cr4: UInt64,
                          efer: UInt64, memory: GuestMemory) -> UInt64? {
        guard cr0 & X86.CR0.pg.rawValue != 0 else { return virtual }      // paging off
        guard efer & X86.EFER.lma.rawValue != 0,
              cr4 & X86.CR4.la57.rawValue == 0 else { return nil }        // 4-level only
        var table = cr3 & X86.PTE.addressMask
        let shifts: [UInt64] = [39, 30, 21, 12]
        for (level, shift) in shifts.enumerated() {
            let index = (virtual >> shift) & 511
            guard let entry = try? memory.read(UInt64.self, at: table + index * 8),
                  entry & X86.PTE.present.rawValue != 0 else { return nil }
            let isLeaf = level == 3 || ((level == 1 || level == 2) && entry & X86.PTE.largePage.rawValue != 0)
            if isLeaf {
                let pageMask = (UInt64(1) << shift) - 1
                return (entry & X86.PTE.addressMask & ~pageMask) | (virtual & pageMask)
            }
            table = entry & X86.PTE.addressMask
        }
        return nil
    }
}

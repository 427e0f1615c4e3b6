import CKVM

/// The guest's view of its RAM, handed over in the boot info: what the VMM
/// used, where the kernel and initrd are, what is free.
struct MemoryMap: Equatable {
    enum Kind: UInt32 {
        // Values of VMM_MEM_* in vmm_guest_abi.h.
        case free = 1, vmm = 2, kernel = 3, initrd = 4
    }

    struct Entry: Equatable {
        var base: UInt64
        var size: UInt64
        var kind: Kind
        var end: UInt64 { base + size }
    }

    private(set) var entries: [Entry]

    /// Builds the map: [0, reservedEnd) is the VMM's; kernel segments and the
    /// initrd are rounded out to whole pages; every gap is free. Inputs are
    /// already validated to lie in RAM and not to overlap.
    init(ramSize: UInt64, kernel: [(base: UInt64, size: UInt64)], initrd: (base: UInt64, size: UInt64)?) {
        var used: [Entry] = [Entry(base: 0, size: X86.reservedEnd, kind: .vmm)]
        for k in kernel {
            let start = k.base & ~(X86.pageSize - 1)
            let end = min(ramSize, (k.base + k.size + X86.pageSize - 1) & ~(X86.pageSize - 1))
            used.append(Entry(base: start, size: end - start, kind: .kernel))
        }
        if let i = initrd, i.size > 0 {
            let end = min(ramSize, (i.base + i.size + X86.pageSize - 1) & ~(X86.pageSize - 1))
            used.append(Entry(base: i.base, size: end - i.base, kind: .initrd))
        }
        used.sort { $0.base < $1.base }
        // Merge touching kernel pages (two segments sharing a page).
        var merged: [Entry] = []
        for e in used {
            if var last = merged.last, last.kind == e.kind, e.base <= last.end {
                last.size = max(last.end, e.end) - last.base
                merged[merged.count - 1] = last
            } else {
                merged.append(e)
            }
        }
        var all: [Entry] = []
        var cursor: UInt64 = 0
        for e in merged {
            if e.base > cursor { all.append(Entry(base: cursor, size: e.base - cursor, kind: .free)) }
            all.append(e)
            cursor = max(cursor, e.end)
        }
        if cursor < ramSize { all.append(Entry(base: cursor, size: ramSize - cursor, kind: .free)) }
        entries = all
    }

    /// Where an initrd of `size` bytes goes: the highest page-aligned address
    /// where it fits in RAM above the kernel (as Linux boot loaders place it).
    /// nil when it does not fit.
    static func initrdPlacement(size: UInt64, ramSize: UInt64, kernelEnd: UInt64) -> UInt64? {
        guard size <= ramSize else { return nil }
        let base = (ramSize - size) & ~(X86.pageSize - 1)
        let floor = max(kernelEnd, X86.reservedEnd)
        return base >= floor ? base : nil
    }
}

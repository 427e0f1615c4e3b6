import KernelSupport

/// Loads a static x86_64 ELF (ET_EXEC, or static-PIE ET_DYN at `ElfHeaders.pieBase`) into
/// a process's address space (System V gABI, "Program Loading"). Pages of
/// read-only segments whose bytes sit page-aligned in the initrd are mapped in
/// place (PageTable.borrowed), as Linux maps a file; other file bytes (and a
/// tmpfs file's: ElfSource) are copied with 8-byte string ops into fresh
/// (already zero) frames. bss and the rest of
/// the areas stay demand-zero, so nothing is zeroed here.
enum ElfLoader {
    static let userLimit = PageTable.userTop - Process.stackSize - Physical.pageSize

    static func load(_ source: ElfSource, into p: UnsafeMutablePointer<Process>) -> (LoadedImage?, ElfError?) {
        guard let file = source.headers else { return (nil, .notELF) }
        let borrowable = source.physical
        let raw = UnsafeRawPointer(file)
        func u32(_ o: Int) -> UInt64 { UInt64(raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: o, as: UInt64.self) }

        // Validate every header before mapping anything (ElfHeaders.swift).
        let (layout, error) = ElfHeaders.validate(file, size: source.size, userLimit: userLimit)
        guard let layout else { return (nil, error) }
        let img = layout.image, bias = layout.bias, phoff = layout.phoff, phnum = img.phnum

        for i in 0..<Int(phnum) {
            let h = Int(phoff) + i * 56
            guard u32(h) == 1 else { continue }
            let flags = u32(h + 4), off = u64(h + 8), va = u64(h + 16) &+ bias
            let filesz = u64(h + 32), memsz = u64(h + 40)
            let prot = UInt32((flags & 4 != 0 ? Prot.read : 0) | (flags & 2 != 0 ? Prot.write : 0) | (flags & 1 != 0 ? Prot.exec : 0))
            let start = pageDown(va)
            guard let end = pageUp(va + memsz) else { return (nil, .badSegment) }
            // Areas of segments sharing a page are merged into the first one's page.
            let free0 = p.pointee.vmas.find(start) == nil ? start : start + Physical.pageSize
            if free0 < end {
                if p.pointee.vmas.overlaps(free0, end) { return (nil, .badSegment) }
                guard p.pointee.vmas.insert(VMA(start: free0, end: end, prot: prot)) else { return (nil, .noMemory) }
            } else if let j = p.pointee.vmas.find(start) {
                p.pointee.vmas.items[j].prot |= prot
            }
            // File bytes: [va, va + filesz), mapped in place or copied page by page.
            var a = va
            let fileEnd = va + filesz
            // The pages that may be the initrd's own: read-only, the file's bytes
            // page-aligned as the segment's, and whole (or the segment has no bss).
            var borrowEnd: UInt64 = 0
            if let filePhysical = borrowable, prot & Prot.write == 0, (filePhysical &+ off) & 0xfff == va & 0xfff {
                borrowEnd = filesz == memsz ? end : pageDown(fileEnd)
            }
            while a < fileEnd {
                let page = pageDown(a)
                if page < borrowEnd, let filePhysical = borrowable,
                   let s = PageTable.slot(p.pointee.pml4, page, create: true), s.pointee == 0 {
                    // This page and the empty ones after it in the same page table,
                    // one entry each (a walk per page cost ~150 instructions a page).
                    var slot = s, pg = page
                    let stop = min(borrowEnd, (page | (FrameAllocator.hugeSize - 1)) + 1)
                    var e = (filePhysical &+ off &+ (page &- va)) | PTE.present | PTE.user | PageTable.borrowed
                    repeat {
                        slot.pointee = e                    // the frame is page-aligned: the next is +4 KiB
                        e &+= Physical.pageSize
                        pg += Physical.pageSize
                        slot += 1
                    } while pg < stop && slot.pointee == 0
                    BootStats.borrowedPages &+= (pg - page) / Physical.pageSize
                    a = pg
                    continue
                }
                let n = min(fileEnd - a, page + Physical.pageSize - a)
                var entry = PageTable.lookup(p.pointee.pml4, page)
                if entry & PageTable.borrowed != 0 {
                    guard let s = PageTable.slot(p.pointee.pml4, page, create: false),
                          PageTable.privatize(s, page) else { return (nil, .noMemory) }
                    entry = s.pointee
                }
                if entry == 0 {
                    guard let frame = FrameAllocator.allocate() else { return (nil, .noMemory) }
                    guard PageTable.map(p.pointee.pml4, page, frame, writable: prot & Prot.write != 0) else { return (nil, .noMemory) }
                    entry = frame | PTE.present
                } else if prot & Prot.write != 0, let s = PageTable.slot(p.pointee.pml4, page, create: false) {
                    s.pointee |= PTE.writable
                }
                let dst = Physical.bytes((entry & PTE.addressMask) + (a - page))
                source.copy(to: dst, from: off + (a - va), count: Int(n))
                BootStats.copiedBytes &+= n
                a += n
            }
        }
        return (img, nil)
    }
}

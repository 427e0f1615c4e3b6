import KernelSupport

/// Loads a static x86_64 ELF (ET_EXEC, or static-PIE ET_DYN at `pieBase`) into
/// a process's address space (System V gABI, "Program Loading"). Pages of
/// read-only segments whose bytes sit page-aligned in the initrd are mapped in
/// place (PageTable.borrowed), as Linux maps a file; other file bytes are copied
/// with 8-byte string ops into fresh (already zero) frames. bss and the rest of
/// the areas stay demand-zero, so nothing is zeroed here.
struct LoadedImage {
    var entry: UInt64 = 0
    var phdr: UInt64 = 0
    var phnum: UInt64 = 0
    var phent: UInt64 = 56
    var base: UInt64 = 0          // load bias (ET_DYN), 0 for ET_EXEC
    var end: UInt64 = 0           // highest segment end: brk starts above
}

enum ElfError {
    case notELF, unsupported, dynamic, badSegment, noMemory
}

enum ElfLoader {
    static let pieBase: UInt64 = 0x5555_5555_4000   // Linux's ELF_ET_DYN_BASE for x86_64

    static func load(_ file: UnsafePointer<UInt8>, size: Int, into p: UnsafeMutablePointer<Process>) -> (LoadedImage?, ElfError?) {
        let filePhysical = UInt64(UInt(bitPattern: file)) &- Physical.offset
        let raw = UnsafeRawPointer(file)
        func u16(_ o: Int) -> UInt64 { UInt64(raw.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
        func u32(_ o: Int) -> UInt64 { UInt64(raw.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: o, as: UInt64.self) }

        guard size >= 64, file[0] == 0x7f, file[1] == 0x45, file[2] == 0x4c, file[3] == 0x46 else { return (nil, .notELF) }
        guard file[4] == 2, file[5] == 1, u16(18) == 62 else { return (nil, .unsupported) }   // ELFCLASS64, LSB, EM_X86_64
        let type = u16(16)
        guard type == 2 || type == 3 else { return (nil, .unsupported) }
        let phoff = u64(32), phentsize = u16(54), phnum = u16(56)
        guard phentsize == 56, phnum > 0, phnum <= 64, phoff <= UInt64(size),
              phnum * 56 <= UInt64(size) - phoff else { return (nil, .badSegment) }
        let bias: UInt64 = type == 3 ? pieBase : 0
        var img = LoadedImage()
        img.base = 0   // no interpreter: AT_BASE is 0 for static and static-PIE programs
        img.phnum = phnum
        var lowest = UInt64.max
        var phdrVaddr: UInt64? = nil

        // Validate every header before mapping anything.
        for i in 0..<Int(phnum) {
            let h = Int(phoff) + i * 56
            let ptype = u32(h)
            if ptype == 3 { return (nil, .dynamic) }                        // PT_INTERP
            if ptype == 6 { phdrVaddr = u64(h + 16) }                       // PT_PHDR
            guard ptype == 1 else { continue }                              // PT_LOAD
            let off = u64(h + 8), va = u64(h + 16), filesz = u64(h + 32), memsz = u64(h + 40)
            guard filesz <= memsz, off <= UInt64(size), filesz <= UInt64(size) - off,
                  va & 0xfff == off & 0xfff else { return (nil, .badSegment) }
            let (start, o1) = va.addingReportingOverflow(bias)
            let (end, o2) = start.addingReportingOverflow(memsz)
            guard !o1, !o2, start >= Physical.pageSize, end <= PageTable.userTop - Process.stackSize - Physical.pageSize else {
                return (nil, .badSegment)
            }
            if off == 0 { lowest = min(lowest, va) }
            img.end = max(img.end, end)
        }
        guard img.end > 0 else { return (nil, .badSegment) }

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
            // File bytes: [va, va + filesz) copied page by page.
            var a = va
            let fileEnd = va + filesz
            while a < fileEnd {
                let page = pageDown(a)
                let n = min(fileEnd - a, page + Physical.pageSize - a)
                var entry = PageTable.lookup(p.pointee.pml4, page)
                let filePage = filePhysical &+ off &+ (page &- va)    // meaningful when congruent
                if entry == 0, prot & Prot.write == 0, (filePhysical &+ off) & 0xfff == va & 0xfff,
                   filesz == memsz || page + Physical.pageSize <= fileEnd,
                   let s = PageTable.slot(p.pointee.pml4, page, create: true) {
                    s.pointee = filePage | PTE.present | PTE.user | PageTable.borrowed
                    BootStats.borrowedPages &+= 1
                    a = page + Physical.pageSize
                    continue
                }
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
                copyBytes(dst, file + Int(off + (a - va)), Int(n))
                BootStats.copiedBytes &+= n
                a += n
            }
        }
        img.entry = u64(24) &+ bias
        if let pv = phdrVaddr { img.phdr = pv &+ bias }
        else if lowest != UInt64.max { img.phdr = lowest &+ phoff &+ bias }
        return (img, nil)
    }
}

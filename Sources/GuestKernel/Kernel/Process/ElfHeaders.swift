/// The pure half of the ELF loader (ElfLoader.swift): checks a static x86_64
/// ELF's file header and program headers against the file's size and the user
/// address range (System V gABI, "ELF Header" and "Program Header") and
/// computes what the process will be told (entry, AT_PHDR, AT_PHNUM, brk's
/// start), touching no memory but the file's bytes. Kept apart from the
/// mapping so the host test target compiles it (Tests/VMMTests/KernelShared).
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

/// A validated image: what to tell the process, the load bias and where the
/// program headers are in the file.
struct ElfLayout {
    var image: LoadedImage
    var bias: UInt64
    var phoff: UInt64
}

enum ElfHeaders {
    static let pieBase: UInt64 = 0x5555_5555_4000   // Linux's ELF_ET_DYN_BASE for x86_64

    /// Validates every header of `file[0..<size]` before anything is mapped:
    /// PT_LOAD segments must lie in the file, have filesz <= memsz, congruent
    /// offset and address, and (after the bias) lie in [one page, userLimit).
    static func validate(_ file: UnsafePointer<UInt8>, size: Int, userLimit: UInt64) -> (ElfLayout?, ElfError?) {
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
            guard !o1, !o2, start >= Physical.pageSize, end <= userLimit else {
                return (nil, .badSegment)
            }
            if off == 0 { lowest = min(lowest, va) }
            img.end = max(img.end, end)
        }
        guard img.end > 0 else { return (nil, .badSegment) }

        img.entry = u64(24) &+ bias
        if let pv = phdrVaddr { img.phdr = pv &+ bias }
        else if lowest != UInt64.max { img.phdr = lowest &+ phoff &+ bias }
        return (ElfLayout(image: img, bias: bias, phoff: phoff), nil)
    }
}

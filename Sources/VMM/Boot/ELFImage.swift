import CKVM

/// What is wrong with a kernel image. Each case is one line for the user.
enum ELFError: Error, Equatable, CustomStringConvertible {
    case truncated(String)
    case notELF
    case not64Bit
    case notLittleEndian
    case badVersion
    case notX86_64(machine: UInt16)
    case notExecutable(type: UInt16)
    case badProgramHeaderSize(UInt16)
    case noLoadableSegments
    case fileSizeExceedsMemorySize(segment: Int)
    case segmentBeyondFile(segment: Int)
    case sizeOverflow(segment: Int)
    case segmentOutsideRAM(segment: Int, start: UInt64, end: UInt64, ramSize: UInt64)
    case segmentOverlapsVMM(segment: Int, start: UInt64)
    case segmentsOverlap(Int, Int)
    case entryNotExecutable(entry: UInt64)
    case entryNotMapped(entry: UInt64)

    var description: String {
        switch self {
        case .truncated(let what): return "not a valid kernel: file is truncated (\(what))"
        case .notELF: return "not a valid kernel: not an ELF file (bad magic)"
        case .not64Bit: return "not a valid kernel: 32-bit ELF (ELFCLASS32); an ELF64 x86_64 image is required"
        case .notLittleEndian: return "not a valid kernel: big-endian ELF"
        case .badVersion: return "not a valid kernel: unknown ELF version"
        case .notX86_64(let m): return "not a valid kernel: ELF machine \(m) is not x86_64 (62)"
        case .notExecutable(let t):
            let name = t == 1 ? "ET_REL" : t == 3 ? "ET_DYN" : t == 4 ? "ET_CORE" : "type \(t)"
            return "not a valid kernel: \(name) ELF; an ET_EXEC image is required"
        case .badProgramHeaderSize(let s): return "not a valid kernel: program header entry size \(s) (expected 56)"
        case .noLoadableSegments: return "not a valid kernel: no PT_LOAD segment"
        case .fileSizeExceedsMemorySize(let i): return "not a valid kernel: segment \(i) has p_filesz > p_memsz"
        case .segmentBeyondFile(let i): return "not a valid kernel: segment \(i) file range lies beyond the end of the file"
        case .sizeOverflow(let i): return "not a valid kernel: segment \(i) address + size overflows"
        case .segmentOutsideRAM(let i, let s, let e, let r):
            return "kernel segment \(i) [0x\(hex(s)), 0x\(hex(e))) lies outside guest RAM (\(r / (1 << 20)) MiB): use a larger --memory"
        case .segmentOverlapsVMM(let i, let s):
            return "kernel segment \(i) at 0x\(hex(s)) overlaps the VMM's boot structures below 0x\(hex(X86.reservedEnd))"
        case .segmentsOverlap(let a, let b): return "not a valid kernel: segments \(a) and \(b) overlap"
        case .entryNotExecutable(let e): return "not a valid kernel: entry point 0x\(hex(e)) is not inside an executable segment"
        case .entryNotMapped(let e):
            return "kernel entry point 0x\(hex(e)) is not mapped by the boot page tables (identity or 0xffffffff80000000 + physical)"
        }
    }
}

/// A validated ELF64 x86_64 ET_EXEC image: what to copy where, and where to start.
struct ELFImage: Equatable {
    struct Segment: Equatable {
        let index: Int
        let physicalAddress: UInt64
        let virtualAddress: UInt64
        let fileOffset: UInt64
        let fileSize: UInt64
        let memorySize: UInt64
        let flags: UInt32
        var isExecutable: Bool { flags & 1 != 0 }      // PF_X
        var physicalEnd: UInt64 { physicalAddress + memorySize }  // checked at parse
    }

    let entry: UInt64
    let segments: [Segment]     // PT_LOAD with p_memsz > 0, in file order
    /// VMM_FEATURE_* bits of the kernel's "VMM" note (0 without one).
    let features: UInt32

    static let ptLoad: UInt32 = 1
    static let ptNote: UInt32 = 4

    /// Parses the headers (ELF-64 Object File Format, version 1.5; System V
    /// gABI ch. 4-5). Checks only what is intrinsic to the file; placement in
    /// guest RAM is `validatePlacement`.
    init(bytes: [UInt8]) throws {
        guard bytes.count >= 4 else { throw ELFError.truncated("\(bytes.count) bytes") }
        guard bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46 else { throw ELFError.notELF }
        guard bytes.count >= 64 else { throw ELFError.truncated("ELF header needs 64 bytes, file has \(bytes.count)") }
        guard bytes[4] == 2 else { throw ELFError.not64Bit }            // EI_CLASS = ELFCLASS64
        guard bytes[5] == 1 else { throw ELFError.notLittleEndian }     // EI_DATA = ELFDATA2LSB
        guard bytes[6] == 1 else { throw ELFError.badVersion }          // EI_VERSION = EV_CURRENT
        let machine = bytes.u16(18)
        guard machine == 62 else { throw ELFError.notX86_64(machine: machine) }   // EM_X86_64
        let type = bytes.u16(16)
        guard type == 2 else { throw ELFError.notExecutable(type: type) }         // ET_EXEC
        let phoff = bytes.u64(32), phentsize = bytes.u16(54), phnum = Int(bytes.u16(56))
        guard phentsize == 56 else { throw ELFError.badProgramHeaderSize(phentsize) }
        let fileSize = UInt64(bytes.count)
        guard phoff <= fileSize, UInt64(phnum) * 56 <= fileSize - phoff else {
            throw ELFError.truncated("program headers lie beyond the end of the file")
        }

        var segments: [Segment] = []
        var features: UInt32 = 0
        for i in 0..<phnum {
            let h = Int(phoff) + i * 56
            if bytes.u32(h) == Self.ptNote {
                let offset = bytes.u64(h + 8), size = bytes.u64(h + 32)
                guard offset <= fileSize, size <= fileSize - offset else { throw ELFError.segmentBeyondFile(segment: i) }
                features |= Self.vmmFeatures(bytes, from: Int(offset), to: Int(offset + size))
            }
            guard bytes.u32(h) == Self.ptLoad else { continue }
            let s = Segment(index: i, physicalAddress: bytes.u64(h + 24), virtualAddress: bytes.u64(h + 16),
                            fileOffset: bytes.u64(h + 8), fileSize: bytes.u64(h + 32), memorySize: bytes.u64(h + 40),
                            flags: bytes.u32(h + 4))
            guard s.fileSize <= s.memorySize else { throw ELFError.fileSizeExceedsMemorySize(segment: i) }
            guard s.fileOffset <= fileSize, s.fileSize <= fileSize - s.fileOffset else {
                throw ELFError.segmentBeyondFile(segment: i)
            }
            let (_, o1) = s.physicalAddress.addingReportingOverflow(s.memorySize)
            let (_, o2) = s.virtualAddress.addingReportingOverflow(s.memorySize)
            guard !o1, !o2 else { throw ELFError.sizeOverflow(segment: i) }
            if s.memorySize > 0 { segments.append(s) }
        }
        guard !segments.isEmpty else { throw ELFError.noLoadableSegments }
        // Sorted by start, a segment overlaps an earlier one exactly when it
        // starts before the furthest end so far: O(n log n), where comparing
        // every pair took 311 s for 65,535 program headers.
        var furthest: Segment?
        for s in segments.sorted(by: { ($0.physicalAddress, $0.index) < ($1.physicalAddress, $1.index) }) {
            if let f = furthest, s.physicalAddress < f.physicalEnd {
                throw ELFError.segmentsOverlap(min(f.index, s.index), max(f.index, s.index))
            }
            if furthest.map({ s.physicalEnd > $0.physicalEnd }) ?? true { furthest = s }
        }
        let entry = bytes.u64(24)
        guard segments.contains(where: {
            $0.isExecutable && entry >= $0.virtualAddress && entry - $0.virtualAddress < $0.memorySize
        }) else { throw ELFError.entryNotExecutable(entry: entry) }
        self.entry = entry
        self.segments = segments
        self.features = features
    }

    /// The descriptor of the notes named "VMM" of type VMM_ELFNOTE_FEATURES
    /// in bytes [start, end) (gABI 5, "Note Section": namesz, descsz, type,
    /// then name and descriptor, each padded to 4 bytes). A malformed note
    /// ends the scan: it asks for nothing.
    static func vmmFeatures(_ bytes: [UInt8], from start: Int, to end: Int) -> UInt32 {
        var features: UInt32 = 0
        var o = start
        while o + 12 <= end {
            let namesz = Int(bytes.u32(o)), descsz = Int(bytes.u32(o + 4)), type = bytes.u32(o + 8)
            let name = o + 12, desc = name + (namesz + 3) & ~3
            let next = desc + (descsz + 3) & ~3
            guard namesz <= end - name, descsz <= end - name, next <= end else { break }
            if type == UInt32(VMM_ELFNOTE_FEATURES), namesz == 4, descsz == 4,
               bytes[name] == 0x56, bytes[name + 1] == 0x4d, bytes[name + 2] == 0x4d, bytes[name + 3] == 0 {   // "VMM\0"
                features |= bytes.u32(desc)
            }
            o = next
        }
        return features
    }

    /// Checks that every segment fits in guest RAM above the VMM's own
    /// structures, and that the boot page tables map the entry point to the
    /// physical byte its segment puts there.
    func validatePlacement(ramSize: UInt64) throws {
        for s in segments {
            guard s.physicalEnd <= ramSize else {
                throw ELFError.segmentOutsideRAM(segment: s.index, start: s.physicalAddress, end: s.physicalEnd, ramSize: ramSize)
            }
            guard s.physicalAddress >= X86.reservedEnd else {
                throw ELFError.segmentOverlapsVMM(segment: s.index, start: s.physicalAddress)
            }
        }
        guard let s = segments.first(where: {
            $0.isExecutable && entry >= $0.virtualAddress && entry - $0.virtualAddress < $0.memorySize
        }) else { throw ELFError.entryNotExecutable(entry: entry) }
        let physical = s.physicalAddress + (entry - s.virtualAddress)
        guard BootPageTables.translate(virtual: entry, ramSize: ramSize) == physical else {
            throw ELFError.entryNotMapped(entry: entry)
        }
    }
}

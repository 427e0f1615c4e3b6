/// The function symbols of a kernel ELF (.symtab with its linked .strtab),
/// for naming the RIPs a profile counts. Every offset and size read from the
/// file is checked against the file before use (ELF-64 Object File Format
/// 1.5, "Sections" and "Symbol Table"): a bad table is an error, never a trap.
struct KernelSymbols: Equatable {
    struct Symbol: Equatable {
        let start: UInt64
        /// Exclusive, at most the next symbol's start; a size-0 symbol (an
        /// assembly label) runs to the next symbol or the end of its section.
        let end: UInt64
        let name: String
    }

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case notELF64
        case badSectionHeaders(String)
        case noSymbolTable
        case badSymbolTable(String)

        var description: String {
            switch self {
            case .notELF64: return "kernel symbols: not a little-endian ELF64 file"
            case .badSectionHeaders(let why): return "kernel symbols: bad section headers (\(why))"
            case .noSymbolTable: return "kernel symbols: the kernel has no .symtab (stripped?): nothing to name the profile's addresses with"
            case .badSymbolTable(let why): return "kernel symbols: bad symbol table (\(why))"
            }
        }
    }

    /// Sorted by start; starts are distinct.
    let symbols: [Symbol]

    static let shtSymtab: UInt32 = 2
    static let shfExecInstr: UInt64 = 4
    static let maxNameLength = 4096

    init(symbols: [Symbol]) {
        self.symbols = symbols
    }

    init(elf bytes: [UInt8]) throws {
        let size = UInt64(bytes.count)
        /// `count` bytes at `offset` lie inside the file.
        func inside(_ offset: UInt64, _ count: UInt64) -> Bool { offset <= size && count <= size - offset }
        func u16(_ o: UInt64) -> UInt16 { UInt16(bytes[Int(o)]) | UInt16(bytes[Int(o) + 1]) << 8 }
        func u32(_ o: UInt64) -> UInt32 { UInt32(u16(o)) | UInt32(u16(o + 2)) << 16 }
        func u64(_ o: UInt64) -> UInt64 { UInt64(u32(o)) | UInt64(u32(o + 4)) << 32 }

        guard bytes.count >= 64, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46,
              bytes[4] == 2, bytes[5] == 1 else { throw ParseError.notELF64 }
        let shoff = u64(40), shentsize = u16(58), shnum = UInt64(u16(60))
        guard shnum > 0 else { throw ParseError.noSymbolTable }
        guard shentsize == 64 else { throw ParseError.badSectionHeaders("entry size \(shentsize), expected 64") }
        guard inside(shoff, shnum * 64) else { throw ParseError.badSectionHeaders("they lie beyond the end of the file") }

        struct Section { let type: UInt32; let flags: UInt64; let address: UInt64; let offset: UInt64; let size: UInt64; let link: UInt32; let entsize: UInt64 }
        let sections: [Section] = (0..<shnum).map { i in
            let h = shoff + i * 64
            return Section(type: u32(h + 4), flags: u64(h + 8), address: u64(h + 16), offset: u64(h + 24),
                           size: u64(h + 32), link: u32(h + 40), entsize: u64(h + 56))
        }
        guard let symtab = sections.first(where: { $0.type == Self.shtSymtab }) else { throw ParseError.noSymbolTable }
        guard symtab.entsize == 24 else { throw ParseError.badSymbolTable("entry size \(symtab.entsize), expected 24") }
        guard inside(symtab.offset, symtab.size) else { throw ParseError.badSymbolTable(".symtab lies beyond the end of the file") }
        guard UInt64(symtab.link) < shnum else { throw ParseError.badSymbolTable("sh_link \(symtab.link) names no section") }
        let strtab = sections[Int(symtab.link)]
        guard inside(strtab.offset, strtab.size) else { throw ParseError.badSymbolTable(".strtab lies beyond the end of the file") }

        /// The NUL-terminated name at `offset` in .strtab, or nil.
        func name(_ offset: UInt64) -> String? {
            guard offset < strtab.size else { return nil }
            let start = Int(strtab.offset + offset), limit = Int(strtab.offset + strtab.size)
            var end = start
            while end < limit, bytes[end] != 0, end - start < Self.maxNameLength { end += 1 }
            guard end < limit, bytes[end] == 0, end > start else { return nil }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        var found: [(start: UInt64, size: UInt64, sectionEnd: UInt64, name: String)] = []
        for i in 0..<(symtab.size / 24) {
            let e = symtab.offset + i * 24
            let type = bytes[Int(e + 4)] & 0xf, shndx = UInt64(u16(e + 6))
            // STT_NOTYPE (assembly labels) or STT_FUNC, defined in an executable section.
            guard type == 0 || type == 2, shndx != 0, shndx < shnum, shndx < 0xff00 else { continue }
            let section = sections[Int(shndx)]
            guard section.flags & Self.shfExecInstr != 0, let n = name(UInt64(u32(e))),
                  !n.hasPrefix(".L"), !n.hasPrefix("$x") else { continue }
            let value = u64(e + 8), symbolSize = u64(e + 16)
            let (sectionEnd, o1) = section.address.addingReportingOverflow(section.size)
            let (symbolEnd, o2) = value.addingReportingOverflow(symbolSize)
            guard !o1, !o2, value >= section.address, symbolEnd <= sectionEnd else { continue }
            found.append((value, symbolSize, sectionEnd, n))
        }
        // One name per address: the sized one (a function) over a label, then the first by name.
        found.sort { ($0.start, $0.size == 0 ? 1 : 0, $0.name) < ($1.start, $1.size == 0 ? 1 : 0, $1.name) }
        var out: [Symbol] = []
        for (k, s) in found.enumerated() where out.last?.start != s.start {
            var next = s.sectionEnd
            if let later = found[(k + 1)...].first(where: { $0.start > s.start }) { next = min(next, later.start) }
            // Clipped at the next start: ranges stay disjoint, so every
            // address has one name (an overlapping symbol yields to the next).
            let end = s.size > 0 ? min(s.start + s.size, next) : next
            if end > s.start { out.append(Symbol(start: s.start, end: end, name: s.name)) }   // a label at its section's end names nothing
        }
        symbols = out
    }

    /// The index of the symbol holding `address`, or nil: the last symbol
    /// starting at or below it, when the address is before its end.
    func index(of address: UInt64) -> Int? {
        var low = 0, high = symbols.count     // first start > address is in [low, high]
        while low < high {
            let mid = (low + high) / 2
            if symbols[mid].start <= address { low = mid + 1 } else { high = mid }
        }
        guard low > 0, address < symbols[low - 1].end else { return nil }
        return low - 1
    }
}

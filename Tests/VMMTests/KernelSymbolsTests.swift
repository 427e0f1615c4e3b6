import GuestKernel
import Testing
@testable import VMM

/// The profile's symbol table: .symtab/.strtab parsed with every offset checked.
struct KernelSymbolsTests {
    static let text: UInt64 = 0xffff_ffff_8010_0000

    /// An ELF64 with .text (executable), .data, .symtab and .strtab.
    static func elf(shentsize: UInt16 = 64, symtabSize: UInt64? = nil, withSymtab: Bool = true,
                    symbols: [(name: String, type: UInt8, shndx: UInt16, value: UInt64, size: UInt64)]? = nil) -> [UInt8] {
        let syms = symbols ?? [
            ("alpha", 2, 1, text + 0x10, 0x20), ("alias", 2, 1, text + 0x10, 0x20),
            ("beta", 2, 1, text + 0x40, 0x10), ("label", 0, 1, text + 0x80, 0),
            (".Lx", 0, 1, text + 0x90, 0), ("data_sym", 2, 4, 0xffff_ffff_8020_0000, 8),
            ("undefined", 2, 0, 0, 0), ("past_section", 2, 1, text + 0xf0, 0x20),
            ("overlapping", 2, 1, text + 0x48, 0x4), ("gamma", 2, 1, text + 0x60, 0x10),
        ]
        var strtab: [UInt8] = [0], nameOffsets: [UInt32] = []
        for s in syms { nameOffsets.append(UInt32(strtab.count)); strtab += Array(s.name.utf8) + [0] }
        let strOff = 0x100, symOff = 0x200, shOff = 0x400
        var b = [UInt8](repeating: 0, count: shOff + 5 * 64)
        func put<T: FixedWidthInteger>(_ v: T, _ at: Int) {
            for i in 0..<MemoryLayout<T>.size { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
        }
        for (i, v) in [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1].enumerated() { b[i] = UInt8(v) }
        put(UInt16(2), 16); put(UInt16(62), 18); put(UInt64(shOff), 40); put(shentsize, 58); put(UInt16(5), 60)
        for (i, c) in strtab.enumerated() { b[strOff + i] = c }
        for (i, s) in syms.enumerated() {
            let e = symOff + (i + 1) * 24
            put(nameOffsets[i], e); b[e + 4] = s.type; put(s.shndx, e + 6); put(s.value, e + 8); put(s.size, e + 16)
        }
        func section(_ i: Int, type: UInt32, flags: UInt64, addr: UInt64, off: Int, size: UInt64, link: UInt32 = 0, entsize: UInt64 = 0) {
            let h = shOff + i * 64
            put(type, h + 4); put(flags, h + 8); put(addr, h + 16); put(UInt64(off), h + 24); put(size, h + 32)
            put(link, h + 40); put(entsize, h + 56)
        }
        section(1, type: 1, flags: 6, addr: text, off: 0, size: 0x100)                        // .text: ALLOC|EXECINSTR
        section(2, type: withSymtab ? 2 : 1, flags: 0, addr: 0, off: symOff,
                size: symtabSize ?? UInt64(syms.count + 1) * 24, link: 3, entsize: 24)          // .symtab
        section(3, type: 3, flags: 0, addr: 0, off: strOff, size: UInt64(strtab.count))        // .strtab
        section(4, type: 1, flags: 3, addr: 0xffff_ffff_8020_0000, off: 0, size: 0x100)       // .data: ALLOC|WRITE
        return b
    }

    @Test func functionsAndLabelsInExecutableSectionsOnly() throws {
        let s = try KernelSymbols(elf: Self.elf())
        #expect(s.symbols.map(\.name) == ["alias", "beta", "overlapping", "gamma", "label"])   // one name per address; no .L, data, undefined
        #expect(s.symbols[1].end == Self.text + 0x48)                 // beta yields to the symbol inside it
        #expect(s.symbols[4].end == Self.text + 0x100)                // a label runs to its section's end
    }

    @Test func lookupFindsTheHoldingSymbolOrNone() throws {
        let s = try KernelSymbols(elf: Self.elf())
        func name(_ offset: UInt64) -> String? { s.index(of: Self.text + offset).map { s.symbols[$0].name } }
        #expect(name(0x0f) == nil)
        #expect(name(0x10) == "alias" && name(0x2f) == "alias")
        #expect(name(0x30) == nil)
        #expect(name(0x40) == "beta" && name(0x47) == "beta" && name(0x48) == "overlapping" && name(0x4c) == nil)
        #expect(name(0x80) == "label" && name(0xff) == "label" && name(0x100) == nil)
        #expect(s.index(of: 0) == nil && s.index(of: .max) == nil)
        #expect(KernelSymbols(symbols: []).index(of: Self.text) == nil)
    }

    @Test func badTablesAreErrorsNotTraps() throws {
        #expect(throws: KernelSymbols.ParseError.noSymbolTable) { try KernelSymbols(elf: Self.elf(withSymtab: false)) }
        #expect(throws: KernelSymbols.ParseError.badSectionHeaders("entry size 40, expected 64")) {
            try KernelSymbols(elf: Self.elf(shentsize: 40))
        }
        #expect(throws: KernelSymbols.ParseError.badSymbolTable(".symtab lies beyond the end of the file")) {
            try KernelSymbols(elf: Self.elf(symtabSize: 1 << 40))
        }
        #expect(throws: KernelSymbols.ParseError.notELF64) { try KernelSymbols(elf: [0x7f, 0x45]) }
        // Every truncation of a good file: an error or a table, never a trap.
        let good = Self.elf()
        for n in stride(from: 0, to: good.count, by: 7) { _ = try? KernelSymbols(elf: Array(good.prefix(n))) }
    }

    @Test func aNameOffsetOutsideTheStringTableIsSkipped() throws {
        var bytes = Self.elf(symbols: [("alpha", 2, 1, Self.text, 0x10), ("beta", 2, 1, Self.text + 0x10, 0x10)])
        bytes[0x200 + 24] = 0xff; bytes[0x200 + 25] = 0xff        // alpha's st_name: far past .strtab
        #expect(try KernelSymbols(elf: bytes).symbols.map(\.name) == ["beta"])
    }

    @Test func theBuiltInKernelHasItsFunctions() throws {
        let bytes = try ImageFile.readAll(path: GuestKernel.elfPath, limit: 1 << 30)
        let s = try KernelSymbols(elf: bytes)
        #expect(s.symbols.count > 100)
        #expect(s.symbols.allSatisfy { $0.start >= InstructionProfile.kernelBase && $0.end > $0.start })
        #expect(zip(s.symbols, s.symbols.dropFirst()).allSatisfy { $0.start < $1.start })
        let image = try ELFImage(bytes: bytes)
        #expect(s.index(of: image.entry) != nil)
    }
}

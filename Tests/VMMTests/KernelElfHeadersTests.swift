import Testing

/// The guest kernel's ELF header checks for exec (Sources/GuestKernel/Kernel/
/// Process/ElfHeaders.swift, compiled here through KernelShared/): every
/// malformed image gets the error the kernel must give, without a trap.
@Suite struct KernelElfHeadersTests {
    /// PageTable.userTop - Process.stackSize - one page: what ElfLoader.load passes.
    static let userLimit: UInt64 = 0x7fff_ffff_f000 - (8 << 20) - 0x1000

    static func validate(_ bytes: [UInt8]) -> (ElfLayout?, ElfError?) {
        let storage = bytes.isEmpty ? [0] : bytes
        return storage.withUnsafeBufferPointer {
            ElfHeaders.validate($0.baseAddress!, size: bytes.count, userLimit: userLimit)
        }
    }

    @Test func acceptsAStaticExecutable() {
        var b = ELFBuilder()
        b.entry = 0x10_0040
        let (layout, error) = Self.validate(b.bytes())
        #expect(error == nil)
        #expect(layout?.bias == 0)
        #expect(layout?.phoff == 64)
        #expect(layout?.image.entry == 0x10_0040)
        #expect(layout?.image.phnum == 1)
        #expect(layout?.image.phent == 56)
        #expect(layout?.image.base == 0)
        #expect(layout?.image.end == 0x10_0200)          // vaddr + memsz: brk starts above
    }

    @Test func staticPIEIsLoadedAtTheLinuxBase() {
        var b = ELFBuilder()
        b.type = 3                                        // ET_DYN without PT_INTERP
        b.entry = 0x40
        b.segments[0].vaddr = 0
        b.segments[0].offset = 0
        b.fileSize = 0x200
        let (layout, error) = Self.validate(b.bytes())
        #expect(ElfHeaders.pieBase == 0x5555_5555_4000)
        #expect(error == nil)
        #expect(layout?.bias == 0x5555_5555_4000)
        #expect(layout?.image.entry == 0x5555_5555_4040)
        #expect(layout?.image.base == 0)                  // AT_BASE: no interpreter
        #expect(layout?.image.phdr == 0x5555_5555_4000 + 64)   // lowest offset-0 segment + e_phoff
        #expect(layout?.image.end == 0x5555_5555_4200)
    }

    @Test func phdrComesFromPT_PHDRWhenPresent() {
        var b = ELFBuilder()
        b.segments.insert(.init(type: 6, flags: 4, offset: 64, vaddr: 0x40_0040, paddr: 0, filesz: 112, memsz: 112), at: 0)
        b.segments.append(.init(type: 1, flags: 4, offset: 0, vaddr: 0x40_0000, paddr: 0, filesz: 0x100, memsz: 0x100))
        let (layout, error) = Self.validate(b.bytes())
        #expect(error == nil)
        #expect(layout?.image.phdr == 0x40_0040)
        #expect(layout?.image.phnum == 3)
        #expect(layout?.image.end == max(0x40_0100, 0x10_0200))
    }

    @Test func sixtyFourSegmentsAreAccepted() {
        var b = ELFBuilder()
        b.segments = Array(repeating: ELFBuilder.Segment(), count: 64)
        #expect(Self.validate(b.bytes()).1 == nil)
    }

    @Test func segmentMayEndExactlyAtTheLimit() {
        var b = ELFBuilder()
        b.segments[0].vaddr = Self.userLimit - 0x1000
        b.segments[0].memsz = 0x1000
        #expect(Self.validate(b.bytes()).1 == nil)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String, bytes: [UInt8], expected: ElfError
        var testDescription: String { name }
    }

    /// Each malformed image and the error the kernel must give.
    static let malformed: [Case] = {
        var cases: [Case] = []
        func add(_ name: String, _ error: ElfError, _ change: (inout ELFBuilder) -> Void) {
            var b = ELFBuilder(); change(&b); cases.append(Case(name: name, bytes: b.bytes(), expected: error))
        }
        let good = ELFBuilder().bytes()
        cases.append(Case(name: "empty", bytes: [], expected: .notELF))
        cases.append(Case(name: "63 bytes", bytes: Array(good.prefix(63)), expected: .notELF))
        cases.append(Case(name: "header only, phdrs cut off", bytes: Array(good.prefix(64)), expected: .badSegment))
        cases.append(Case(name: "half a program header", bytes: Array(good.prefix(64 + 28)), expected: .badSegment))
        cases.append(Case(name: "segment bytes cut off", bytes: Array(good.prefix(0x1080)), expected: .badSegment))
        add("bad magic", .notELF) { $0.ident[1] = 0x46 }
        add("32-bit", .unsupported) { $0.ident[4] = 1 }
        add("big-endian", .unsupported) { $0.ident[5] = 2 }
        add("aarch64", .unsupported) { $0.machine = 183 }
        add("i386", .unsupported) { $0.machine = 3 }
        add("ET_REL", .unsupported) { $0.type = 1 }
        add("ET_CORE", .unsupported) { $0.type = 4 }
        add("phentsize 32", .badSegment) { $0.phentsize = 32 }
        add("no program headers", .badSegment) { $0.segments = [] }
        add("65 program headers", .badSegment) { $0.segments = Array(repeating: .init(), count: 65) }
        add("phdrs past end", .badSegment) { $0.phoff = 0x10ff }
        add("phoff overflow", .badSegment) { $0.phoff = .max - 8 }
        add("no PT_LOAD", .badSegment) { $0.segments[0].type = 4 }
        add("filesz > memsz", .badSegment) { $0.segments[0].filesz = 0x300 }
        add("file range past end", .badSegment) { $0.segments[0].offset = 0x1080; $0.segments[0].vaddr = 0x10_0080 }
        add("offset+filesz overflow", .badSegment) { $0.segments[0].offset = 0xffff_ffff_ffff_f000 }
        add("vaddr not congruent to offset", .badSegment) { $0.segments[0].vaddr = 0x10_0010 }
        add("vaddr+memsz overflow", .badSegment) {
            $0.segments[0].vaddr = 0xffff_ffff_ffff_f000; $0.segments[0].memsz = 0x2000
        }
        add("segment in the kernel half", .badSegment) { $0.segments[0].vaddr = 0xffff_ffff_8010_0000 }
        add("segment in the non-canonical hole", .badSegment) { $0.segments[0].vaddr = 0x8000_0000_0000 }
        add("segment at page zero", .badSegment) { $0.segments[0].vaddr = 0 }
        add("segment into the stack area", .badSegment) {
            $0.segments[0].vaddr = userLimit - 0x1000; $0.segments[0].memsz = 0x1001
        }
        add("huge memsz", .badSegment) { $0.segments[0].memsz = 1 << 47 }
        add("PIE bias overflows", .badSegment) { $0.type = 3; $0.segments[0].vaddr = 0xffff_ffff_ffff_f000 }
        add("PIE bias pushes past the limit", .badSegment) { $0.type = 3; $0.segments[0].vaddr = 0x7fff_0000_0000 }
        add("PT_INTERP", .dynamic) { $0.segments.insert(.init(type: 3, flags: 4, offset: 0x1000, vaddr: 0, filesz: 28, memsz: 28), at: 0) }
        add("PT_INTERP after PT_LOAD", .dynamic) { $0.segments.append(.init(type: 3, flags: 4, offset: 0x1000, vaddr: 0, filesz: 28, memsz: 28)) }
        add("PT_INTERP in a PIE", .dynamic) { $0.type = 3; $0.segments.append(.init(type: 3, offset: 0x1000, vaddr: 0, filesz: 28, memsz: 28)) }
        return cases
    }()

    @Test(arguments: malformed)
    func rejectsMalformedImages(_ c: Case) {
        let (layout, error) = Self.validate(c.bytes)
        #expect(layout == nil)
        #expect(error == c.expected)
    }

    /// Single-byte corruptions of the headers (deterministic): never a trap,
    /// and what is accepted still lies in the user range.
    @Test func corruptedHeadersNeverTrap() {
        var b = ELFBuilder()
        b.segments.append(.init(type: 1, flags: 6, offset: 0x1000, vaddr: 0x20_0000, paddr: 0, filesz: 0x80, memsz: 0x4000))
        let good = b.bytes()
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        var accepted = 0, rejected = 0
        for _ in 0..<4000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var bytes = good
            let at = Int((state >> 33) % UInt64(64 + 2 * 56))
            bytes[at] = UInt8(truncatingIfNeeded: state >> 17)
            let (layout, error) = Self.validate(bytes)
            #expect((layout == nil) != (error == nil))
            if let l = layout {
                accepted += 1
                #expect(l.image.end <= Self.userLimit)
                #expect(l.image.phnum >= 1 && l.image.phnum <= 64)
            } else { rejected += 1 }
        }
        #expect(accepted > 0 && rejected > 0)
    }
}

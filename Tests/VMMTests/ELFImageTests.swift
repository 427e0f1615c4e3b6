import Testing
@testable import VMM

@Suite struct ELFImageTests {
    @Test func acceptsAMinimalExecutable() throws {
        let image = try ELFImage(bytes: ELFBuilder().bytes())
        #expect(image.entry == 0x10_0000)
        #expect(image.segments.count == 1)
        try image.validatePlacement(ramSize: 64 << 20)
    }

    @Test func acceptsAHighHalfKernel() throws {
        var b = ELFBuilder()
        b.segments[0].vaddr = 0xffff_ffff_8010_0000
        b.entry = 0xffff_ffff_8010_0010
        try ELFImage(bytes: b.bytes()).validatePlacement(ramSize: 64 << 20)
    }

    /// Each malformed image and the error it must get.
    static let malformed: [(String, ELFBuilder, ELFError)] = {
        var cases: [(String, ELFBuilder, ELFError)] = []
        func add(_ name: String, _ error: ELFError, _ change: (inout ELFBuilder) -> Void) {
            var b = ELFBuilder(); change(&b); cases.append((name, b, error))
        }
        add("bad magic", .notELF) { $0.ident[1] = 0x46 }
        add("32-bit", .not64Bit) { $0.ident[4] = 1 }
        add("big-endian", .notLittleEndian) { $0.ident[5] = 2 }
        add("bad version", .badVersion) { $0.ident[6] = 0 }
        add("aarch64", .notX86_64(machine: 183)) { $0.machine = 183 }
        add("ET_DYN", .notExecutable(type: 3)) { $0.type = 3 }
        add("ET_REL", .notExecutable(type: 1)) { $0.type = 1 }
        add("phentsize", .badProgramHeaderSize(32)) { $0.phentsize = 32 }
        add("phdrs past end", .truncated("program headers lie beyond the end of the file")) { $0.phoff = 0x10ff }
        add("phoff overflow", .truncated("program headers lie beyond the end of the file")) { $0.phoff = .max - 8 }
        add("no PT_LOAD", .noLoadableSegments) { $0.segments[0].type = 4 }
        add("filesz > memsz", .fileSizeExceedsMemorySize(segment: 0)) { $0.segments[0].filesz = 0x300 }
        add("file range past end", .segmentBeyondFile(segment: 0)) { $0.segments[0].offset = 0x1080 }
        add("offset+size overflow", .segmentBeyondFile(segment: 0)) { $0.segments[0].offset = .max }
        add("paddr+memsz overflow", .sizeOverflow(segment: 0)) {
            $0.segments[0].paddr = .max - 0x10; $0.segments[0].vaddr = 0x10_0000
        }
        add("overlapping segments", .segmentsOverlap(0, 1)) {
            var s = $0.segments[0]; s.paddr = 0x10_0100; s.vaddr = 0x10_0100; s.flags = 6
            $0.segments.append(s)
        }
        add("entry outside segments", .entryNotExecutable(entry: 0x20_0000)) { $0.entry = 0x20_0000 }
        add("entry in data segment", .entryNotExecutable(entry: 0x10_0000)) { $0.segments[0].flags = 6 }
        return cases
    }()

    @Test(arguments: 0..<malformed.count)
    func rejectsMalformedImage(_ index: Int) {
        let (name, builder, error) = Self.malformed[index]
        #expect(throws: error, "\(name)") { try ELFImage(bytes: builder.bytes()) }
    }

    @Test func rejectsTruncatedFiles() {
        #expect(throws: ELFError.truncated("2 bytes")) { try ELFImage(bytes: [0x7f, 0x45]) }
        #expect(throws: ELFError.truncated("ELF header needs 64 bytes, file has 40")) {
            try ELFImage(bytes: Array(ELFBuilder().bytes().prefix(40)))
        }
        #expect(throws: ELFError.notELF) { try ELFImage(bytes: Array("#!/bin/sh\necho hi\n".utf8)) }
    }

    @Test func rejectsSegmentsOutsideRAM() throws {
        var b = ELFBuilder()
        b.segments[0].paddr = (64 << 20) - 0x100
        b.segments[0].vaddr = b.segments[0].paddr
        b.entry = b.segments[0].vaddr
        let image = try ELFImage(bytes: b.bytes())
        #expect(throws: ELFError.segmentOutsideRAM(segment: 0, start: (64 << 20) - 0x100,
                                                   end: (64 << 20) + 0x100, ramSize: 64 << 20)) {
            try image.validatePlacement(ramSize: 64 << 20)
        }
    }

    @Test func rejectsSegmentsOverTheVMMStructures() throws {
        var b = ELFBuilder()
        b.segments[0].paddr = 0x1000; b.segments[0].vaddr = 0x1000; b.entry = 0x1000
        let image = try ELFImage(bytes: b.bytes())
        #expect(throws: ELFError.segmentOverlapsVMM(segment: 0, start: 0x1000)) {
            try image.validatePlacement(ramSize: 64 << 20)
        }
    }

    @Test func rejectsAnEntryTheBootTablesDoNotMap() throws {
        var b = ELFBuilder()
        b.segments[0].vaddr = 0x40_0000       // linked at 4 MiB, loaded at 1 MiB
        b.entry = 0x40_0000
        let image = try ELFImage(bytes: b.bytes())
        #expect(throws: ELFError.entryNotMapped(entry: 0x40_0000)) { try image.validatePlacement(ramSize: 64 << 20) }
    }

    @Test func everyErrorReadsAsOneLine() {
        for (_, _, error) in Self.malformed {
            #expect(!error.description.contains("\n"))
            #expect(!error.description.isEmpty)
        }
    }
}

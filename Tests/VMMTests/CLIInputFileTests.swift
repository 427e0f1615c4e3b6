import Foundation
import Testing
@testable import VMM

/// Every file the VMM reads is a regular file within a size limit, and every
/// file it writes is checked before the run: one line, a documented status,
/// never a hang or an abort (issue 9). None of these reach /dev/kvm.
@Suite struct CLIInputFileTests {
    func expectOneLineError(_ r: ProcessResult, status: Int32, containing text: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderrLines.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(text), "\(r.stderr)", sourceLocation: sourceLocation)
    }

    static let fifo: URL = {
        let url = TestGuests.directory.appendingPathComponent("fifo")
        mkfifo(url.path, 0o600)
        return url
    }()

    /// /dev/zero read without a limit aborted after ~1 GB; a FIFO hung.
    @Test(arguments: ["/dev/zero", fifo.path])
    func baselineMustBeARegularFile(_ path: String) throws {
        expectOneLineError(try Run.vmm(["bench", "--baseline", path], limit: 20), status: 66,
                           containing: "\(path) is not a regular file")
    }

    @Test(arguments: [(["boot", "/dev/zero"], "/dev/zero"), (["boot", "K", "--initrd", fifo.path], fifo.path),
                      (["run", fifo.path], fifo.path), (["run", "--add", "/dev/zero:/z", "K"], "/dev/zero"),
                      (["bench", "--bench-binary", fifo.path], fifo.path)])
    func everyInputMustBeARegularFile(_ arguments: [String], _ path: String) throws {
        let kernel = try TestGuests.file("ok-kernel.elf", ELFBuilder().bytes())
        let args = arguments.map { $0 == "K" ? kernel.path : $0 }
        expectOneLineError(try Run.vmm(args, limit: 20), status: 66, containing: "\(path) is not a regular file")
    }

    @Test func directoryBaselineNamesItself() throws {
        expectOneLineError(try Run.vmm(["bench", "--baseline", "/tmp"]), status: 66, containing: "/tmp is not a regular file")
    }

    @Test func malformedBaselineNamesItself() throws {
        let f = try TestGuests.file("bad-baseline.json", Array("{\"benchmarks\": [".utf8))
        expectOneLineError(try Run.vmm(["bench", "--baseline", f.path]), status: 65, containing: "baseline \(f.path): invalid JSON")
    }

    @Test func missingBenchBinaryIsNoInput() throws {
        expectOneLineError(try Run.vmm(["bench", "--bench-binary", "/nonexistent/bench"]), status: 66,
                           containing: "cannot open /nonexistent/bench")
    }

    /// Unwritable outputs fail before anything runs (status 73, EX_CANTCREAT).
    @Test(arguments: [["bench", "--json", "/nonexistent/out.json"], ["bench", "--svg", "/tmp"],
                      ["boot", "K", "--json-stats", "/nonexistent/stats.json"]])
    func unwritableOutputFailsBeforeTheRun(_ arguments: [String]) throws {
        let kernel = try TestGuests.file("not-a-kernel", Array("x".utf8))
        let args = arguments.map { $0 == "K" ? kernel.path : $0 }
        let path = arguments.last!
        let r = try Run.vmm(args, limit: 20)
        expectOneLineError(r, status: 73, containing: "cannot write \(path)")
        #expect(!r.stderr.contains("[1/"), "the suite ran first")
    }

    /// "-2M" is a bad value, not a missing one.
    @Test(arguments: [(["boot", "/x", "--memory", "-2M"], "invalid memory size '-2M'"),
                      (["boot", "/x", "--timeout", "-1"], "--timeout must be between"),
                      (["bench", "--repeat", "-1"], "--repeat must be between 1 and 1000"),
                      (["bench", "--pin", "-1"], "--pin must be a CPU number")])
    func negativeValuesAreBadValues(_ arguments: [String], _ message: String) throws {
        let r = try Run.vmm(arguments)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("Missing value"), "\(r.stderr)")
    }
}

/// The boot info's memory map holds 32 entries: a kernel whose segments need
/// more is refused (status 65), where the map used to be cut short and the
/// guest silently lost the top of its RAM.
@Suite struct MemoryMapLimitTests {
    func kernel(segments n: Int, gap: UInt64) -> [UInt8] {
        var b = ELFBuilder()
        b.segments = (0..<n).map { i in
            var s = ELFBuilder.Segment()
            s.offset = 0x1000
            s.filesz = 0x100
            s.memsz = 0x1000
            s.vaddr = 0x10_0000 + UInt64(i) * (0x1000 + gap)
            s.paddr = s.vaddr
            return s
        }
        return b.bytes()
    }

    @Test func sixteenSeparateSegmentsAreRefused() throws {
        let f = try TestGuests.file("sixteen-segments.elf", kernel(segments: 16, gap: 0x1000))
        let r = try Run.vmm(["boot", f.path, "--memory", "16M"])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderrLines == ["vmm: the guest's memory map needs 34 entries (16 separate kernel segments and the gaps "
                                  + "between them); the boot info holds 32: merge the kernel's PT_LOAD segments"])
    }

    /// Touching segments merge into one kernel entry: 40 of them fit.
    @Test func touchingSegmentsMergeIntoOneEntry() {
        let segments = (0..<40).map { (UInt64(0x10_0000 + $0 * 0x1000), UInt64(0x1000)) }
        let map = MemoryMap(ramSize: 16 << 20, kernel: segments, initrd: nil)
        #expect(map.entries.map(\.kind) == [.vmm, .free, .kernel, .free])
        #expect(map.entries[2].size == 40 * 0x1000)
        #expect(map.entries.last?.end == 16 << 20)
    }
}

/// ELF validation is O(n log n) in the program headers: 65,535 of them
/// (the most e_phnum holds) took 311 s when every pair was compared.
@Suite struct ELFProgramHeaderLimitTests {
    func kernel(overlapAtEnd: Bool) -> [UInt8] {
        var b = ELFBuilder()
        b.segments = (0..<65_535).map { i in
            var s = ELFBuilder.Segment()
            s.memsz = 0x1000
            s.vaddr = 0x10_0000 + UInt64(i) * 0x2000
            s.paddr = s.vaddr
            return s
        }
        if overlapAtEnd { b.segments[65_534].paddr = 0x10_0800 }
        b.fileSize = 64 + 65_535 * 56 + 0x1000
        return b.bytes()
    }

    @Test func sixtyFiveThousandHeadersAreValidatedQuickly() throws {
        let separate = try TestGuests.file("phdrs-65535.elf", kernel(overlapAtEnd: false))
        let r = try Run.vmm(["boot", separate.path, "--memory", "1G"], limit: 30)
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("memory map needs 131072 entries (65535 separate kernel segments"), "\(r.stderr)")

        let overlapping = try TestGuests.file("phdrs-65535-overlap.elf", kernel(overlapAtEnd: true))
        let o = try Run.vmm(["boot", overlapping.path, "--memory", "1G"], limit: 30)
        #expect(o.status == 65, "\(o.stderr)")
        #expect(o.stderrLines == ["vmm: not a valid kernel: segments 0 and 65534 overlap"])
    }
}

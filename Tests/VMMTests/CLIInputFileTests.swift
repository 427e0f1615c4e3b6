import Foundation
import Testing

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

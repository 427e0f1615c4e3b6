import Foundation
import Testing

/// `vmm run --rootfs/--busybox/--argv0` with bad input: one line on stderr
/// and a documented status (README, "Exit statuses"), before any guest runs.
@Suite struct RunOptionsBadInputTests {
    static func run(_ options: [String]) throws -> ProcessResult {
        let program = try TestGuests.file("rootfs-prog", Array("\u{7f}ELF".utf8))
        return try Run.vmm(["run", "--memory", "64M"] + options + [program.path])
    }

    func expectOneLine(_ r: ProcessResult, _ status: Int32, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderrLines.count == 1 && r.stderr.contains(text), "\(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func missingRootfsIsNoInput() throws {
        expectOneLine(try Self.run(["--rootfs", "/nonexistent/tree"]), 66, "vmm: --rootfs: /nonexistent/tree: No such file or directory")
    }

    @Test func rootfsThatIsAFileIsRefused() throws {
        let f = try TestGuests.file("rootfs-file", [1])
        expectOneLine(try Self.run(["--rootfs", f.path]), 65, "\(f.path): not a directory")
    }

    @Test func fifoInTheTreeIsRefused() throws {
        let dir = TestGuests.directory.appendingPathComponent("rootfs-fifo")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a"), withIntermediateDirectories: true)
        #expect(mkfifo(dir.appendingPathComponent("a/pipe").path, 0o644) == 0)
        expectOneLine(try Self.run(["--rootfs", dir.path]), 65, "a/pipe: FIFOs cannot be packed into the initramfs")
    }

    @Test func treeLargerThanRAMIsRefused() throws {
        let dir = TestGuests.directory.appendingPathComponent("rootfs-big")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let big = dir.appendingPathComponent("big")
        #expect(FileManager.default.createFile(atPath: big.path, contents: nil))
        #expect(truncate(big.path, 80 << 20) == 0)          // sparse: 80 MiB in a 64 MiB guest
        expectOneLine(try Self.run(["--rootfs", dir.path]), 65, "big: the tree does not fit in guest RAM")
    }

    @Test func argvZeroThatACommandLineCannotCarry() throws {
        expectOneLine(try Self.run(["--argv0", "a\"b"]), 65, "cannot be passed on a kernel command line")
    }

    @Test func benchBusyBoxMissingOrNotStatic() throws {
        expectOneLine(try Run.vmm(["bench", "--busybox", "/nonexistent/busybox"]), 66, "cannot open /nonexistent/busybox")
        let text = try TestGuests.file("bench-not-busybox", Array("#!/bin/sh\n".utf8))
        expectOneLine(try Run.vmm(["bench", "--busybox", text.path]), 65, "--busybox \(text.path): not an ELF file")
    }

    @Test func busyBoxThatIsNotStaticOrNotBusyBox() throws {
        let text = try TestGuests.file("not-busybox", Array("#!/bin/sh\n".utf8))
        expectOneLine(try Self.run(["--busybox", text.path]), 65, "--busybox \(text.path): not an ELF file")
        expectOneLine(try Self.run(["--busybox", "/nonexistent/busybox"]), 66, "cannot open /nonexistent/busybox")
        if FileManager.default.fileExists(atPath: "/usr/bin/env") {   // a dynamic program
            expectOneLine(try Self.run(["--busybox", "/usr/bin/env"]), 65, "dynamically linked")
        }
    }
}

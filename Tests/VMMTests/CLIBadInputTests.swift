import Foundation
import Testing

/// Bad input gets one line on stderr and a documented status, never a trap.
/// The kernel is validated before /dev/kvm is opened, so these run anywhere.
@Suite struct CLIBadInputTests {
    func expectOneLineError(_ r: ProcessResult, status: Int32, containing text: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderrLines.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(text), "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func missingKernelFile() throws {
        expectOneLineError(try Run.vmm(["boot", "/nonexistent/kernel.elf"]), status: 66, containing: "cannot open /nonexistent/kernel.elf")
    }

    @Test func notAnELF() throws {
        let f = try TestGuests.file("script.sh", Array("#!/bin/sh\necho hello\n".utf8))
        expectOneLineError(try Run.vmm(["boot", f.path]), status: 65, containing: "not an ELF file")
    }

    @Test func emptyFile() throws {
        let f = try TestGuests.file("empty", [])
        expectOneLineError(try Run.vmm(["boot", f.path]), status: 65, containing: "truncated")
    }

    @Test func thirtyTwoBitELF() throws {
        var b = ELFBuilder(); b.ident[4] = 1
        let f = try TestGuests.file("elf32", b.bytes())
        expectOneLineError(try Run.vmm(["boot", f.path]), status: 65, containing: "32-bit")
    }

    @Test func sharedObjectIsNotAKernel() throws {
        var b = ELFBuilder(); b.type = 3
        let f = try TestGuests.file("dyn", b.bytes())
        expectOneLineError(try Run.vmm(["boot", f.path]), status: 65, containing: "ET_DYN")
    }

    @Test func kernelTooBigForRAM() throws {
        var b = ELFBuilder(); b.segments[0].memsz = 8 << 20
        let f = try TestGuests.file("big", b.bytes())
        expectOneLineError(try Run.vmm(["boot", f.path, "--memory", "4M"]), status: 65, containing: "outside guest RAM")
    }

    @Test func directoryIsNotAKernel() throws {
        expectOneLineError(try Run.vmm(["boot", "/tmp"]), status: 66, containing: "not a regular file")
    }

    @Test func malformedMemorySize() throws {
        let r = try Run.vmm(["boot", "/nonexistent", "--memory", "12Q"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("invalid memory size '12Q'"))
    }

    @Test func tooLongCommandLine() throws {
        let f = try TestGuests.file("ok.elf", ELFBuilder().bytes())
        let r = try Run.vmm(["boot", f.path, "--cmdline", String(repeating: "x", count: 5000)])
        expectOneLineError(r, status: 65, containing: "command line is 5000 bytes")
    }

    @Test func initrdThatDoesNotFit() throws {
        let f = try TestGuests.file("ok2.elf", ELFBuilder().bytes())
        let big = TestGuests.directory.appendingPathComponent("big-initrd")
        FileManager.default.createFile(atPath: big.path, contents: nil)
        let h = try FileHandle(forWritingTo: big); try h.truncate(atOffset: 5 << 20); try h.close()
        expectOneLineError(try Run.vmm(["boot", f.path, "--memory", "4M", "--initrd", big.path]),
                           status: 65, containing: "initrd of 5242880 bytes does not fit")
    }

    @Test func badTimeout() throws {
        let r = try Run.vmm(["boot", "/nonexistent", "--timeout", "-1"])
        #expect(r.status == 64)
    }
}

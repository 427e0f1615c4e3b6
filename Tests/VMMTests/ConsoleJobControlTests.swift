import Foundation
import Testing

/// Job control on the console (issue 13): console_jobctl.c, on the host in a
/// session of its own on a fresh pty (/dev/ptmx), in the guest on the
/// console (the program's controlling terminal): SIGTTIN and SIGTTOU for a
/// background group's reads, TOSTOP writes and terminal changes; EIO when
/// they are blocked or ignored (reads) or the group is orphaned.
enum ConsoleJobControl {
    static let program = "console_jobctl"
    static let hostHasPtys = FileManager.default.fileExists(atPath: "/dev/ptmx")
    static let noPtys = "the host has no /dev/ptmx: console_jobctl cannot run there, its guest half has nothing to compare with"
}

/// The host half: both libcs print the same lines, and they show job control. No KVM.
@Suite(.enabled(if: KernelTestPrograms.muslGCC != nil && ConsoleJobControl.hostHasPtys,
                Comment(rawValue: ConsoleJobControl.hostHasPtys ? KernelTestPrograms.skipReason : ConsoleJobControl.noPtys)))
struct ConsoleJobControlOnTheHostTests {
    @Test func glibcAndMuslPrintTheSameLinesOnTheHost() throws {
        try Differential.libcsAgreeOnTheHost(ConsoleJobControl.program)
        let musl = try #require(try Differential.host(ConsoleJobControl.program, "musl"))
        for line in ["read, SIGTTIN default: group stopped by SIGTTIN", "read, SIGTTIN ignored: -1 EIO",
                     "write 0 bytes, SIGTTOU blocked: 0", "orphaned read: -1 EIO"] {
            #expect(musl.stdout.contains(line + "\n"), "\(line)")
        }
    }
}

/// The guest half: `vmm run` prints the host's lines.
@Suite(.enabled(if: KernelTestPrograms.enabled && ConsoleJobControl.hostHasPtys,
                Comment(rawValue: !TestEnvironment.runKVMTests ? TestEnvironment.kvmSkipReason
                        : ConsoleJobControl.hostHasPtys ? KernelTestPrograms.skipReason : ConsoleJobControl.noPtys)))
struct ConsoleJobControlTests {
    @Test(arguments: KernelTestPrograms.libcs)
    func guestMatchesTheHostLineForLine(libc: String) throws {
        try Differential.guestMatchesTheHost(ConsoleJobControl.program, libc: libc)
    }
}

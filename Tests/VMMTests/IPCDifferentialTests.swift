import Foundation
import GuestKernel
import Testing

/// The differential programs of issue 12's locks and AF_UNIX sockets
/// (guest-images/kernel-tests/ipc_*.c), compared as the proc_*.c ones
/// (ProcessPrograms): host glibc vs musl, then the guest vs the host.
enum IPCPrograms {
    static let names = ["ipc_locks", "ipc_sockets"]
}

@Suite(.enabled(if: KernelTestPrograms.muslGCC != nil, Comment(rawValue: KernelTestPrograms.skipReason)))
struct IPCProgramsOnTheHostTests {
    @Test(arguments: IPCPrograms.names)
    func glibcAndMuslPrintTheSameLinesOnTheHost(program: String) throws {
        try Differential.libcsAgreeOnTheHost(program)
    }
}

@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct IPCDifferentialTests {
    @Test(arguments: IPCPrograms.names, ["musl", "glibc"])
    func guestMatchesTheHostLineForLine(program: String, libc: String) throws {
        try Differential.guestMatchesTheHost(program, libc: libc)
    }
}

/// The lock table is bounded (512 locks in frames): past it F_SETLK is
/// ENOLCK, not a panic; a lock that merges into one held still works, and
/// after unlocking everything locks work again. Linux has no such limit, so
/// this is a guest-only check.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct LockTableLimitTests {
    @Test func fullTableIsENOLCKAndRecovers() throws {
        guard let cc = KernelTestPrograms.muslGCC else { return }
        let exe = try RunCommandTests.build("ipc_locks", compiler: cc)
        let r = try Run.vmm(["run", "--memory", "256M", "--timeout", "240", exe.path, "table"], limit: 270)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "locked 512 ranges, then -1 ENOLCK\na range that merges with one held: 0\nunlock all: 0\nthen a lock: 0\n",
                "\(r.stdout)")
    }
}

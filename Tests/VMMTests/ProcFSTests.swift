import Foundation
import Testing
@testable import VMM

/// /proc in the guest kernel (FS/Proc*.swift): guest-images/kernel-tests/
/// procfs.c reads what BusyBox, bash and the libcs read (fixed fields of
/// /proc/self/stat and status, cmdline, the exe/cwd/fd links, the fd and
/// /proc listings, maps' [vdso] and [stack], the system-wide files' shapes)
/// and execs /proc/self/exe; its lines (booleans only) must be the host's.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct ProcFSTests {
    @Test(arguments: KernelTestPrograms.libcs)
    func procReadsAsOnTheHost(libc: String) throws {
        try Differential.guestMatchesTheHost("procfs", libc: libc, memory: "64M", timeout: 120)
    }
}

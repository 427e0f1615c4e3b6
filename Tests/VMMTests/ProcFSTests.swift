import Foundation
import GuestKernel
import Testing
@testable import VMM

/// /proc in the guest kernel (FS/Proc*.swift): guest-images/kernel-tests/
/// procfs.c reads what BusyBox, bash and the libcs read (fixed fields of
/// /proc/self/stat and status, cmdline, the exe/cwd/fd links, the fd and
/// /proc listings, maps' [vdso] and [stack], the system-wide files' shapes,
/// one text per open file across reads, CPU times and load averages that
/// move) and execs /proc/self/exe; its lines (booleans only) must be the host's.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct ProcFSTests {
    @Test(arguments: KernelTestPrograms.libcs)
    func procReadsAsOnTheHost(libc: String) throws {
        try Differential.guestMatchesTheHost("procfs", libc: libc, memory: "64M", timeout: 120)
    }

    /// Each open /proc file keeps its text in a page of its own
    /// (ProcSnapshot) until its last close: after 100 rounds of opening eight,
    /// reading, dup and fork, and closing, the frames free equal those after
    /// an idle run of the same program in the same boot.
    @Test func openFilesGiveTheirPagesBack() throws {
        let initrd = try KernelTestPrograms.initrd(programs: ["procfs"])
        let r = try Run.vmm(["boot", GuestKernel.elfPath, "--memory", "64M", "--timeout", "240", "--initrd", initrd.path,
                             "--cmdline", "debug init=/procfs -- rounds 0 ; /procfs rounds 100 ; /procfs rounds 0"], limit: 270)
        #expect(!r.stdout.contains("KERNEL FAULT"), "\(r.stdout)")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rounds: 100 of 100\n"), "\(r.stdout)")
        let free = GuestKernelTests.framesFree(r.stdout)
        #expect(free.count >= 2 && free.first == free.last, "frames free after the idle run and after the rounds: \(free)")
    }
}

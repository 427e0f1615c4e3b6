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
        let cc = try #require(KernelTestPrograms.compiler(libc))
        let exe = try RunCommandTests.build("procfs", compiler: cc)
        let host = try Run.program(exe, [])
        let guest = try Run.vmm(["run", "--memory", "64M", "--timeout", "120", exe.path])
        #expect(host.status == 0 && guest.status == 0, "\(guest.stdout) \(guest.stderr)")
        let h = host.stdout.split(separator: "\n"), g = guest.stdout.split(separator: "\n")
        #expect(g.count == h.count, "guest \(g.count) lines, host \(h.count): \(guest.stdout)")
        for (gl, hl) in zip(g, h) { #expect(gl == hl) }
        #expect(g.last == "done")
    }
}

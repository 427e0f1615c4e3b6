import Foundation
import Testing
@testable import VMM

/// /proc/PID/comm and status's Name: are task->comm (prctl PR_SET_NAME), as
/// on Linux: the same program on the host and in the guest, both libcs.
@Suite(.enabled(if: KernelTestPrograms.enabled, Comment(rawValue: KernelTestPrograms.skipReason)))
struct ProcCommTests {
    @Test(arguments: KernelTestPrograms.libcs)
    func commFollowsSetName(libc: String) throws {
        let exe = try RunCommandTests.build("proc_comm", compiler: KernelTestPrograms.compiler(libc)!)
        let host = try Run.program(exe, [])
        let guest = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", exe.path])
        #expect(host.status == 0 && guest.status == 0, "\(guest.stderr)")
        #expect(host.stdout.contains("comm=renamed"))
        #expect(guest.stdout == host.stdout)
    }
}

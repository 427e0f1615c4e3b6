import Foundation
import Testing

/// guest-images/kernel-tests/fidelity.c (issue 13: getrusage, times,
/// sysinfo, groups, chmod/chown/utimensat, timestamps, /dev numbers, link
/// counts, affinity, prctl names, getcpu) prints the host's lines in the
/// guest, with musl and with glibc.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct FidelityDifferentialTests {
    @Test(arguments: KernelTestPrograms.libcs)
    func guestMatchesTheHostLineForLine(libc: String) throws {
        let exe = try RunCommandTests.build("fidelity", compiler: try #require(KernelTestPrograms.compiler(libc)))
        let host = try Run.program(exe, [], limit: 60)
        #expect(host.status == 0 && host.stdout.hasSuffix("done\n"), "host: \(host.stderr)")
        let guest = try Run.vmm(["run", "--memory", "128M", "--timeout", "150", exe.path], limit: 180)
        Differential.compare(guest, with: host, "fidelity (\(libc)) guest vs host")
        #expect(!guest.stderr.contains("unimplemented"), "\(guest.stderr)")
    }

    /// guest-images/kernel-tests/priority.c: getpriority/setpriority's
    /// values, errors (EINVAL, ESRCH), clamp, PRIO_PGRP, fork and execve.
    @Test(arguments: KernelTestPrograms.libcs)
    func priorityMatchesTheHost(libc: String) throws {
        let exe = try RunCommandTests.build("priority", compiler: try #require(KernelTestPrograms.compiler(libc)))
        let host = try Run.program(exe, [], limit: 60)
        #expect(host.status == 0 && host.stdout.hasSuffix("done\n"), "host: \(host.stderr)")
        let guest = try Run.vmm(["run", "--memory", "128M", "--timeout", "120", exe.path], limit: 150)
        Differential.compare(guest, with: host, "priority (\(libc)) guest vs host")
        #expect(!guest.stderr.contains("unimplemented"), "\(guest.stderr)")
    }
}

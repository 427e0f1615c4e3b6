import Foundation
import Testing
@testable import VMM

/// The guest kernel's vDSO (guest-images/vdso, Memory/Vdso.swift):
/// guest-images/kernel-tests/vdso.c finds it through AT_SYSINFO_EHDR, looks
/// its LINUX_2.6 symbols up and checks that each vDSO reading brackets the
/// system call's reading of the same clock, in the parent, a forked child and
/// an exec'd one. Its output (booleans only) must be the host's, line for
/// line, with both libcs.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct VdsoTests {
    @Test(arguments: KernelTestPrograms.libcs)
    func vdsoAgreesWithTheSystemCallsAsOnTheHost(libc: String) throws {
        try Differential.guestMatchesTheHost("vdso", libc: libc, memory: "64M", timeout: 120)
    }
}

import Foundation
import GuestKernel
import Testing

/// The event-file differential programs (guest-images/kernel-tests/ev_*.c,
/// issue 12: eventfd, epoll, poll/select; issue 14: the 8-byte user accesses), built with gcc -static (glibc)
/// and musl-gcc -static, compared line for line with the host.
enum EventFilePrograms {
    static let names = ["ev_eventfd", "ev_epoll", "ev_poll", "ev_user_words"]
}

/// The host half: each program ends with "done" and status 0, and glibc and musl agree. No KVM.
@Suite(.enabled(if: KernelTestPrograms.muslGCC != nil, Comment(rawValue: KernelTestPrograms.skipReason)))
struct EventFileProgramsOnTheHostTests {
    @Test(arguments: EventFilePrograms.names)
    func glibcAndMuslPrintTheSameLinesOnTheHost(program: String) throws {
        try Differential.libcsAgreeOnTheHost(program)
    }
}

/// The guest half: `vmm run` of the same executable prints the host's lines.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct EventFileDifferentialTests {
    @Test(arguments: EventFilePrograms.names, ["musl", "glibc"])
    func guestMatchesTheHostLineForLine(program: String, libc: String) throws {
        try Differential.guestMatchesTheHost(program, libc: libc)
    }
}

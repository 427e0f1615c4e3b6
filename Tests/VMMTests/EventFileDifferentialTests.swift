import Foundation
import GuestKernel
import Testing

/// The event-file differential programs (guest-images/kernel-tests/ev_*.c,
/// issue 12: eventfd, epoll, poll/select), built with gcc -static (glibc)
/// and musl-gcc -static, compared line for line with the host.
enum EventFilePrograms {
    static let names = ["ev_eventfd", "ev_epoll", "ev_poll"]
}

/// The host half: each program ends with "done" and status 0, and glibc and musl agree. No KVM.
@Suite(.enabled(if: KernelTestPrograms.muslGCC != nil, Comment(rawValue: KernelTestPrograms.skipReason)))
struct EventFileProgramsOnTheHostTests {
    @Test(arguments: EventFilePrograms.names)
    func glibcAndMuslPrintTheSameLinesOnTheHost(program: String) throws {
        let musl = try #require(try ProcessPrograms.host(program, "musl"))
        #expect(musl.status == 0, "\(musl.stderr)")
        #expect(musl.stdout.hasSuffix("\ndone\n"), "\(musl.stdout)")
        guard let glibc = try ProcessPrograms.host(program, "glibc") else { return }
        ProcessPrograms.compare(glibc, with: musl, "\(program) glibc vs musl on the host")
    }
}

/// The guest half: `vmm run` of the same executable prints the host's lines.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct EventFileDifferentialTests {
    @Test(arguments: EventFilePrograms.names, ["musl", "glibc"])
    func guestMatchesTheHostLineForLine(program: String, libc: String) throws {
        guard let cc = ProcessPrograms.compiler(libc), let host = try ProcessPrograms.host(program, libc) else { return }
        #expect(host.status == 0, "host: \(host.stderr)")
        let exe = try RunCommandTests.build(program, compiler: cc)
        let guest = try Run.vmm(["run", "--memory", "256M", "--timeout", "150", exe.path], limit: 180)
        #expect(!guest.stdout.contains("KERNEL FAULT"), "\(guest.stdout)")
        ProcessPrograms.compare(guest, with: host, "\(program) (\(libc)) guest vs host")
    }
}

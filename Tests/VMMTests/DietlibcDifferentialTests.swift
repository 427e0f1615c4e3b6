import Foundation
import Testing

/// The third libc (issue 13): programs built by dietlibc's `diet -Os gcc
/// -static` (Debian dietlibc-dev), which finds the vDSO itself at start
/// (AT_SYSINFO_EHDR: without one every dietlibc program died of SIGSEGV) and
/// calls older system calls than glibc and musl do. The programs are those of
/// guest-images/kernel-tests that dietlibc builds (it lacks waitid,
/// syscall(3), posix_openpt, WIFCONTINUED, ...); on the host each prints
/// musl's lines, in the guest the host's.
enum DietlibcPrograms {
    /// procfs: dietlibc's readdir calls the old getdents(2).
    static let names = ["vdso", "ev_eventfd", "hugepages", "ipc_locks", "proc_comm", "proc_pipes", "console_jobctl", "procfs"]
    /// Expected to differ in the guest until the kernel has what they use.
    static let knownIssues: [String: String] = [:]
    static let all = names + knownIssues.keys.sorted()
    /// Skipped without `diet` outside CI; under CI=true a missing `diet` fails (.ci/run installs it).
    static let wanted = KernelTestPrograms.diet != nil || TestEnvironment.isCI
    static let skipReason = "diet not found (apt-get install dietlibc-dev): the dietlibc differential tests are skipped"

    static func requireDiet() throws {
        try #require(KernelTestPrograms.diet != nil, "CI=true and no diet on PATH: .ci/run installs dietlibc-dev")
    }
}

/// The host half: the dietlibc build prints the musl build's lines. No KVM.
@Suite(.enabled(if: DietlibcPrograms.wanted && KernelTestPrograms.muslGCC != nil,
                Comment(rawValue: KernelTestPrograms.diet == nil ? DietlibcPrograms.skipReason : KernelTestPrograms.muslSkipReason)))
struct DietlibcProgramsOnTheHostTests {
    @Test(arguments: DietlibcPrograms.all)
    func dietlibcPrintsMuslsLinesOnTheHost(program: String) throws {
        try DietlibcPrograms.requireDiet()
        let diet = try #require(try Differential.host(program, "dietlibc"))
        let musl = try #require(try Differential.host(program, "musl"))
        #expect(musl.status == 0, "\(musl.stderr)")
        Differential.compare(diet, with: musl, "\(program) dietlibc vs musl on the host")
    }
}

/// The guest half: `vmm run` of the dietlibc executable prints the host's lines.
@Suite(.enabled(if: KernelTestPrograms.enabled && DietlibcPrograms.wanted,
                Comment(rawValue: !TestEnvironment.runKVMTests ? TestEnvironment.kvmSkipReason
                        : KernelTestPrograms.diet == nil ? DietlibcPrograms.skipReason : KernelTestPrograms.skipReason)))
struct DietlibcDifferentialTests {
    @Test(arguments: DietlibcPrograms.all)
    func guestMatchesTheHostLineForLine(program: String) throws {
        try DietlibcPrograms.requireDiet()
        try Differential.guestMatchesTheHost(program, libc: "dietlibc", knownIssue: DietlibcPrograms.knownIssues[program])
    }

    /// hello.c: argv as given and the exit status (7), as on the host.
    @Test func helloSaysItsArgumentsAndStatus() throws {
        try DietlibcPrograms.requireDiet()
        let exe = try RunCommandTests.build("hello", compiler: try #require(KernelTestPrograms.diet))
        let host = try Run.program(exe, ["a b", ""])
        let guest = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", exe.path, "a b", ""])
        #expect(host.status == 7 && guest.status == 7, "\(guest.stderr)")
        #expect(guest.stdout == host.stdout && host.stdout.hasPrefix("hello from"))
    }
}

import Foundation
import GuestKernel
import Testing

/// The multi-process differential programs (guest-images/kernel-tests/proc_*.c,
/// issue 11), built with gcc -static (glibc) and musl-gcc -static.
enum ProcessPrograms {
    static let names = ["proc_fork", "proc_exec", "proc_wait", "proc_pipes", "proc_signals", "proc_sleep", "proc_stress", "proc_timer", "proc_sigframe", "proc_restart", "proc_cpuclock", "proc_itimer"]

    /// Programs whose guest run is still expected to differ from the host
    /// (issue 11); none today. Add a name with the reason here; remove it
    /// when its program matches: a listed program that starts matching fails
    /// ("known issue not recorded").
    static let notYetInTheGuest: Set<String> = []

    /// The guest's watchdog (vmm --timeout) per program: the others take a
    /// few seconds to a minute of emulated ring 0; proc_fork (50 children,
    /// COW of large regions: ~15.7M emulated instructions) about 130 s alone
    /// on this kvm_pvm and over 150 s under load.
    static func timeout(_ name: String) -> Int { name == "proc_stress" || name == "proc_fork" ? 300 : 150 }

    /// Arguments, the same on the host and in the guest: proc_stress runs 50
    /// rounds here (36-80 s in the guest on this shared 2-core machine; its
    /// default 200 took 140-230 s, and over 420 s with both libcs at once),
    /// ProcessLeakTests the full 200.
    static func arguments(_ name: String) -> [String] { name == "proc_stress" ? ["50"] : [] }
}

/// The host half: each program runs to "done" with status 0 on the host and
/// prints the same lines with glibc and musl (what the guest is compared to).
/// Needs no KVM.
@Suite(.enabled(if: KernelTestPrograms.muslGCC != nil, Comment(rawValue: KernelTestPrograms.skipReason)))
struct ProcessProgramsOnTheHostTests {
    @Test(arguments: ProcessPrograms.names)
    func glibcAndMuslPrintTheSameLinesOnTheHost(program: String) throws {
        try Differential.libcsAgreeOnTheHost(program, ProcessPrograms.arguments(program))
    }
}

/// The guest half: `vmm run` of the same executable prints the host's lines.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct ProcessDifferentialTests {
    @Test(arguments: ProcessPrograms.names, ["musl", "glibc"])
    func guestMatchesTheHostLineForLine(program: String, libc: String) throws {
        try Differential.guestMatchesTheHost(program, libc: libc, timeout: ProcessPrograms.timeout(program),
                                             arguments: ProcessPrograms.arguments(program),
                                             knownIssue: ProcessPrograms.notYetInTheGuest.contains(program)
                                                 ? "issue 11: \(program) needs processes in the guest kernel" : nil)
    }
}

/// Leak check (issue 11): the frames free after a run of proc_stress (200
/// rounds of fork/exit, fork+exec, COW writes, ping-pong, signal storms,
/// zombie and blocked piles) equal those after an idle run of the same
/// program in the same boot. The kernel prints "N frames free" when a
/// program of the run list ends (`debug`); the last program has no such line,
/// hence the idle run after the stress run.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct ProcessLeakTests {
    @Test func framesFreeAfterStressRoundsEqualTheIdleRun() throws {
        let initrd = try KernelTestPrograms.initrd(programs: ["proc_stress"])
        let r = try Run.vmm(["boot", GuestKernel.elfPath, "--memory", "256M", "--timeout", "480", "--initrd", initrd.path,
                             "--cmdline", "debug init=/proc_stress -- 0 ; /proc_stress 200 ; /proc_stress 0"], limit: 520)
        #expect(!r.stdout.contains("KERNEL FAULT"), "\(r.stdout)")
        #expect(r.status < 112 || r.status > 115, "the kernel stopped with its own status \(r.status)")
        // First: the idle run's teardown; last: the stress run's own (after
        // any per-child lines a multi-process kernel may print).
        let free = GuestKernelTests.framesFree(r.stdout)
        let check = {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("fork/exit: 200 of 200\n") && r.stdout.contains("fork+exec: 50 of 50\n"), "\(r.stdout)")
            #expect(free.count >= 2 && free.first == free.last, "frames free after the idle run and after the stress run: \(free)")
        }
        if ProcessPrograms.notYetInTheGuest.contains("proc_stress") {
            withKnownIssue("issue 11: proc_stress needs processes in the guest kernel") { check() }
        } else {
            check()
        }
    }
}

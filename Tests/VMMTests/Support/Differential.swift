import Foundation
import Testing

/// The differential pattern the kernel's suites share (developers' guide:
/// "small C programs run on the host and in the guest, output compared line
/// for line"): a program from guest-images/kernel-tests is built with
/// musl-gcc and with gcc -static (glibc); on the host both libcs must print
/// the same lines ending in "done", and `vmm run` of the same executable must
/// print the host's lines with the host's status. Each suite passes only its
/// program list and what its programs need (memory, watchdog, arguments).
enum Differential {
    /// The program built with `libc`'s compiler and run on the host; nil when
    /// that libc is not installed.
    static func host(_ program: String, _ libc: String, _ arguments: [String] = []) throws -> ProcessResult? {
        guard let cc = KernelTestPrograms.compiler(libc) else { return nil }
        return try Run.program(try RunCommandTests.build(program, compiler: cc), arguments, limit: 120)
    }

    static func lines(_ s: String) -> [Substring] { s.split(separator: "\n", omittingEmptySubsequences: false) }

    /// Line-for-line comparison, one issue per differing line.
    static func compare(_ actual: ProcessResult, with expected: ProcessResult, _ what: String) {
        let a = lines(actual.stdout), e = lines(expected.stdout)
        #expect(actual.status == expected.status, "\(what): status \(actual.status), expected \(expected.status); \(actual.stderr)")
        #expect(a.count == e.count, "\(what): \(a.count) lines, expected \(e.count)")
        for (i, (al, el)) in zip(a, e).enumerated() where al != el {
            Issue.record("\(what): line \(i + 1): \"\(al)\", expected \"\(el)\"")
        }
    }

    /// The host half: with musl the program ends in "done" with status 0, and
    /// glibc (when installed) prints the same lines. Needs no KVM.
    static func libcsAgreeOnTheHost(_ program: String, _ arguments: [String] = []) throws {
        let musl = try #require(try host(program, "musl", arguments))
        #expect(musl.status == 0, "\(musl.stderr)")
        #expect(musl.stdout.hasSuffix("\ndone\n"), "\(musl.stdout)")
        #expect(!musl.stdout.contains("no fault?"))
        guard let glibc = try host(program, "glibc", arguments) else { return }
        compare(glibc, with: musl, "\(program) glibc vs musl on the host")
    }

    /// The guest half: `vmm run` of the executable built with `libc` prints the
    /// host's lines with the host's status, without a kernel fault or one of
    /// the kernel's own stop statuses (112-115). `knownIssue` names why a
    /// program is still expected to differ; withKnownIssue fails when it
    /// matches, so the name must go when the program passes.
    static func guestMatchesTheHost(_ program: String, libc: String, memory: String = "256M", timeout: Int = 150,
                                    arguments: [String] = [], knownIssue: String? = nil) throws {
        guard let cc = KernelTestPrograms.compiler(libc), let host = try host(program, libc, arguments) else { return }
        #expect(host.status == 0, "host: \(host.stderr)")
        let exe = try RunCommandTests.build(program, compiler: cc)
        let guest = try Run.vmm(["run", "--memory", memory, "--timeout", "\(timeout)", exe.path] + arguments,
                                limit: Double(timeout + 30))
        #expect(!guest.stdout.contains("KERNEL FAULT"), "\(guest.stdout)")
        #expect(guest.status < 112 || guest.status > 115, "the kernel stopped with its own status \(guest.status)")
        let what = "\(program) (\(libc)) guest vs host"
        if let knownIssue {
            withKnownIssue(Comment(rawValue: knownIssue)) { compare(guest, with: host, what) }
        } else {
            compare(guest, with: host, what)
        }
    }
}

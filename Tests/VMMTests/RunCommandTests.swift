import Foundation
import Testing
@testable import VMM

/// `vmm run PROGRAM ARGS`: the built-in kernel runs a static program as init
/// from an initramfs the VMM writes, and vmm exits with the program's status.
@Suite(.enabled(if: KernelTestPrograms.enabled,
                Comment(rawValue: TestEnvironment.runKVMTests ? KernelTestPrograms.skipReason : TestEnvironment.kvmSkipReason)))
struct RunCommandTests {
    private static let lock = NSLock()
    private static var built: [String: URL] = [:]

    /// Each program is compiled once per test process: tests run in parallel
    /// and must never see a half-written executable.
    static func build(_ name: String, compiler: String) throws -> URL {
        let key = "\(name)-run-\((compiler as NSString).lastPathComponent)"
        lock.lock(); defer { lock.unlock() }
        if let exe = built[key] { return exe }
        let source = TestEnvironment.repositoryRoot.appendingPathComponent("guest-images/kernel-tests/\(name).c")
        let exe = TestGuests.directory.appendingPathComponent(key)
        let r = try Run.program(URL(fileURLWithPath: compiler),
                                KernelTestPrograms.wrapperArguments(compiler) + ["-static", "-O2", "-o", exe.path, source.path])
        guard r.status == 0 else { throw GuestBuildError(name: name, output: r.stderr) }
        built[key] = exe
        return exe
    }


    @Test func passesArgumentsAndReturnsTheStatus() throws {
        let exe = try Self.build("hello", compiler: KernelTestPrograms.defaultCompiler!)
        let r = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", exe.path, "a b", "", "--x=1"])
        #expect(r.stdout == "hello from \(exe.path), argc=4 [a b] [] [--x=1]\n", "\(r.stderr)")
        #expect(r.status == 7)
    }

    @Test func deathBySignalIsOneHundredTwentyEightPlusSignal() throws {
        let exe = try Self.build("faults", compiler: KernelTestPrograms.defaultCompiler!)
        let r = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", exe.path, "segv"])
        #expect(r.status == 139)
        // As a shell would say it, and the kernel's own line, both on stderr;
        // stdout holds only what the program printed.
        #expect(r.stderrLines.last == "vmm: \(exe.path) killed by SIGSEGV", "\(r.stderr)")
        #expect(r.stderr.contains("kernel: pid 1 killed by signal 11"))
        #expect(!r.stdout.contains("kernel:") && !r.stdout.contains("vmm:"))
        // A program that exits with an error status was not killed.
        let normal = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", exe.path])
        #expect(!normal.stderr.contains("killed by"), "\(normal.stderr)")
    }

    /// syscalls_run.c, hugepages.c and limits.c on the host and through `vmm
    /// run` print the same lines (lines starting with "~ " legitimately differ
    /// and compare by name). `vmm run` passes the host's THP policy to the guest.
    @Test(arguments: ["syscalls_run", "hugepages", "limits"], KernelTestPrograms.libcs)
    func matchesTheHostLineForLine(program: String, libc: String) throws {
        let cc = try #require(KernelTestPrograms.compiler(libc))
        let exe = try Self.build(program, compiler: cc)
        let host = try Run.program(exe, [])
        let guest = try Run.vmm(["run", "--memory", "64M", "--timeout", "120", exe.path])
        #expect(host.status == 0 && guest.status == 0, "\(guest.stderr)")
        func normalized(_ s: String) -> [Substring] {
            s.split(separator: "\n").map { $0.hasPrefix("~ ") ? $0.prefix { $0 != ":" } : $0 }
        }
        let h = normalized(host.stdout), g = normalized(guest.stdout)
        #expect(g.count == h.count, "guest \(g.count) lines, host \(h.count)")
        for (gl, hl) in zip(g, h) { #expect(gl == hl) }
        #expect(g.last == "done")
        if program == "hugepages" && HostHugePagePolicy.kernelParameter() != "transparent_hugepage=never" {
            // One touched byte made the whole 2 MiB resident: a 2 MiB page backs it.
            #expect(guest.stdout.contains("~ resident_after_one_touch: 512\n"), "\(guest.stdout)")
        }
    }

    /// Every argument that fits the 2047-byte command line arrives (the kernel
    /// kept 256 words, silently).
    @Test func nineHundredArgumentsAllArrive() throws {
        let exe = try Self.build("hello", compiler: KernelTestPrograms.defaultCompiler!)
        let r = try Run.vmm(["run", "--memory", "64M", "--timeout", "60", exe.path] + Array(repeating: "x", count: 900))
        #expect(r.stdout.hasPrefix("hello from \(exe.path), argc=901 "), "\(r.stdout.prefix(80)) \(r.stderr)")
        #expect(r.stdout.hasSuffix(" [x]\n"))
        #expect(r.status == 7)
    }

    /// Areas up to vm.max_map_count (65,530), then ENOMEM, as on the host
    /// (limits.c maps: ~65,500 mprotect splits; about 5 minutes here). The
    /// kernel kept 1,024. One libc: the calls are raw.
    @Test func areasUpToMaxMapCountAsTheHost() throws {
        let exe = try Self.build("limits", compiler: KernelTestPrograms.defaultCompiler!)
        let host = try Run.program(exe, ["maps"])
        let guest = try Run.vmm(["run", "--memory", "256M", "--timeout", "900", exe.path, "maps"], limit: 960)
        #expect(host.status == 0 && guest.status == 0, "\(guest.stdout) \(guest.stderr)")
        func normalized(_ s: String) -> [Substring] {
            s.split(separator: "\n").map { $0.hasPrefix("~ ") ? $0.prefix { $0 != ":" } : $0 }
        }
        #expect(normalized(guest.stdout) == normalized(host.stdout), "\(guest.stdout)")
        #expect(guest.stdout.contains("areas made > 65000: 1\n"))
    }

    /// (What --add puts in the image is checked in RunInitramfsTests.)
    @Test func malformedAdditionIsOneLineAndStatus65() throws {
        let exe = try Self.build("hello", compiler: KernelTestPrograms.defaultCompiler!)
        let bad = try Run.vmm(["run", "--add", "nocolon", exe.path])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("HOST_PATH:GUEST_PATH"))
    }
}

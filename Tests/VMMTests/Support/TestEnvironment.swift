import Foundation

/// Where things are, and whether /dev/kvm can be used, for the tests that
/// boot real guests.
enum TestEnvironment {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// /dev/kvm exists and this process may open it read-write.
    static let kvmUsable: Bool = access("/dev/kvm", R_OK | W_OK) == 0

    static let kvmSkipReason = "/dev/kvm is missing or not accessible (it is root-only here): KVM tests skipped"

    /// KVM suites run when KVM is usable, and always in CI, where its absence
    /// must fail rather than skip.
    static let runKVMTests = kvmUsable || isCI

    /// The `vmm` executable that `swift test` built beside the test bundle.
    static var vmmExecutable: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("vmm")
    }
}

/// A finished `vmm` process.
struct ProcessResult {
    let status: Int32
    let stdout: String
    let stderr: String
    var stderrLines: [Substring] { stderr.split(separator: "\n") }
}

enum Run {
    /// Runs a program to completion, capturing both streams. A program still
    /// running after `limit` seconds is killed, so nothing can hang the suite.
    /// `input`: what the process reads on stdin (nil: /dev/null).
    static func program(_ url: URL, _ arguments: [String], limit: Double = 60, input: Data? = nil) throws -> ProcessResult {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let inPipe = Pipe()
        p.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try p.run()
        if let input {
            signal(SIGPIPE, SIG_IGN)     // a process that exits unread gives EPIPE, not this process's death
            // Written from its own thread: a reader that takes it slowly (or never) cannot block this one.
            DispatchQueue.global().async {
                try? inPipe.fileHandleForWriting.write(contentsOf: input)
                try? inPipe.fileHandleForWriting.close()
            }
        }
        let pid = p.processIdentifier
        let killer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: killer)
        defer { killer.cancel() }
        // Read both pipes while it runs so a chatty process cannot block.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return ProcessResult(status: status, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Without an explicit `limit`, vmm gets 30 s more than the guest's own
    /// `--timeout` (at least 60 s), so a slow run on a loaded machine ends by
    /// vmm's watchdog with its report, not by this SIGKILL (status 137).
    static func vmm(_ arguments: [String], limit: Double? = nil, input: Data? = nil) throws -> ProcessResult {
        var guestTimeout = 0.0
        if let i = arguments.firstIndex(of: "--timeout"), i + 1 < arguments.count {
            guestTimeout = Double(arguments[i + 1]) ?? 0
        }
        return try program(TestEnvironment.vmmExecutable, arguments,
                           limit: limit ?? max(60, guestTimeout + 30), input: input)
    }
}

/// Builds the assembly test guests in guest-images/test-guests with the
/// system C compiler, once per test process, into a temporary directory.
enum TestGuests {
    static let directory: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vmm-test-guests-\(getpid())")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    private static let lock = NSLock()
    private static var built: [String: URL] = [:]

    static func source(_ name: String) -> URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("guest-images/test-guests/\(name).S")
    }

    /// The ELF for guest `name`, built on first use.
    static func elf(_ name: String, defines: [String] = []) throws -> URL {
        let key = ([name] + defines).joined(separator: " ")
        lock.lock(); defer { lock.unlock() }
        if let url = built[key] { return url }
        let out = directory.appendingPathComponent("\(name)\(defines.joined()).elf")
        var args = ["-nostdlib", "-static", "-no-pie", "-Wl,--build-id=none", "-Wl,-Ttext=0x100000",
                    "-I", TestEnvironment.repositoryRoot.appendingPathComponent("Sources/CKVM/include").path]
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("guest-images/test-guests/\(name).ld")
        if FileManager.default.fileExists(atPath: script.path) { args += ["-Wl,-T,\(script.path)"] }
        args += defines.map { "-D\($0)" } + ["-o", out.path, source(name).path]
        let r = try Run.program(URL(fileURLWithPath: "/usr/bin/cc"), args)
        guard r.status == 0 else { throw GuestBuildError(name: name, output: r.stderr) }
        built[key] = out
        return out
    }

    /// A file with these bytes, for the bad-input tests.
    static func file(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }
}

struct GuestBuildError: Error, CustomStringConvertible {
    let name: String
    let output: String
    var description: String { "building test guest \(name) failed:\n\(output)" }
}

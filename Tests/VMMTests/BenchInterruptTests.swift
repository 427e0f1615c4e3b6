import Foundation
import Testing

/// Ctrl-C and SIGTERM end a whole `vmm bench` run: in a guest run and in a
/// host run, the table of what finished is printed with a line saying so,
/// --json is marked incomplete, no further benchmark starts, and the status
/// is 128 + the signal.
@Suite(.enabled(if: TestEnvironment.runKVMTests, Comment(rawValue: TestEnvironment.kvmSkipReason)))
struct BenchInterruptTests {
    struct Stopped {
        let status: Int32
        let stdout: String
        let stderr: String
        let secondsToStop: Double
    }

    /// Starts `vmm bench ARGS`, waits until stderr contains `when`, sends
    /// `signal`, and waits for the end (killed after 60 s: never a hang).
    func interrupt(_ args: [String], when: String, with signal: Int32) throws -> Stopped {
        let dir = TestGuests.directory
        let out = dir.appendingPathComponent("int-\(UUID().uuidString).out")
        let err = dir.appendingPathComponent("int-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = TestEnvironment.vmmExecutable
        p.arguments = ["bench"] + args
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let pid = p.processIdentifier
        let killer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: killer)
        defer { killer.cancel() }
        let deadline = Date().addingTimeInterval(100)
        while p.isRunning, Date() < deadline,
              !(String(data: (try? Data(contentsOf: err)) ?? Data(), encoding: .utf8) ?? "").contains(when) {
            usleep(20_000)
        }
        usleep(300_000)                     // well inside that step
        let sent = Date()
        kill(pid, signal)
        p.waitUntilExit()
        let took = Date().timeIntervalSince(sent)
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return Stopped(status: status, stdout: try String(contentsOf: out, encoding: .utf8),
                       stderr: try String(contentsOf: err, encoding: .utf8), secondsToStop: took)
    }

    @Test func sigintDuringAGuestRunEndsTheWholeRun() throws {
        let json = TestGuests.directory.appendingPathComponent("int-\(UUID().uuidString).json")
        // --full: the guest's 1M getpid take minutes here, the host's a few seconds.
        let r = try interrupt(["--full", "--repeat", "1", "--memory", "64M", "--filter", "^(getpid|gettid)$",
                               "--json", json.path], when: "[1/2] getpid: guest", with: SIGINT)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.secondsToStop < 10, "took \(r.secondsToStop) s")   // a hang guard; the target is 2 s
        #expect(r.stdout.contains("interrupted by SIGINT: 0 of 2 benchmarks finished"), "\(r.stdout)")
        #expect(r.stdout.contains("benchmark"))                       // the (empty) table's header
        #expect(!r.stderr.contains("[2/2]"), "\(r.stderr)")          // no second benchmark started
        #expect(!r.stderr.contains("watchdog:"))
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        #expect(doc["complete"] as? Bool == false)
        #expect(doc["interrupted_by"] as? String == "SIGINT")
    }

    @Test func sigtermDuringAHostRunKillsTheChildAndEndsTheRun() throws {
        let r = try interrupt(["--full", "--repeat", "3", "--memory", "64M", "--filter", "^(getpid|gettid)$"],
                              when: "[1/2] getpid: host", with: SIGTERM)
        #expect(r.status == 143, "\(r.stderr)")
        #expect(r.secondsToStop < 10, "took \(r.secondsToStop) s")
        #expect(r.stdout.contains("interrupted by SIGTERM: 0 of 2 benchmarks finished"), "\(r.stdout)")
        #expect(!r.stderr.contains("getpid: guest"), "\(r.stderr)")
    }
}

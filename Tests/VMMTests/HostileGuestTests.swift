import Foundation
import Testing

/// What a hostile guest or a hostile environment must not do to the VMM:
/// grow it without bound, make it lose output silently, or reach the
/// terminal through it (issue 9).
@Suite(.enabled(if: TestEnvironment.runKVMTests, Comment(rawValue: TestEnvironment.kvmSkipReason)))
struct HostileGuestTests {
    func boot(_ guest: String, _ extra: [String] = [], limit: Double = 60) throws -> ProcessResult {
        try Run.vmm(["boot", try TestGuests.elf(guest).path, "--memory", "16M"] + extra, limit: limit)
    }

    /// 200,000 marks and 100 reports: the first 4096 marks and 64 reports are
    /// kept, the rest counted; the VMM's own memory stays small (it was
    /// ~417 MiB for 200,000 marks when every mark was kept).
    @Test func markFloodLeavesMemoryBounded() throws {
        let json = TestGuests.directory.appendingPathComponent("flood-\(UUID().uuidString).json")
        let r = try boot("hypercall_flood", ["--json-stats", json.path, "--exit-stats"], limit: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        #expect((doc["marks"] as? [Any])?.count == 4096)
        #expect(doc["marks_total"] as? Int == 200_000)
        #expect(doc["marks_dropped"] as? Int == 200_000 - 4096)
        #expect((doc["last_dropped_mark"] as? [String: Any])?["id"] as? Int == 199_999)
        #expect((doc["reports"] as? [Any])?.count == 64)
        #expect(doc["reports_dropped"] as? Int == 36)
        let privateBytes = try #require(doc["vmm_resident_private_bytes"] as? Int)
        #expect(privateBytes < 64 << 20, "VMM private memory \(privateBytes >> 20) MiB")
        #expect(r.stderr.contains("200000 marks: the first 4096 are listed, 195904 more were counted and dropped"))
        #expect(r.stderr.contains("36 more reports, 720 bytes, were counted and dropped"))
        // The report's ESC byte and backslash reach the terminal escaped.
        #expect(!r.stderr.contains("\u{1b}"))
        #expect(r.stderr.contains(#"red=\x1b[31m back=\\ end"#))
    }

    static let floodBytes: [UInt8] = (0..<50_000).map { i in i % 64 == 63 ? 0x0a : UInt8(97 + i % 26) }

    /// stdout a non-blocking 4 KiB pipe read slowly: every byte arrives (was
    /// 23,869 of 50,000 and status 0: EAGAIN dropped the rest).
    @Test func slowNonBlockingPipeGetsEveryByte() throws {
        let p = Process()
        p.executableURL = TestEnvironment.vmmExecutable
        p.arguments = ["boot", try TestGuests.elf("console_flood").path, "--memory", "16M"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let w = out.fileHandleForWriting.fileDescriptor
        _ = fcntl(w, 1031 /* F_SETPIPE_SZ */, 4096)
        #expect(fcntl(w, F_SETFL, fcntl(w, F_GETFL) | O_NONBLOCK) == 0)
        try p.run()
        try out.fileHandleForWriting.close()
        var got: [UInt8] = []
        let r = out.fileHandleForReading.fileDescriptor
        var chunk = [UInt8](repeating: 0, count: 512)
        // A slow reader: the guest writes ~10 KB/s here, so the 4 KiB pipe is
        // full (EAGAIN) within the first pause and again at each later one.
        usleep(1_000_000)
        for reads in 0... {
            usleep(reads % 16 == 15 ? 200_000 : 500)
            let n = chunk.withUnsafeMutableBytes { read(r, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            got += chunk[0..<n]
        }
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(stderr)")
        #expect(got.count == Self.floodBytes.count)
        #expect(got == Self.floodBytes)
    }

    /// A full disk, a closed stdout, a broken pipe: status 74 and one line
    /// naming the error (each was status 0 and silence).
    @Test(arguments: [(">/dev/full", "No space left on device"), (">&-", "Bad file descriptor"),
                      ("| head -c 10 >/dev/null", "Broken pipe")])
    func consoleWriteErrorStopsTheGuest(_ redirection: String, _ error: String) throws {
        let vmm = TestEnvironment.vmmExecutable.path, guest = try TestGuests.elf("console_flood").path
        let r = try Run.program(URL(fileURLWithPath: "/bin/bash"),
                                ["-c", "'\(vmm)' boot '\(guest)' --memory 16M \(redirection); echo \"status ${PIPESTATUS[0]}\""])
        #expect(r.stdout == "status 74\n", "\(r.stderr)")
        #expect(r.stderrLines == ["vmm: cannot write the guest's console output to stdout: \(error); guest stopped"])
    }

    /// The debug hook makes the vCPU thread call open(2) once its seccomp
    /// filter is on: the filter refuses it with one line naming the call
    /// (openat, 257) and status 159; without the hook the same guest runs.
    @Test func forbiddenSystemCallOnTheVCPUThreadIsRefused() throws {
        let guest = try TestGuests.elf("hello").path
        let r = try Run.program(URL(fileURLWithPath: "/usr/bin/env"),
                                ["VMM_DEBUG_SECCOMP_PROBE=open", TestEnvironment.vmmExecutable.path, "boot", guest, "--memory", "16M"])
        #expect(r.status == 159, "\(r.stderr)")
        #expect(r.stderrLines == ["vmm: seccomp: the vCPU thread made system call 257, which the filter does not allow "
                                  + "once the guest runs (README, \"Seccomp\"); stopped"])
        #expect(r.stdout.isEmpty)
        let ok = try boot("hello")
        #expect(ok.status == 0 && ok.stdout == "hello from the guest\n", "\(ok.stderr)")
    }
}

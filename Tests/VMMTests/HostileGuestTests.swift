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
}

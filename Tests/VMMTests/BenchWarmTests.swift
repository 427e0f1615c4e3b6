import Foundation
import Testing

/// `vmm bench --warm none|touch`: the warm-up and the stage-2 figures are
/// reported (their size is a measurement, not asserted).
@Suite(.enabled(if: TestEnvironment.runKVMTests, Comment(rawValue: TestEnvironment.kvmSkipReason)))
struct BenchWarmTests {
    @Test(arguments: ["none", "touch"]) func warmModeAndStage2FaultsAreReported(mode: String) throws {
        let json = TestGuests.directory.appendingPathComponent("warm-\(mode)-\(UUID().uuidString).json")
        let r = try Run.vmm(["--prealloc", "bench", "--quick", "--budget-ms", "5", "--repeat", "1", "--memory", "64M",
                             "--warm", mode, "--filter", "^mmap_fault$", "--json", json.path], limit: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("warm-up: \(mode)") && r.stdout.contains("s2 faults/op"), "\(r.stdout)")
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let env = try #require(doc["environment"] as? [String: Any])
        #expect(env["warm"] as? String == mode)
        let boot = try #require(env["warm_median_boot"] as? [String: Any])
        #expect(boot["mode"] as? String == mode)
        #expect(boot["populate_ns"] is NSNumber && boot["mlock_ns"] is NSNumber)
        if mode == "touch" {
            #expect(boot["guest_touch_ns"] is NSNumber, "the guest's touch marks were not seen")
        } else {
            #expect(boot["guest_touch_ns"] is NSNull)
        }
        let b = try #require((doc["benchmarks"] as? [[String: Any]])?.first)
        #expect(b["stage2_faults_per_op"] is NSNumber, "\(b)")
        #expect(b["kvm_stats_per_op"] is [String: Any])
    }
}

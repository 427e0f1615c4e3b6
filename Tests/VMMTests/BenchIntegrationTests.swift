import Foundation
import Testing

/// `vmm bench` end to end: two benchmarks on the host and in the built-in
/// kernel. No timing is asserted; only what is deterministic.
@Suite(.enabled(if: TestEnvironment.runKVMTests, Comment(rawValue: TestEnvironment.kvmSkipReason)))
struct BenchIntegrationTests {
    @Test func twoSyscallBenchmarksRunInTheGuestWithoutExits() throws {
        let json = TestGuests.directory.appendingPathComponent("bench-\(UUID().uuidString).json")
        let svg = TestGuests.directory.appendingPathComponent("bench-\(UUID().uuidString).svg")
        let r = try Run.vmm(["bench", "--quick", "--budget-ms", "5", "--repeat", "2", "--memory", "64M",
                             "--filter", "^(getpid|read_null)$", "--json", json.path, "--svg", svg.path], limit: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("getpid") && r.stdout.contains("read_null"))
        #expect(r.stderr.contains("[1/2] getpid: host") && r.stderr.contains("[2/2] read_null: guest"))

        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let env = try #require(doc["environment"] as? [String: Any])
        let kind = try #require(env["kvm_kind"] as? String)
        let benchmarks = try #require(doc["benchmarks"] as? [[String: Any]])
        #expect(benchmarks.compactMap { $0["name"] as? String } == ["getpid", "read_null"])
        for b in benchmarks {
            let name = b["name"] as? String ?? "?"
            #expect(b["status"] as? String != "skipped", "\(name): \(b["reason"] ?? "")")
            #expect(b["exits_per_op"] as? Double == 0, "\(name)")
            #expect((b["host_ns"] as? Double ?? 0) > 0 && (b["guest_ns"] as? Double ?? 0) > 0, "\(name)")
            if kind == "software" {
                #expect((b["guest_kernel_instructions_per_op"] as? Double ?? 0) > 0, "\(name)")
            } else {
                #expect(b["guest_kernel_instructions_per_op"] is NSNull, "\(name)")
            }
        }
        #expect(try String(contentsOf: svg, encoding: .utf8).contains("read_null"))
    }

    @Test func aBaselineThatRanMoreIsACheckFailure() throws {
        // A baseline in which getpid needed far fewer instructions: --check must fail.
        let baseline = TestGuests.directory.appendingPathComponent("baseline-\(UUID().uuidString).json")
        try Data("""
            {"benchmarks": [{"name": "getpid", "status": "ok", "exits_per_op": 0,
              "guest_kernel_instructions_per_op": 1, "guest_repetitions": [{"rep": 0, "iters": 50}]}]}
            """.utf8).write(to: baseline)
        let r = try Run.vmm(["bench", "--quick", "--budget-ms", "5", "--repeat", "1", "--memory", "64M",
                             "--filter", "^getpid$", "--baseline", baseline.path, "--check"], limit: 300)
        if r.stdout.contains("software-assisted") {
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("getpid: guest-kernel instructions/op grew"))
        } else {
            #expect(r.status == 0)    // nothing is counted where KVM does not emulate
        }
    }

    @Test func aBaselineAskingHoursOfGuestWorkIsRefusedUpFront() throws {
        // A baseline asking 100M getpid per repetition: far past the refusal
        // bound on emulated KVM whatever the host speed (1M sat near it).
        let baseline = TestGuests.directory.appendingPathComponent("huge-\(UUID().uuidString).json")
        try Data("""
            {"benchmarks": [{"name": "getpid", "status": "ok", "exits_per_op": 0,
              "guest_kernel_instructions_per_op": 37, "guest_repetitions": [{"rep": 0, "iters": 100000000}]}]}
            """.utf8).write(to: baseline)
        let r = try Run.vmm(["bench", "--memory", "64M", "--filter", "^getpid$", "--baseline", baseline.path, "--check"], limit: 120)
        if r.stderr.contains("emulated") {
            #expect(r.status == 64, "\(r.stderr)")
            #expect(r.stderr.contains("the baseline's 100000000 iterations per repetition would take about"))
            #expect(!r.stderr.contains("getpid: guest"))          // refused before the guest ran
        } else {
            #expect(r.status == 0, "\(r.stderr)")               // minutes at most on hardware KVM
        }
    }
}

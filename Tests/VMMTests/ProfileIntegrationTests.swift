import Foundation
import GuestImages
import Testing

/// `vmm bench --profile` and `vmm run --profile` on real KVM: the profile's
/// total is the benchmark's instr/op from an ordinary `vmm bench`.
@Suite(.enabled(if: TestEnvironment.runKVMTests, Comment(rawValue: TestEnvironment.kvmSkipReason)))
struct ProfileIntegrationTests {
    /// The number before `suffix` on the line ending in it.
    static func figure(_ text: String, lineContaining suffix: String) -> Double? {
        text.split(separator: "\n").first { $0.contains(suffix) }
            .flatMap { $0.split(separator: " ").first }.flatMap { Double($0) }
    }

    @Test func getpidProfileTotalsItsInstructionsPerOp() throws {
        let p = try Run.vmm(["bench", "--memory", "64M", "--profile", "getpid", "--profile-iters", "50"], limit: 600)
        #expect(p.status == 0, "\(p.stderr)")
        guard p.stdout.contains("total = KVM insn_emulation") else {
            // Hardware-assisted KVM: insn_emulation is no instruction count (README, "Profiling the guest kernel").
            #expect(p.stdout.contains("not read"), "\(p.stdout)")
            return
        }
        let total = try #require(Self.figure(p.stdout, lineContaining: "total = KVM insn_emulation"))
        let stepped = try #require(Self.figure(p.stdout, lineContaining: "total single-stepped"))
        #expect(total - stepped == 1, "one unstepped instruction per system call: the return to user mode\n\(p.stdout)")
        #expect(p.stdout.contains("syscall_getpid"))

        let b = try Run.vmm(["bench", "--quick", "--budget-ms", "5", "--repeat", "1", "--memory", "64M",
                             "--filter", "^getpid$", "--json", TestGuests.directory.appendingPathComponent("p-\(UUID().uuidString).json").path],
                            limit: 300)
        #expect(b.status == 0, "\(b.stderr)")
        let row = try #require(b.stdout.split(separator: "\n").first { $0.hasPrefix("getpid ") })
        let columns = row.split(separator: " ")
        // instr/op is the second-to-last column.
        let instrPerOp = try #require(Double(columns[columns.count - 2]))
        #expect(instrPerOp == total, "\(row)\n\(p.stdout)")
    }

    @Test func runProfileNamesKernelFunctions() throws {
        let out = TestGuests.directory.appendingPathComponent("profile-\(UUID().uuidString).txt")
        let bench = GuestImages.benchPath
        let r = try Run.vmm(["run", "--memory", "64M", "--profile", out.path, bench, "--list"], limit: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("== the whole run:") && text.contains("syscall_dispatch"))
        #expect(!text.contains(" 0 function symbols"))
    }
}

import Foundation
import Testing

/// Boots the assembly test guests under /dev/kvm through the `vmm` binary.
@Suite(.enabled(if: TestEnvironment.runKVMTests, Comment(rawValue: TestEnvironment.kvmSkipReason)))
struct BootIntegrationTests {
    func boot(_ guest: String, _ extra: [String] = []) throws -> ProcessResult {
        try Run.vmm(["boot", try TestGuests.elf(guest).path, "--memory", "64M"] + extra)
    }

    @Test func kvmIsAvailable() {
        #expect(TestEnvironment.kvmUsable, "CI=true but \(TestEnvironment.kvmSkipReason)")
    }

    @Test func consoleHello() throws {
        let r = try boot("hello")
        #expect(r.status == 0)
        #expect(r.stdout == "hello from the guest\n")
        #expect(r.stderr == "")
    }

    @Test func exitStatusIsTheGuestsValue() throws {
        #expect(try boot("exit_status").status == 42)
    }

    @Test func highHalfKernelRunsAtItsLinkAddress() throws {
        let r = try boot("highhalf")
        #expect(r.status == 0)
        #expect(r.stdout == "high half ok\n")
    }

    @Test func tripleFaultDumpsRegisters() throws {
        let r = try boot("triple_fault")
        #expect(r.status == 121)
        #expect(r.stdout.hasPrefix("about to triple fault"))      // what came before is kept
        #expect(r.stderr.contains("triple fault"))
        for field in ["rip", "rsp", "cr2", "cr3"] { #expect(r.stderr.contains(field), "\(field)") }
        #expect(r.stderr.range(of: #"rax\s+1111222233334444"#, options: .regularExpression) != nil)
        #expect(r.stderr.contains("bytes at rip: 0f 0b"))        // ud2
    }

    @Test func haltStopsWithItsStatus() throws {
        let r = try boot("halt")
        #expect(r.status == 120)
        #expect(r.stdout == "halting\n")
        #expect(r.stderr.contains("HLT"))
    }

    @Test func unknownPortIsReported() throws {
        let r = try boot("unknown_port")
        #expect(r.status == 116)
        #expect(r.stderrLines.first == "vmm: guest wrote 0x5a (1 byte) to unknown port 0x1234")
        #expect(try boot("unknown_port", ["--ignore-unknown-io"]).status == 3)
    }

    @Test func mmioToNoDeviceIsReported() throws {
        let r = try boot("mmio")
        #expect(r.status == 117)
        #expect(r.stderrLines.first == "vmm: guest MMIO write of 0xdeadbeef (4 bytes) to 0xd0000000: no device there")
        #expect(try boot("mmio", ["--ignore-unknown-io"]).status == 5)
    }

    @Test func watchdogStopsASpinningGuest() throws {
        let start = Date()
        let r = try boot("spin", ["--timeout", "0.3"])
        #expect(r.status == 124)
        #expect(r.stdout == "spinning\n")
        #expect(r.stderr.contains("watchdog"))
        #expect(r.stderr.contains("bytes at rip: eb fe"))          // jmp .
        #expect(Date().timeIntervalSince(start) < 30)             // it did stop
    }

    @Test func unemulatableInstructionIsAnInternalErrorOrRuns() throws {
        let r = try boot("bad_sse")
        // Software-assisted KVM cannot emulate SSE in ring 0 (platform.md); hardware runs it.
        #expect(r.status == 123 || (r.status == 0 && r.stdout.contains("sse ok")), "\(r.status) \(r.stderr)")
        if r.status == 123 { #expect(r.stderr.contains("KVM_EXIT_INTERNAL_ERROR")) }
    }

    @Test func markPairBracketsExitsAndInstructions() throws {
        let json = TestGuests.directory.appendingPathComponent("marks-\(UUID().uuidString).json")
        let r = try boot("marks", ["--json-stats", json.path])
        #expect(r.status == 0)
        #expect(r.stdout.contains("marks ok"))
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let marks = try #require(doc["marks"] as? [[String: Any]])
        #expect(marks.compactMap { $0["id"] as? Int } == [1, 2])
        let e1 = try #require(marks[0]["exits"] as? Int), e2 = try #require(marks[1]["exits"] as? Int)
        #expect(e2 - e1 == 11)                                    // 10 null-port writes + the closing mark
        let byKind = try #require(marks[1]["exits_by_kind"] as? [String: Int])
        #expect(byKind["io-out 0x080 (null)"] == 10)
        let kind = try #require(doc["kvm_kind"] as? String)
        let s1 = marks[0]["kvm_stats"] as? [String: Int], s2 = marks[1]["kvm_stats"] as? [String: Int]
        if kind == "software" {
            // Emulated ring 0: every guest instruction between the marks is counted.
            let i1 = try #require(s1?["insn_emulation"]), i2 = try #require(s2?["insn_emulation"])
            #expect(i2 - i1 >= 30)                                // 10 x (out, dec, jnz) at least
        }
        #expect(doc["reports"] as? [String] == ["answer=42"])
    }

    @Test func preallocAndHugePagesWithBootInfo() throws {
        let json = TestGuests.directory.appendingPathComponent("prealloc-\(UUID().uuidString).json")
        // Huge pages are the default (no --hugepages), as QEMU's.
        let r = try boot("bootinfo", ["--prealloc", "--exit-stats", "--cmdline", "console=com1 quiet",
                                      "--json-stats", json.path])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let flags = try #require(doc["boot_flags"] as? Int)
        #expect(flags & 0b11 == 0b11)                             // PREALLOCATED | HUGEPAGES
        #expect(flags & 0b1100 != 0)                              // stage-2 warmed, or the guest asked to
        #expect(doc["preallocated"] as? Bool == true)
        #expect((doc["populate_ns"] as? Int ?? 0) > 0)
        let hexFlags = String(flags, radix: 16)
        let expected = "bootinfo ok\nflags=" + String(repeating: "0", count: 16 - hexFlags.count) + hexFlags
            + "\nconsole=com1 quiet\ntouched\n"
        #expect(r.stdout == expected)
        #expect(r.stderr.contains("preallocated: populate"))
        #expect(r.stderr.contains("KVM statistics"))
    }

    @Test func noHugePagesOptsOut() throws {
        let json = TestGuests.directory.appendingPathComponent("nohuge-\(UUID().uuidString).json")
        let r = try boot("bootinfo", ["--prealloc", "--no-hugepages", "--cmdline", "quiet", "--json-stats", json.path])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        #expect((try #require(doc["boot_flags"] as? Int)) & 0b10 == 0)   // no HUGEPAGES
        #expect(doc["hugepages_advised"] as? Bool == false)
    }

    @Test func exitStatsNameTheKVMKindAndCountEveryExit() throws {
        let r = try boot("hello", ["--exit-stats"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("-assisted KVM") || r.stderr.contains("unknown kind"))
        // 21 THR writes and 21 LSR polls, one exit-port write.
        #expect(r.stderr.contains("io-out 0x3f8 (com1)"))
        #expect(r.stderr.contains("io-out 0x501 (exit)"))
        #expect(r.stderr.range(of: #"total\s+43\s"#, options: .regularExpression) != nil, "\(r.stderr)")
    }

    @Test func infoAndVersionSayWhichKVM() throws {
        let info = try Run.vmm(["info"])
        #expect(info.status == 0)
        #expect(info.stdout.contains("kvm: "))
        #expect(info.stdout.contains("KVM_CAP_PRE_FAULT_MEMORY"))
        let version = try Run.vmm(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("KVM"))
    }
}

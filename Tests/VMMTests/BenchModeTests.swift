import CKVM
import Glibc
import Testing
@testable import VMM

/// CPUID 0x40000000's signature registers for a 12-byte name.
func signatureRegisters(_ s: String) -> (UInt32, UInt32, UInt32) {
    var b = Array(s.utf8) + [UInt8](repeating: 0, count: 12)
    b = Array(b.prefix(12))
    func word(_ i: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[i + $1]) << (8 * UInt32($1)) } }
    return (word(0), word(4), word(8))
}

@Suite struct OuterHypervisorTests {
    func parse(_ s: String, present: Bool = true) -> OuterHypervisor? {
        let (b, c, d) = signatureRegisters(s)
        return OuterHypervisor.parse(leaf1ECX: present ? 1 << 31 : 0, ebx: b, ecx: c, edx: d)
    }

    @Test func namesTheKnownSignatures() {
        #expect(parse("TCGTCGTCGTCG") == OuterHypervisor(signature: "TCGTCGTCGTCG", name: "QEMU TCG (CPU emulated)", emulatesCPU: true))
        #expect(parse("KVMKVMKVM")?.name == "KVM")          // "KVMKVMKVM\0\0\0"
        #expect(parse("KVMKVMKVM")?.emulatesCPU == false)
        #expect(parse("Microsoft Hv")?.name == "Hyper-V")
        #expect(parse("VMwareVMware")?.emulatesCPU == false)
    }

    @Test func withoutTheHypervisorBitOnlyAKnownSignatureCounts() {
        #expect(parse("GenuineIntel", present: false) == nil)   // leaf 0x40000000 is undefined then
        #expect(parse("", present: false) == nil)
        #expect(parse("TCGTCGTCGTCG", present: false)?.emulatesCPU == true)
    }

    @Test func anUnknownSignatureIsShownAsIs() {
        let h = parse("Weird\u{1}Hv")
        #expect(h?.signature == "Weird?Hv" && h?.name == "an unknown hypervisor" && h?.emulatesCPU == false)
    }

    @Test func describesTheHostItRunsOn() {
        // Whatever this machine is, detect() and info agree and never trap.
        let h = OuterHypervisor.detect()
        #expect(h?.description.contains("CPUID 0x40000000") ?? true)
    }
}

@Suite struct IterationModeTests {
    let tcg = OuterHypervisor(signature: "TCGTCGTCGTCG", name: "QEMU TCG (CPU emulated)", emulatesCPU: true)
    let kvm = OuterHypervisor(signature: "KVMKVMKVM", name: "KVM", emulatesCPU: false)
    let amd = KVMKind.hardware(vendor: "AMD SVM, kvm_amd")
    let pvm = KVMKind.software(module: "kvm_pvm")

    @Test func hardwareKVMOnBareMetalRunsTheReferenceCounts() {
        let m = IterationMode.choose(full: false, quick: false, kind: amd, hypervisor: nil)
        #expect(m.counts == .reference && m.reason.contains("hardware-assisted"))
        #expect(amd.predictsBareMetal(under: nil))
    }

    @Test func softwareKVMRunsATimeBudget() {
        let m = IterationMode.choose(full: false, quick: false, kind: pvm, hypervisor: nil)
        #expect(m.counts == .budget && m.reason.contains("kvm_pvm"))
        #expect(!pvm.predictsBareMetal(under: nil))
        #expect(IterationMode.choose(full: false, quick: false, kind: .unknown, hypervisor: nil).counts == .budget)
    }

    @Test func hardwareKVMUnderAnEmulatorRunsATimeBudget() {
        let m = IterationMode.choose(full: false, quick: false, kind: amd, hypervisor: tcg)
        #expect(m.counts == .budget && m.reason.contains("QEMU TCG"))
        #expect(!amd.predictsBareMetal(under: tcg))
        // Nested under hardware-assisted KVM guest code runs natively: reference
        // counts, but the statuses still do not predict bare metal.
        #expect(IterationMode.choose(full: false, quick: false, kind: amd, hypervisor: kvm).counts == .reference)
        #expect(!amd.predictsBareMetal(under: kvm))
    }

    @Test func fullAndQuickForceTheChoice() {
        #expect(IterationMode.choose(full: true, quick: false, kind: pvm, hypervisor: tcg).counts == .reference)
        #expect(IterationMode.choose(full: false, quick: true, kind: amd, hypervisor: nil).counts == .budget)
    }
}

@Suite struct GuestWorkTests {
    @Test func theWatchdogGrowsWithTheWorkAsked() {
        let small = GuestWork(iterations: 200, budgetMs: 20, repetitions: 5, hostNanosPerOp: 500, emulated: true)
        let huge = GuestWork(iterations: 1_000_000, budgetMs: 20, repetitions: 5, hostNanosPerOp: 500, emulated: true)
        #expect(small.expectedSeconds == 6 * 200 * 500e-9 * 1000)
        #expect(small.watchdogSeconds >= GuestWork.bootSeconds && small.watchdogSeconds < 120)
        #expect(huge.watchdogSeconds > 300 * 10)           // read_null's 500k used to hit a fixed 300 s
        #expect(huge.tooLong && !small.tooLong)
    }

    @Test func aBudgetRunTakesTheBudgetOrOneOperation() {
        let fast = GuestWork(iterations: nil, budgetMs: 20, repetitions: 5, hostNanosPerOp: 100, emulated: true)
        #expect(fast.expectedSeconds == 8 * 0.02)
        let slow = GuestWork(iterations: nil, budgetMs: 20, repetitions: 5, hostNanosPerOp: 2e6, emulated: true)
        #expect(slow.expectedSeconds == 8 * 2.0)           // one tar_extract is 2 s in the guest
        #expect(GuestWork(iterations: nil, budgetMs: 20, repetitions: 5, hostNanosPerOp: nil, emulated: false).expectedSeconds > 0)
    }

    @Test func durationsReadAsClocks() {
        #expect(clockDuration(seconds: 65) == "1:05")
        #expect(clockDuration(seconds: 3723) == "1:02:03")
        #expect(clockDuration(seconds: .nan) == "0:00")
    }
}

/// The kick state of ckvm.c on a private instance: the same code the signal
/// handlers run, without sending signals to the test process.
@Suite struct KickStateTests {
    @Test func eachRunHasItsOwnStopReason() {
        var state = ckvm_kick_state()
        let area = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        defer { area.deallocate() }
        area.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
        let run = area.bindMemory(to: kvm_run.self, capacity: 1)

        // Run 1: the watchdog fires.
        ckvm_kick_begin(&state, run)
        ckvm_kick_note(&state, CKVM_KICK_WATCHDOG)
        #expect(state.reason == CKVM_KICK_WATCHDOG && run.pointee.immediate_exit == 1)
        ckvm_kick_begin(&state, nil)

        // Run 2 starts clean: a watchdog of the past is not its reason.
        run.pointee.immediate_exit = 0
        ckvm_kick_begin(&state, run)
        #expect(state.reason == 0 && run.pointee.immediate_exit == 0)
        // A signal arrives, then the (late) watchdog: the signal stays the reason.
        ckvm_kick_note(&state, SIGINT)
        ckvm_kick_note(&state, CKVM_KICK_WATCHDOG)
        #expect(state.reason == SIGINT && state.interrupt == SIGINT && run.pointee.immediate_exit == 1)
        ckvm_kick_begin(&state, nil)

        // Run 3, after the interrupt: it stops before it starts.
        run.pointee.immediate_exit = 0
        ckvm_kick_begin(&state, run)
        #expect(state.reason == SIGINT && run.pointee.immediate_exit == 1)
        // The first interrupt is the one remembered.
        ckvm_kick_note(&state, SIGTERM)
        #expect(state.interrupt == SIGINT)
    }

    @Test func aGuestExitIsNeverAKick() {
        var state = ckvm_kick_state()
        ckvm_kick_begin(&state, nil)
        #expect(state.reason == 0 && state.interrupt == 0)
    }
}

@Suite struct InterruptedReportTests {
    func report() -> BenchReport {
        var row = BenchRow(name: "getpid", status: .ok)
        row.host = Summary([100]); row.guest = Summary([95])
        var r = BenchReport(environment: BenchEnvironment(cpuModel: "Test CPU", kvmKind: .hardware(vendor: "AMD SVM"),
                                                          hypervisor: OuterHypervisor(signature: "TCGTCGTCGTCG", name: "QEMU TCG (CPU emulated)", emulatesCPU: true),
                                                          memory: MemorySize(bytes: 256 << 20), preallocated: true, pinnedCPU: nil,
                                                          mode: IterationMode(counts: .budget, reason: "default under QEMU TCG"),
                                                          repeatCount: 5, vmmVersion: "0.1.0"),
                            rows: [row])
        r.interrupted = (SIGINT, 54)
        return r
    }

    @Test func thePartialTableSaysItWasInterrupted() {
        let t = report().table()
        #expect(t.contains("interrupted by SIGINT: 1 of 54 benchmarks finished"))
        #expect(t.contains("outer hypervisor: QEMU TCG"))
        #expect(t.contains("ok*"))                        // under an emulator: not bare metal
    }

    @Test func theJSONIsMarkedIncompleteAndNamesTheHypervisor() throws {
        let doc = try JSONParser.parse(report().json().serialized())
        #expect(doc["complete"]?.flag == false)
        #expect(doc["interrupted_by"]?.string == "SIGINT")
        #expect(doc["environment"]?["kvm_kind"]?.string == "hardware")
        #expect(doc["environment"]?["hypervisor"]?["signature"]?.string == "TCGTCGTCGTCG")
        #expect(doc["environment"]?["predicts_bare_metal"]?.flag == false)
        #expect(doc["environment"]?["iteration_mode"]?.string == "budget")
    }
}

extension JSON {
    var flag: Bool? { if case .bool(let b) = self { return b } else { return nil } }
}

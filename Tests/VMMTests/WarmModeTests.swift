import Testing
@testable import VMM

@Suite struct WarmModeTests {
    @Test func defaultFollowsPreallocAndTheCapability() throws {
        #expect(try WarmMode.choose(requested: nil, preallocated: true, prefaultOffered: true) == .prefault)
        #expect(try WarmMode.choose(requested: nil, preallocated: true, prefaultOffered: false) == .touch)
        #expect(try WarmMode.choose(requested: nil, preallocated: false, prefaultOffered: true) == .none)
        #expect(try WarmMode.choose(requested: .touch, preallocated: false, prefaultOffered: false) == .touch)
        #expect(throws: WarmMode.Unsupported.self) { try WarmMode.choose(requested: .prefault, preallocated: true, prefaultOffered: false) }
    }

    func mark(_ id: UInt64, ns: UInt64, pfFixed: UInt64) -> Mark {
        Mark(id: id, nanos: ns, exits: 0, exitsByKind: [:], stats: StatsSnapshot(values: ["pf_fixed": pfFixed]))
    }

    @Test func touchTimeAndFaultsComeFromTheGuestsMarks() {
        var w = WarmReport(mode: .touch)
        w.read(marks: [mark(0x101, ns: 1, pfFixed: 0), mark(WarmReport.touchBegin, ns: 1_000, pfFixed: 10),
                       mark(WarmReport.touchEnd, ns: 5_001_000, pfFixed: 74)])
        #expect(w.touchNanos == 5_000_000 && w.touchFaults == 64)
        #expect(w.summary == "touch (guest touch loop 5.00 ms, 64 stage-2 faults)")
        var missing = WarmReport(mode: .touch)
        missing.read(marks: [mark(WarmReport.touchBegin, ns: 1, pfFixed: 0)])
        #expect(missing.touchNanos == nil)
        #expect(WarmReport.median([WarmReport(touchNanos: 3), WarmReport(touchNanos: 1), WarmReport(touchNanos: 2)])?.touchNanos == 2)
    }

    @Test func summaryNamesTheStrideAndThePrefaultFaults() {
        var t = WarmReport(mode: .touch, touchNanos: 2_000_000, touchFaults: 32)
        t.touchStride = HugePageBacking.pageSize
        #expect(t.summary == "touch (guest touch loop 2.00 ms, one byte per 2 MiB, 32 stage-2 faults)")
        t.touchStride = 4096
        #expect(t.summary == "touch (guest touch loop 2.00 ms, one byte per 4 KiB, 32 stage-2 faults)")
        let p = WarmReport(mode: .prefault, prefaultNanos: 10_180_000, prefaultFaults: 32)
        #expect(p.summary == "prefault (KVM_PRE_FAULT_MEMORY 10.18 ms)")
        guard case .object(let fields) = p.json() else { Issue.record("not an object"); return }
        #expect(fields.contains { $0.0 == "prefault_stage2_faults" && $0.1 == .uint(32) })
        #expect(fields.contains { $0.0 == "guest_touch_stride" && $0.1 == .null })
    }

    /// /proc/self/smaps (proc(5)): only mappings wholly inside the range count.
    @Test func hugeBytesCountsMappingsInsideTheRange() {
        let smaps = """
        7f0000000000-7f0000200000 rw-p 00000000 00:00 0
        Size:               2048 kB
        AnonHugePages:      2048 kB
        7f0000200000-7f0010200000 rw-p 00000000 00:00 0
        Size:             262144 kB
        AnonHugePages:    260096 kB
        Locked:           262144 kB
        7f0010200000-7f0010400000 rw-p 00000000 00:00 0
        AnonHugePages:      2048 kB
        """
        #expect(HugePageBacking.hugeBytes(smaps: smaps, start: 0x7f00_0020_0000, end: 0x7f00_1020_0000) == 260_096 * 1024)
        #expect(HugePageBacking.hugeBytes(smaps: smaps, start: 0x7f00_0000_0000, end: 0x7f00_1040_0000) == 264_192 * 1024)
        #expect(HugePageBacking.hugeBytes(smaps: smaps, start: 0x7f00_0030_0000, end: 0x7f00_1020_0000) == 0)
    }
}

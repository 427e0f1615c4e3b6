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
}

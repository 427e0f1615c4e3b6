import Testing
@testable import VMM

@Suite struct BenchStatusTests {
    @Test func bandsAreTheSeedsTightenedOnes() {
        #expect(BenchStatus.classify(ratio: 0.5) == .faster)
        #expect(BenchStatus.classify(ratio: 0.90) == .faster)
        #expect(BenchStatus.classify(ratio: 0.9001) == .ok)
        #expect(BenchStatus.classify(ratio: 1.00) == .ok)
        #expect(BenchStatus.classify(ratio: 1.05) == .marginal)
        #expect(BenchStatus.classify(ratio: 1.10) == .marginal)
        #expect(BenchStatus.classify(ratio: 1.1001) == .regression)
        #expect(BenchStatus.classify(ratio: 900) == .regression)
    }

    @Test func medianMinMax() {
        #expect(Summary([3, 1, 2]) == Summary([2, 3, 1]))
        #expect(Summary([5, 1, 9])?.median == 5)
        #expect(Summary([4, 1, 3, 2])?.median == 2.5)
        #expect(Summary([7])?.min == 7 && Summary([7])?.max == 7)
        #expect(Summary([]) == nil)
    }
}

@Suite struct BenchOutputTests {
    static let text = """
        bench-begin version=1 benchmarks=3 mode=quick
        noise from somewhere result name=fake
        result name=getpid rep=0 iters=1000 ns=150000 ns_per_op=150.0
        result name=getpid rep=1 iters=1000 ns=140000 ns_per_op=140.0
        result name=getpid rep=2 iters=0 ns=1 ns_per_op=1.0
        result name=getpid rep=2 iters=1000 ns=160000 ns_per_op=nan
        skipped name=fork_exit reason=fork: ENOSYS (function not implemented)
        check name=pipe ok
        check name=brk failed reason=break moved by 8192
        bench-end
        """

    @Test func parsesRecordsAndIgnoresTheRest() {
        let o = BenchOutput(text: Self.text)
        #expect(o.began && o.ended)
        #expect(o.order == ["getpid", "fork_exit", "pipe", "brk"])
        #expect(o.repetitions["getpid"]?.map(\.nanosPerOp) == [150, 140])
        #expect(o.skipped["fork_exit"] == "fork: ENOSYS (function not implemented)")
        #expect(o.checks["pipe"] == .some(nil))
        #expect(o.checks["brk"] == .some("break moved by 8192"))
        #expect(o.repetitions["fake"] == nil)
    }
}

@Suite struct MarkBracketTests {
    func mark(_ id: UInt64, exits: UInt64, insn: UInt64?) -> Mark {
        var stats: [String: UInt64] = ["exits": exits * 2]
        if let i = insn { stats["insn_emulation"] = i }
        return Mark(id: id, nanos: 0, exits: exits, exitsByKind: [:], stats: StatsSnapshot(values: stats))
    }

    @Test func pairsStartAndEnd() {
        let marks = [
            mark(MarkBrackets.id(benchmark: 0, rep: 0, end: false), exits: 10, insn: 1000),
            mark(MarkBrackets.id(benchmark: 0, rep: 0, end: true), exits: 11, insn: 7000),
            mark(MarkBrackets.id(benchmark: 3, rep: 1, end: false), exits: 20, insn: 9000),
            mark(MarkBrackets.id(benchmark: 3, rep: 1, end: true), exits: 25, insn: 9500),
            mark(MarkBrackets.id(benchmark: 4, rep: 0, end: true), exits: 30, insn: 9999),   // no start: ignored
        ]
        let c = MarkBrackets.costs(marks, cumulative: [])
        #expect(c[0]?[0] == MarkBrackets.Cost(vmmExits: 0, kvmExits: 2, emulatedInstructions: 6000))
        #expect(c[3]?[1] == MarkBrackets.Cost(vmmExits: 4, kvmExits: 10, emulatedInstructions: 500))
        #expect(c[4] == nil)
        // Empty brackets are subtracted: the cheapest one.
        let calibrated = MarkBrackets.costs(marks + [
            mark(MarkBrackets.id(benchmark: 0xffff, rep: 0, end: false), exits: 40, insn: 10000),
            mark(MarkBrackets.id(benchmark: 0xffff, rep: 0, end: true), exits: 41, insn: 10120),
            mark(MarkBrackets.id(benchmark: 0xffff, rep: 1, end: false), exits: 42, insn: 11000),
            mark(MarkBrackets.id(benchmark: 0xffff, rep: 1, end: true), exits: 43, insn: 11100),
        ], cumulative: [])
        #expect(calibrated[0xffff] == nil)
        #expect(calibrated[0]?[0] == MarkBrackets.Cost(vmmExits: 0, kvmExits: 0, emulatedInstructions: 5900))
        #expect(calibrated[3]?[1] == MarkBrackets.Cost(vmmExits: 4, kvmExits: 8, emulatedInstructions: 400))
        let noInsn = MarkBrackets.costs([mark(0, exits: 1, insn: nil), mark(1, exits: 2, insn: nil)])
        #expect(noInsn[0]?[0]?.emulatedInstructions == nil)
    }

    func statMark(_ id: UInt64, exits: UInt64, _ stats: [String: UInt64]) -> Mark {
        Mark(id: id, nanos: 0, exits: exits, exitsByKind: [:], stats: StatsSnapshot(values: stats))
    }

    /// Every cumulative statistic's change, less the least any empty bracket
    /// moved it; instant and peak statistics are left out.
    @Test func statisticDeltasAreCalibrated() {
        let marks = [
            statMark(MarkBrackets.id(benchmark: 2, rep: 0, end: false), exits: 1, ["pf_fixed": 100, "tlb_flush": 5, "blocking": 1]),
            statMark(MarkBrackets.id(benchmark: 2, rep: 0, end: true), exits: 3, ["pf_fixed": 130, "tlb_flush": 9, "blocking": 0]),
            statMark(MarkBrackets.id(benchmark: 0xffff, rep: 0, end: false), exits: 4, ["pf_fixed": 130, "tlb_flush": 9, "blocking": 0]),
            statMark(MarkBrackets.id(benchmark: 0xffff, rep: 0, end: true), exits: 5, ["pf_fixed": 132, "tlb_flush": 10, "blocking": 0]),
            statMark(MarkBrackets.id(benchmark: 0xffff, rep: 1, end: false), exits: 6, ["pf_fixed": 132, "tlb_flush": 10, "blocking": 0]),
            statMark(MarkBrackets.id(benchmark: 0xffff, rep: 1, end: true), exits: 7, ["pf_fixed": 133, "tlb_flush": 12, "blocking": 0]),
        ]
        let c = MarkBrackets.costs(marks, cumulative: ["pf_fixed", "tlb_flush"])
        #expect(c[2]?[0]?.stats == ["pf_fixed": 29, "tlb_flush": 3])
        #expect(MarkBrackets.rawCosts(marks, cumulative: ["pf_fixed", "tlb_flush"])[2]?[0]?.stats == ["pf_fixed": 30, "tlb_flush": 4])
        // A counter that went backwards (the value read failed) is left out rather than wrapped.
        #expect(MarkBrackets.costs(marks)[2]?[0]?.stats["blocking"] == nil)
    }
}

@Suite struct BenchRowAndReportTests {
    static let host = BenchOutput(text: """
        bench-begin version=1
        result name=getpid rep=0 iters=1000 ns=100000 ns_per_op=100.0
        result name=getpid rep=1 iters=1000 ns=120000 ns_per_op=120.0
        result name=fork_exit rep=0 iters=10 ns=500000 ns_per_op=50000.0
        skipped name=shell_noop reason=no /bin/sh
        bench-end
        """)
    static let guest = BenchOutput(text: """
        bench-begin version=1
        result name=getpid rep=0 iters=10 ns=1000000 ns_per_op=100000.0
        result name=getpid rep=1 iters=10 ns=1200000 ns_per_op=120000.0
        skipped name=fork_exit reason=fork: ENOSYS
        skipped name=shell_noop reason=no /bin/sh
        bench-end
        """)

    func rows(software: Bool = true) -> [BenchRow] {
        let costs: [Int: MarkBrackets.Cost] = [
            0: .init(vmmExits: 0, kvmExits: 3, emulatedInstructions: 450, stats: ["pf_fixed": 20, "pf_taken": 30, "tlb_flush": 0]),
            1: .init(vmmExits: 0, kvmExits: 1, emulatedInstructions: 470, stats: ["pf_fixed": 40, "pf_taken": 50, "tlb_flush": 0])]
        return [
            BenchRow.make(name: "getpid", index: 0, host: Self.host, guest: Self.guest, guestCosts: costs, countsInstructions: software),
            BenchRow.make(name: "fork_exit", index: 4, host: Self.host, guest: Self.guest, guestCosts: [:], countsInstructions: software),
            BenchRow.make(name: "shell_noop", index: 38, host: Self.host, guest: Self.guest, guestCosts: [:], countsInstructions: software),
        ]
    }

    @Test func rowsCombineBothSides() {
        let r = rows()
        #expect(r[0].host?.median == 110 && r[0].guest?.median == 110_000)
        #expect(r[0].ratio == 1000)
        #expect(r[0].status == .regression)
        #expect(r[0].exitsPerOp == 0)
        #expect(r[0].instructionsPerOp == 46)           // median of 45 and 47
        #expect(r[0].kvmExitsPerOp == 0.2)
        #expect(r[1].status == .skipped && r[1].reason == "guest: fork: ENOSYS")
        #expect(r[2].reason == "guest: no /bin/sh")
        #expect(rows(software: false)[0].instructionsPerOp == nil)
        #expect(r[0].stage2FaultsPerOp == 3)            // pf_fixed: median of 2 and 4
        #expect(r[0].kvmStatsPerOp == ["pf_fixed": 3, "pf_taken": 4])   // tlb_flush never moved
        #expect(r[1].stage2FaultsPerOp == nil)
    }

    func report(kind: KVMKind = .software(module: "kvm_pvm")) -> BenchReport {
        BenchReport(environment: BenchEnvironment(cpuModel: "Test CPU", kvmKind: kind, memory: MemorySize(bytes: 256 << 20),
                                                  preallocated: true, pinnedCPU: 0, mode: IterationMode(counts: .budget, reason: "--quick"), repeatCount: 2,
                                                  vmmVersion: "0.1.0"),
                    rows: rows())
    }

    @Test func tableSaysWhatItRanOnAndCountsStatuses() {
        let t = report().table()
        #expect(t.contains("software-assisted"))
        #expect(t.contains("do not predict hardware"))
        #expect(t.contains("regression*"))
        #expect(t.hasSuffix("0 faster, 0 ok, 0 marginal, 1 regression, 2 skipped\n"))
        #expect(!report(kind: .hardware(vendor: "VT-x")).table().contains("regression*"))
    }

    @Test func jsonKeepsTheFixedKeysAndRoundTrips() throws {
        let text = report().json().serialized()
        let doc = try JSONParser.parse(text)
        #expect(doc["environment"]?["kvm_kind"]?.string == "software")
        let b = try #require(doc["benchmarks"]?.array)
        #expect(b.count == 3)
        #expect(b[0]["name"]?.string == "getpid")
        #expect(b[0]["status"]?.string == "regression")
        #expect(b[0]["host_ns"]?.number == 110)
        #expect(b[0]["guest_ns"]?.number == 110_000)
        #expect(b[0]["ratio"]?.number == 1000)
        #expect(b[0]["exits_per_op"]?.number == 0)
        #expect(b[0]["guest_kernel_instructions_per_op"]?.number == 46)
        #expect(b[0]["reason"] == .null)
        #expect(b[1]["status"]?.string == "skipped")
        #expect(b[1]["host_ns"] == .null)
        #expect(b[1]["reason"]?.string == "guest: fork: ENOSYS")
        #expect(b[0]["guest_repetitions"]?.array?.count == 2)
        #expect(b[0]["stage2_faults_per_op"]?.number == 3)
        #expect(b[0]["kvm_stats_per_op"]?["pf_taken"]?.number == 4)
        #expect(b[0]["kvm_stats_per_op"]?["tlb_flush"] == nil)
        #expect(b[1]["stage2_faults_per_op"] == .null)
        #expect(report().table().contains("s2 faults/op"))
        #expect(try JSONParser.parse(text) == doc)
    }

    @Test func baselineCatchesWhatGotWorse() throws {
        let base = try Baseline.load(report().json().serialized())
        #expect(base["getpid"]?.guestIterations == 10)
        #expect(base["fork_exit"]?.guestIterations == nil)
        #expect(Baseline.problems(current: rows(), baseline: base, hardware: false).isEmpty)

        var worse = rows()
        worse[0].instructionsPerOp = 46 * 1.06
        worse[0].exitsPerOp = 0.1
        var gone = worse[0]; gone.status = .skipped; gone.reason = "guest: crashed"
        let p = Baseline.problems(current: worse, baseline: base, hardware: false)
        #expect(p.count == 2)
        #expect(p.contains { $0.contains("exits/op rose above 0") })
        #expect(p.contains { $0.contains("instructions/op grew 6.0%") })
        #expect(Baseline.problems(current: [gone], baseline: base, hardware: false) == ["getpid: ran in the baseline, now skipped (guest: crashed)"])
        // A small growth within 5% passes; regression status counts on hardware only.
        var slight = rows(); slight[0].instructionsPerOp = 46 * 1.04
        #expect(Baseline.problems(current: slight, baseline: base, hardware: false).isEmpty)
        #expect(Baseline.problems(current: rows(), baseline: base, hardware: true) == ["getpid: regression (ratio 1000.00)"])

        // Stage-2 faults/op may not rise; a baseline without the field never fails on it.
        #expect(base["getpid"]?.stage2FaultsPerOp == 3)
        var faulting = rows(); faulting[0].stage2FaultsPerOp = 4
        #expect(Baseline.problems(current: faulting, baseline: base, hardware: false)
                == ["getpid: stage-2 faults/op rose above the baseline's (3.000 -> 4.000)"])
        let old = try Baseline.load(report().json().serialized().replacingOccurrences(of: "\"stage2_faults_per_op\"", with: "\"x\""))
        #expect(old["getpid"]?.stage2FaultsPerOp == nil)
        #expect(Baseline.problems(current: faulting, baseline: old, hardware: false).isEmpty)
    }

    /// Every label ends inside the picture (the widest ratio and instruction
    /// labels used to run past the right edge) and never over the next column.
    @Test func svgLabelsFit() throws {
        var wide = BenchRow(name: "exec_true_posix_spawn", status: .regression)
        wide.host = Summary([928]); wide.guest = Summary([8_777_106])      // ratio 9458.09
        wide.instructionsPerOp = 1_234_567
        var narrow = BenchRow(name: "getpid", status: .ok)
        narrow.host = Summary([100]); narrow.guest = Summary([95]); narrow.instructionsPerOp = 37
        var skipped = BenchRow(name: "flock", status: .skipped)
        skipped.reason = "guest: " + String(repeating: "a very long reason ", count: 20)
        let r = BenchReport(environment: report().environment, rows: [wide, narrow, skipped])
        let svg = SVGChart.render(r)
        let width = try #require(svg.firstMatch(of: try Regex(#"width="(\d+)""#))
            .flatMap { Double(String($0.output[1].substring ?? "")) })
        let instrX = Double(SVGChart.nameWidth + 10 + SVGChart.ratioWidth + 30)
        var seen = 0
        for m in svg.matches(of: try Regex(#"<text x="(\d+)" y="\d+" font-size="(\d+)"[^>]*>([^<]*)</text>"#)) {
            let x = Double(String(m.output[1].substring!))!, size = Double(String(m.output[2].substring!))!
            let text = String(m.output[3].substring!).replacingOccurrences(of: "&amp;", with: "&")
            let end = x + Double(text.count) * SVGChart.charWidth * size / 11
            #expect(end <= width, "\(text) ends at \(end) > \(width)")
            if text == "9458.09" { #expect(end <= instrX, "the ratio label runs into the instructions column"); seen += 1 }
            if text == "1234567" { seen += 1 }
        }
        #expect(seen == 2)
    }

    @Test func svgNamesEveryBenchmark() {
        let svg = SVGChart.render(report())
        #expect(svg.hasPrefix("<svg"))
        for name in ["getpid", "fork_exit", "shell_noop"] { #expect(svg.contains(name)) }
        #expect(svg.contains("skipped: guest: fork: ENOSYS"))
        #expect(SVGChart.escape("a<b>&\"") == "a&lt;b&gt;&amp;&quot;")
    }

    @Test func fixedDecimals() {
        #expect(BenchReport.fixed(1.005, 2) == "1.00" || BenchReport.fixed(1.005, 2) == "1.01")
        #expect(BenchReport.fixed(123.456, 1) == "123.5")
        #expect(BenchReport.fixed(-0.25, 1) == "-0.3" || BenchReport.fixed(-0.25, 1) == "-0.2")
        #expect(BenchReport.fixed(7, 0) == "7")
        #expect(BenchReport.fixed(.nan, 2) == "-")
    }
}

@Suite struct JSONParserTests {
    @Test func parsesWhatTheWriterWrites() throws {
        let v = JSON.object([("a", .array([.int(-1), .uint(UInt64.max), .double(1.5), .bool(false), .null])),
                             ("s", .string("q\"\\\n\u{1}é"))])
        #expect(try JSONParser.parse(v.serialized()) == v)
        #expect(try JSONParser.parse(v.serialized(pretty: false)) == v)
    }

    @Test func rejectsMalformed() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", String(repeating: "[", count: 600)] {
            #expect(throws: JSONParser.Error.self) { try JSONParser.parse(bad) }
        }
    }
}

/// Compares a bench run with a saved one (`--baseline FILE --check`) and says
/// what got worse. Deterministic figures only on software-assisted KVM, where
/// times say nothing; times too where KVM is hardware-assisted.
enum Baseline {
    struct Entry: Equatable {
        let status: String
        let exitsPerOp: Double?
        let instructionsPerOp: Double?
        /// The guest's iterations per repetition in the baseline run: a run
        /// checked against it does the same work, so that per-operation
        /// instruction counts (which include work amortised over the loop)
        /// compare like for like.
        var guestIterations: UInt64? = nil
        /// Absent in baselines made before the column existed: never checked then.
        var stage2FaultsPerOp: Double? = nil
    }

    /// Instructions/op may grow this much before it counts (they are exact
    /// here, but a benchmark's loop overhead moves a little with its count).
    static let instructionTolerance = 0.05

    /// A saved `--json` result is ~100 KB; anything far larger is not one.
    static let maxFileSize: UInt64 = 64 << 20

    static func load(_ text: String) throws -> [String: Entry] {
        let doc = try JSONParser.parse(text)
        guard let list = doc["benchmarks"]?.array else {
            throw JSONParser.Error(offset: 0, what: "no \"benchmarks\" array")
        }
        var out: [String: Entry] = [:]
        for b in list {
            guard let name = b["name"]?.string, let status = b["status"]?.string else { continue }
            var iterations: UInt64?
            if let first = b["guest_repetitions"]?.array?.first?["iters"]?.number, first >= 1, first < 1e12 {
                iterations = UInt64(first)
            }
            out[name] = Entry(status: status, exitsPerOp: b["exits_per_op"]?.number,
                              instructionsPerOp: b["guest_kernel_instructions_per_op"]?.number,
                              guestIterations: iterations, stage2FaultsPerOp: b["stage2_faults_per_op"]?.number)
        }
        return out
    }

    /// One line per problem; empty when the run is no worse than the baseline.
    static func problems(current: [BenchRow], baseline: [String: Entry], hardware: Bool) -> [String] {
        var out: [String] = []
        for row in current {
            guard let base = baseline[row.name] else { continue }
            if row.status == .skipped {
                if base.status != "skipped" { out.append("\(row.name): ran in the baseline, now skipped (\(row.reason ?? "no reason"))") }
                continue
            }
            if let e = row.exitsPerOp, e > 0, (base.exitsPerOp ?? 0) == 0 {
                out.append("\(row.name): exits/op rose above 0 (now \(BenchReport.fixed(e, 3)))")
            }
            if let i = row.instructionsPerOp, let b = base.instructionsPerOp, b > 0, i > b * (1 + instructionTolerance) {
                out.append("\(row.name): guest-kernel instructions/op grew \(BenchReport.fixed((i / b - 1) * 100, 1))% "
                           + "(\(BenchReport.fixed(b, 1)) -> \(BenchReport.fixed(i, 1)))")
            }
            if let f = row.stage2FaultsPerOp, let b = base.stage2FaultsPerOp, f > b * (1 + instructionTolerance) {
                out.append("\(row.name): stage-2 faults/op rose above the baseline's (\(BenchReport.fixed(b, 3)) -> \(BenchReport.fixed(f, 3)))")
            }
            if hardware, row.status == .regression {
                out.append("\(row.name): regression (ratio \(row.ratio.map { BenchReport.fixed($0, 2) } ?? "-"))")
            }
        }
        return out
    }
}

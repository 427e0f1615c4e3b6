/// One benchmark's line in the comparison: host and guest ns/op (median, min,
/// max over repetitions), their ratio and status, and what the guest cost in
/// VM exits and emulated guest-kernel instructions per operation.
struct BenchRow: Equatable {
    let name: String
    var status: BenchStatus
    var reason: String?
    var host: Summary?
    var guest: Summary?
    var hostRepetitions: [BenchOutput.Repetition] = []
    var guestRepetitions: [BenchOutput.Repetition] = []
    /// VM exits that reached the VMM inside the timed loops, per operation.
    var exitsPerOp: Double?
    /// KVM's own `exits` counter per operation (includes host interrupts).
    var kvmExitsPerOp: Double?
    /// KVM's `insn_emulation` per operation: nil where KVM does not count it.
    var instructionsPerOp: Double?
    /// Stage2Faults.statistic per operation: nil where KVM does not count it.
    var stage2FaultsPerOp: Double?
    /// Every cumulative per-vCPU KVM statistic that moved in the timed loops,
    /// per operation (median over repetitions, calibrated like the rest).
    var kvmStatsPerOp: [String: Double] = [:]
    /// The third side (`--linux-kernel`): the same binary as init of Linux
    /// under this VMM; nil without it or when it has no figure (`linuxReason`).
    var linux: Summary?
    var linuxRepetitions: [BenchOutput.Repetition] = []
    var linuxExitsPerOp: Double?
    var linuxReason: String?

    /// Swift guest ÷ Linux guest: the seed's ratio, banded as `ratio` is.
    var ratioVsLinux: Double? {
        guard let l = linux?.median, let g = guest?.median, l > 0 else { return nil }
        return g / l
    }
    var statusVsLinux: BenchStatus { ratioVsLinux.map(BenchStatus.classify) ?? .skipped }

    /// Fills the Linux side from that guest's output and mark brackets.
    mutating func addLinux(output: BenchOutput, costs: [Int: MarkBrackets.Cost]) {
        if let why = output.skipped[name] { linuxReason = "linux: \(why)"; return }
        linuxRepetitions = output.repetitions[name] ?? []
        guard let l = Summary(linuxRepetitions.map(\.nanosPerOp)) else {
            linuxReason = output.ended ? "linux: no result" : "linux: the run ended before this benchmark finished"
            return
        }
        linux = l
        linuxExitsPerOp = Summary(linuxRepetitions.compactMap { r in
            costs[r.rep].map { Double($0.vmmExits) / Double(r.iterations) }
        })?.median
    }

    var ratio: Double? {
        guard let h = host?.median, let g = guest?.median, h > 0 else { return nil }
        return g / h
    }

    /// Builds a row from both sides' output and the guest's mark brackets.
    /// Anything missing on either side makes the row `skipped`, with why.
    static func make(name: String, index: Int, host: BenchOutput, guest: BenchOutput,
                     guestCosts: [Int: MarkBrackets.Cost], countsInstructions: Bool) -> BenchRow {
        var row = BenchRow(name: name, status: .skipped)
        if let why = guest.skipped[name] { row.reason = "guest: \(why)"; return row }
        if let why = host.skipped[name] { row.reason = "host: \(why)"; return row }
        row.hostRepetitions = host.repetitions[name] ?? []
        row.guestRepetitions = guest.repetitions[name] ?? []
        guard let h = Summary(row.hostRepetitions.map(\.nanosPerOp)) else { row.reason = "host: no result"; return row }
        guard let g = Summary(row.guestRepetitions.map(\.nanosPerOp)) else {
            row.reason = guest.ended ? "guest: no result" : "guest: the run ended before this benchmark finished"
            return row
        }
        row.host = h
        row.guest = g
        var exits: [Double] = [], kvm: [Double] = [], insn: [Double] = []
        for r in row.guestRepetitions {
            guard let c = guestCosts[r.rep] else { continue }
            let n = Double(r.iterations)
            exits.append(Double(c.vmmExits) / n)
            if let k = c.kvmExits { kvm.append(Double(k) / n) }
            if countsInstructions, let i = c.emulatedInstructions { insn.append(Double(i) / n) }
        }
        row.exitsPerOp = Summary(exits)?.median
        row.kvmExitsPerOp = Summary(kvm)?.median
        row.instructionsPerOp = Summary(insn)?.median
        row.kvmStatsPerOp = statsPerOp(row.guestRepetitions, guestCosts)
        if row.guestRepetitions.contains(where: { guestCosts[$0.rep]?.stats[Stage2Faults.statistic] != nil }) {
            row.stage2FaultsPerOp = row.kvmStatsPerOp[Stage2Faults.statistic] ?? 0
        }
        row.status = row.ratio.map(BenchStatus.classify) ?? .skipped
        return row
    }

    /// Per statistic that moved in some repetition, the median of its per-op change.
    static func statsPerOp(_ reps: [BenchOutput.Repetition], _ costs: [Int: MarkBrackets.Cost]) -> [String: Double] {
        var perOp: [String: [Double]] = [:]
        var moved: Set<String> = []
        for r in reps {
            guard let c = costs[r.rep], r.iterations > 0 else { continue }
            for (name, v) in c.stats {
                perOp[name, default: []].append(Double(v) / Double(r.iterations))
                if v > 0 { moved.insert(name) }
            }
        }
        var out: [String: Double] = [:]
        for name in moved { out[name] = Summary(perOp[name] ?? [])?.median }
        return out
    }
}

/// What a bench run ran on (printed at the top, kept in the JSON).
struct BenchEnvironment: Equatable {
    var cpuModel: String
    var kvmKind: KVMKind
    /// The hypervisor vmm itself runs under (CPUID 0x40000000), if any.
    var hypervisor: OuterHypervisor? = nil
    var memory: MemorySize
    var preallocated: Bool
    var warm: WarmMode = .none
    /// Each guest boot's warm-up (one boot per benchmark).
    var warmBoots: [WarmReport] = []
    var pinnedCPU: Int?
    var mode: IterationMode
    var budgetMs: Int = 20
    var repeatCount: Int
    var vmmVersion: String
    /// `--linux-kernel`: the bzImage of the third side.
    var linuxKernel: String? = nil

    var quick: Bool { mode.isBudget }
    /// Whether guest/host time ratios mean anything for bare metal.
    var predictsBareMetal: Bool { kvmKind.predictsBareMetal(under: hypervisor) }
}

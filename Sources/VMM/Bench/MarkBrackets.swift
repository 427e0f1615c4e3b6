/// Turns the VMM's marks into per-operation costs. The benchmark binary marks
/// each timed repetition with ids (index << 16) | (rep << 1) | end
/// (guest-images/bench/README.md); between a start and an end mark:
///  - VM exits that reached the VMM, less the end mark's own exit;
///  - KVM's `exits` statistic (also counts host interrupts the guest never sees);
///  - KVM's `insn_emulation` (guest-kernel instructions on software-assisted KVM);
///  - every cumulative per-vCPU statistic (`pf_fixed`, `tlb_flush`, ...: Stage2Faults).
struct MarkBrackets {
    struct Cost: Equatable {
        let vmmExits: UInt64
        let kvmExits: UInt64?
        let emulatedInstructions: UInt64?
        /// Change of each cumulative KVM statistic read at both marks.
        var stats: [String: UInt64] = [:]
    }

    /// The benchmark binary's empty brackets (guest-images/bench/README.md):
    /// what a bracket costs with nothing inside.
    static let calibrationIndex = 0xffff

    static func id(benchmark: Int, rep: Int, end: Bool) -> UInt64 {
        UInt64(benchmark) << 16 | UInt64(rep) << 1 | (end ? 1 : 0)
    }

    /// The cost of each (benchmark index, rep) bracket found complete, less
    /// the cheapest empty (calibration) bracket's cost. `cumulative` names
    /// the statistics that count events (KVM API doc 4.133,
    /// KVM_STATS_TYPE_CUMULATIVE); nil takes every one read.
    static func costs(_ marks: [Mark], cumulative: Set<String>? = nil) -> [Int: [Int: Cost]] {
        var raw = rawCosts(marks, cumulative: cumulative)
        guard let empty = raw.removeValue(forKey: calibrationIndex)?.values, !empty.isEmpty else { return raw }
        func least(_ k: KeyPath<Cost, UInt64?>) -> UInt64? { empty.compactMap { $0[keyPath: k] }.min() }
        let overhead = Cost(vmmExits: empty.map(\.vmmExits).min() ?? 0, kvmExits: least(\.kvmExits),
                            emulatedInstructions: least(\.emulatedInstructions), stats: leastStats(empty.map(\.stats)))
        func minus(_ a: UInt64?, _ b: UInt64?) -> UInt64? { a.map { $0 - min($0, b ?? 0) } }
        return raw.mapValues { reps in
            reps.mapValues { c in
                Cost(vmmExits: c.vmmExits - min(c.vmmExits, overhead.vmmExits),
                     kvmExits: minus(c.kvmExits, overhead.kvmExits),
                     emulatedInstructions: minus(c.emulatedInstructions, overhead.emulatedInstructions),
                     stats: c.stats.reduce(into: [:]) { out, kv in
                         out[kv.key] = kv.value - min(kv.value, overhead.stats[kv.key] ?? 0)
                     })
            }
        }
    }

    /// Per statistic, the least any empty bracket moved it (0 where one lacks it).
    static func leastStats(_ all: [[String: UInt64]]) -> [String: UInt64] {
        guard let first = all.first else { return [:] }
        return first.reduce(into: [:]) { out, kv in
            out[kv.key] = all.map { $0[kv.key] ?? 0 }.min() ?? 0
        }
    }

    /// Bracket costs as measured.
    static func rawCosts(_ marks: [Mark], cumulative: Set<String>? = nil) -> [Int: [Int: Cost]] {
        var starts: [UInt64: Mark] = [:]
        var out: [Int: [Int: Cost]] = [:]
        for m in marks {
            if m.id & 1 == 0 { starts[m.id] = m; continue }
            guard let s = starts.removeValue(forKey: m.id & ~1), m.exits > s.exits else { continue }
            func delta(_ name: String) -> UInt64? {
                guard let a = s.stats.values[name], let b = m.stats.values[name], b >= a else { return nil }
                return b - a
            }
            var stats: [String: UInt64] = [:]
            for name in m.stats.values.keys where cumulative?.contains(name) ?? true {
                if let d = delta(name) { stats[name] = d }
            }
            let cost = Cost(vmmExits: m.exits - s.exits - 1, kvmExits: delta("exits"),
                            emulatedInstructions: delta("insn_emulation"), stats: stats)
            out[Int(m.id >> 16), default: [:]][Int((m.id >> 1) & 0x7fff)] = cost
        }
        return out
    }
}

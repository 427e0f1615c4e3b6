/// The `--exit-stats` table and the `--json-stats` document, built from a
/// run's outcome and its setup. Pure: returns text, prints nothing.
struct RunReport {
    let setup: SetupReport
    let outcome: RunOutcome
    let vmmResident: VMMResidentMemory?
    /// Layout of the vCPU's binary statistics (nil: KVM offers none).
    let statsLayout: StatsLayout?

    /// The warm-up with the guest's touch-loop marks read.
    var warm: WarmReport {
        var w = setup.warm
        w.read(marks: outcome.marks)
        return w
    }

    func text() -> String {
        var lines: [String] = []
        lines.append("vmm: \(setup.kvmKind.description)")
        var mem = "memory: \(setup.memory)"
        let p = setup.preallocation
        if setup.bootFlags & BootInfo.Flag.preallocated != 0 {
            mem += ", preallocated: populate \(ms(p.populateNanos)) ms (\(p.threads) thread\(p.threads == 1 ? "" : "s")), mlock \(ms(p.lockNanos)) ms"
        } else {
            mem += ", not preallocated"
        }
        if p.hugePagesAdvised { mem += ", THP advised" }
        mem += setup.prefaultedStage2 ? ", stage-2 pre-faulted" : ""
        lines.append(mem)
        lines.append("warm-up: " + warm.summary)
        lines.append("setup: \(ms(setup.setupNanos)) ms; run: \(ms(outcome.runNanos)) ms; tsc: \(setup.tscKHz) kHz")
        if let r = vmmResident {
            lines.append("vmm resident memory beyond guest RAM: \(mib(r.totalBytes)) MiB = \(mib(r.privateBytes)) MiB private (anonymous)"
                         + " + \(mib(r.fileBytes)) MiB file-backed (code and libraries, shared page cache)")
        }
        for n in setup.notes { lines.append("note: \(n)") }
        lines.append("stop: \(outcome.reason.message ?? "guest exit") (status \(outcome.reason.exitStatus))")

        lines.append("")
        lines.append("exits (VMM-side handling time per exit, µs):")
        lines.append("  " + rightPad("kind", 26) + leftPad("count", 10) + leftPad("min", 9) + leftPad("avg", 9) + leftPad("max", 9))
        var total = ExitAggregate()
        for (kind, a) in outcome.accounting.rows {
            lines.append("  " + rightPad(kind.name, 26) + leftPad(String(a.count), 10) + leftPad(us(a.minNanos), 9)
                         + leftPad(us(a.averageNanos), 9) + leftPad(us(a.maxNanos), 9))
            total.count += a.count
            total.totalNanos += a.totalNanos
            total.minNanos = min(total.minNanos, a.minNanos)
            total.maxNanos = max(total.maxNanos, a.maxNanos)
        }
        lines.append("  " + rightPad("total", 26) + leftPad(String(total.count), 10) + leftPad(us(total.minNanos), 9)
                     + leftPad(us(total.averageNanos), 9) + leftPad(us(total.maxNanos), 9))
        if outcome.badHypercalls > 0 { lines.append("  (\(outcome.badHypercalls) hypercall writes were malformed and ignored)") }

        let deltas = statDeltas
        if !deltas.isEmpty {
            lines.append("")
            lines.append("KVM statistics (vCPU 0, change over the run):")
            for (name, v) in deltas where v != 0 || Self.alwaysShown.contains(name) {
                lines.append("  " + rightPad(name, 26) + leftPad(String(v), 14))
            }
        }
        if !outcome.marks.isEmpty {
            lines.append("")
            lines.append("marks (exits include the mark's own; deltas from the previous mark):")
            lines.append("  " + rightPad("id", 8) + leftPad("time µs", 14) + leftPad("exits", 10) + leftPad("Δexits", 10)
                         + leftPad("Δinsn_emulation", 17))
            var previous: Mark?
            for m in outcome.marks {
                let dExits = previous.map { String(m.exits - $0.exits) } ?? "-"
                var dInsn = "-"
                if let prev = previous, let a = prev.stats.values["insn_emulation"], let b = m.stats.values["insn_emulation"] {
                    dInsn = String(b &- a)
                }
                lines.append("  " + rightPad(String(m.id), 8) + leftPad(us(m.nanos), 14) + leftPad(String(m.exits), 10)
                             + leftPad(dExits, 10) + leftPad(dInsn, 17))
                previous = m
            }
            let r = outcome.records
            if r.droppedMarks > 0, let last = r.lastDroppedMark {
                lines.append("  (\(r.totalMarks) marks: the first \(r.marks.count) are listed, \(r.droppedMarks) more were counted"
                             + " and dropped; the last: id \(last.id) at \(us(last.nanos)) µs, exits \(last.exits))")
            }
        }
        if !outcome.reports.isEmpty {
            lines.append("")
            lines.append("reports from the guest (bytes other than printable ASCII shown as \\xNN):")
            for r in outcome.reports { lines.append("  " + printableEscaped(r)) }
            let r = outcome.records
            if r.droppedReports > 0 {
                lines.append("  (\(r.droppedReports) more reports, \(r.droppedReportBytes) bytes, were counted and dropped)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json(version: String) -> JSON {
        var exits: [JSON] = []
        for (kind, a) in outcome.accounting.rows {
            exits.append(.object([
                ("kind", .string(kind.name)), ("count", .uint(a.count)),
                ("min_ns", .uint(a.count == 0 ? 0 : a.minNanos)), ("avg_ns", .uint(a.averageNanos)),
                ("max_ns", .uint(a.maxNanos)), ("total_ns", .uint(a.totalNanos)),
            ]))
        }
        var marks: [JSON] = []
        for m in outcome.marks {
            marks.append(.object([
                ("id", .uint(m.id)), ("ns", .uint(m.nanos)), ("exits", .uint(m.exits)),
                ("exits_by_kind", .object(m.exitsByKind.sorted { $0.key < $1.key }.map { ($0.key.name, .uint($0.value)) })),
                ("kvm_stats", .object(statsOrder.compactMap { n in m.stats.values[n].map { (n, .uint($0)) } })),
            ]))
        }
        let p = setup.preallocation
        return .object([
            ("vmm_version", .string(version)),
            ("kvm_kind", .string(setup.kvmKind.key)),
            ("kvm_kind_description", .string(setup.kvmKind.description)),
            ("memory_bytes", .uint(setup.memory.bytes)),
            ("preallocated", .bool(setup.bootFlags & BootInfo.Flag.preallocated != 0)),
            ("hugepages_advised", .bool(p.hugePagesAdvised)),
            ("stage2_prefaulted", .bool(setup.prefaultedStage2)),
            ("warm", warm.json()),
            ("populate_ns", .uint(p.populateNanos)), ("mlock_ns", .uint(p.lockNanos)),
            ("populate_threads", .int(Int64(p.threads))),
            ("boot_flags", .uint(setup.bootFlags)),
            ("tsc_khz", .uint(setup.tscKHz)),
            ("setup_ns", .uint(setup.setupNanos)), ("run_ns", .uint(outcome.runNanos)),
            ("vmm_resident_private_bytes", vmmResident.map { .uint($0.privateBytes) } ?? .null),
            ("vmm_resident_file_bytes", vmmResident.map { .uint($0.fileBytes) } ?? .null),
            ("notes", .array(setup.notes.map { .string($0) })),
            ("stop", .object([
                ("status", .int(Int64(outcome.reason.exitStatus))),
                ("message", outcome.reason.message.map { .string($0) } ?? .null),
            ])),
            ("exits_total", .uint(outcome.accounting.total)),
            ("exits", .array(exits)),
            ("malformed_hypercalls", .uint(outcome.badHypercalls)),
            ("kvm_stats_delta", .object(statDeltas.map { ($0.0, .uint($0.1)) })),
            ("marks", .array(marks)),
            ("marks_total", .uint(outcome.records.totalMarks)),
            ("marks_dropped", .uint(outcome.records.droppedMarks)),
            ("last_dropped_mark", outcome.records.lastDroppedMark.map {
                .object([("id", .uint($0.id)), ("ns", .uint($0.nanos)), ("exits", .uint($0.exits))])
            } ?? .null),
            ("reports", .array(outcome.reports.map { .string(String(decoding: $0, as: UTF8.self)) })),
            ("reports_dropped", .uint(outcome.records.droppedReports)),
            ("reports_dropped_bytes", .uint(outcome.records.droppedReportBytes)),
        ])
    }

    /// Counters the table lists even when they did not move.
    static let alwaysShown: Set<String> = ["exits", "io_exits", "insn_emulation", "pf_taken", "halt_exits"]

    /// Cumulative counters as deltas over the run, others as final values.
    private var statDeltas: [(String, UInt64)] {
        guard let layout = statsLayout else { return [] }
        return StatsSnapshot.delta(from: outcome.statsAtStart, to: outcome.statsAtEnd, layout: layout)
    }

    private var statsOrder: [String] { statsLayout?.descriptors.filter(\.isScalar).map(\.name) ?? [] }

    private func mib(_ bytes: UInt64) -> String { decimal(bytes, dividedBy: 1 << 20, decimals: 2) }
    private func ms(_ ns: UInt64) -> String { decimal(ns, dividedBy: 1_000_000, decimals: 2) }
    private func us(_ ns: UInt64) -> String { ns == .max ? "-" : decimal(ns, dividedBy: 1_000, decimals: 2) }
}

/// The comparison `vmm bench` prints and saves. Pure: text and JSON out.
struct BenchReport {
    let environment: BenchEnvironment
    let rows: [BenchRow]
    /// Set when SIGINT/SIGTERM ended the run early: the signal, and how many
    /// benchmarks had been selected (rows holds those that finished).
    var interrupted: (signal: Int32, planned: Int)? = nil

    var counts: [BenchStatus: Int] {
        Dictionary(grouping: rows, by: \.status).mapValues(\.count)
    }

    var summaryLine: String {
        let c = counts
        return "\(c[.faster] ?? 0) faster, \(c[.ok] ?? 0) ok, \(c[.marginal] ?? 0) marginal, "
            + "\(c[.regression] ?? 0) regression, \(c[.skipped] ?? 0) skipped"
            + (environment.linuxKernel == nil ? "" : "; against the Linux guest: " + Self.countsLine(countsVsLinux))
    }

    var countsVsLinux: [BenchStatus: Int] {
        Dictionary(grouping: rows, by: \.statusVsLinux).mapValues(\.count)
    }

    static func countsLine(_ c: [BenchStatus: Int]) -> String {
        "\(c[.faster] ?? 0) faster, \(c[.ok] ?? 0) ok, \(c[.marginal] ?? 0) marginal, "
            + "\(c[.regression] ?? 0) regression, \(c[.skipped] ?? 0) skipped"
    }

    var header: [String] {
        let e = environment
        var lines = [
            "cpu: \(e.cpuModel)",
            "kvm: \(e.kvmKind.description)",
            "outer hypervisor: " + (e.hypervisor?.description ?? "none"),
            "guest memory: \(e.memory)\(e.preallocated ? ", preallocated and locked" : ", not preallocated")",
            "warm-up: " + (WarmReport.median(e.warmBoots).map { "\($0.benchSummary) (median of \(e.warmBoots.count) boots)" }
                           ?? e.warm.rawValue),
            "pinning: " + (e.pinnedCPU.map { "host process and vCPU thread on CPU \($0)" } ?? "none"),
            "iterations: " + (e.quick ? "scaled per side to a time budget of \(e.budgetMs) ms per repetition" : "the reference counts")
                + " (\(e.mode.reason)); column iters: host/guest",
            "repetitions: \(e.repeatCount) timed after a warm-up; times are ns/op, median [min–max]",
            "exits/op: VM exits that reached the VMM in the timed loops; kvm exits/op: KVM's own counter (also host interrupts)",
            "s2 faults/op: KVM's \(Stage2Faults.statistic) in the timed loops (stage-2 or shadow-paging entries KVM installed)",
        ]
        if let k = e.linuxKernel {
            lines.append("linux guest: \(k) booted by this vmm with the same binary as /init, RAM, preallocation and pinning;"
                         + " ratio vs linux = guest ns / linux guest ns, banded as ratio; linux exits/op likewise")
        }
        if e.kvmKind.isSoftware || e.hypervisor?.emulatesCPU == true {
            lines.append("NOTE: guest ring 0 is emulated here: guest/host time ratios do not predict bare metal;"
                         + " statuses are computed as the bands say but marked * and mean nothing here."
                         + " Exits/op and guest-kernel instructions/op are the meaningful guest figures.")
        } else if !e.predictsBareMetal {
            lines.append("NOTE: vmm runs inside another hypervisor: guest/host time ratios do not predict bare metal;"
                         + " statuses are marked *.")
        }
        return lines
    }

    func table() -> String {
        let mark = environment.predictsBareMetal ? "" : "*"
        let withLinux = environment.linuxKernel != nil
        var out = header.joined(separator: "\n") + "\n\n"
        out += rightPad("benchmark", 22) + leftPad("iters", 16) + leftPad("host ns", 26) + leftPad("guest ns", 34) + leftPad("ratio", 10)
            + "  " + rightPad("status", 12) + leftPad("exits/op", 10) + leftPad("kvm exits/op", 14) + leftPad("instr/op", 11)
            + leftPad("s2 faults/op", 14)
            + (withLinux ? leftPad("linux guest ns", 34) + leftPad("ratio vs linux", 16) + "  " + rightPad("vs linux", 12)
                + leftPad("linux exits/op", 16) : "") + "\n"
        for r in rows {
            var line = rightPad(r.name, 22)
            let iters = [r.hostRepetitions, r.guestRepetitions].map { $0.first.map { String($0.iterations) } ?? "-" }
            line += leftPad(" " + iters.joined(separator: "/"), 16)
            // Cells keep a leading space even when a number outgrows its column.
            line += leftPad(" " + (r.host.map(Self.cell) ?? "-"), 26) + leftPad(" " + (r.guest.map(Self.cell) ?? "-"), 34)
            line += leftPad(r.ratio.map { Self.fixed($0, 2) } ?? "-", 10) + "  "
            line += rightPad(r.status == .skipped ? "skipped" : r.status.rawValue + mark, 12)
            line += leftPad(r.exitsPerOp.map { Self.fixed($0, 3) } ?? "-", 10)
            line += leftPad(r.kvmExitsPerOp.map { Self.fixed($0, 3) } ?? "-", 14)
            line += leftPad(r.instructionsPerOp.map { Self.fixed($0, 1) } ?? "null", 11)
            line += leftPad(r.stage2FaultsPerOp.map { Self.fixed($0, 3) } ?? "-", 14)
            if withLinux {
                line += leftPad(" " + (r.linux.map(Self.cell) ?? "-"), 34) + leftPad(r.ratioVsLinux.map { Self.fixed($0, 2) } ?? "-", 16)
                line += "  " + rightPad(r.statusVsLinux == .skipped ? "skipped" : r.statusVsLinux.rawValue + mark, 12)
                line += leftPad(r.linuxExitsPerOp.map { Self.fixed($0, 3) } ?? "-", 16)
            }
            if let why = r.reason { line += "  (\(why))" }
            if withLinux, let why = r.linuxReason { line += "  (\(why))" }
            out += line + "\n"
        }
        out += "\n" + summaryLine + "\n"
        if let i = interrupted {
            out += "interrupted by \(SignalName.name(i.signal)): \(rows.count) of \(i.planned) benchmarks finished; no further benchmark was started\n"
        }
        return out
    }

    func json() -> JSON {
        let e = environment
        func summary(_ s: Summary?) -> JSON {
            s.map { .object([("median", .double($0.median)), ("min", .double($0.min)), ("max", .double($0.max))]) } ?? .null
        }
        func reps(_ rs: [BenchOutput.Repetition]) -> JSON {
            .array(rs.map { .object([("rep", .int(Int64($0.rep))), ("iters", .uint($0.iterations)),
                                     ("ns", .uint($0.nanos)), ("ns_per_op", .double($0.nanosPerOp))]) })
        }
        func number(_ d: Double?) -> JSON { d.map(JSON.double) ?? .null }
        return .object([
            ("schema", .int(1)),
            ("complete", .bool(interrupted == nil)),
            ("interrupted_by", interrupted.map { .string(SignalName.name($0.signal)) } ?? .null),
            ("planned_benchmarks", .int(Int64(interrupted?.planned ?? rows.count))),
            ("environment", .object([
                ("kvm_kind", .string(e.kvmKind.key)),
                ("kvm_kind_description", .string(e.kvmKind.description)),
                ("hypervisor", e.hypervisor.map { h in
                    .object([("signature", .string(h.signature)), ("name", .string(h.name)), ("emulates_cpu", .bool(h.emulatesCPU))])
                } ?? .null),
                ("predicts_bare_metal", .bool(e.predictsBareMetal)),
                ("cpu_model", .string(e.cpuModel)),
                ("guest_memory_bytes", .uint(e.memory.bytes)),
                ("preallocated", .bool(e.preallocated)),
                ("warm", .string(e.warm.rawValue)),
                ("warm_median_boot", WarmReport.median(e.warmBoots)?.json() ?? .null),
                ("warm_boots", .array(e.warmBoots.map { $0.json() })),
                ("pinned_cpu", e.pinnedCPU.map { .int(Int64($0)) } ?? .null),
                ("quick", .bool(e.quick)),
                ("iteration_mode", .string(e.quick ? "budget" : "reference")),
                ("iteration_mode_reason", .string(e.mode.reason)),
                ("budget_ms", e.quick ? .int(Int64(e.budgetMs)) : .null),
                ("repeat", .int(Int64(e.repeatCount))),
                ("vmm_version", .string(e.vmmVersion)),
                ("linux_kernel", e.linuxKernel.map(JSON.string) ?? .null),
            ])),
            ("summary", .object(BenchStatus.allCases.map { ($0.rawValue, .int(Int64(counts[$0] ?? 0))) })),
            ("summary_vs_linux", e.linuxKernel == nil ? .null
                : .object(BenchStatus.allCases.map { ($0.rawValue, .int(Int64(countsVsLinux[$0] ?? 0))) })),
            ("benchmarks", .array(rows.map { r in
                .object([
                    ("name", .string(r.name)),
                    ("status", .string(r.status.rawValue)),
                    ("host_ns", number(r.host?.median)),
                    ("guest_ns", number(r.guest?.median)),
                    ("ratio", number(r.ratio)),
                    ("exits_per_op", number(r.exitsPerOp)),
                    ("guest_kernel_instructions_per_op", number(r.instructionsPerOp)),
                    ("reason", r.reason.map(JSON.string) ?? .null),
                    ("kvm_exits_per_op", number(r.kvmExitsPerOp)),
                    ("stage2_faults_per_op", number(r.stage2FaultsPerOp)),
                    ("kvm_stats_per_op", .object(r.kvmStatsPerOp.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) })),
                    ("host", summary(r.host)),
                    ("guest", summary(r.guest)),
                    ("host_repetitions", reps(r.hostRepetitions)),
                    ("guest_repetitions", reps(r.guestRepetitions)),
                    ("linux_guest_ns", number(r.linux?.median)),
                    ("ratio_vs_linux", number(r.ratioVsLinux)),
                    ("status_vs_linux", e.linuxKernel == nil ? .null : .string(r.statusVsLinux.rawValue)),
                    ("linux_exits_per_op", number(r.linuxExitsPerOp)),
                    ("linux_reason", r.linuxReason.map(JSON.string) ?? .null),
                    ("linux_guest", summary(r.linux)),
                    ("linux_guest_repetitions", reps(r.linuxRepetitions)),
                ])
            })),
        ])
    }

    static func cell(_ s: Summary) -> String {
        "\(fixed(s.median, 1)) [\(fixed(s.min, 0))–\(fixed(s.max, 0))]"
    }

    /// `v` with `decimals` digits, without Foundation's String(format:).
    static func fixed(_ v: Double, _ decimals: Int) -> String {
        guard v.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9.0e18 else { return "\(v)" }
        let n = UInt64(scaled), s = UInt64(scale)
        let whole = String(n / s), frac = String(n % s)
        let sign = v < 0 && n > 0 ? "-" : ""
        if decimals == 0 { return sign + whole }
        return sign + whole + "." + String(repeating: "0", count: decimals - frac.count) + frac
    }
}

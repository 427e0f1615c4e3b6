/// The text `vmm run --profile FILE` writes: the run's instructions by
/// function, sorted, then the same per window between consecutive marks.
/// Names are as the symbol table has them (Swift's mangled); `swift demangle
/// --simplified < FILE` reads them.
enum ProfileText {
    static func render(_ p: InstructionProfile, kernel: String) -> String {
        let kernelSteps = p.steps - p.total[p.userBucket]
        var out = """
            # vmm profile: guest instructions single-stepped (KVM_GUESTDBG_SINGLESTEP), by kernel function
            # kernel: \(kernel) (\(p.symbols.symbols.count) function symbols)
            # steps: \(p.steps) (\(kernelSteps) in the kernel, \(p.total[p.userBucket]) in user mode); \
            windows between marks: \(p.windows.count)\(p.droppedWindows > 0 ? ", \(p.droppedWindows) more past the limit of \(InstructionProfile.windowLimit) counted in the run only" : "")

            == the whole run: \(p.steps) steps\n
            """
        out += table(p, p.total.enumerated().map { ($0.offset, $0.element) }, steps: p.steps)
        for (i, w) in p.windows.enumerated() {
            let from = w.startMark.map { "mark 0x" + hex($0) } ?? "the start"
            let to = w.endMark.map { "mark 0x" + hex($0) } ?? "the end"
            out += "\n== window \(i + 1): \(from) -> \(to): \(w.steps) steps"
                + (w.emulated.map { ", KVM insn_emulation \($0)" } ?? "") + "\n"
            out += table(p, w.counts, steps: w.steps)
        }
        return out
    }

    /// Non-zero rows, most steps first (then by name), and a total line.
    static func table(_ p: InstructionProfile, _ counts: [(bucket: Int, steps: UInt64)], steps: UInt64) -> String {
        let rows = counts.filter { $0.steps > 0 }.sorted {
            $0.steps != $1.steps ? $0.steps > $1.steps : p.name($0.bucket) < p.name($1.bucket)
        }
        var out = ""
        for r in rows {
            out += leftPad(String(r.steps), 10) + "  " + leftPad(BenchReport.fixed(Double(r.steps) * 100 / Double(max(steps, 1)), 1) + "%", 6)
                + "  " + p.name(r.bucket) + "\n"
        }
        return out + leftPad(String(steps), 10) + "  100.0%  total\n"
    }
}

/// `vmm bench --profile NAME`: where one operation's guest-kernel
/// instructions go. The timed loop's window (its start and end marks,
/// MarkBrackets.id) less the cheapest calibration window, function by
/// function, divided by the iterations: the same subtraction `vmm bench`
/// makes of KVM's insn_emulation, so the total is its instr/op.
struct BenchProfile: Equatable {
    struct Row: Equatable {
        let name: String
        /// Stepped instructions in the timed window less the calibration
        /// window's (negative where the calibration path ran more of it).
        let steps: Int64
        let perOp: Double
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case noTimedWindow(String)
        case noCalibrationWindow

        var description: String {
            switch self {
            case .noTimedWindow(let name): return "\(name): the profile has no window between the timed loop's marks (did the benchmark run?)"
            case .noCalibrationWindow: return "the profile has no calibration window (marks 0xffff0000-0xffff0005)"
            }
        }
    }

    let iterations: UInt64
    /// Most instructions/op first; zero rows left out.
    let rows: [Row]
    let stepsPerOp: Double
    /// KVM's insn_emulation over the same windows, per op (nil where not read).
    let emulatedPerOp: Double?
    /// What the cheapest calibration window held, subtracted.
    let calibrationSteps: UInt64

    init(_ profile: InstructionProfile, benchmark index: Int, rep: Int = 0, iterations: UInt64, name: String) throws {
        guard let timed = profile.window(from: MarkBrackets.id(benchmark: index, rep: rep, end: false),
                                         to: MarkBrackets.id(benchmark: index, rep: rep, end: true)) else {
            throw Failure.noTimedWindow(name)
        }
        let calibrations = (0..<3).compactMap {
            profile.window(from: MarkBrackets.id(benchmark: MarkBrackets.calibrationIndex, rep: $0, end: false),
                           to: MarkBrackets.id(benchmark: MarkBrackets.calibrationIndex, rep: $0, end: true))
        }
        guard let calibration = calibrations.min(by: { $0.steps < $1.steps }) else { throw Failure.noCalibrationWindow }
        var net: [Int: Int64] = [:]
        for c in timed.counts { net[c.bucket, default: 0] += Int64(clamping: c.steps) }
        for c in calibration.counts { net[c.bucket, default: 0] -= Int64(clamping: c.steps) }
        let n = Double(max(iterations, 1))
        rows = net.filter { $0.value != 0 }
            .map { Row(name: profile.name($0.key), steps: $0.value, perOp: Double($0.value) / n) }
            .sorted { $0.steps != $1.steps ? $0.steps > $1.steps : $0.name < $1.name }
        self.iterations = iterations
        calibrationSteps = calibration.steps
        stepsPerOp = Double(Int64(clamping: timed.steps) - Int64(clamping: calibration.steps)) / n
        // As MarkBrackets: the least calibration figure, floored at zero.
        if let t = timed.emulated, let c = calibrations.compactMap(\.emulated).min() {
            emulatedPerOp = Double(t - min(t, c)) / n
        } else {
            emulatedPerOp = nil
        }
    }

    /// The top `top` rows, the rest summed on one line, and the total.
    func text(name: String, top: Int) -> String {
        var out = "\(name): guest-kernel instructions per operation, single-stepped over \(iterations) iterations "
            + "(the timed loop's window less the cheapest calibration window, \(calibrationSteps) instructions)\n"
        out += leftPad("instr/op", 10) + "  " + leftPad("%", 6) + "  function\n"
        let whole = emulatedPerOp ?? stepsPerOp
        func line(_ perOp: Double, _ what: String) -> String {
            leftPad(BenchReport.fixed(perOp, 2), 10) + "  "
                + leftPad(BenchReport.fixed(whole == 0 ? 0 : perOp * 100 / whole, 1) + "%", 6) + "  " + what + "\n"
        }
        for r in rows.prefix(top) { out += line(r.perOp, r.name) }
        if rows.count > top {
            out += line(rows.dropFirst(top).reduce(0) { $0 + $1.perOp }, "(\(rows.count - top) more functions)")
        }
        out += line(stepsPerOp, "total single-stepped")
        if let e = emulatedPerOp {
            // KVM reports no step for the instruction that returns to user
            // mode (the next RIP is not the kernel's): one per kernel entry.
            out += line(e - stepsPerOp, "(emulated, not stepped: the returns to user mode)")
            out += line(e, "total = KVM insn_emulation over the same windows (vmm bench's instr/op)")
        } else {
            out += "KVM insn_emulation: not read (hardware-assisted KVM does not count guest instructions)\n"
        }
        return out
    }
}

/// How long one guest run of one benchmark is expected to take, from the work
/// asked of it (iterations or the time budget, repetitions, warm-up) and the
/// host's measured ns/op; the watchdog is derived from it, not a fixed 300 s.
struct GuestWork: Equatable {
    /// Boot, the benchmark's setup and teardown: ~1-3 s here on emulated ring
    /// 0 (tar_extract's setup spawns tar); generous, it is not the work.
    static let bootSeconds = 60.0
    /// How many times the expected work a run may take before it is stopped
    /// (pipe measured 9500x its host time here, ten times the usual slowdown).
    static let margin = 20.0
    /// A guest run expected to take longer than this is refused unless the
    /// user gives --timeout: a baseline's counts made on faster hardware.
    static let refuseAboveSeconds = 30.0 * 60

    /// Guest ns/op over host ns/op to expect: measured here (kvm_pvm) 360x
    /// for getpid, 880x read_null, 9500x pipe; ~1-2x on hardware KVM.
    static func slowdown(emulated: Bool) -> Double { emulated ? 1000 : 2 }

    /// Seconds the timed and warm-up loops are expected to take.
    let expectedSeconds: Double

    /// - iterations: fixed per repetition (reference counts, a baseline's),
    ///   or nil when the guest scales itself to `budgetMs`.
    /// - hostNanosPerOp: the host side's median; nil when it did not run.
    init(iterations: UInt64?, budgetMs: Int, repetitions: Int, warmups: Int = 1,
         hostNanosPerOp: Double?, emulated: Bool) {
        // Unknown per-op cost: assume 1 ms, a spawn benchmark's on the host.
        let perOp = (hostNanosPerOp ?? 1e6) * Self.slowdown(emulated: emulated) / 1e9
        let runs = Double(repetitions + warmups)
        if let n = iterations {
            expectedSeconds = runs * Double(n) * perOp
        } else {
            // Budget mode: each loop takes the budget or one operation,
            // whichever is longer, after a calibration of about two of them.
            expectedSeconds = (runs + 2) * max(Double(budgetMs) / 1000, perOp)
        }
    }

    var watchdogSeconds: Double { Self.bootSeconds + Self.margin * expectedSeconds }

    var tooLong: Bool { expectedSeconds > Self.refuseAboveSeconds }
}

/// "1:05", "1:02:03": elapsed and remaining times in progress lines.
func clockDuration(seconds: Double) -> String {
    let s = seconds.isFinite && seconds > 0 ? Int(seconds.rounded()) : 0
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return s >= 3600 ? "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
}

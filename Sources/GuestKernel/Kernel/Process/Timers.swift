import KernelSupport

/// The deadlines of timed sleeps, in TSC ticks (Scheduler.sleep(on:deadline:)).
/// Each sleeping task keeps its own (Process.deadline, 0: none); `earliest`
/// is a lower bound of them, so the common check "has anything expired?" is
/// one rdtsc and one compare, and the table is scanned only when it says yes.
enum Timers {
    static let none = UInt64.max
    nonisolated(unsafe) static var earliest = none

    static func add(_ deadline: UInt64) {
        if deadline < earliest { earliest = deadline }
    }

    @inline(__always) static var due: Bool { rdtsc() >= earliest }

    /// Ends the sleeps whose deadline has passed (.timedOut) and makes
    /// `earliest` exact again (a sleeper woken earlier left it low).
    static func expire() {
        guard let t = Processes.table else { earliest = none; return }
        let now = rdtsc()
        var next = none
        for i in 0..<Processes.slotsInUse where t[i].state == .sleeping && t[i].deadline != 0 {
            let d = t[i].deadline
            if d <= now {
                t[i].wakeReason = .timedOut
                t[i].state = .runnable
            } else if d < next {
                next = d
            }
        }
        earliest = next
    }
}

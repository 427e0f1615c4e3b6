import KernelSupport

/// The 1, 5 and 15 minute load averages of /proc/loadavg and sysinfo(2), as
/// Linux computes them (kernel/sched/loadavg.c): every 5 s the number of
/// active tasks (running, runnable, or in uninterruptible sleep) is folded
/// into an exponentially decaying average in 11-bit fixed point.
///
/// Linux samples from its tick; this kernel has none, so the periods are
/// caught up lazily: at each context switch that finds a period boundary
/// passed (Scheduler.run/runIdle through TaskAccounting.switching, a compare
/// when none has) and before each reader. Every period passed since the last
/// sample is folded in with the count of the stretch that just ended, as
/// Linux's calc_global_nohz folds the periods an idle CPU slept through
/// (calc_load_n): the stretch of one task alone on the CPU counts it and the
/// tasks waiting; the kernel context's stretch (nothing runnable) counts
/// only uninterruptible sleepers.
enum LoadAverage {
    nonisolated(unsafe) static var averages: (UInt64, UInt64, UInt64) = (0, 0, 0)   // avenrun, fixed point
    /// TSC of the last period boundary folded in (0: none yet), and of the next.
    nonisolated(unsafe) static var last: UInt64 = 0
    nonisolated(unsafe) static var due: UInt64 = 0

    /// The sampling period, 5 s (LOAD_FREQ), in TSC ticks.
    static var period: UInt64 { Clock.ticks(nanoseconds: 5_000_000_000) }

    /// Folds in the periods passed by `now`; `running` is the task that ran
    /// in the stretch ending now (nil: the kernel context).
    static func update(_ now: UInt64, running: UnsafeMutablePointer<Process>?) {
        let step = period
        if last == 0 { last = now; due = now &+ step; return }
        guard now >= due, step > 0 else { return }
        let n = (now - last) / step
        last &+= n &* step
        due = last &+ step
        let active = self.active(running) &* FixedLoad.one
        averages.0 = FixedLoad.fold(averages.0, FixedLoad.power(FixedLoad.exps.0, n), active)
        averages.1 = FixedLoad.fold(averages.1, FixedLoad.power(FixedLoad.exps.1, n), active)
        averages.2 = FixedLoad.fold(averages.2, FixedLoad.power(FixedLoad.exps.2, n), active)
    }

    /// Tasks counted in the stretch that ended: `running` (when a task) and
    /// the runnable ones besides it, and every uninterruptible sleeper.
    static func active(_ running: UnsafeMutablePointer<Process>?) -> UInt64 {
        guard let t = Processes.table else { return 0 }
        var n: UInt64 = running == nil ? 0 : 1
        for i in 0..<Processes.slotsInUse where t + i != running {
            switch t[i].state {
            case .running, .runnable: if running != nil { n += 1 }
            case .sleeping: if !t[i].interruptible { n += 1 }
            default: break
            }
        }
        return n
    }

    /// The averages now, brought up to date with the caller running.
    static func current() -> (UInt64, UInt64, UInt64) {
        update(rdtsc(), running: Processes.current)
        return averages
    }
}

import KernelSupport

/// ITIMER_VIRTUAL and ITIMER_PROF (setitimer(2)): timers of a process's own
/// CPU time, which send SIGVTALRM and SIGPROF when it has used the timer's
/// value, then reload with its interval. The CPU time is TaskAccounting's
/// (the TSC between switches into and out of the task), which does not tell
/// user from kernel time: ITIMER_VIRTUAL counts all of it, as getrusage
/// reports all of it as user time. Kept per slot beside the process table,
/// like TaskAccounting; not inherited by fork, kept across execve (Linux:
/// they are the signal_struct's, and fork clears them).
///
/// Only the running task uses CPU time, so only its timers can expire: when
/// a task with one armed is switched in (Scheduler.run), the wall-clock moment
/// its CPU time would reach the timer goes into Timers' earliest deadline,
/// and Timers.expire checks the running task (`check`). A switch and the
/// timer interrupt pay one test (`armed`) while no process has one armed.
enum CPUTimers {
    static let virtual = 1, prof = 2                 // setitimer's `which`
    static let SIGVTALRM: Int32 = 26, SIGPROF: Int32 = 27
    /// What getitimer reports for a timer whose moment has passed but which
    /// has not fired yet: one tick (TICK_NSEC at HZ 250, get_cpu_itimer).
    static let aboutToFire: UInt64 = 4_000_000

    /// Per slot and timer (slot * 2 + which - 1): the CPU time in TSC ticks
    /// at which it fires (0: disarmed), and its interval in ns.
    nonisolated(unsafe) static var expires = zeroedTable(of: UInt64.self, count: Processes.capacity * 2)
    nonisolated(unsafe) static var intervals = zeroedTable(of: UInt64.self, count: Processes.capacity * 2)
    /// How many are armed, over all processes.
    nonisolated(unsafe) static var armed = 0

    /// `now` plus `ticks`, saturating below Timers.none.
    @inline(__always) static func later(_ now: UInt64, _ ticks: UInt64) -> UInt64 {
        let (t, o) = now.addingReportingOverflow(ticks)
        return o || t == Timers.none ? Timers.none - 1 : t
    }

    @inline(__always) static func index(_ slot: Int, _ which: Int) -> Int { slot &* 2 &+ which &- 1 }

    /// The CPU time left on p's timer `which`, in ns (0: disarmed).
    static func remaining(_ p: UnsafeMutablePointer<Process>, _ which: Int) -> UInt64 {
        let i = index(Processes.slot(p), which)
        guard expires[i] != 0 else { return 0 }
        let used = TaskAccounting.ticks(p)
        return expires[i] <= used ? aboutToFire : Clock.nanoseconds(ticks: expires[i] - used)
    }

    static func interval(_ p: UnsafeMutablePointer<Process>, _ which: Int) -> UInt64 {
        intervals[index(Processes.slot(p), which)]
    }

    /// Arms (value > 0) or disarms p's timer `which`; p is the running task
    /// (the caller of setitimer). Returns the old value and interval in ns.
    static func set(_ p: UnsafeMutablePointer<Process>, _ which: Int, value: UInt64, interval: UInt64) -> (UInt64, UInt64) {
        let i = index(Processes.slot(p), which)
        let old = (remaining(p, which), intervals[i])
        if expires[i] != 0 { armed &-= 1 }
        expires[i] = 0
        intervals[i] = 0
        guard value != 0 else { return old }
        let (at, o) = TaskAccounting.ticks(p).addingReportingOverflow(max(Clock.ticks(nanoseconds: value), 1))
        expires[i] = o ? UInt64.max : at
        intervals[i] = interval
        armed &+= 1
        Timers.add(Clock.deadline(afterNanoseconds: value))
        Timers.program()
        return old
    }

    /// Disarms the timers of slot `slot` (its process exits, or is created there).
    @inline(__always)
    static func clear(_ slot: Int) {
        if armed != 0 { clearArmed(slot) }            // none armed: every slot's are zero already
    }

    @inline(never)
    private static func clearArmed(_ slot: Int) {
        for which in virtual...prof {
            let i = index(slot, which)
            if expires[i] != 0 { armed &-= 1 }
            expires[i] = 0
            intervals[i] = 0
        }
    }

    /// Task `p` is being switched in with `own` TSC ticks of CPU time so far:
    /// the moments its armed timers would fire go into Timers.
    static func switchedIn(_ p: UnsafeMutablePointer<Process>) {
        let s = Processes.slot(p), own = TaskAccounting.ownTicks[s], now = rdtsc()
        for which in virtual...prof {
            let e = expires[index(s, which)]
            if e != 0 { Timers.add(e <= own ? now : later(now, e - own)) }
        }
    }

    /// Timers.expire, for the running task `p`: fires what its CPU time has
    /// reached, reloads periodic ones (skipping periods already used), and
    /// returns the wall-clock moment of the next (Timers.none: nothing armed).
    static func check(_ p: UnsafeMutablePointer<Process>, now: UInt64) -> UInt64 {
        let s = Processes.slot(p), used = TaskAccounting.ticks(p)
        var next = Timers.none
        for which in virtual...prof {
            let i = index(s, which)
            guard expires[i] != 0 else { continue }
            if expires[i] <= used {
                if intervals[i] == 0 {
                    expires[i] = 0
                    armed &-= 1
                } else {
                    let step = max(Clock.ticks(nanoseconds: intervals[i]), 1)
                    let (e, o) = expires[i].addingReportingOverflow(step)
                    expires[i] = o ? UInt64.max : (e <= used ? used &+ step : e)
                }
                // it_real_fn's way: SEND_SIG_PRIV, si_code SI_KERNEL (posix-cpu-timers.c check_cpu_itimer).
                Signals.send(p, QueuedSignal.kernel(which == prof ? SIGPROF : SIGVTALRM))
            }
            if expires[i] != 0 { next = min(next, later(now, expires[i] &- used)) }
        }
        return next
    }
}

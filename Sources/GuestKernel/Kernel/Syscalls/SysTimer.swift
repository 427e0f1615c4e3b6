import KernelSupport

/// alarm(2), setitimer(2), getitimer(2): ITIMER_REAL, one per process
/// (Process.itimerDeadline in TSC ticks, 0: disarmed; itimerInterval in ns).
/// Timers.expire sends SIGALRM when it is due and re-arms a periodic one.
/// Not inherited by fork, kept across execve (Linux). ITIMER_VIRTUAL and
/// ITIMER_PROF are timers of the process's CPU time (CPUTimers).
enum SysTimer {
    static let ITIMER_REAL: UInt64 = 0

    /// The time left on p's timer, in ns; an armed timer reports at least
    /// 1 us (itimer_get_remtime).
    static func remaining(_ p: UnsafeMutablePointer<Process>) -> UInt64 {
        guard p.pointee.itimerDeadline != 0 else { return 0 }
        return max(Clock.nanoseconds(until: p.pointee.itimerDeadline), 1000)
    }

    /// Arms (value > 0) or disarms p's timer; returns the old value and interval in ns.
    static func set(_ p: UnsafeMutablePointer<Process>, value: UInt64, interval: UInt64) -> (UInt64, UInt64) {
        let old = (remaining(p), p.pointee.itimerInterval)
        p.pointee.itimerInterval = value == 0 ? 0 : interval
        p.pointee.itimerDeadline = value == 0 ? 0 : Clock.deadline(afterNanoseconds: value)
        if value != 0 {
            Timers.add(p.pointee.itimerDeadline)
            Timers.program()
        }
        return old
    }

    /// A struct itimerval {interval, value} of timevals as ns, or -EFAULT / -EINVAL.
    static func read(_ p: UnsafeMutablePointer<Process>, _ at: UInt64) -> (value: UInt64, interval: UInt64, error: Int64) {
        var v: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        guard UserMemory.copyIn(p, to: &v, from: at, count: 32) else { return (0, 0, -Errno.EFAULT) }
        guard let interval = micro(v.0, v.1), let value = micro(v.2, v.3) else { return (0, 0, -Errno.EINVAL) }
        return (value, interval, 0)
    }

    static func micro(_ sec: UInt64, _ usec: UInt64) -> UInt64? {
        guard usec < 1_000_000 else { return nil }
        return Clock.nanoseconds(timespec: sec, usec * 1000)
    }

    static func write(_ p: UnsafeMutablePointer<Process>, _ at: UInt64, value: UInt64, interval: UInt64) -> Bool {
        // Rounded up to whole microseconds, as Linux's ns_to_timeval for itimers.
        func tv(_ ns: UInt64) -> (UInt64, UInt64) {
            let us = ns / 1000 + (ns % 1000 != 0 ? 1 : 0)
            return (us / 1_000_000, us % 1_000_000)
        }
        let i = tv(interval), v = tv(value)
        var out: (UInt64, UInt64, UInt64, UInt64) = (i.0, i.1, v.0, v.1)
        return UserMemory.copyOut(p, to: at, from: &out, count: 32)
    }

    static func getitimer(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        if a.a0 == 1 || a.a0 == 2 {
            let which = Int(a.a0)
            return write(p, a.a1, value: CPUTimers.remaining(p, which), interval: CPUTimers.interval(p, which)) ? 0 : -Errno.EFAULT
        }
        guard a.a0 == ITIMER_REAL else { return -Errno.EINVAL }
        return write(p, a.a1, value: remaining(p), interval: p.pointee.itimerInterval) ? 0 : -Errno.EFAULT
    }

    /// setitimer(which, new, old): a NULL new disarms, as Linux accepts.
    static func setitimer(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a0 <= 2 else { return -Errno.EINVAL }
        let new = a.a1 == 0 ? (value: 0, interval: 0, error: 0) : read(p, a.a1)
        if new.error != 0 { return new.error }
        let (oldValue, oldInterval) = a.a0 == ITIMER_REAL ? set(p, value: new.value, interval: new.interval)
            : CPUTimers.set(p, Int(a.a0), value: new.value, interval: new.interval)
        if a.a2 != 0 && !write(p, a.a2, value: oldValue, interval: oldInterval) { return -Errno.EFAULT }
        return 0
    }

    /// alarm(seconds): the seconds left on the previous timer, rounded to
    /// the nearest (at least 1 while one was armed: alarm_setitimer).
    static func alarm(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let seconds = UInt64(UInt32(truncatingIfNeeded: a.a0))
        let (old, _) = set(p, value: seconds * 1_000_000_000, interval: 0)
        let us = old / 1000 + (old % 1000 != 0 ? 1 : 0)
        var s = us / 1_000_000
        if (s == 0 && us != 0) || us % 1_000_000 >= 500_000 { s += 1 }
        return Int64(s)
    }

    /// Timers.expire: p's timer is due at `now`: SIGALRM, and a periodic
    /// timer's next deadline (skipping periods already past).
    static func fire(_ p: UnsafeMutablePointer<Process>, now: UInt64) {
        let interval = p.pointee.itimerInterval
        if interval == 0 {
            p.pointee.itimerDeadline = 0
        } else {
            let step = max(Clock.ticks(nanoseconds: interval), 1)
            var d = p.pointee.itimerDeadline &+ step
            if d <= now { d = now &+ step }
            p.pointee.itimerDeadline = d
        }
        Signals.send(p, QueuedSignal.kernel(SIGALRM))     // it_real_fn: SEND_SIG_PRIV, si_code SI_KERNEL
    }

    static let SIGALRM: Int32 = 14
}

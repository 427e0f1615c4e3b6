/// clock_gettime(2), clock_getres(2), gettimeofday(2), time(2) from the TSC;
/// nanosleep(2), clock_nanosleep(2) on Scheduler.sleep with a TSC deadline.
enum SysTime {
    static func timespec(_ p: UnsafeMutablePointer<Process>, _ at: UInt64, ns: UInt64) -> Bool {
        var ts: (UInt64, UInt64) = (ns / 1_000_000_000, ns % 1_000_000_000)
        return UserMemory.copyOut(p, to: at, from: &ts, count: 16)
    }

    static func validClock(_ raw: UInt64) -> Bool {
        let c = SyscallArgs.int(raw)
        return c >= 0 && c <= 11 && c != 8 && c != 9 && c != 10   // no alarm / TAI-less clocks 8..10
    }

    /// The clocks that count wall time (clock_gettime(2)): CLOCK_REALTIME,
    /// CLOCK_REALTIME_COARSE and CLOCK_TAI (no leap-second offset here).
    @inline(__always) static func isWallClock(_ raw: UInt64) -> Bool { raw == 0 || raw == 5 || raw == 11 }

    static func clockGettime(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        switch CPUClock.of(p, a.a0) {
        case .task(let q): return timespec(p, a.a1, ns: CPUClock.nanoseconds(q)) ? 0 : -Errno.EFAULT
        case .invalid: return -Errno.EINVAL
        case .notCPUTime: break
        }
        guard validClock(a.a0) else { return -Errno.EINVAL }
        return timespec(p, a.a1, ns: isWallClock(a.a0) ? Clock.realtime() : Clock.nanoseconds()) ? 0 : -Errno.EFAULT
    }

    static func clockGetres(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        if case .invalid = CPUClock.of(p, a.a0) { return -Errno.EINVAL }
        guard validClock(a.a0) || SyscallArgs.int(a.a0) < 0 else { return -Errno.EINVAL }
        if a.a1 == 0 { return 0 }
        return timespec(p, a.a1, ns: 1) ? 0 : -Errno.EFAULT
    }

    static func gettimeofday(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        if a.a0 != 0 {
            let ns = Clock.realtime()
            var tv: (UInt64, UInt64) = (ns / 1_000_000_000, (ns % 1_000_000_000) / 1000)
            guard UserMemory.copyOut(p, to: a.a0, from: &tv, count: 16) else { return -Errno.EFAULT }
        }
        if a.a1 != 0 {
            var tz: (UInt64) = 0
            guard UserMemory.copyOut(p, to: a.a1, from: &tz, count: 8) else { return -Errno.EFAULT }
        }
        return 0
    }

    /// time(2): seconds since the Epoch, also stored at `tloc` when not NULL.
    static func time(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        var t = Clock.realtime() / 1_000_000_000
        if a.a0 != 0 { guard UserMemory.copyOut(p, to: a.a0, from: &t, count: 8) else { return -Errno.EFAULT } }
        return Int64(t)
    }

    /// Reads a user timespec as nanoseconds: EFAULT, EINVAL as Linux (get_timespec64, timespec64_valid).
    static func readTimespec(_ p: UnsafeMutablePointer<Process>, _ at: UInt64) -> (UInt64, Int64) {
        var ts: (UInt64, UInt64) = (0, 0)
        guard UserMemory.copyIn(p, to: &ts, from: at, count: 16) else { return (0, -Errno.EFAULT) }
        guard let ns = Clock.nanoseconds(timespec: ts.0, ts.1) else { return (0, -Errno.EINVAL) }
        return (ns, 0)
    }

    /// The task sleeps (the CPU halts when nothing else runs) until TSC
    /// `deadline`. A signal ends it with the time left at `rem` (when not
    /// NULL) and -ERESTART_RESTARTBLOCK for a relative sleep: EINTR when a
    /// handler runs, SA_RESTART or not; resumed to the same deadline by
    /// restart_syscall(2) when the signal only stopped and continued the
    /// process (do_nanosleep, hrtimer_nanosleep_restart). An absolute sleep
    /// restarts as itself: -ERESTARTNOHAND.
    static func sleep(_ p: UnsafeMutablePointer<Process>, until deadline: UInt64, remaining rem: UInt64,
                      absolute: Bool = false) -> Int64 {
        while true {
            switch Scheduler.sleep(on: 0, deadline: deadline) {
            case .timedOut: return 0
            case .woken: continue
            case .interrupted:
                if absolute { return -Errno.ERESTARTNOHAND }
                if rem != 0 && !timespec(p, rem, ns: Clock.nanoseconds(until: deadline)) { return -Errno.EFAULT }
                p.pointee.signals.restart = RestartBlock(kind: .nanosleep, deadline: deadline, address: rem)
                return -Errno.ERESTART_RESTARTBLOCK
            }
        }
    }

    static func nanosleep(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (ns, error) = readTimespec(p, a.a0)
        if error != 0 { return error }
        return sleep(p, until: Clock.deadline(afterNanoseconds: ns), remaining: a.a1)
    }

    static let EOPNOTSUPP: Int64 = 95
    static let TIMER_ABSTIME: UInt64 = 1

    /// clock_nanosleep(2): CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME
    /// and CLOCK_TAI sleep (one clock here: no suspend, no leap seconds);
    /// the clocks Linux cannot sleep on (MONOTONIC_RAW, the COARSE ones, the
    /// thread CPU clock) and the process CPU clock (Linux sleeps on it with a
    /// CPU-time timer; there is none here) give EOPNOTSUPP. Checks in Linux's order (posix-timers.c).
    static func clockNanosleep(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard validClock(a.a0) else { return -Errno.EINVAL }
        let clock = a.a0
        guard clock == 0 || clock == 1 || clock == 7 || clock == 11 else { return -EOPNOTSUPP }
        let (ns, error) = readTimespec(p, a.a2)
        if error != 0 { return error }
        guard a.a1 & TIMER_ABSTIME != 0 else {
            return sleep(p, until: Clock.deadline(afterNanoseconds: ns), remaining: a.a3)
        }
        // An absolute time on the wall clock: since boot, the boot's wall time off.
        let monotonic = isWallClock(clock) ? (ns > Clock.bootRealtime ? ns - Clock.bootRealtime : 0) : ns
        return sleep(p, until: Clock.tsc(atNanoseconds: monotonic), remaining: 0, absolute: true)
    }
}

/// clock_gettime(2), clock_getres(2), gettimeofday(2), time(2), nanosleep(2) from the TSC.
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
        guard validClock(a.a0) else { return -Errno.EINVAL }
        return timespec(p, a.a1, ns: isWallClock(a.a0) ? Clock.realtime() : Clock.nanoseconds()) ? 0 : -Errno.EFAULT
    }

    static func clockGetres(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard validClock(a.a0) else { return -Errno.EINVAL }
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

    /// Busy-waits on the TSC (no timer interrupt yet): one process, nothing else to run.
    static func sleep(_ p: UnsafeMutablePointer<Process>, _ req: UInt64) -> Int64 {
        var ts: (UInt64, UInt64) = (0, 0)
        guard UserMemory.copyIn(p, to: &ts, from: req, count: 16) else { return -Errno.EFAULT }
        guard Int64(bitPattern: ts.0) >= 0, ts.1 < 1_000_000_000 else { return -Errno.EINVAL }
        let (ns, o) = ts.0.multipliedReportingOverflow(by: 1_000_000_000)
        let until = Clock.nanoseconds() &+ (o ? UInt64.max / 2 : ns &+ ts.1)
        while Clock.nanoseconds() < until {}
        return 0
    }

    static func nanosleep(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 { sleep(p, a.a0) }

    static func clockNanosleep(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard validClock(a.a0) else { return -Errno.EINVAL }
        if a.a1 & 1 != 0 {                                     // TIMER_ABSTIME
            var ts: (UInt64, UInt64) = (0, 0)
            guard UserMemory.copyIn(p, to: &ts, from: a.a2, count: 16) else { return -Errno.EFAULT }
            guard ts.1 < 1_000_000_000 else { return -Errno.EINVAL }
            let (ns, o) = ts.0.multipliedReportingOverflow(by: 1_000_000_000)
            let until = o ? UInt64.max / 2 : ns &+ ts.1
            let wall = isWallClock(a.a0)
            while (wall ? Clock.realtime() : Clock.nanoseconds()) < until {}
            return 0
        }
        return sleep(p, a.a2)
    }
}

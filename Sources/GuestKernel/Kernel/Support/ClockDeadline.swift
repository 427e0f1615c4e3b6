import KernelSupport

/// Nanoseconds to TSC deadlines and back (Scheduler.sleep's deadlines,
/// Sources/GuestKernel/SLEEPING.md). Saturating: a user's huge timeout never wraps into the past.
extension Clock {
    /// `ns` nanoseconds as TSC ticks at tscKHz, saturating.
    static func ticks(nanoseconds ns: UInt64) -> UInt64 {
        let k = tscKHz
        let (whole, o1) = (ns / 1_000_000).multipliedReportingOverflow(by: k)
        let part = (ns % 1_000_000) * k / 1_000_000          // < k: no overflow for any real frequency
        let (t, o2) = whole.addingReportingOverflow(part)
        return o1 || o2 ? UInt64.max : t
    }

    /// TSC ticks as nanoseconds (rounded up, so a remaining time is never 0 too early).
    static func nanoseconds(ticks t: UInt64) -> UInt64 {
        let k = tscKHz
        let (whole, o) = (t / k).multipliedReportingOverflow(by: 1_000_000)
        return o ? UInt64.max : whole &+ ((t % k) * 1_000_000 + k - 1) / k
    }

    /// The TSC value `ns` nanoseconds from now.
    static func deadline(afterNanoseconds ns: UInt64) -> UInt64 {
        let (d, o) = rdtsc().addingReportingOverflow(ticks(nanoseconds: ns))
        return o ? UInt64.max - 1 : d
    }

    /// The TSC value at CLOCK_MONOTONIC time `ns` (ns since boot).
    static func tsc(atNanoseconds ns: UInt64) -> UInt64 {
        let (d, o) = bootTSC.addingReportingOverflow(ticks(nanoseconds: ns))
        return o ? UInt64.max - 1 : d
    }

    /// Nanoseconds left until TSC `deadline` (0 once it has passed).
    static func nanoseconds(until deadline: UInt64) -> UInt64 {
        let now = rdtsc()
        return deadline <= now ? 0 : nanoseconds(ticks: deadline - now)
    }

    /// A user timespec as nanoseconds (saturating); nil when invalid
    /// (tv_sec < 0 or tv_nsec outside 0..999999999: EINVAL).
    static func nanoseconds(timespec sec: UInt64, _ nsec: UInt64) -> UInt64? {
        guard Int64(bitPattern: sec) >= 0, nsec < 1_000_000_000 else { return nil }
        let (s, o) = sec.multipliedReportingOverflow(by: 1_000_000_000)
        return o ? UInt64.max : s.addingReportingOverflow(nsec).overflow ? UInt64.max : s + nsec
    }
}

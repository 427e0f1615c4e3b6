import KernelSupport

/// Time from the TSC: boot-info tsc_khz (KVM_GET_TSC_KHZ), counted from boot.
/// There is no RTC yet, so CLOCK_REALTIME is also time since boot.
enum Clock {
    nonisolated(unsafe) static var tscKHz: UInt64 = 1_000_000
    nonisolated(unsafe) static var bootTSC: UInt64 = 0

    static func nanoseconds() -> UInt64 {
        let t = rdtsc() &- bootTSC
        let k = tscKHz
        // t / k ms exactly, plus the remainder without 64-bit overflow.
        return (t / k) &* 1_000_000 &+ (t % k) &* 1_000_000 / k
    }
}

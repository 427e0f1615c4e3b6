import KernelSupport

/// Time from the TSC: boot-info tsc_khz (KVM_GET_TSC_KHZ), counted from boot.
/// CLOCK_REALTIME adds the host's wall clock that the VMM wrote into the boot
/// info just before the vCPU first ran (ABI 2), so it is behind the host by
/// the few milliseconds between that and the kernel's first instruction; it
/// is time since boot when the VMM gave none. No settimeofday.
enum Clock {
    nonisolated(unsafe) static var tscKHz: UInt64 = 1_000_000
    nonisolated(unsafe) static var bootTSC: UInt64 = 0
    nonisolated(unsafe) static var bootRealtime: UInt64 = 0

    /// CLOCK_REALTIME, ns since the Epoch.
    static func realtime() -> UInt64 { bootRealtime &+ nanoseconds() }

    static func nanoseconds() -> UInt64 {
        let t = rdtsc() &- bootTSC
        let k = tscKHz
        // t / k ms exactly, plus the remainder without 64-bit overflow.
        return (t / k) &* 1_000_000 &+ (t % k) &* 1_000_000 / k
    }
}

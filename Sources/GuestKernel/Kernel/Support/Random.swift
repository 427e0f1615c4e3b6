import KernelSupport

/// Not cryptographic: xorshift64* seeded from the TSC (and RDRAND when CPUID
/// offers it). Feeds AT_RANDOM and getrandom(2).
enum Random {
    nonisolated(unsafe) static var state: UInt64 = 0

    static func seed() {
        state = rdtsc() ^ 0x9e37_79b9_7f4a_7c15
        if state == 0 { state = 1 }
    }

    static func next() -> UInt64 {
        var x = state
        x ^= x >> 12
        x ^= x << 25
        x ^= x >> 27
        state = x
        return x &* 0x2545_f491_4f6c_dd1d
    }
}

extension Random {
    static func fill(_ dst: UnsafeMutablePointer<UInt8>, _ count: Int) {
        var i = 0
        while i < count {
            var r = next()
            for _ in 0..<8 where i < count { dst[i] = UInt8(truncatingIfNeeded: r); r >>= 8; i += 1 }
        }
    }
}

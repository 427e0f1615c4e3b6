import Glibc

/// Reads a libFuzzer input as a stream of little-endian fields; past the end
/// every field reads as zero, so any input is a valid (if short) program.
struct FuzzInput {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var at = 0

    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)
    }

    var isAtEnd: Bool { at >= bytes.count }
    var remaining: Int { max(0, bytes.count - at) }

    mutating func byte() -> UInt8 {
        guard at < bytes.count else { return 0 }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func integer<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(byte()) << (8 * i) }
        return v
    }

    /// Up to `n` bytes.
    mutating func take(_ n: Int) -> [UInt8] {
        let k = min(n, remaining)
        defer { at += k }
        return Array(bytes[at..<at + k])
    }

    mutating func rest() -> [UInt8] { take(remaining) }
}

/// A property of the code under test does not hold: a crash for libFuzzer.
func check(_ condition: Bool, _ what: @autoclosure () -> String) {
    if !condition { fatalError("fuzz check failed: \(what())") }
}

/// Whether two byte ranges are equal, by memcmp: a Swift loop here would be
/// instrumented for libFuzzer's comparison tracing, one callback per byte.
func sameBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
}

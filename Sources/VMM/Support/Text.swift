import Glibc

// Small text helpers: the VMM core stays free of Foundation.

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return s
    }
}

/// Reads a whole (small) text file, e.g. under /proc; nil when unreadable.
func readTextFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        out.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Hex with a fixed number of digits: hex(0x3f8, 4) == "03f8".
func hex<T: BinaryInteger>(_ v: T, _ digits: Int = 0) -> String {
    let s = String(v, radix: 16)
    return s.count >= digits ? s : String(repeating: "0", count: digits - s.count) + s
}

func leftPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

func rightPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

/// `value / divisor` with `decimals` digits after the point, rounded half up,
/// using integer arithmetic only.
func decimal(_ value: UInt64, dividedBy divisor: UInt64, decimals: Int) -> String {
    guard divisor > 0 else { return "-" }
    var scale: UInt64 = 1
    for _ in 0..<decimals { scale *= 10 }
    let (scaled, overflow) = value.multipliedReportingOverflow(by: scale)
    if overflow { return String(value / divisor) }
    let q = (scaled + divisor / 2) / divisor
    if decimals == 0 { return String(q) }
    let whole = q / scale, frac = q % scale
    let f = String(frac)
    return "\(whole)." + String(repeating: "0", count: decimals - f.count) + f
}

/// Guest bytes made safe for a terminal: printable ASCII as is, a backslash
/// doubled, every other byte (control characters, escape sequences, UTF-8)
/// as \\xNN, so a guest cannot send the user's terminal escape codes.
func printableEscaped(_ bytes: [UInt8]) -> String {
    var out = ""
    out.reserveCapacity(bytes.count)
    for b in bytes {
        switch b {
        case UInt8(ascii: "\\"): out += "\\\\"
        case 0x20...0x7e: out.unicodeScalars.append(Unicode.Scalar(b))
        default: out += "\\x" + hex(b, 2)
        }
    }
    return out
}

/// Writes all bytes to a file descriptor, retrying short writes and EINTR.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 { if errno == EINTR { continue }; return false }
        done += n
    }
    return true
}

func writeString(_ fd: Int32, _ s: String) {
    var s = s
    s.withUTF8 { _ = writeAll(fd, UnsafeRawBufferPointer($0)) }
}

/// One line to stderr.
func printError(_ s: String) { writeString(2, s + "\n") }

/// CLOCK_MONOTONIC in nanoseconds (vDSO: no system call).
@inline(__always)
/// CLOCK_REALTIME in nanoseconds since the Epoch (0 before 1970).
func realtimeNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return ts.tv_sec < 0 ? 0 : UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

import SystemPackage

extension Errno {
    /// errno as the last failing call left it.
    static var lastError: Errno { Errno(rawValue: Glibc.errno) }
}

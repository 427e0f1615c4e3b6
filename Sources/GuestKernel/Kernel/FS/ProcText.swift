/// Text of a /proc file built into a fixed kernel buffer (Linux's seq_file):
/// a window of it, from byte `skip` for `capacity` bytes, is kept; what lies
/// outside is counted, not stored, so a generator can never write past the
/// buffer and a text longer than the buffer is read window by window.
struct ProcText {
    let buf: UnsafeMutablePointer<UInt8>
    let capacity: Int
    let skip: Int
    /// The text's length so far, stored or not.
    var count = 0

    init(_ buf: UnsafeMutablePointer<UInt8>, capacity: Int, skip: Int = 0) {
        self.buf = buf; self.capacity = capacity; self.skip = skip
    }

    /// Bytes kept in `buf`.
    var stored: Int { min(max(count - skip, 0), capacity) }
    /// The window is full: nothing written from now on is kept.
    var full: Bool { count - skip >= capacity }

    mutating func byte(_ b: UInt8) {
        let i = count - skip
        if i >= 0 && i < capacity { buf[i] = b }
        count += 1
    }
    mutating func bytes(_ p: UnsafePointer<UInt8>, _ n: Int) { for i in 0..<max(n, 0) { byte(p[i]) } }
    mutating func put(_ s: StaticString) { bytes(s.utf8Start, s.utf8CodeUnitCount) }

    /// Decimal, right-aligned in `width` columns (seq_put_decimal_ull_width),
    /// padded with `fill` (a space; "0" for printf's "%02lu").
    mutating func decimal(_ v: UInt64, width: Int = 0, fill: UInt8 = 0x20) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)      // 20 digits at most, in 24 bytes
        let n = withUnsafeMutableBytes(of: &digits) { raw -> Int in
            let d = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var x = v, k = 0
            repeat { d[k] = UInt8(48 + x % 10); x /= 10; k += 1 } while x > 0
            return k
        }
        if width > n { for _ in 0..<(width - n) { byte(fill) } }
        withUnsafeBytes(of: &digits) { raw in
            let d = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var k = n
            while k > 0 { k -= 1; byte(d[k]) }
        }
    }
    mutating func signed(_ v: Int64) {
        if v < 0 { byte(0x2d); decimal(UInt64(bitPattern: 0 &- v)) } else { decimal(UInt64(v)) }
    }
    /// Lower-case hexadecimal, zero-padded to `width` digits (maps' "%08lx").
    mutating func hex(_ v: UInt64, width: Int) {
        var n = 1
        while n < 16 && v >> UInt64(4 * n) != 0 { n += 1 }
        if width > n { for _ in 0..<(width - n) { byte(0x30) } }
        var k = n
        while k > 0 {
            k -= 1
            let d = UInt8((v >> UInt64(4 * k)) & 15)
            byte(d < 10 ? 48 + d : 87 + d)
        }
    }
    /// Seconds with two decimals from nanoseconds (/proc/uptime's "%lu.%02lu").
    mutating func centiseconds(_ ns: UInt64) {
        decimal(ns / 1_000_000_000)
        byte(0x2e)
        let c = UInt8(ns % 1_000_000_000 / 10_000_000)
        byte(48 + c / 10)
        byte(48 + c % 10)
    }
    /// meminfo's line: the name with its colon padded to 16 columns, the
    /// value in kB right-aligned in 8 (fs/proc/meminfo.c show_val_kb).
    mutating func meminfo(_ name: StaticString, kB: UInt64) {
        put(name)
        byte(0x3a)
        var column = name.utf8CodeUnitCount + 1
        while column < 16 { byte(0x20); column += 1 }
        decimal(kB, width: 8)
        put(" kB\n")
    }
}

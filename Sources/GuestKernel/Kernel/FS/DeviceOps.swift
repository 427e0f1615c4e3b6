/// The memory devices (drivers/char/mem.c): /dev/null, /dev/zero,
/// /dev/urandom (and /dev/random). All ignore the file offset (lseek
/// returns 0) and accept pread/pwrite.
enum NullOps: FileOperations {
    /// Reads end at once without touching the buffer; writes are not even read.
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 { 0 }
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 { Int64(n) }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 6, mode: f.mode) }
    static var seeking: Seeking { .ignored }
}

enum ZeroOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        DeviceFill.read(p, buf, n, random: false)
    }
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 { Int64(n) }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 6, mode: f.mode) }
    static var seeking: Seeking { .ignored }
}

enum URandomOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        DeviceFill.read(p, buf, n, random: true)
    }
    /// Writes are read (and would be mixed into the pool): EFAULT on a bad buffer.
    @inline(never)
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 {
        UserMemory.forEachChunk(p, buf, n, write: false, { _, _ in }) ? Int64(n) : -Errno.EFAULT
    }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 6, mode: f.mode) }
    static var seeking: Seeking { .ignored }
}

enum DeviceFill {
    /// Fills `n` user bytes at `buf` with zeros or random bytes: the running
    /// process's zeros with user_zero (no walk of its page tables), the bytes
    /// before a fault counting (EFAULT when none), as Linux's read_iter_zero.
    /// Inline (read's arm for /dev/zero is then the checks and user_zero);
    /// the rest out of line.
    @inline(__always)
    static func read(_ p: UnsafeMutablePointer<Process>, _ buf: UInt64, _ n: UInt64, random: Bool) -> Int64 {
        if !random && UserMemory.isCurrent(p) && UserMemory.inUserHalf(buf, Int(truncatingIfNeeded: n)) {
            let done = UserMemory.zeroLive(buf, count: Int(n))
            return done == 0 ? -Errno.EFAULT : Int64(done)
        }
        return fill(p, buf, n, random: random)
    }

    @inline(never)
    static func fill(_ p: UnsafeMutablePointer<Process>, _ buf: UInt64, _ n: UInt64, random: Bool) -> Int64 {
        var done: UInt64 = 0
        _ = UserMemory.forEachChunk(p, buf, n, write: true) { dst, count in
            if random { Random.fill(dst, count) } else { for i in 0..<count { dst[i] = 0 } }
            done += UInt64(count)
        }
        return done == 0 && n > 0 ? -Errno.EFAULT : Int64(done)
    }
}

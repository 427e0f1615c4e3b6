/// sendfile(2)'s bounce buffer: the process's scratch page standing in for a
/// user buffer, so the bytes go through the in file's read and the out
/// file's write (FileOps) as read(2)/write(2) move them (a pipe writer sleeps,
/// a signal interrupts, SIGPIPE) — Linux's kernel-backed iov_iter (ITER_KVEC).
///
/// Only slow paths see it: a kernel address fails forEachChunk's user-range
/// check and lands here (accessOK stays as it is, on read/write's fast path;
/// the socket send path, which checks its segments with it, asks `covers`), where it is accepted only while
/// the running process is inside sendfile and only inside its own scratch
/// (processes have one task: nothing else of its runs meanwhile; another
/// process passing the address is refused, its flag being clear).
enum KernelBounce {
    static let size = 4096

    @inline(__always)
    static func base(_ p: UnsafeMutablePointer<Process>) -> UInt64 { UInt64(UInt(bitPattern: p.pointee.scratch)) }

    /// [va, va + count) lies in `p`'s scratch and `p` is in sendfile.
    static func inside(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, _ count: UInt64) -> Bool {
        let b = base(p)
        return p.pointee.bouncing && va >= b && count <= UInt64(size) && va - b <= UInt64(size) - count
    }

    @inline(never)
    static func covers(_ va: UInt64, _ count: UInt64) -> Bool {
        guard let p = Processes.current else { return false }
        return inside(p, va, count)
    }

    /// forEachChunk over the bounce buffer: one piece (it is one contiguous kernel range).
    @inline(never)
    static func chunk(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, _ count: UInt64,
                      _ body: (UnsafeMutablePointer<UInt8>, Int) -> Void) -> Bool {
        guard inside(p, va, count) else { return false }
        body(p.pointee.scratch + Int(va - base(p)), Int(count))
        return true
    }
}

import KernelSupport

/// read/write/writev/ioctl on the console descriptors, readlink (write(2),
/// writev(2), ioctl_tty(2), readlink(2)).
enum SysIO {
    static let maxRW: UInt64 = 0x7fff_f000          // Linux MAX_RW_COUNT

    /// Writes user bytes to the console; bytes written, or -EFAULT when none were.
    static func console(_ p: UnsafeMutablePointer<Process>, _ buf: UInt64, _ len: UInt64) -> Int64 {
        let n = min(len, maxRW)
        var done: UInt64 = 0
        _ = UserMemory.forEachChunk(p, buf, n, write: false) { src, count in
            Console.write(bytes: src, count: count)
            done += UInt64(count)
        }
        if done == 0 && n > 0 { return -Errno.EFAULT }
        return Int64(done)
    }

    static func write(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard FileDescriptor(a.a0) != nil else { return -Errno.EBADF }
        return console(p, a.a1, a.a2)
    }

    /// The console has no input device yet: end of file.
    static func read(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard FileDescriptor(a.a0) != nil else { return -Errno.EBADF }
        guard a.a2 == 0 || UserMemory.resolve(p, a.a1, write: true) != nil else { return -Errno.EFAULT }
        return 0
    }

    static func writev(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard FileDescriptor(a.a0) != nil else { return -Errno.EBADF }
        let count = SyscallArgs.int(a.a2)
        guard count >= 0 && count <= 1024 else { return -Errno.EINVAL }    // UIO_MAXIOV
        var total: Int64 = 0
        for i in 0..<Int(count) {
            guard let base = UserMemory.read64(p, a.a1 &+ UInt64(16 * i)),
                  let len = UserMemory.read64(p, a.a1 &+ UInt64(16 * i + 8)) else { return total > 0 ? total : -Errno.EFAULT }
            guard len <= maxRW else { return -Errno.EINVAL }
            if len == 0 { continue }
            let r = console(p, base, len)
            if r < 0 { return total > 0 ? total : r }
            total += r
            if UInt64(r) < len { break }
        }
        return total
    }

    static let TCGETS: UInt64 = 0x5401
    static let TIOCGWINSZ: UInt64 = 0x5413

    /// The console is not a terminal yet (no line discipline): ENOTTY, as for
    /// a pipe on the host.
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard FileDescriptor(a.a0) != nil else { return -Errno.EBADF }
        return -Errno.ENOTTY
    }

    /// No /proc yet: every link is absent (after the pointer checks).
    static func readlink(_ p: UnsafeMutablePointer<Process>, _ path: UInt64, _ buf: UInt64, _ size: UInt64) -> Int64 {
        guard SyscallArgs.int(size) > 0 else { return -Errno.EINVAL }
        guard UserMemory.resolve(p, path, write: false) != nil else { return -Errno.EFAULT }
        return -Errno.ENOENT
    }
}

/// fstat(2) and newfstatat(2) with AT_EMPTY_PATH on the console descriptors:
/// a character device like /dev/console (5:1). No file system yet: paths are ENOENT.
enum SysStat {
    static let AT_EMPTY_PATH: UInt64 = 0x1000

    /// struct stat (x86_64, 144 bytes) of the console.
    static func consoleStat(_ p: UnsafeMutablePointer<Process>, _ buf: UInt64) -> Int64 {
        var st: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        st.0 = 6                                  // st_dev
        st.1 = 1                                  // st_ino
        st.2 = 1                                  // st_nlink
        st.3 = UInt64(0o020620)                   // st_mode S_IFCHR|0620 | st_uid 0 << 32
        st.5 = (5 << 8) | 1                       // st_rdev makedev(5, 1)
        st.7 = 1024                               // st_blksize
        return UserMemory.copyOut(p, to: buf, from: &st, count: 144) ? 0 : -Errno.EFAULT
    }

    static func fstat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard FileDescriptor(a.a0) != nil else { return -Errno.EBADF }
        return consoleStat(p, a.a1)
    }

    static func newfstatat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        var first: UInt8 = 0
        guard UserMemory.copyIn(p, to: &first, from: a.a1, count: 1) else { return -Errno.EFAULT }
        if first == 0 {
            guard a.a3 & AT_EMPTY_PATH != 0 else { return -Errno.ENOENT }
            guard FileDescriptor(a.a0) != nil else { return -Errno.EBADF }
            return consoleStat(p, a.a2)
        }
        return -Errno.ENOENT
    }
}

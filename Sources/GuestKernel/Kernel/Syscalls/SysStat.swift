/// stat(2) family: fstat, stat, lstat, newfstatat (AT_EMPTY_PATH), over what
/// Path.lookup finds or a descriptor's open-file description.
enum SysStat {
    static let AT_EMPTY_PATH: UInt64 = 0x1000

    /// struct stat (x86_64 layout, 144 bytes).
    static func fill(_ p: UnsafeMutablePointer<Process>, _ f: OpenFile, _ buf: UInt64) -> Int64 {
        var st: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let device = f.kind != .initrdFile && f.kind != .initrdDirectory
        st.0 = device ? 6 : 1                              // st_dev
        st.1 = f.inode                                     // st_ino
        st.2 = f.kind == .initrdDirectory ? 2 : 1          // st_nlink
        st.3 = UInt64(f.mode)                              // st_mode | st_uid 0 << 32
        switch f.kind {                                    // st_rdev
        case .console: st.5 = (5 << 8) | 1
        case .null: st.5 = (1 << 8) | 3
        case .zero: st.5 = (1 << 8) | 5
        case .urandom: st.5 = (1 << 8) | 9
        default: st.5 = 0
        }
        st.6 = f.kind == .initrdFile ? f.size : 0          // st_size
        st.7 = 4096                                        // st_blksize
        st.8 = (f.size + 511) / 512                        // st_blocks
        return UserMemory.copyOut(p, to: buf, from: &st, count: 144) ? 0 : -Errno.EFAULT
    }

    static func fstat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        return fill(p, f.pointee, a.a1)
    }

    static func stat(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ buf: UInt64, _ flags: UInt64) -> Int64 {
        var first: UInt8 = 0
        guard UserMemory.copyIn(p, to: &first, from: path, count: 1) else { return -Errno.EFAULT }
        if first == 0 {
            guard flags & AT_EMPTY_PATH != 0 else { return -Errno.ENOENT }
            if SyscallArgs.int(dirfd) == -100 { return fill(p, Path.lookup(UnsafePointer(bitPattern: 1)!, 0)!, buf) }
            guard let f = p.pointee.files.get(dirfd) else { return -Errno.EBADF }
            return fill(p, f.pointee, buf)
        }
        let (f, err) = Path.resolveUser(p, dirfd, path)
        guard let file = f else { return err }
        return fill(p, file, buf)
    }
}

/// stat(2) family: fstat, stat, lstat, newfstatat (AT_EMPTY_PATH), over what
/// Path.lookup finds or a descriptor's open-file description.
enum SysStat {
    static let AT_EMPTY_PATH: UInt64 = 0x1000

    /// struct stat (x86_64 layout, 144 bytes).
    static func fill(_ p: UnsafeMutablePointer<Process>, _ f: OpenFile, _ buf: UInt64) -> Int64 {
        var st: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                 UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let k = FileOps.stat(f)
        st.0 = UInt64(k.dev)                               // st_dev
        st.1 = f.inode                                     // st_ino
        st.2 = k.nlink                                     // st_nlink
        st.3 = UInt64(k.mode)                              // st_mode | st_uid 0 << 32
        st.5 = UInt64(k.rdev.0 << 8 | k.rdev.1)            // st_rdev
        st.6 = k.size                                      // st_size
        st.7 = 4096                                        // st_blksize
        st.8 = (st.6 + 511) / 512                          // st_blocks
        return UserMemory.copyOut(p, to: buf, from: &st, count: 144) ? 0 : -Errno.EFAULT
    }

    static func fstat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        return fill(p, f.pointee, a.a1)
    }

    static let AT_SYMLINK_NOFOLLOW: UInt64 = 0x100

    static func stat(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ buf: UInt64, _ flags: UInt64) -> Int64 {
        var first: UInt8 = 0
        guard UserMemory.copyIn(p, to: &first, from: path, count: 1) else { return -Errno.EFAULT }
        if first == 0 {
            guard flags & AT_EMPTY_PATH != 0 else { return -Errno.ENOENT }
            if SyscallArgs.int(dirfd) == -100 {                             // the working directory
                guard let cwd = Path.lookup(p.pointee.cwd, p.pointee.cwdLength) else { return -Errno.ENOENT }
                return fill(p, cwd, buf)
            }
            guard let f = p.pointee.files.get(dirfd) else { return -Errno.EBADF }
            return fill(p, f.pointee, buf)
        }
        let (f, err) = Path.resolveUser(p, dirfd, path, follow: flags & AT_SYMLINK_NOFOLLOW == 0)
        guard let file = f else { return err }
        return fill(p, file, buf)
    }

    /// statx(2): struct statx (256 bytes), basic fields.
    static func statx(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let file: OpenFile
        var first: UInt8 = 0
        guard UserMemory.copyIn(p, to: &first, from: a.a1, count: 1) else { return -Errno.EFAULT }
        if first == 0 {
            guard a.a2 & AT_EMPTY_PATH != 0 else { return -Errno.ENOENT }
            guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
            file = f.pointee
        } else {
            let (f, err) = Path.resolveUser(p, a.a0, a.a1, follow: a.a2 & AT_SYMLINK_NOFOLLOW == 0)
            guard let found = f else { return err }
            file = found
        }
        let buf = UnsafeMutablePointer<UInt64>.allocate(capacity: 32)
        defer { buf.deallocate() }
        buf.initialize(repeating: 0, count: 32)
        let r = UnsafeMutableRawPointer(buf)
        r.storeBytes(of: UInt32(0x7ff), toByteOffset: 0, as: UInt32.self)            // STATX_BASIC_STATS
        r.storeBytes(of: UInt32(4096), toByteOffset: 4, as: UInt32.self)             // stx_blksize
        let k = FileOps.stat(file)
        r.storeBytes(of: UInt32(truncatingIfNeeded: k.nlink), toByteOffset: 16, as: UInt32.self)
        r.storeBytes(of: UInt16(truncatingIfNeeded: k.mode), toByteOffset: 28, as: UInt16.self)
        r.storeBytes(of: file.inode, toByteOffset: 32, as: UInt64.self)
        let size = k.size
        r.storeBytes(of: size, toByteOffset: 40, as: UInt64.self)
        r.storeBytes(of: (size + 511) / 512, toByteOffset: 48, as: UInt64.self)
        let rdev = k.rdev
        r.storeBytes(of: rdev.0, toByteOffset: 128, as: UInt32.self)
        r.storeBytes(of: rdev.1, toByteOffset: 132, as: UInt32.self)
        r.storeBytes(of: k.dev, toByteOffset: 140, as: UInt32.self)                    // stx_dev_minor
        return UserMemory.copyOut(p, to: a.a4, from: r, count: 256) ? 0 : -Errno.EFAULT
    }
}

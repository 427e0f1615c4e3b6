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
        st.3 = UInt64(k.mode)                              // st_mode (st_uid: FileMetadata)
        // st_nlink, st_uid, st_gid, st_rdev, times
        withUnsafeMutableBytes(of: &st) { FileMetadata.fill(f, $0.baseAddress!.assumingMemoryBound(to: UInt64.self)) }
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
        let (f, err) = target(p, dirfd, path, flags)
        guard let file = f else { return err }
        return fill(p, file, buf)
    }

    /// What a stat-family path names: resolveUser's file, or with
    /// AT_EMPTY_PATH and "" dirfd's (the working directory for AT_FDCWD).
    /// glibc's fstat is newfstatat(fd, "", AT_EMPTY_PATH): with the flag the
    /// first byte is looked at alone (one small copy), without it the path is
    /// copied once and "" fails there with ENOENT before any dirfd is looked at.
    static func target(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ flags: UInt64) -> (OpenFile?, Int64) {
        if flags & AT_EMPTY_PATH != 0 {
            var first: UInt8 = 0
            guard UserMemory.copyIn(p, to: &first, from: path, count: 1) else { return (nil, -Errno.EFAULT) }
            if first == 0 {
                if SyscallArgs.int(dirfd) == -100 {                         // the working directory
                    guard let cwd = Path.lookup(p.pointee.cwd, p.pointee.cwdLength) else { return (nil, -Errno.ENOENT) }
                    return (cwd, 0)
                }
                guard let d = p.pointee.files.get(dirfd) else { return (nil, -Errno.EBADF) }
                return (d.pointee, 0)
            }
        }
        return Path.resolveUser(p, dirfd, path, follow: flags & AT_SYMLINK_NOFOLLOW == 0)
    }

    /// statx(2): struct statx (256 bytes), basic fields.
    static func statx(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f, err) = target(p, a.a0, a.a1, a.a2)
        guard let file = f else { return err }
        // The task's scratch page (the path is resolved by now): no allocation per call.
        let buf = UnsafeMutableRawPointer(p.pointee.scratch).assumingMemoryBound(to: UInt64.self)
        buf.update(repeating: 0, count: 32)
        let r = UnsafeMutableRawPointer(buf)
        r.storeBytes(of: UInt32(0x7ff), toByteOffset: 0, as: UInt32.self)            // STATX_BASIC_STATS
        r.storeBytes(of: UInt32(4096), toByteOffset: 4, as: UInt32.self)             // stx_blksize
        let k = FileOps.stat(file)
        // nlink, owner, times as stat's (FileMetadata.fill), in statx's places.
        var st = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                  UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &st) { FileMetadata.fill(file, $0.baseAddress!.assumingMemoryBound(to: UInt64.self)) }
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.2), toByteOffset: 16, as: UInt32.self)       // stx_nlink
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.3 >> 32), toByteOffset: 20, as: UInt32.self) // stx_uid
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.4), toByteOffset: 24, as: UInt32.self)       // stx_gid
        r.storeBytes(of: UInt16(truncatingIfNeeded: k.mode), toByteOffset: 28, as: UInt16.self)
        r.storeBytes(of: st.9, toByteOffset: 64, as: UInt64.self)                                     // stx_atime
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.10), toByteOffset: 72, as: UInt32.self)
        r.storeBytes(of: st.13, toByteOffset: 96, as: UInt64.self)                                    // stx_ctime
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.14), toByteOffset: 104, as: UInt32.self)
        r.storeBytes(of: st.11, toByteOffset: 112, as: UInt64.self)                                   // stx_mtime
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.12), toByteOffset: 120, as: UInt32.self)
        r.storeBytes(of: file.inode, toByteOffset: 32, as: UInt64.self)
        let size = k.size
        r.storeBytes(of: size, toByteOffset: 40, as: UInt64.self)
        r.storeBytes(of: (size + 511) / 512, toByteOffset: 48, as: UInt64.self)
        let rdev = FileMetadata.rdev(file)
        r.storeBytes(of: rdev.0, toByteOffset: 128, as: UInt32.self)
        r.storeBytes(of: rdev.1, toByteOffset: 132, as: UInt32.self)
        r.storeBytes(of: k.dev, toByteOffset: 140, as: UInt32.self)                    // stx_dev_minor
        return UserMemory.copyOut(p, to: a.a4, from: r, count: 256) ? 0 : -Errno.EFAULT
    }
}

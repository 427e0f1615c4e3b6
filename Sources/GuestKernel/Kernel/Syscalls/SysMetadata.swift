/// chmod(2), chown(2) and utimensat(2) families: kept by tmpfs nodes. The
/// initramfs and /dev are read-only here (EROFS), as a read-only mount.
enum SysMetadata {
    static let AT_SYMLINK_NOFOLLOW: UInt64 = 0x100, AT_EMPTY_PATH: UInt64 = 0x1000
    static let UTIME_NOW: UInt64 = (1 << 30) - 1, UTIME_OMIT: UInt64 = (1 << 30) - 2

    /// The tmpfs node a path (or, for an empty path with AT_EMPTY_PATH or a
    /// NULL one, dirfd) names: the node, or -errno.
    static func node(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, follow: Bool,
                     emptyPath: Bool) -> (Int?, Int64) {
        let f: OpenFile
        var first: UInt8 = 0
        if path != 0 && !UserMemory.copyIn(p, to: &first, from: path, count: 1) { return (nil, -Errno.EFAULT) }
        if path == 0 || first == 0 {
            guard path == 0 || emptyPath else { return (nil, -Errno.ENOENT) }
            guard let d = p.pointee.files.get(dirfd) else { return (nil, -Errno.EBADF) }
            f = d.pointee
        } else {
            let (found, err) = Path.resolveUser(p, dirfd, path, follow: follow)
            guard let file = found else { return (nil, err) }
            f = file
        }
        guard let i = FileMetadata.tmpNode(f) else { return (nil, -Errno.EROFS) }
        return (i, 0)
    }

    static func fdNode(_ p: UnsafeMutablePointer<Process>, _ fd: UInt64) -> (Int?, Int64) {
        guard let d = p.pointee.files.get(fd) else { return (nil, -Errno.EBADF) }
        guard let i = FileMetadata.tmpNode(d.pointee) else { return (nil, -Errno.EROFS) }
        return (i, 0)
    }

    // MARK: chmod

    static func chmod(_ node: (Int?, Int64), _ mode: UInt64) -> Int64 {
        guard let i = node.0, let t = Tmpfs.nodes else { return node.1 }
        t[i].mode = t[i].mode & 0o170000 | UInt32(truncatingIfNeeded: mode) & 0o7777
        t[i].ctime = FileTime(Clock.realtime())
        return 0
    }

    /// fchmodat(2): flags are not a system-call argument (glibc handles AT_SYMLINK_NOFOLLOW).
    static func fchmodat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        chmod(node(p, a.a0, a.a1, follow: true, emptyPath: false), a.a2)
    }

    static func fchmod(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 { chmod(fdNode(p, a.a0), a.a1) }

    // MARK: chown

    /// uid or gid -1 leaves it. Any chown of a non-directory clears set-user-ID
    /// and (when group-executable) set-group-ID, root's too (chown(2), since 2.2.13).
    static func chown(_ node: (Int?, Int64), _ uid: UInt64, _ gid: UInt64) -> Int64 {
        guard let i = node.0, let t = Tmpfs.nodes else { return node.1 }
        let u = UInt32(truncatingIfNeeded: uid), g = UInt32(truncatingIfNeeded: gid)
        if u != UInt32.max { t[i].uid = u }
        if g != UInt32.max { t[i].gid = g }
        if !t[i].isDirectory && !t[i].isSymlink {
            t[i].mode &= ~UInt32(0o4000)
            if t[i].mode & 0o010 != 0 { t[i].mode &= ~UInt32(0o2000) }
        }
        t[i].ctime = FileTime(Clock.realtime())
        return 0
    }

    static func fchownat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a4 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0 else { return -Errno.EINVAL }
        return chown(node(p, a.a0, a.a1, follow: a.a4 & AT_SYMLINK_NOFOLLOW == 0, emptyPath: a.a4 & AT_EMPTY_PATH != 0), a.a2, a.a3)
    }

    static func chownPath(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, follow: Bool) -> Int64 {
        chown(node(p, SysFile.AT_FDCWD, a.a0, follow: follow, emptyPath: false), a.a1, a.a2)
    }

    static func fchown(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 { chown(fdNode(p, a.a0), a.a1, a.a2) }

    // MARK: times

    /// Sets atime and mtime (ns, or UTIME_NOW / UTIME_OMIT in `nsec`
    /// fashion: `omit` / `now`); ctime is now unless both are omitted.
    static func setTimes(_ node: (Int?, Int64), _ at: (UInt64, UInt64), _ mt: (UInt64, UInt64)) -> Int64 {
        guard let i = node.0, let t = Tmpfs.nodes else { return node.1 }
        if at.1 == UTIME_OMIT && mt.1 == UTIME_OMIT { return 0 }
        let now = Clock.realtime()
        func value(_ v: (UInt64, UInt64)) -> UInt64 { v.1 == UTIME_NOW ? now : v.0 &* 1_000_000_000 &+ v.1 }
        if at.1 != UTIME_OMIT { t[i].atime = FileTime(value(at)) }
        if mt.1 != UTIME_OMIT { t[i].mtime = FileTime(value(mt)) }
        t[i].ctime = FileTime(now)
        return 0
    }

    /// Two timespecs (NULL: both now); a tv_nsec outside 0...999999999 that is
    /// not UTIME_NOW/UTIME_OMIT is EINVAL; a negative time is before 1970 and
    /// not kept here (EINVAL: this tmpfs keeps unsigned ns).
    static func readTimes(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, micro: Bool) -> ((UInt64, UInt64), (UInt64, UInt64))? {
        if va == 0 { return ((0, UTIME_NOW), (0, UTIME_NOW)) }
        var ts = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        guard UserMemory.copyIn(p, to: &ts, from: va, count: 32) else { return nil }
        if micro {
            guard ts.1 < 1_000_000, ts.3 < 1_000_000 else { return ((0, 1 << 62), (0, 0)) }
            return ((ts.0, ts.1 * 1000), (ts.2, ts.3 * 1000))
        }
        return ((ts.0, ts.1), (ts.2, ts.3))
    }

    static func valid(_ t: (UInt64, UInt64)) -> Bool {
        (t.1 < 1_000_000_000 && Int64(bitPattern: t.0) >= 0 && t.0 < UInt64.max / 1_000_000_000 - 1)
            || t.1 == UTIME_NOW || t.1 == UTIME_OMIT
    }

    /// utimensat(2); a NULL path is futimens(3) on dirfd.
    static func utimensat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a3 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0 else { return -Errno.EINVAL }
        guard let (at, mt) = readTimes(p, a.a2, micro: false) else { return -Errno.EFAULT }
        guard valid(at) && valid(mt) else { return -Errno.EINVAL }
        return setTimes(node(p, a.a0, a.a1, follow: a.a3 & AT_SYMLINK_NOFOLLOW == 0, emptyPath: a.a3 & AT_EMPTY_PATH != 0), at, mt)
    }

    /// utimes(2) and futimesat(2): struct timeval[2].
    static func utimes(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ times: UInt64) -> Int64 {
        guard let (at, mt) = readTimes(p, times, micro: true) else { return -Errno.EFAULT }
        guard valid(at) && valid(mt) else { return -Errno.EINVAL }
        guard path != 0 else { return -Errno.EFAULT }
        return setTimes(node(p, dirfd, path, follow: true, emptyPath: false), at, mt)
    }

    /// utime(2): struct utimbuf { actime, modtime } in seconds.
    static func utime(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        var at = (UInt64(0), UTIME_NOW), mt = (UInt64(0), UTIME_NOW)
        if a.a1 != 0 {
            var b = (UInt64(0), UInt64(0))
            guard UserMemory.copyIn(p, to: &b, from: a.a1, count: 16) else { return -Errno.EFAULT }
            at = (b.0, 0); mt = (b.1, 0)
            guard valid(at) && valid(mt) else { return -Errno.EINVAL }
        }
        return setTimes(node(p, SysFile.AT_FDCWD, a.a0, follow: true, emptyPath: false), at, mt)
    }
}

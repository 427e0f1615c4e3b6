/// Name changes, possible only under /tmp (the initramfs is read-only: EROFS):
/// mkdir(2), rmdir(2), unlink(2), rename(2) and their *at forms, truncate(2).
enum SysTmpfs {
    static let AT_REMOVEDIR: UInt64 = 0x200

    /// Normalizes a user path into `norm`; its length or -errno.
    static func path(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64,
                     _ norm: UnsafeMutablePointer<UInt8>) -> Int64 {
        Path.normalizeUser(p, dirfd, path, into: norm)
    }

    static func mkdir(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ user: UInt64, _ mode: UInt64) -> Int64 {
        let norm = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.bufferSize)
        defer { norm.deallocate() }
        let n = path(p, dirfd, user, norm)
        if n < 0 { return n }
        if Path.lookup(norm, Int(n)) != nil { return -Errno.EEXIST }
        guard Tmpfs.contains(norm, Int(n)) else { return -Errno.EROFS }
        let w = Tmpfs.walk(norm, Int(n))
        guard let parent = w.parent else { return -Errno.ENOENT }
        guard w.nameLength <= Tmpfs.nameMax else { return -Errno.ENAMETOOLONG }
        guard Tmpfs.create(parent: parent, w.name, w.nameLength, directory: true,
                           mode: UInt32(truncatingIfNeeded: mode) & ~p.pointee.umask) != nil else { return -Errno.ENOSPC }
        return 0
    }

    /// unlink (directory: false) or rmdir (directory: true).
    static func remove(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ user: UInt64, directory: Bool) -> Int64 {
        let norm = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.bufferSize)
        defer { norm.deallocate() }
        let n = path(p, dirfd, user, norm)
        if n < 0 { return n }
        guard let f = Path.lookup(norm, Int(n)) else { return -Errno.ENOENT }
        if directory && !f.isDirectory { return -Errno.ENOTDIR }
        if !directory && f.isDirectory { return -Errno.EISDIR }
        guard f.kind == .tmpFile || f.kind == .tmpDirectory else { return f.isDevice ? -Errno.EACCES : -Errno.EROFS }
        if f.node == 0 { return -Errno.EBUSY }                              // /tmp itself
        if directory && !Tmpfs.isEmpty(f.node) { return -Errno.ENOTEMPTY }
        Tmpfs.unlink(f.node)
        return 0
    }

    static func unlinkat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a2 & ~AT_REMOVEDIR == 0 else { return -Errno.EINVAL }
        return remove(p, a.a0, a.a1, directory: a.a2 & AT_REMOVEDIR != 0)
    }

    static func rename(_ p: UnsafeMutablePointer<Process>, _ olddir: UInt64, _ old: UInt64, _ newdir: UInt64, _ new: UInt64,
                       flags: UInt64) -> Int64 {
        guard flags == 0 else { return -Errno.EINVAL }                      // RENAME_NOREPLACE etc.: not yet
        let a = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.bufferSize)
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.bufferSize)
        defer { a.deallocate(); b.deallocate() }
        let na = path(p, olddir, old, a)
        if na < 0 { return na }
        let nb = path(p, newdir, new, b)
        if nb < 0 { return nb }
        guard let src = Path.lookup(a, Int(na)) else { return -Errno.ENOENT }
        guard Tmpfs.contains(a, Int(na)) else { return -Errno.EROFS }
        guard Tmpfs.contains(b, Int(nb)) else { return Path.lookup(b, Int(nb)) == nil ? -Errno.EROFS : -Errno.EXDEV }
        if src.node == 0 { return -Errno.EBUSY }
        let w = Tmpfs.walk(b, Int(nb))
        guard let parent = w.parent, let t = Tmpfs.nodes else { return -Errno.ENOENT }
        guard w.nameLength > 0, w.nameLength <= Tmpfs.nameMax else { return -Errno.ENAMETOOLONG }
        // A directory cannot move below itself.
        var up = parent
        while up > 0 { if up == src.node { return -Errno.EINVAL }; up = Int(t[up].parent) }
        if let target = w.node {
            if target == src.node { return 0 }
            if t[target].isDirectory != t[src.node].isDirectory { return t[target].isDirectory ? -Errno.EISDIR : -Errno.ENOTDIR }
            if t[target].isDirectory && !Tmpfs.isEmpty(target) { return -Errno.ENOTEMPTY }
            Tmpfs.unlink(target)
        }
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: w.nameLength)
        for j in 0..<w.nameLength { copy[j] = w.name[j] }
        t[src.node].name?.deallocate()
        t[src.node].name = copy
        t[src.node].nameLength = w.nameLength
        t[src.node].parent = Int32(parent)
        return 0
    }

    static func ftruncate(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        guard Int64(bitPattern: a.a1) >= 0 else { return -Errno.EINVAL }
        guard f.pointee.kind == .tmpFile, f.pointee.writable else { return -Errno.EINVAL }
        guard a.a1 <= UInt64(Tmpfs.maxPages) * 4096 else { return -27 }     // EFBIG
        Tmpfs.truncate(f.pointee.node, to: a.a1)
        return 0
    }

    static func truncate(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard Int64(bitPattern: a.a1) >= 0 else { return -Errno.EINVAL }
        let (found, err) = Path.resolveUser(p, SysFile.AT_FDCWD, a.a0)
        guard let f = found else { return err }
        if f.isDirectory { return -Errno.EISDIR }
        guard f.kind == .tmpFile else { return f.inInitrd ? -Errno.EROFS : -Errno.EINVAL }
        guard a.a1 <= UInt64(Tmpfs.maxPages) * 4096 else { return -27 }
        Tmpfs.truncate(f.node, to: a.a1)
        return 0
    }
}

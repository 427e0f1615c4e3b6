/// Name changes, possible only under /tmp (the initramfs is read-only: EROFS):
/// mkdir(2), rmdir(2), unlink(2), rename(2) and their *at forms, truncate(2).
enum SysTmpfs {
    static let AT_REMOVEDIR: UInt64 = 0x200

    /// Normalizes a user path into `norm`; its length or -errno, and its tail.
    /// The last component is not followed, even before a trailing slash:
    /// these calls act on links themselves. "x/." and "x/.." are followed,
    /// and are ENOTDIR already when x exists and is not a directory.
    static func path(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64,
                     _ norm: UnsafeMutablePointer<UInt8>) -> (Int64, Path.Tail) {
        let n = Path.normalizeUser(p, dirfd, path, into: norm, follow: [])
        return (n, PathBuffers.tail)
    }

    /// The error of creating the name `norm[0..<n]` that ended in `tail`
    /// when it `exists` already or not: EEXIST; "x/." creates nothing
    /// (ENOENT); nil when the name is to be created. mkdir(2) creates
    /// "new/", symlink(2) does not (ENOENT).
    static func createError(_ norm: UnsafePointer<UInt8>, _ n: Int, _ tail: Path.Tail, exists: Bool,
                            directory: Bool) -> Int64? {
        if exists { return -Errno.EEXIST }
        if tail == .name || (tail == .slash && directory) { return nil }
        return Path.missingError(norm, n)
    }

    /// symlink(2)/symlinkat(2): a link under /tmp holding `target` as given.
    static func symlink(_ p: UnsafeMutablePointer<Process>, _ target: UInt64, _ dirfd: UInt64, _ link: UInt64) -> Int64 {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.max + 1)
        let norm = PathBuffers.out1
        let tn = UserMemory.copyString(p, target, into: t, max: Path.max)
        if tn < 0 { t.deallocate(); return Int64(tn) }
        guard tn > 0 else { t.deallocate(); return -Errno.ENOENT }
        let (n, tail) = path(p, dirfd, link, norm)
        if n < 0 { t.deallocate(); return n }
        if let e = createError(norm, Int(n), tail, exists: Path.lookup(norm, Int(n)) != nil, directory: false) {
            t.deallocate(); return e
        }
        guard Tmpfs.contains(norm, Int(n)) else { t.deallocate(); return readOnlyError(norm, Int(n)) }
        let w = Tmpfs.walk(norm, Int(n))
        guard let parent = w.parent else { t.deallocate(); return Path.missingError(norm, Int(n)) }
        guard let i = Tmpfs.create(parent: parent, w.name, w.nameLength, directory: false, mode: 0o777),
              let nodes = Tmpfs.nodes else { t.deallocate(); return -Errno.ENOSPC }
        nodes[i].isSymlink = true
        nodes[i].mode = 0o120777
        nodes[i].target = t
        nodes[i].targetLength = tn
        return 0
    }

    /// A name to create outside /tmp: the path's own error first (a leading
    /// component missing or not a directory), as Linux resolves the parent
    /// before it finds the file system read-only; else EROFS.
    static func readOnlyError(_ norm: UnsafePointer<UInt8>, _ n: Int) -> Int64 {
        let e = Path.parentError(norm, n)
        return e != 0 ? e : -Errno.EROFS
    }

    static func mkdir(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ user: UInt64, _ mode: UInt64) -> Int64 {
        let norm = PathBuffers.out1
        let (n, tail) = path(p, dirfd, user, norm)
        if n < 0 { return n }
        let umode = UInt32(truncatingIfNeeded: mode) & ~p.pointee.umask
        if let parent = Path.walkedMissing(norm, Int(n)) {                 // the fast walk's name to create
            let s = Path.lastComponent(norm, Int(n))
            return Tmpfs.create(parent: parent, norm + s, Int(n) &- s, directory: true, mode: umode) != nil ? 0 : -Errno.ENOSPC
        }
        if Path.walkedAny(norm, Int(n)) != nil { return -Errno.EEXIST }
        if let e = createError(norm, Int(n), tail, exists: Path.lookup(norm, Int(n)) != nil, directory: true) { return e }
        guard Tmpfs.contains(norm, Int(n)) else { return readOnlyError(norm, Int(n)) }
        let w = Tmpfs.walk(norm, Int(n))
        guard let parent = w.parent else { return Path.missingError(norm, Int(n)) }
        guard w.nameLength <= Tmpfs.nameMax else { return -Errno.ENAMETOOLONG }
        guard Tmpfs.create(parent: parent, w.name, w.nameLength, directory: true, mode: umode) != nil else { return -Errno.ENOSPC }
        return 0
    }

    /// unlink (directory: false) or rmdir (directory: true). A name with a
    /// trailing slash is not followed and must be a directory; "x/." and
    /// "x/.." name no entry to remove.
    static func remove(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ user: UInt64, directory: Bool) -> Int64 {
        let norm = PathBuffers.out1
        let (n, tail) = path(p, dirfd, user, norm)
        if n < 0 { return n }
        if let node = Path.walkedAny(norm, Int(n)) { return removeNode(node, directory: directory) }
        guard let f = Path.lookup(norm, Int(n)) else { return Path.missingWalked(norm, Int(n)) }
        if directory && !f.isDirectory { return -Errno.ENOTDIR }
        if !directory && f.isDirectory { return -Errno.EISDIR }
        if tail != .name {                              // "x/." and "x/.." found a directory (normalizeUser)
            if !directory { return tail == .slash ? -Errno.ENOTDIR : -Errno.EISDIR }
            if tail.isDots { return tail == .dot ? -Errno.EINVAL : (tail == .dotDot ? -Errno.ENOTEMPTY : -Errno.EBUSY) }
        }
        let node: Int
        if f.kind == .symlink && Tmpfs.contains(norm, Int(n)), let i = Tmpfs.walk(norm, Int(n)).node { node = i }
        else {
            guard f.kind == .tmpFile || f.kind == .tmpDirectory else { return f.isDevice ? -Errno.EACCES : -Errno.EROFS }
            node = f.node
        }
        if node == 0 { return -Errno.EBUSY }                                // /tmp itself
        if directory && !Tmpfs.isEmpty(node) { return -Errno.ENOTEMPTY }
        Tmpfs.unlink(node)
        return 0
    }

    /// remove of the tmpfs node the fast walk reached (a name: its tail is
    /// `.name`; a symbolic link itself): remove's checks in its order.
    static func removeNode(_ node: Int, directory: Bool) -> Int64 {
        guard let t = Tmpfs.nodes else { return -Errno.ENOENT }
        let isDirectory = t[node].isDirectory
        if directory && !isDirectory { return -Errno.ENOTDIR }
        if !directory && isDirectory { return -Errno.EISDIR }
        if node == 0 { return -Errno.EBUSY }                                // /tmp itself
        if directory && !Tmpfs.isEmpty(node) { return -Errno.ENOTEMPTY }
        Tmpfs.unlink(node)
        return 0
    }

    static func unlinkat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a2 & ~AT_REMOVEDIR == 0 else { return -Errno.EINVAL }
        return remove(p, a.a0, a.a1, directory: a.a2 & AT_REMOVEDIR != 0)
    }

    /// What Linux's walk up to the last component of `path` meets: its
    /// leading directories, and for "x/." x itself (a directory if it
    /// exists: normalizeUser). 0 or -errno.
    static func walkError(_ path: UnsafePointer<UInt8>, _ n: Int, _ tail: Path.Tail) -> Int64 {
        guard tail.isDots else { return Path.parentError(path, n) }
        return Path.lookup(path, n) != nil ? 0 : Path.missingError(path, n)
    }

    static func rename(_ p: UnsafeMutablePointer<Process>, _ olddir: UInt64, _ old: UInt64, _ newdir: UInt64, _ new: UInt64,
                       flags: UInt64) -> Int64 {
        guard flags == 0 else { return -Errno.EINVAL }                      // RENAME_NOREPLACE etc.: not yet
        let a = PathBuffers.out1, b = PathBuffers.out2
        let (na, tailA) = path(p, olddir, old, a)
        if na < 0 { return na }
        let (nb, tailB) = path(p, newdir, new, b)
        if nb < 0 { return nb }
        if tailA.isDots || tailB.isDots {                                   // "x/.": no entry to move or replace
            let e = walkError(a, Int(na), tailA)
            if e != 0 { return e }
            let f = walkError(b, Int(nb), tailB)
            return f != 0 ? f : -Errno.EBUSY
        }
        guard Path.lookup(a, Int(na)) != nil else { return Path.missingError(a, Int(na)) }
        guard Tmpfs.contains(a, Int(na)), let srcNode = Tmpfs.walk(a, Int(na)).node else { return -Errno.EROFS }
        guard Tmpfs.contains(b, Int(nb)) else { return Path.lookup(b, Int(nb)) == nil ? -Errno.EROFS : -Errno.EXDEV }
        if srcNode == 0 { return -Errno.EBUSY }
        let w = Tmpfs.walk(b, Int(nb))
        guard let parent = w.parent, let t = Tmpfs.nodes else { return -Errno.ENOENT }
        guard w.nameLength > 0, w.nameLength <= Tmpfs.nameMax else { return -Errno.ENAMETOOLONG }
        // A name with a trailing slash (either one) is a directory's.
        if !t[srcNode].isDirectory && (tailA == .slash || tailB == .slash) { return -Errno.ENOTDIR }
        // A directory cannot move below itself.
        var up = parent
        while up > 0 { if up == srcNode { return -Errno.EINVAL }; up = Int(t[up].parent) }
        if let target = w.node {
            if target == srcNode { return 0 }
            if t[target].isDirectory != t[srcNode].isDirectory { return t[target].isDirectory ? -Errno.EISDIR : -Errno.ENOTDIR }
            if t[target].isDirectory && !Tmpfs.isEmpty(target) { return -Errno.ENOTEMPTY }
            Tmpfs.unlink(target)
        }
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: w.nameLength)
        for j in 0..<w.nameLength { copy[j] = w.name[j] }
        Tmpfs.modified(Int(t[srcNode].parent))
        Tmpfs.modified(parent)
        if t[srcNode].isDirectory {
            t[Int(t[srcNode].parent)].subdirectories &-= 1
            t[parent].subdirectories &+= 1
        }
        t[srcNode].ctime = FileTime(Clock.realtime())
        Tmpfs.move(srcNode, to: parent, name: copy, w.nameLength)
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
        guard !Tmpfs.isExecuting(f.node) else { return -Errno.ETXTBSY }
        guard a.a1 <= UInt64(Tmpfs.maxPages) * 4096 else { return -27 }
        Tmpfs.truncate(f.node, to: a.a1)
        return 0
    }
}

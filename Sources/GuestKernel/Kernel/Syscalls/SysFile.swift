/// Descriptors and names: open(2)/openat(2), close(2), dup(2)/dup2/dup3,
/// fcntl(2), lseek(2), access(2)/faccessat(2) (poll(2): SysPoll). The tree is
/// the read-only initramfs plus /dev/{console,tty,null,zero,random,urandom}.
enum SysFile {
    static let O_ACCMODE: UInt64 = 3, O_CREAT: UInt64 = 0o100, O_EXCL: UInt64 = 0o200
    static let O_NOFOLLOW: UInt64 = 0o400000
    static let O_TRUNC: UInt64 = 0o1000, O_DIRECTORY: UInt64 = 0o200000, O_CLOEXEC: UInt64 = 0o2000000
    static let AT_FDCWD: UInt64 = UInt64(bitPattern: -100)

    static func openat(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ flags: UInt64,
                       _ mode: UInt64 = 0) -> Int64 {
        let norm = PathBuffers.out1
        // O_NOFOLLOW, and O_CREAT|O_EXCL, act on a final symbolic link itself (open(2)); a
        // trailing slash follows it, but not with O_CREAT, which refuses "name/" at once.
        let follow: Path.Follow
        if flags & O_CREAT == 0 { follow = flags & O_NOFOLLOW != 0 ? .slash : .lookup }
        else { follow = flags & (O_NOFOLLOW | O_EXCL) != 0 ? [] : .link }
        let len = Path.normalizeUser(p, dirfd, path, into: norm, follow: follow)
        if len < 0 { return len }
        if flags & O_CREAT != 0 && PathBuffers.tail == .slash {             // EISDIR, existing or not
            let e = Path.parentError(norm, Int(len))
            return e != 0 ? e : -Errno.EISDIR
        }
        if let node = Path.walkedNode(norm, Int(len)) { return openTmp(p, node, flags) }
        if let parent = Path.walkedMissing(norm, Int(len)) {
            return flags & O_CREAT != 0 ? createTmp(p, parent, norm, Int(len), flags, mode) : -Errno.ENOENT
        }
        var found = Path.lookupWalked(norm, Int(len))
        if found == nil {
            let e = Path.missingError(norm, Int(len))
            if e != -Errno.ENOENT { return e }
        }
        if found?.kind == .symlink { return flags & O_NOFOLLOW != 0 ? -Errno.ELOOP : -Errno.EEXIST }
        if found == nil {                                                   // not "x/.", which creates nothing
            guard flags & O_CREAT != 0, PathBuffers.tail == .name else { return -Errno.ENOENT }
            guard Tmpfs.contains(norm, Int(len)) else { return -Errno.EROFS }
            let w = Tmpfs.walk(norm, Int(len))
            guard let parent = w.parent else { return -Errno.ENOENT }
            guard w.nameLength <= Tmpfs.nameMax else { return -Errno.ENAMETOOLONG }
            guard let i = Tmpfs.create(parent: parent, w.name, w.nameLength, directory: false,
                                       mode: UInt32(truncatingIfNeeded: mode) & ~p.pointee.umask) else { return -Errno.ENOSPC }
            found = Path.tmpFile(i)
        } else if flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL {
            return -Errno.EEXIST
        }
        guard var f = found else { return -Errno.ENOENT }
        if f.mode & 0o170000 == 0o140000 { return -Errno.ENXIO }               // a socket's name (unix(7))
        let accmode = flags & O_ACCMODE
        guard accmode != 3 else { return -Errno.EINVAL }
        if f.isDirectory && (accmode != 0 || flags & O_CREAT != 0) { return -Errno.EISDIR }
        if f.inInitrd && (accmode != 0 || flags & O_TRUNC != 0) { return -Errno.EROFS }
        if flags & O_DIRECTORY != 0 && !f.isDirectory { return -Errno.ENOTDIR }
        if f.kind == .tmpFile && accmode != 0 && Tmpfs.isExecuting(f.node) { return -Errno.ETXTBSY }
        if f.kind == .tmpFile && flags & O_TRUNC != 0 && accmode != 0 { Tmpfs.truncate(f.node, to: 0) }
        guard let fd = p.pointee.files.lowestFree() else { return -Errno.EMFILE }
        f.statusFlags = UInt32(truncatingIfNeeded: flags) & ~UInt32(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC)
        guard let i = OpenFiles.create(f) else { return -Errno.ENFILE }
        p.pointee.files.install(fd, i, cloexec: flags & O_CLOEXEC != 0)
        return Int64(fd)
    }

    /// openat of an existing tmpfs file or directory the fast walk reached:
    /// the checks openat makes of it, in its order, and the description
    /// written into its table slot directly (no OpenFile built and copied
    /// from the lookup to openat to the table).
    @inline(never)
    static func openTmp(_ p: UnsafeMutablePointer<Process>, _ node: Int, _ flags: UInt64) -> Int64 {
        guard let t = Tmpfs.nodes else { return -Errno.ENOENT }
        if flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL { return -Errno.EEXIST }
        let mode = t[node].mode
        if mode & 0o170000 == 0o140000 { return -Errno.ENXIO }              // a socket's name (unix(7))
        let accmode = flags & O_ACCMODE
        guard accmode != 3 else { return -Errno.EINVAL }
        let directory = t[node].isDirectory
        if directory && (accmode != 0 || flags & O_CREAT != 0) { return -Errno.EISDIR }
        if flags & O_DIRECTORY != 0 && !directory { return -Errno.ENOTDIR }
        if accmode != 0 && Tmpfs.isExecuting(node) { return -Errno.ETXTBSY }
        if !directory && flags & O_TRUNC != 0 && accmode != 0 { Tmpfs.truncate(node, to: 0) }
        guard let fd = p.pointee.files.lowestFree() else { return -Errno.EMFILE }
        let status = UInt32(truncatingIfNeeded: flags) & ~UInt32(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC)
        guard let i = OpenFiles.createTmp(node, directory: directory, mode: mode, statusFlags: status) else { return -Errno.ENFILE }
        p.pointee.files.installFree(fd, i, cloexec: flags & O_CLOEXEC != 0)
        return Int64(fd)
    }

    /// openat with O_CREAT of a name the fast walk found missing from tmpfs
    /// directory `parent`: the file made, then opened as openTmp opens an
    /// existing one (what openat's general path does after its create).
    @inline(never)
    static func createTmp(_ p: UnsafeMutablePointer<Process>, _ parent: Int, _ norm: UnsafePointer<UInt8>, _ len: Int,
                          _ flags: UInt64, _ mode: UInt64) -> Int64 {
        let s = Path.lastComponent(norm, len)
        guard let i = Tmpfs.create(parent: parent, norm + s, len &- s, directory: false,
                                   mode: UInt32(truncatingIfNeeded: mode) & ~p.pointee.umask) else { return -Errno.ENOSPC }
        return openTmp(p, i, flags & ~O_EXCL)
    }

    static func close(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let fd = SyscallArgs.int(a.a0)
        guard fd >= 0, fd < Int32(FileTable.capacity) else { return -Errno.EBADF }
        return p.pointee.files.close(Int(fd)) ? 0 : -Errno.EBADF
    }

    /// dup family: `to` nil = lowest free >= `from`.
    static func duplicate(_ p: UnsafeMutablePointer<Process>, _ old: UInt64, to: Int?, from: Int = 0, cloexec: Bool) -> Int64 {
        guard let src = p.pointee.files.index(old) else { return -Errno.EBADF }
        let file = Int(p.pointee.files.slots[src])
        guard let fd = to else {                              // a free slot: a store and a reference
            guard let fd = p.pointee.files.lowestFree(from: from) else { return -Errno.EMFILE }
            OpenFiles.retainHeld(file)
            p.pointee.files.installFree(fd, file, cloexec: cloexec)
            return Int64(fd)
        }
        if fd == src { return Int64(fd) }
        OpenFiles.retain(file)
        p.pointee.files.install(fd, file, cloexec: cloexec)
        return Int64(fd)
    }

    static func dup2(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, flags: UInt64, isDup3: Bool) -> Int64 {
        let new = SyscallArgs.int(a.a1)
        guard p.pointee.files.index(a.a0) != nil else { return -Errno.EBADF }
        guard new >= 0 && new < Int32(FileTable.capacity) else { return -Errno.EBADF }
        if isDup3 {
            guard flags & ~O_CLOEXEC == 0, SyscallArgs.int(a.a0) != new else { return -Errno.EINVAL }
        }
        return duplicate(p, a.a0, to: Int(new), cloexec: flags & O_CLOEXEC != 0)
    }

    static let F_DUPFD: UInt64 = 0, F_GETFD: UInt64 = 1, F_SETFD: UInt64 = 2, F_GETFL: UInt64 = 3
    static let F_SETFL: UInt64 = 4, F_DUPFD_CLOEXEC: UInt64 = 1030

    /// F_GETFL, the commonest command, before the others' switch.
    @inline(__always)
    static func fcntl(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        if a.a1 & 0xffff_ffff == F_GETFL { return Int64(f.pointee.statusFlags | 0o100000) }   // O_LARGEFILE, as Linux reports
        return fcntl(p, f, a)
    }

    @inline(never)
    static func fcntl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ a: SyscallArgs) -> Int64 {
        let fd = Int(UInt32(truncatingIfNeeded: a.a0))                 // valid: get found it
        switch a.a1 & 0xffff_ffff {
        case F_DUPFD, F_DUPFD_CLOEXEC:
            let from = SyscallArgs.int(a.a2)
            guard from >= 0 && from < Int32(FileTable.capacity) else { return -Errno.EINVAL }
            return duplicate(p, a.a0, to: nil, from: Int(from), cloexec: a.a1 == F_DUPFD_CLOEXEC)
        case F_GETFD: return p.pointee.files.cloexec[fd] ? 1 : 0
        case 1032:                                             // F_GETPIPE_SZ
            guard let f = p.pointee.files.get(a.a0), f.pointee.isPipe else { return -Errno.EBADF }
            return Int64(Pipes.size)
        case F_SETFD: p.pointee.files.cloexec[fd] = a.a2 & 1 != 0; return 0
        case let cmd where SysLock.isLockCommand(cmd): return SysLock.fcntl(p, f, cmd, a.a2)
        case F_SETFL:                                                        // O_APPEND O_NONBLOCK O_ASYNC O_DIRECT O_NOATIME
            let settable: UInt32 = 0o2000 | 0o4000 | 0o20000 | 0o40000 | 0o1000000
            f.pointee.statusFlags = (f.pointee.statusFlags & ~settable) | (UInt32(truncatingIfNeeded: a.a2) & settable)
            return 0
        default: return -Errno.EINVAL
        }
    }

    /// lseek(fd, 0, SEEK_CUR) only reads the position, as Linux's
    /// generic_file_llseek_size special-cases it (no store of the same value).
    @inline(__always)
    static func lseek(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        guard FileOps.seeking(f.pointee.kind) == .offset else { return seekWithoutOffset(f) }
        if UInt32(truncatingIfNeeded: a.a2) == 1 && a.a1 == 0 { return Int64(bitPattern: f.pointee.offset) }
        return seek(f, a)
    }

    /// Pipes and terminals: ESPIPE; /dev/null, eventfd, epoll: 0 (noop_llseek).
    @inline(never)
    static func seekWithoutOffset(_ f: UnsafeMutablePointer<OpenFile>) -> Int64 {
        FileOps.seeking(f.pointee.kind) == .unseekable ? -Errno.ESPIPE : 0
    }

    /// lseek's other cases on a kind that seeks by offset; `whence` is an
    /// unsigned int (SYSCALL_DEFINE3(lseek, ...)): its low 32 bits.
    @inline(never)
    static func seek(_ f: UnsafeMutablePointer<OpenFile>, _ a: SyscallArgs) -> Int64 {
        let off = Int64(bitPattern: a.a1)
        let base: Int64
        switch UInt32(truncatingIfNeeded: a.a2) {
        case 0: base = 0                                          // SEEK_SET
        case 1: base = Int64(bitPattern: f.pointee.offset)        // SEEK_CUR
        case 2: base = Int64(bitPattern: f.pointee.currentSize)   // SEEK_END
        default: return -Errno.EINVAL
        }
        let (new, o) = base.addingReportingOverflow(off)
        guard !o, new >= 0 else { return -Errno.EINVAL }
        f.pointee.offset = UInt64(new)
        return new
    }

    static func access(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ mode: UInt64) -> Int64 {
        guard mode & ~UInt64(7) == 0 else { return -Errno.EINVAL }
        // A tmpfs file or directory the fast walk reached: its node's mode
        // (no description built for it); else resolveUser's file.
        let norm = PathBuffers.out1
        let m = Path.normalizeUser(p, dirfd, path, into: norm)
        if m < 0 { return m }
        if let node = Path.walkedNode(norm, Int(m)), let t = Tmpfs.nodes {
            return mode & 1 != 0 && t[node].mode & 0o111 == 0 ? -Errno.EACCES : 0
        }
        guard let file = Path.lookupWalked(norm, Int(m)) else { return Path.missingWalked(norm, Int(m)) }
        if mode & 2 != 0 && file.inInitrd { return -Errno.EROFS }
        if mode & 1 != 0 && file.mode & 0o111 == 0 { return -Errno.EACCES }
        return 0
    }
}

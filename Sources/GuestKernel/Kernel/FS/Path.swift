/// Path resolution (PathNormalize.swift has the type and its pure part):
/// what a normalized path names in the initramfs, /dev and the tmpfs,
/// symbolic links, and user paths relative to the working directory or a
/// directory descriptor.
extension Path {
    /// What a normalized path names.
    static func lookup(_ path: UnsafePointer<UInt8>, _ n: Int) -> OpenFile? {
        if Tmpfs.contains(path, n) {
            guard let i = Tmpfs.walk(path, n).node else { return nil }
            return tmpLookup(i)
        }
        var f = OpenFile()
        if ProcFS.contains(path, n) { return ProcFS.lookup(path, n) }
        if n == 0 {
            f.kind = .initrdDirectory; f.mode = 0o040755; f.inode = 1
            f.data = StaticString("").utf8Start; f.size = 0
            f.mtime = UInt32(truncatingIfNeeded: Clock.bootRealtime / 1_000_000_000)     // made at boot
            return f
        }
        // Linux's modes and numbers (devices.txt): the inode tells tty from
        // console and random from urandom (FileMetadata.rdev).
        if bytesEqual(path, "dev/console", n) { f.kind = .console; f.mode = 0o020600; f.inode = 2; return f }
        if bytesEqual(path, "dev/tty", n) { f.kind = .console; f.mode = 0o020666; f.inode = FileMetadata.ttyInode; return f }
        if bytesEqual(path, "dev/null", n) { f.kind = .null; f.mode = 0o020666; f.inode = 3; return f }
        if bytesEqual(path, "dev/zero", n) { f.kind = .zero; f.mode = 0o020666; f.inode = 4; return f }
        if bytesEqual(path, "dev/urandom", n) { f.kind = .urandom; f.mode = 0o020666; f.inode = 5; return f }
        if bytesEqual(path, "dev/random", n) { f.kind = .urandom; f.mode = 0o020666; f.inode = FileMetadata.randomInode; return f }
        if bytesEqual(path, "dev", n) {
            f.kind = .initrdDirectory; f.mode = 0o040755; f.inode = 6
            f.data = StaticString("dev").utf8Start; f.size = 3
            f.mtime = UInt32(truncatingIfNeeded: Clock.bootRealtime / 1_000_000_000)
            return f
        }
        guard let e = Initramfs.find(path, n) else { return nil }
        let type = e.mode & 0o170000
        if type == 0o100000 { f.kind = .initrdFile }
        else if type == 0o040000 { f.kind = .initrdDirectory }
        else if type == 0o120000 { f.kind = .symlink }
        else { return nil }                               // device nodes: not yet
        if f.kind == .initrdFile || f.kind == .symlink {
            f.data = e.data
            f.size = UInt64(e.dataSize)
        } else {                                          // a directory keeps its path, for getdents64
            f.data = e.name                               // Initramfs entries have no "./" prefix
            f.size = UInt64(e.nameLength)
        }
        f.mode = e.mode
        f.mtime = e.mtime
        f.owner = UInt64(e.uid) | UInt64(e.gid) << 32
        f.inode = 100 &+ UInt64(UInt(bitPattern: e.name) & 0xffff_ffff)
        return f
    }

    /// What tmpfs node `i` is to a lookup: a file, a directory or a link.
    static func tmpLookup(_ i: Int) -> OpenFile {
        guard let t = Tmpfs.nodes else { return OpenFile() }
        if t[i].isSymlink, let target = t[i].target {
            var f = OpenFile()
            f.kind = .symlink; f.data = UnsafePointer(target); f.size = UInt64(t[i].targetLength)
            f.mode = 0o120777; f.inode = Tmpfs.inodeBase + UInt64(i)
            return f
        }
        return tmpFile(i)
    }

    /// An open-file description of tmpfs file or directory `i` (read in
    /// place: the node is not copied).
    static func tmpFile(_ i: Int) -> OpenFile {
        var f = OpenFile()
        guard let t = Tmpfs.nodes else { return f }
        f.kind = t[i].isDirectory ? .tmpDirectory : .tmpFile
        f.node = i
        f.mode = t[i].mode
        f.inode = Tmpfs.inodeBase + UInt64(i)
        return f
    }

    /// Whether the leading components of normalized `path` (all but the
    /// last) are directories: 0, or -ENOENT / -ENOTDIR (path_resolution(7)).
    static func parentError(_ path: UnsafePointer<UInt8>, _ n: Int) -> Int64 {
        var e = 0
        while e < n {
            while e < n && path[e] != 0x2f { e += 1 }
            if e >= n { break }
            guard let f = lookup(path, e) else { return -Errno.ENOENT }
            if !f.isDirectory { return -Errno.ENOTDIR }
            e += 1
        }
        return 0
    }

    /// Why a normalized path that does not exist is missing: -ENOTDIR when a
    /// leading component is not a directory, else -ENOENT.
    static func missingError(_ path: UnsafePointer<UInt8>, _ n: Int) -> Int64 {
        let e = parentError(path, n)
        return e != 0 ? e : -Errno.ENOENT
    }

    /// The target of the symbolic link at normalized `path`, if it is one.
    static func linkTarget(_ path: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int)? {
        guard let f = lookup(path, n), f.kind == .symlink, let d = f.data else { return nil }
        return (d, Int(f.size))
    }

    /// `follow` for the user path `raw[0..<n]`, which ends in "/" or ".",
    /// after its tail, which goes to PathBuffers.tail. Out of line: most
    /// paths end in a name.
    @inline(never)
    static func adjust(_ follow: Follow, toTailOf raw: UnsafePointer<UInt8>, _ n: Int) -> Follow {
        let tail = dotOrSlashTail(raw, n)
        PathBuffers.tail = tail
        return follow.at(tail)
    }

    /// expandLinks' end for a path whose tail is not `.name`: `n`, or
    /// -ENOTDIR when "/." or "/.." (or a followed "/") ends a name that
    /// exists and is not a directory. Out of line: the common path pays one
    /// compare for it.
    @inline(never)
    static func directoryCheck(_ path: UnsafePointer<UInt8>, _ n: Int, _ follow: Follow) -> Int64 {
        if PathBuffers.tail == .slash && !follow.contains(.slash) { return Int64(n) }
        if let f = lookup(path, n), !f.isDirectory { return -Errno.ENOTDIR }
        return Int64(n)
    }

    static let maxLinks = 40                               // Linux's MAXSYMLINKS

    /// Expands symbolic links in normalized `buf[0..<n]` (bufferSize bytes) in
    /// place, the last component only when `follow` has `.link`: the new
    /// length, or -ELOOP / -ENAMETOOLONG. path_resolution(7), "Symbolic link
    /// resolution". A path whose tail (PathBuffers.tail) is "/." or "/.." (or
    /// "/" when `follow` has `.slash`) must name a directory: -ENOTDIR when
    /// its last component exists and is not one (fs/namei.c,
    /// LOOKUP_DIRECTORY). A followed last link whose target ends in "/" or
    /// "/." sets a `.name` tail to that (Linux looks at the end of a link's
    /// target as at the end of the path).
    static func expandLinks(_ buf: UnsafeMutablePointer<UInt8>, _ length: Int, follow: Follow) -> Int64 {
        var n = length
        var hops = 0
        let tmp = PathBuffers.tmp
        var end = 0
        while end < n || (end == n && n > 0) {
            var e = end
            while e < n && buf[e] != 0x2f { e += 1 }            // end of the next component
            if e == n && !follow.contains(.link) { return Int64(n) }
            if let (target, tn) = linkTarget(buf, e) {
                hops += 1
                if hops > maxLinks { return -Errno.ELOOP }
                if e == n && PathBuffers.tail == .name { PathBuffers.tail = Path.tail(target, tn) }
                // New path: (absolute target) or (parent of the link)/target, then the rest.
                var m = 0
                if tn == 0 || target[0] != 0x2f {
                    var parent = e
                    while parent > 0 && buf[parent - 1] != 0x2f { parent -= 1 }
                    for i in 0..<parent { tmp[i] = buf[i] }
                    m = parent
                }
                guard m + tn + (n - e) + 1 <= bufferSize else { return -Errno.ENAMETOOLONG }
                for i in 0..<tn { tmp[m + i] = target[i] }
                m += tn
                for i in e..<n { tmp[m + i - e] = buf[i] }
                m += n - e
                n = normalize(tmp, m, into: buf)
                if n < 0 { return Int64(n) }
                end = 0
                continue
            }
            if e >= n {
                if PathBuffers.tail != .name { return directoryCheck(buf, n, follow) }
                break
            }
            end = e + 1
        }
        return Int64(n)
    }

    /// Copies, normalizes and looks up a user path (AT_FDCWD or absolute).
    /// A trailing "/" or "/." follows a final link and wants a directory.
    static func resolveUser(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64,
                            follow: Bool = true) -> (OpenFile?, Int64) {
        let norm = PathBuffers.out1
        let m = normalizeUser(p, dirfd, path, into: norm, follow: follow ? .lookup : .slash)
        if m < 0 { return (nil, m) }
        guard let f = lookupWalked(norm, Int(m)) else { return (nil, missingWalked(norm, Int(m))) }
        return (f, 0)
    }

    /// Copies a user path and normalizes it against the working directory or
    /// dirfd into `norm` (bufferSize bytes): its length, or -errno; how the
    /// path ended is left in PathBuffers.tail. A final symbolic link is
    /// followed as `follow` says (Follow). A followed "name/" or "name/."
    /// that exists and is not a directory is -ENOTDIR here (expandLinks).
    static func normalizeUser(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64,
                              into norm: UnsafeMutablePointer<UInt8>, follow: Follow = .lookup) -> Int64 {
        let raw = PathBuffers.raw
        let n = UserMemory.copyString(p, path, into: raw, max: max)
        if n <= 0 { return n < 0 ? Int64(n) : -Errno.ENOENT }    // "": before any dirfd is looked at
        return normalizeRaw(p, dirfd, n, into: norm, follow: follow)
    }

    /// normalizeUser of the `n` bytes (n > 0) already in PathBuffers.raw
    /// (an AF_UNIX sun_path, which need not end in a NUL).
    static func normalizeRaw(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ n: Int,
                             into norm: UnsafeMutablePointer<UInt8>, follow: Follow = .lookup) -> Int64 {
        let raw = PathBuffers.raw
        PathBuffers.walked.length = -1
        // Most paths end in a name ("." is 0x2e, "/" 0x2f).
        var follow = follow
        if raw[n - 1] | 1 == 0x2f { follow = adjust(follow, toTailOf: raw, n) }
        else {
            PathBuffers.tail = .name
            if let m = walkTmpfs(raw, n, into: norm, follow: follow) { return m }
        }
        // A relative path starts at the working directory or at dirfd's directory.
        var base: UnsafePointer<UInt8>? = nil
        var baseLength = 0
        if needsBase(raw, n) {
            if SyscallArgs.int(dirfd) == -100 {
                base = UnsafePointer(p.pointee.cwd)
                baseLength = p.pointee.cwdLength
            } else {
                guard let d = p.pointee.files.get(dirfd) else { return -Errno.EBADF }
                guard d.pointee.isDirectory else { return -Errno.ENOTDIR }
                if d.pointee.kind == .tmpDirectory {
                    guard let len = Tmpfs.path(of: d.pointee.node, into: p.pointee.scratch, max: max) else { return -Errno.ENOENT }
                    base = UnsafePointer(p.pointee.scratch)
                    baseLength = len
                } else {
                    base = d.pointee.data
                    baseLength = Int(d.pointee.size)
                }
            }
        }
        let m = join(raw, n, base: base, baseLength: baseLength, scratch: PathBuffers.full, into: norm)
        if m < 0 { return m }
        return expandLinks(norm, Int(m), follow: follow)
    }
}

/// Scratch buffers for path resolution: the running task's own (TaskMemory;
/// Scheduler points them there on every switch), since a system call of one
/// task may sleep while another's runs. normalizeUser and expandLinks use
/// raw/full/tmp; callers hold results in out1/out2.
enum PathBuffers {
    nonisolated(unsafe) static var raw = Scheduler.idleMemory.pathBuffer(0)
    nonisolated(unsafe) static var full = Scheduler.idleMemory.pathBuffer(1)
    nonisolated(unsafe) static var tmp = Scheduler.idleMemory.pathBuffer(2)
    nonisolated(unsafe) static var out1 = Scheduler.idleMemory.pathBuffer(3)
    nonisolated(unsafe) static var out2 = Scheduler.idleMemory.pathBuffer(4)
    /// How the path that normalizeUser handled last ended (a plain value
    /// beside the buffers rather than a second result: the path system calls
    /// that never look at it pay one store). Never read across a sleep.
    nonisolated(unsafe) static var tail = Path.Tail.name
    /// The tmpfs node the last normalizeRaw's fast walk reached and the
    /// normal form it wrote (Path.walkTmpfs); length -1 when it took the
    /// general walk; Path.missLength(length) when the last name is missing
    /// from directory `node` (a name to create). Read only right after,
    /// never across a sleep.
    nonisolated(unsafe) static var walked: (norm: UnsafePointer<UInt8>?, length: Int, node: Int) = (nil, -1, 0)

    static func use(_ m: TaskMemory) {
        raw = m.pathBuffer(0); full = m.pathBuffer(1); tmp = m.pathBuffer(2)
        out1 = m.pathBuffer(3); out2 = m.pathBuffer(4)
    }
}

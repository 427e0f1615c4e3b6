/// getdents64(2), chdir(2), getcwd(3) over the initramfs tree.
enum SysDirectory {
    static let DT_CHR: UInt8 = 2, DT_DIR: UInt8 = 4, DT_REG: UInt8 = 8, DT_LNK: UInt8 = 10

    /// struct linux_dirent64 records: d_ino, d_off, d_reclen, d_type, d_name;
    /// the description's offset counts entries ("." and ".." first; in tmpfs
    /// a name's offset is its stable position, TmpfsChildren.swift). The
    /// count is a C int (fs/readdir.c): negative is too small for a record
    /// (EINVAL); records stream out a page at a time (DirentWriter).
    /// getdents(2), the old record (dietlibc's readdir still uses it): the
    /// same entries and offsets, struct linux_dirent (DirentWriter.legacy).
    static func getdents64(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, legacy: Bool = false) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        guard f.pointee.isDirectory else { return -Errno.ENOTDIR }
        var out = DirentWriter(p, to: a.a1, capacity: max(Int(SyscallArgs.int(a.a2)), 0), legacy: legacy)
        if f.pointee.kind == .tmpDirectory, let t = Tmpfs.nodes, f.pointee.node >= 0, f.pointee.node < Tmpfs.capacity {
            let node = t + f.pointee.node, parent = node.pointee.parent      // /tmp (node 0) has none: "/"
            emitDots(f, &out) { f.pointee.node == 0 || parent < 0 ? 1 : Tmpfs.inodeBase &+ UInt64(truncatingIfNeeded: parent) }
            // Its own children; an empty directory costs this test, not the loop's setup.
            if !out.full && node.pointee.firstChild != 0 { tmpfsChildren(t, from: Int(node.pointee.firstChild), f, &out) }
        } else {
            emitDots(f, &out) { pathParentInode(f) }
            if !out.full { otherEntries(f, &out) }
        }
        out.flush()
        if out.used == 0 && out.full { return -Errno.EINVAL }              // buffer too small for one record
        return out.faulted ? -Errno.EFAULT : Int64(out.used)
    }

    /// Entries 0 and 1, as fs/libfs.c dir_emit_dots: no name to copy. ".."'s
    /// d_ino is the parent directory's inode, as stat(2) of it reports
    /// (parent_ino); "/" is its own parent.
    @inline(__always)
    private static func emitDots(_ f: UnsafeMutablePointer<OpenFile>, _ out: inout DirentWriter, parent: () -> UInt64) {
        if f.pointee.offset == 0 && out.emitDot(1, inode: f.pointee.inode, offset: 1) { f.pointee.offset = 1 }
        if f.pointee.offset == 1 && out.emitDot(2, inode: parent(), offset: 2) { f.pointee.offset = 2 }
    }

    /// Of an initramfs or /proc directory: stat of its path without the last name.
    @inline(never)
    private static func pathParentInode(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64 {
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &buffer) { raw -> UInt64 in
            let scratch = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let path: UnsafePointer<UInt8>, n: Int
            if f.pointee.kind == .procDirectory {
                n = ProcFS.path(of: f.pointee.node, into: scratch, max: raw.count)        // "proc/7/fd": short
                path = UnsafePointer(scratch)
            } else {
                guard let d = f.pointee.data else { return 1 }
                path = d
                n = Int(f.pointee.size)
            }
            var cut = n
            while cut > 0 && path[cut - 1] != 0x2f { cut -= 1 }
            cut = cut > 0 ? cut - 1 : 0                                                 // without the slash
            return Path.lookup(path, cut)?.inode ?? 1
        }
    }

    /// Emits entry `index` (2 on: past the dots) unless the description's
    /// offset is past it; the offset follows what was emitted.
    @inline(__always)
    private static func entry(_ f: UnsafeMutablePointer<OpenFile>, _ out: inout DirentWriter, _ index: inout UInt64,
                              _ name: UnsafePointer<UInt8>, _ n: Int, type: UInt8, inode: UInt64) {
        defer { index &+= 1 }
        if out.full || index < f.pointee.offset { return }
        if out.emit(name, n, type: type, inode: inode, offset: index &+ 1) { f.pointee.offset = index &+ 1 }
    }

    /// The children at or past the description's offset, by their positions
    /// (stable: TmpfsChildren.swift), so that removing a listed name does not
    /// move the ones after it.
    @inline(never)
    private static func tmpfsChildren(_ t: UnsafeMutablePointer<TmpNode>, from first: Int, _ f: UnsafeMutablePointer<OpenFile>,
                                      _ out: inout DirentWriter) {
        var i = first
        while i != 0 && !out.full {
            let position = t[i].position
            if position >= f.pointee.offset, let name = t[i].name {
                let type = t[i].isDirectory ? DT_DIR : (t[i].isSymlink ? DT_LNK : DT_REG)
                if out.emit(UnsafePointer(name), t[i].nameLength, type: type, inode: Tmpfs.inodeBase &+ UInt64(i),
                            offset: position &+ 1) {
                    f.pointee.offset = position &+ 1
                }
            }
            i = Int(t[i].nextSibling)
        }
    }

    /// /proc, /dev and the initramfs directories.
    @inline(never)
    private static func otherEntries(_ f: UnsafeMutablePointer<OpenFile>, _ out: inout DirentWriter) {
        var index: UInt64 = 2
        let dir = f.pointee.data ?? StaticString("").utf8Start
        let dirLength = Int(f.pointee.size)
        if f.pointee.kind == .procDirectory {
            ProcFS.list(f.pointee.node) { name, n, type, inode in entry(f, &out, &index, name, n, type: type, inode: inode) }
        } else if dirLength == 3 && bytesEqual(dir, "dev", 3) {
            let devices: [(StaticString, UInt64)] = [("console", 2), ("tty", FileMetadata.ttyInode), ("null", 3), ("zero", 4),
                                                      ("urandom", 5), ("random", FileMetadata.randomInode)]
            for (name, inode) in devices { entry(f, &out, &index, name.utf8Start, name.utf8CodeUnitCount, type: DT_CHR, inode: inode) }
        } else {
            // Emits `e` if it is a direct child: "<dir>/<name>" (or "<name>"
            // in the root) with no further slash.
            func child(_ e: CpioArchive.Entry) -> Bool {
                let name = e.name, n = e.nameLength
                let skip = dirLength == 0 ? 0 : dirLength + 1
                guard n > skip, dirLength == 0 || (bytesEqual(name, dir, dirLength) && name[dirLength] == 0x2f) else { return false }
                for i in skip..<n where name[i] == 0x2f { return false }
                // `find . | cpio` archives "." itself (and a writer may add
                // ".."): those are the records emitted above, not children.
                if name[skip] == 0x2e && (n - skip == 1 || (n - skip == 2 && name[skip + 1] == 0x2e)) { return false }
                let type: UInt8
                switch e.mode & 0o170000 {
                case 0o040000: type = DT_DIR
                case 0o120000: type = DT_LNK
                case 0o020000: type = DT_CHR
                default: type = DT_REG
                }
                entry(f, &out, &index, name + skip, n - skip, type: type, inode: 100 &+ UInt64(UInt(bitPattern: e.name) & 0xffff_ffff))
                return true
            }
            if Initramfs.indexed {
                // Resume where the last call stopped, if the offset is still its.
                var start = 0
                if f.pointee.offset >= 2 && f.pointee.offset == f.pointee.dirCursorOffset {
                    start = f.pointee.dirCursor
                    index = f.pointee.offset
                }
                var stop = Initramfs.count
                Initramfs.forEachIndexed(from: start) { k, e in
                    if child(e) && out.full { stop = k; return false }
                    return true
                }
                f.pointee.dirCursor = stop
                f.pointee.dirCursorOffset = f.pointee.offset
            } else {
                Initramfs.forEach { e in !(child(e) && out.full) }
            }
        }
    }

    static func chdir(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (found, err) = Path.resolveUser(p, SysFile.AT_FDCWD, a.a0)
        guard let f = found else { return err }
        return enter(p, f)
    }

    static func fchdir(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        return enter(p, f.pointee)
    }

    /// Makes directory `f` the working directory.
    static func enter(_ p: UnsafeMutablePointer<Process>, _ f: OpenFile) -> Int64 {
        guard f.isDirectory else { return -Errno.ENOTDIR }
        if f.kind == .tmpDirectory {
            guard let n = Tmpfs.path(of: f.node, into: p.pointee.cwd, max: Path.max) else { return -Errno.ENOENT }
            p.pointee.cwdLength = n
            return 0
        }
        if f.kind == .procDirectory {
            p.pointee.cwdLength = ProcFS.path(of: f.node, into: p.pointee.cwd, max: Path.max)
            return 0
        }
        guard let path = f.data else { return -Errno.ENOTDIR }
        let n = min(Int(f.size), Path.max)
        for i in 0..<n { p.pointee.cwd[i] = path[i] }
        p.pointee.cwdLength = n
        return 0
    }

    static func getcwd(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let length = p.pointee.cwdLength                   // at most Path.max (enter)
        let n = length &+ 2                                 // leading slash and NUL
        guard n <= Path.max else { return -Errno.ENAMETOOLONG }       // more than PATH_MAX with the NUL (fs/d_path.c)
        guard a.a1 >= UInt64(truncatingIfNeeded: n) else { return -Errno.ERANGE }      // n >= 2
        // "/" + path + NUL in place: the "/" is the byte before cwd (Process.cwd).
        let cwd = p.pointee.cwd
        cwd[length] = 0
        return UserMemory.copyOut(p, to: a.a0, from: cwd - 1, count: n) ? Int64(n) : -Errno.EFAULT
    }
}

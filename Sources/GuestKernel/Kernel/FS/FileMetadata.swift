/// What stat(2) reports beyond type, size and inode: owner, times, link
/// count and device number, by where a file lives.
/// - tmpfs: its node's (Tmpfs.swift).
/// - initramfs: the cpio entry's c_uid, c_gid and c_mtime as atime and
///   mtime (Linux's unpacker sets both, init/initramfs.c do_utime), ctime the
///   boot (when Linux unpacks it). A directory has 2 + its subdirectories links.
/// - devices, /dev and the root: root's, created at boot (devtmpfs); Linux's numbers.
/// - pipes: root's, times 0 (not kept).
enum FileMetadata {
    static let ttyInode: UInt64 = 7, randomInode: UInt64 = 8

    /// Fills st_nlink, st_uid, st_gid, st_rdev and the three times of the
    /// struct stat at `st` (x86_64: 8-byte words 2, 3 high half, 4, 5, 9-14;
    /// word 3's low half, st_mode, is already there). tmpfs first and inline:
    /// fstat and stat of /tmp files are the measured common case.
    @inline(__always)
    static func fill(_ f: OpenFile, _ st: UnsafeMutablePointer<UInt64>) {
        if f.kind == .tmpFile || f.kind == .tmpDirectory, let t = Tmpfs.nodes {
            let n = t + f.node
            st[2] = f.kind == .tmpFile ? 1 : 2 &+ UInt64(n.pointee.subdirectories)
            st[3] |= UInt64(n.pointee.uid) << 32
            st[4] = UInt64(n.pointee.gid)
            st[9] = n.pointee.atime.seconds; st[10] = n.pointee.atime.nanoseconds
            st[11] = n.pointee.mtime.seconds; st[12] = n.pointee.mtime.nanoseconds
            st[13] = n.pointee.ctime.seconds; st[14] = n.pointee.ctime.nanoseconds
            return
        }
        fillOther(f, st)
    }

    @inline(__always) static func split(_ ns: UInt64, _ to: UnsafeMutablePointer<UInt64>) {
        (to[0], to[1]) = split(ns)
    }

    /// (seconds, nanoseconds) of a time in ns.
    @inline(__always) static func split(_ ns: UInt64) -> (UInt64, UInt64) {
        let s = ns / 1_000_000_000
        return (s, ns &- s &* 1_000_000_000)
    }

    @inline(never)
    static func fillOther(_ f: OpenFile, _ st: UnsafeMutablePointer<UInt64>) {
        st[2] = links(f)
        let (uid, gid) = owner(f)
        st[3] |= UInt64(uid) << 32
        st[4] = UInt64(gid)
        st[5] = encode(rdev(f))
        let t = times(f)
        split(t.atime, st + 9); split(t.mtime, st + 11); split(t.ctime, st + 13)
    }

    struct Times { var atime: UInt64 = 0, mtime: UInt64 = 0, ctime: UInt64 = 0 }    // ns since the Epoch

    static func times(_ f: OpenFile) -> Times {
        if let i = tmpNode(f), let t = Tmpfs.nodes { return Times(atime: t[i].atime.ns, mtime: t[i].mtime.ns, ctime: t[i].ctime.ns) }
        if f.isPipe { return Times() }
        if f.inInitrd || f.kind == .symlink {
            let m = UInt64(f.mtime) &* 1_000_000_000
            return Times(atime: m, mtime: m, ctime: Clock.bootRealtime)
        }
        return Times(atime: Clock.bootRealtime, mtime: Clock.bootRealtime, ctime: Clock.bootRealtime)
    }

    /// (uid, gid).
    static func owner(_ f: OpenFile) -> (UInt32, UInt32) {
        if let i = tmpNode(f), let t = Tmpfs.nodes { return (t[i].uid, t[i].gid) }
        return (UInt32(truncatingIfNeeded: f.owner), UInt32(truncatingIfNeeded: f.owner >> 32))
    }

    static func links(_ f: OpenFile) -> UInt64 {
        guard f.isDirectory else { return 1 }
        if f.kind == .tmpDirectory { return 2 &+ UInt64(Tmpfs.nodes?[f.node].subdirectories ?? 0) }
        guard let dir = f.data else { return 2 }
        return 2 + initrdSubdirectories(dir, Int(f.size))
    }

    /// (major, minor) of a device (Documentation/admin-guide/devices.txt).
    static func rdev(_ f: OpenFile) -> (UInt32, UInt32) {
        switch f.kind {
        case .console: return f.inode == ttyInode ? (5, 0) : (5, 1)
        case .null: return (1, 3)
        case .zero: return (1, 5)
        case .urandom: return f.inode == randomInode ? (1, 8) : (1, 9)
        default: return (0, 0)
        }
    }

    /// Linux's st_rdev encoding (new_encode_dev).
    static func encode(_ d: (UInt32, UInt32)) -> UInt64 {
        UInt64(d.1 & 0xff) | UInt64(d.0) << 8 | UInt64(d.1 & ~0xff) << 12
    }

    /// The tmpfs node of a tmpfs file, directory or symbolic link.
    static func tmpNode(_ f: OpenFile) -> Int? {
        if f.kind == .tmpFile || f.kind == .tmpDirectory { return f.node }
        if f.kind == .symlink && f.inode >= Tmpfs.inodeBase && f.inode < Tmpfs.inodeBase + UInt64(Tmpfs.capacity) {
            return Int(f.inode - Tmpfs.inodeBase)
        }
        return nil
    }

    /// Directories directly below initramfs directory `dir` (normalized,
    /// "" the root; /dev and /tmp count where the archive has them).
    static func initrdSubdirectories(_ dir: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var count: UInt64 = 0
        Initramfs.forEach { e in
            let skip = n == 0 ? 0 : n + 1
            guard e.mode & 0o170000 == 0o040000, e.nameLength > skip,
                  n == 0 || (bytesEqual(e.name, dir, n) && e.name[n] == 0x2f) else { return true }
            for i in skip..<e.nameLength where e.name[i] == 0x2f { return true }
            if e.name[skip] == 0x2e && (e.nameLength - skip == 1 || (e.nameLength - skip == 2 && e.name[skip + 1] == 0x2e)) { return true }
            count += 1
            return true
        }
        return count
    }
}

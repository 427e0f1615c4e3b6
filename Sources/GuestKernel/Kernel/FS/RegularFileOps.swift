/// Regular files: initramfs files (read-only, their bytes in the archive)
/// and tmpfs files (pages in Tmpfs, written by SysIO.writeTmp).
enum InitrdFileOps: FileOperations {
    @inline(never)
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        guard offset < f.pointee.size, let data = f.pointee.data else { return 0 }
        let count = min(n, f.pointee.size - offset)
        var done: UInt64 = 0
        _ = UserMemory.forEachChunk(p, buf, count, write: true) { dst, c in
            copyBytes(dst, data + Int(offset + done), c)
            done += UInt64(c)
        }
        return done == 0 && count > 0 ? -Errno.EFAULT : Int64(done)
    }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(mode: f.mode, size: f.size) }
    static var seeking: Seeking { .offset }
}

enum TmpFileOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        SysIO.readTmp(p, f.pointee.node, buf, n, at: offset)
    }
    @inline(never)
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 {
        if let at = offset { return SysIO.writeTmp(p, f.pointee.node, buf, n, at: at) }
        let at = f.pointee.statusFlags & 0o2000 != 0 ? f.pointee.currentSize : f.pointee.offset   // O_APPEND
        let r = SysIO.writeTmp(p, f.pointee.node, buf, n, at: at)
        if r > 0 { f.pointee.offset = at &+ UInt64(r) }
        return r
    }
    static func stat(_ f: OpenFile) -> FileStat {
        guard let t = Tmpfs.nodes, f.node >= 0 else { return FileStat(dev: 2, mode: f.mode) }
        return FileStat(dev: 2, mode: t[f.node].mode, size: t[f.node].size)
    }
    static var seeking: Seeking { .offset }
    static func opened(_ f: UnsafeMutablePointer<OpenFile>) {
        Tmpfs.opened(f.pointee.node)
        if f.pointee.writable { Tmpfs.writerOpened(f.pointee.node) }
    }
    static func release(_ f: UnsafeMutablePointer<OpenFile>) {
        if f.pointee.writable { Tmpfs.writerClosed(f.pointee.node) }
        Tmpfs.closed(f.pointee.node)
    }
}

/// Directories: read(2) is EISDIR (getdents64 lists them: SysDirectory);
/// lseek moves the getdents position.
enum InitrdDirectoryOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 { -Errno.EISDIR }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(mode: f.mode) }
    static var seeking: Seeking { .offset }
}

enum TmpDirectoryOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 { -Errno.EISDIR }
    static func stat(_ f: OpenFile) -> FileStat { Tmpfs.stat(f, size: 0) }
    static var seeking: Seeking { .offset }
    static func opened(_ f: UnsafeMutablePointer<OpenFile>) { Tmpfs.opened(f.pointee.node) }
    static func release(_ f: UnsafeMutablePointer<OpenFile>) { Tmpfs.closed(f.pointee.node) }
}

extension Tmpfs {
    /// A tmpfs node's stat fields: its live mode, st_dev 2.
    static func stat(_ f: OpenFile, size: UInt64) -> FileStat {
        FileStat(dev: 2, mode: f.node >= 0 ? (nodes?[f.node].mode ?? f.mode) : f.mode, size: size)
    }
    /// Open descriptions keep an unlinked node alive (unlink(2)).
    static func opened(_ node: Int) {
        if node >= 0 { nodes?[node].opens += 1 }
    }
    static func closed(_ node: Int) {
        guard node >= 0, let n = nodes else { return }
        n[node].opens -= 1
        if !n[node].linked { releaseIfUnused(node) }        // a node with a name stays
    }
}

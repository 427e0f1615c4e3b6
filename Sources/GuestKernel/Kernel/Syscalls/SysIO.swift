import KernelSupport

/// read/write and their vector and positional forms over open-file
/// descriptions (read(2), write(2), readv(2), pread(2)); ioctl(2), readlink(2).
enum SysIO {
    static let maxRW: UInt64 = 0x7fff_f000          // Linux MAX_RW_COUNT

    /// vfs_read/vfs_write's order: access_ok(buf, len) on the whole length,
    /// then the length clamped to MAX_RW_COUNT; the count to move, or nil
    /// (EFAULT). A length within MAX_RW_COUNT (below the user top) needs one
    /// compare: buf <= top - len cannot wrap.
    @inline(__always)
    static func count(_ buf: UInt64, _ len: UInt64) -> UInt64? {
        if len <= maxRW { return buf <= PageTable.userTop &- len ? len : nil }
        return UserMemory.accessOK(buf, len) ? maxRW : nil
    }

    /// Writes `len` user bytes at `buf` to `f` (at `offset`: pwrite); bytes written, or -errno.
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ buf: UInt64, _ len: UInt64,
                      at offset: UInt64? = nil) -> Int64 {
        guard f.pointee.writable else { return -Errno.EBADF }
        guard let n = count(buf, len) else { return -Errno.EFAULT }
        return FileOps.write(p, f, buf, n, at: offset)
    }

    /// Writes into tmpfs file `node` at `offset`, growing it (EFBIG past Tmpfs.maxPages).
    static func writeTmp(_ p: UnsafeMutablePointer<Process>, _ node: Int, _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        guard let t = Tmpfs.nodes else { return -Errno.EBADF }
        let limit = UInt64(Tmpfs.maxPages) * 4096
        if n == 0 { return 0 }
        guard offset < limit else { return -27 }                          // EFBIG
        let count = min(n, limit - offset)
        var done: UInt64 = 0
        var failed = false
        _ = UserMemory.forEachChunk(p, buf, count, write: false) { src, c in
            var i = 0
            while i < c && !failed {
                let pos = offset + done
                guard let frame = Tmpfs.frame(node, page: Int(pos / 4096), create: true) else { failed = true; return }
                let chunk = min(c - i, 4096 - Int(pos & 4095))
                copyBytes(Physical.bytes(frame) + Int(pos & 4095), src + i, chunk)
                i += chunk
                done += UInt64(chunk)
            }
        }
        if offset + done > t[node].size { t[node].size = offset + done }
        if done == 0 { return failed ? -Errno.ENOSPC : -Errno.EFAULT }
        Tmpfs.modified(node)
        return Int64(done)
    }

    static func readTmp(_ p: UnsafeMutablePointer<Process>, _ node: Int, _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        guard let t = Tmpfs.nodes, offset < t[node].size else { return 0 }
        let count = min(n, t[node].size - offset)
        var done: UInt64 = 0
        _ = UserMemory.forEachChunk(p, buf, count, write: true) { dst, c in
            var i = 0
            while i < c {
                let pos = offset + done
                let chunk = min(c - i, 4096 - Int(pos & 4095))
                if let frame = Tmpfs.frame(node, page: Int(pos / 4096), create: false) {
                    copyBytes(dst + i, Physical.bytes(frame) + Int(pos & 4095), chunk)
                } else {
                    for j in 0..<chunk { dst[i + j] = 0 }                 // a hole
                }
                i += chunk
                done += UInt64(chunk)
            }
        }
        return done == 0 && count > 0 ? -Errno.EFAULT : Int64(done)
    }

    /// Reads up to `len` bytes of `f` at `offset` into user `buf`; bytes read, or -errno.
    @inline(__always)
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ buf: UInt64, _ len: UInt64,
                     at offset: UInt64) -> Int64 {
        guard f.pointee.readable else { return -Errno.EBADF }
        guard let n = count(buf, len) else { return -Errno.EFAULT }
        return FileOps.read(p, f, buf, n, at: offset)
    }

    /// Reads advance the offset of kinds that have one.
    static func seekable(_ f: UnsafeMutablePointer<OpenFile>) -> Bool { FileOps.seeking(f.pointee.kind) == .offset }

    /// Inlined into sys_read/sys_write: the checks, then the kind's
    /// function by the one switch (a tail call where the kind needs no
    /// more), with no frame of their own.
    @inline(__always)
    static func read(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0), f.pointee.readable else { return -Errno.EBADF }
        guard let n = count(a.a1, a.a2) else { return -Errno.EFAULT }
        return FileOps.read(p, f, a.a1, n)
    }

    @inline(__always)
    static func write(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        return write(p, f, a.a1, a.a2)
    }

    @inline(__always)
    static func pread(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        guard Int64(bitPattern: a.a3) >= 0 else { return -Errno.EINVAL }
        let s = FileOps.seeking(f.pointee.kind)
        guard s != .unseekable && s != .stream else { return -Errno.ESPIPE }
        return read(p, f, a.a1, a.a2, at: a.a3)
    }

    static func pwrite(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        guard Int64(bitPattern: a.a3) >= 0 else { return -Errno.EINVAL }
        let s = FileOps.seeking(f.pointee.kind)
        guard s != .unseekable && s != .stream else { return f.pointee.writable ? -Errno.ESPIPE : -Errno.EBADF }
        return write(p, f, a.a1, a.a2, at: a.a3)
    }

    /// readv/writev as Linux's import_iovec: more than UIO_MAXIOV (1024)
    /// entries or a negative length is EINVAL, an unreadable array or an entry
    /// failing access_ok is EFAULT, all before any byte moves; the total is
    /// clamped to MAX_RW_COUNT. The array is copied in once, into the
    /// process's scratch page (up to 256 entries) or a bounded 16 KiB block.
    @inline(never)
    static func readv(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 { vector(p, a, write: false) }
    @inline(never)
    static func writev(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        if a.a2 == 1, let f = p.pointee.files.get(a.a0) { return writeOne(p, f, a.a1) }
        return vector(p, a, write: true)
    }

    /// writev of one iovec (stdio's), apart from `vector` and its prologue:
    /// vector's checks in its order (EBADF, then the entry's EFAULT/EINVAL),
    /// the entry read into registers, then the kind's write with nothing
    /// checked twice.
    @inline(never)
    static func writeOne(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ iov: UInt64) -> Int64 {
        guard f.pointee.writable else { return -Errno.EBADF }
        var v: (UInt64, UInt64) = (0, 0)
        guard UserMemory.copyIn(p, to: &v, from: iov, count: 16) else { return -Errno.EFAULT }
        if Int64(bitPattern: v.1) < 0 { return -Errno.EINVAL }
        guard UserMemory.accessOK(v.0, v.1) else { return -Errno.EFAULT }
        if v.1 == 0 { return 0 }
        return FileOps.write(p, f, v.0, min(v.1, maxRW), at: nil)
    }

    static func vector(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, write isWrite: Bool) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        guard isWrite ? f.pointee.writable : f.pointee.readable else { return -Errno.EBADF }
        guard a.a2 <= 1024 else { return -Errno.EINVAL }
        if a.a2 == 1 { return single(p, f, a.a1, write: isWrite) }
        let count = Int(a.a2)
        let inScratch = count <= Path.max / 16
        let v: UnsafeMutablePointer<UInt64> = inScratch ? UnsafeMutableRawPointer(p.pointee.scratch).assumingMemoryBound(to: UInt64.self)
                                                        : .allocate(capacity: 2 * count)
        defer { if !inScratch { v.deallocate() } }
        guard UserMemory.copyIn(p, to: v, from: a.a1, count: 16 * count) else { return -Errno.EFAULT }
        var bad = false
        for i in 0..<count {
            if Int64(bitPattern: v[2 * i + 1]) < 0 { return -Errno.EINVAL }
            if !UserMemory.accessOK(v[2 * i], v[2 * i + 1]) { bad = true }
        }
        if bad { return -Errno.EFAULT }
        var total: Int64 = 0
        for i in 0..<count {
            let len = min(v[2 * i + 1], maxRW - UInt64(total))
            if len == 0 { continue }
            let r: Int64
            if isWrite { r = write(p, f, v[2 * i], len) }
            else {
                r = read(p, f, v[2 * i], len, at: f.pointee.offset)
                if r > 0 && seekable(f) { f.pointee.offset &+= UInt64(r) }
            }
            if r < 0 { return total > 0 ? total : r }
            total += r
            if UInt64(r) < len { break }
        }
        return total
    }

    /// readv/writev of one iovec (the common case: stdio's writev of one
    /// buffer), read into registers rather than the scratch page; the same
    /// checks and results as `vector`.
    @inline(__always)
    static func single(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ iov: UInt64,
                       write isWrite: Bool) -> Int64 {
        var v: (UInt64, UInt64) = (0, 0)
        guard UserMemory.copyIn(p, to: &v, from: iov, count: 16) else { return -Errno.EFAULT }
        if Int64(bitPattern: v.1) < 0 { return -Errno.EINVAL }
        guard UserMemory.accessOK(v.0, v.1) else { return -Errno.EFAULT }
        let len = min(v.1, maxRW)
        if len == 0 { return 0 }
        if isWrite { return write(p, f, v.0, len) }
        let r = read(p, f, v.0, len, at: f.pointee.offset)
        if r > 0 && seekable(f) { f.pointee.offset &+= UInt64(r) }
        return r
    }

    /// ioctl(2): the kind's (ioctl_tty(2) for the console), ENOTTY elsewhere.
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        return FileOps.ioctl(p, f, a.a1, a.a2)
    }

    /// readlink(2): the target, not NUL-terminated, truncated to `size`
    /// (/proc's links too: FS/ProcFS.swift).
    static func readlink(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ buf: UInt64, _ size: UInt64) -> Int64 {
        guard SyscallArgs.int(size) > 0 else { return -Errno.EINVAL }
        let (found, err) = Path.resolveUser(p, dirfd, path, follow: false)
        guard let f = found else { return err }
        guard f.kind == .symlink, let target = f.data else { return -Errno.EINVAL }
        let n = min(Int(f.size), Int(SyscallArgs.int(size)))
        return UserMemory.copyOut(p, to: buf, from: target, count: n) ? Int64(n) : -Errno.EFAULT
    }
}

/// Streams struct linux_dirent64 records (or, for the old getdents(2),
/// struct linux_dirent: d_ino, d_off, d_reclen, the name and its NUL, d_type
/// in the record's last byte) to a user buffer of any size through
/// one fixed kernel page (getdents64's count is the user's: never an
/// allocation size). A record that does not fit in what is left of the count
/// ends the call (`full`); a record longer than the page (a long initramfs
/// name) passes through in pieces.
struct DirentWriter {
    static let pageSize = 4096
    /// Allocated at the first call (`sharedPage`): a plain optional, not a
    /// lazy global, whose once-check costs every call. One vCPU, and a
    /// system call is not preempted in the kernel: no race.
    nonisolated(unsafe) static var shared = UnsafeMutablePointer<UInt8>(bitPattern: 0)

    /// `shared`, read once per call.
    let page: UnsafeMutablePointer<UInt8>
    let p: UnsafeMutablePointer<Process>
    let user: UInt64
    let capacity: Int
    var used = 0            // bytes of records accepted so far
    var flushed = 0         // of which already copied out
    var pending = 0         // bytes in the page
    var full = false
    var faulted = false
    /// struct linux_dirent (getdents, fs/readdir.c filldir) instead of linux_dirent64.
    let legacy: Bool

    init(_ p: UnsafeMutablePointer<Process>, to user: UInt64, capacity: Int, legacy: Bool = false) {
        self.p = p; self.user = user; self.capacity = capacity; self.legacy = legacy
        page = DirentWriter.shared ?? DirentWriter.allocateShared()
    }

    @inline(never)
    private static func allocateShared() -> UnsafeMutablePointer<UInt8> {
        let page = UnsafeMutablePointer<UInt8>.allocate(capacity: pageSize)
        shared = page
        return page
    }

    /// Appends one record; false (and `full`) when it does not fit. A record
    /// starts a new page rather than straddle one, unless it is longer than a page.
    mutating func emit(_ name: UnsafePointer<UInt8>, _ n: Int, type: UInt8, inode: UInt64, offset: UInt64) -> Bool {
        // A name is at most a path (Path.max): none of these sums can wrap.
        let nameAt = legacy ? 18 : 19
        let reclen = legacy ? (18 &+ n &+ 2 &+ 7) & ~7 : (19 &+ n &+ 1 &+ 7) & ~7
        guard !full, reclen <= capacity &- used else { full = true; return false }
        if reclen > DirentWriter.pageSize &- pending { flush() }
        used &+= reclen
        if reclen > DirentWriter.pageSize { return emitLong(name, n, type: type, inode: inode, offset: offset, reclen) }
        let r = UnsafeMutableRawPointer(page + pending)
        r.storeBytes(of: 0, toByteOffset: reclen &- 8, as: UInt64.self)     // the NUL and padding (first: it may
        r.storeBytes(of: inode, toByteOffset: 0, as: UInt64.self)           // overlap the header's last bytes)
        r.storeBytes(of: offset, toByteOffset: 8, as: UInt64.self)
        r.storeBytes(of: UInt16(truncatingIfNeeded: reclen), toByteOffset: 16, as: UInt16.self)
        if !legacy { r.storeBytes(of: type, toByteOffset: 18, as: UInt8.self) }
        copyBytes(r + nameAt, name, n)
        if legacy {                      // its NUL can lie below the zeroed last word; d_type is the last byte
            r.storeBytes(of: 0, toByteOffset: nameAt + n, as: UInt8.self)
            r.storeBytes(of: type, toByteOffset: reclen - 1, as: UInt8.self)
        }
        pending &+= reclen
        return true
    }

    /// Appends "." (`dots` 1) or ".." (2) as emit would: both records are 24
    /// bytes, their name, NUL and type one word of stores.
    @inline(__always)
    mutating func emitDot(_ dots: Int, inode: UInt64, offset: UInt64) -> Bool {
        let reclen = 24
        guard !full, reclen <= capacity &- used else { full = true; return false }
        if reclen > DirentWriter.pageSize &- pending { flush() }
        let name: UInt64 = dots == 1 ? 0x2e : 0x2e2e
        // linux_dirent64: d_reclen, d_type, d_name at 19; linux_dirent: d_reclen, d_name at 18, d_type in byte 23.
        let tail = legacy ? UInt64(reclen) | name << 16 | UInt64(SysDirectory.DT_DIR) << 56
                          : UInt64(reclen) | UInt64(SysDirectory.DT_DIR) << 16 | name << 24
        let r = UnsafeMutableRawPointer(page + pending)
        r.storeBytes(of: inode, toByteOffset: 0, as: UInt64.self)
        r.storeBytes(of: offset, toByteOffset: 8, as: UInt64.self)
        r.storeBytes(of: tail, toByteOffset: 16, as: UInt64.self)
        used &+= reclen
        pending &+= reclen
        return true
    }

    private mutating func emitLong(_ name: UnsafePointer<UInt8>, _ n: Int, type: UInt8, inode: UInt64, offset: UInt64,
                                   _ reclen: Int) -> Bool {
        let nameAt = legacy ? 18 : 19
        var header = (inode, offset, UInt64(UInt16(reclen)) | (legacy ? 0 : UInt64(type) << 16))
        withUnsafeBytes(of: &header) { put($0.baseAddress!.assumingMemoryBound(to: UInt8.self), nameAt) }
        put(name, n)
        zeros(reclen - nameAt - n - (legacy ? 1 : 0))
        if legacy { var t = type; put(&t, 1) }
        return true
    }

    private mutating func put(_ src: UnsafePointer<UInt8>, _ n: Int) {
        var i = 0
        while i < n {
            if pending == DirentWriter.pageSize { flush() }
            let c = min(n - i, DirentWriter.pageSize - pending)
            copyBytes(page + pending, src + i, c)
            pending += c
            i += c
        }
    }

    private mutating func zeros(_ n: Int) {
        for _ in 0..<n {
            if pending == DirentWriter.pageSize { flush() }
            page[pending] = 0
            pending += 1
        }
    }

    /// Copies the page out; a fault is remembered (the call is EFAULT).
    mutating func flush() {
        if pending > 0 && !faulted {
            faulted = !UserMemory.copyOut(p, to: user &+ UInt64(flushed), from: page, count: pending)
        }
        flushed += pending
        pending = 0
    }
}

import KernelSupport

/// Which rules a lock follows (fcntl(2) "Advisory record locking", "Open
/// file description locks"; flock(2)).
enum LockKind: UInt8 {
    /// fcntl F_SETLK: owned by a process, released when it closes any
    /// descriptor of the file (or exits); not inherited by fork.
    case posix = 0
    /// F_OFD_SETLK: owned by an open file description, released when its
    /// last descriptor closes; conflicts with POSIX locks, even the same process's.
    case ofd = 1
    /// flock(2): whole file, owned by an open file description; a space of
    /// its own (Linux: flock and fcntl locks do not see each other).
    case flock = 2
}

/// One lock, 32 bytes (128 to a frame). Ranges are inclusive; `end` is
/// Int64.max for "to the end of the file, however it grows" (Linux's OFFSET_MAX).
struct FileLock {
    var file: UInt64 = 0              // FileLocks.key; 0 = no lock
    var start: Int64 = 0
    var end: Int64 = 0
    var owner: UInt32 = 0             // posix: pid; ofd, flock: open-file description index
    var type: UInt8 = 0               // F_RDLCK 0, F_WRLCK 1
    var kind: UInt8 = 0               // LockKind

    static let read: UInt8 = 0, write: UInt8 = 1, unlock: UInt8 = 2

    var lockKind: LockKind { LockKind(rawValue: kind) ?? .posix }

    /// Locks on the same file that one must wait for the other: a write
    /// lock against anything, in the same space (flock or fcntl), other owners,
    /// overlapping ranges.
    func conflicts(with o: FileLock) -> Bool {
        guard file == o.file, type == FileLock.write || o.type == FileLock.write else { return false }
        guard (kind == LockKind.flock.rawValue) == (o.kind == LockKind.flock.rawValue) else { return false }
        guard !(owner == o.owner && kind == o.kind) else { return false }
        return start <= o.end && o.start <= end
    }

    /// F_GETLK's l_pid: the owning process, -1 for an OFD lock (fcntl(2)).
    var reportedPid: Int32 { kind == LockKind.posix.rawValue ? Int32(bitPattern: owner) : -1 }
}

/// The system-wide lock table: up to `capacity` locks in frames taken as it
/// grows (kept once taken, at most `pages` frames), packed at the front so
/// that a scan visits only live locks; full, a new lock is ENOLCK.
/// Processes blocked in F_SETLKW or flock wait in `waits` (one request per
/// process slot), which deadlock detection follows and unlocks wake.
enum FileLocks {
    static let perPage = 128                                        // 4096 / MemoryLayout<FileLock>.stride
    static let pages = 4
    static let capacity = perPage * pages
    nonisolated(unsafe) static var count = 0
    /// The pages' kernel addresses (0: not taken yet); nil until the first
    /// lock. Constant-initialized globals: no lazy-initialization check in the scans.
    nonisolated(unsafe) static var directory: UnsafeMutablePointer<UInt>? = nil
    nonisolated(unsafe) static var waits: UnsafeMutablePointer<FileLock>? = nil
    nonisolated(unsafe) static var waiting = 0

    /// The identity of the file behind description `f`: its inode number,
    /// made unique across the initramfs and the rest (initramfs inodes come
    /// from addresses), never 0.
    static func key(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64 {
        f.pointee.inode & ~(UInt64(3) << 62) | (f.pointee.inInitrd ? 3 : 1) << 62
    }

    /// Lock `i` (< count: its page exists).
    @inline(__always) static func at(_ dir: UnsafeMutablePointer<UInt>, _ i: Int) -> UnsafeMutablePointer<FileLock> {
        UnsafeMutablePointer<FileLock>(bitPattern: dir[i &>> 7]).unsafelyUnwrapped + (i & 127)
    }

    @inline(__always) static func at(_ i: Int) -> UnsafeMutablePointer<FileLock> { at(directory.unsafelyUnwrapped, i) }

    /// Index of the lock `r` conflicts with that starts lowest (F_GETLK's
    /// answer: Linux keeps an owner's locks sorted), or nil.
    static func conflict(_ r: FileLock) -> Int? {
        guard let dir = directory else { return nil }
        var found: Int? = nil
        var lowest = Int64.max
        var i = 0
        let n = count
        while i < n {
            let l = at(dir, i)
            if l.pointee.conflicts(with: r) && (found == nil || l.pointee.start < lowest) { found = i; lowest = l.pointee.start }
            i += 1
        }
        return found
    }

    /// Room for `n` more locks, taking frames as needed.
    static func reserve(_ n: Int) -> Bool {
        guard count + n <= capacity else { return false }
        if directory == nil { directory = zeroedTable(of: UInt.self, count: pages) }
        guard let dir = directory else { return false }
        var page = count / perPage
        while page * perPage < count + n {
            if dir[page] == 0 {
                guard let f = FrameAllocator.allocate() else { return false }
                dir[page] = UInt(bitPattern: Physical.bytes(f))
            }
            page += 1
        }
        return true
    }

    static func append(_ l: FileLock) {
        at(count).pointee = l
        count += 1
    }

    /// Removes lock `i`; the last takes its place (scans run downwards over it).
    static func remove(_ i: Int) {
        count -= 1
        if i != count { at(i).pointee = at(count).pointee }
        at(count).pointee = FileLock()
    }

    /// Sets (or with `type` unlock, clears) `r`'s range for its owner, which
    /// must not conflict with another's: replaces what the owner held in the
    /// range, merges with its locks of the same type that overlap or touch
    /// (fs/locks.c posix_lock_inode), splits one that holds the range inside.
    /// -ENOLCK when the table cannot take the result; nothing changes then.
    /// No lock at all: nothing to merge, split or replace (the lock of a
    /// file nobody else locks), or one lock, the owner's, that `r` unlocks
    /// whole: what applyGeneral's passes would do, without its frame.
    @inline(__always)
    static func apply(_ r: FileLock) -> Int64 {
        let unlock = r.type == FileLock.unlock
        if count == 0 {
            if unlock { return 0 }
            if let dir = directory, dir[0] != 0 {                          // the first page is there
                at(dir, 0).pointee = r
                count = 1
                return 0
            }
        } else if count == 1 && unlock, let dir = directory {
            let l = at(dir, 0)
            if l.pointee.file == r.file && l.pointee.owner == r.owner && l.pointee.kind == r.kind
                && l.pointee.start >= r.start && l.pointee.end <= r.end {
                l.pointee = FileLock()
                count = 0
                wake(r.file)
                return 0
            }
        }
        return applyGeneral(r)
    }

    @inline(never)
    static func applyGeneral(_ r: FileLock) -> Int64 {
        let unlock = r.type == FileLock.unlock
        if directory == nil && unlock { return 0 }
        if directory == nil && !reserve(1) { return -Errno.ENOLCK }
        guard let dir = directory else { return -Errno.ENOLCK }
        var start = r.start, end = r.end
        var absorbed = 0
        var split = false
        var i = 0
        let n = count
        while i < n {
            let l = at(dir, i).pointee
            i += 1
            guard l.file == r.file && l.owner == r.owner && l.kind == r.kind else { continue }
            if !unlock && l.type == r.type && l.start <= plusOne(r.end) && plusOne(l.end) >= r.start {
                absorbed += 1
                start = min(start, l.start)
                end = max(end, l.end)
            } else if l.start <= r.end && r.start <= l.end && l.start < r.start && l.end > r.end {
                split = true
            }
        }
        let need = (unlock ? 0 : 1) + (split ? 1 : 0) - absorbed
        if need > 0 && !reserve(need) { return -Errno.ENOLCK }
        var changed = false
        i = count
        while i > 0 {
            i -= 1
            let lp = at(dir, i)
            let l = lp.pointee
            guard l.file == r.file && l.owner == r.owner && l.kind == r.kind else { continue }
            if !unlock && l.type == r.type && l.start <= plusOne(r.end) && plusOne(l.end) >= r.start {
                remove(i)
            } else if l.start <= r.end && r.start <= l.end {
                changed = true
                if l.start < r.start && l.end > r.end {
                    var right = l
                    right.start = r.end + 1
                    append(right)
                    lp.pointee.end = r.start - 1
                } else if l.start < r.start {
                    lp.pointee.end = r.start - 1
                } else if l.end > r.end {
                    lp.pointee.start = r.end + 1
                } else {
                    remove(i)
                }
            }
        }
        if !unlock {
            var l = r
            l.start = start
            l.end = end
            append(l)
        }
        if changed { wake(r.file) }
        return 0
    }

    @inline(__always) static func plusOne(_ v: Int64) -> Int64 { v == Int64.max ? v : v + 1 }

    /// A descriptor of the file behind description `file` was closed by
    /// process `pid`: its POSIX locks on that file go (fcntl(2): "If a
    /// process closes any file descriptor referring to a file, then all of
    /// the process's locks on that file are released").
    @inline(never)                     // rare: kept out of FileTable.close's frame
    static func closed(_ file: Int, by pid: Int32) {
        guard let t = OpenFiles.table, file >= 0, file < OpenFiles.capacity else { return }
        let key = key(t + file)
        release { $0.file == key && $0.kind == LockKind.posix.rawValue && $0.owner == UInt32(bitPattern: pid) }
    }

    /// Description `file` is gone: its OFD and flock locks go.
    static func descriptionReleased(_ file: Int) {
        release { $0.kind != LockKind.posix.rawValue && $0.owner == UInt32(file) }
    }

    static func release(where match: (FileLock) -> Bool) {
        guard let dir = directory else { return }
        var i = count
        var woken: UInt64 = 0
        while i > 0 {
            i -= 1
            let l = at(dir, i).pointee
            guard match(l) else { continue }
            remove(i)
            if l.file != woken { wake(l.file); woken = l.file }
        }
    }

    // MARK: waiting (F_SETLKW, flock without LOCK_NB)

    /// What a blocked task sleeps on: its own wait record.
    static func channel(_ w: UnsafeMutablePointer<FileLock>, _ slot: Int) -> UInt64 { UInt64(UInt(bitPattern: w + slot)) }

    /// Wakes every task waiting for a lock on `file` (each re-checks).
    @inline(__always)
    static func wake(_ file: UInt64) {
        if waiting > 0 { wakeWaiters(file) }
    }

    @inline(never)
    static func wakeWaiters(_ file: UInt64) {
        guard let w = waits else { return }
        for s in 0..<Processes.slotsInUse where w[s].file == file { Scheduler.wakeup(channel(w, s)) }
    }

    /// Sleeps until something changes the locks of `r.file`; false when a
    /// signal ended the wait (EINTR).
    static func wait(_ p: UnsafeMutablePointer<Process>, for r: FileLock) -> Bool {
        if waits == nil { waits = zeroedTable(of: FileLock.self, count: Processes.capacity) }
        guard let w = waits else { return false }
        let s = Processes.slot(p)
        w[s] = r
        waiting += 1
        let result = Scheduler.sleep(on: channel(w, s))
        waiting -= 1
        w[s] = FileLock()
        return result != .interrupted
    }

    /// Would process `r.owner` waiting for lock `blocker` close a cycle? The
    /// chain of POSIX owners each waiting for a lock of the next leads back
    /// to it (fs/locks.c posix_locks_deadlock, at most 10 steps).
    static func deadlock(_ r: FileLock, blockedBy blocker: Int) -> Bool {
        guard r.kind == LockKind.posix.rawValue else { return false }
        var b = at(blocker).pointee
        for _ in 0..<10 {
            guard b.kind == LockKind.posix.rawValue, let w = waitingRequest(ofPid: b.owner),
                  let next = conflict(w) else { return false }
            b = at(next).pointee
            if b.kind == LockKind.posix.rawValue && b.owner == r.owner { return true }
        }
        return false
    }

    static func waitingRequest(ofPid pid: UInt32) -> FileLock? {
        guard waiting > 0, let w = waits else { return nil }
        for s in 0..<Processes.slotsInUse where w[s].file != 0 && w[s].kind == LockKind.posix.rawValue && w[s].owner == pid {
            return w[s]
        }
        return nil
    }
}

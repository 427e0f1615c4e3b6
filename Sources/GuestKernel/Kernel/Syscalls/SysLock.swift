/// fcntl(2) record locks (F_GETLK, F_SETLK, F_SETLKW and their F_OFD_
/// forms) and flock(2), over FileLocks; Linux's fs/locks.c checks and errors.
enum SysLock {
    static let F_GETLK: UInt64 = 5, F_SETLK: UInt64 = 6, F_SETLKW: UInt64 = 7
    static let F_OFD_GETLK: UInt64 = 36, F_OFD_SETLK: UInt64 = 37, F_OFD_SETLKW: UInt64 = 38
    static let LOCK_SH: UInt32 = 1, LOCK_EX: UInt32 = 2, LOCK_NB: UInt32 = 4, LOCK_UN: UInt32 = 8, LOCK_MAND: UInt32 = 32

    /// struct flock on x86_64 (the same as flock64): 32 bytes.
    struct UserFlock {
        var type: Int16 = 0
        var whence: Int16 = 0
        var pad: Int32 = 0
        var start: Int64 = 0
        var len: Int64 = 0
        var pid: Int32 = 0
        var pad2: Int32 = 0
    }

    static func isLockCommand(_ cmd: UInt64) -> Bool { (cmd >= F_GETLK && cmd <= F_SETLKW) || (cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW) }

    static func descriptionIndex(_ f: UnsafeMutablePointer<OpenFile>) -> Int { OpenFiles.table.map { f - $0 } ?? 0 }

    static func fcntl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ cmd: UInt64, _ arg: UInt64) -> Int64 {
        var u = UserFlock()
        guard UserMemory.copyIn(p, to: &u, from: arg, count: MemoryLayout<UserFlock>.size) else { return -Errno.EFAULT }
        let getlk = cmd == F_GETLK || cmd == F_OFD_GETLK
        let ofd = cmd >= F_OFD_GETLK
        if getlk && u.type != Int16(FileLock.read) && u.type != Int16(FileLock.write) { return -Errno.EINVAL }
        var r = FileLock()
        let e = range(f, u, into: &r)
        if e != 0 { return e }
        guard u.type >= 0 && u.type <= Int16(FileLock.unlock) else { return -Errno.EINVAL }
        r.type = UInt8(u.type)
        if !getlk {
            // fs/locks.c check_fmode_for_setlk
            if r.type == FileLock.read && !f.pointee.readable { return -Errno.EBADF }
            if r.type == FileLock.write && !f.pointee.writable { return -Errno.EBADF }
        }
        if ofd && u.pid != 0 { return -Errno.EINVAL }
        r.file = FileLocks.key(f)
        r.kind = ofd ? LockKind.ofd.rawValue : LockKind.posix.rawValue
        r.owner = ofd ? UInt32(descriptionIndex(f)) : UInt32(bitPattern: p.pointee.pid)
        if getlk {
            // Only l_type changes when nothing conflicts (fcntl_getlk).
            if let c = FileLocks.conflict(r) {
                let l = FileLocks.at(c).pointee
                u.type = Int16(l.type)
                u.whence = 0
                u.start = l.start
                u.len = l.end == Int64.max ? 0 : l.end - l.start + 1
                u.pid = l.reportedPid
            } else {
                u.type = Int16(FileLock.unlock)
            }
            return UserMemory.copyOut(p, to: arg, from: &u, count: MemoryLayout<UserFlock>.size) ? 0 : -Errno.EFAULT
        }
        return set(p, r, wait: cmd == F_SETLKW || cmd == F_OFD_SETLKW)
    }

    /// l_whence/l_start/l_len to an inclusive range (flock64_to_posix_lock):
    /// l_len 0 is to the end of the file, a negative l_len the bytes before l_start.
    static func range(_ f: UnsafeMutablePointer<OpenFile>, _ u: UserFlock, into r: inout FileLock) -> Int64 {
        let base: Int64
        switch u.whence {
        case 0: base = 0
        case 1: base = Int64(bitPattern: f.pointee.offset)
        case 2: base = Int64(bitPattern: f.pointee.currentSize)
        default: return -Errno.EINVAL
        }
        guard base >= 0 else { return -Errno.EINVAL }
        if u.start > Int64.max - base { return -Errno.EOVERFLOW }
        let start = base + u.start
        if start < 0 { return -Errno.EINVAL }
        if u.len > 0 {
            if u.len - 1 > Int64.max - start { return -Errno.EOVERFLOW }
            r.start = start
            r.end = start + (u.len - 1)
        } else if u.len < 0 {
            if start + u.len < 0 { return -Errno.EINVAL }      // start >= 0, len < 0: no overflow
            r.start = start + u.len
            r.end = start - 1
        } else {
            r.start = start
            r.end = Int64.max
        }
        return 0
    }

    /// Takes (or drops) lock `r`: EAGAIN on a conflict, or with `wait`
    /// sleeps until there is none (EDEADLK when that would never happen,
    /// -ERESTARTSYS when a signal comes first: restarted with SA_RESTART,
    /// signal(7)).
    static func set(_ p: UnsafeMutablePointer<Process>, _ r: FileLock, wait: Bool) -> Int64 {
        if r.type != FileLock.unlock {
            while let c = FileLocks.conflict(r) {
                if !wait { return -Errno.EAGAIN }
                if FileLocks.deadlock(r, blockedBy: c) { return -Errno.EDEADLK }
                if !FileLocks.wait(p, for: r) { return -Errno.ERESTARTSYS }
            }
        }
        return FileLocks.apply(r)
    }

    /// flock(2): a whole-file lock of the open file description; a second
    /// call converts it (dropping the old one first, as Linux's
    /// flock_lock_inode, even when the new one then has to wait or fails).
    static func flock(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let op = UInt32(truncatingIfNeeded: a.a1)
        if op & LOCK_MAND != 0 { return 0 }                      // ignored since Linux 5.15
        let type: UInt8
        switch op & ~LOCK_NB {
        case LOCK_SH: type = FileLock.read
        case LOCK_EX: type = FileLock.write
        case LOCK_UN: type = FileLock.unlock
        default: return -Errno.EINVAL
        }
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        var r = FileLock()
        r.file = FileLocks.key(f)
        r.start = 0
        r.end = Int64.max
        // The description's index from the slot get read (no pointer division).
        r.owner = UInt32(truncatingIfNeeded: p.pointee.files.slots[Int(SyscallArgs.int(a.a0))])
        r.kind = LockKind.flock.rawValue
        r.type = type
        var i = 0
        while i < FileLocks.count {
            let l = FileLocks.at(i).pointee
            if l.file == r.file && l.kind == r.kind && l.owner == r.owner {
                if l.type == type { return 0 }
                FileLocks.remove(i)
                FileLocks.wake(r.file)
                break
            }
            i += 1
        }
        if type == FileLock.unlock { return 0 }
        while FileLocks.conflict(r) != nil {
            if op & LOCK_NB != 0 { return -Errno.EAGAIN }            // EWOULDBLOCK
            if !FileLocks.wait(p, for: r) { return -Errno.ERESTARTSYS }
        }
        return FileLocks.apply(r)
    }
}

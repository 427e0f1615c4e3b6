/// epoll_create(2)/epoll_create1, epoll_ctl(2), epoll_wait(2)/epoll_pwait/
/// epoll_pwait2 over FS/Epoll.swift's sets, with Linux's argument checks in
/// Linux's order (fs/eventpoll.c: do_epoll_ctl, do_epoll_wait).
enum SysEpoll {
    static let EPOLL_CLOEXEC: UInt64 = 0o2000000
    static let CTL_ADD: UInt64 = 1, CTL_DEL: UInt64 = 2, CTL_MOD: UInt64 = 3
    /// EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event) (12, packed on x86_64).
    static let maxEvents: Int64 = 0x7fff_ffff / 12

    /// The event-file system calls, switched on here rather than in
    /// Dispatcher's switch: there each number outside a dense run is one more
    /// compare for every later case (+2 instructions each for openat, newfstatat).
    @inline(never)
    static func dispatch(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, _ nr: UInt64) -> Int64? {
        switch nr {
        case 213: return createSized(p, a.a0)                               // epoll_create
        case 291: return create(p, flags: a.a0)                             // epoll_create1
        case 233: return ctl(p, a)
        case 441: return epollPwait2(p, a)
        case 284: return SysEventFD.eventfd2(p, a.a0, 0)                    // eventfd
        case 290: return SysEventFD.eventfd2(p, a.a0, a.a1)
        case 270: return SysPoll.pselect6(p, a)
        case 271: return SysPoll.ppoll(p, a)
        default: return nil
        }
    }

    static func create(_ p: UnsafeMutablePointer<Process>, flags: UInt64) -> Int64 {
        guard flags & ~EPOLL_CLOEXEC == 0 else { return -Errno.EINVAL }
        guard let e = Epolls.create() else { return -Errno.ENFILE }
        var f = OpenFile()
        f.kind = .epoll
        f.node = e
        f.statusFlags = 2                                              // O_RDWR
        f.inode = 0x6_0000 + UInt64(e)
        return p.pointee.files.open(f, cloexec: flags & EPOLL_CLOEXEC != 0)
    }

    /// epoll_create(size): size is ignored but must be positive.
    static func createSized(_ p: UnsafeMutablePointer<Process>, _ size: UInt64) -> Int64 {
        SyscallArgs.int(size) > 0 ? create(p, flags: 0) : -Errno.EINVAL
    }

    static func ctl(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let op = a.a1 & 0xffff_ffff
        var events: UInt32 = 0, data: UInt64 = 0
        if op != CTL_DEL {                                             // ep_op_has_event: copied first
            guard let w = UserMemory.read64(p, a.a3), let d = UserMemory.read64(p, a.a3 &+ 4) else { return -Errno.EFAULT }
            events = UInt32(truncatingIfNeeded: w)
            data = d
        }
        guard let ef = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        guard let tf = p.pointee.files.get(a.a2), let tIndex = p.pointee.files.index(a.a2) else { return -Errno.EBADF }
        guard FileOps.canPoll(tf) else { return -Errno.EPERM }
        let file = Int(p.pointee.files.slots[tIndex])
        guard ef.pointee.kind == .epoll, ef != tf else { return -Errno.EINVAL }
        let e = ef.pointee.node
        let targetIsEpoll = tf.pointee.kind == .epoll
        if op != CTL_DEL && events & Epoll.EXCLUSIVE != 0 {
            if op == CTL_MOD { return -Errno.EINVAL }
            if op == CTL_ADD && (targetIsEpoll || events & ~Epoll.exclusiveOK != 0) { return -Errno.EINVAL }
        }
        // ep_loop_check: no cycle, no nesting deeper than EP_MAX_NESTS.
        if op == CTL_ADD && targetIsEpoll {
            if Epolls.reaches(tf.pointee.node, e, depth: 0) || Epolls.height(tf.pointee.node) + 1 > Epoll.maxNests {
                return -Errno.ELOOP
            }
        }
        let fd = SyscallArgs.int(a.a2)
        let found = Epolls.find(e, file: file, fd: fd)
        switch op {
        case CTL_ADD:
            guard found == nil else { return -Errno.EEXIST }
            return Epolls.add(e, file: file, fd: fd, events: events, data: data)
        case CTL_DEL:
            guard let k = found else { return -Errno.ENOENT }
            Epolls.remove(e, k)
            return 0
        case CTL_MOD:
            guard let k = found, let n = Epolls.interests else { return -Errno.ENOENT }
            if n[k].events & Epoll.EXCLUSIVE != 0 { return -Errno.EINVAL }
            Epolls.set(k, events: events, data: data)
            return 0
        default:
            return -Errno.EINVAL
        }
    }

    /// epoll_wait(2) (mask nil), epoll_pwait (a sigset), epoll_pwait2 (a timespec).
    static func wait(_ p: UnsafeMutablePointer<Process>, _ epfd: UInt64, _ events: UInt64, _ max: UInt64,
                     _ wait: PollWait, mask: UInt64?) -> Int64 {
        let maxevents = Int64(SyscallArgs.int(max))
        guard maxevents > 0 && maxevents <= maxEvents else { return -Errno.EINVAL }
        guard UserMemory.accessOK(events, UInt64(maxevents) * 12) else { return -Errno.EFAULT }
        guard let f = p.pointee.files.get(epfd) else { return -Errno.EBADF }
        guard f.pointee.kind == .epoll else { return -Errno.EINVAL }
        let r = collect(p, f.pointee.node, events, Int(maxevents))
        if r != 0 || !wait.block { return r }
        return block(p, f.pointee.node, events, Int(maxevents), wait, mask: mask)
    }

    /// Nothing ready yet: sleep (with `mask` in force) until something may
    /// be, the time is up, or a signal acts: EINTR, never restarted
    /// (signal(7)), the mask kept until the handler's frame records the old.
    @inline(never)
    static func block(_ p: UnsafeMutablePointer<Process>, _ e: Int, _ events: UInt64, _ maxevents: Int,
                      _ wait: PollWait, mask: UInt64?) -> Int64 {
        let saved = PollWait.apply(p, mask)
        while true {
            switch wait.sleep() {
            case .woken:
                let r = collect(p, e, events, maxevents)
                if r != 0 { PollWait.restore(p, saved); return r }
            case .timedOut:
                PollWait.restore(p, saved)
                return collect(p, e, events, maxevents)
            case .interrupted:                      // never restarted (signal(7)); epoll_pwait's mask stays for the handler
                PollWait.keepForDelivery(p, saved, mask)
                return -Errno.EINTR
            }
        }
    }

    /// Copies out up to `max` ready interests of set `e`, in their order:
    /// the count (or EFAULT when none could be written).
    static func collect(_ p: UnsafeMutablePointer<Process>, _ e: Int, _ out: UInt64, _ max: Int) -> Int64 {
        guard let s = Epolls.sets, let n = Epolls.interests else { return 0 }
        var count = 0
        var k = Int(s[e].head)
        while k >= 0 && count < max {
            let next = Int(n[k].next)
            let r = Epolls.ready(k, consume: true)
            if r != 0 {
                // struct epoll_event is packed on x86_64: u32 events, u64 data.
                var ev: (UInt32, UInt32, UInt32) = (r, UInt32(truncatingIfNeeded: n[k].data),
                                                    UInt32(truncatingIfNeeded: n[k].data >> 32))
                guard UserMemory.copyOut(p, to: out &+ UInt64(12 * count), from: &ev, count: 12) else {
                    return count > 0 ? Int64(count) : -Errno.EFAULT
                }
                count += 1
            }
            k = next
        }
        return Int64(count)
    }

    static func epollWait(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        wait(p, a.a0, a.a1, a.a2, PollWait(milliseconds: Int32(truncatingIfNeeded: a.a3)), mask: nil)
    }

    static func epollPwait(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (mask, e) = PollWait.userMask(p, a.a4, a.a5)
        if e != 0 { return e }
        return wait(p, a.a0, a.a1, a.a2, PollWait(milliseconds: Int32(truncatingIfNeeded: a.a3)), mask: mask)
    }

    static func epollPwait2(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let w = PollWait(p, timespec: a.a3) else { return PollWait.error(p, a.a3) }
        let (mask, e) = PollWait.userMask(p, a.a4, a.a5)
        if e != 0 { return e }
        return wait(p, a.a0, a.a1, a.a2, w, mask: mask)
    }
}

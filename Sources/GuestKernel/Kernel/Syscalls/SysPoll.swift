/// poll(2), ppoll(2), select(2), pselect6(2): scan every descriptor's
/// readiness (its kind's poll); when nothing is ready and time is left,
/// sleep on Scheduler.anyChannel (any wakeup may have changed a readiness)
/// and scan again.
enum SysPoll {
    /// poll(2): `ms` < 0 waits without end, 0 not at all. One descriptor
    /// (pollOne) or several (pollMany), each a tail call, so the dispatcher
    /// keeps no frame (with the scan inlined here the compiler saved six
    /// registers before the test and restored them for the tail call).
    @inline(__always)
    static func poll(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        a.a1 == 1 ? pollOne(p, a) : pollMany(p, a)
    }

    @inline(never)
    static func pollMany(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a1 <= UInt64(FileTable.capacity) else { return -Errno.EINVAL }      // nfds > RLIMIT_NOFILE
        let r = scan(p, a.a0, Int(a.a1))
        let ms = Int32(truncatingIfNeeded: a.a2)
        if r != 0 || ms == 0 { return r }
        return run(p, a.a0, a.a1, PollWait(milliseconds: ms), mask: nil, remaining: 0, restartBlock: true)
    }

    /// poll of one descriptor (an event loop's), a tail call from the
    /// dispatcher: the scan unrolled, in a frame of its own.
    @inline(never)
    static func pollOne(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let r = scan(p, a.a0, 1)
        if r != 0 || Int32(truncatingIfNeeded: a.a2) == 0 { return r }
        return waitOne(p, a)
    }

    /// pollOne with nothing ready and time to wait: out of line, so that
    /// the scan keeps fewer values live across its calls.
    @inline(never)
    static func waitOne(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        run(p, a.a0, 1, PollWait(milliseconds: Int32(truncatingIfNeeded: a.a2)), mask: nil, remaining: 0, restartBlock: true)
    }

    /// ppoll(2): a timespec (NULL: no end) and a signal mask in force meanwhile.
    static func ppoll(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let wait = PollWait(p, timespec: a.a2) else { return PollWait.error(p, a.a2) }
        let (mask, e) = PollWait.userMask(p, a.a3, a.a4)
        if e != 0 { return e }
        return run(p, a.a0, a.a1, wait, mask: mask, remaining: a.a2)
    }

    /// The scan-and-sleep loop of poll and ppoll. A signal ends it with the
    /// time left written back (ppoll) and EINTR when a handler runs; else the
    /// call restarts: ppoll as itself (-ERESTARTNOHAND, with the time left),
    /// poll (`restartBlock`) through restart_syscall(2) to the same deadline
    /// (do_restart_poll).
    @inline(never)
    static func run(_ p: UnsafeMutablePointer<Process>, _ fds: UInt64, _ nfds: UInt64, _ wait: PollWait,
                    mask: UInt64?, remaining: UInt64, restartBlock: Bool = false) -> Int64 {
        guard nfds <= UInt64(FileTable.capacity) else { return -Errno.EINVAL }        // nfds > RLIMIT_NOFILE
        let saved = PollWait.apply(p, mask)
        while true {
            let r = scan(p, fds, Int(nfds))
            if r != 0 || !wait.block { PollWait.restore(p, saved); return r }
            switch wait.sleep() {
            case .woken: continue
            case .timedOut:
                let r = scan(p, fds, Int(nfds))
                wait.writeRemaining(p, remaining, microseconds: false)
                PollWait.restore(p, saved)
                return r
            case .interrupted:
                wait.writeRemaining(p, remaining, microseconds: false)
                PollWait.keepForDelivery(p, saved, mask)
                guard restartBlock else { return -Errno.ERESTARTNOHAND }
                p.pointee.signals.restart = RestartBlock(kind: .poll, deadline: wait.deadline ?? 0, address: fds, count: nfds)
                return -Errno.ERESTART_RESTARTBLOCK
            }
        }
    }

    /// restart_syscall(2) of a poll a signal cut short: the same descriptors
    /// until the same deadline (none when it had none).
    static func restart(_ p: UnsafeMutablePointer<Process>, _ r: RestartBlock) -> Int64 {
        let wait = PollWait(block: true, deadline: r.deadline == 0 ? nil : r.deadline)
        return run(p, r.address, r.count, wait, mask: nil, remaining: 0, restartBlock: true)
    }

    /// One pass over the pollfd array: revents written, the count of
    /// entries with any (POLLNVAL for a closed descriptor, nothing for fd < 0).
    @inline(__always)
    static func scan(_ p: UnsafeMutablePointer<Process>, _ fds: UInt64, _ n: Int) -> Int64 {
        var ready: Int64 = 0
        for i in 0..<n {
            let at = fds &+ UInt64(8 * i)
            guard let entry = UserMemory.read64(p, at) else { return -Errno.EFAULT }
            let fd = Int32(truncatingIfNeeded: entry)
            let events = UInt32(UInt16(truncatingIfNeeded: entry >> 32))
            var revents: UInt32 = 0
            if fd >= 0 {
                if let f = p.pointee.files.get(UInt64(UInt32(bitPattern: fd))) {
                    revents = FileOps.poll(f) & (events | Poll.ERR | Poll.HUP)
                } else {
                    revents = Poll.NVAL
                }
            }
            // revents is written only when it differs from what the entry
            // holds (an event loop polls the same array again and again):
            // the memory ends the same as Linux's, which writes always; only
            // an array in read-only memory could tell (Linux: EFAULT).
            if UInt32(entry >> 48) != revents {
                var word = (entry & 0x0000_ffff_ffff_ffff) | (UInt64(revents) << 48)
                guard UserMemory.copyOut(p, to: at, from: &word, count: 8) else { return -Errno.EFAULT }
            }
            if revents != 0 { ready += 1 }
        }
        return ready
    }

    // select(2): POLLIN_SET, POLLOUT_SET, POLLEX_SET (fs/select.c).
    static let inSet: UInt32 = Poll.IN | Poll.RDNORM | 0x080 | Poll.HUP | Poll.ERR
    static let outSet: UInt32 = Poll.OUT | Poll.WRNORM | 0x200 | Poll.ERR
    static let exSet: UInt32 = Poll.PRI

    /// select(2): a struct timeval (NULL: no end), updated with the time left.
    static func select(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        var wait = PollWait(block: true, deadline: nil)
        if a.a4 != 0 {
            guard let tv = UserMemory.read64(p, a.a4), let us = UserMemory.read64(p, a.a4 &+ 8) else { return -Errno.EFAULT }
            // sys_select carries whole seconds out of tv_usec before checking (fs/select.c).
            let usec = Int64(bitPattern: us)
            let (sec, o) = Int64(bitPattern: tv).addingReportingOverflow(usec / 1_000_000)
            let nsec = usec % 1_000_000 * 1000
            guard !o, sec >= 0, nsec >= 0,
                  let ns = Clock.nanoseconds(timespec: UInt64(sec), UInt64(nsec)) else { return -Errno.EINVAL }
            wait = PollWait(nanoseconds: ns)
        }
        return selectRun(p, a, wait, mask: nil, microseconds: true)
    }

    /// pselect6(2): a timespec, and the 6th argument points at {sigset_t *, size}.
    static func pselect6(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let wait = PollWait(p, timespec: a.a4) else { return PollWait.error(p, a.a4) }
        var mask: UInt64? = nil
        if a.a5 != 0 {
            guard let set = UserMemory.read64(p, a.a5), let size = UserMemory.read64(p, a.a5 &+ 8) else { return -Errno.EFAULT }
            let (m, e) = PollWait.userMask(p, set, size)
            if e != 0 { return e }
            mask = m
        }
        return selectRun(p, a, wait, mask: mask, microseconds: false)
    }

    static func selectRun(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, _ wait: PollWait,
                          mask: UInt64?, microseconds: Bool) -> Int64 {
        let nfds = SyscallArgs.int(a.a0)
        guard nfds >= 0 else { return -Errno.EINVAL }
        let n = min(Int(nfds), FileTable.capacity)                          // Linux clamps to max_fds
        let words = (n + 63) / 64
        // In-sets, then out-sets, in the process's scratch page (6 x 128 bytes at most).
        let sets = UnsafeMutableRawPointer(p.pointee.scratch).assumingMemoryBound(to: UInt64.self)
        func user(_ s: Int) -> UInt64 { s == 0 ? a.a1 : (s == 1 ? a.a2 : a.a3) }    // readfds writefds exceptfds
        for s in 0..<3 {
            for w in 0..<words { sets[s * 16 + w] = 0 }
            if user(s) != 0 && words > 0 {
                guard UserMemory.copyIn(p, to: sets + s * 16, from: user(s), count: (n + 7) / 8) else { return -Errno.EFAULT }
                if n % 64 != 0 { sets[s * 16 + words - 1] &= (1 << UInt64(n % 64)) - 1 }
            }
        }
        let saved = PollWait.apply(p, mask)
        var r: Int64
        while true {
            r = selectScan(p, sets, words)
            if r != 0 || !wait.block { break }
            let w = wait.sleep()
            if w == .interrupted {                  // restarted as itself with the time left, or EINTR after a handler
                wait.writeRemaining(p, a.a4, microseconds: microseconds)
                PollWait.keepForDelivery(p, saved, mask)
                return -Errno.ERESTARTNOHAND
            }
            if w == .timedOut { r = selectScan(p, sets, words); break }
        }
        PollWait.restore(p, saved)
        if r < 0 { return r }
        for s in 0..<3 where user(s) != 0 && words > 0 {
            guard UserMemory.copyOut(p, to: user(s), from: sets + 48 + s * 16, count: (n + 7) / 8) else { return -Errno.EFAULT }
        }
        wait.writeRemaining(p, a.a4, microseconds: microseconds)
        return r
    }

    /// One pass: result bits at sets[48...]; the count of bits set, or EBADF
    /// for a set bit naming no open descriptor.
    static func selectScan(_ p: UnsafeMutablePointer<Process>, _ sets: UnsafeMutablePointer<UInt64>, _ words: Int) -> Int64 {
        var count: Int64 = 0
        for w in 0..<words {
            var any = sets[w] | sets[16 + w] | sets[32 + w]
            var out: (UInt64, UInt64, UInt64) = (0, 0, 0)
            while any != 0 {
                let bit = UInt64(any.trailingZeroBitCount)
                any &= any - 1
                guard let f = p.pointee.files.get(UInt64(w * 64) + bit) else { return -Errno.EBADF }
                let m = FileOps.poll(f)
                let b: UInt64 = 1 << bit
                if sets[w] & b != 0 && m & inSet != 0 { out.0 |= b; count += 1 }
                if sets[16 + w] & b != 0 && m & outSet != 0 { out.1 |= b; count += 1 }
                if sets[32 + w] & b != 0 && m & exSet != 0 { out.2 |= b; count += 1 }
            }
            sets[48 + w] = out.0; sets[64 + w] = out.1; sets[80 + w] = out.2
        }
        return count
    }
}

/// How long a poll-like call may wait, and the sleep itself.
struct PollWait {
    var block: Bool
    var deadline: UInt64?

    init(block: Bool, deadline: UInt64?) { self.block = block; self.deadline = deadline }

    /// poll/epoll_wait's int milliseconds: < 0 no end, 0 no wait.
    init(milliseconds ms: Int32) {
        block = ms != 0
        deadline = ms > 0 ? Clock.deadline(afterNanoseconds: UInt64(ms) * 1_000_000) : nil
    }

    init(nanoseconds ns: UInt64) {
        block = ns != 0
        deadline = ns != 0 ? Clock.deadline(afterNanoseconds: ns) : nil
    }

    /// A user struct timespec at `addr` (0: no end); nil when unreadable or invalid (see error).
    init?(_ p: UnsafeMutablePointer<Process>, timespec addr: UInt64) {
        if addr == 0 { self.init(block: true, deadline: nil); return }
        guard let s = UserMemory.read64(p, addr), let ns = UserMemory.read64(p, addr &+ 8),
              let t = Clock.nanoseconds(timespec: s, ns) else { return nil }
        self.init(nanoseconds: t)
    }

    static func error(_ p: UnsafeMutablePointer<Process>, _ addr: UInt64) -> Int64 {
        UserMemory.read64(p, addr) != nil && UserMemory.read64(p, addr &+ 8) != nil ? -Errno.EINVAL : -Errno.EFAULT
    }

    func sleep() -> SleepResult { Scheduler.sleep(on: Scheduler.anyChannel, deadline: deadline) }

    /// select/ppoll/pselect6 write back the time left (0 once it is up), as Linux does.
    func writeRemaining(_ p: UnsafeMutablePointer<Process>, _ addr: UInt64, microseconds: Bool) {
        guard addr != 0, let d = deadline else { return }
        let ns = Clock.nanoseconds(until: d)
        var t: (UInt64, UInt64) = (ns / 1_000_000_000, microseconds ? ns % 1_000_000_000 / 1000 : ns % 1_000_000_000)
        _ = UserMemory.copyOut(p, to: addr, from: &t, count: 16)
    }

    /// A user sigset_t (`addr` 0: none) of `size` bytes, which must be 8 (EINVAL).
    static func userMask(_ p: UnsafeMutablePointer<Process>, _ addr: UInt64, _ size: UInt64) -> (UInt64?, Int64) {
        if addr == 0 { return (nil, 0) }
        guard size == 8 else { return (nil, -Errno.EINVAL) }
        guard let m = UserMemory.read64(p, addr) else { return (nil, -Errno.EFAULT) }
        return (m, 0)
    }

    /// The mask in force during the call (SIGKILL, SIGSTOP stay unblocked); the old one.
    static func apply(_ p: UnsafeMutablePointer<Process>, _ mask: UInt64?) -> UInt64 {
        let old = p.pointee.signalMask
        if let m = mask { p.pointee.signalMask = m & ~DefaultAction.unblockable }
        return old
    }
    static func restore(_ p: UnsafeMutablePointer<Process>, _ old: UInt64) { p.pointee.signalMask = old }

    /// A signal cut the call short with its own mask in force: the mask
    /// stays until the signal's handler frame has recorded the old one, so
    /// the signal it let through is delivered (Linux's
    /// restore_saved_sigmask_unless(-ERESTARTNOHAND); as rt_sigsuspend).
    static func keepForDelivery(_ p: UnsafeMutablePointer<Process>, _ old: UInt64, _ mask: UInt64?) {
        guard mask != nil else { return }
        p.pointee.signals.savedMask = old
        p.pointee.signals.restoreMask = true
    }
}

import KernelSupport

/// rt_sigaction(2), rt_sigprocmask(2), sigaltstack(2), rt_sigreturn(2),
/// rt_sigtimedwait(2), rt_sigqueueinfo(2), rt_tgsigqueueinfo(2),
/// restart_syscall(2) (kernel/signal.c).
enum SysSignal {
    static let unblockable: UInt64 = (1 << (9 - 1)) | (1 << (19 - 1))   // SIGKILL, SIGSTOP

    /// rt_sigaction(sig, act, oact, sigsetsize): struct kernel_sigaction
    /// (handler, flags, restorer, mask: 4 words) copied in and out whole.
    /// The new action goes through a stack copy (a fault changes nothing, as
    /// Linux's copy_from_user first), left uninitialised: it is overwritten.
    static func rtSigaction(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let i = UInt32(truncatingIfNeeded: a.a0) &- 1               // sig - 1
        guard a.a3 == 8, i < 64 else { return -Errno.EINVAL }
        let slot = p.pointee.sigactions + Int(i &* 4)
        let act = a.a1, oact = a.a2
        if act == 0 {                                               // a query
            return oact == 0 || UserMemory.copyOut(p, to: oact, from: slot, count: 32) ? 0 : -Errno.EFAULT
        }
        guard unblockable &>> UInt64(i) & 1 == 0 else { return -Errno.EINVAL }   // SIGKILL, SIGSTOP
        let bit: UInt64 = 1 &<< UInt64(i)
        // The common call: no old action wanted, the signal not pending, the
        // struct inside one page of the running process. It is copied
        // straight into the slot: in one page a fault can only come at the
        // first word read, before anything is written, so the slot stays
        // as it was (as Linux's copy_from_user to a stack copy would).
        if oact == 0 && p.pointee.pendingSignals & bit == 0 && UserMemory.isCurrent(p)
            && act & (Physical.pageSize - 1) <= Physical.pageSize - 32 && UserMemory.inUserHalf(act, 32) {
            guard user_copy(slot, UnsafeRawPointer(bitPattern: UInt(act)), 32) == 0 else { return -Errno.EFAULT }
            slot[3] &= ~unblockable
            return 0
        }
        return exchange(p, i, slot, act, oact)
    }

    /// rt_sigaction's general case, out of line (the common one then saves
    /// no registers for it): the new action through an uninitialised stack
    /// pair, so that a fault changes nothing, the old one kept for `oact`.
    @inline(never)
    static func exchange(_ p: UnsafeMutablePointer<Process>, _ i: UInt32, _ slot: UnsafeMutablePointer<UInt64>,
                         _ act: UInt64, _ oact: UInt64) -> Int64 {
        withUnsafeTemporaryAllocation(of: SigAction.self, capacity: 2) { buf -> Int64 in
            let new = buf.baseAddress.unsafelyUnwrapped, old = new + 1
            guard UserMemory.copyIn(p, to: new, from: act, count: 32) else { return -Errno.EFAULT }
            let s = UnsafeMutableRawPointer(slot).assumingMemoryBound(to: SigAction.self)
            if oact != 0 { old.pointee = s.pointee }
            s.pointee = new.pointee
            s.pointee.mask &= ~unblockable
            // An action that ignores drops what is pending (do_sigaction).
            let bit: UInt64 = 1 &<< UInt64(i)
            if p.pointee.pendingSignals & bit != 0 && Signals.ignored(p, Int32(bitPattern: i) &+ 1) { Signals.drop(p, bit) }
            if oact != 0 && !UserMemory.copyOut(p, to: oact, from: old, count: 32) { return -Errno.EFAULT }
            return 0
        }
    }

    /// struct kernel_sigaction, as Process.sigactions holds it.
    struct SigAction {
        var handler: UInt64, flags: UInt64, restorer: UInt64, mask: UInt64
    }

    /// rt_sigprocmask(how, set, oset, sigsetsize): the set copied in before
    /// `how` is looked at (EFAULT before EINVAL, as Linux).
    static func rtSigprocmask(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a3 == 8 else { return -Errno.EINVAL }
        if a.a1 == 0 { return a.a2 == 0 || UserMemory.write64(p, a.a2, p.pointee.signalMask) ? 0 : -Errno.EFAULT }
        guard let set = UserMemory.read64(p, a.a1) else { return -Errno.EFAULT }
        let old = p.pointee.signalMask                      // read after the copy: only p lives across it
        let new: UInt64
        switch UInt32(truncatingIfNeeded: a.a0) {
        case 0: new = old | set                             // SIG_BLOCK
        case 1: new = old & ~set                            // SIG_UNBLOCK
        case 2: new = set                                   // SIG_SETMASK
        default: return -Errno.EINVAL
        }
        p.pointee.signalMask = new & ~unblockable
        return a.a2 == 0 || UserMemory.write64(p, a.a2, old) ? 0 : -Errno.EFAULT
    }

    /// rt_sigreturn(2) (SignalDelivery.sigreturn).
    static func rtSigreturn(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>) -> Int64 {
        SignalDelivery.sigreturn(p, f)
    }

    /// sigaltstack(ss, old_ss) (do_sigaltstack): `userRSP` is the caller's stack pointer.
    static func sigaltstack(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, userRSP: UInt64) -> Int64 {
        typealias S = SignalFrame.Stack
        let old = p.pointee.signals.altStack
        if a.a0 != 0 {
            var ss: (UInt64, UInt64, UInt64) = (0, 0, 0)           // ss_sp, ss_flags (int, padding), ss_size
            guard UserMemory.copyIn(p, to: &ss, from: a.a0, count: S.byteCount) else { return -Errno.EFAULT }
            let new = SignalFrame.AltStack(sp: ss.0, size: ss.2, flags: Int32(truncatingIfNeeded: ss.1))
            let r = setAltStack(p, new, userRSP: userRSP)
            if r != 0 { return r }
        }
        if a.a1 != 0 {
            var os: (UInt64, UInt64, UInt64) = (old.sp, 0, old.size)
            os.1 = UInt64(UInt32(bitPattern: old.state(at: userRSP) | (old.flags & S.autoDisarm)))
            guard UserMemory.copyOut(p, to: a.a1, from: &os, count: S.byteCount) else { return -Errno.EFAULT }
        }
        return 0
    }

    /// The new alternate stack: EPERM while running on the current one,
    /// EINVAL for unknown flags, ENOMEM below MINSIGSTKSZ; SS_DISABLE clears it.
    static func setAltStack(_ p: UnsafeMutablePointer<Process>, _ s: SignalFrame.AltStack, userRSP: UInt64) -> Int64 {
        typealias S = SignalFrame.Stack
        if p.pointee.signals.altStack.contains(userRSP) { return -Errno.EPERM }
        let mode = s.flags & ~S.autoDisarm
        guard mode == 0 || mode == S.onStack || mode == S.disable else { return -Errno.EINVAL }
        if mode == S.disable {
            p.pointee.signals.altStack = SignalFrame.AltStack(sp: 0, size: 0, flags: s.flags)
        } else {
            guard s.size >= S.minSize else { return -Errno.ENOMEM }
            p.pointee.signals.altStack = s
        }
        return 0
    }

    /// rt_sigtimedwait(set, info, timeout, sigsetsize): takes a pending signal
    /// of `set` (its number; siginfo to `info`) without running its handler,
    /// waiting up to `timeout` (NULL: forever) for one: EAGAIN when the time
    /// is up, EINTR when another signal arrives (do_sigtimedwait).
    static func rtSigtimedwait(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a3 == 8 else { return -Errno.EINVAL }
        guard let raw = UserMemory.read64(p, a.a0) else { return -Errno.EFAULT }
        let set = raw & ~unblockable
        var deadline: UInt64? = nil                            // TSC; nil: no timeout
        if a.a2 != 0 {
            var ts: (UInt64, UInt64) = (0, 0)
            guard UserMemory.copyIn(p, to: &ts, from: a.a2, count: 16) else { return -Errno.EFAULT }
            guard let ns = Clock.nanoseconds(timespec: ts.0, ts.1) else { return -Errno.EINVAL }
            deadline = Clock.deadline(afterNanoseconds: ns)
        }
        var info = QueuedSignal()
        while true {
            let ready = p.pointee.pendingSignals & set
            if ready != 0 {
                let sync = ready & Signals.synchronousMask
                let sig = Int32((sync != 0 ? sync : ready).trailingZeroBitCount) + 1
                if !p.pointee.signals.queue.take(sig, into: &info) { p.pointee.pendingSignals &= ~DefaultAction.maskBit(sig) }
                if a.a1 != 0 {
                    let buf = p.pointee.memory.signalFrame
                    info.write(to: buf)
                    guard UserMemory.copyOut(p, to: a.a1, from: buf, count: SigInfo.size) else { return -Errno.EFAULT }
                }
                return Int64(sig)
            }
            if Signals.interrupted(p) { return -Errno.EINTR }
            if let d = deadline, rdtsc() >= d { return -Errno.EAGAIN }
            // The set's signals wake the sleep although blocked (Linux
            // unblocks them meanwhile, keeping real_blocked): Signals.send.
            p.pointee.signals.waiting = set
            let r = Scheduler.sleep(on: 0, deadline: deadline)
            p.pointee.signals.waiting = 0
            if r == .timedOut && p.pointee.pendingSignals & set == 0 { return -Errno.EAGAIN }
        }
    }

    /// rt_sigqueueinfo(pid, sig, info) and rt_tgsigqueueinfo(tgid, tid, sig,
    /// info): `info` as the caller wrote it, but only a negative si_code
    /// other than SI_TKILL when the target is another process (EPERM:
    /// nobody impersonates the kernel or kill(2)).
    static func rtSigqueueinfo(_ p: UnsafeMutablePointer<Process>, tgid: Int32, tid: Int32, sig: Int32, info at: UInt64) -> Int64 {
        let buf = p.pointee.memory.signalFrame
        guard UserMemory.copyIn(p, to: buf, from: at, count: SigInfo.size) else { return -Errno.EFAULT }
        guard sig >= 0, sig <= DefaultAction.maxSignal else { return -Errno.EINVAL }
        if tgid != -1 && (tgid <= 0 || tid <= 0) { return -Errno.EINVAL }              // rt_tgsigqueueinfo
        guard tid > 0, let q = SysKill.find(p, tgid: tgid, tid: tid) else { return -Errno.ESRCH }
        let code = buf.load(fromByteOffset: SigInfo.code, as: Int32.self)
        if (code >= 0 || code == SigInfo.siTkill) && q != p { return -Errno.EPERM }
        if sig == 0 { return 0 }
        let info = QueuedSignal(signo: sig, code: code, word16: buf.load(fromByteOffset: 16, as: UInt64.self),
                                word24: buf.load(fromByteOffset: 24, as: UInt64.self), word32: buf.load(fromByteOffset: 32, as: UInt64.self))
        return Signals.send(q, info) ? 0 : -Errno.EAGAIN
    }

    /// restart_syscall(2): finishes what an -ERESTART_RESTARTBLOCK call
    /// left (RestartBlock), once; with nothing left it is Linux's
    /// do_no_restart_syscall: EINTR.
    static func restartSyscall(_ p: UnsafeMutablePointer<Process>) -> Int64 {
        let r = p.pointee.signals.restart
        p.pointee.signals.restart = RestartBlock()
        switch r.kind {
        case .nanosleep: return SysTime.sleep(p, until: r.deadline, remaining: r.address)
        case .poll: return SysPoll.restart(p, r)
        case .none: return -Errno.EINTR
        }
    }
}

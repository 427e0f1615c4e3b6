import KernelSupport

/// Signals between processes: a pending set per process, acted on at the
/// end of every system call (the way back to ring 3) and breaking sleeps.
/// Default actions are carried out: terminate (and core, without a core
/// file), stop and continue (job control, reported to wait4/waitid);
/// ignored signals are dropped when sent, as Linux drops them. Caught
/// signals stay pending: handler delivery with the rt_sigframe is not done
/// yet, so a caught signal neither runs its handler nor interrupts a sleep.
enum Signals {
    static let SIG_DFL: UInt64 = 0, SIG_IGN: UInt64 = 1
    static let SA_NOCLDWAIT: UInt64 = 2

    @inline(__always) static func handler(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) -> UInt64 {
        p.pointee.sigactions[Int(sig - 1) * 4]
    }

    /// Whether `sig` with the target's disposition ends it.
    static func isFatal(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) -> Bool {
        if sig == Signal.kill { return true }
        guard handler(p, sig) == SIG_DFL, let action = DefaultAction.of(sig) else { return false }
        return action == .terminate || action == .core
    }

    static let SIGCONT: Int32 = 18
    /// SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU.
    static let stopMask: UInt64 = DefaultAction.maskBit(19) | DefaultAction.maskBit(20)
        | DefaultAction.maskBit(21) | DefaultAction.maskBit(22)

    /// Whether `sig` with the target's disposition stops it (job control).
    static func stops(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) -> Bool {
        if sig == Signal.stop { return true }
        return DefaultAction.maskBit(sig) & stopMask != 0 && handler(p, sig) == SIG_DFL
    }

    /// Sends `sig` (1...64) to `p` (kill(2) after the checks).
    static func send(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) {
        guard p.pointee.state != .free && p.pointee.state != .zombie else { return }
        let bit = DefaultAction.maskBit(sig)
        // SIGCONT continues a stopped process whatever its disposition and
        // cancels pending stops; a stop cancels a pending SIGCONT (signal(7)).
        if sig == SIGCONT {
            p.pointee.pendingSignals &= ~stopMask
            if p.pointee.state == .stopped {
                p.pointee.state = .runnable
                p.pointee.stopReport = 0
                p.pointee.continueReport = true
                notifyParent(p)
            }
        }
        if bit & stopMask != 0 { p.pointee.pendingSignals &= ~DefaultAction.maskBit(SIGCONT) }
        let h = handler(p, sig)
        if sig != Signal.kill && sig != Signal.stop {
            if h == SIG_IGN { return }
            if h == SIG_DFL, let action = DefaultAction.of(sig), action == .ignore || action == .continue { return }
        }
        p.pointee.pendingSignals |= bit
        guard sig == Signal.kill || p.pointee.signalMask & bit == 0 else { return }
        if isFatal(p, sig) || stops(p, sig) { Scheduler.interrupt(p) }
        if sig == Signal.kill && p.pointee.state == .stopped { p.pointee.state = .runnable }
    }

    /// The parent's wait4/waitid sleep ends; it gets SIGCHLD.
    static func notifyParent(_ p: UnsafeMutablePointer<Process>) {
        guard p.pointee.parent >= 0, let t = Processes.table else { return }
        send(t + p.pointee.parent, ChildInfo.sigchld)
        Scheduler.wakeup(Scheduler.childChannel(p.pointee.parent))
    }

    /// A pending signal that ends or stops `p` is not blocked: a sleep ends
    /// (EINTR; the process then dies or stops on its way out of the system call).
    static func interrupted(_ p: UnsafeMutablePointer<Process>) -> Bool {
        p.pointee.pendingSignals != 0 && actionSignal(p) != 0
    }

    /// The lowest pending, unblocked signal whose action ends or stops `p`, or 0.
    static func actionSignal(_ p: UnsafeMutablePointer<Process>) -> Int32 {
        var set = p.pointee.pendingSignals & (~p.pointee.signalMask | DefaultAction.maskBit(Signal.kill))
        while set != 0 {
            let sig = Int32(set.trailingZeroBitCount) + 1
            if isFatal(p, sig) || stops(p, sig) { return sig }
            set &= set - 1
        }
        return 0
    }

    /// On the way back to ring 3: a pending fatal signal ends the process; a
    /// stop signal stops it (reported to the parent) until SIGCONT or SIGKILL.
    static func onReturn(_ p: UnsafeMutablePointer<Process>) {
        while true {
            let sig = actionSignal(p)
            if sig == 0 { return }
            if isFatal(p, sig) { Processes.exit(p, waitStatus: WaitStatus.killed(by: sig, coreDumped: false)) }
            p.pointee.pendingSignals &= ~DefaultAction.maskBit(sig)
            p.pointee.stopReport = sig
            p.pointee.continueReport = false
            p.pointee.state = .stopped
            notifyParent(p)
            Scheduler.schedule()                // back when continued (or killed)
        }
    }
}

/// kill(2), tkill(2), tgkill(2), rt_sigpending(2).
enum SysKill {
    static func kill(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let pid = SyscallArgs.int(a.a0), sig = SyscallArgs.int(a.a1)
        guard sig >= 0, sig <= DefaultAction.maxSignal else { return -Errno.EINVAL }
        if pid > 0 {
            guard let q = SysFork.find(p, pid), q.pointee.state != .free else { return -Errno.ESRCH }
            if sig != 0 { Signals.send(q, sig) }
            return 0
        }
        guard pid != Int32.min, let t = Processes.table else { return -Errno.ESRCH }
        let group = pid == 0 ? p.pointee.pgid : -pid
        var found = false
        for i in 0..<Processes.slotsInUse where t[i].state != .free && t[i].state != .zombie {
            // -1: every process but init and the caller (kill(2)).
            let hit = pid == -1 ? (t[i].pid != 1 && t + i != p) : t[i].pgid == group
            guard hit else { continue }
            found = true
            if sig != 0 { Signals.send(t + i, sig) }
        }
        return found ? 0 : -Errno.ESRCH
    }

    /// tgkill(tgid, tid, sig) and tkill(tid, sig): one thread per process.
    static func tgkill(_ p: UnsafeMutablePointer<Process>, tgid: Int32, tid: Int32, sig: Int32) -> Int64 {
        guard tid > 0, tgid > 0 || tgid == -1, sig >= 0, sig <= DefaultAction.maxSignal else { return -Errno.EINVAL }
        guard let q = SysFork.find(p, tid), q.pointee.state != .free && q.pointee.state != .zombie,
              tgid == -1 || q.pointee.pid == tgid else { return -Errno.ESRCH }
        if sig != 0 { Signals.send(q, sig) }
        return 0
    }

    /// pause(2), and rt_sigsuspend(2) with `mask` in force meanwhile: sleeps
    /// until a signal acts (only fatal ones do yet), -EINTR.
    static func pause(_ p: UnsafeMutablePointer<Process>, mask: UInt64?) -> Int64 {
        let saved = p.pointee.signalMask
        if let m = mask { p.pointee.signalMask = m & ~DefaultAction.unblockable }
        while !Signals.interrupted(p) { Scheduler.sleep(on: Scheduler.pauseChannel) }
        p.pointee.signalMask = saved
        return -Errno.EINTR
    }

    static func rtSigsuspend(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a1 == 8 else { return -Errno.EINVAL }
        guard let m = UserMemory.read64(p, a.a0) else { return -Errno.EFAULT }
        return pause(p, mask: m)
    }

    static func rtSigpending(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a1 <= 8 else { return -Errno.EINVAL }
        var set = p.pointee.pendingSignals & p.pointee.signalMask
        return UserMemory.copyOut(p, to: a.a0, from: &set, count: Int(a.a1)) ? 0 : -Errno.EFAULT
    }
}

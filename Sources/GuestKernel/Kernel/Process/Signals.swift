import KernelSupport

/// Signals between processes (Linux's kernel/signal.c in small): a pending
/// set and siginfo queue per process (SignalQueue.swift), acted on at every
/// return to ring 3 (SignalDelivery.swift) and ending interruptible sleeps.
/// Ignored signals are dropped when sent, as Linux drops them; default
/// actions terminate (and core, without a core file), stop and continue
/// (job control, reported to wait4/waitid).
enum Signals {
    static let SIG_DFL: UInt64 = 0, SIG_IGN: UInt64 = 1
    static let SA_NOCLDSTOP: UInt64 = 1, SA_NOCLDWAIT: UInt64 = 2, SA_SIGINFO: UInt64 = 4
    static let SA_RESTORER: UInt64 = 0x0400_0000, SA_ONSTACK: UInt64 = 0x0800_0000
    static let SA_RESTART: UInt64 = 0x1000_0000, SA_NODEFER: UInt64 = 0x4000_0000
    static let SA_RESETHAND: UInt64 = 0x8000_0000

    /// struct kernel_sigaction of `sig`: handler, flags, restorer, mask.
    @inline(__always) static func action(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) -> UnsafeMutablePointer<UInt64> {
        p.pointee.sigactions + Int(sig - 1) * 4
    }
    @inline(__always) static func handler(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) -> UInt64 { action(p, sig)[0] }

    static let SIGCONT: Int32 = 18
    /// SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU.
    static let stopMask: UInt64 = DefaultAction.maskBit(19) | DefaultAction.maskBit(20)
        | DefaultAction.maskBit(21) | DefaultAction.maskBit(22)
    /// Fault signals, taken before the others (kernel/signal.c SYNCHRONOUS_MASK).
    static let synchronousMask: UInt64 = DefaultAction.maskBit(11) | DefaultAction.maskBit(7) | DefaultAction.maskBit(4)
        | DefaultAction.maskBit(5) | DefaultAction.maskBit(8) | DefaultAction.maskBit(31)

    /// Whether `sig` is dropped when sent: SIG_IGN, or SIG_DFL whose action
    /// is to ignore (SIGCHLD, SIGURG, SIGWINCH, SIGCONT) (sig_task_ignored).
    static func ignored(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) -> Bool {
        if sig == Signal.kill || sig == Signal.stop { return false }
        let h = handler(p, sig)
        if h == SIG_IGN { return true }
        guard h == SIG_DFL, let action = DefaultAction.of(sig) else { return false }
        return action == .ignore || action == .continue
    }

    /// Sends `sig` (1...64) to `p` from the running process (kill(2) after the checks).
    static func send(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) {
        _ = send(p, QueuedSignal.user(sig, code: SigInfo.siUser))
    }

    /// Sends `info.signo` with its siginfo; false when a real-time signal
    /// finds the queue full (sigqueue's EAGAIN). A sleeping target the
    /// signal is not blocked for wakes up (its system call ends with EINTR
    /// or restarts, SignalDelivery); SIGKILL and SIGCONT wake a stopped one.
    @discardableResult
    static func send(_ p: UnsafeMutablePointer<Process>, _ info: QueuedSignal) -> Bool {
        let sig = info.signo
        guard p.pointee.state != .free && p.pointee.state != .zombie else { return true }
        let bit = DefaultAction.maskBit(sig)
        // SIGCONT continues a stopped process whatever its disposition and
        // cancels pending stops; a stop cancels a pending SIGCONT (signal(7)).
        if sig == SIGCONT {
            drop(p, stopMask)
            if p.pointee.state == .stopped {
                p.pointee.state = .runnable
                Timers.startTick()                          // it may share the CPU with a spinner now
                p.pointee.stopReport = 0
                p.pointee.continueReport = true
                notifyParent(p, waitStatus: WaitStatus.continued)
            }
        }
        if bit & stopMask != 0 { drop(p, DefaultAction.maskBit(SIGCONT)) }
        // A blocked signal is kept: its action may change before it is unblocked (sig_ignored).
        let blocked = p.pointee.signalMask & bit != 0 && sig != Signal.kill
        if !blocked && ignored(p, sig) { return true }
        if !p.pointee.signals.queue.add(info, alreadyPending: p.pointee.pendingSignals & bit != 0) {
            // Full: a real-time signal from sigqueue/tkill fails; kill(2)'s is pending without its siginfo.
            if sig >= 32 && info.code != SigInfo.siUser { return false }
        }
        p.pointee.pendingSignals |= bit
        guard !blocked || p.pointee.signals.waiting & bit != 0 else { return true }
        Scheduler.interrupt(p)
        if sig == Signal.kill && p.pointee.state == .stopped { p.pointee.state = .runnable; Timers.startTick() }
        return true
    }

    /// Forgets the pending signals in `mask` with their queued siginfo.
    static func drop(_ p: UnsafeMutablePointer<Process>, _ mask: UInt64) {
        guard p.pointee.pendingSignals & mask != 0 else { return }
        p.pointee.pendingSignals &= ~mask
        p.pointee.signals.queue.remove(mask)
    }

    /// SIGCHLD to `child`'s parent with the child's new state (exit, stop or
    /// continue: `waitStatus`), and its wait4/waitid sleep ends. SIG_IGN drops
    /// it; SA_NOCLDSTOP keeps stops and continues quiet (do_notify_parent_cldstop).
    static func notifyParent(_ child: UnsafeMutablePointer<Process>, waitStatus: Int32) {
        guard child.pointee.parent >= 0, let t = Processes.table else { return }
        let parent = t + child.pointee.parent
        let exited = WaitStatus.ifExited(waitStatus) || WaitStatus.ifSignaled(waitStatus)
        if exited || action(parent, ChildInfo.sigchld)[1] & SA_NOCLDSTOP == 0 {
            send(parent, QueuedSignal.child(pid: child.pointee.pid, waitStatus: waitStatus))
        }
        Scheduler.wakeup(Scheduler.childChannel(child.pointee.parent))
    }

    /// Linux's signal_pending(): a pending signal is not blocked (SIGKILL
    /// never is). A sleep ends on it; the system call returns -ERESTARTSYS
    /// (or -EINTR ...) and the way out decides (SignalDelivery).
    @inline(__always) static func interrupted(_ p: UnsafeMutablePointer<Process>) -> Bool {
        p.pointee.pendingSignals & (~p.pointee.signalMask | DefaultAction.unblockable) != 0
    }

    /// force_sig_info: a signal the kernel must deliver now (a fault, a bad
    /// signal frame). Blocked or ignored, it is unblocked and its action
    /// reset to SIG_DFL, so it kills (kernel/signal.c force_sig_info_to_task).
    static func force(_ p: UnsafeMutablePointer<Process>, _ info: QueuedSignal) {
        let sig = info.signo, bit = DefaultAction.maskBit(sig)
        let a = action(p, sig)
        if a[0] == SIG_IGN || p.pointee.signalMask & bit != 0 {
            a[0] = SIG_DFL
            p.pointee.signalMask &= ~bit
        }
        send(p, info)
    }
}

/// The restart codes a system call returns when a signal ended its sleep
/// (include/linux/errno.h): never seen by user space, the way back to ring 3
/// turns them into EINTR or a restart (SignalDelivery.restart).
extension Errno {
    static let ERESTARTSYS: Int64 = 512, ERESTARTNOINTR: Int64 = 513, ERESTARTNOHAND: Int64 = 514
    static let ERESTART_RESTARTBLOCK: Int64 = 516
}

/// kill(2), tkill(2), tgkill(2), rt_sigpending(2), pause(2), rt_sigsuspend(2).
enum SysKill {
    static func kill(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let pid = SyscallArgs.int(a.a0), sig = SyscallArgs.int(a.a1)
        guard sig >= 0, sig <= DefaultAction.maxSignal else { return -Errno.EINVAL }
        if pid > 0 {
            guard let q = SysFork.find(p, pid), q.pointee.state != .free else { return -Errno.ESRCH }
            if sig != 0 && !Signals.send(q, QueuedSignal.user(sig, code: SigInfo.siUser)) { return -Errno.EAGAIN }
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
            if sig != 0 { Signals.send(t + i, QueuedSignal.user(sig, code: SigInfo.siUser)) }
        }
        return found ? 0 : -Errno.ESRCH
    }

    /// tgkill(tgid, tid, sig) and tkill(tid, sig): one thread per process.
    static func tgkill(_ p: UnsafeMutablePointer<Process>, tgid: Int32, tid: Int32, sig: Int32) -> Int64 {
        guard tid > 0, tgid > 0 || tgid == -1, sig >= 0, sig <= DefaultAction.maxSignal else { return -Errno.EINVAL }
        guard let q = find(p, tgid: tgid, tid: tid) else { return -Errno.ESRCH }
        if sig != 0 && !Signals.send(q, QueuedSignal.user(sig, code: SigInfo.siTkill)) { return -Errno.EAGAIN }
        return 0
    }

    static func find(_ p: UnsafeMutablePointer<Process>, tgid: Int32, tid: Int32) -> UnsafeMutablePointer<Process>? {
        guard let q = SysFork.find(p, tid), q.pointee.state != .free && q.pointee.state != .zombie,
              tgid == -1 || q.pointee.pid == tgid else { return nil }
        return q
    }

    /// pause(2), and rt_sigsuspend(2) with `mask` in force until a handler
    /// has run: sleeps until a signal is pending, -ERESTARTNOHAND (EINTR
    /// after a handler; restarted when the signal only stopped and continued
    /// the process). sigsuspend's own mask stays in force for the delivery;
    /// the frame records the old one (Linux's set_restore_sigmask).
    static func pause(_ p: UnsafeMutablePointer<Process>, mask: UInt64?) -> Int64 {
        if let m = mask {
            p.pointee.signals.savedMask = p.pointee.signalMask
            p.pointee.signals.restoreMask = true
            p.pointee.signalMask = m & ~DefaultAction.unblockable
        }
        while !Signals.interrupted(p) { Scheduler.sleep(on: Scheduler.pauseChannel) }
        return -Errno.ERESTARTNOHAND
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

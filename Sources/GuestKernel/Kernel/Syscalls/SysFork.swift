import KernelSupport

/// fork(2), vfork(2), clone(2) (the flags fork, vfork and posix_spawn of glibc
/// and musl use; no threads), wait4(2), waitid(2), process groups and sessions.
enum SysFork {
    static let CSIGNAL: UInt64 = 0xff, CLONE_VM: UInt64 = 0x100, CLONE_VFORK: UInt64 = 0x4000
    static let CLONE_SETTLS: UInt64 = 0x80000, CLONE_PARENT_SETTID: UInt64 = 0x100000
    static let CLONE_CHILD_CLEARTID: UInt64 = 0x200000, CLONE_CHILD_SETTID: UInt64 = 0x1000000
    static let supported = CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID
        | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID

    /// clone(flags, newsp, parent_tid, child_tid, tls): the child's pid.
    static func clone(_ p: UnsafeMutablePointer<Process>, flags: UInt64, stack: UInt64, parentTid: UInt64,
                      childTid: UInt64, tls: UInt64) -> Int64 {
        // Threads (CLONE_THREAD, CLONE_SIGHAND, CLONE_FILES ...) are not here
        // yet; CLONE_VM only as vfork's (the parent waits until exec or exit).
        guard flags & ~supported == 0 else { return -Errno.EINVAL }
        let vfork = flags & CLONE_VFORK != 0
        if flags & CLONE_VM != 0 && !vfork { return -Errno.EINVAL }
        if flags & CLONE_SETTLS != 0 && tls >= 0x0000_8000_0000_0000 { return -Errno.EPERM }
        let (child, error) = Processes.fork(p, sharingMemory: flags & CLONE_VM != 0)
        guard let c = child else { return error }
        let pid = c.pointee.pid
        if stack != 0 { c.pointee.memory.frame.pointee.rsp = stack }
        if flags & CLONE_SETTLS != 0 { c.pointee.fsBase = tls }
        if flags & CLONE_CHILD_CLEARTID != 0 { c.pointee.clearChildTid = childTid }
        if flags & CLONE_CHILD_SETTID != 0 { _ = UserMemory.write32(c, childTid, UInt32(bitPattern: pid)) }
        if flags & CLONE_PARENT_SETTID != 0 { _ = UserMemory.write32(p, parentTid, UInt32(bitPattern: pid)) }
        if vfork { c.pointee.vforkParent = Processes.slot(p) }
        c.pointee.state = .runnable
        Timers.startTick()                  // two tasks want the CPU now
        if vfork {
            // vfork(2): the parent sleeps until the child has released its memory.
            let channel = Scheduler.vforkChannel(Processes.slot(c))
            while c.pointee.pid == pid && c.pointee.vforkParent >= 0 && c.pointee.state != .free {
                Scheduler.sleep(on: channel, interruptible: false)
            }
        }
        return Int64(pid)
    }

    static let WNOHANG: UInt64 = 1, WUNTRACED: UInt64 = 2, WEXITED: UInt64 = 4, WCONTINUED: UInt64 = 8
    static let WNOWAIT: UInt64 = 0x0100_0000, WNOTHREAD: UInt64 = 0x2000_0000
    static let WALL: UInt64 = 0x4000_0000, WCLONE: UInt64 = 0x8000_0000

    /// Whether child `c` is one wait4(pid)/waitid(idtype, id) asks for.
    static func matches(_ c: Process, _ p: UnsafeMutablePointer<Process>, pid: Int32, group: Int32?) -> Bool {
        if let g = group { return g == 0 ? c.pgid == p.pointee.pgid : c.pgid == g }
        return pid == -1 || c.pid == pid
    }

    /// The first child asked for with something to report, as (pid, wait
    /// status): a zombie (reaped unless `keep`), or with `exited` false or
    /// true, a stop (`stopped`) or a continue (`continued`) not yet
    /// reported (kept reported unless `keep`). nil with ECHILD when no
    /// child matches, nil with 0 when none has anything yet.
    static func reap(_ p: UnsafeMutablePointer<Process>, pid: Int32, group: Int32?, keep: Bool,
                     exited: Bool = true, stopped: Bool = false, continued: Bool = false) -> ((Int32, Int32)?, Int64) {
        guard p.pointee.children > 0, let t = Processes.table else { return (nil, -Errno.ECHILD) }
        let me = Processes.slot(p)
        var found = false
        for i in 0..<Processes.slotsInUse where t[i].state != .free && t[i].parent == me {
            guard matches(t[i], p, pid: pid, group: group) else { continue }
            found = true
            let cpid = t[i].pid
            if t[i].state == .zombie {
                guard exited else { continue }
                let ws = t[i].waitStatus
                if !keep { TaskAccounting.reaped(i, by: me); Processes.destroy(t + i) }
                return ((cpid, ws), 0)
            }
            if stopped && t[i].stopReport != 0 && t[i].state == .stopped {
                let ws = WaitStatus.stopped(by: t[i].stopReport)
                if !keep { t[i].stopReport = 0 }
                return ((cpid, ws), 0)
            }
            if continued && t[i].continueReport {
                if !keep { t[i].continueReport = false }
                return ((cpid, WaitStatus.continued), 0)
            }
        }
        return (nil, found ? 0 : -Errno.ECHILD)
    }

    /// wait4(pid, wstatus, options, rusage).
    static func wait4(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let options = a.a2
        guard options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE) == 0 else { return -Errno.EINVAL }
        let pid = SyscallArgs.int(a.a0)
        guard pid != Int32.min else { return -Errno.ESRCH }          // -INT_MIN overflows (kernel/exit.c)
        let group: Int32? = pid == 0 ? 0 : (pid < -1 ? -pid : nil)
        while true {
            let (child, error) = reap(p, pid: pid, group: group, keep: false,
                                      stopped: options & WUNTRACED != 0, continued: options & WCONTINUED != 0)
            if let (cpid, ws) = child {
                if a.a1 != 0 && !UserMemory.write32(p, a.a1, UInt32(bitPattern: ws)) { return -Errno.EFAULT }
                if a.a3 != 0 && !zeroUser(p, a.a3, 144) { return -Errno.EFAULT }      // struct rusage: no accounting
                return Int64(cpid)
            }
            if error != 0 { return error }
            if options & WNOHANG != 0 { return 0 }
            Scheduler.sleep(on: Scheduler.childChannel(Processes.slot(p)))
            if Signals.interrupted(p) { return -Errno.ERESTARTSYS }
        }
    }

    /// waitid(idtype, id, infop, options, rusage): P_ALL, P_PID, P_PGID.
    static func waitid(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let options = a.a3
        guard options & ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE) == 0,
              options & (WUNTRACED | WEXITED | WCONTINUED) != 0 else { return -Errno.EINVAL }
        let id = SyscallArgs.int(a.a1)
        let pid: Int32, group: Int32?
        switch a.a0 {
        case 0: pid = -1; group = nil                                   // P_ALL
        case 1: guard id > 0 else { return -Errno.EINVAL }; pid = id; group = nil   // P_PID
        case 2: guard id >= 0 else { return -Errno.EINVAL }; pid = -1; group = id   // P_PGID (0: the caller's)
        default: return -Errno.EINVAL                                   // P_PIDFD is not here
        }
        while true {
            let (child, error) = reap(p, pid: pid, group: group, keep: options & WNOWAIT != 0, exited: options & WEXITED != 0,
                                      stopped: options & WUNTRACED != 0, continued: options & WCONTINUED != 0)
            if error != 0 { return error }
            if let (cpid, ws) = child {
                if a.a2 != 0 && !writeChildInfo(p, a.a2, pid: cpid, waitStatus: ws) { return -Errno.EFAULT }
                if a.a4 != 0 && !zeroUser(p, a.a4, 144) { return -Errno.EFAULT }
                return 0
            }
            if options & WNOHANG != 0 {
                // Nothing to report: si_signo and si_pid 0 (kernel/exit.c).
                return a.a2 == 0 || zeroUser(p, a.a2, 32) ? 0 : -Errno.EFAULT
            }
            Scheduler.sleep(on: Scheduler.childChannel(Processes.slot(p)))
            if Signals.interrupted(p) { return -Errno.ERESTARTSYS }
        }
    }

    /// The siginfo_t waitid(2) fills (ChildInfo, WaitStatus.swift).
    static func writeChildInfo(_ p: UnsafeMutablePointer<Process>, _ at: UInt64, pid: Int32, waitStatus: Int32) -> Bool {
        var info: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                   UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &info) { ChildInfo(pid: pid, uid: 0, waitStatus: waitStatus).write(to: $0.baseAddress!) }
        return UserMemory.copyOut(p, to: at, from: &info, count: SigInfo.size)
    }

    static func zeroUser(_ p: UnsafeMutablePointer<Process>, _ at: UInt64, _ n: Int) -> Bool {
        var zeros: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                    UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        return UserMemory.copyOut(p, to: at, from: &zeros, count: min(n, 144))
    }

    /// The process with `pid` (0: the caller), or nil.
    static func find(_ p: UnsafeMutablePointer<Process>, _ pid: Int32) -> UnsafeMutablePointer<Process>? {
        if pid == 0 || pid == p.pointee.pid { return p }        // the caller: raise(3), kill(getpid())
        guard pid > 0, let t = Processes.table else { return nil }
        for i in 0..<Processes.slotsInUse where t[i].state != .free && t[i].pid == pid { return t + i }
        return nil
    }

    /// setpgid(pid, pgid): the caller or a child of it, into a group of its session.
    static func setpgid(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let pid = SyscallArgs.int(a.a0), pgid = SyscallArgs.int(a.a1)
        guard pgid >= 0 else { return -Errno.EINVAL }
        guard let q = find(p, pid), q == p || q.pointee.parent == Processes.slot(p) else { return -Errno.ESRCH }
        if q.pointee.sid != p.pointee.sid { return -Errno.EPERM }
        if q.pointee.pid == q.pointee.sid { return -Errno.EPERM }           // a session leader
        let target = pgid == 0 ? q.pointee.pid : pgid
        if target != q.pointee.pid {
            // The group must exist in the same session; a zombie still
            // holds its group until reaped (Linux detaches its pid links in
            // release_task).
            guard let t = Processes.table else { return -Errno.EPERM }
            var ok = false
            for i in 0..<Processes.slotsInUse where t[i].state != .free
                && t[i].pgid == target && t[i].sid == p.pointee.sid { ok = true; break }
            if !ok { return -Errno.EPERM }
        }
        q.pointee.pgid = target
        return 0
    }

    static func getpgid(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 { getpgid(p, pid: SyscallArgs.int(a.a0)) }

    static func getpgid(_ p: UnsafeMutablePointer<Process>, pid: Int32) -> Int64 {
        guard let q = find(p, pid) else { return -Errno.ESRCH }
        return Int64(q.pointee.pgid)
    }

    static func getsid(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let q = find(p, SyscallArgs.int(a.a0)) else { return -Errno.ESRCH }
        return Int64(q.pointee.sid)
    }

    /// setsid(2): EPERM for a group leader.
    static func setsid(_ p: UnsafeMutablePointer<Process>) -> Int64 {
        if let t = Processes.table {
            for i in 0..<Processes.slotsInUse where t[i].state != .free && t[i].pgid == p.pointee.pid { return -Errno.EPERM }
        }
        p.pointee.sid = p.pointee.pid
        p.pointee.pgid = p.pointee.pid
        return Int64(p.pointee.pid)
    }
}

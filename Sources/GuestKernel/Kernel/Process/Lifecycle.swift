import KernelSupport

/// Process start and end (Linux's kernel/exit.c in small): the one way a
/// process ends, by exit(2) or by a signal, is `exit`.
extension Processes {
    /// Makes `p` runnable with its first return to ring 3 at `entry` with
    /// stack `sp`, all other registers zero and interrupts off.
    static func startUser(_ p: UnsafeMutablePointer<Process>, entry: UInt64, stack sp: UInt64) {
        let f = p.pointee.memory.frame
        f.pointee.rip = entry
        f.pointee.cs = UInt64(VMM_SEL_USER_CS)
        f.pointee.rflags = 0x202                  // IF: ring 3 takes the timer interrupt
        f.pointee.rsp = sp
        f.pointee.ss = UInt64(VMM_SEL_USER_DS)
        Scheduler.prepare(p)
        p.pointee.state = .runnable
    }

    /// A vfork child has let go of its parent's memory (exec or exit): the
    /// parent, asleep in vfork, goes on.
    static func endVfork(_ p: UnsafeMutablePointer<Process>) {
        guard p.pointee.vforkParent >= 0 else { return }
        p.pointee.vforkParent = -1
        Scheduler.wakeup(Scheduler.vforkChannel(slot(p)))
    }

    /// The slot of init (pid 1) while it lives, which adopts orphans.
    static func initSlot() -> Int? {
        guard let t = table else { return nil }
        for i in 0..<slotsInUse where t[i].pid == 1 && t[i].state != .free && t[i].state != .zombie { return i }
        return nil
    }

    /// Ends the running process `p` with Linux wait status `ws` (exit code
    /// << 8, or the signal): memory and descriptors go now, children go to
    /// init (or to nobody, who reaps them at once), the parent is woken, and
    /// the zombie waits to be reaped (wait4/waitid, or the run list's loop
    /// for a program of the command line). Never returns.
    static func exit(_ p: UnsafeMutablePointer<Process>, waitStatus ws: Int32) -> Never {
        _ = RunList.endsVM(p, waitStatus: ws)
        release(p)
        let me = slot(p)
        OrphanedGroups.childrenLeft(by: p)
        if let t = table {
            let adopter = initSlot().flatMap { $0 == me ? nil : $0 }
            for i in 0..<slotsInUse where t[i].state != .free && t[i].parent == me {
                t[i].parent = adopter ?? -1
                if let a = adopter { t[a].children &+= 1 }
                if t[i].state == .zombie {
                    if let a = adopter { Scheduler.wakeup(Scheduler.childChannel(a)) } else { t[i].state = .free }
                }
            }
            p.pointee.children = 0
        }
        p.pointee.waitStatus = ws
        p.pointee.state = .zombie
        OrphanedGroups.exited(p)
        if p.pointee.parent >= 0, let t = table {
            // SIGCHLD: ignored by default; SIG_IGN or SA_NOCLDWAIT means the
            // parent reaps nothing (no zombie, wait gives ECHILD: wait(2)).
            let parentSlot = p.pointee.parent, parent = t + parentSlot
            let action = parent.pointee.sigactions + Int(ChildInfo.sigchld - 1) * 4
            if action[0] == Signals.SIG_IGN || action[1] & Signals.SA_NOCLDWAIT != 0 { leaveParent(p); p.pointee.state = .free }
            else { Signals.send(parent, QueuedSignal.child(pid: p.pointee.pid, waitStatus: ws)) }
            Scheduler.wakeup(Scheduler.childChannel(parentSlot))
        } else if me == RunList.slot {
            Scheduler.runIdle()            // the run list logs and reaps it
        } else {
            p.pointee.state = .free        // an orphan nobody waits for
        }
        Scheduler.schedule()
        panic("a zombie ran")
    }
}

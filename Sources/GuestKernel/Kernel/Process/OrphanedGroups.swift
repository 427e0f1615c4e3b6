/// kill_orphaned_pgrp (kernel/exit.c; POSIX _exit): when an exit leaves a
/// process group orphaned (SignalDelivery.orphanedGroup) while a member is
/// stopped, nobody could continue it by job control, so the group gets
/// SIGHUP and then SIGCONT (SI_KERNEL). Two kinds of group can be left so:
/// each child's, when the exiting process was that group's link to another
/// group of the session; and its own, when its parent was.
enum OrphanedGroups {
    static let hup: Int32 = 1, cont: Int32 = 18

    /// Before `p`'s children go to their new parent (init or nobody, which
    /// orphanedGroup does not count): their groups, `p` not counted as a parent.
    static func childrenLeft(by p: UnsafeMutablePointer<Process>) {
        guard let t = Processes.table else { return }
        let me = Int32(Processes.slot(p))
        for i in 0..<Processes.slotsInUse where t[i].parent == me && t[i].state != .free && t[i].state != .zombie {
            if t[i].pgid != p.pointee.pgid && t[i].sid == p.pointee.sid { hangUpIfStopped(t[i].pgid, ignoringParent: me) }
        }
    }

    /// `p`, now a zombie (orphanedGroup skips zombies), left its own group.
    static func exited(_ p: UnsafeMutablePointer<Process>) {
        guard p.pointee.parent >= 0, let t = Processes.table else { return }
        let parent = t[Int(p.pointee.parent)]
        if parent.pgid != p.pointee.pgid && parent.sid == p.pointee.sid { hangUpIfStopped(p.pointee.pgid) }
    }

    static func hangUpIfStopped(_ pgid: Int32, ignoringParent: Int32 = -1) {
        guard hasStopped(pgid), SignalDelivery.orphanedGroup(pgid, ignoringParent: ignoringParent) else { return }
        TTYInput.signalGroup(pgid, hup)
        TTYInput.signalGroup(pgid, cont)
    }

    /// has_stopped_jobs.
    static func hasStopped(_ pgid: Int32) -> Bool {
        guard let t = Processes.table else { return false }
        for i in 0..<Processes.slotsInUse where t[i].pgid == pgid && t[i].state == .stopped { return true }
        return false
    }
}

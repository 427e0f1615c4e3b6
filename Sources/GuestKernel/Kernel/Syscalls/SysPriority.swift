/// getpriority(2)/setpriority(2) over the nice values processes keep
/// (Process.priority, 20 - nice: inherited by fork, kept across execve). As Linux's
/// kernel/sys.c: the raw getpriority returns 20 - nice (1..40; the libcs
/// turn it back), the highest of the matching processes'; a `which` other
/// than PRIO_PROCESS, PRIO_PGRP or PRIO_USER is EINVAL, no match is ESRCH;
/// `who` 0 is the caller (its group, its user). setpriority clamps to
/// [-20, 19] and sets every match; every process here is root's, with
/// CAP_SYS_NICE, so set_one_prio's EPERM/EACCES never apply. Zombies match
/// until reaped, as their pids stay attached in Linux until release_task.
enum SysPriority {
    static let PRIO_PROCESS: Int32 = 0, PRIO_PGRP: Int32 = 1, PRIO_USER: Int32 = 2

    /// PRIO_PROCESS, 0 (both ints zero: one test) is the caller's, with no scan.
    @inline(__always)
    static func get(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        if UInt32(truncatingIfNeeded: a.a0 | a.a1) == 0 { return p.pointee.priority }
        return getOther(p, a)
    }

    @inline(never)
    static func getOther(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let which = SyscallArgs.int(a.a0), who = SyscallArgs.int(a.a1)
        guard which >= PRIO_PROCESS && which <= PRIO_USER else { return -Errno.EINVAL }
        var best = -Errno.ESRCH
        forEachMatch(p, which, who) { q in best = max(best, q.pointee.priority) }
        return best
    }

    static func set(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let which = SyscallArgs.int(a.a0), who = SyscallArgs.int(a.a1)
        guard which >= PRIO_PROCESS && which <= PRIO_USER else { return -Errno.EINVAL }
        let priority = 20 - Int64(min(max(SyscallArgs.int(a.a2), -20), 19))
        var r = -Errno.ESRCH
        forEachMatch(p, which, who) { q in q.pointee.priority = priority; r = 0 }
        return r
    }

    /// The processes `which`/`who` name: one pid, one group, or every
    /// process of one user (uid 0, the only one: another uid has no
    /// user_struct, find_user's NULL, so nothing matches).
    private static func forEachMatch(_ p: UnsafeMutablePointer<Process>, _ which: Int32, _ who: Int32,
                                     _ body: (UnsafeMutablePointer<Process>) -> Void) {
        if which == PRIO_PROCESS {
            if let q = SysFork.find(p, who) { body(q) }
            return
        }
        if which == PRIO_USER && who != 0 { return }          // uid `who` is not root's (0)
        let group = who == 0 ? p.pointee.pgid : who
        guard let t = Processes.table, which == PRIO_USER || group > 0 else { return }
        for i in 0..<Processes.slotsInUse where t[i].state != .free && (which == PRIO_USER || t[i].pgid == group) {
            body(t + i)
        }
    }
}

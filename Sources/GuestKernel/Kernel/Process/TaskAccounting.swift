import KernelSupport

/// What a task has that getrusage(2), times(2), getgroups(2) and prctl(2)
/// read, kept per process slot beside the process table (not in Process, so
/// that the fast paths' layout does not move):
/// - CPU time: the TSC counted between the context switches into and out of
///   the task (Scheduler.run/runIdle call `switching`). It is all the task's
///   time on the CPU, user and kernel together: telling them apart would
///   need a TSC read on every kernel entry and exit (~2 emulated
///   instructions each here). getrusage and times report it as user time
///   and 0 as system time.
/// - children's CPU time: what reaped children (and theirs) used (wait4).
/// - the CPU's: all tasks' time together (/proc/stat's user time; the rest
///   since boot, the kernel context's, mostly halted, is its idle time) and
///   the number of context switches (ctxt).
/// - supplementary groups (setgroups), inherited by fork.
/// - the name (comm, 16 bytes with the NUL): the executable's base name at
///   exec, PR_SET_NAME's after.
enum TaskAccounting {
    static let maxGroups = 64            // Linux: NGROUPS_MAX 65536; past this setgroups is EINVAL
    static let commSize = 16             // TASK_COMM_LEN
    nonisolated(unsafe) static var ownTicks = zeroedTable(of: UInt64.self, count: Processes.capacity)
    nonisolated(unsafe) static var childTicks = zeroedTable(of: UInt64.self, count: Processes.capacity)
    nonisolated(unsafe) static var groupCount = zeroedTable(of: Int32.self, count: Processes.capacity)
    nonisolated(unsafe) static var groups = zeroedTable(of: UInt32.self, count: Processes.capacity * maxGroups)
    nonisolated(unsafe) static var comm = zeroedTable(of: UInt8.self, count: Processes.capacity * commSize)
    /// TSC when the running task was switched in.
    nonisolated(unsafe) static var since: UInt64 = 0
    /// Every task's ticks until the last switch, and the switches so far.
    nonisolated(unsafe) static var busyTicks: UInt64 = 0
    nonisolated(unsafe) static var switches: UInt64 = 0

    /// The running task `prev` (nil: the kernel context) leaves the CPU.
    @inline(__always) static func switching(from prev: UnsafeMutablePointer<Process>?) {
        let now = rdtsc()
        if let prev {
            let d = now > since ? now - since : 0              // a TSC step back counts nothing
            ownTicks[Processes.slot(prev)] &+= d
            busyTicks &+= d
        }
        switches &+= 1
        since = now
        if now >= LoadAverage.due { LoadAverage.update(now, running: prev) }
    }

    /// The CPU's busy ticks so far (the running task's current stretch too).
    static func cpuBusy() -> UInt64 { Processes.current != nil ? busyTicks &+ stretch() : busyTicks }
    /// Ticks since the running task was switched in.
    static func stretch() -> UInt64 {
        let now = rdtsc()
        return now > since ? now - since : 0
    }
    /// The CPU's idle ticks so far: the time since boot no task ran.
    static func cpuIdle() -> UInt64 {
        let total = rdtsc() &- Clock.bootTSC, busy = cpuBusy()
        return total > busy ? total - busy : 0
    }

    /// A new process in `slot`: no time yet, its parent's groups and name.
    static func created(_ slot: Int, parent: Int) {
        ownTicks[slot] = 0
        childTicks[slot] = 0
        groupCount[slot] = parent >= 0 ? groupCount[parent] : 0
        for i in 0..<commSize { comm[slot * commSize + i] = parent >= 0 ? comm[parent * commSize + i] : 0 }
        if parent >= 0 { for i in 0..<maxGroups { groups[slot * maxGroups + i] = groups[parent * maxGroups + i] } }
    }

    /// Child `slot` is reaped by `parent`: its time and its children's count for the parent.
    static func reaped(_ slot: Int, by parent: Int) {
        childTicks[parent] &+= ownTicks[slot] &+ childTicks[slot]
    }

    /// The task's own ticks so far (the running one's current stretch too).
    static func ticks(_ p: UnsafeMutablePointer<Process>) -> UInt64 {
        let s = Processes.slot(p)
        return Processes.current == p ? ownTicks[s] &+ stretch() : ownTicks[s]
    }

    /// Nanoseconds of `ticks` TSC cycles (Clock's TSC rate).
    static func nanoseconds(_ ticks: UInt64) -> UInt64 {
        let k = Clock.tscKHz
        return (ticks / k) &* 1_000_000 &+ (ticks % k) &* 1_000_000 / k
    }

    /// `ticks` TSC cycles in clock ticks (USER_HZ 100: clock_t, /proc's times).
    static func clockTicks(_ ticks: UInt64) -> UInt64 { nanoseconds(ticks) / 10_000_000 }

    /// exec: the name becomes the path's last component (fs/exec.c, __set_task_comm).
    static func named(_ p: UnsafeMutablePointer<Process>, path: UnsafePointer<UInt8>, _ n: Int) {
        var start = 0
        for i in 0..<n where path[i] == 0x2f { start = i + 1 }
        let base = comm + Processes.slot(p) * commSize
        for i in 0..<commSize { base[i] = 0 }
        for i in 0..<min(n - start, commSize - 1) { base[i] = path[start + i] }
    }
}

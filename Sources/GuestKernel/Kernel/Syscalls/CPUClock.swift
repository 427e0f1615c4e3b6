/// The CPU-time clocks of clock_gettime(2) and clock_getres(2):
/// CLOCK_PROCESS_CPUTIME_ID (2), CLOCK_THREAD_CPUTIME_ID (3), and the ids
/// clock_getcpuclockid(3) and pthread_getcpuclockid(3) make for a pid,
/// `(~pid << 3) | which` with bit 2 set for a thread's clock (Linux's
/// CPUCLOCK_PID/CPUCLOCK_WHICH, include/linux/posix-timers.h; pid 0 is the
/// caller). Each reads the task's time on the CPU (TaskAccounting: user and
/// kernel together, so PROF, VIRT and SCHED read the same); a process has
/// one thread here, so its thread clock is its process clock.
enum CPUClock {
    case notCPUTime
    case invalid
    case task(UnsafeMutablePointer<Process>)

    static func of(_ p: UnsafeMutablePointer<Process>, _ raw: UInt64) -> CPUClock {
        let id = SyscallArgs.int(raw)                           // a clockid_t, an int
        if id == 2 || id == 3 { return .task(p) }
        guard id < 0 else { return .notCPUTime }
        guard id & 3 != 3 else { return .invalid }              // CPUCLOCK_MAX is 3
        let pid = ~(id >> 3)
        guard let q = SysFork.find(p, pid), q.pointee.state != .free else { return .invalid }
        if id & 4 != 0 && q != p { return .invalid }            // another thread group's thread
        return .task(q)
    }

    static func nanoseconds(_ q: UnsafeMutablePointer<Process>) -> UInt64 {
        TaskAccounting.nanoseconds(TaskAccounting.ticks(q))
    }
}

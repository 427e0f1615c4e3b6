/// What a program asks about itself and the machine: getrusage(2), times(2),
/// sysinfo(2), getgroups/setgroups(2), sched_getaffinity/setaffinity(2),
/// prctl(2) names, getcpu(2). One CPU; CPU time as TaskAccounting measures it.
enum SysResources {
    /// struct timeval of `ns`.
    static func timeval(_ ns: UInt64) -> (UInt64, UInt64) { (ns / 1_000_000_000, ns % 1_000_000_000 / 1000) }

    /// struct rusage (144 bytes): ru_utime, ru_stime, then 14 longs this
    /// kernel does not count (0). RUSAGE_SELF 0, RUSAGE_THREAD 1 (one task
    /// per process), RUSAGE_CHILDREN -1.
    static func getrusage(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let who = SyscallArgs.int(a.a0)
        let ticks: UInt64
        switch who {
        case 0, 1: ticks = TaskAccounting.ticks(p)
        case -1: ticks = TaskAccounting.childTicks[Processes.slot(p)]
        default: return -Errno.EINVAL
        }
        var r = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                 UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        (r.0, r.1) = timeval(TaskAccounting.nanoseconds(ticks))       // ru_utime; ru_stime stays 0
        return UserMemory.copyOut(p, to: a.a1, from: &r, count: 144) ? 0 : -Errno.EFAULT
    }

    static let userHZ: UInt64 = 100                  // USER_HZ: clock_t's unit

    /// struct tms (4 clock_t); the result is clock ticks since boot.
    static func times(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let perTick = 1_000_000_000 / userHZ
        if a.a0 != 0 {
            var t = (TaskAccounting.nanoseconds(TaskAccounting.ticks(p)) / perTick, UInt64(0),
                     TaskAccounting.nanoseconds(TaskAccounting.childTicks[Processes.slot(p)]) / perTick, UInt64(0))
            guard UserMemory.copyOut(p, to: a.a0, from: &t, count: 32) else { return -Errno.EFAULT }
        }
        return Int64(Clock.nanoseconds() / perTick)
    }

    /// struct sysinfo (112 bytes on x86_64). Uptime rounds up, as Linux's;
    /// loads are LoadAverage's in 16-bit fixed point (SI_LOAD_SHIFT); shared RAM is tmpfs's, as
    /// Linux counts shmem; no swap, no high memory; mem_unit 1.
    static func sysinfo(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let buf = UnsafeMutablePointer<UInt64>.allocate(capacity: 14)
        defer { buf.deallocate() }
        buf.initialize(repeating: 0, count: 14)
        let ns = Clock.nanoseconds()
        buf[0] = ns / 1_000_000_000 + (ns % 1_000_000_000 != 0 ? 1 : 0)
        let loads = LoadAverage.current()
        let toSI = 16 - FixedLoad.shift
        buf[1] = loads.0 << toSI; buf[2] = loads.1 << toSI; buf[3] = loads.2 << toSI
        buf[4] = FrameAllocator.totalFrames &* 4096                     // totalram
        buf[5] = FrameAllocator.available &* 4096                       // freeram
        buf[6] = Tmpfs.framesUsed &* 4096                               // sharedram
        var procs: UInt64 = 0
        if let t = Processes.table { for i in 0..<Processes.slotsInUse where t[i].state != .free { procs += 1 } }
        buf[10] = procs                                                 // procs (u16) and padding
        buf[13] = 1                                                     // mem_unit (u32)
        return UserMemory.copyOut(p, to: a.a0, from: buf, count: 112) ? 0 : -Errno.EFAULT
    }

    static func getgroups(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let size = SyscallArgs.int(a.a0)
        let s = Processes.slot(p)
        let n = Int(TaskAccounting.groupCount[s])
        guard size >= 0 else { return -Errno.EINVAL }
        if size == 0 { return Int64(n) }
        guard Int(size) >= n else { return -Errno.EINVAL }
        let list = TaskAccounting.groups + s * TaskAccounting.maxGroups
        return UserMemory.copyOut(p, to: a.a1, from: list, count: 4 * n) ? Int64(n) : -Errno.EFAULT
    }

    /// Everyone is root here (CAP_SETGID).
    static func setgroups(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let size = SyscallArgs.int(a.a0)
        guard size >= 0 && Int(size) <= TaskAccounting.maxGroups else { return -Errno.EINVAL }
        let s = Processes.slot(p)
        var copy = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                    UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                    UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                    UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        guard size == 0 || UserMemory.copyIn(p, to: &copy, from: a.a1, count: 4 * Int(size)) else { return -Errno.EFAULT }
        withUnsafeBytes(of: &copy) { raw in
            for i in 0..<Int(size) {
                TaskAccounting.groups[s * TaskAccounting.maxGroups + i] = raw.load(fromByteOffset: 4 * i, as: UInt32.self)
            }
        }
        TaskAccounting.groupCount[s] = size
        return 0
    }

    /// One CPU: the mask is CPU 0's bit. The size is a cpumask of nr_cpu_ids
    /// (1) in longs, as Linux with CONFIG_CPUMASK_OFFSTACK answers; `len`
    /// must hold it and be a multiple of 8 (kernel/sched/core.c).
    static func getaffinity(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard target(p, a.a0) else { return -Errno.ESRCH }
        guard a.a1 >= 8 && a.a1 & 7 == 0 else { return -Errno.EINVAL }
        var mask: UInt64 = 1
        return UserMemory.copyOut(p, to: a.a2, from: &mask, count: 8) ? 8 : -Errno.EFAULT
    }

    /// A mask without CPU 0 names no CPU this machine has: EINVAL.
    static func setaffinity(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard target(p, a.a0) else { return -Errno.ESRCH }
        var first: UInt8 = 0
        guard a.a1 > 0 else { return -Errno.EINVAL }
        guard UserMemory.copyIn(p, to: &first, from: a.a2, count: 1) else { return -Errno.EFAULT }
        return first & 1 != 0 ? 0 : -Errno.EINVAL
    }

    static func target(_ p: UnsafeMutablePointer<Process>, _ pid: UInt64) -> Bool {
        let v = SyscallArgs.int(pid)
        return v == 0 || SysFork.find(p, v) != nil
    }

    static let PR_SET_NAME: Int32 = 15, PR_GET_NAME: Int32 = 16

    /// PR_SET_NAME / PR_GET_NAME (16 bytes, NUL-terminated); other options EINVAL
    /// (Linux's answer to an option it does not know).
    static func prctl(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let comm = TaskAccounting.comm + Processes.slot(p) * TaskAccounting.commSize
        switch SyscallArgs.int(a.a0) {
        case PR_SET_NAME:
            var name = (UInt64(0), UInt64(0))
            let n = withUnsafeMutableBytes(of: &name) {
                UserMemory.copyString(p, a.a1, into: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), max: 15)
            }
            // A longer name is cut at 15 bytes (strncpy_from_user of TASK_COMM_LEN - 1).
            if n == -Int(Errno.EFAULT) { return -Errno.EFAULT }
            let length = n >= 0 ? n : 15
            withUnsafeBytes(of: &name) { raw in
                for i in 0..<TaskAccounting.commSize { comm[i] = i < length ? raw[i] : 0 }
            }
            return 0
        case PR_GET_NAME:
            return UserMemory.copyOut(p, to: a.a1, from: comm, count: TaskAccounting.commSize) ? 0 : -Errno.EFAULT
        default:
            return -Errno.EINVAL
        }
    }

    /// getcpu(2): CPU 0, NUMA node 0.
    static func getcpu(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        var zero: UInt32 = 0
        if a.a0 != 0 && !UserMemory.copyOut(p, to: a.a0, from: &zero, count: 4) { return -Errno.EFAULT }
        if a.a1 != 0 && !UserMemory.copyOut(p, to: a.a1, from: &zero, count: 4) { return -Errno.EFAULT }
        return 0
    }
}

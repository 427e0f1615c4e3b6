import KernelSupport

/// The text of each /proc file, in Linux's formats (proc(5); fs/proc/*.c),
/// from kernel state at the time it is made (ProcSnapshot). CPU times are
/// TaskAccounting's, all of a task's time counted as user time as getrusage
/// reports it (stime, cstime and /proc/stat's system are 0); load averages
/// are LoadAverage's. Not accounted, shown as 0: page-fault counts,
/// interrupts; areas carry no file names (no file mappings).
enum ProcFiles {
    static func generate(_ node: Int, into t: inout ProcText) {
        let id = node & 0xff, pid = Int32(truncatingIfNeeded: node >> 8)
        switch id {
        case ProcFS.meminfo: meminfo(&t)
        case ProcFS.uptime:
            t.centiseconds(Clock.nanoseconds()); t.put(" ")
            t.centiseconds(TaskAccounting.nanoseconds(TaskAccounting.cpuIdle())); t.put("\n")
        case ProcFS.loadavg: loadavg(&t)
        case ProcFS.stat: stat(&t)
        case ProcFS.cpuinfo: cpuinfo(&t)
        case ProcFS.mounts, ProcFS.pidMounts:
            t.put("rootfs / rootfs ro 0 0\ndevtmpfs /dev devtmpfs rw 0 0\nproc /proc proc rw,nosuid,nodev,noexec 0 0\n")
            t.put("tmpfs /tmp tmpfs rw 0 0\n")
        case ProcFS.filesystems: t.put("nodev\trootfs\nnodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n")
        case ProcFS.ostype: t.put("Linux\n")
        case ProcFS.osrelease: t.put("6.1.0-swift\n")                    // uname(2)'s release (SysInfo)
        case ProcFS.pidMax: t.decimal(UInt64(Int32.max)); t.put("\n")     // pids are never reused below it
        default:
            guard let q = ProcFS.process(pid) else { return }
            switch id {
            case ProcFS.pidStat: pidStat(q, &t)
            case ProcFS.pidStatus: status(q, &t)
            case ProcFS.pidStatm:
                let (size, rss) = sizes(q)
                t.decimal(size / 4096); t.put(" "); t.decimal(rss); t.put(" 0 0 0 0 0\n")
            case ProcFS.pidCmdline: cmdline(q, &t)
            case ProcFS.pidMaps: maps(q, &t)
            case ProcFS.pidComm: comm(q, &t); t.put("\n")
            default: return
            }
        }
    }

    // MARK: system-wide

    static func meminfo(_ t: inout ProcText) {
        let total = FrameAllocator.totalFrames * 4, free = FrameAllocator.available * 4
        t.meminfo("MemTotal", kB: total)
        t.meminfo("MemFree", kB: free)
        t.meminfo("MemAvailable", kB: free)
        for name: StaticString in ["Buffers", "Cached", "SwapCached", "Active", "Inactive", "SwapTotal", "SwapFree",
                                   "Dirty", "Shmem", "Slab", "SReclaimable", "SUnreclaim"] {
            t.meminfo(name, kB: 0)
        }
    }

    static func counts() -> (running: Int, total: Int) {
        var r = 0, n = 0
        if let p = Processes.table {
            for i in 0..<Processes.slotsInUse where p[i].state != .free && p[i].state != .zombie {
                n += 1
                if p[i].state == .running || p[i].state == .runnable { r += 1 }
            }
        }
        return (r, n)
    }

    /// "%lu.%02lu" of a fixed-point load, rounded to the hundredth (loadavg_proc_show).
    static func load(_ v: UInt64, _ t: inout ProcText) {
        let (whole, part) = FixedLoad.hundredths(v)
        t.decimal(whole); t.put("."); t.decimal(part, width: 2, fill: 0x30)
    }

    static func loadavg(_ t: inout ProcText) {
        let (r, n) = counts()
        let l = LoadAverage.current()
        load(l.0, &t); t.put(" "); load(l.1, &t); t.put(" "); load(l.2, &t); t.put(" ")
        t.decimal(UInt64(r)); t.put("/"); t.decimal(UInt64(n)); t.put(" ")
        t.decimal(UInt64(max(Processes.nextPid - 1, 0))); t.put("\n")
    }

    /// The cpu lines: user, nice, system, idle, iowait, irq, softirq, steal,
    /// guest, guest_nice in clock ticks; one CPU, so cpu0's are the total.
    static func stat(_ t: inout ProcText) {
        let (r, _) = counts()
        let user = TaskAccounting.clockTicks(TaskAccounting.cpuBusy())
        let idle = TaskAccounting.clockTicks(TaskAccounting.cpuIdle())
        for name: StaticString in ["cpu  ", "cpu0 "] {
            t.put(name); t.decimal(user); t.put(" 0 0 "); t.decimal(idle); t.put(" 0 0 0 0 0 0\n")
        }
        t.put("intr 0\nctxt "); t.decimal(TaskAccounting.switches)
        t.put("\nbtime "); t.decimal(Clock.bootRealtime / 1_000_000_000)
        t.put("\nprocesses "); t.decimal(UInt64(max(Processes.nextPid - 1, 0)))
        t.put("\nprocs_running "); t.decimal(UInt64(r))
        t.put("\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n")
    }

    static let edxFlags: [(Int, StaticString)] = [
        (0, "fpu"), (1, "vme"), (2, "de"), (3, "pse"), (4, "tsc"), (5, "msr"), (6, "pae"), (7, "mce"), (8, "cx8"),
        (9, "apic"), (11, "sep"), (12, "mtrr"), (13, "pge"), (14, "mca"), (15, "cmov"), (16, "pat"), (17, "pse36"),
        (19, "clflush"), (23, "mmx"), (24, "fxsr"), (25, "sse"), (26, "sse2"), (28, "ht"),
    ]
    static let ecxFlags: [(Int, StaticString)] = [
        (0, "pni"), (1, "pclmulqdq"), (9, "ssse3"), (12, "fma"), (13, "cx16"), (19, "sse4_1"), (20, "sse4_2"),
        (22, "movbe"), (23, "popcnt"), (25, "aes"), (26, "xsave"), (28, "avx"), (29, "f16c"), (30, "rdrand"),
        (31, "hypervisor"),
    ]

    static func cpuinfo(_ t: inout ProcText) {
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
        cpuid(0, 0, &a, &b, &c, &d)
        let maxLeaf = a
        var vendor: (UInt32, UInt32, UInt32) = (b, d, c)
        t.put("processor\t: 0\nvendor_id\t: ")
        withUnsafeBytes(of: &vendor) { t.bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), 12) }
        cpuid(1, 0, &a, &b, &c, &d)
        let ecx = c, edx = d
        let base = (a >> 8) & 15, ext = (a >> 20) & 255
        let family = base == 15 ? base + ext : base
        let model = ((a >> 4) & 15) | (base == 6 || base == 15 ? ((a >> 16) & 15) << 4 : 0)
        t.put("\ncpu family\t: "); t.decimal(UInt64(family))
        t.put("\nmodel\t\t: "); t.decimal(UInt64(model))
        t.put("\nmodel name\t: ")
        cpuid(0x8000_0000, 0, &a, &b, &c, &d)
        if a >= 0x8000_0004 {
            var name: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
            for leaf: UInt32 in 0x8000_0002...0x8000_0004 {
                cpuid(leaf, 0, &a, &b, &c, &d)
                name = (a, b, c, d)
                withUnsafeBytes(of: &name) { raw in
                    let s = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    for i in 0..<16 where s[i] != 0 { t.byte(s[i]) }
                }
            }
        }
        cpuid(1, 0, &a, &b, &c, &d)
        t.put("\nstepping\t: "); t.decimal(UInt64(a & 15))
        t.put("\ncpu MHz\t\t: "); t.decimal(Clock.tscKHz / 1000); t.put("."); t.decimal(Clock.tscKHz % 1000, width: 0)
        t.put("\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\nfpu\t\t: yes\ncpuid level\t: ")
        t.decimal(UInt64(maxLeaf))
        t.put("\nwp\t\t: yes\nflags\t\t:")
        for (bit, name) in edxFlags where edx >> UInt32(bit) & 1 != 0 { t.put(" "); t.put(name) }
        for (bit, name) in ecxFlags where ecx >> UInt32(bit) & 1 != 0 { t.put(" "); t.put(name) }
        t.put("\nbogomips\t: "); t.decimal(Clock.tscKHz * 2 / 1000)
        t.put("\nclflush size\t: 64\naddress sizes\t: 48 bits physical, 48 bits virtual\n\n")
    }

    // MARK: per process

    /// The command name (task->comm, TASK_COMM_LEN): exec's base name of the
    /// path, or what prctl(PR_SET_NAME) set since (TaskAccounting.comm).
    static func comm(_ q: UnsafeMutablePointer<Process>, _ t: inout ProcText) {
        let base = TaskAccounting.comm + Processes.slot(q) * TaskAccounting.commSize
        var n = 0
        while n < TaskAccounting.commSize - 1 && base[n] != 0 { n += 1 }
        t.bytes(UnsafePointer(base), n)
    }

    static func stateLetter(_ q: UnsafeMutablePointer<Process>) -> UInt8 {
        switch q.pointee.state {
        case .running, .runnable: return 0x52                     // R
        case .sleeping: return q.pointee.interruptible ? 0x53 : 0x44   // S, D
        case .stopped: return 0x54                                // T
        case .zombie: return 0x5a                                 // Z
        case .free: return 0x58                                   // X
        }
    }

    static func parentPid(_ q: UnsafeMutablePointer<Process>) -> UInt64 {
        guard q.pointee.parent >= 0, let t = Processes.table else { return 0 }
        return UInt64(t[q.pointee.parent].pid)
    }

    /// Bytes of all areas (and the heap) and resident 4 KiB pages.
    static func sizes(_ q: UnsafeMutablePointer<Process>) -> (UInt64, UInt64) {
        var size: UInt64 = 0, rss: UInt64 = 0
        let heapEnd = pageUp(q.pointee.brk) ?? q.pointee.brk
        if heapEnd > q.pointee.brkStart { size += heapEnd - q.pointee.brkStart }
        for i in 0..<q.pointee.vmas.count {
            let v = q.pointee.vmas.items[i]
            size += v.end - v.start
        }
        guard q.pointee.state != .zombie else { return (0, 0) }
        for i in 0..<q.pointee.vmas.count {
            let v = q.pointee.vmas.items[i]
            PageTable.forEachPresent(q.pointee.pml4, v.start, v.end) { _, _ in rss += 1 }
        }
        if heapEnd > q.pointee.brkStart {
            PageTable.forEachPresent(q.pointee.pml4, q.pointee.brkStart, heapEnd) { _, _ in rss += 1 }
        }
        return (size, rss)
    }

    static func pidStat(_ q: UnsafeMutablePointer<Process>, _ t: inout ProcText) {
        let (size, rss) = sizes(q)
        t.decimal(UInt64(q.pointee.pid)); t.put(" ("); comm(q, &t); t.put(") "); t.byte(stateLetter(q))
        t.put(" "); t.decimal(parentPid(q))
        t.put(" "); t.decimal(UInt64(q.pointee.pgid)); t.put(" "); t.decimal(UInt64(q.pointee.sid))
        // tty_nr tpgid flags minflt cminflt majflt cmajflt, then utime stime cutime cstime in clock
        // ticks (all of it user time, as getrusage), priority nice num_threads itrealvalue
        t.put(" 0 -1 4194304 0 0 0 0 "); t.decimal(TaskAccounting.clockTicks(TaskAccounting.ticks(q)))
        t.put(" 0 "); t.decimal(TaskAccounting.clockTicks(TaskAccounting.childTicks[Processes.slot(q)]))
        let nice = 20 - q.pointee.priority
        t.put(" 0 "); t.decimal(UInt64(20 + nice)); t.put(nice < 0 ? " -" : " "); t.decimal(nice.magnitude)
        t.put(" 1 0 ")
        t.decimal(q.pointee.startTime / 10_000_000)               // starttime, clock ticks (USER_HZ 100)
        t.put(" "); t.decimal(size); t.put(" "); t.decimal(rss)
        t.put(" 18446744073709551615 0 0 "); t.decimal(q.pointee.argv)   // rsslim startcode endcode startstack
        t.put(" 0 0 "); t.decimal(q.pointee.pendingSignals); t.put(" "); t.decimal(q.pointee.signalMask)
        // sigignore sigcatch wchan nswap cnswap exit_signal processor rt_priority policy
        // delayacct_blkio_ticks guest_time cguest_time start_data end_data, then start_brk
        t.put(" 0 0 0 0 0 17 0 0 0 0 0 0 0 0 "); t.decimal(q.pointee.brkStart)
        t.put(" 0 0 0 0 ")                                       // arg_start arg_end env_start env_end, then exit_code
        t.decimal(q.pointee.state == .zombie ? UInt64(UInt32(bitPattern: q.pointee.waitStatus)) : 0)
        t.put("\n")
    }

    static func status(_ q: UnsafeMutablePointer<Process>, _ t: inout ProcText) {
        let (size, rss) = sizes(q)
        t.put("Name:\t"); comm(q, &t)
        t.put("\nUmask:\t"); t.hex(0, width: 0); t.byte(0x30 + UInt8((q.pointee.umask >> 6) & 7))
        t.byte(0x30 + UInt8((q.pointee.umask >> 3) & 7)); t.byte(0x30 + UInt8(q.pointee.umask & 7))
        t.put("\nState:\t"); t.byte(stateLetter(q))
        switch q.pointee.state {
        case .running, .runnable: t.put(" (running)")
        case .sleeping: t.put(q.pointee.interruptible ? " (sleeping)" : " (disk sleep)")
        case .stopped: t.put(" (stopped)")
        case .zombie: t.put(" (zombie)")
        case .free: t.put(" (dead)")
        }
        t.put("\nTgid:\t"); t.decimal(UInt64(q.pointee.pid))
        t.put("\nNgid:\t0\nPid:\t"); t.decimal(UInt64(q.pointee.pid))
        t.put("\nPPid:\t"); t.decimal(parentPid(q))
        t.put("\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t"); t.decimal(UInt64(FileTable.capacity))
        t.put("\nGroups:\t\nVmSize:\t"); t.decimal(size / 1024, width: 8)
        t.put(" kB\nVmRSS:\t"); t.decimal(rss * 4, width: 8)
        t.put(" kB\nThreads:\t1\nSigPnd:\t"); t.hex(0, width: 16)
        t.put("\nShdPnd:\t"); t.hex(q.pointee.pendingSignals, width: 16)
        t.put("\nSigBlk:\t"); t.hex(q.pointee.signalMask, width: 16)
        var ignored: UInt64 = 0, caught: UInt64 = 0
        for s in 0..<64 {
            let handler = q.pointee.sigactions[s * 4]
            if handler == 1 { ignored |= 1 << UInt64(s) } else if handler != 0 { caught |= 1 << UInt64(s) }
        }
        t.put("\nSigIgn:\t"); t.hex(ignored, width: 16)
        t.put("\nSigCgt:\t"); t.hex(caught, width: 16)
        t.put("\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n")
    }

    /// argv as the process's memory holds it now, each string NUL-terminated
    /// (Linux reads arg_start..arg_end of the process's memory).
    static func cmdline(_ q: UnsafeMutablePointer<Process>, _ t: inout ProcText) {
        guard q.pointee.state != .zombie else { return }
        func byte(_ va: UInt64) -> UInt8? {
            guard let pa = UserMemory.resolve(q, va, write: false) else { return nil }
            return Physical.bytes(pa).pointee
        }
        for i in 0..<q.pointee.argc {
            var word: UInt64 = 0
            for k in 0..<8 {
                guard let b = byte(q.pointee.argv &+ UInt64(i * 8 + k)) else { return }
                word |= UInt64(b) << UInt64(8 * k)
            }
            var a = word
            while !t.full {
                guard let b = byte(a) else { return }
                t.byte(b)
                if b == 0 { break }
                a &+= 1
            }
        }
    }

    static func maps(_ q: UnsafeMutablePointer<Process>, _ t: inout ProcText) {
        func line(_ start: UInt64, _ end: UInt64, _ prot: UInt32, _ name: StaticString, shared: Bool = false) {
            let from = t.count
            t.hex(start, width: 8); t.put("-"); t.hex(end, width: 8); t.put(" ")
            t.byte(prot & Prot.read != 0 ? 0x72 : 0x2d); t.byte(prot & Prot.write != 0 ? 0x77 : 0x2d)
            t.byte(prot & Prot.exec != 0 ? 0x78 : 0x2d); t.put(shared ? "s 00000000 00:00 0" : "p 00000000 00:00 0")
            if name.utf8CodeUnitCount > 0 {
                t.put(" ")
                while t.count - from < 73 { t.byte(0x20) }            // seq_pad to 25 + 6 * sizeof(void *) - 1
                t.put(name)
            }
            t.put("\n")
        }
        let heapEnd = pageUp(q.pointee.brk) ?? q.pointee.brk
        var heapShown = heapEnd <= q.pointee.brkStart
        for i in 0..<q.pointee.vmas.count {
            let v = q.pointee.vmas.items[i]
            if !heapShown && v.start >= heapEnd {
                line(q.pointee.brkStart, heapEnd, Prot.read | Prot.write, "[heap]"); heapShown = true
            }
            let name: StaticString = v.flags & VMA.vvar != 0 ? "[vvar]" : v.flags & VMA.vdso != 0 ? "[vdso]"
                : v.end == Process.stackTop ? "[stack]" : ""
            line(v.start, v.end, v.prot, name, shared: v.flags & VMA.sharedMemory != 0)
        }
        if !heapShown { line(q.pointee.brkStart, heapEnd, Prot.read | Prot.write, "[heap]") }
    }

    /// The target of /proc/PID/fd/N (what Linux's d_path gives).
    static func describe(_ f: UnsafeMutablePointer<OpenFile>, into t: inout ProcText) {
        switch f.pointee.kind {
        case .console: t.put("/dev/console")
        case .null: t.put("/dev/null")
        case .zero: t.put("/dev/zero")
        case .urandom: t.put("/dev/urandom")
        case .pipeRead, .pipeWrite: t.put("pipe:["); t.decimal(f.pointee.inode); t.put("]")
        case .initrdDirectory:
            t.put("/"); if let d = f.pointee.data { t.bytes(d, Int(f.pointee.size)) }
        case .initrdFile:
            let data = f.pointee.data
            var found = false
            Initramfs.forEach { e in
                if e.data == data && e.dataSize == Int(f.pointee.size) { t.put("/"); t.bytes(e.name, e.nameLength); found = true; return false }
                return true
            }
            if !found { t.put("/") }
        case .tmpFile, .tmpDirectory:
            t.put("/")
            let at = t.count                                   // a link's text: never windowed (skip 0)
            if t.skip == 0 && at <= t.capacity,
               let n = Tmpfs.path(of: f.pointee.node, into: t.buf + at, max: t.capacity - at) { t.count = at + n }
        case .procFile, .procDirectory: t.put("/proc")
        default: t.put("anon_inode:[unknown]")
        }
    }
}

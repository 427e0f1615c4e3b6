import KernelSupport

/// /proc (proc(5)): names resolved from kernel state at lookup, text made
/// at a read at offset 0 (ProcFiles.swift) into the description's own page
/// and kept for the reads after it, as Linux's seq_file (ProcSnapshot.swift).
/// A node is `id | pid << 8`; directories are kind .procDirectory, files
/// .procFile, and the links (self, exe, cwd, fd/N) ordinary .symlink
/// descriptions whose target is written into one of two link buffers.
enum ProcFS {
    // Directories.
    static let root = 1, pidDir = 2, sys = 3, sysKernel = 4, fdDir = 5
    // Files of /proc.
    static let meminfo = 16, uptime = 17, loadavg = 18, stat = 19, cpuinfo = 20, mounts = 21, filesystems = 22
    // Files of /proc/sys/kernel.
    static let ostype = 24, osrelease = 25, pidMax = 26
    // Files of /proc/PID.
    static let pidStat = 32, pidStatus = 33, pidStatm = 34, pidCmdline = 35, pidMaps = 36, pidMounts = 37, pidComm = 38

    nonisolated(unsafe) static let links = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * (Path.max + 1))
    nonisolated(unsafe) static var nextLink = 0

    /// Whether normalized `path` lies under /proc.
    @inline(__always) static func contains(_ path: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        n >= 4 && bytesEqual(path, "proc", 4) && (n == 4 || path[4] == 0x2f)
    }

    static let rootNames: [(StaticString, Int)] = [
        ("meminfo", meminfo), ("uptime", uptime), ("loadavg", loadavg), ("stat", stat), ("cpuinfo", cpuinfo),
        ("mounts", mounts), ("filesystems", filesystems), ("sys", sys),
    ]
    static let pidNames: [(StaticString, Int)] = [
        ("stat", pidStat), ("status", pidStatus), ("statm", pidStatm), ("cmdline", pidCmdline), ("maps", pidMaps),
        ("mounts", pidMounts), ("fd", fdDir), ("comm", pidComm),
    ]
    static let kernelNames: [(StaticString, Int)] = [("ostype", ostype), ("osrelease", osrelease), ("pid_max", pidMax)]

    /// The process with `pid` (a zombie too: Linux keeps its /proc/PID).
    static func process(_ pid: Int32) -> UnsafeMutablePointer<Process>? {
        guard let t = Processes.table else { return nil }
        for i in 0..<Processes.slotsInUse where t[i].state != .free && t[i].pid == pid { return t + i }
        return nil
    }

    /// A decimal component (a pid or a descriptor), nil when it is not one.
    static func number(_ s: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard n > 0, n <= 9, s[0] != 0x30 || n == 1 else { return nil }
        var v = 0
        for i in 0..<n { guard s[i] >= 0x30 && s[i] <= 0x39 else { return nil }; v = v * 10 + Int(s[i] - 0x30) }
        return v
    }

    /// What normalized `path` (under /proc) names, or nil (ENOENT).
    static func lookup(_ path: UnsafePointer<UInt8>, _ n: Int) -> OpenFile? {
        var dir = root, pid: Int32 = 0
        var at = 5
        if n == 4 { return directory(root, 0) }
        while at <= n {
            var end = at
            while end < n && path[end] != 0x2f { end += 1 }
            let c = path + at, len = end - at
            let last = end >= n
            var next = -1
            switch dir {
            case root:
                if bytesEqual(c, "self", len) && len == 4 {
                    pid = Processes.currentPid
                    guard pid > 0 else { return nil }
                    if last { return link { $0.decimal(UInt64(pid)) } }
                    next = pidDir
                } else if let v = number(c, len), process(Int32(v)) != nil {
                    pid = Int32(v); next = pidDir
                } else {
                    next = find(rootNames, c, len) ?? -1
                }
            case pidDir:
                guard let q = process(pid) else { return nil }
                if len == 3 && bytesEqual(c, "exe", 3) {
                    guard last, q.pointee.exeLength > 0 else { return nil }
                    return link { $0.bytes(q.pointee.exe, q.pointee.exeLength) }
                }
                if len == 3 && bytesEqual(c, "cwd", 3) {
                    guard last else { return nil }
                    return link { $0.byte(0x2f); $0.bytes(q.pointee.cwd, q.pointee.cwdLength) }
                }
                next = find(pidNames, c, len) ?? -1
            case fdDir:
                guard last, let q = process(pid), let fd = number(c, len), let f = q.pointee.files.get(UInt64(fd)) else { return nil }
                return link { ProcFiles.describe(f, into: &$0) }
            case sys:
                next = len == 6 && bytesEqual(c, "kernel", 6) ? sysKernel : -1
            case sysKernel:
                next = find(kernelNames, c, len) ?? -1
            default:
                return nil
            }
            guard next >= 0 else { return nil }
            if last { return next < 16 ? directory(next, pid) : file(next, pid) }
            guard next < 16 else { return nil }                  // a file is not a directory (Path gives ENOTDIR)
            dir = next
            at = end + 1
        }
        return nil
    }

    static func find(_ names: [(StaticString, Int)], _ c: UnsafePointer<UInt8>, _ len: Int) -> Int? {
        for (name, id) in names where name.utf8CodeUnitCount == len && bytesEqual(c, name, len) { return id }
        return nil
    }

    static func directory(_ id: Int, _ pid: Int32) -> OpenFile {
        var f = OpenFile()
        f.kind = .procDirectory; f.node = id | Int(pid) << 8; f.mode = 0o040555
        f.inode = inode(id, pid)
        return f
    }

    static func file(_ id: Int, _ pid: Int32) -> OpenFile {
        var f = OpenFile()
        f.kind = .procFile; f.node = id | Int(pid) << 8; f.mode = 0o100444
        f.inode = inode(id, pid)
        return f
    }

    static func inode(_ id: Int, _ pid: Int32) -> UInt64 { 0x1000_0000 | UInt64(pid) << 8 | UInt64(id) }

    /// A symbolic link whose target `body` writes (alternating buffers: a
    /// path may name two links, /proc/self/exe, one expanded after the other).
    static func link(_ body: (inout ProcText) -> Void) -> OpenFile {
        let buf = links + nextLink * (Path.max + 1)
        nextLink ^= 1
        var t = ProcText(buf, capacity: Path.max)
        body(&t)
        var f = OpenFile()
        f.kind = .symlink; f.data = UnsafePointer(buf); f.size = UInt64(t.stored); f.mode = 0o120777
        f.inode = 0x2000_0000 | UInt64(t.stored)
        return f
    }

    /// The normalized path of directory `node` ("proc/7/fd"): a working directory.
    static func path(of node: Int, into dst: UnsafeMutablePointer<UInt8>, max: Int) -> Int {
        let id = node & 0xff, pid = UInt64(node >> 8)
        var t = ProcText(dst, capacity: max)
        t.put("proc")
        switch id {
        case pidDir: t.put("/"); t.decimal(pid)
        case fdDir: t.put("/"); t.decimal(pid); t.put("/fd")
        case sys: t.put("/sys")
        case sysKernel: t.put("/sys/kernel")
        default: break
        }
        return t.stored
    }

    /// getdents64 of a /proc directory: each entry to `emit` (name, length, DT_*, inode).
    static func list(_ node: Int, _ emit: (UnsafePointer<UInt8>, Int, UInt8, UInt64) -> Void) {
        let id = node & 0xff, pid = Int32(truncatingIfNeeded: node >> 8)
        var name: (UInt64, UInt64) = (0, 0)
        func numbered(_ v: Int, _ type: UInt8, _ inode: UInt64) {
            withUnsafeMutableBytes(of: &name) { raw in
                var t = ProcText(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity: 16)
                t.decimal(UInt64(v))
                emit(UnsafePointer(t.buf), t.stored, type, inode)
            }
        }
        func fixed(_ names: [(StaticString, Int)]) {
            for (n, i) in names { emit(n.utf8Start, n.utf8CodeUnitCount, i < 16 ? 4 : 8, inode(i, pid)) }
        }
        switch id {
        case root:
            fixed(rootNames)
            emit(StaticString("self").utf8Start, 4, 10, 0x2000_0000)
            if let t = Processes.table {
                for i in 0..<Processes.slotsInUse where t[i].state != .free { numbered(Int(t[i].pid), 4, inode(pidDir, t[i].pid)) }
            }
        case pidDir:
            fixed(pidNames)
            emit(StaticString("exe").utf8Start, 3, 10, inode(8, pid))
            emit(StaticString("cwd").utf8Start, 3, 10, inode(9, pid))
        case fdDir:
            guard let q = process(pid) else { return }
            for fd in 0..<FileTable.capacity where q.pointee.files.slots[fd] >= 0 { numbered(fd, 10, inode(10, pid) &+ UInt64(fd) << 32) }
        case sys:
            emit(StaticString("kernel").utf8Start, 6, 4, inode(sysKernel, 0))
        case sysKernel:
            fixed(kernelNames)
        default:
            return
        }
    }
}

/// /proc's files: text from ProcFiles.generate, kept per description
/// between reads (ProcSnapshot, as seq_file's buffer); not writable.
enum ProcFileOps: FileOperations {
    /// No /proc text is this long; an offset past it reads as the end.
    static let maxOffset: UInt64 = 1 << 30

    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        guard offset < maxOffset else { return 0 }
        return ProcSnapshot.read(p, f, buf, n, at: offset)
    }
    static func release(_ f: UnsafeMutablePointer<OpenFile>) { ProcSnapshot.release(f) }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 4, mode: f.mode) }
    static var seeking: Seeking { .offset }
}

enum ProcDirectoryOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 { -Errno.EISDIR }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 4, mode: f.mode) }
    static var seeking: Seeking { .offset }
}

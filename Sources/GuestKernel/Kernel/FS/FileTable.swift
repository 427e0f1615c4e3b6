/// A process's file-descriptor table: descriptor -> open-file description,
/// plus the per-descriptor FD_CLOEXEC flag (fcntl(2), "File descriptor flags").
struct FileTable {
    static let capacity = 1024                     // RLIMIT_NOFILE (soft), as reported by prlimit64
    var slots: UnsafeMutablePointer<Int16> = {
        let p = UnsafeMutablePointer<Int16>.allocate(capacity: FileTable.capacity)
        p.initialize(repeating: -1, count: FileTable.capacity)
        return p
    }()
    var cloexec: UnsafeMutablePointer<Bool> = {
        let p = UnsafeMutablePointer<Bool>.allocate(capacity: FileTable.capacity)
        p.initialize(repeating: false, count: FileTable.capacity)
        return p
    }()
    /// The pid whose POSIX record locks a close here releases (FileLocks.closed).
    var owner: Int32 = 0

    /// The description behind a raw descriptor argument, or nil (EBADF):
    /// one unsigned bounds check (a negative int is past it) and one load.
    /// A slot holds an index only once OpenFiles.create has found the table
    /// there, so the table needs no test of its own.
    @inline(__always)
    func get(_ raw: UInt64) -> UnsafeMutablePointer<OpenFile>? {
        let fd = UInt32(truncatingIfNeeded: raw)
        guard fd < UInt32(FileTable.capacity) else { return nil }
        let i = slots[Int(fd)]
        return i < 0 ? nil : OpenFiles.table.unsafelyUnwrapped + Int(i)
    }

    func index(_ raw: UInt64) -> Int? {
        let fd = SyscallArgs.int(raw)
        guard fd >= 0, fd < Int32(FileTable.capacity), slots[Int(fd)] >= 0 else { return nil }
        return Int(fd)
    }

    /// The lowest free descriptor >= `from`, or nil (EMFILE).
    func lowestFree(from: Int = 0) -> Int? {
        var fd = max(from, 0)
        while fd < FileTable.capacity { if slots[fd] < 0 { return fd }; fd += 1 }
        return nil
    }

    /// Installs description `file` (whose reference the table takes) at `fd`.
    func install(_ fd: Int, _ file: Int, cloexec flag: Bool) {
        close(fd)
        slots[fd] = Int16(file)
        cloexec[fd] = flag
    }

    func close(_ fd: Int) {
        guard slots[fd] >= 0 else { return }
        if FileLocks.count != 0 { FileLocks.closed(Int(slots[fd]), by: owner) }
        OpenFiles.release(Int(slots[fd]))
        slots[fd] = -1
        cloexec[fd] = false
    }

    /// A new description `f` at the lowest free descriptor: the descriptor,
    /// or -EMFILE/-ENFILE (then `f` is released as its kind says).
    func open(_ f: OpenFile, cloexec flag: Bool) -> Int64 {
        var file = f
        guard let fd = lowestFree() else { FileOps.release(&file); return -Errno.EMFILE }
        guard let i = OpenFiles.create(f) else { FileOps.release(&file); return -Errno.ENFILE }
        install(fd, i, cloexec: flag)
        return Int64(fd)
    }
}

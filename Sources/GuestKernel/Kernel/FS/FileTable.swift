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
    /// Linux's files->next_fd: every descriptor below it is in use, so the
    /// lowest-free scan starts there (a dup beside 0-3 looks at one slot, not
    /// five). Behind a pointer, as the slots are: copies of the table share it.
    var firstFree: UnsafeMutablePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

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
    @inline(__always)
    func lowestFree(from: Int = 0) -> Int? {
        let first = firstFree.pointee
        var fd = max(from, first)
        while fd < FileTable.capacity {
            if slots[fd] < 0 {
                if from <= first { firstFree.pointee = fd }       // all of [first, fd) is in use
                return fd
            }
            fd &+= 1
        }
        return nil
    }

    /// Installs description `file` (whose reference the table takes) at `fd`.
    func install(_ fd: Int, _ file: Int, cloexec flag: Bool) {
        close(fd)
        installFree(fd, file, cloexec: flag)
    }

    /// install at `fd` that is free (lowestFree's): nothing to close first.
    @inline(__always)
    func installFree(_ fd: Int, _ file: Int, cloexec flag: Bool) {
        slots[fd] = Int16(truncatingIfNeeded: file)
        cloexec[fd] = flag
        if fd == firstFree.pointee { firstFree.pointee = fd &+ 1 }
    }

    /// The slot is emptied first (as Linux's close_fd takes the file out of
    /// the table before filp_close), then the locks and the reference go.
    /// Whether `fd` was open.
    @discardableResult @inline(__always)
    func close(_ fd: Int) -> Bool {
        let i = Int(slots[fd])
        guard i >= 0 else { return false }
        slots[fd] = -1                  // its cloexec flag is read only while open; every install sets it
        if fd < firstFree.pointee { firstFree.pointee = fd }
        if FileLocks.count != 0 { FileLocks.closed(i, by: owner) }
        OpenFiles.releaseHeld(i)
        return true
    }

    /// A new description `f` at the lowest free descriptor: the descriptor,
    /// or -EMFILE/-ENFILE (then `f` is released as its kind says).
    func open(_ f: OpenFile, cloexec flag: Bool) -> Int64 {
        var file = f
        guard let fd = lowestFree() else { FileOps.release(&file); return -Errno.EMFILE }
        guard let i = OpenFiles.create(f) else { FileOps.release(&file); return -Errno.ENFILE }
        installFree(fd, i, cloexec: flag)
        return Int64(fd)
    }
}

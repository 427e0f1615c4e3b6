/// Open-file descriptions (what `open` creates and `dup` shares: open(2),
/// "open file description"): kind, status flags, offset, reference count.
/// What each kind does is its table in FileOps (FileOps.swift says how to add one).
enum FileKind: UInt8 {
    case free, console, null, zero, urandom, initrdFile, initrdDirectory, tmpFile, tmpDirectory
    case symlink                       // only seen by lstat/readlink: data/size = target
    case pipeRead, pipeWrite           // node = Pipes index
    case eventfd                       // node = EventFDs index
    case epoll                         // node = Epolls index
    case procFile, procDirectory       // node = ProcFS id | pid << 8 (FS/ProcFS.swift)
    case socket                        // node = Sockets index (AF_UNIX)
    case consoleInput                  // stdin as a pipe from vmm's stdin (TTYInput, pipe mode)
}

struct OpenFile {
    var kind: FileKind = .free
    var refs: Int32 = 0
    var statusFlags: UInt32 = 0        // O_ACCMODE | O_APPEND | O_NONBLOCK ...
    var offset: UInt64 = 0
    var data: UnsafePointer<UInt8>? = nil   // initrd file contents
    var size: UInt64 = 0
    var mode: UInt32 = 0               // st_mode
    var inode: UInt64 = 0
    var mtime: UInt32 = 0              // an initramfs entry's c_mtime (FileMetadata)
    var owner: UInt64 = 0              // an initramfs entry's uid | gid << 32
    var node = -1                      // Tmpfs node of tmpFile/tmpDirectory
    /// getdents64 of an initramfs directory resumes its scan of the index at
    /// `dirCursor` when the offset is still `dirCursorOffset` (each call
    /// would walk every entry of the archive again otherwise).
    var dirCursor = 0
    var dirCursorOffset: UInt64 = 0

    var isDirectory: Bool { kind == .initrdDirectory || kind == .tmpDirectory || kind == .procDirectory }
    var isRegular: Bool { kind == .initrdFile || kind == .tmpFile }
    var isDevice: Bool { kind == .console || kind == .null || kind == .zero || kind == .urandom }
    var isPipe: Bool { kind == .pipeRead || kind == .pipeWrite }
    var inInitrd: Bool { kind == .initrdFile || kind == .initrdDirectory }
    /// Current size: a tmpfs file's is live in its node.
    var currentSize: UInt64 { kind == .tmpFile ? (Tmpfs.nodes?[node].size ?? 0) : size }

    var readable: Bool { statusFlags & 3 != 1 }     // O_RDONLY or O_RDWR
    var writable: Bool { statusFlags & 3 != 0 }     // O_WRONLY or O_RDWR
}

/// The system-wide table of open-file descriptions.
enum OpenFiles {
    static let capacity = 256
    nonisolated(unsafe) static var table = UnsafeMutablePointer<OpenFile>(bitPattern: 0)

    static func initialize() {
        table = zeroedTable(of: OpenFile.self, count: capacity)    // all zero = .free
    }

    /// A new description with one reference; its index, or nil when the table is full (ENFILE).
    static func create(_ f: OpenFile) -> Int? {
        guard let t = table else { return nil }
        for i in 0..<capacity where t[i].kind == .free {
            t[i] = f
            t[i].refs = 1
            FileOps.opened(t + i)
            return i
        }
        return nil
    }

    /// create(Path.tmpFile(node)) with `statusFlags`, written in place: a
    /// free slot holds OpenFile() (destroy resets it; the table starts zeroed,
    /// which differs only in `node`), so only the fields a tmpfs description
    /// sets are stored.
    static func createTmp(_ node: Int, directory: Bool, mode: UInt32, statusFlags: UInt32) -> Int? {
        guard let t = table else { return nil }
        for i in 0..<capacity where t[i].kind == .free {
            t[i].kind = directory ? .tmpDirectory : .tmpFile
            t[i].refs = 1
            t[i].statusFlags = statusFlags
            t[i].mode = mode
            t[i].inode = Tmpfs.inodeBase &+ UInt64(truncatingIfNeeded: node)
            t[i].node = node
            Tmpfs.opened(node)                       // TmpFileOps/TmpDirectoryOps.opened
            if !directory && t[i].writable { Tmpfs.writerOpened(node) }
            return i
        }
        return nil
    }

    static func retain(_ i: Int) { table?[i].refs &+= 1 }         // at most processes x descriptors

    /// retain of a description a descriptor holds (live: the table exists).
    @inline(__always)
    static func retainHeld(_ i: Int) { table.unsafelyUnwrapped[i].refs &+= 1 }

    static func release(_ i: Int) {
        guard let t = table, i >= 0, i < capacity, t[i].kind != .free else { return }
        t[i].refs -= 1
        if t[i].refs <= 0 { destroy(t, i) }
    }

    /// release of a description a descriptor held (its index from a
    /// table slot: in range and live, so none of release's checks apply).
    @inline(__always)
    static func releaseHeld(_ i: Int) {
        let t = table.unsafelyUnwrapped
        let r = t[i].refs &- 1
        t[i].refs = r
        if r <= 0 { destroy(t, i) }
    }

    /// The last reference is gone. Out of line: a close that only drops a
    /// reference (dup_close) must not pay for the prologue of every kind's
    /// release, the epoll sets and the locks (+36 instructions per close
    /// when they were inlined here).
    @inline(never)
    private static func destroy(_ t: UnsafeMutablePointer<OpenFile>, _ i: Int) {
        if let w = Epolls.watchers, w[i] > 0 { Epolls.forget(file: i) }
        if FileLocks.count != 0 { FileLocks.descriptionReleased(i) }
        FileOps.release(t + i)
        t[i] = OpenFile()
    }
}

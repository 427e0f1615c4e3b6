/// File operations per kind (Linux's struct file_operations): each FileKind
/// has one table, a type conforming to FileOperations whose static functions
/// are its read, write, poll, ioctl, stat, release and wait channel; what a
/// kind does not define falls back to the defaults below (as a NULL
/// f_op->read is EINVAL in Linux, here the errno the caller expects).
///
/// Dispatch is one `switch` over the kind (`FileOps.on`), written once and
/// specialised per operation: Embedded Swift specialises every generic, so
/// `FileOps.read` compiles to a jump table whose arms are the kinds' own
/// functions, inlined where small (read of /dev/null is `return 0`). That is
/// as cheap as the hand-written switches it replaces, and cheaper than a
/// table of function pointers, which would cost an indirect call and the
/// callee's prologue on every operation (measured in the commit adding this).
///
/// Adding a kind (an eventfd, a socket, a /proc file):
///   1. one new file `FS/<Name>Ops.swift` with `enum <Name>Ops: FileOperations`
///      defining what differs from the defaults (its state lives in its own
///      table, named by `OpenFile.node`);
///   2. one case in `FileKind` (OpenFile.swift) and one line in `FileOps.on`.
/// Nothing else switches on the kind for I/O, poll, ioctl, stat or close.
protocol FileOperations {
    /// read(2) of up to `n` bytes (already clamped to MAX_RW_COUNT, buffer
    /// access_ok) at `offset` (the description's, or pread's).
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64
    /// write(2) of `n` bytes; `offset` nil = the description's (O_APPEND
    /// applies), else pwrite's. The kind advances the description's offset.
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64
    /// The readiness mask now (POLLIN, POLLOUT, POLLHUP, ...), unmasked by
    /// the caller's events, as f_op->poll returns it.
    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32
    /// Whether the kind has a real poll (Linux's file_can_poll): epoll_ctl
    /// refuses the others with EPERM; poll(2) reports them DEFAULT_POLLMASK.
    static var canPoll: Bool { get }
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64
    /// The fields of struct stat the kind decides.
    static func stat(_ f: OpenFile) -> FileStat
    /// lseek(2) and pread/pwrite: see Seeking.
    static var seeking: Seeking { get }
    /// A description of this kind was created / lost its last reference.
    static func opened(_ f: UnsafeMutablePointer<OpenFile>)
    static func release(_ f: UnsafeMutablePointer<OpenFile>)
    /// The channel a blocked reader (writer: false) or writer sleeps on;
    /// poll/select/epoll sleep on Scheduler.anyChannel instead.
    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64
    /// A readiness generation that moves whenever poll's answer may have
    /// (epoll's ET edges and poll cache), or nil when the kind keeps none:
    /// the low half counts what wakes readers (Linux's EPOLLIN wakeups: a
    /// write, a close), the high half what wakes writers (a read, a close),
    /// so that ET reports an edge only in the direction watched. Kinds keep
    /// it only while `watch` says an epoll interest exists.
    static func generation(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64?
    /// An epoll interest in `f` was added (+1) or removed (-1).
    static func watch(_ f: UnsafeMutablePointer<OpenFile>, _ delta: Int32)
}

/// How lseek(2) and pread(2)/pwrite(2) treat a kind.
enum Seeking {
    case offset        // lseek moves the offset, reads advance it (files, directories)
    case ignored       // lseek returns 0, pread/pwrite allowed (/dev/null, /dev/zero: noop_llseek)
    case unseekable    // ESPIPE (pipes, terminals)
    case stream        // lseek returns 0, pread/pwrite ESPIPE (eventfd, epoll: noop_llseek, no FMODE_PREAD)
}

/// What stat(2) reports that depends on the kind; link count, owner,
/// device number and times are FileMetadata's.
struct FileStat {
    var dev: UInt32 = 1                // st_dev minor: 1 initramfs, 2 tmpfs, 4 proc, 6 devtmpfs
    var mode: UInt32 = 0
    var size: UInt64 = 0
}

enum Poll {
    static let IN: UInt32 = 0x001, PRI: UInt32 = 0x002, OUT: UInt32 = 0x004, ERR: UInt32 = 0x008
    static let HUP: UInt32 = 0x010, NVAL: UInt32 = 0x020, RDNORM: UInt32 = 0x040, WRNORM: UInt32 = 0x100
    static let RDHUP: UInt32 = 0x2000
    /// DEFAULT_POLLMASK (include/linux/poll.h): what files without a poll report.
    static let defaultMask: UInt32 = IN | OUT | RDNORM | WRNORM
}

extension FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 { -Errno.EBADF }
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 { -Errno.EBADF }
    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 { Poll.defaultMask }
    static var canPoll: Bool { false }
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64 { -Errno.ENOTTY }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(mode: f.mode) }
    static var seeking: Seeking { .unseekable }
    static func opened(_ f: UnsafeMutablePointer<OpenFile>) {}
    static func release(_ f: UnsafeMutablePointer<OpenFile>) {}
    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64 { 0 }
    static func generation(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64? { nil }
    static func watch(_ f: UnsafeMutablePointer<OpenFile>, _ delta: Int32) {}
}

/// One operation applied to a kind's table (what FileOps.on dispatches).
protocol FileOperation {
    associatedtype Result
    func callAsFunction<K: FileOperations>(_ kind: K.Type) -> Result
}

enum FileOps {
    /// The kind -> table map: the only switch over FileKind for operations.
    @inline(__always)
    static func on<Op: FileOperation>(_ kind: FileKind, _ op: Op) -> Op.Result {
        switch kind {
        case .free: return op(FreeOps.self)
        case .console: return op(ConsoleOps.self)
        case .null: return op(NullOps.self)
        case .zero: return op(ZeroOps.self)
        case .urandom: return op(URandomOps.self)
        case .initrdFile: return op(InitrdFileOps.self)
        case .initrdDirectory: return op(InitrdDirectoryOps.self)
        case .tmpFile: return op(TmpFileOps.self)
        case .tmpDirectory: return op(TmpDirectoryOps.self)
        case .symlink: return op(SymlinkOps.self)
        case .pipeRead: return op(PipeReadOps.self)
        case .pipeWrite: return op(PipeWriteOps.self)
        case .eventfd: return op(EventFDOps.self)
        case .epoll: return op(EpollOps.self)
        case .procFile: return op(ProcFileOps.self)
        case .procDirectory: return op(ProcDirectoryOps.self)
        case .socket: return op(UnixSocketOps.self)
        case .consoleInput: return op(ConsoleInputOps.self)
        }
    }

    // The reads' arms are tail calls of one out-of-line function per kind
    // (readKind, readAtOffset), with the arguments in registers: no arm's
    // own calls (the TTY's job control, /dev/zero's user_zero, a socket's
    // receive) give the dispatching function a frame that /dev/null's read
    // would pay for, and no generic arm is called with the operation in memory.
    private struct Read: FileOperation {
        let p: UnsafeMutablePointer<Process>, f: UnsafeMutablePointer<OpenFile>, buf: UInt64, n: UInt64, offset: UInt64
        @inline(__always)
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> Int64 { FileOps.readKind(K.self, p, f, buf, n, offset) }
    }
    private struct ReadAtOffset: FileOperation {
        let p: UnsafeMutablePointer<Process>, f: UnsafeMutablePointer<OpenFile>, buf: UInt64, n: UInt64
        @inline(__always)
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> Int64 { FileOps.readAtOffset(K.self, p, f, buf, n) }
    }
    @inline(never)
    static func readKind<K: FileOperations>(_ k: K.Type, _ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                                            _ buf: UInt64, _ n: UInt64, _ offset: UInt64) -> Int64 {
        K.read(p, f, buf, n, at: offset)
    }
    /// read(2) at the description's offset, which kinds that seek by offset advance.
    @inline(never)
    static func readAtOffset<K: FileOperations>(_ k: K.Type, _ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                                                _ buf: UInt64, _ n: UInt64) -> Int64 {
        let r = K.read(p, f, buf, n, at: f.pointee.offset)
        if K.seeking == .offset && r > 0 { f.pointee.offset &+= UInt64(r) }
        return r
    }
    private struct Write: FileOperation {
        let p: UnsafeMutablePointer<Process>, f: UnsafeMutablePointer<OpenFile>, buf: UInt64, n: UInt64, offset: UInt64?
        @inline(__always)
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> Int64 { K.write(p, f, buf, n, at: offset) }
    }
    private struct PollNow: FileOperation {
        let f: UnsafeMutablePointer<OpenFile>
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> UInt32 { K.poll(f) }
    }
    private struct CanPoll: FileOperation {
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> Bool { K.canPoll }
    }
    private struct Ioctl: FileOperation {
        let p: UnsafeMutablePointer<Process>, f: UnsafeMutablePointer<OpenFile>, cmd: UInt64, arg: UInt64
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> Int64 { K.ioctl(p, f, cmd, arg) }
    }
    private struct Stat: FileOperation {
        let f: OpenFile
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> FileStat { K.stat(f) }
    }
    private struct Seek: FileOperation {
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> Seeking { K.seeking }
    }
    private struct Opened: FileOperation {
        let f: UnsafeMutablePointer<OpenFile>
        func callAsFunction<K: FileOperations>(_ k: K.Type) { K.opened(f) }
    }
    private struct Release: FileOperation {
        let f: UnsafeMutablePointer<OpenFile>
        func callAsFunction<K: FileOperations>(_ k: K.Type) { K.release(f) }
    }
    private struct Channel: FileOperation {
        let f: UnsafeMutablePointer<OpenFile>, writer: Bool
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> UInt64 { K.channel(f, writer: writer) }
    }

    private struct Generation: FileOperation {
        let f: UnsafeMutablePointer<OpenFile>
        func callAsFunction<K: FileOperations>(_ k: K.Type) -> UInt64? { K.generation(f) }
    }
    private struct Watch: FileOperation {
        let f: UnsafeMutablePointer<OpenFile>, delta: Int32
        func callAsFunction<K: FileOperations>(_ k: K.Type) { K.watch(f, delta) }
    }

    @inline(__always)
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        on(f.pointee.kind, Read(p: p, f: f, buf: buf, n: n, offset: offset))
    }
    /// read(2): at the description's offset, which advances by what was read.
    @inline(__always)
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64) -> Int64 {
        on(f.pointee.kind, ReadAtOffset(p: p, f: f, buf: buf, n: n))
    }
    @inline(__always)
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 {
        on(f.pointee.kind, Write(p: p, f: f, buf: buf, n: n, offset: offset))
    }
    @inline(__always) static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 { on(f.pointee.kind, PollNow(f: f)) }
    static func canPoll(_ f: UnsafeMutablePointer<OpenFile>) -> Bool { on(f.pointee.kind, CanPoll()) }
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64 {
        on(f.pointee.kind, Ioctl(p: p, f: f, cmd: cmd, arg: arg))
    }
    @inline(__always) static func stat(_ f: OpenFile) -> FileStat { on(f.kind, Stat(f: f)) }
    @inline(__always) static func seeking(_ kind: FileKind) -> Seeking { on(kind, Seek()) }
    @inline(__always) static func opened(_ f: UnsafeMutablePointer<OpenFile>) { on(f.pointee.kind, Opened(f: f)) }
    @inline(__always) static func release(_ f: UnsafeMutablePointer<OpenFile>) { on(f.pointee.kind, Release(f: f)) }
    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64 {
        on(f.pointee.kind, Channel(f: f, writer: writer))
    }
    @inline(__always) static func generation(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64? {
        on(f.pointee.kind, Generation(f: f))
    }
    static func watch(_ f: UnsafeMutablePointer<OpenFile>, _ delta: Int32) { on(f.pointee.kind, Watch(f: f, delta: delta)) }
}

/// A free slot of the open-file table: every operation fails.
enum FreeOps: FileOperations {}

/// A symbolic link is only seen by lstat/readlink (data/size = the target).
enum SymlinkOps: FileOperations {
    static func stat(_ f: OpenFile) -> FileStat { FileStat(mode: f.mode, size: f.size) }
}

/// eventfd objects (eventfd(2)): a 64-bit counter that write(2) adds to and
/// read(2) takes (all of it, or 1 with EFD_SEMAPHORE). OpenFile.node is the
/// EventFDs index; one description per object (dup shares it).
struct EventFD {
    var used = false
    var semaphore = false
    var count: UInt64 = 0
    /// Readiness generation (as Pipe.gen), kept only while an epoll
    /// interest watches it (watchers > 0).
    var gen: UInt64 = 0
    var watchers: Int32 = 0
}

enum EventFDs {
    static let capacity = 64
    nonisolated(unsafe) static var table = UnsafeMutablePointer<EventFD>(bitPattern: 0)

    static func create(_ count: UInt64, semaphore: Bool) -> Int? {
        if table == nil { table = zeroedTable(of: EventFD.self, count: capacity) }
        guard let t = table else { return nil }
        for i in 0..<capacity where !t[i].used {
            t[i] = EventFD()
            t[i].used = true
            t[i].semaphore = semaphore
            t[i].count = count
            return i
        }
        return nil
    }

    /// What a reader (writer: false) or writer of object `i` sleeps on.
    static func channel(_ i: Int, writer: Bool) -> UInt64 { 0x5_0000_0000 | UInt64(i) << 1 | (writer ? 1 : 0) }

    /// The counter changed: readiness may have.
    @inline(__always)
    static func changed(_ t: UnsafeMutablePointer<EventFD>, _ i: Int, writer: Bool) {
        if !SeedTechniques.generationOnlyWhenWatched || t[i].watchers > 0 { t[i].gen &+= writer ? 1 << 32 : 1 }       // a read wakes writers, a write readers
        Scheduler.wakeup(channel(i, writer: writer))
    }
}

enum EventFDOps: FileOperations {
    static let max: UInt64 = 0xffff_ffff_ffff_fffe      // ULLONG_MAX - 1, the largest count

    /// read(2): 8 bytes at least (EINVAL); at 0 sleeps (EAGAIN with
    /// O_NONBLOCK); takes the whole count, or 1 with EFD_SEMAPHORE.
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        guard n >= 8, let t = EventFDs.table else { return -Errno.EINVAL }
        let i = f.pointee.node
        if t[i].count == 0 {
            let r = waitToRead(p, f, t, i)
            if r != 0 { return r }
        }
        let v = t[i].semaphore ? 1 : t[i].count
        t[i].count &-= v                                    // taken even when the copy faults, as Linux
        EventFDs.changed(t, i, writer: true)
        return UserMemory.write64(p, buf, v) ? 8 : -Errno.EFAULT
    }

    /// write(2): exactly 8 bytes (Linux 6.18 refuses more too), not
    /// 0xffffffffffffffff (EINVAL); sleeps
    /// while the sum would pass ULLONG_MAX - 1 (EAGAIN with O_NONBLOCK).
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 {
        guard n == 8, let t = EventFDs.table else { return -Errno.EINVAL }
        guard let v = UserMemory.read64(p, buf) else { return -Errno.EFAULT }
        guard v != UInt64.max else { return -Errno.EINVAL }
        let i = f.pointee.node
        if max &- t[i].count < v {
            let r = waitToWrite(p, f, t, i, v)
            if r != 0 { return r }
        }
        t[i].count &+= v
        EventFDs.changed(t, i, writer: false)               // even for 0: an edge for EPOLLET, as Linux's wakeup
        return 8
    }

    /// The sleeps, out of line so that the ready case carries none of
    /// their state: 0 once the counter allows the call, else its error.
    @inline(never)
    static func waitToRead(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                           _ t: UnsafeMutablePointer<EventFD>, _ i: Int) -> Int64 {
        while t[i].count == 0 {
            if f.pointee.statusFlags & SysPipe.O_NONBLOCK != 0 { return -Errno.EAGAIN }
            Scheduler.sleep(on: EventFDs.channel(i, writer: false))
            if Signals.interrupted(p) { return -Errno.ERESTARTSYS }   // SA_RESTART restarts it (eventfd_read)
        }
        return 0
    }

    @inline(never)
    static func waitToWrite(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                            _ t: UnsafeMutablePointer<EventFD>, _ i: Int, _ v: UInt64) -> Int64 {
        while max &- t[i].count < v {
            if f.pointee.statusFlags & SysPipe.O_NONBLOCK != 0 { return -Errno.EAGAIN }
            Scheduler.sleep(on: EventFDs.channel(i, writer: true))
            if Signals.interrupted(p) { return -Errno.ERESTARTSYS }   // SA_RESTART restarts it (eventfd_write)
        }
        return 0
    }

    /// eventfd_poll: readable above 0, writable below ULLONG_MAX - 1.
    @inline(never)
    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 {
        guard let t = EventFDs.table else { return Poll.NVAL }
        let c = t[f.pointee.node].count
        var r: UInt32 = c > 0 ? Poll.IN | Poll.RDNORM : 0
        if c < max { r |= Poll.OUT | Poll.WRNORM }
        return r
    }
    static var canPoll: Bool { true }
    static var seeking: Seeking { .stream }
    /// An anonymous inode: mode 0600, no file type.
    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 13, mode: 0o600) }
    static func release(_ f: UnsafeMutablePointer<OpenFile>) {
        guard let t = EventFDs.table, f.pointee.node >= 0, f.pointee.node < EventFDs.capacity else { return }
        t[f.pointee.node] = EventFD()
    }
    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64 {
        EventFDs.channel(f.pointee.node, writer: writer)
    }
    static func generation(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64? {
        guard let t = EventFDs.table, !SeedTechniques.generationOnlyWhenWatched || t[f.pointee.node].watchers > 0 else { return nil }
        return t[f.pointee.node].gen
    }
    static func watch(_ f: UnsafeMutablePointer<OpenFile>, _ delta: Int32) {
        EventFDs.table?[f.pointee.node].watchers += delta
    }
}

/// epoll instances (epoll(7)). Each watched (file description, fd) pair is an
/// Interest in one pool, on its instance's singly linked list; a description
/// knows how many interests watch it (Epolls.watchers) so that its last
/// close removes them, as eventpoll_release does, without a scan otherwise.
///
/// Readiness is computed when epoll_wait looks (no ready list): LT reports
/// what poll says; ET and the poll cache (the seed's two techniques) ride on
/// the kinds' readiness generation (FileOperations.generation), kept by pipes
/// and eventfds only while an interest watches them: ET reports a file only
/// when its generation moved since the last report, and the cache reuses the
/// last poll result while the generation stands still.
struct Interest {
    var epoll: Int16 = -1              // owning Epolls index; -1 = free
    var next: Int16 = -1
    var file: Int16 = -1               // OpenFiles index
    var fd: Int32 = -1
    var events: UInt32 = 0             // what was asked, | EPOLLERR | EPOLLHUP
    var data: UInt64 = 0
    var disabled = false               // EPOLLONESHOT fired: nothing until MOD
    var seenGen: UInt64 = 0            // ET: the generation (its watched halves) last looked at
    var cacheValid = false
    var cacheGen: UInt64 = 0
    var cacheMask: UInt32 = 0
}

struct EpollSet {
    var used = false
    var head: Int16 = -1
}

enum Epoll {
    static let IN: UInt32 = 0x001, OUT: UInt32 = 0x004, ERR: UInt32 = 0x008, HUP: UInt32 = 0x010
    static let RDHUP: UInt32 = 0x2000
    static let EXCLUSIVE: UInt32 = 1 << 28, WAKEUP: UInt32 = 1 << 29
    static let ONESHOT: UInt32 = 1 << 30, ET: UInt32 = 1 << 31
    /// EPOLLEXCLUSIVE_OK_BITS (fs/eventpoll.c).
    static let exclusiveOK: UInt32 = IN | OUT | ERR | HUP | WAKEUP | ET | EXCLUSIVE | 0x040 | 0x080 | 0x100 | 0x200
    /// EP_MAX_NESTS: how deep epoll sets may watch each other.
    static let maxNests = 4
}

/// The seed's two techniques (issue 12), as constants so that the kernel
/// can be built and measured without each (README, Benchmarks: the table).
enum SeedTechniques {
    /// epoll_wait reuses an interest's last poll result while the file's
    /// generation has not moved.
    static let pollCache = true
    /// Pipes and eventfds move their generation only while an epoll
    /// interest watches them (false: on every read, write and close).
    static let generationOnlyWhenWatched = true
}

enum Epolls {
    static let capacity = 32
    static let interestCapacity = 512
    nonisolated(unsafe) static var sets = UnsafeMutablePointer<EpollSet>(bitPattern: 0)
    nonisolated(unsafe) static var interests = UnsafeMutablePointer<Interest>(bitPattern: 0)
    /// Per OpenFiles index: the interests watching that description (a side
    /// table, so that OpenFile stays as it was for every open and close).
    /// nil until the first epoll set exists.
    nonisolated(unsafe) static var watchers = UnsafeMutablePointer<Int16>(bitPattern: 0)

    static func create() -> Int? {
        if sets == nil {
            sets = zeroedTable(of: EpollSet.self, count: capacity)
            interests = UnsafeMutablePointer<Interest>.allocate(capacity: interestCapacity)
            interests?.initialize(repeating: Interest(), count: interestCapacity)
            watchers = zeroedTable(of: Int16.self, count: OpenFiles.capacity)
        }
        guard let s = sets else { return nil }
        for i in 0..<capacity where !s[i].used {
            s[i] = EpollSet()
            s[i].used = true
            return i
        }
        return nil
    }

    /// The interest of set `e` in (file, fd), or nil.
    static func find(_ e: Int, file: Int, fd: Int32) -> Int? {
        guard let s = sets, let n = interests else { return nil }
        var k = Int(s[e].head)
        while k >= 0 {
            if Int(n[k].file) == file && n[k].fd == fd { return k }
            k = Int(n[k].next)
        }
        return nil
    }

    static func add(_ e: Int, file: Int, fd: Int32, events: UInt32, data: UInt64) -> Int64 {
        guard let s = sets, let n = interests, let t = OpenFiles.table else { return -Errno.ENOMEM }
        guard let k = (0..<interestCapacity).first(where: { n[$0].epoll < 0 }) else { return -Errno.ENOSPC }
        n[k] = Interest()
        n[k].epoll = Int16(e)
        n[k].file = Int16(file)
        n[k].fd = fd
        if s[e].head < 0 { s[e].head = Int16(k) } else {             // at the tail: reports in ADD order
            var j = Int(s[e].head)
            while n[j].next >= 0 { j = Int(n[j].next) }
            n[j].next = Int16(k)
        }
        watchers?[file] += 1
        FileOps.watch(t + file, 1)
        set(k, events: events, data: data)
        return 0
    }

    /// ADD and MOD: new events and data; ET and the cache look afresh (a
    /// file ready now is reported once, as ep_insert/ep_modify queue it).
    static func set(_ k: Int, events: UInt32, data: UInt64) {
        guard let n = interests, let t = OpenFiles.table else { return }
        n[k].events = events | Epoll.ERR | Epoll.HUP
        n[k].data = data
        n[k].disabled = false
        n[k].cacheValid = false
        n[k].seenGen = edgeGeneration(FileOps.generation(t + Int(n[k].file)), n[k].events) &- 1
    }

    static func remove(_ e: Int, _ k: Int) {
        guard let s = sets, let n = interests, let t = OpenFiles.table else { return }
        if s[e].head == Int16(k) { s[e].head = n[k].next } else {
            var j = Int(s[e].head)
            while j >= 0 && n[j].next != Int16(k) { j = Int(n[j].next) }
            if j >= 0 { n[j].next = n[k].next }
        }
        let file = Int(n[k].file)
        watchers?[file] -= 1
        FileOps.watch(t + file, -1)
        n[k] = Interest()
    }

    /// Description `file` lost its last reference: it leaves every set.
    static func forget(file: Int) {
        guard let n = interests else { return }
        for k in 0..<interestCapacity where n[k].epoll >= 0 && Int(n[k].file) == file { remove(Int(n[k].epoll), k) }
    }

    /// Set `e` closed: its interests go.
    static func destroy(_ e: Int) {
        guard let s = sets, e >= 0, e < capacity, s[e].used else { return }
        while s[e].head >= 0 { remove(e, Int(s[e].head)) }
        s[e] = EpollSet()
    }

    /// What interest `k` reports now (0: nothing), consuming ET edges and
    /// ONESHOT only when `consume` (epoll_wait; not a poll of the set).
    static func ready(_ k: Int, consume: Bool) -> UInt32 {
        guard let n = interests, let t = OpenFiles.table else { return 0 }
        if n[k].disabled { return 0 }
        let f = t + Int(n[k].file)
        let gen = FileOps.generation(f)
        if n[k].events & Epoll.ET != 0 {
            // No edge since the last look. A kind without a generation has
            // one edge: the ADD or MOD (seenGen starts one behind).
            let g = edgeGeneration(gen, n[k].events)
            if g == n[k].seenGen { return 0 }
            if consume { n[k].seenGen = g }
        }
        let mask: UInt32
        if SeedTechniques.pollCache, let g = gen, n[k].cacheValid, n[k].cacheGen == g {
            mask = n[k].cacheMask
        } else {
            mask = FileOps.poll(f)                  // an inner epoll set: bounded by EP_MAX_NESTS
            if let g = gen { n[k].cacheValid = true; n[k].cacheGen = g; n[k].cacheMask = mask }
        }
        let r = mask & n[k].events
        if r != 0 && consume && n[k].events & Epoll.ONESHOT != 0 { n[k].disabled = true }
        return r
    }

    /// The halves of a generation an ET interest in `events` watches:
    /// readers' wakeups for EPOLLIN, writers' for EPOLLOUT (both for neither).
    static func edgeGeneration(_ gen: UInt64?, _ events: UInt32) -> UInt64 {
        guard let g = gen else { return 0 }
        let input = events & (Poll.IN | Poll.PRI | Poll.RDNORM | 0x080 | Poll.RDHUP) != 0
        let output = events & (Poll.OUT | Poll.WRNORM | 0x200) != 0
        if input == output { return g }
        return input ? g & 0xffff_ffff : g >> 32
    }

    /// Whether set `e` can reach set `target` through its interests (the
    /// loop check of ep_loop_check), or nests deeper than EP_MAX_NESTS.
    static func reaches(_ e: Int, _ target: Int, depth: Int) -> Bool {
        guard let s = sets, let n = interests, let t = OpenFiles.table else { return false }
        if e == target || depth > Epoll.maxNests { return true }
        var k = Int(s[e].head)
        while k >= 0 {
            let f = t[Int(n[k].file)]
            if f.kind == .epoll && reaches(f.node, target, depth: depth + 1) { return true }
            k = Int(n[k].next)
        }
        return false
    }

    /// How deep the sets below `e` go (0: it watches no epoll set).
    static func height(_ e: Int) -> Int {
        guard let s = sets, let n = interests, let t = OpenFiles.table else { return 0 }
        var h = 0
        var k = Int(s[e].head)
        while k >= 0 {
            let f = t[Int(n[k].file)]
            if f.kind == .epoll { h = max(h, 1 + height(f.node)) }
            k = Int(n[k].next)
        }
        return h
    }
}

enum EpollOps: FileOperations {
    /// An epoll set is readable when one of its interests would be reported.
    @inline(never)
    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 {
        guard let s = Epolls.sets, let n = Epolls.interests else { return 0 }
        var k = Int(s[f.pointee.node].head)
        while k >= 0 {
            if Epolls.ready(k, consume: false) != 0 { return Poll.IN | Poll.RDNORM }
            k = Int(n[k].next)
        }
        return 0
    }
    static var canPoll: Bool { true }
    static var seeking: Seeking { .stream }
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 { -Errno.EINVAL }
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 { -Errno.EINVAL }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 13, mode: 0o600) }
    static func release(_ f: UnsafeMutablePointer<OpenFile>) { Epolls.destroy(f.pointee.node) }
}

import KernelSupport

/// AF_UNIX sockets (unix(7)): a fixed table of endpoints. A connected
/// stream or seqpacket socket writes into its peer's receive ring; a
/// datagram socket into the ring of the socket it sends to. Names are
/// tmpfs nodes shown as S_IFSOCK (held open while bound) or abstract
/// (a leading NUL byte); both are kept as given for getsockname.
struct UnixSocket {
    var used = false
    var type: UInt8 = 0                 // SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5
    var state: UInt8 = 0                // UnixSocket.unconnected / listening / connected
    var peer: Int32 = -1                // connected: the other end; datagram: the default destination
    var ring = SocketRing()
    var shutRead = false                // no more to receive (SHUT_RD, or the peer's SHUT_WR / close)
    var shutWrite = false               // no more to send (SHUT_WR, or the peer's SHUT_RD / close)
    var node: Int32 = -1                // tmpfs node of the bound path name
    var nameLength: Int32 = 0           // bytes of sockaddr_un kept in Sockets.names (0: unnamed)
    var backlog: Int32 = 0
    var pendingHead: Int32 = -1         // listening: connections not yet accepted, a list through `nextPending`
    var pendingTail: Int32 = -1
    var pendingCount: Int32 = 0
    var nextPending: Int32 = -1
    var listener: Int32 = -1            // a pending connection's listener (until accepted)
    var sndbuf: Int32 = Sockets.defaultBuffer
    var rcvbuf: Int32 = Sockets.defaultBuffer
    var flags: UInt32 = 0               // boolean options (Sockets.option bits)
    var credPid: Int32 = 0              // SO_PEERCRED of the other end: who connected / created
    var descriptions: Int32 = 0         // open-file descriptions naming it (0 while pending)

    static let unconnected: UInt8 = 0, listening: UInt8 = 1, connected: UInt8 = 2
    var keepsBoundaries: Bool { type != Sockets.SOCK_STREAM }
    var connectionOriented: Bool { type != Sockets.SOCK_DGRAM }
}

/// A descriptor batch in flight (SCM_RIGHTS): open-file description
/// indices held by the queue of socket `socket`, delivered with the byte at
/// stream position `position` (a datagram's first byte).
struct RightsBatch {
    var socket: Int32 = -1
    var count: Int32 = 0
    var position: UInt64 = 0
    var frame: UInt64 = 0               // up to 253 Int16 description indices
}

enum Sockets {
    static let capacity = 128
    static let nameMax = 110            // sizeof(struct sockaddr_un)
    static let SOCK_STREAM: UInt8 = 1, SOCK_DGRAM: UInt8 = 2, SOCK_SEQPACKET: UInt8 = 5
    static let defaultBuffer: Int32 = 212992          // net.core.wmem_default / rmem_default
    static let maxBuffer: Int32 = 212992              // net.core.wmem_max / rmem_max
    static let batchCapacity = 64
    static let maxRights = 253                        // SCM_MAX_FD
    nonisolated(unsafe) static var table: UnsafeMutablePointer<UnixSocket>? = nil
    nonisolated(unsafe) static var names: UnsafeMutablePointer<UInt8>? = nil
    nonisolated(unsafe) static var batches: UnsafeMutablePointer<RightsBatch>? = nil
    nonisolated(unsafe) static var autobindCounter: UInt32 = 0
    /// Batches queued on some socket (socket >= 0): a close with none
    /// anywhere skips dropRights' scan of every batch slot.
    nonisolated(unsafe) static var queuedBatches = 0

    /// A new socket of `type`, or nil (ENFILE: the table is full).
    static func create(type: UInt8, pid: Int32) -> Int? {
        if table == nil {
            table = zeroedTable(of: UnixSocket.self, count: capacity)
            names = zeroedTable(of: UInt8.self, count: capacity * nameMax)
            batches = zeroedTable(of: RightsBatch.self, count: batchCapacity)
            if let b = batches { for i in 0..<batchCapacity { b[i].socket = -1 } }
        }
        guard let t = table else { return nil }
        for i in 0..<capacity where !t[i].used {
            t[i] = UnixSocket()
            t[i].used = true
            t[i].type = type
            t[i].credPid = pid
            guard t[i].ring.setUp() else { t[i] = UnixSocket(); return nil }
            return i
        }
        return nil
    }

    @inline(__always) static func at(_ i: Int) -> UnsafeMutablePointer<UnixSocket> { table.unsafelyUnwrapped + i }
    static func name(_ i: Int) -> UnsafeMutablePointer<UInt8> { names.unsafelyUnwrapped + i * nameMax }
    static func valid(_ i: Int32) -> Bool { i >= 0 && Int(i) < capacity && (table?[Int(i)].used ?? false) }

    /// What blocked receivers (writer: false) and senders of socket `i` sleep on.
    static func channel(_ i: Int, writer: Bool) -> UInt64 {
        UInt64(UInt(bitPattern: table.unsafelyUnwrapped + i)) | (writer ? 1 : 0)
    }

    static func wake(_ i: Int) {
        Scheduler.wakeup(channel(i, writer: false))
        Scheduler.wakeup(channel(i, writer: true))
    }

    /// Two sockets joined as a connected pair.
    static func join(_ a: Int, _ b: Int) {
        at(a).pointee.peer = Int32(b); at(a).pointee.state = UnixSocket.connected
        at(b).pointee.peer = Int32(a); at(b).pointee.state = UnixSocket.connected
    }

    /// The last description of socket `i` is gone (or a pending connection is dropped).
    static func close(_ i: Int) {
        guard valid(Int32(i)) else { return }
        let s = at(i)
        // Pending connections of a listener go with it: their clients see the end.
        var q = s.pointee.pendingHead
        while valid(q) {
            let next = at(Int(q)).pointee.nextPending
            at(Int(q)).pointee.listener = -1
            close(Int(q))
            q = next
        }
        let peer = s.pointee.peer
        if s.pointee.connectionOriented, valid(peer), at(Int(peer)).pointee.peer == Int32(i) {
            let o = at(Int(peer))
            o.pointee.shutRead = true                         // unix_release_sock: SHUTDOWN_MASK
            o.pointee.shutWrite = true
            o.pointee.peer = -1
            wake(Int(peer))
        }
        if !s.pointee.connectionOriented, let t = table {
            // Datagram sockets connected to this one lose their destination.
            // Their sends are ECONNREFUSED from now on (peer -2: gone), not ENOTCONN.
            for k in 0..<capacity where t[k].used && t[k].peer == Int32(i) && !t[k].connectionOriented { t[k].peer = -2; wake(k) }
        }
        if s.pointee.listener >= 0 { unlinkPending(Int(s.pointee.listener), i) }
        dropRights(i)
        s.pointee.ring.tearDown()
        if s.pointee.node >= 0 { Tmpfs.closed(Int(s.pointee.node)) }
        s.pointee = UnixSocket()
        wake(i)
    }

    static func unlinkPending(_ l: Int, _ i: Int) {
        let L = at(l)
        var prev: Int32 = -1
        var q = L.pointee.pendingHead
        while valid(q) {
            if q == Int32(i) {
                let next = at(i).pointee.nextPending
                if prev < 0 { L.pointee.pendingHead = next } else { at(Int(prev)).pointee.nextPending = next }
                if L.pointee.pendingTail == Int32(i) { L.pointee.pendingTail = prev }
                L.pointee.pendingCount -= 1
                return
            }
            prev = q
            q = at(Int(q)).pointee.nextPending
        }
    }

    /// The socket bound to tmpfs node `node`, or the abstract name given.
    static func bound(node: Int) -> Int? {
        guard let t = table else { return nil }
        for i in 0..<capacity where t[i].used && t[i].node == Int32(node) { return i }
        return nil
    }

    static func bound(abstract src: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        guard let t = table else { return nil }
        for i in 0..<capacity where t[i].used && t[i].node < 0 && Int(t[i].nameLength) == n && n > 2 {
            if bytesEqual(name(i), src, n) { return i }
        }
        return nil
    }

    // MARK: SCM_RIGHTS

    /// A free batch slot (socket -1; -2 is taken by a sendmsg not done yet), or nil: too many in flight.
    static func newBatch() -> UnsafeMutablePointer<RightsBatch>? {
        guard let b = batches else { return nil }
        for k in 0..<batchCapacity where b[k].socket == -1 { return b + k }
        return nil
    }

    /// The earliest batch queued on socket `i` at or after stream position `from`.
    static func firstBatch(_ i: Int) -> UnsafeMutablePointer<RightsBatch>? {
        guard let b = batches else { return nil }
        var best: UnsafeMutablePointer<RightsBatch>? = nil
        for k in 0..<batchCapacity where b[k].socket == Int32(i) {
            if best == nil || b[k].position < best.unsafelyUnwrapped.pointee.position { best = b + k }
        }
        return best
    }

    /// The stream position of the first batch of socket `i` after `pos`, if any.
    static func nextBatch(_ i: Int, after pos: UInt64) -> UInt64? {
        guard let b = batches else { return nil }
        var best: UInt64? = nil
        for k in 0..<batchCapacity where b[k].socket == Int32(i) && b[k].position > pos {
            if best == nil || b[k].position < best.unsafelyUnwrapped { best = b[k].position }
        }
        return best
    }

    static func freeBatch(_ b: UnsafeMutablePointer<RightsBatch>, releasing: Bool) {
        if releasing {
            let ids: UnsafeMutablePointer<Int16> = Physical.pointer(b.pointee.frame)
            for k in 0..<Int(b.pointee.count) { OpenFiles.release(Int(ids[k])) }
        }
        if b.pointee.frame != 0 { FrameAllocator.free(b.pointee.frame) }
        if b.pointee.socket >= 0 { queuedBatches -= 1 }
        b.pointee = RightsBatch()
    }

    /// Every batch still queued on socket `i` goes (its descriptions released).
    static func dropRights(_ i: Int) {
        guard queuedBatches != 0, let b = batches else { return }
        for k in 0..<batchCapacity where b[k].socket == Int32(i) { freeBatch(b + k, releasing: true) }
    }
}

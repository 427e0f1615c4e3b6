/// The socket kind's file operations: read/write are recv/send without
/// flags (SysSocket), readiness as unix_poll / unix_dgram_poll, fstat
/// S_IFSOCK; OpenFile.node is the Sockets index.
enum UnixSocketOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        SysSocket.receive(p, f, Segments(single: buf, n), flags: 0, control: nil).bytes
    }
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 {
        SysSocket.send(p, f, Segments(single: buf, n), flags: 0, to: nil, rights: nil)
    }
    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 {
        let i = f.pointee.node
        guard Sockets.valid(Int32(i)) else { return Poll.NVAL }
        let s = Sockets.at(i).pointee
        if s.state == UnixSocket.listening { return s.pendingCount > 0 ? Poll.IN | Poll.RDNORM : 0 }
        var mask: UInt32 = 0
        if s.ring.count > 0 || s.shutRead { mask |= Poll.IN | Poll.RDNORM }
        if s.shutRead { mask |= Poll.RDHUP }
        if s.shutRead && s.shutWrite { mask |= Poll.HUP }
        if s.connectionOriented && s.state == UnixSocket.unconnected { mask |= Poll.HUP }
        // Writable unless the destination's ring (a stream's peer, a
        // datagram's connected target) is nearly full; shut down or not, as
        // unix_poll (a write then fails at once with EPIPE).
        if !Sockets.valid(s.peer) || Sockets.at(Int(s.peer)).pointee.ring.space > SocketRing.size / 4 { mask |= Poll.OUT | Poll.WRNORM }
        return mask
    }
    static var canPoll: Bool { true }
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64 {
        guard cmd & 0xffff_ffff == 0x541b, Sockets.valid(Int32(f.pointee.node)) else { return -Errno.ENOTTY }   // FIONREAD
        let s = Sockets.at(f.pointee.node).pointee
        var n = Int32(s.ring.count)
        if s.keepsBoundaries && s.ring.count >= SysSocket.recordSize {
            var rec = SysSocket.Record()
            s.ring.peek(&rec, SysSocket.recordSize)
            n = Int32(rec.length)
        }
        return UserMemory.copyOut(p, to: arg, from: &n, count: 4) ? 0 : -Errno.EFAULT
    }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 8, mode: 0o140777) }   // S_IFSOCK, sockfs
    static func opened(_ f: UnsafeMutablePointer<OpenFile>) {
        if Sockets.valid(Int32(f.pointee.node)) { Sockets.at(f.pointee.node).pointee.descriptions += 1 }
    }
    static func release(_ f: UnsafeMutablePointer<OpenFile>) {
        let i = f.pointee.node
        guard Sockets.valid(Int32(i)) else { return }
        Sockets.at(i).pointee.descriptions -= 1
        if Sockets.at(i).pointee.descriptions <= 0 { Sockets.close(i) }
    }
    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64 {
        Sockets.valid(Int32(f.pointee.node)) ? Sockets.channel(f.pointee.node, writer: writer) : 0
    }
}

import KernelSupport

/// send/recv on AF_UNIX sockets: the byte stream, datagram and seqpacket
/// records, MSG_ flags, SCM_RIGHTS, and the sendto/recvfrom/sendmsg/recvmsg
/// and setsockopt/getsockopt system calls.
extension SysSocket {
    /// EPIPE, with SIGPIPE unless MSG_NOSIGNAL (its default action ends the process).
    static func brokenPipe(_ p: UnsafeMutablePointer<Process>, _ flags: UInt64) -> Int64 {
        if flags & MSG_NOSIGNAL == 0 { Signals.send(p, SysPipe.SIGPIPE) }
        return -Errno.EPIPE
    }

    /// Sends the bytes of `segs` from socket `f` (to socket `dest` for an
    /// unconnected datagram socket), with descriptor batch `rights` attached to the first byte.
    static func send(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ segs: Segments,
                     flags: UInt64, to dest: Int?, rights: UnsafeMutablePointer<RightsBatch>?) -> Int64 {
        let i = f.pointee.node
        guard Sockets.valid(Int32(i)) else { return -Errno.EBADF }
        let s = Sockets.at(i)
        let total64 = segs.total(p)
        if total64 < 0 { return total64 }
        let total = Int(total64)
        let nonblock = f.pointee.statusFlags & O_NONBLOCK != 0 || flags & MSG_DONTWAIT != 0
        var done = 0
        var attached = rights == nil
        while true {
            // Where the bytes go, checked again after every sleep.
            let target: Int
            if s.pointee.connectionOriented {
                if s.pointee.shutWrite { return done > 0 ? Int64(done) : brokenPipe(p, flags) }
                guard s.pointee.state == UnixSocket.connected else { return -Errno.ENOTCONN }
                guard Sockets.valid(s.pointee.peer) else { return done > 0 ? Int64(done) : brokenPipe(p, flags) }
                target = Int(s.pointee.peer)
            } else {
                if s.pointee.shutWrite { return brokenPipe(p, flags) }
                if let d = dest {
                    guard Sockets.valid(Int32(d)) else { return -Errno.ECONNREFUSED }
                    target = d
                } else {
                    guard s.pointee.peer != -1 else { return -Errno.ENOTCONN }
                    guard Sockets.valid(s.pointee.peer) else { return -Errno.ECONNREFUSED }
                    target = Int(s.pointee.peer)
                }
                let tp = Sockets.at(target).pointee.peer
                if tp >= 0 && tp != Int32(i) { return -Errno.EPERM }            // unix_may_send
                if Sockets.at(target).pointee.shutRead { return brokenPipe(p, flags) }
            }
            let t = Sockets.at(target)
            if s.pointee.keepsBoundaries {
                if total + recordSize > SocketRing.size || total > Int(s.pointee.sndbuf) - 32 { return -Errno.EMSGSIZE }
                if t.pointee.ring.space >= total + recordSize {
                    let start = t.pointee.ring.consumed &+ UInt64(t.pointee.ring.count)
                    var rec = Record(length: UInt32(total), sender: Int32(i))
                    guard t.pointee.ring.put(&rec, recordSize) else { return -Errno.ENOBUFS }
                    var copied = 0
                    var fault = false
                    segs.pieces(p, from: 0, total) { va, n in
                        let (c, short) = t.pointee.ring.putUser(p, va, n)
                        copied += c
                        if short { fault = true }
                        return !short
                    }
                    if fault {                                              // take the record back out
                        t.pointee.ring.count -= copied + recordSize
                        return -Errno.EFAULT
                    }
                    attach(rights, to: target, at: start)
                    Sockets.wake(target)
                    return Int64(total)
                }
            } else {
                let room = min(t.pointee.ring.space, total - done)
                if room > 0 || total == 0 {
                    let start = t.pointee.ring.consumed &+ UInt64(t.pointee.ring.count)
                    var copied = 0
                    var fault = false
                    segs.pieces(p, from: done, room) { va, n in
                        let (c, short) = t.pointee.ring.putUser(p, va, n)
                        copied += c
                        if short { fault = true }
                        return !short
                    }
                    if copied > 0 && !attached { attach(rights, to: target, at: start); attached = true }
                    done += copied
                    if copied > 0 { Sockets.wake(target) }
                    if fault { return done > 0 ? Int64(done) : -Errno.EFAULT }
                    if done == total { return Int64(done) }
                    continue
                }
            }
            if nonblock { return done > 0 ? Int64(done) : -Errno.EAGAIN }
            if Scheduler.sleep(on: Sockets.channel(target, writer: true)) == .interrupted {
                return done > 0 ? Int64(done) : -Errno.ERESTARTSYS
            }
        }
    }

    static func attach(_ b: UnsafeMutablePointer<RightsBatch>?, to target: Int, at position: UInt64) {
        guard let b = b else { return }
        if b.pointee.socket < 0 { Sockets.queuedBatches += 1 }
        b.pointee.socket = Int32(target)
        b.pointee.position = position
    }

    /// Where recvmsg puts descriptors: the user control buffer and its length.
    struct Control { var address: UInt64; var length: UInt64; var used: UInt64 = 0; var flags: UInt32 = 0; var cloexec = false }

    /// Receives into `segs`: (bytes or -errno, sender socket, message flags).
    static func receive(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ segs: Segments,
                        flags: UInt64, control: UnsafeMutablePointer<Control>?) -> (bytes: Int64, sender: Int32, msgFlags: UInt32) {
        let i = f.pointee.node
        guard Sockets.valid(Int32(i)) else { return (-Errno.EBADF, -1, 0) }
        let s = Sockets.at(i)
        let total64 = segs.total(p)
        if total64 < 0 { return (total64, -1, 0) }
        let total = Int(total64)
        if s.pointee.state == UnixSocket.listening { return (-Errno.EINVAL, -1, 0) }
        if s.pointee.connectionOriented && s.pointee.state == UnixSocket.unconnected {
            return (s.pointee.type == Sockets.SOCK_STREAM ? -Errno.EINVAL : -Errno.ENOTCONN, -1, 0)
        }
        let nonblock = f.pointee.statusFlags & O_NONBLOCK != 0 || flags & MSG_DONTWAIT != 0
        let peek = flags & MSG_PEEK != 0
        var done = 0
        while true {
            while s.pointee.ring.count == 0 {
                if done > 0 || s.pointee.shutRead { return (Int64(done), s.pointee.peer, 0) }
                if nonblock { return (-Errno.EAGAIN, -1, 0) }
                if Scheduler.sleep(on: Sockets.channel(i, writer: false)) == .interrupted { return (-Errno.ERESTARTSYS, -1, 0) }
            }
            let ring = s.pointee.ring
            if s.pointee.keepsBoundaries {
                var rec = Record()
                ring.peek(&rec, recordSize)
                let len = Int(rec.length)
                let want = min(len, total)
                let copied = copy(p, ring, into: segs, want, skip: recordSize)
                if copied < want { return (-Errno.EFAULT, -1, 0) }
                deliverRights(p, i, at: ring.consumed, control: control, peek: peek)
                var mf: UInt32 = len > total ? UInt32(MSG_TRUNC) : 0
                if let c = control { mf |= c.pointee.flags }
                if !peek { s.pointee.ring.drop(recordSize + len); Sockets.wake(i) }
                return (flags & MSG_TRUNC != 0 ? Int64(len) : Int64(want), rec.sender, mf)
            }
            // Stream: stop before the next descriptor batch (its bytes come with it).
            var want = min(total - done, ring.count)
            if let b = Sockets.firstBatch(i), b.pointee.position <= ring.consumed, done > 0 { return (Int64(done), s.pointee.peer, 0) }
            if let next = Sockets.nextBatch(i, after: ring.consumed) { want = min(want, Int(next - ring.consumed)) }
            let copied = copy(p, ring, into: segs, want, skip: 0, at: done)
            if copied == 0 && want > 0 { return (done > 0 ? Int64(done) : -Errno.EFAULT, -1, 0) }
            deliverRights(p, i, at: ring.consumed, control: control, peek: peek)
            done += copied
            if !peek { s.pointee.ring.drop(copied); Sockets.wake(i) }
            if peek || flags & MSG_WAITALL == 0 || done >= total || copied < want {
                return (Int64(done), s.pointee.peer, control?.pointee.flags ?? 0)
            }
        }
    }

    /// Copies `n` ring bytes past `skip` into the segments from their byte `at`.
    static func copy(_ p: UnsafeMutablePointer<Process>, _ ring: SocketRing, into segs: Segments, _ n: Int, skip: Int, at: Int = 0) -> Int {
        var done = 0
        segs.pieces(p, from: at, n) { va, m in
            let c = ring.copyOut(p, va, m, skip: skip + done)
            done += c
            return c == m
        }
        return done
    }

    /// Hands the batch attached at stream position `pos` of socket `i` to
    /// the receiver: descriptors installed (as many as the control buffer
    /// holds: MSG_CTRUNC and the rest closed), or all closed without one.
    static func deliverRights(_ p: UnsafeMutablePointer<Process>, _ i: Int, at pos: UInt64,
                              control: UnsafeMutablePointer<Control>?, peek: Bool) {
        guard let b = Sockets.firstBatch(i), b.pointee.position == pos else { return }
        let ids: UnsafeMutablePointer<Int16> = Physical.pointer(b.pointee.frame)
        let n = Int(b.pointee.count)
        guard let c = control else {
            if !peek { Sockets.freeBatch(b, releasing: true) }
            return
        }
        let room = c.pointee.length > 16 ? Int((c.pointee.length - 16) / 4) : 0
        let fit = min(n, room)
        var header: (UInt64, UInt32, UInt32) = (UInt64(16 + 4 * fit), UInt32(SOL_SOCKET), SCM_RIGHTS)
        var installed = 0
        if fit > 0 {
            for k in 0..<fit {
                guard let fd = p.pointee.files.lowestFree() else { break }
                var v = Int32(fd)
                guard UserMemory.copyOut(p, to: c.pointee.address &+ 16 &+ UInt64(4 * k), from: &v, count: 4) else { break }
                OpenFiles.retain(Int(ids[k]))
                p.pointee.files.install(fd, Int(ids[k]), cloexec: c.pointee.cloexec)
                installed += 1
            }
            header.0 = UInt64(16 + 4 * installed)
            if installed > 0 && UserMemory.copyOut(p, to: c.pointee.address, from: &header, count: 16) {
                c.pointee.used = (UInt64(16 + 4 * installed) + 7) & ~7
            }
        }
        if installed < n { c.pointee.flags |= MSG_CTRUNC }
        if !peek { Sockets.freeBatch(b, releasing: true) }                   // the queue's references
    }

    // MARK: system calls

    static func sendto(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        var dest: Int? = nil
        if a.a4 != 0 {
            let d = destination(p, f, a.a4, a.a5)
            if d < 0 { return d }
            dest = d == Int64.max ? nil : Int(d)
        }
        guard UserMemory.accessOK(a.a1, a.a2) else { return -Errno.EFAULT }
        return send(p, f, Segments(single: a.a1, min(a.a2, SysIO.maxRW)), flags: a.a3, to: dest, rights: nil)
    }

    /// The socket a datagram is addressed to (Int64.max: a connected socket ignores it).
    static func destination(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ addr: UInt64, _ len: UInt64) -> Int64 {
        let s = Sockets.at(f.pointee.node)
        let name = PathBuffers.out2
        let n = copyAddress(p, addr, len, into: name)
        if n < 0 { return n }
        if s.pointee.connectionOriented {
            return s.pointee.state == UnixSocket.connected ? -Errno.EISCONN : -Errno.EOPNOTSUPP
        }
        let t = lookup(p, name, Int(n))
        if t < 0 { return t }
        guard Sockets.at(Int(t)).pointee.type == s.pointee.type else { return -Errno.EPROTOTYPE }
        return t
    }

    static func recvfrom(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        guard UserMemory.accessOK(a.a1, a.a2) else { return -Errno.EFAULT }
        let r = receive(p, f, Segments(single: a.a1, min(a.a2, SysIO.maxRW)), flags: a.a3, control: nil)
        // An unnamed sender leaves the address and its length as they were (Linux 6.18).
        if r.bytes >= 0 && a.a4 != 0 && Sockets.valid(r.sender) && Sockets.at(Int(r.sender)).pointee.nameLength > 0 {
            let e2 = putAddress(p, r.sender, a.a4, a.a5)
            if e2 < 0 { return e2 }
        }
        return r.bytes
    }

    /// struct msghdr (56 bytes): name, namelen, iov, iovlen, control, controllen, flags.
    struct MessageHeader {
        var name: UInt64 = 0
        var nameLength: UInt32 = 0
        var pad: UInt32 = 0
        var iov: UInt64 = 0
        var iovLength: UInt64 = 0
        var control: UInt64 = 0
        var controlLength: UInt64 = 0
        var flags: UInt32 = 0
        var pad2: UInt32 = 0
    }

    static func sendmsg(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        var m = MessageHeader()
        guard UserMemory.copyIn(p, to: &m, from: a.a1, count: 56) else { return -Errno.EFAULT }
        guard m.iovLength <= 1024 else { return -Errno.EMSGSIZE }                  // UIO_MAXIOV
        var dest: Int? = nil
        if m.name != 0 && m.nameLength != 0 {
            let d = destination(p, f, m.name, UInt64(m.nameLength))
            if d < 0 { return d }
            dest = d == Int64.max ? nil : Int(d)
        }
        var rights: UnsafeMutablePointer<RightsBatch>? = nil
        if m.controlLength > 0 {
            let r = parseControl(p, m.control, m.controlLength, into: &rights)
            if r < 0 { return r }
        }
        let segs = Segments(iov: m.iov, count: Int(m.iovLength))
        let r = send(p, f, segs, flags: a.a2, to: dest, rights: rights)
        if let b = rights, b.pointee.socket < 0 { Sockets.freeBatch(b, releasing: true) }     // not sent
        return r
    }

    /// The control messages of sendmsg: one SCM_RIGHTS batch (up to 253
    /// descriptors, each valid: EBADF), SCM_CREDENTIALS accepted for the
    /// caller's own pid; malformed EINVAL, too long ENOBUFS (optmem_max);
    /// a buffer shorter than one header holds none (CMSG_FIRSTHDR is NULL).
    static func parseControl(_ p: UnsafeMutablePointer<Process>, _ addr: UInt64, _ len: UInt64,
                             into rights: inout UnsafeMutablePointer<RightsBatch>?) -> Int64 {
        guard len <= 20480 else { return -Errno.ENOBUFS }
        guard len >= 16 else { return 0 }                                    // no header fits: no control messages
        var off: UInt64 = 0
        while off + 16 <= len {
            var h: (UInt64, UInt32, UInt32) = (0, 0, 0)
            guard UserMemory.copyIn(p, to: &h, from: addr &+ off, count: 16) else { return fail(&rights, -Errno.EFAULT) }
            guard h.0 >= 16, h.0 <= len - off else { return fail(&rights, -Errno.EINVAL) }
            if UInt64(h.1) == SOL_SOCKET && h.2 == SCM_RIGHTS {
                let n = Int((h.0 - 16) / 4)
                guard rights == nil, n > 0, n <= Sockets.maxRights else { return fail(&rights, -Errno.EINVAL) }
                guard let b = Sockets.newBatch(), let frame = FrameAllocator.allocate() else { return fail(&rights, -Errno.ETOOMANYREFS) }
                b.pointee.frame = frame
                b.pointee.socket = -2                                          // taken, not queued yet
                rights = b
                let ids: UnsafeMutablePointer<Int16> = Physical.pointer(frame)
                for k in 0..<n {
                    var fd: Int32 = 0
                    guard UserMemory.copyIn(p, to: &fd, from: addr &+ off &+ 16 &+ UInt64(4 * k), count: 4) else { return fail(&rights, -Errno.EFAULT) }
                    guard fd >= 0, fd < Int32(FileTable.capacity), p.pointee.files.slots[Int(fd)] >= 0 else { return fail(&rights, -Errno.EBADF) }
                    ids[k] = p.pointee.files.slots[Int(fd)]
                    OpenFiles.retain(Int(ids[k]))
                    b.pointee.count = Int32(k + 1)
                }
            } else if UInt64(h.1) == SOL_SOCKET && h.2 == SCM_CREDENTIALS {
                guard h.0 >= 28 else { return fail(&rights, -Errno.EINVAL) }
                var pid: Int32 = 0
                guard UserMemory.copyIn(p, to: &pid, from: addr &+ off &+ 16, count: 4) else { return fail(&rights, -Errno.EFAULT) }
                guard pid == p.pointee.pid else { return fail(&rights, -Errno.EPERM) }
            } else {
                return fail(&rights, -Errno.EINVAL)
            }
            off += (h.0 + 7) & ~7
        }
        return 0
    }

    static func fail(_ rights: inout UnsafeMutablePointer<RightsBatch>?, _ e: Int64) -> Int64 {
        if let b = rights { Sockets.freeBatch(b, releasing: true); rights = nil }
        return e
    }

    static func recvmsg(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        var m = MessageHeader()
        guard UserMemory.copyIn(p, to: &m, from: a.a1, count: 56) else { return -Errno.EFAULT }
        guard m.iovLength <= 1024 else { return -Errno.EMSGSIZE }
        var c = Control(address: m.control, length: m.controlLength, cloexec: a.a2 & MSG_CMSG_CLOEXEC != 0)
        let r = receive(p, f, Segments(iov: m.iov, count: Int(m.iovLength)), flags: a.a2, control: &c)
        if r.bytes < 0 { return r.bytes }
        if m.name != 0 {
            var len = Int32(bitPattern: m.nameLength)
            var unnamed: UInt16 = AF_UNIX
            var actual: Int32 = 0
            var src = UnsafeRawPointer(&unnamed)
            if Sockets.valid(r.sender) && Sockets.at(Int(r.sender)).pointee.nameLength > 0 {
                actual = Sockets.at(Int(r.sender)).pointee.nameLength
                src = UnsafeRawPointer(Sockets.name(Int(r.sender)))
            }
            len = max(0, min(len, actual))
            if len > 0 && !UserMemory.copyOut(p, to: m.name, from: src, count: Int(len)) { return -Errno.EFAULT }
            if actual > 0 { m.nameLength = UInt32(actual) }
        } else {
            m.nameLength = 0
        }
        m.controlLength = c.used
        m.flags = r.msgFlags
        // msg_namelen, msg_controllen and msg_flags go back (___sys_recvmsg).
        guard UserMemory.copyOut(p, to: a.a1 &+ 8, from: &m.nameLength, count: 4),
              UserMemory.copyOut(p, to: a.a1 &+ 40, from: &m.controlLength, count: 8),
              UserMemory.copyOut(p, to: a.a1 &+ 48, from: &m.flags, count: 4) else { return -Errno.EFAULT }
        return r.bytes
    }

    // MARK: socket options

    static let SO_DEBUG: UInt64 = 1, SO_REUSEADDR: UInt64 = 2, SO_TYPE: UInt64 = 3, SO_ERROR: UInt64 = 4
    static let SO_DONTROUTE: UInt64 = 5, SO_BROADCAST: UInt64 = 6, SO_SNDBUF: UInt64 = 7, SO_RCVBUF: UInt64 = 8
    static let SO_KEEPALIVE: UInt64 = 9, SO_OOBINLINE: UInt64 = 10, SO_PASSCRED: UInt64 = 16, SO_PEERCRED: UInt64 = 17
    static let SO_ACCEPTCONN: UInt64 = 30, SO_SNDBUFFORCE: UInt64 = 32, SO_RCVBUFFORCE: UInt64 = 33
    static let SO_PROTOCOL: UInt64 = 38, SO_DOMAIN: UInt64 = 39
    /// The on/off options kept as bits of UnixSocket.flags (bit = 1 << optname).
    static let booleanOptions: UInt64 = 1 << 1 | 1 << 2 | 1 << 5 | 1 << 6 | 1 << 9 | 1 << 10 | 1 << 16

    static func setsockopt(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        let optlen = SyscallArgs.int(a.a4)
        guard optlen >= 0 else { return -Errno.EINVAL }
        guard a.a1 & 0xffff_ffff == SOL_SOCKET else { return -Errno.EOPNOTSUPP }   // unix sockets have no other level
        guard optlen >= 4 else { return -Errno.EINVAL }
        var v: Int32 = 0
        guard UserMemory.copyIn(p, to: &v, from: a.a3, count: 4) else { return -Errno.EFAULT }
        let s = Sockets.at(f.pointee.node)
        let opt = a.a2 & 0xffff_ffff
        switch opt {
        case SO_SNDBUF, SO_SNDBUFFORCE:
            // sock_setsockopt: min(val, wmem_max) doubled, at least SOCK_MIN_SNDBUF.
            let val = opt == SO_SNDBUF ? min(UInt32(bitPattern: v), UInt32(Sockets.maxBuffer)) : UInt32(bitPattern: max(v, 0))
            s.pointee.sndbuf = Int32(clamping: max(UInt64(val) * 2, 4608))
        case SO_RCVBUF, SO_RCVBUFFORCE:
            let val = opt == SO_RCVBUF ? min(UInt32(bitPattern: v), UInt32(Sockets.maxBuffer)) : UInt32(bitPattern: max(v, 0))
            s.pointee.rcvbuf = Int32(clamping: max(UInt64(val) * 2, 2304))
        case let o where o < 64 && booleanOptions & (1 << o) != 0:
            if v != 0 { s.pointee.flags |= UInt32(1) << UInt32(o) } else { s.pointee.flags &= ~(UInt32(1) << UInt32(o)) }
        default:
            return -Errno.ENOPROTOOPT
        }
        return 0
    }

    static func getsockopt(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        guard a.a1 & 0xffff_ffff == SOL_SOCKET else { return -Errno.EOPNOTSUPP }
        var len: Int32 = 0
        guard UserMemory.copyIn(p, to: &len, from: a.a4, count: 4) else { return -Errno.EFAULT }
        guard len >= 0 else { return -Errno.EINVAL }
        let s = Sockets.at(f.pointee.node)
        var v: Int32 = 0
        switch a.a2 & 0xffff_ffff {
        case SO_TYPE: v = Int32(s.pointee.type)
        case SO_ERROR: v = 0
        case SO_SNDBUF: v = s.pointee.sndbuf
        case SO_RCVBUF: v = s.pointee.rcvbuf
        case SO_ACCEPTCONN: v = s.pointee.state == UnixSocket.listening ? 1 : 0
        case SO_PROTOCOL: v = 0
        case SO_DOMAIN: v = Int32(AF_UNIX)
        case SO_PEERCRED:
            // struct ucred of the other end: pid, uid 0, gid 0 (no peer: 0, -1, -1 as Linux's overflow ids).
            let connected = s.pointee.state == UnixSocket.connected || s.pointee.state == UnixSocket.listening
            var cred: (Int32, Int32, Int32) = connected ? (s.pointee.credPid, 0, 0) : (0, 65534, 65534)
            let n = Int(min(len, 12))
            guard UserMemory.copyOut(p, to: a.a3, from: &cred, count: n) else { return -Errno.EFAULT }
            var out = Int32(n)
            return UserMemory.copyOut(p, to: a.a4, from: &out, count: 4) ? 0 : -Errno.EFAULT
        case let o where o < 64 && booleanOptions & (1 << o) != 0:
            v = s.pointee.flags & (UInt32(1) << UInt32(o)) != 0 ? 1 : 0
        default:
            return -Errno.ENOPROTOOPT
        }
        let n = Int(min(len, 4))
        guard UserMemory.copyOut(p, to: a.a3, from: &v, count: n) else { return -Errno.EFAULT }
        var out = Int32(n)
        return UserMemory.copyOut(p, to: a.a4, from: &out, count: 4) ? 0 : -Errno.EFAULT
    }
}

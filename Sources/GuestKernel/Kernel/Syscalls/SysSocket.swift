import KernelSupport

/// The user bytes of one send or receive: one buffer, or an iovec array
/// read from user memory as it is walked (sendmsg/recvmsg).
struct Segments {
    let base: UInt64
    let count: Int
    let isSingle: Bool
    let singleLength: UInt64

    init(single buf: UInt64, _ n: UInt64) { base = buf; count = 1; isSingle = true; singleLength = n }
    init(iov: UInt64, count c: Int) { base = iov; count = c; isSingle = false; singleLength = 0 }

    func segment(_ p: UnsafeMutablePointer<Process>, _ k: Int) -> (UInt64, UInt64)? {
        if isSingle { return (base, singleLength) }
        var v: (UInt64, UInt64) = (0, 0)
        guard UserMemory.copyIn(p, to: &v, from: base &+ UInt64(16 * k), count: 16) else { return nil }
        return v
    }

    /// The byte total, checked as import_iovec: a negative length EINVAL,
    /// a range outside the user half EFAULT, clamped to MAX_RW_COUNT.
    func total(_ p: UnsafeMutablePointer<Process>) -> Int64 {
        var sum: UInt64 = 0
        for k in 0..<count {
            guard let (va, len) = segment(p, k) else { return -Errno.EFAULT }
            if Int64(bitPattern: len) < 0 { return -Errno.EINVAL }
            if !UserMemory.accessOK(va, len) && !KernelBounce.covers(va, len) { return -Errno.EFAULT }   // sendfile's page too
            sum = min(sum &+ len, SysIO.maxRW)
        }
        return Int64(sum)
    }

    /// Calls body(address, length) for the bytes [from, from + n) of the concatenation.
    func pieces(_ p: UnsafeMutablePointer<Process>, from: Int, _ n: Int, _ body: (UInt64, Int) -> Bool) {
        var skip = from, left = n
        var k = 0
        while left > 0 && k < count {
            guard let (va, len) = segment(p, k) else { return }
            k += 1
            let l = Int(min(len, SysIO.maxRW))
            if skip >= l { skip -= l; continue }
            let m = min(l - skip, left)
            if !body(va &+ UInt64(skip), m) { return }
            skip = 0
            left -= m
        }
    }
}

/// AF_UNIX socket system calls (socket(2), socketpair(2), bind(2),
/// listen(2), accept(2), connect(2), send(2), recv(2), shutdown(2),
/// getsockname(2), getsockopt(2); unix(7)) over Sockets.
enum SysSocket {
    static let AF_UNSPEC: UInt16 = 0, AF_UNIX: UInt16 = 1, AF_INET: UInt64 = 2, AF_INET6: UInt64 = 10
    static let SOCK_NONBLOCK: UInt64 = 0o4000, SOCK_CLOEXEC: UInt64 = 0o2000000
    static let MSG_PEEK: UInt64 = 0x2, MSG_CTRUNC: UInt32 = 0x8, MSG_TRUNC: UInt64 = 0x20, MSG_DONTWAIT: UInt64 = 0x40
    static let MSG_WAITALL: UInt64 = 0x100, MSG_NOSIGNAL: UInt64 = 0x4000, MSG_CMSG_CLOEXEC: UInt64 = 0x4000_0000
    static let SOL_SOCKET: UInt64 = 1, SCM_RIGHTS: UInt32 = 1, SCM_CREDENTIALS: UInt32 = 2
    static let O_NONBLOCK: UInt32 = 0o4000

    /// A datagram's (or seqpacket message's) header in the receive ring.
    struct Record { var length: UInt32 = 0; var sender: Int32 = -1 }
    static let recordSize = 8

    /// The socket behind a descriptor: EBADF, ENOTSOCK.
    static func socket(_ p: UnsafeMutablePointer<Process>, _ fd: UInt64) -> (UnsafeMutablePointer<OpenFile>?, Int64) {
        guard let f = p.pointee.files.get(fd) else { return (nil, -Errno.EBADF) }
        guard f.pointee.kind == .socket, Sockets.valid(Int32(f.pointee.node)) else { return (nil, -Errno.ENOTSOCK) }
        return (f, 0)
    }

    /// A description of socket `i` installed at the lowest free descriptor.
    static func install(_ p: UnsafeMutablePointer<Process>, _ i: Int, flags: UInt64, at fd: Int) -> Int64 {
        var f = OpenFile()
        f.kind = .socket
        f.node = i
        f.statusFlags = 2 | (flags & SOCK_NONBLOCK != 0 ? O_NONBLOCK : 0)        // O_RDWR
        f.mode = 0o140777
        f.inode = 0x3_0000 + UInt64(i)
        guard let d = OpenFiles.create(f) else { Sockets.close(i); return -Errno.ENFILE }
        p.pointee.files.install(fd, d, cloexec: flags & SOCK_CLOEXEC != 0)
        return Int64(fd)
    }

    /// socket(2)'s checks (__sys_socket, unix_create): the type and its flags.
    static func checkType(_ domain: UInt64, _ type: UInt64, _ proto: UInt64) -> (UInt8, Int64) {
        let t = type & 0xffff_ffff
        guard t & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf) == 0 else { return (0, -Errno.EINVAL) }
        guard domain & 0xffff_ffff == UInt64(AF_UNIX) else { return (0, -Errno.EAFNOSUPPORT) }     // only AF_UNIX here
        let protocolValue = proto & 0xffff_ffff
        guard protocolValue == 0 || protocolValue == 1 else { return (0, -Errno.EPROTONOSUPPORT) }
        switch t & 0xf {
        case 1: return (Sockets.SOCK_STREAM, 0)
        case 2, 3: return (Sockets.SOCK_DGRAM, 0)                           // SOCK_RAW is SOCK_DGRAM here (af_unix.c)
        case 5: return (Sockets.SOCK_SEQPACKET, 0)
        default: return (0, -Errno.ESOCKTNOSUPPORT)
        }
    }

    static func socket(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (type, e) = checkType(a.a0, a.a1, a.a2)
        if e != 0 { return e }
        guard let fd = p.pointee.files.lowestFree() else { return -Errno.EMFILE }
        guard let i = Sockets.create(type: type, pid: p.pointee.pid) else { return -Errno.ENFILE }
        return install(p, i, flags: a.a1, at: fd)
    }

    static func socketpair(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let domain = a.a0 & 0xffff_ffff
        if domain == AF_INET || domain == AF_INET6 {
            // inet_stream_ops.socketpair is sock_no_socketpair; a bad type is still EINVAL first.
            let t = a.a1 & 0xffff_ffff
            return t & ~(SOCK_NONBLOCK | SOCK_CLOEXEC | 0xf) != 0 ? -Errno.EINVAL : -Errno.EOPNOTSUPP
        }
        let (type, e) = checkType(a.a0, a.a1, a.a2)
        if e != 0 { return e }
        guard let r = p.pointee.files.lowestFree(), let w = p.pointee.files.lowestFree(from: r + 1) else { return -Errno.EMFILE }
        guard let x = Sockets.create(type: type, pid: p.pointee.pid) else { return -Errno.ENFILE }
        guard let y = Sockets.create(type: type, pid: p.pointee.pid) else { Sockets.close(x); return -Errno.ENFILE }
        Sockets.join(x, y)
        var pair: (Int32, Int32) = (Int32(r), Int32(w))
        guard UserMemory.copyOut(p, to: a.a3, from: &pair, count: 8) else { Sockets.close(x); Sockets.close(y); return -Errno.EFAULT }
        let e1 = install(p, x, flags: a.a1, at: r)
        if e1 < 0 { Sockets.close(y); return e1 }
        let e2 = install(p, y, flags: a.a1, at: w)
        if e2 < 0 { p.pointee.files.close(r); return e2 }
        return 0
    }

    // MARK: addresses

    /// A sockaddr_un from user memory into `dst` (Sockets.nameMax bytes): its length, or -errno (unix_validate_addr).
    static func copyAddress(_ p: UnsafeMutablePointer<Process>, _ addr: UInt64, _ len: UInt64,
                            into dst: UnsafeMutablePointer<UInt8>) -> Int64 {
        let n = Int64(Int32(truncatingIfNeeded: len))
        guard n >= 2 && n <= Int64(Sockets.nameMax) else { return -Errno.EINVAL }
        guard UserMemory.copyIn(p, to: dst, from: addr, count: Int(n)) else { return -Errno.EFAULT }
        guard UInt16(dst[0]) | UInt16(dst[1]) << 8 == AF_UNIX else { return -Errno.EINVAL }
        return n
    }

    /// The path of sockaddr `a` (length n > 2, not abstract) normalized into PathBuffers.out1: its length or -errno.
    static func normalizedPath(_ p: UnsafeMutablePointer<Process>, _ a: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int64 {
        let raw = PathBuffers.raw
        var len = 0
        while 2 + len < n && a[2 + len] != 0 { raw[len] = a[2 + len]; len += 1 }
        raw[len] = 0
        if len == 0 { return -Errno.ENOENT }
        return Path.normalizeRaw(p, SysFile.AT_FDCWD, len, into: PathBuffers.out1)
    }

    /// The socket named by sockaddr `a`: ENOENT (no such name), ECONNREFUSED (not a socket, or nobody bound).
    static func lookup(_ p: UnsafeMutablePointer<Process>, _ a: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int64 {
        if a[2] == 0 {
            guard let i = Sockets.bound(abstract: a, n) else { return -Errno.ECONNREFUSED }
            return Int64(i)
        }
        let len = normalizedPath(p, a, n)
        if len < 0 { return len }
        let norm = PathBuffers.out1
        guard let f = Path.lookup(norm, Int(len)) else { return Path.missingError(norm, Int(len)) }
        guard f.kind == .tmpFile, f.mode & 0o170000 == 0o140000, let i = Sockets.bound(node: f.node) else { return -Errno.ECONNREFUSED }
        return Int64(i)
    }

    /// Writes socket `i`'s name (i < 0: an unnamed one) to a user sockaddr
    /// and its length to `lenAddr` (the length the name has, not what fits).
    static func putAddress(_ p: UnsafeMutablePointer<Process>, _ i: Int32, _ addr: UInt64, _ lenAddr: UInt64,
                           unnamedLength: Int32 = 2) -> Int64 {
        guard lenAddr != 0 else { return 0 }
        var len: Int32 = 0
        guard UserMemory.copyIn(p, to: &len, from: lenAddr, count: 4) else { return -Errno.EFAULT }
        guard len >= 0 else { return -Errno.EINVAL }
        var unnamed: UInt16 = AF_UNIX
        var actual: Int32 = unnamedLength
        var src = UnsafeRawPointer(&unnamed)
        if Sockets.valid(i) && Sockets.at(Int(i)).pointee.nameLength > 0 {
            actual = Sockets.at(Int(i)).pointee.nameLength
            src = UnsafeRawPointer(Sockets.name(Int(i)))
        }
        let m = Int(min(len, actual))
        guard m == 0 || UserMemory.copyOut(p, to: addr, from: src, count: m) else { return -Errno.EFAULT }
        guard UserMemory.copyOut(p, to: lenAddr, from: &actual, count: 4) else { return -Errno.EFAULT }
        return 0
    }

    static func bind(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        let i = f.pointee.node
        let s = Sockets.at(i)
        let name = PathBuffers.out2
        let n = copyAddress(p, a.a1, a.a2, into: name)
        if n < 0 { return n }
        let bound = s.pointee.nameLength != 0
        if n == 2 || name[2] == 0, bound { return -Errno.EINVAL }
        if n == 2 { return autobind(i) }
        if name[2] == 0 {                                                  // abstract
            if Sockets.bound(abstract: name, Int(n)) != nil { return -Errno.EADDRINUSE }
            copyBytes(Sockets.name(i), name, Int(n))
            s.pointee.nameLength = Int32(n)
            return 0
        }
        let len = normalizedPath(p, name, Int(n))
        if len < 0 { return len }
        let norm = PathBuffers.out1
        if Path.lookup(norm, Int(len)) != nil { return -Errno.EADDRINUSE }     // the mknod comes first (unix_bind_bsd)
        let missing = Path.missingError(norm, Int(len))
        if missing != -Errno.ENOENT { return missing }
        if bound { return -Errno.EINVAL }
        guard Tmpfs.contains(norm, Int(len)) else { return -Errno.EROFS }
        let w = Tmpfs.walk(norm, Int(len))
        guard let parent = w.parent else { return -Errno.ENOENT }
        guard w.nameLength <= Tmpfs.nameMax else { return -Errno.ENAMETOOLONG }
        guard let node = Tmpfs.create(parent: parent, w.name, w.nameLength, directory: false, mode: 0),
              let nodes = Tmpfs.nodes else { return -Errno.ENOSPC }
        nodes[node].mode = 0o140000 | (0o777 & ~p.pointee.umask)          // S_IFSOCK (unix_bind)
        Tmpfs.opened(node)                                                 // held while bound
        s.pointee.node = Int32(node)
        // The name as given, up to its NUL, plus the NUL (unix_bind's addr_len).
        var k = 2
        while k < Int(n) && name[k] != 0 { k += 1 }
        copyBytes(Sockets.name(i), name, k)
        Sockets.name(i)[k] = 0
        s.pointee.nameLength = Int32(min(k + 1, Sockets.nameMax))
        return 0
    }

    /// An abstract name "\0" + five hex digits (unix_autobind).
    static func autobind(_ i: Int) -> Int64 {
        let d = Sockets.name(i)
        for _ in 0..<0x100000 {
            Sockets.autobindCounter = (Sockets.autobindCounter &+ 1) & 0xfffff
            d[0] = UInt8(AF_UNIX); d[1] = 0; d[2] = 0
            var v = Sockets.autobindCounter
            for k in (0..<5).reversed() { let h = UInt8(v & 0xf); d[3 + k] = h < 10 ? 0x30 + h : 0x57 + h; v >>= 4 }
            if Sockets.bound(abstract: d, 8) == nil {
                Sockets.at(i).pointee.nameLength = 8
                return 0
            }
        }
        return -Errno.ENOSPC
    }

    static func listen(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        let s = Sockets.at(f.pointee.node)
        guard s.pointee.connectionOriented else { return -Errno.EOPNOTSUPP }
        guard s.pointee.nameLength > 0, s.pointee.state != UnixSocket.connected else { return -Errno.EINVAL }
        let backlog = SyscallArgs.int(a.a1)
        s.pointee.backlog = max(0, min(backlog < 0 ? 4096 : backlog, 4096))         // somaxconn
        s.pointee.state = UnixSocket.listening
        s.pointee.credPid = p.pointee.pid
        Sockets.wake(f.pointee.node)
        return 0
    }

    static func connect(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        let i = f.pointee.node
        let s = Sockets.at(i)
        let name = PathBuffers.out2
        // A datagram socket disconnects with AF_UNSPEC (unix_dgram_connect).
        if !s.pointee.connectionOriented && a.a2 >= 2, let fam = UserMemory.read8(p, a.a1), fam == 0,
           UserMemory.read8(p, a.a1 &+ 1) == 0 {
            s.pointee.peer = -1
            return 0
        }
        let n = copyAddress(p, a.a1, a.a2, into: name)
        if n < 0 { return n }
        if s.pointee.connectionOriented {
            if s.pointee.state == UnixSocket.connected { return -Errno.EISCONN }
            if s.pointee.state == UnixSocket.listening { return -Errno.EINVAL }
        }
        let nonblock = f.pointee.statusFlags & O_NONBLOCK != 0
        while true {
            let found = lookup(p, name, Int(n))
            if found < 0 { return found }
            let t = Int(found)
            let target = Sockets.at(t)
            guard target.pointee.type == s.pointee.type else { return -Errno.EPROTOTYPE }
            if !s.pointee.connectionOriented {
                s.pointee.peer = Int32(t)
                return 0
            }
            guard target.pointee.state == UnixSocket.listening else { return -Errno.ECONNREFUSED }
            if target.pointee.pendingCount > target.pointee.backlog {       // unix_recvq_full
                if nonblock { return -Errno.EAGAIN }
                if Scheduler.sleep(on: Sockets.channel(t, writer: true)) == .interrupted { return -Errno.ERESTARTSYS }
                continue
            }
            guard let server = Sockets.create(type: s.pointee.type, pid: p.pointee.pid) else { return -Errno.ENFILE }
            Sockets.join(i, server)
            let srv = Sockets.at(server)
            srv.pointee.listener = Int32(t)
            srv.pointee.nameLength = target.pointee.nameLength
            copyBytes(Sockets.name(server), Sockets.name(t), Int(target.pointee.nameLength))
            s.pointee.credPid = target.pointee.credPid                       // SO_PEERCRED: the listener's
            if target.pointee.pendingTail >= 0 { Sockets.at(Int(target.pointee.pendingTail)).pointee.nextPending = Int32(server) }
            else { target.pointee.pendingHead = Int32(server) }
            target.pointee.pendingTail = Int32(server)
            target.pointee.pendingCount += 1
            Sockets.wake(t)
            return 0
        }
    }

    static func accept(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, flags: UInt64) -> Int64 {
        guard flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC) == 0 else { return -Errno.EINVAL }
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        let l = f.pointee.node
        let s = Sockets.at(l)
        guard s.pointee.connectionOriented else { return -Errno.EOPNOTSUPP }
        guard s.pointee.state == UnixSocket.listening else { return -Errno.EINVAL }
        while s.pointee.pendingCount == 0 {
            if f.pointee.statusFlags & O_NONBLOCK != 0 { return -Errno.EAGAIN }
            if Scheduler.sleep(on: Sockets.channel(l, writer: false)) == .interrupted { return -Errno.ERESTARTSYS }
            guard s.pointee.state == UnixSocket.listening else { return -Errno.EINVAL }
        }
        guard let fd = p.pointee.files.lowestFree() else { return -Errno.EMFILE }
        let server = Int(s.pointee.pendingHead)
        Sockets.unlinkPending(l, server)
        Sockets.at(server).pointee.listener = -1
        Sockets.at(server).pointee.nextPending = -1
        Sockets.wake(l)                                                     // a connect waiting for room
        let r = install(p, server, flags: flags, at: fd)
        if r < 0 { return r }
        if a.a1 != 0 {
            let e2 = putAddress(p, Sockets.at(server).pointee.peer, a.a1, a.a2)
            if e2 < 0 { p.pointee.files.close(fd); return e2 }
        }
        return r
    }

    static func name(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs, peer: Bool) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        let s = Sockets.at(f.pointee.node)
        if peer {
            guard Sockets.valid(s.pointee.peer), s.pointee.state == UnixSocket.connected || !s.pointee.connectionOriented
            else { return -Errno.ENOTCONN }
            return putAddress(p, s.pointee.peer, a.a1, a.a2)
        }
        return putAddress(p, Int32(f.pointee.node), a.a1, a.a2)
    }

    static func shutdown(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f0, e) = socket(p, a.a0)
        guard let f = f0 else { return e }
        let how = SyscallArgs.int(a.a1)
        guard how >= 0 && how <= 2 else { return -Errno.EINVAL }
        let i = f.pointee.node
        let s = Sockets.at(i)
        if how != 1 { s.pointee.shutRead = true }
        if how != 0 { s.pointee.shutWrite = true }
        let peer = s.pointee.peer
        if s.pointee.connectionOriented && Sockets.valid(peer) {
            if how != 1 { Sockets.at(Int(peer)).pointee.shutWrite = true }
            if how != 0 { Sockets.at(Int(peer)).pointee.shutRead = true }
            Sockets.wake(Int(peer))
        }
        Sockets.wake(i)
        return 0
    }
}

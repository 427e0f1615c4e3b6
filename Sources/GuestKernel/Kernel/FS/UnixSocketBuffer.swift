import KernelSupport

/// A socket's receive queue: a 64 KiB byte ring in frames taken as it
/// fills (given back when the socket goes). Datagram and seqpacket sockets
/// keep message boundaries with an 8-byte record header before each
/// message's bytes (UnixSocket.Record).
struct SocketRing {
    static let pages = 16
    static let size = pages * 4096
    var frames: UnsafeMutablePointer<UInt64>? = nil    // `pages` frames, 0 until written
    var head = 0                                        // next byte to read
    var count = 0                                       // bytes buffered
    /// Bytes ever taken out: with `head` it names stream positions, which
    /// SCM_RIGHTS batches are attached to.
    var consumed: UInt64 = 0
    /// Whether a write ever took a frame: a pair closed unused (socketpair's
    /// benchmark) skips the scan of `pages` slots.
    var written = false

    var space: Int { SocketRing.size - count }

    /// An empty ring. Its table of frames comes with the first write
    /// (put, putUser), so a socket closed unused (socketpair's benchmark) allocates
    /// and frees nothing.
    mutating func setUp() -> Bool {
        frames = nil
        head = 0; count = 0; consumed = 0
        return true
    }

    @inline(never)
    mutating func allocateFrames() {
        let f = UnsafeMutablePointer<UInt64>.allocate(capacity: SocketRing.pages)
        f.initialize(repeating: 0, count: SocketRing.pages)
        frames = f
    }

    mutating func tearDown() {
        if let f = frames {
            if written { for k in 0..<SocketRing.pages where f[k] != 0 { FrameAllocator.free(f[k]) } }
            f.deallocate()
        }
        frames = nil
        head = 0; count = 0; written = false
    }

    /// The kernel address of ring position `pos` and the bytes contiguous there.
    func slot(_ pos: Int, create: Bool) -> (UnsafeMutablePointer<UInt8>, Int)? {
        guard let f = frames else { return nil }
        let k = (pos / 4096) % SocketRing.pages
        if f[k] == 0 {
            guard create, let frame = FrameAllocator.allocate() else { return nil }
            f[k] = frame
        }
        return (Physical.bytes(f[k]) + pos % 4096, 4096 - pos % 4096)
    }

    /// Appends `n` kernel bytes (the caller checked `space`); false when no frame was left.
    mutating func put(_ src: UnsafeRawPointer, _ n: Int) -> Bool {
        written = true
        if frames == nil { allocateFrames() }
        var k = 0
        while k < n {
            guard let (dst, avail) = slot((head + count) % SocketRing.size, create: true) else { return false }
            let m = min(n - k, avail)
            copyBytes(dst, src.assumingMemoryBound(to: UInt8.self) + k, m)
            k += m
            count += m
        }
        return true
    }

    /// Appends up to `n` user bytes at `va` (at most `space`): bytes copied, and whether it stopped short (fault or no frame).
    mutating func putUser(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, _ n: Int) -> (Int, Bool) {
        var done = 0
        var short = false
        written = true
        if frames == nil { allocateFrames() }
        let want = min(n, space)
        let ok = UserMemory.forEachChunk(p, va, UInt64(want), write: false) { src, c in
            var k = 0
            while k < c && !short {
                guard let (dst, avail) = slot((head + count) % SocketRing.size, create: true) else { short = true; return }
                let m = min(c - k, avail)
                copyBytes(dst, src + k, m)
                k += m
                count += m
                done += m
            }
        }
        return (done, !ok || short)
    }

    /// Copies `n` bytes starting `skip` bytes past the head into kernel memory (no consuming).
    func peek(_ dst: UnsafeMutableRawPointer, _ n: Int, skip: Int = 0) {
        var k = 0
        while k < n, let (src, avail) = slot((head + skip + k) % SocketRing.size, create: false) {
            let m = min(n - k, avail)
            copyBytes(dst.assumingMemoryBound(to: UInt8.self) + k, src, m)
            k += m
        }
    }

    /// Copies `n` bytes starting `skip` past the head to user `va`: bytes copied (short on a fault).
    func copyOut(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, _ n: Int, skip: Int) -> Int {
        var done = 0
        _ = UserMemory.forEachChunk(p, va, UInt64(n), write: true) { dst, c in
            var k = 0
            while k < c, let (src, avail) = slot((head + skip + done) % SocketRing.size, create: false) {
                let m = min(c - k, avail)
                copyBytes(dst + k, src, m)
                k += m
                done += m
            }
        }
        return done
    }

    mutating func drop(_ n: Int) {
        let m = min(n, count)
        head = (head + m) % SocketRing.size
        count -= m
        consumed &+= UInt64(m)
    }
}

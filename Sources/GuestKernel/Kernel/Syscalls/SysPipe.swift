/// pipe(2)/pipe2(2) and I/O on pipe ends (pipe(7)): readers and writers
/// sleep on the pipe's channels (Scheduler) and wake each other.
enum SysPipe {
    static let O_NONBLOCK: UInt32 = 0o4000
    static let SIGPIPE: Int32 = 13

    static func pipe2(_ p: UnsafeMutablePointer<Process>, _ fds: UInt64, _ flags: UInt64) -> Int64 {
        guard flags & ~(SysFile.O_CLOEXEC | UInt64(O_NONBLOCK)) == 0 else { return -Errno.EINVAL }
        guard let r = p.pointee.files.lowestFree(), let w = p.pointee.files.lowestFree(from: r + 1) else { return -Errno.EMFILE }
        guard let pipe = Pipes.create() else { return -Errno.ENFILE }
        var end = OpenFile()
        end.kind = .pipeRead
        end.node = pipe
        end.statusFlags = UInt32(flags) & O_NONBLOCK
        end.inode = 0x2_0000 + UInt64(pipe)
        guard let ri = OpenFiles.create(end) else { Pipes.close(pipe, writer: true); Pipes.close(pipe, writer: false); return -Errno.ENFILE }
        end.kind = .pipeWrite
        end.statusFlags |= 1                                           // O_WRONLY
        guard let wi = OpenFiles.create(end) else { OpenFiles.release(ri); Pipes.close(pipe, writer: true); return -Errno.ENFILE }
        var pair: (Int32, Int32) = (Int32(r), Int32(w))
        guard UserMemory.copyOut(p, to: fds, from: &pair, count: 8) else {
            OpenFiles.release(ri); OpenFiles.release(wi)
            return -Errno.EFAULT
        }
        let cloexec = flags & SysFile.O_CLOEXEC != 0
        p.pointee.files.install(r, ri, cloexec: cloexec)
        p.pointee.files.install(w, wi, cloexec: cloexec)
        return 0
    }

    /// What a reader (or writer) of pipe `i` sleeps on.
    static func channel(_ i: Int, writer: Bool) -> UInt64 { 0x3_0000_0000 | UInt64(i) << 1 | (writer ? 1 : 0) }

    /// read(2) of a pipe: sleeps while it is empty and has a writer (EAGAIN
    /// with O_NONBLOCK), EOF (0) when empty without writers.
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ buf: UInt64, _ n: UInt64) -> Int64 {
        guard let t = Pipes.table else { return -Errno.EBADF }
        let i = f.pointee.node
        if n == 0 { return 0 }
        if t[i].count == 0, let r = waitToRead(p, f, t, i) { return r }
        let want = Int(min(n, UInt64(t[i].count)))
        var done = 0
        if UserMemory.isCurrent(p) && UserMemory.inUserHalf(buf, want), let frames = t[i].frames {
            // The running process's buffer: user_copy per ring piece, its
            // fault fixup instead of a walk of the page tables per page.
            // Every byte buffered lies in a frame (written before).
            var head = t[i].head
            if want <= 4096 &- (head & 4095) {                // one piece: no loop
                let frame = frames[(head &>> 12) & (Pipes.pages &- 1)]
                if frame != 0 {
                    done = UserMemory.copyOutLive(to: buf, from: Physical.bytes(frame) + (head & 4095), count: want)
                    t[i].head = (head &+ done) & (Pipes.size &- 1)
                    t[i].count &-= done
                }
            } else {
                repeat {
                    let frame = frames[(head &>> 12) & (Pipes.pages &- 1)], off = head & 4095
                    guard frame != 0 else { break }
                    let m = min(want &- done, 4096 &- off)
                    let copied = UserMemory.copyOutLive(to: buf &+ UInt64(done), from: Physical.bytes(frame) + off, count: m)
                    head = (head &+ copied) & (Pipes.size &- 1)
                    done &+= copied
                    if copied < m { break }
                } while done < want
                t[i].head = head
                t[i].count &-= done
            }
        } else {
            done = readWalked(p, t, i, buf, want)
        }
        if done > 0 { Pipes.changed(t, i, readers: false, writers: true); Scheduler.wakeup(channel(i, writer: true)) }
        return done == 0 ? -Errno.EFAULT : Int64(done)
    }

    /// An empty pipe: nil once bytes are there, else read's result (EOF,
    /// EAGAIN, a signal). Out of line, so that read carries none of it.
    @inline(never)
    static func waitToRead(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                           _ t: UnsafeMutablePointer<Pipe>, _ i: Int) -> Int64? {
        while t[i].count == 0 {
            if t[i].writers <= 0 { return 0 }
            if f.pointee.statusFlags & O_NONBLOCK != 0 { return -Errno.EAGAIN }
            Scheduler.sleep(on: channel(i, writer: false))
            if Signals.interrupted(p) { return -Errno.ERESTARTSYS }
        }
        return nil
    }

    /// read's copy into another process's memory (or a range that needs
    /// checking page by page): through its page tables.
    @inline(never)
    static func readWalked(_ p: UnsafeMutablePointer<Process>, _ t: UnsafeMutablePointer<Pipe>, _ i: Int, _ buf: UInt64, _ want: Int) -> Int {
        var done = 0
        _ = UserMemory.forEachChunk(p, buf, UInt64(want), write: true) { dst, c in
            var k = 0
            while k < c, let (src, avail) = Pipes.slot(i, t[i].head, create: false) {
                let m = min(c - k, avail)
                copyBytes(dst + k, src, m)
                k += m
                t[i].head = (t[i].head + m) % Pipes.size
                t[i].count -= m
                done += m
            }
        }
        return done
    }

    /// write(2) of a pipe (pipe(7)): all n bytes, sleeping while it is full;
    /// n <= PIPE_BUF goes in at once or not at all; with O_NONBLOCK what fits
    /// (EAGAIN for none, or for a small write that does not fit whole).
    /// Without readers: SIGPIPE (its default action ends the process on the
    /// way out) and EPIPE (or the bytes written).
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ buf: UInt64, _ n: UInt64) -> Int64 {
        guard let t = Pipes.table else { return -Errno.EBADF }
        let i = f.pointee.node
        // The common case first: a reader, room for all of it (the atomic
        // rule then holds too), the running process's bytes.
        if t[i].readers > 0 && n > 0 && n <= UInt64(Pipes.size &- t[i].count) && UserMemory.isCurrent(p)
            && UserMemory.inUserHalf(buf, Int(n)) {
            let done = copyInLive(t, i, buf, Int(n))
            if done > 0 { Pipes.changed(t, i, readers: true, writers: false); Scheduler.wakeup(channel(i, writer: false)) }
            if done == Int(n) { return Int64(n) }
            return done > 0 ? Int64(done) : -Errno.EFAULT
        }
        return writeSlow(p, f, t, i, buf, n)
    }

    /// write's general loop: sleeps, partial and atomic writes, no reader.
    @inline(never)
    static func writeSlow(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                          _ t: UnsafeMutablePointer<Pipe>, _ i: Int, _ buf: UInt64, _ n: UInt64) -> Int64 {
        let atomic = n <= UInt64(pipeBuf)
        var total: UInt64 = 0
        while true {
            if t[i].readers <= 0 {
                Signals.send(p, SIGPIPE)            // pipe_write: send_sig, acted on the way out
                return total > 0 ? Int64(total) : -Errno.EPIPE
            }
            if total == n { return Int64(n) }
            let space = UInt64(Pipes.size - t[i].count)
            if space > 0 && (!atomic || space >= n) {
                let (done, fault) = copyIn(p, i, buf + total, min(n - total, space))
                total += UInt64(done)
                if done > 0 { Pipes.changed(t, i, readers: true, writers: false); Scheduler.wakeup(channel(i, writer: false)) }
                if fault { return total > 0 ? Int64(total) : -Errno.EFAULT }
                continue
            }
            if f.pointee.statusFlags & O_NONBLOCK != 0 { return total > 0 ? Int64(total) : -Errno.EAGAIN }
            Scheduler.sleep(on: channel(i, writer: true))
            if Signals.interrupted(p) { return total > 0 ? Int64(total) : -Errno.ERESTARTSYS }
        }
    }

    /// Copies `n` bytes of the running process at `buf` (in the user half)
    /// into pipe `i`'s free space, which holds them: user_copy per ring
    /// piece, a frame taken where the ring has none yet. The bytes copied
    /// (fewer at a fault or when no frame is left).
    @inline(__always)
    static func copyInLive(_ t: UnsafeMutablePointer<Pipe>, _ i: Int, _ buf: UInt64, _ n: Int) -> Int {
        guard let frames = t[i].frames else { return 0 }
        var tail = (t[i].head &+ t[i].count) & (Pipes.size &- 1)
        let first = frames[(tail &>> 12) & (Pipes.pages &- 1)]
        if first != 0 && n <= 4096 &- (tail & 4095) {         // one piece: no loop
            let copied = UserMemory.copyInLive(to: Physical.bytes(first) + (tail & 4095), from: buf, count: n)
            t[i].count &+= copied
            return copied
        }
        var done = 0
        repeat {
            let k = (tail &>> 12) & (Pipes.pages &- 1), off = tail & 4095
            var frame = frames[k]
            if frame == 0 {
                frame = Pipes.fill(frames, k)
                if frame == 0 { break }
            }
            let m = min(n &- done, 4096 &- off)
            let copied = UserMemory.copyInLive(to: Physical.bytes(frame) + off, from: buf &+ UInt64(done), count: m)
            t[i].count &+= copied
            done &+= copied
            tail = (tail &+ copied) & (Pipes.size &- 1)
            if copied < m { break }
        } while done < n
        return done
    }

    static let pipeBuf = 4096                                          // PIPE_BUF

    /// Copies up to `want` user bytes at `buf` into pipe `i`'s free space:
    /// the bytes copied and whether a user page could not be read.
    static func copyIn(_ p: UnsafeMutablePointer<Process>, _ i: Int, _ buf: UInt64, _ want: UInt64) -> (Int, Bool) {
        guard let t = Pipes.table else { return (0, true) }
        var done = 0
        var full = false
        if UserMemory.isCurrent(p) && UserMemory.inUserHalf(buf, Int(want)) {
            let n = Int(want)
            let got = copyInLive(t, i, buf, n)
            // Short: no frame left where the tail is (a fault only when
            // nothing went in), else a fault.
            if got < n, let f = t[i].frames, f[((t[i].head &+ t[i].count) & (Pipes.size &- 1)) &>> 12] == 0 { return (got, got == 0) }
            return (got, got < n)
        }
        let ok = UserMemory.forEachChunk(p, buf, want, write: false) { src, c in
            var k = 0
            while k < c && !full {
                guard let (dst, avail) = Pipes.slot(i, (t[i].head + t[i].count) % Pipes.size, create: true) else { full = true; return }
                let m = min(c - k, avail)
                copyBytes(dst, src + k, m)
                k += m
                t[i].count += m
                done += m
            }
        }
        return (done, !ok || (full && done == 0))
    }
}

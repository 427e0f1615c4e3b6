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
        while t[i].count == 0 {
            if t[i].writers <= 0 { return 0 }
            if f.pointee.statusFlags & O_NONBLOCK != 0 { return -Errno.EAGAIN }
            Scheduler.sleep(on: channel(i, writer: false))
            if Signals.interrupted(p) { return -Errno.ERESTARTSYS }
        }
        let want = Int(min(n, UInt64(t[i].count)))
        var done = 0
        if UserMemory.isCurrent(p) && UserMemory.inUserHalf(buf, want) {
            // The running process's buffer: user_copy per ring piece, its
            // fault fixup instead of a walk of the page tables per page.
            while done < want, let (src, avail) = Pipes.slot(i, t[i].head, create: false) {
                let m = min(want &- done, avail)
                let copied = UserMemory.copyOutLive(to: buf &+ UInt64(done), from: src, count: m)
                t[i].head = (t[i].head &+ copied) % Pipes.size
                t[i].count &-= copied
                done &+= copied
                if copied < m { break }
            }
        } else { _ = UserMemory.forEachChunk(p, buf, UInt64(want), write: true) { dst, c in
            var k = 0
            while k < c, let (src, avail) = Pipes.slot(i, t[i].head, create: false) {
                let m = min(c - k, avail)
                copyBytes(dst + k, src, m)
                k += m
                t[i].head = (t[i].head + m) % Pipes.size
                t[i].count -= m
                done += m
            }
        } }
        if done > 0 { Pipes.changed(t, i, readers: false, writers: true); Scheduler.wakeup(channel(i, writer: true)) }
        return done == 0 ? -Errno.EFAULT : Int64(done)
    }

    /// write(2) of a pipe (pipe(7)): all n bytes, sleeping while it is full;
    /// n <= PIPE_BUF goes in at once or not at all; with O_NONBLOCK what fits
    /// (EAGAIN for none, or for a small write that does not fit whole).
    /// Without readers: SIGPIPE (its default action ends the process on the
    /// way out) and EPIPE (or the bytes written).
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ buf: UInt64, _ n: UInt64) -> Int64 {
        guard let t = Pipes.table else { return -Errno.EBADF }
        let i = f.pointee.node
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

    static let pipeBuf = 4096                                          // PIPE_BUF

    /// Copies up to `want` user bytes at `buf` into pipe `i`'s free space:
    /// the bytes copied and whether a user page could not be read.
    static func copyIn(_ p: UnsafeMutablePointer<Process>, _ i: Int, _ buf: UInt64, _ want: UInt64) -> (Int, Bool) {
        guard let t = Pipes.table else { return (0, true) }
        var done = 0
        var full = false
        if UserMemory.isCurrent(p) && UserMemory.inUserHalf(buf, Int(want)) {
            // The running process's bytes: user_copy per ring piece (as read).
            let n = Int(want)
            while done < n {
                guard let (dst, avail) = Pipes.slot(i, (t[i].head &+ t[i].count) % Pipes.size, create: true) else { full = true; break }
                let m = min(n &- done, avail)
                let copied = UserMemory.copyInLive(to: dst, from: buf &+ UInt64(done), count: m)
                t[i].count &+= copied
                done &+= copied
                if copied < m { return (done, true) }
            }
            return (done, full && done == 0)
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

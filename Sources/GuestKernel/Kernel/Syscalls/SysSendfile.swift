/// sendfile(2) (fs/read_write.c do_sendfile): out_fd anything with a
/// splice_write here (pipe, AF_UNIX socket, tmpfs file, terminal, /dev/null,
/// /dev/zero, /dev/urandom); in_fd anything with a splice_read (a regular
/// file, /dev/zero, /dev/urandom, an AF_UNIX socket, the console tty; not a
/// pipe, eventfd, /dev/null, directory or /proc file). Into a pipe that is
/// all (splice_file_to_pipe, Linux 5.12+); into anything else the input must
/// also be seekable (do_splice_direct's FMODE_LSEEK check, Linux 6.x: not a
/// socket or terminal), as the host's 6.18 answers.
/// Bytes move through the process's scratch page (KernelBounce), a page at a
/// time, by the in file's read and the out file's write: no allocation.
enum SysSendfile {
    static let O_APPEND: UInt32 = 0o2000

    static func sendfile(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let offsetPointer = a.a2
        var pos: UInt64 = 0
        // sendfile64: the offset is read before any descriptor is looked at.
        if offsetPointer != 0 {
            guard let v = UserMemory.read64(p, offsetPointer) else { return -Errno.EFAULT }
            pos = v
        }
        guard let input = p.pointee.files.get(a.a1), input.pointee.readable else { return -Errno.EBADF }
        if offsetPointer == 0 { pos = input.pointee.offset }
        else {
            let s = FileOps.seeking(input.pointee.kind)
            guard s != .unseekable && s != .stream else { return -Errno.ESPIPE }     // no FMODE_PREAD
        }
        // rw_verify_area: a count or an end past LLONG_MAX is EINVAL.
        let count = a.a3
        guard Int64(bitPattern: count) >= 0, Int64(bitPattern: pos) >= 0,
              Int64(bitPattern: pos &+ count) >= 0 else { return -Errno.EINVAL }
        guard let output = p.pointee.files.get(a.a0), output.pointee.writable else { return -Errno.EBADF }
        let out = output.pointee.kind
        let pipeOut = out == .pipeWrite
        // do_splice_direct refuses O_APPEND; no splice_read (pipes,
        // directories, /proc) or splice_write (eventfd, epoll, /proc) is EINVAL.
        if !pipeOut && output.pointee.statusFlags & O_APPEND != 0 { return -Errno.EINVAL }
        switch input.pointee.kind {
        case .initrdFile, .tmpFile, .zero, .urandom: break
        case .socket, .console: guard pipeOut else { return -Errno.EINVAL }
        default: return -Errno.EINVAL
        }
        switch out {
        case .pipeWrite, .socket, .tmpFile, .console, .null, .zero, .urandom: break
        default: return -Errno.EINVAL
        }
        if pipeOut {
            let room = waitForRoom(p, output)
            if room < 0 { return room }
        }
        let r = transfer(p, input, output, from: pos, min(count, SysIO.maxRW), pipe: pipeOut)
        // Only a file's position moves: /dev/zero's and /dev/urandom's reads
        // leave ki_pos alone (read_iter_zero), and a socket has none.
        let moved = input.pointee.isRegular && r > 0 ? UInt64(r) : 0
        if r > 0 {
            if offsetPointer == 0 { input.pointee.offset = pos &+ moved }
            else if !UserMemory.write64(p, offsetPointer, pos &+ moved) { return -Errno.EFAULT }
        }
        return r
    }

    /// wait_for_space (fs/splice.c): a full pipe is waited on before anything
    /// is read, so bytes taken from a socket are never dropped by a write
    /// that cannot finish. EPIPE (and SIGPIPE) without readers, EAGAIN when
    /// the pipe is O_NONBLOCK.
    static func waitForRoom(_ p: UnsafeMutablePointer<Process>, _ output: UnsafeMutablePointer<OpenFile>) -> Int64 {
        guard let t = Pipes.table else { return -Errno.EBADF }
        let i = output.pointee.node
        while true {
            if t[i].readers <= 0 { Signals.send(p, SysPipe.SIGPIPE); return -Errno.EPIPE }
            if t[i].count < Pipes.size { return 0 }
            if output.pointee.statusFlags & SysPipe.O_NONBLOCK != 0 { return -Errno.EAGAIN }
            if Signals.interrupted(p) { return -Errno.ERESTARTSYS }
            Scheduler.sleep(on: SysPipe.channel(i, writer: true))
        }
    }

    /// Up to `n` bytes of `input` from `pos` written to `output`: the bytes
    /// written, or -errno when none were. Stops at EOF and at a short write.
    /// Into a pipe it fills what is free after the first piece, as
    /// splice_file_to_pipe waits for room once and then fills (64 KiB into an
    /// empty pipe, then EAGAIN or sleeping as write does). A socket or the
    /// console is read once (one splice_read: what it has now, up to `n`).
    static func transfer(_ p: UnsafeMutablePointer<Process>, _ input: UnsafeMutablePointer<OpenFile>,
                         _ output: UnsafeMutablePointer<OpenFile>, from pos: UInt64, _ n: UInt64, pipe: Bool) -> Int64 {
        let buf = KernelBounce.base(p)
        p.pointee.bouncing = true
        defer { p.pointee.bouncing = false }
        let once = input.pointee.kind == .socket || input.pointee.kind == .console
        var done: UInt64 = 0
        while done < n {
            var piece = min(n - done, UInt64(KernelBounce.size))
            if pipe, let t = Pipes.table {
                let free = UInt64(Pipes.size - t[output.pointee.node].count)
                if free == 0 && done > 0 { break }
                if free > 0 { piece = min(piece, free) }
            }
            let r = FileOps.read(p, input, buf, piece, at: pos &+ done)
            if r <= 0 { return done > 0 ? Int64(done) : r }
            let w = FileOps.write(p, output, buf, UInt64(r), at: nil)
            if w < 0 { return done > 0 ? Int64(done) : w }
            done += UInt64(w)
            if w < r || once { break }
        }
        return Int64(done)
    }
}

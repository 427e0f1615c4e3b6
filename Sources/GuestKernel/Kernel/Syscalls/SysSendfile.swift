/// sendfile(2) (fs/read_write.c do_sendfile): in_fd a regular file
/// (initramfs or tmpfs), out_fd anything with a splice_write here (pipe,
/// AF_UNIX socket, tmpfs file, terminal, /dev/null, /dev/zero, /dev/urandom).
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
        guard input.pointee.isRegular else { return -Errno.EINVAL }
        switch out {
        case .pipeWrite, .socket, .tmpFile, .console, .null, .zero, .urandom: break
        default: return -Errno.EINVAL
        }
        let r = transfer(p, input, output, from: pos, min(count, SysIO.maxRW), pipe: pipeOut)
        if r > 0 {
            if offsetPointer == 0 { input.pointee.offset = pos &+ UInt64(r) }
            else if !UserMemory.write64(p, offsetPointer, pos &+ UInt64(r)) { return -Errno.EFAULT }
        }
        return r
    }

    /// Up to `n` bytes of `input` from `pos` written to `output`: the bytes
    /// written, or -errno when none were. Stops at EOF and at a short write.
    /// Into a pipe it fills what is free after the first piece, as
    /// splice_file_to_pipe waits for room once and then fills (64 KiB into an
    /// empty pipe, then EAGAIN or sleeping as write does).
    static func transfer(_ p: UnsafeMutablePointer<Process>, _ input: UnsafeMutablePointer<OpenFile>,
                         _ output: UnsafeMutablePointer<OpenFile>, from pos: UInt64, _ n: UInt64, pipe: Bool) -> Int64 {
        let buf = KernelBounce.base(p)
        p.pointee.bouncing = true
        defer { p.pointee.bouncing = false }
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
            if w < r { break }
        }
        return Int64(done)
    }
}

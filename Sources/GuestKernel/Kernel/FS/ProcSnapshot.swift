import KernelSupport

/// The text /proc reads return, kept per open-file description as Linux's
/// seq_file keeps its buffer (fs/seq_file.c, seq_read_iter): made at a read
/// at offset 0 (the first read, and any after lseek(fd, 0) or a pread at 0)
/// and at any offset other than where the previous read ended (seq_file's
/// traverse), then served to the reads that follow, so that a reader taking
/// 7 bytes at a time sees one text even while the values in it change.
/// Descriptions shared by dup and fork share it; the end of the text is
/// sticky until a read at 0, as seq_file's.
///
/// The text lives in one page per description: a frame from FrameAllocator,
/// taken at the first read and freed when the description's last reference
/// goes (at most OpenFiles.capacity pages, 1 MiB). The page holds the window
/// of the text from `base`, which is all of it for every /proc file but a
/// long maps or cmdline (Linux grows its buffer instead). Past a page, a read
/// where the window ends makes the next window from the text as it is then,
/// as seq_file makes the next records; only each page is one snapshot.
enum ProcSnapshot {
    struct Window {
        var frame: UInt64 = 0        // physical; 0: none yet
        var base: UInt64 = 0         // text offset of the page's first byte
        var length: UInt64 = 0       // the text's length when made (as far as counted)
        var readPos: UInt64 = 0      // where the last read ended (seq_file's read_pos)
        var full = false             // the text went on past the page
        var used: Int32 = 0          // bytes ever written into the page: zeroed before the frame is freed
    }

    static let size = Int(Physical.pageSize)
    nonisolated(unsafe) static var windows = zeroedTable(of: Window.self, count: OpenFiles.capacity)

    /// The window of description `f` (OpenFiles' index), nil for one outside the table.
    static func window(_ f: UnsafeMutablePointer<OpenFile>) -> UnsafeMutablePointer<Window>? {
        guard let t = OpenFiles.table, f >= t, f < t + OpenFiles.capacity else { return nil }
        return windows + (f - t)
    }

    /// read(2)/pread(2) of `n` bytes at `offset`: bytes copied, or -errno
    /// (ENOMEM when no frame is left, as seq_read's failed kvmalloc).
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        guard let w = window(f) else { return -Errno.EBADF }
        if w.pointee.frame == 0 {
            guard let frame = FrameAllocator.allocate() else { return -Errno.ENOMEM }
            w.pointee = Window(frame: frame)
            make(w, f.pointee.node, at: offset)
        } else if offset == 0 || offset != w.pointee.readPos
                    || (w.pointee.full && offset >= w.pointee.base &+ UInt64(size)) {
            make(w, f.pointee.node, at: offset)
        }
        let end = min(w.pointee.length, w.pointee.base &+ UInt64(size))
        guard offset >= w.pointee.base, offset < end, n > 0 else { return 0 }
        let count = Int(min(n, end - offset))
        let from = Physical.bytes(w.pointee.frame) + Int(offset - w.pointee.base)
        guard UserMemory.copyOut(p, to: buf, from: from, count: count) else { return -Errno.EFAULT }
        w.pointee.readPos = offset + UInt64(count)
        return Int64(count)
    }

    /// The text of /proc node `node` from `offset` for a page, made now.
    static func make(_ w: UnsafeMutablePointer<Window>, _ node: Int, at offset: UInt64) {
        var t = ProcText(Physical.bytes(w.pointee.frame), capacity: size, skip: Int(offset))
        ProcFiles.generate(node, into: &t)
        w.pointee.base = offset
        w.pointee.length = UInt64(t.count)
        w.pointee.full = t.full
        w.pointee.readPos = offset
        w.pointee.used = max(w.pointee.used, Int32(t.stored))
    }

    /// The description's last reference is gone: its page goes back, zeroed
    /// only where text was written (FrameAllocator keeps free frames zero).
    static func release(_ f: UnsafeMutablePointer<OpenFile>) {
        guard let w = window(f) else { return }
        let frame = w.pointee.frame
        if frame != 0 {
            zero_qwords(Physical.bytes(frame), UInt64((Int(w.pointee.used) + 7) / 8))
            FrameAllocator.push(frame)
        }
        w.pointee = Window()
    }
}

import KernelSupport

/// Copy-on-write sharing of 4 KiB user frames after fork (Linux's page
/// mapcount in small): for each frame of RAM, how many address spaces map it
/// besides one. Every frame starts at 0 (one owner); fork makes the parent's
/// and the child's entries read-only with PTE bit PageTable.shared and adds
/// one; the first write to such a page takes a copy (or, when the count is
/// already 0, the page itself: the other side has gone). Freeing a user page
/// takes one away instead of freeing a frame still mapped elsewhere.
/// A byte per frame (64 tasks at most share one), in frames taken at boot.
enum FrameShares {
    nonisolated(unsafe) static var counts = UnsafeMutablePointer<UInt8>(bitPattern: 0)
    nonisolated(unsafe) static var frames: UInt64 = 0

    /// A table for every frame below `ramEnd` (physical), from the frame allocator.
    static func initialize(ramEnd: UInt64) -> Bool {
        let n = ramEnd / Physical.pageSize
        let pages = (n + Physical.pageSize - 1) / Physical.pageSize
        guard let first = FrameAllocator.allocateContiguous(pages) else { return false }
        counts = Physical.pointer(first)
        frames = n
        return true
    }

    /// One more address space maps `frame`; false when the count is full
    /// (the caller gives the child a copy instead).
    static func share(_ frame: UInt64) -> Bool {
        let i = frame / Physical.pageSize
        guard let c = counts, i < frames, c[Int(i)] < 255 else { return false }
        c[Int(i)] += 1
        return true
    }

    /// Other address spaces map `frame` too.
    static func isShared(_ frame: UInt64) -> Bool {
        let i = frame / Physical.pageSize
        guard let c = counts, i < frames else { return false }
        return c[Int(i)] != 0
    }

    /// An address space stops mapping its user frame `frame`: the frame is
    /// freed when that was the last one.
    static func release(_ frame: UInt64) {
        let i = frame / Physical.pageSize
        if let c = counts, i < frames, c[Int(i)] != 0 {
            c[Int(i)] -= 1
            return
        }
        FrameAllocator.free(frame)
    }
}

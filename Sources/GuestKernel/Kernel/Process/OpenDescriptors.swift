/// The open descriptors of a table, found four slots (one qword of Int16s)
/// at a time: fork, exit and execve visit every descriptor, and a test per
/// slot over FileTable.capacity (1024) cost each of them 6-14 guest-kernel
/// instructions a slot, ~20k per fork+exit (bench fork_exit). Linux bounds the
/// same loops by its open-fd bitmap (count_open_files, close_files).
extension FileTable {
    /// Calls `body` with each descriptor in use, in ascending order. A free
    /// slot is -1 (all bits set), so a qword of four free slots is all ones;
    /// four such qwords ANDed are all ones when 16 slots are free.
    @inline(__always)
    func forEachOpen(_ body: (Int) -> Void) {
        let q = UnsafeRawPointer(slots)
        var fd = 0
        while fd < FileTable.capacity {                // capacity is a multiple of 16
            let o = fd * 2
            let group = q.loadUnaligned(fromByteOffset: o, as: UInt64.self)
                & q.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self)
                & q.loadUnaligned(fromByteOffset: o + 16, as: UInt64.self)
                & q.loadUnaligned(fromByteOffset: o + 24, as: UInt64.self)
            if group != UInt64.max {
                for d in fd..<fd + 16 where slots[d] >= 0 { body(d) }
            }
            fd += 16
        }
    }
}

/// Each tmpfs directory's linked children as a list, as Linux keeps a
/// dentry's children (d_subdirs/d_child, fs/libfs.c dcache_readdir), so that
/// getdents64 and rmdir's emptiness test visit a directory's own entries
/// instead of scanning every node. A node is in its parent's list exactly
/// while it is in its name's hash chain (TmpfsNameHash.swift: `hashName` adds
/// it, `unhashName` takes it out), so the two cannot disagree. New names go
/// at the tail: a directory lists in creation order, as tmpfs's stable
/// offsets do since Linux 6.6 (fs/libfs.c simple_offset), and each name gets
/// the next of its directory's positions, which getdents64's offsets are: a
/// listing resumes at the first name at or past its offset, so names removed
/// or added meanwhile neither hide nor repeat the others (readdir(3): every
/// entry neither removed nor added is returned once). Positions 0 and 1 are
/// "." and "..", so the first name's is 2. The links are
/// TmpNode's firstChild/lastChild/nextSibling/previousSibling; 0 ends a list
/// (node 0, /tmp itself, is nobody's child).
extension Tmpfs {
    /// Appends node `i` (> 0) to the list of its parent `dir`. Both are
    /// indices of `t` (= `nodes`) that the caller took from the table.
    @inline(__always)
    static func addChild(_ t: UnsafeMutablePointer<TmpNode>, _ i: Int, to dir: Int) {
        let tail = Int(t[dir].lastChild)
        t[i].previousSibling = Int32(tail)
        t[i].nextSibling = 0
        if tail == 0 { t[dir].firstChild = Int32(i) } else { t[tail].nextSibling = Int32(i) }
        t[dir].lastChild = Int32(i)
        t[i].position = t[dir].positionsGiven &+ 2                      // a UInt64 per directory: never wraps
        t[dir].positionsGiven &+= 1
    }

    /// Takes node `i` out of the list of its parent `dir` (it is in it: it is linked).
    @inline(__always)
    static func removeChild(_ t: UnsafeMutablePointer<TmpNode>, _ i: Int, from dir: Int) {
        let before = Int(t[i].previousSibling), after = Int(t[i].nextSibling)
        if before == 0 { t[dir].firstChild = Int32(after) } else { t[before].nextSibling = Int32(after) }
        if after == 0 { t[dir].lastChild = Int32(before) } else { t[after].previousSibling = Int32(before) }
    }

    /// Directory `dir` has no linked child (rmdir(2)'s ENOTEMPTY test).
    static func isEmpty(_ dir: Int) -> Bool {
        guard let t = nodes, dir >= 0, dir < capacity else { return true }
        return t[dir].firstChild == 0
    }
}

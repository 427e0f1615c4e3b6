/// The path walk's common case in one pass: an absolute user path below /tmp
/// whose every component is an existing tmpfs name, with no symbolic link
/// before its last component (nor at it when `follow` has `.link`). Such a
/// path is already in normal form, so the general walk (join, normalize,
/// look every prefix up for links, then look the whole path up again) would
/// produce `raw[1...]` and the node reached here; the fast walk produces the
/// same with one child lookup per component. Anything else ("//", ".", "..",
/// a missing name, a file used as a directory, a link to follow) is a name
/// no tmpfs node has, so `Tmpfs.child` misses and the general walk decides:
/// no separate check is needed for it.
extension Path {
    /// normalizeRaw of `raw[0..<n]` (n > 0, not ending in "/" or ".") when it
    /// is that common case: its normal form in `norm`, its length, and the node
    /// in PathBuffers.walked; nil to take the general walk.
    static func walkTmpfs(_ raw: UnsafePointer<UInt8>, _ n: Int, into norm: UnsafeMutablePointer<UInt8>,
                          follow: Follow) -> Int64? {
        // "/tmp" exactly or "/tmp/..." (Tmpfs.contains of the normal form).
        guard n >= 4, raw[0] == 0x2f, raw[1] == 0x74, raw[2] == 0x6d, raw[3] == 0x70,
              let t = Tmpfs.nodes else { return nil }
        var node = 0
        var i = 4
        while i < n {
            guard raw[i] == 0x2f else { return nil }                // "/tmpx..."
            i &+= 1
            let start = i
            // The next "/": eight bytes a step while none of them is one
            // (the has-zero-byte test on the word xor "////////").
            while i &+ 8 <= n {
                let x = UnsafeRawPointer(raw + i).loadUnaligned(as: UInt64.self) ^ 0x2f2f_2f2f_2f2f_2f2f
                if (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0 { break }
                i &+= 8
            }
            while i < n && raw[i] != 0x2f { i &+= 1 }
            // A file's children, "", "." and "..": no node, the general walk.
            guard let c = Tmpfs.child(node, raw + start, i &- start) else {
                // The last name missing from a directory: a name to create,
                // ENOENT to a lookup. (It is not "." or "..": the path does
                // not end in "."; a longer name than NAME_MAX is the general
                // walk's ENAMETOOLONG.)
                guard i == n, t[node].isDirectory, i &- start <= nameMax else { return nil }
                return walked(raw, n, into: norm, length: missLength(n &- 1), node: node)
            }
            if t[c].isSymlink && (i < n || follow.contains(.link)) { return nil }
            node = c
        }
        return walked(raw, n, into: norm, length: n &- 1, node: node)
    }

    /// What PathBuffers.walked.length holds for a missing last name of a
    /// normal form of length `n` (never a length, nor normalizeRaw's -1), so
    /// that the checks for a node reached reject it at no cost.
    @inline(__always) static func missLength(_ n: Int) -> Int { -2 &- n }

    @inline(__always)
    private static func walked(_ raw: UnsafePointer<UInt8>, _ n: Int, into norm: UnsafeMutablePointer<UInt8>,
                               length: Int, node: Int) -> Int64 {
        copyBytes(norm, raw + 1, n &- 1)
        PathBuffers.walked = (UnsafePointer(norm), length, node)
        return Int64(n &- 1)
    }

    /// The tmpfs file or directory node lookupWalked(norm, n) would describe,
    /// when the fast walk reached it; nil for a symbolic link or the general walk.
    @inline(__always)
    static func walkedNode(_ norm: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let w = PathBuffers.walked
        guard w.length == n && w.norm == norm, let t = Tmpfs.nodes, !t[w.node].isSymlink else { return nil }
        return w.node
    }

    /// The existing tmpfs node (a symbolic link too) the fast walk reached
    /// for `norm`, or nil.
    @inline(__always)
    static func walkedAny(_ norm: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let w = PathBuffers.walked
        return w.length == n && w.norm == norm ? w.node : nil
    }

    /// The directory whose missing last name the fast walk reached for
    /// `norm` (its name is norm's last `n - start` bytes), or nil.
    @inline(__always)
    static func walkedMissing(_ norm: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let w = PathBuffers.walked
        return w.length == missLength(n) && w.norm == norm ? w.node : nil
    }

    /// Where the last component of normalized `path[0..<n]` starts.
    @inline(__always)
    static func lastComponent(_ path: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var s = n
        while s > 0 && path[s &- 1] != 0x2f { s &-= 1 }
        return s
    }

    /// missingError right after normalizeUser: ENOENT at once when the fast
    /// walk found the parent directory.
    @inline(__always)
    static func missingWalked(_ norm: UnsafePointer<UInt8>, _ n: Int) -> Int64 {
        walkedMissing(norm, n) != nil ? -Errno.ENOENT : missingError(norm, n)
    }

    /// lookup(norm, n) right after normalizeUser/normalizeRaw into `norm`:
    /// the node the fast walk reached, or the general lookup.
    @inline(__always)
    static func lookupWalked(_ norm: UnsafePointer<UInt8>, _ n: Int) -> OpenFile? {
        let w = PathBuffers.walked
        if w.norm == norm {
            if w.length == n { return tmpLookup(w.node) }
            if w.length == missLength(n) { return nil }
        }
        return lookup(norm, n)
    }
}

/// tmpfs's name lookup, hashed by parent and name as Linux's dcache is
/// (fs/dcache.c, d_hash(parent, name hash)): every linked name is in one
/// chain of `heads`, so finding a name compares the few names of its chain
/// instead of scanning every node. A name is in its chain exactly while it is
/// linked: `create` adds it, `unlink` and `move` (rename) take it out, so
/// there is nothing to invalidate. The same two calls keep each directory's
/// list of children (TmpfsChildren.swift). Node 0, /tmp itself, has no name and is in
/// no chain; 0 ends a chain.
extension Tmpfs {
    static let bucketCount = 256                                   // a power of two >= capacity
    nonisolated(unsafe) static var heads = UnsafeMutablePointer<Int32>(bitPattern: 0)
    /// The next node of each node's chain (indexed like `nodes`).
    nonisolated(unsafe) static var chain = UnsafeMutablePointer<Int32>(bitPattern: 0)

    static func initializeNameHash() {
        heads = zeroedTable(of: Int32.self, count: bucketCount)
        chain = zeroedTable(of: Int32.self, count: capacity)
    }

    /// The chain of (parent, name) (NameHash).
    @inline(__always)
    static func hash(_ parent: Int, _ name: UnsafePointer<UInt8>, _ n: Int) -> UInt32 { NameHash.of(parent, name, n) }

    /// The linked child `name[0..<n]` of `dir` whose name hashes to `h`.
    static func child(_ dir: Int, _ name: UnsafePointer<UInt8>, _ n: Int, hash h: UInt32) -> Int? {
        guard let t = nodes, let hd = heads, let next = chain else { return nil }
        var i = Int(hd[Int(h & UInt32(bucketCount - 1))])
        while i != 0 {
            if t[i].parent == Int32(dir) && t[i].nameLength == n, let nm = t[i].name, bytesEqual(nm, name, n) { return i }
            i = Int(next[i])
        }
        return nil
    }

    /// Puts linked node `i` in its name's chain.
    static func hashName(_ i: Int) {
        guard let t = nodes, let hd = heads, let next = chain, i > 0, let nm = t[i].name else { return }
        let b = Int(hash(Int(t[i].parent), nm, t[i].nameLength) & UInt32(bucketCount - 1))
        next[i] = hd[b]
        hd[b] = Int32(i)
        addChild(t, i, to: Int(t[i].parent))
    }

    /// Takes node `i` out of its name's chain (before its name or parent changes).
    static func unhashName(_ i: Int) {
        guard let t = nodes, let hd = heads, let next = chain, i > 0, let nm = t[i].name else { return }
        removeChild(t, i, from: Int(t[i].parent))
        let b = Int(hash(Int(t[i].parent), nm, t[i].nameLength) & UInt32(bucketCount - 1))
        if hd[b] == Int32(i) { hd[b] = next[i]; next[i] = 0; return }
        var j = Int(hd[b])
        while j != 0 {
            if next[j] == Int32(i) { next[j] = next[i]; next[i] = 0; return }
            j = Int(next[j])
        }
    }

    /// rename(2)'s change of node `i`'s name and parent (`name` allocated
    /// for it), keeping the hash chains right.
    static func move(_ i: Int, to parent: Int, name: UnsafeMutablePointer<UInt8>, _ n: Int) {
        guard let t = nodes, i > 0 else { return }
        unhashName(i)
        t[i].name?.deallocate()
        t[i].name = name
        t[i].nameLength = n
        t[i].parent = Int32(parent)
        hashName(i)
    }
}

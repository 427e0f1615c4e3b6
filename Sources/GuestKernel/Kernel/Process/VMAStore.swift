/// The storage of a process's areas (VMAList): up to 65,530 of them (Linux's
/// vm.max_map_count default) in 4 KiB pages (VMAPages: frames in the kernel),
/// never in the small kernel heap. A directory page holds the addresses of
/// up to 512 chunk pages of 128 slots (32 bytes each), allocated as the list
/// grows and freed by release(). Slots hold the areas in reverse: logical
/// index i (address order) is slot count-1-i, so an area below all others
/// (where mmap places new ones, top-down) is appended without moving any other.
struct VMAStore {
    static let capacity = 65530
    static let slotsPerChunk = 128              // 4096 / 32
    static let maxChunks = 512                  // 512 x 128 = 65,536 slots >= capacity

    private var directory: UnsafeMutablePointer<UnsafeMutableRawPointer>? = nil
    private var chunks = 0
    var count = 0

    @inline(__always) private func slot(_ k: Int) -> UnsafeMutablePointer<VMA> {
        VMAStore.slot(directory.unsafelyUnwrapped, k)
    }

    @inline(__always)
    private static func slot(_ dir: UnsafeMutablePointer<UnsafeMutableRawPointer>, _ k: Int) -> UnsafeMutablePointer<VMA> {
        (dir[k >> 7] + (k & 127) << 5).assumingMemoryBound(to: VMA.self)
    }

    /// Area i in address order (0 ..< count).
    subscript(i: Int) -> VMA {
        get { slot(count - 1 - i).pointee }
        nonmutating set { slot(count - 1 - i).pointee = newValue }
    }

    /// The first area (address order) ending above `va`, by a linear scan of
    /// the slots (short lists, all in the first chunk: fewer instructions per
    /// probe than a binary search's on the page-fault path); count when none.
    @inline(__always) func scanFirstEnding(above va: UInt64) -> Int {
        let c = count
        guard c > 0 else { return 0 }
        var q = UnsafeRawPointer(directory.unsafelyUnwrapped[0]) + (c - 1) << 5
        var i = 0
        while i < c {
            if q.load(fromByteOffset: 8, as: UInt64.self) > va { return i }      // VMA.end
            q -= 32
            i += 1
        }
        return c
    }

    /// The area holding `va` in a short list (count <= 128), by the same scan.
    @inline(__always) func scanArea(containing va: UInt64) -> VMA? {
        let c = count
        guard c > 0 else { return nil }
        var q = UnsafeRawPointer(directory.unsafelyUnwrapped[0]) + (c - 1) << 5
        for _ in 0..<c {
            if q.load(fromByteOffset: 8, as: UInt64.self) > va {                    // VMA.end
                return q.load(as: UInt64.self) <= va ? q.load(as: VMA.self) : nil   // VMA.start
            }
            q -= 32
        }
        return nil
    }

    /// Makes room for `n` areas at logical index i (areas i... keep their
    /// values and move to i+n...; the new ones are undefined until set);
    /// false when the list would pass `capacity` or no page is left.
    mutating func open(at i: Int, _ n: Int) -> Bool {
        if n == 0 { return true }
        guard count + n <= VMAStore.capacity else { return false }
        while chunks * VMAStore.slotsPerChunk < count + n {
            if directory == nil {
                guard let d = VMAPages.allocate() else { return false }
                directory = d.assumingMemoryBound(to: UnsafeMutableRawPointer.self)
            }
            guard let c = VMAPages.allocate(), let dir = directory else { return false }
            dir[chunks] = c
            chunks += 1
        }
        // Slots count-i ..< count hold areas 0 ..< i: they move up by n.
        // (Locals: a store through a slot could alias self for the compiler.)
        let dir = directory.unsafelyUnwrapped, c = count
        var k = c - 1
        while k >= c - i { VMAStore.slot(dir, k + n).pointee = VMAStore.slot(dir, k).pointee; k -= 1 }
        count = c + n
        return true
    }

    /// Removes area i (areas before it move down one slot).
    mutating func close(at i: Int) {
        let dir = directory.unsafelyUnwrapped, c = count
        var k = c - i
        while k < c { VMAStore.slot(dir, k - 1).pointee = VMAStore.slot(dir, k).pointee; k += 1 }
        count = c - 1
    }

    /// Makes this empty store a copy of `other` (fork): pages of its own, so
    /// that parent and child never free each other's. False when no page is
    /// left (the store is then empty; release() frees what it got).
    mutating func copy(from other: VMAStore) -> Bool {
        count = 0
        let n = other.count
        guard open(at: 0, n) else { count = 0; return false }
        guard n > 0 else { return true }
        let src = other.directory.unsafelyUnwrapped, dst = directory.unsafelyUnwrapped
        var k = 0
        while k < n {                           // slot order is kept: whole chunks at a time
            let len = min(n - k, VMAStore.slotsPerChunk)
            dst[k >> 7].copyMemory(from: UnsafeRawPointer(src[k >> 7]), byteCount: len << 5)
            k += len
        }
        return true
    }

    /// Frees every page (the process is gone).
    mutating func release() {
        if let dir = directory {
            for c in 0..<chunks { VMAPages.free(dir[c]) }
            VMAPages.free(UnsafeMutableRawPointer(dir))
        }
        directory = nil
        chunks = 0
        count = 0
    }
}

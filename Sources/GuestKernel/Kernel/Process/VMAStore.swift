/// The storage of a process's areas (VMAList): up to 65,530 of them (Linux's
/// vm.max_map_count default) in 4 KiB pages (VMAPages: frames in the kernel),
/// never in the small kernel heap. A directory page holds the addresses of
/// up to 512 chunk pages of 128 slots (32 bytes each), allocated as the list
/// grows and freed by release().
///
/// The slots are a gap buffer in address order: areas 0 ..< gap fill slots
/// 0 ..< gap, areas gap ..< count the last slots of the allocated ones, and
/// the free slots lie between. An insert or a removal at the gap moves no
/// area; elsewhere it first moves the gap there, moving the areas between.
/// A process's areas change where they changed last (mmap places top-down
/// below its last placement, munmap and mprotect undo it), so most changes
/// move nothing: an array that moved the areas above (or below) the change
/// moved the ELF segments, stack and vDSO on every mmap and munmap.
struct VMAStore {
    static let capacity = 65530
    static let slotsPerChunk = 128              // 4096 / 32
    static let maxChunks = 512                  // 512 x 128 = 65,536 slots >= capacity

    private var directory: UnsafeMutablePointer<UnsafeMutableRawPointer>? = nil
    private var chunks = 0
    private(set) var count = 0
    /// The first area kept in the top slots (areas before it are in the bottom ones).
    private(set) var gap = 0
    // Four words: a method called through `Process.pointee.vmas` gets a copy
    // of the store in registers (a larger one was copied byte by byte, `rep
    // movsb`, on every lookup).

    @inline(__always)
    private static func slot(_ dir: UnsafeMutablePointer<UnsafeMutableRawPointer>, _ k: Int) -> UnsafeMutablePointer<VMA> {
        (dir[k >> 7] + (k & 127) << 5).assumingMemoryBound(to: VMA.self)
    }

    /// The slot of area i (0 ..< count, address order).
    @inline(__always) func at(_ i: Int) -> UnsafeMutablePointer<VMA> {
        VMAStore.slot(directory.unsafelyUnwrapped, i < gap ? i : i &+ (chunks << 7 &- count))
    }

    /// Area i in address order (0 ..< count).
    subscript(i: Int) -> VMA {
        get { at(i).pointee }
        nonmutating set { at(i).pointee = newValue }
    }

    /// The slot of area gap-1 (the last one below the gap; gap > 0).
    @inline(__always) var belowGap: UnsafeMutablePointer<VMA> { VMAStore.slot(directory.unsafelyUnwrapped, gap &- 1) }
    /// The slot of area gap (the first one above the gap; gap < count).
    @inline(__always) var aboveGap: UnsafeMutablePointer<VMA> {
        VMAStore.slot(directory.unsafelyUnwrapped, gap &+ (chunks << 7 &- count))
    }

    /// Moves the gap to before area g (0 ... count), where the next changes
    /// are expected.
    mutating func focus(_ g: Int) { moveGap(to: g) }

    /// Moves the gap to before area g (0 ... count).
    @inline(__always) private mutating func moveGap(to g: Int) {
        guard g != gap else { return }
        let dir = directory.unsafelyUnwrapped, shift = chunks << 7 &- count
        var j = gap
        if g < gap {                // areas g ..< gap go up to the top slots
            while j > g { j -= 1; VMAStore.slot(dir, j + shift).pointee = VMAStore.slot(dir, j).pointee }
        } else {                    // areas gap ..< g come down to the bottom ones
            while j < g { VMAStore.slot(dir, j).pointee = VMAStore.slot(dir, j + shift).pointee; j += 1 }
        }
        gap = g
    }

    /// Makes room for `n` areas at index i (areas i... keep their values and
    /// become i+n...; the new ones are undefined until set); false when the
    /// list would pass `capacity` or no page is left (then nothing changed).
    mutating func open(at i: Int, _ n: Int) -> Bool {
        if n == 0 { return true }
        guard count + n <= VMAStore.capacity else { return false }
        if count + n > chunks << 7 && !grow(to: count + n) { return false }
        moveGap(to: i)
        count += n                  // the new areas: the top part's first slots (the gap stays before them)
        return true
    }

    /// Adds chunk pages until `slots` fit; the top areas move up into the
    /// new top slots (once per 128 areas the list grows by).
    private mutating func grow(to slots: Int) -> Bool {
        if directory == nil {
            guard let d = VMAPages.allocate() else { return false }
            directory = d.assumingMemoryBound(to: UnsafeMutableRawPointer.self)
        }
        let dir = directory.unsafelyUnwrapped
        let oldTop = chunks << 7
        while chunks << 7 < slots {
            guard let c = VMAPages.allocate() else { break }
            dir[chunks] = c
            chunks += 1
        }
        let shift = chunks << 7 - oldTop
        if shift > 0 {              // the top areas (slots oldTop-(count-gap) ..< oldTop) follow the top
            var k = oldTop
            while k > oldTop - (count - gap) { k -= 1; VMAStore.slot(dir, k + shift).pointee = VMAStore.slot(dir, k).pointee }
        }
        return chunks << 7 >= slots
    }

    /// Removes area i.
    mutating func close(at i: Int) {
        if gap == i + 1 { gap = i } else { moveGap(to: i) }
        count -= 1                  // area i was the top part's first: its slot joins the gap
    }

    /// Removes every area (exec, a new process); the pages stay for reuse.
    mutating func removeAll() {
        count = 0
        gap = 0
    }

    /// Makes this empty store a copy of `other` (fork): pages of its own, so
    /// that parent and child never free each other's. False when no page is
    /// left (the store is then empty; release() frees what it got).
    mutating func copy(from other: VMAStore) -> Bool {
        removeAll()
        let n = other.count
        guard n > 0 else { return true }
        guard grow(to: n) else { return false }
        let src = other.directory.unsafelyUnwrapped, dst = directory.unsafelyUnwrapped
        let srcShift = other.chunks << 7 - n, dstShift = chunks << 7 - n
        var i = 0
        while i < n {               // a run of areas within one source and one destination chunk at a time
            let s = i < other.gap ? i : i + srcShift, d = i < other.gap ? i : i + dstShift
            let stop = i < other.gap ? other.gap : n
            let len = min(stop - i, 128 - (s & 127), 128 - (d & 127))
            UnsafeMutableRawPointer(VMAStore.slot(dst, d)).copyMemory(from: UnsafeRawPointer(VMAStore.slot(src, s)), byteCount: len << 5)
            i += len
        }
        gap = other.gap
        count = n
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
        removeAll()
    }
}

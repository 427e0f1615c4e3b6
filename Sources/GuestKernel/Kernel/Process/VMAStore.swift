/// The storage of a process's areas (VMAList): up to 65,530 of them (Linux's
/// vm.max_map_count default) in 4 KiB pages (VMAPages: frames in the kernel),
/// never in the small kernel heap. A directory page holds the addresses of
/// up to 512 chunk pages of 128 slots (32 bytes each), allocated as the list
/// grows and freed by release().
///
/// The slots are a gap buffer in address order: areas 0 ..< gap fill slots
/// 0 ..< gap, areas gap ..< count the last of the 65,536 slots, and the
/// free slots lie between (only the chunks either part reaches have pages).
/// An insert at the gap moves no area; elsewhere it first moves the gap
/// there, moving the areas between; a removal moves the areas between it
/// and the gap by one slot.
/// A process's areas change where they changed last (mmap places top-down
/// below its last placement, munmap and mprotect undo it), so most changes
/// move nothing: an array that moved the areas above (or below) the change
/// moved the ELF segments, stack and vDSO on every mmap and munmap.
struct VMAStore {
    static let capacity = 65530
    static let slotsPerChunk = 128              // 4096 / 32
    static let maxChunks = 512                  // 512 x 128 = 65,536 slots >= capacity
    static let slots = 65536

    // Four words: a method called through `Process.pointee.vmas` gets a copy
    // of the store in registers (a larger one was copied byte by byte, `rep
    // movsb`, on every lookup).
    private var directory: UnsafeMutablePointer<UnsafeMutableRawPointer?>? = nil
    private(set) var count = 0
    /// The first area kept in the top slots (areas before it are in the bottom ones).
    private(set) var gap = 0
    /// Chunks 0 ..< lowChunks and 512 - highChunks ..< 512 have pages (they
    /// may share one): the bottom part grows up, the top part down, so a
    /// growing list never moves an area.
    private var lowChunks: Int32 = 0, highChunks: Int32 = 0

    @inline(__always)
    private static func slot(_ dir: UnsafeMutablePointer<UnsafeMutableRawPointer?>, _ k: Int) -> UnsafeMutablePointer<VMA> {
        (dir[k >> 7].unsafelyUnwrapped + (k & 127) << 5).assumingMemoryBound(to: VMA.self)
    }

    /// The slot of area i (0 ..< count, address order).
    @inline(__always) func at(_ i: Int) -> UnsafeMutablePointer<VMA> {
        VMAStore.slot(directory.unsafelyUnwrapped, i < gap ? i : i &+ (VMAStore.slots &- count))
    }

    /// The slot of area gap-1 (the last one below the gap; gap > 0).
    @inline(__always) var belowGap: UnsafeMutablePointer<VMA> { VMAStore.slot(directory.unsafelyUnwrapped, gap &- 1) }
    /// The slot of area gap (the first one above the gap; gap < count).
    @inline(__always) var aboveGap: UnsafeMutablePointer<VMA> {
        VMAStore.slot(directory.unsafelyUnwrapped, gap &+ (VMAStore.slots &- count))
    }

    /// The slot of area gap+1 (gap + 1 < count).
    @inline(__always) var afterGap: UnsafeMutablePointer<VMA> {
        VMAStore.slot(directory.unsafelyUnwrapped, gap &+ 1 &+ (VMAStore.slots &- count))
    }

    /// Area i in address order (0 ..< count).
    subscript(i: Int) -> VMA {
        get { at(i).pointee }
        nonmutating set { at(i).pointee = newValue }
    }

    /// Gives pages to the chunks that `low` bottom slots and `high` top
    /// slots need; false when no page is left (the ones got so far stay).
    private mutating func reserve(low: Int, high: Int) -> Bool {
        if directory == nil {
            guard let d = VMAPages.allocate() else { return false }      // a zero page: no chunk yet
            directory = d.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        }
        let dir = directory.unsafelyUnwrapped
        while Int(lowChunks) << 7 < low {
            let c = Int(lowChunks)
            if dir[c] == nil { guard let page = VMAPages.allocate() else { return false }; dir[c] = page }
            lowChunks += 1
        }
        while Int(highChunks) << 7 < high {
            let c = VMAStore.maxChunks - 1 - Int(highChunks)
            if dir[c] == nil { guard let page = VMAPages.allocate() else { return false }; dir[c] = page }
            highChunks += 1
        }
        return true
    }

    /// Moves the gap to before area g (0 ... count), where the next changes
    /// are expected; false when no page is left for the slots it needs.
    mutating func focus(_ g: Int) -> Bool {
        guard reserve(low: g, high: count - g) else { return false }
        moveGap(to: g)
        return true
    }

    /// Moves the gap to before area g (the slots it needs have pages).
    @inline(__always) private mutating func moveGap(to g: Int) {
        guard g != gap else { return }
        let dir = directory.unsafelyUnwrapped, shift = VMAStore.slots &- count
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
        guard count + n <= VMAStore.capacity, reserve(low: i, high: count + n - i) else { return false }
        moveGap(to: i)
        count += n                  // the new areas: the top part's first slots (the gap stays before them)
        return true
    }

    /// Makes area gap a new one, `v` (areas gap... become gap+1...), when
    /// the slot it takes has a page; false (nothing changed) otherwise. The
    /// insert where the last change was, without open's moves and reserve.
    @inline(__always) mutating func pushAboveGap(_ v: VMA) -> Bool {
        let high = count &+ 1 &- gap
        guard count < VMAStore.capacity, high <= Int(highChunks) << 7 else { return false }
        count &+= 1
        aboveGap.pointee = v
        return true
    }

    /// Removes area gap (gap < count): close(at: gap), which moves nothing.
    @inline(__always) mutating func removeAboveGap() { count &-= 1 }

    /// Removes area i, moving the areas between it and the gap into its slot
    /// (never a slot without a page: removal cannot fail).
    mutating func close(at i: Int) {
        let dir = directory.unsafelyUnwrapped, shift = VMAStore.slots &- count
        if i < gap {                // areas i+1 ..< gap come down one slot
            var j = i + 1
            while j < gap { VMAStore.slot(dir, j - 1).pointee = VMAStore.slot(dir, j).pointee; j += 1 }
            gap -= 1
        } else {                    // areas gap ..< i go up one slot
            var j = i
            while j > gap { j -= 1; VMAStore.slot(dir, j + shift + 1).pointee = VMAStore.slot(dir, j + shift).pointee }
        }
        count -= 1
    }

    /// Removes every area (exec, a new process); the pages stay for reuse.
    mutating func removeAll() {
        count = 0
        gap = 0
    }

    /// Makes this empty store a copy of `other` (fork): pages of its own, so
    /// that parent and child never free each other's. The layout is the
    /// same (slot for slot), so the used bytes of each chunk are copied.
    /// False when no page is left (the store is then empty; release() frees
    /// what it got).
    mutating func copy(from other: VMAStore) -> Bool {
        removeAll()
        let n = other.count
        guard n > 0 else { return true }
        guard reserve(low: other.gap, high: n - other.gap) else { return false }
        let src = other.directory.unsafelyUnwrapped, dst = directory.unsafelyUnwrapped
        func copySlots(_ from: Int, _ to: Int) {
            var k = from
            while k < to {
                let len = min(to - k, 128 - (k & 127))
                UnsafeMutableRawPointer(VMAStore.slot(dst, k)).copyMemory(from: UnsafeRawPointer(VMAStore.slot(src, k)), byteCount: len << 5)
                k += len
            }
        }
        copySlots(0, other.gap)
        copySlots(VMAStore.slots - (n - other.gap), VMAStore.slots)
        gap = other.gap
        count = n
        return true
    }

    /// Frees every page (the process is gone).
    mutating func release() {
        if let dir = directory {
            let low = Int(lowChunks), high = VMAStore.maxChunks - Int(highChunks)
            for c in 0..<low { if let page = dir[c] { VMAPages.free(page) } }
            for c in max(low, high)..<VMAStore.maxChunks { if let page = dir[c] { VMAPages.free(page) } }
            VMAPages.free(UnsafeMutableRawPointer(dir))
        }
        directory = nil
        lowChunks = 0
        highChunks = 0
        removeAll()
    }
}

/// A user virtual memory area: [start, end), page aligned, with its PROT_* bits
/// and VMA.* flags. Pages inside an area that are not mapped yet are demand-zero.
struct VMA {
    var start: UInt64
    var end: UInt64
    var prot: UInt32
    var flags: UInt32 = 0

    /// madvise(MADV_HUGEPAGE) / madvise(MADV_NOHUGEPAGE) (Linux VM_HUGEPAGE, VM_NOHUGEPAGE).
    static let hugePage: UInt32 = 1
    static let noHugePage: UInt32 = 2
    /// The vDSO's data page and image (Memory/Vdso.swift): /proc/PID/maps' [vvar], [vdso].
    static let vvar: UInt32 = 4
    static let vdso: UInt32 = 8
    /// MAP_SHARED (anonymous): its pages are shared with the children forked
    /// while it is mapped, not copied on write (Memory/SharedAnonymous.swift).
    static let sharedMemory: UInt32 = 16
    /// No page of the area was ever mapped (a private mmap not faulted in
    /// yet; Linux's vma->anon_vma == NULL is the same knowledge): munmap and
    /// mprotect of it have no page table to visit. Not an attribute: areas
    /// merge regardless of it (the merged one is untouched only if both were).
    static let untouched: UInt32 = 32
}

enum Prot {
    static let read: UInt32 = 1
    static let write: UInt32 = 2
    static let exec: UInt32 = 4
}

/// A process's areas, kept sorted and non-overlapping (VMAStore: up to
/// vm.max_map_count of them, in a gap buffer). A lookup first asks whether
/// the answer is at the gap, where the last change was (one compare on each
/// side: mmap's placement, munmap, mprotect and the faults of a fresh
/// mapping land there), and binary-searches otherwise.
struct VMAList {
    static let capacity = VMAStore.capacity
    var items = VMAStore()
    var count: Int { items.count }

    /// The first area ending above `va` (count when none).
    @inline(__always) func firstEnding(above va: UInt64) -> Int {
        let g = items.gap, c = count
        if (g == 0 || items.belowGap.pointee.end <= va) && (g == c || va < items.aboveGap.pointee.end) { return g }
        return search(va)
    }

    private func search(_ va: UInt64) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if items.at(mid).pointee.end <= va { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func find(_ va: UInt64) -> Int? {
        let i = firstEnding(above: va)
        return i < count && items.at(i).pointee.start <= va ? i : nil
    }

    /// The area holding `va`, or nil.
    @inline(__always) func area(containing va: UInt64) -> VMA? { slot(containing: va)?.pointee }

    /// The slot of the area holding `va` (the page-fault path's question), or nil.
    @inline(__always) func slot(containing va: UInt64) -> UnsafeMutablePointer<VMA>? {
        let g = items.gap
        if g < count && (g == 0 || items.belowGap.pointee.end <= va) && va < items.aboveGap.pointee.end {
            let a = items.aboveGap
            return a.pointee.start <= va ? a : nil
        }
        return slowSlot(containing: va)
    }

    private func slowSlot(containing va: UInt64) -> UnsafeMutablePointer<VMA>? {
        guard let i = find(va) else { return nil }
        return items.at(i)
    }

    func overlaps(_ start: UInt64, _ end: UInt64) -> Bool {
        let i = firstEnding(above: start)
        return i < count && items.at(i).pointee.start < end
    }

    /// Same protection and flags, VMA.untouched aside.
    @inline(__always) private func same(_ a: UnsafeMutablePointer<VMA>, _ prot: UInt32, _ flags: UInt32) -> Bool {
        a.pointee.prot == prot && (a.pointee.flags ^ flags) & ~VMA.untouched == 0
    }

    /// Area `a` absorbs a neighbour with `flags`: untouched only if both were.
    @inline(__always) private func absorb(_ a: UnsafeMutablePointer<VMA>, _ flags: UInt32) {
        a.pointee.flags &= flags | ~VMA.untouched
    }

    /// Inserts in address order, merged with neighbours of the same
    /// protection that touch it; false when full. The range must be free.
    mutating func insert(_ v: VMA) -> Bool { insert(v, at: firstEnding(above: v.start)) }

    /// insert(v) where `i` is firstEnding(above: v.start) (mmap's placement has it).
    mutating func insert(_ v: VMA, at i: Int) -> Bool {
        if i == items.gap && insertAtGap(v) { return true }
        let joinsLeft = i > 0 && items.at(i - 1).pointee.end == v.start && same(items.at(i - 1), v.prot, v.flags)
        let joinsRight = i < count && items.at(i).pointee.start == v.end && same(items.at(i), v.prot, v.flags)
        if joinsLeft && joinsRight {
            items.at(i - 1).pointee.end = items.at(i).pointee.end
            absorb(items.at(i - 1), v.flags & items.at(i).pointee.flags)
            remove(at: i)
            return true
        }
        if joinsLeft { items.at(i - 1).pointee.end = v.end; absorb(items.at(i - 1), v.flags); return true }
        if joinsRight { items.at(i).pointee.start = v.start; absorb(items.at(i), v.flags); return true }
        guard items.open(at: i, 1) else { return false }
        items.at(i).pointee = v
        return true
    }

    /// insert(v) where v belongs at the gap (firstEnding(above: v.start) is
    /// the gap) and joins neither neighbour: one slot written. False, with
    /// nothing changed, when it would join one or its slot has no page yet.
    @inline(__always) mutating func insertAtGap(_ v: VMA) -> Bool {
        let g = items.gap
        return (g == 0 || items.belowGap.pointee.end != v.start || !same(items.belowGap, v.prot, v.flags))
            && (g == count || items.aboveGap.pointee.start != v.end || !same(items.aboveGap, v.prot, v.flags))
            && items.pushAboveGap(v)
    }

    /// Forgets which areas are untouched (a vfork child's faults map pages
    /// into this address space without marking these areas).
    mutating func forgetUntouched() {
        for i in 0..<count { items.at(i).pointee.flags &= ~VMA.untouched }
    }

    mutating func remove(at i: Int) { items.close(at: i) }

    /// Removes every area (exec; a new process).
    mutating func removeAll() { items.removeAll() }

    /// Removes [start, end) from every area, splitting where needed; false when
    /// a split would need more slots than there are.
    mutating func carve(_ start: UInt64, _ end: UInt64) -> Bool {
        var i = firstEnding(above: start)
        while i < count {
            let a = items.at(i)
            let vStart = a.pointee.start, vEnd = a.pointee.end
            if end <= vStart { break }                         // sorted: nothing further overlaps
            if vStart < start && end < vEnd {
                let v = a.pointee
                guard items.open(at: i + 1, 1) else { return false }
                items.at(i).pointee.end = start
                items[i + 1] = VMA(start: end, end: v.end, prot: v.prot, flags: v.flags)
                return true
            }
            if vStart < start { a.pointee.end = start; i += 1 }
            else if end < vEnd { a.pointee.start = end; i += 1 }
            else { remove(at: i) }
        }
        return true
    }

    /// Gives the parts of areas inside [start, end) protection `prot` (when
    /// not nil) and their flags with `set` added and `clear` removed,
    /// splitting areas at the ends and merging equal neighbours, as
    /// mprotect(2) and madvise(2) do; pages of the range in no area are left
    /// alone. False when a split needs more slots than there are.
    mutating func update(_ start: UInt64, _ end: UInt64, prot: UInt32?, set: UInt32, clear: UInt32) -> Bool {
        var a = start
        while a < end {
            let i = firstEnding(above: a)
            guard i < count, items.at(i).pointee.start < end else { return true }
            var piece = items[i]
            piece.start = max(piece.start, a)
            piece.end = min(piece.end, end)
            piece.prot = prot ?? piece.prot
            piece.flags = (piece.flags | set) & ~clear
            a = piece.end
            if same(items.at(i), piece.prot, piece.flags) { continue }
            guard replace(at: i, with: piece) else { return false }
        }
        return true
    }

    /// Puts `piece`, a part of area i, in its place: what is left of area i on
    /// either side stays as it was, and `piece` merges with an equal
    /// neighbour. False (nothing changed) when the split needs more slots.
    mutating func replace(at i: Int, with piece: VMA) -> Bool {
        let v = items[i]
        let left = v.start < piece.start, right = piece.end < v.end
        if !left && !right && change(i, prot: piece.prot, flags: piece.flags) { return true }
        let extra = (left ? 1 : 0) + (right ? 1 : 0)
        guard items.open(at: i + 1, extra) else { return false }
        var k = i
        if left { items[k] = VMA(start: v.start, end: piece.start, prot: v.prot, flags: v.flags); k += 1 }
        items[k] = piece
        if right { items[k + 1] = VMA(start: piece.end, end: v.end, prot: v.prot, flags: v.flags) }
        if !right && k + 1 < count && items.at(k + 1).pointee.start == piece.end && same(items.at(k + 1), piece.prot, piece.flags) {
            items.at(k).pointee.end = items.at(k + 1).pointee.end
            absorb(items.at(k), items.at(k + 1).pointee.flags)
            remove(at: k + 1)
        }
        if !left && k > 0 && items.at(k - 1).pointee.end == piece.start && same(items.at(k - 1), piece.prot, piece.flags) {
            items.at(k - 1).pointee.end = items.at(k).pointee.end
            absorb(items.at(k - 1), items.at(k).pointee.flags)
            remove(at: k)
        }
        return true
    }

    /// change(gap, prot:, flags:) when area gap is [start, end): one area
    /// given `prot` in place, unless it would then merge with a neighbour;
    /// returns the area, or nil with nothing changed.
    @inline(__always) func changeAtGap(_ start: UInt64, _ end: UInt64, prot: UInt32) -> UnsafeMutablePointer<VMA>? {
        let g = items.gap
        guard g < count else { return nil }
        let a = items.aboveGap
        guard a.pointee.start == start && a.pointee.end == end else { return nil }
        if a.pointee.prot == prot { return a }
        let flags = a.pointee.flags
        if g > 0 && items.belowGap.pointee.end == start && same(items.belowGap, prot, flags) { return nil }
        if g + 1 < count && items.afterGap.pointee.start == end && same(items.afterGap, prot, flags) { return nil }
        a.pointee.prot = prot
        return a
    }

    /// Gives area i protection `prot` and `flags` in place; false (nothing
    /// changed) when it would then merge with a neighbour (replace does that).
    @inline(__always) func change(_ i: Int, prot: UInt32, flags: UInt32) -> Bool {
        let a = items.at(i)
        if i > 0 && items.at(i - 1).pointee.end == a.pointee.start && same(items.at(i - 1), prot, flags) { return false }
        if i + 1 < count && items.at(i + 1).pointee.start == a.pointee.end && same(items.at(i + 1), prot, flags) { return false }
        a.pointee.prot = prot
        a.pointee.flags = flags
        return true
    }

    /// True when every page of [start, end) is inside some area.
    func covers(_ start: UInt64, _ end: UInt64) -> Bool {
        var a = start
        while a < end {
            guard let i = find(a) else { return false }
            a = items.at(i).pointee.end
        }
        return true
    }
}

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
}

enum Prot {
    static let read: UInt32 = 1
    static let write: UInt32 = 2
    static let exec: UInt32 = 4
}

/// A process's areas, kept sorted and non-overlapping (VMAStore: up to
/// vm.max_map_count of them, binary-searched).
struct VMAList {
    static let capacity = VMAStore.capacity
    var items = VMAStore()
    var count: Int {
        get { items.count }
        set { items.count = newValue }
    }

    /// The first area ending above `va` (count when none).
    func firstEnding(above va: UInt64) -> Int {
        if count <= 16 { return items.scanFirstEnding(above: va) }
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if items[mid].end <= va { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func find(_ va: UInt64) -> Int? {
        let i = firstEnding(above: va)
        return i < count && items[i].start <= va ? i : nil
    }

    /// The area holding `va` (the page-fault path's question), or nil.
    @inline(__always) func area(containing va: UInt64) -> VMA? {
        if count <= 16 { return items.scanArea(containing: va) }
        guard let i = find(va) else { return nil }
        return items[i]
    }

    func overlaps(_ start: UInt64, _ end: UInt64) -> Bool {
        let i = firstEnding(above: start)
        return i < count && items[i].start < end
    }

    /// Inserts in address order, merged with neighbours of the same
    /// protection that touch it; false when full. The range must be free.
    mutating func insert(_ v: VMA) -> Bool {
        let i = firstEnding(above: v.start)
        let joinsLeft = i > 0 && items[i - 1].end == v.start && items[i - 1].prot == v.prot && items[i - 1].flags == v.flags
        let joinsRight = i < count && items[i].start == v.end && items[i].prot == v.prot && items[i].flags == v.flags
        if joinsLeft && joinsRight {
            items[i - 1].end = items[i].end
            remove(at: i)
            return true
        }
        if joinsLeft { items[i - 1].end = v.end; return true }
        if joinsRight { items[i].start = v.start; return true }
        guard items.open(at: i, 1) else { return false }
        items[i] = v
        return true
    }

    mutating func remove(at i: Int) { items.close(at: i) }

    /// Removes [start, end) from every area, splitting where needed; false when
    /// a split would need more slots than there are.
    mutating func carve(_ start: UInt64, _ end: UInt64) -> Bool {
        var i = firstEnding(above: start)
        while i < count {
            let v = items[i]
            if end <= v.start { break }                        // sorted: nothing further overlaps
            if v.start < start && end < v.end {
                guard items.open(at: i + 1, 1) else { return false }
                items[i].end = start
                items[i + 1] = VMA(start: end, end: v.end, prot: v.prot, flags: v.flags)
                return true
            }
            if v.start < start { items[i].end = start; i += 1 }
            else if end < v.end { items[i].start = end; i += 1 }
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
            guard i < count, items[i].start < end else { return true }
            var piece = items[i]
            piece.start = max(piece.start, a)
            piece.end = min(piece.end, end)
            piece.prot = prot ?? piece.prot
            piece.flags = (piece.flags | set) & ~clear
            a = piece.end
            if piece.prot == items[i].prot && piece.flags == items[i].flags { continue }
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
        let extra = (left ? 1 : 0) + (right ? 1 : 0)
        guard items.open(at: i + 1, extra) else { return false }
        var k = i
        if left { items[k] = VMA(start: v.start, end: piece.start, prot: v.prot, flags: v.flags); k += 1 }
        items[k] = piece
        if right { items[k + 1] = VMA(start: piece.end, end: v.end, prot: v.prot, flags: v.flags) }
        if !right && k + 1 < count && items[k + 1].start == piece.end && items[k + 1].prot == piece.prot
            && items[k + 1].flags == piece.flags {
            items[k].end = items[k + 1].end
            remove(at: k + 1)
        }
        if !left && k > 0 && items[k - 1].end == piece.start && items[k - 1].prot == piece.prot
            && items[k - 1].flags == piece.flags {
            items[k - 1].end = items[k].end
            remove(at: k)
        }
        return true
    }

    /// True when every page of [start, end) is inside some area.
    func covers(_ start: UInt64, _ end: UInt64) -> Bool {
        var a = start
        while a < end {
            guard let i = find(a) else { return false }
            a = items[i].end
        }
        return true
    }
}

/// A user virtual memory area: [start, end), page aligned, with its PROT_* bits.
/// Pages inside an area that are not mapped yet are demand-zero.
struct VMA {
    var start: UInt64
    var end: UInt64
    var prot: UInt32
}

enum Prot {
    static let read: UInt32 = 1
    static let write: UInt32 = 2
    static let exec: UInt32 = 4
}

/// A process's areas, kept sorted and non-overlapping in a fixed array.
struct VMAList {
    static let capacity = 1024
    var items: UnsafeMutablePointer<VMA>
    var count = 0

    init() { items = .allocate(capacity: VMAList.capacity) }

    func find(_ va: UInt64) -> Int? {
        for i in 0..<count where items[i].start <= va && va < items[i].end { return i }
        return nil
    }

    func overlaps(_ start: UInt64, _ end: UInt64) -> Bool {
        for i in 0..<count where items[i].start < end && start < items[i].end { return true }
        return false
    }

    /// Inserts in address order, merged with neighbours of the same
    /// protection that touch it; false when full. The range must be free.
    mutating func insert(_ v: VMA) -> Bool {
        var i = 0
        while i < count && items[i].start < v.start { i += 1 }
        let joinsLeft = i > 0 && items[i - 1].end == v.start && items[i - 1].prot == v.prot
        let joinsRight = i < count && items[i].start == v.end && items[i].prot == v.prot
        if joinsLeft && joinsRight {
            items[i - 1].end = items[i].end
            remove(at: i)
            return true
        }
        if joinsLeft { items[i - 1].end = v.end; return true }
        if joinsRight { items[i].start = v.start; return true }
        guard count < VMAList.capacity else { return false }
        var j = count
        while j > i { items[j] = items[j - 1]; j -= 1 }
        items[i] = v
        count += 1
        return true
    }

    mutating func remove(at i: Int) {
        var j = i
        while j + 1 < count { items[j] = items[j + 1]; j += 1 }
        count -= 1
    }

    /// Removes [start, end) from every area, splitting where needed; false when
    /// a split would need more slots than there are.
    mutating func carve(_ start: UInt64, _ end: UInt64) -> Bool {
        var i = 0
        while i < count {
            let v = items[i]
            if v.end <= start || end <= v.start { i += 1; continue }
            if v.start < start && end < v.end {
                guard count < VMAList.capacity else { return false }
                items[i].end = start
                return insert(VMA(start: end, end: v.end, prot: v.prot))
            }
            if v.start < start { items[i].end = start; i += 1 }
            else if end < v.end { items[i].start = end; i += 1 }
            else { remove(at: i) }
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

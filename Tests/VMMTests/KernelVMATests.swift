import Testing

/// The guest kernel's list of memory areas (Sources/GuestKernel/Kernel/
/// Process/VMA.swift, compiled here through KernelShared/): insert/merge,
/// carve and the mprotect/madvise update that splits areas at the range ends.
struct KernelVMATests {
    typealias Area = (start: UInt64, end: UInt64, prot: UInt32, flags: UInt32)

    func areas(_ l: VMAList) -> [Area] {
        (0..<l.count).map { (l.items[$0].start, l.items[$0].end, l.items[$0].prot, l.items[$0].flags) }
    }

    func expectAreas(_ l: VMAList, _ want: [Area], sourceLocation: SourceLocation = #_sourceLocation) {
        let got = areas(l)
        #expect(got.count == want.count, "\(got)", sourceLocation: sourceLocation)
        for (g, w) in zip(got, want) {
            #expect(g == w, "\(got)", sourceLocation: sourceLocation)
        }
    }

    @Test func insertMergesOnlyEqualNeighbours() {
        var l = VMAList()
        do { let r = l.insert(VMA(start: 0x1000, end: 0x3000, prot: 3)); #expect(r) }
        do { let r = l.insert(VMA(start: 0x3000, end: 0x4000, prot: 3)); #expect(r) }                      // merges
        do { let r = l.insert(VMA(start: 0x4000, end: 0x5000, prot: 3, flags: VMA.hugePage)); #expect(r) }  // flags differ
        do { let r = l.insert(VMA(start: 0x5000, end: 0x6000, prot: 1, flags: VMA.hugePage)); #expect(r) }  // prot differs
        expectAreas(l, [(0x1000, 0x4000, 3, 0), (0x4000, 0x5000, 3, VMA.hugePage), (0x5000, 0x6000, 1, VMA.hugePage)])
    }

    /// VMA.untouched is no attribute: areas merge regardless of it, and a
    /// merged area is untouched only if both parts were (else munmap and
    /// mprotect would skip the page tables of the touched part).
    @Test func untouchedMergesAndOnlyBothUntouchedStayUntouched() {
        var l = VMAList()
        do { let r = l.insert(VMA(start: 0x1000, end: 0x2000, prot: 3, flags: VMA.untouched)); #expect(r) }
        do { let r = l.insert(VMA(start: 0x2000, end: 0x3000, prot: 3, flags: VMA.untouched)); #expect(r) }   // both: untouched
        expectAreas(l, [(0x1000, 0x3000, 3, VMA.untouched)])
        do { let r = l.insert(VMA(start: 0x3000, end: 0x4000, prot: 3)); #expect(r) }                        // a touched one joins
        expectAreas(l, [(0x1000, 0x4000, 3, 0)])
        do { let r = l.insert(VMA(start: 0x8000, end: 0x9000, prot: 3)); #expect(r) }
        do { let r = l.insert(VMA(start: 0x7000, end: 0x8000, prot: 3, flags: VMA.untouched)); #expect(r) }   // joins on the right
        expectAreas(l, [(0x1000, 0x4000, 3, 0), (0x7000, 0x9000, 3, 0)])
        // mprotect's split and merge back: the untouched piece merges into a touched neighbour.
        do { let r = l.insert(VMA(start: 0xa000, end: 0xc000, prot: 3, flags: VMA.untouched)); #expect(r) }
        do { let r = l.update(0xa000, 0xb000, prot: 1, set: 0, clear: 0); #expect(r) }
        expectAreas(l, [(0x1000, 0x4000, 3, 0), (0x7000, 0x9000, 3, 0), (0xa000, 0xb000, 1, VMA.untouched), (0xb000, 0xc000, 3, VMA.untouched)])
        do { let r = l.insert(VMA(start: 0x9000, end: 0xa000, prot: 1, flags: VMA.untouched)); #expect(r) }   // joins 0xa000 (both untouched)
        expectAreas(l, [(0x1000, 0x4000, 3, 0), (0x7000, 0x9000, 3, 0), (0x9000, 0xb000, 1, VMA.untouched), (0xb000, 0xc000, 3, VMA.untouched)])
        do { let r = l.update(0x9000, 0xb000, prot: 3, set: 0, clear: 0); #expect(r) }                    // merges with both sides
        expectAreas(l, [(0x1000, 0x4000, 3, 0), (0x7000, 0xc000, 3, 0)])
        l.forgetUntouched()
        #expect(areas(l).allSatisfy { $0.flags & VMA.untouched == 0 })
    }

    @Test func carveKeepsFlagsOfBothHalves() {
        var l = VMAList()
        do { let r = l.insert(VMA(start: 0x1000, end: 0x9000, prot: 3, flags: VMA.hugePage)); #expect(r) }
        do { let r = l.carve(0x3000, 0x4000); #expect(r) }
        expectAreas(l, [(0x1000, 0x3000, 3, VMA.hugePage), (0x4000, 0x9000, 3, VMA.hugePage)])
    }

    @Test func updateSplitsAtTheEndsAndMergesBack() {
        var l = VMAList()
        do { let r = l.insert(VMA(start: 0x1000, end: 0x9000, prot: 3)); #expect(r) }
        do { let r = l.update(0x3000, 0x5000, prot: 1, set: 0, clear: 0); #expect(r) }
        expectAreas(l, [(0x1000, 0x3000, 3, 0), (0x3000, 0x5000, 1, 0), (0x5000, 0x9000, 3, 0)])
        do { let r = l.update(0x3000, 0x5000, prot: 3, set: 0, clear: 0); #expect(r) }
        expectAreas(l, [(0x1000, 0x9000, 3, 0)])
    }

    @Test func updateOfFlagsKeepsEachPiecesProtectionAndSkipsHoles() {
        var l = VMAList()
        do { let r = l.insert(VMA(start: 0x1000, end: 0x3000, prot: 1)); #expect(r) }
        do { let r = l.insert(VMA(start: 0x3000, end: 0x5000, prot: 3)); #expect(r) }
        do { let r = l.insert(VMA(start: 0x8000, end: 0xa000, prot: 5)); #expect(r) }
        do { let r = l.update(0x2000, 0x9000, prot: nil, set: VMA.hugePage, clear: VMA.noHugePage); #expect(r) }
        expectAreas(l, [(0x1000, 0x2000, 1, 0), (0x2000, 0x3000, 1, VMA.hugePage), (0x3000, 0x5000, 3, VMA.hugePage),
                        (0x8000, 0x9000, 5, VMA.hugePage), (0x9000, 0xa000, 5, 0)])
        #expect(!l.covers(0x2000, 0x9000))
        do { let r = l.update(0x1000, 0xa000, prot: nil, set: VMA.noHugePage, clear: VMA.hugePage); #expect(r) }
        expectAreas(l, [(0x1000, 0x3000, 1, VMA.noHugePage), (0x3000, 0x5000, 3, VMA.noHugePage), (0x8000, 0xa000, 5, VMA.noHugePage)])
    }

    @Test func updateFailsWithoutSlotsAndLosesNothing() {
        var l = VMAList()
        // Full: capacity areas of alternating protection, none mergeable,
        // placed top-down as mmap does (each new one first in the list).
        for i in (0..<VMAList.capacity).reversed() {
            let s = UInt64(i + 1) * 0x2000
            do { let r = l.insert(VMA(start: s, end: s + 0x1000, prot: UInt32(i & 1) + 1)); #expect(r) }
        }
        #expect(l.count == 65530)                                                                  // vm.max_map_count
        do { let r = l.insert(VMA(start: 0x1_0000_0000, end: 0x1_0000_1000, prot: 3)); #expect(!r) }   // one more: full
        let before = areas(l)
        do { let r = l.update(0x2000, 0x2800, prot: 3, set: 0, clear: 0); #expect(!r) }        // would split the first area
        let after = areas(l)
        #expect(after.count == before.count)
        #expect(zip(after, before).allSatisfy { $0 == $1 })
    }

    /// Random mprotect/madvise-like updates, carves and inserts over 64 pages,
    /// checked against a page-by-page model: same (prot, flags) for every
    /// page, areas sorted and disjoint, no two equal areas left touching.
    @Test func randomUpdatesMatchAPageModel() {
        var l = VMAList()
        var model = [(UInt32, UInt32)?](repeating: nil, count: 64)
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % n
        }
        func page(_ i: Int) -> UInt64 { 0x10_0000 + UInt64(i) * 0x1000 }
        for step in 0..<3000 {
            let a = next(64), b = a + 1 + next(64 - a)
            switch next(3) {
            case 0:
                let prot = UInt32(next(4)), flags = UInt32(next(3))
                if (a..<b).allSatisfy({ model[$0] == nil }) {
                    let ok = l.insert(VMA(start: page(a), end: page(b), prot: prot, flags: flags))
                    #expect(ok)
                    for i in a..<b { model[i] = (prot, flags) }
                }
            case 1:
                let ok = l.carve(page(a), page(b))
                #expect(ok)
                for i in a..<b { model[i] = nil }
            default:
                let prot: UInt32? = next(2) == 0 ? nil : UInt32(next(4))
                let set = UInt32(next(3)), clear = UInt32(next(3)) & ~set
                let ok = l.update(page(a), page(b), prot: prot, set: set, clear: clear)
                #expect(ok)
                for i in a..<b { if let m = model[i] { model[i] = (prot ?? m.0, (m.1 | set) & ~clear) } }
            }
            let got = areas(l)
            for (x, y) in zip(got, got.dropFirst()) {
                #expect(x.end <= y.start, "step \(step): overlap or disorder \(got)")
                #expect(!(x.end == y.start && x.prot == y.prot && x.flags == y.flags), "step \(step): unmerged \(got)")
            }
            for i in 0..<64 {
                let hit = got.first { $0.start <= page(i) && page(i) < $0.end }
                let want = model[i].map { "\($0.0)/\($0.1)" } ?? "none"
                let have = hit.map { "\($0.prot)/\($0.flags)" } ?? "none"
                #expect(have == want, "step \(step) page \(i)")
            }
        }
    }

    /// The gap buffer across chunk pages: random inserts and carves anywhere
    /// in 1,000 pages (up to 500 areas, four chunks of 128), checked against
    /// a page model after every step; a fork's copy taken along the way
    /// must equal its source, then live on independently.
    @Test func gapBufferAcrossChunksMatchesAPageModel() {
        var l = VMAList()
        let pages = 1000
        var model = [UInt32?](repeating: nil, count: pages)
        var state: UInt64 = 0x2545_f491_4f6c_dd1d
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % n
        }
        func page(_ i: Int) -> UInt64 { 0x40_0000 + UInt64(i) * 0x1000 }
        func check(_ l: VMAList, _ model: [UInt32?], _ step: Int) {
            let got = areas(l)
            for (x, y) in zip(got, got.dropFirst()) { #expect(x.end <= y.start, "step \(step): disorder") }
            var i = 0
            for a in got {
                while page(i) < a.start { #expect(model[i] == nil, "step \(step) page \(i)"); i += 1 }
                while page(i) < a.end { #expect(model[i] == a.prot, "step \(step) page \(i)"); i += 1 }
            }
            while i < pages { #expect(model[i] == nil, "step \(step) page \(i)"); i += 1 }
            for _ in 0..<8 {                                    // lookups agree with the model
                let q = next(pages)
                #expect(l.area(containing: page(q) + 0x800)?.prot == model[q], "step \(step) lookup \(q)")
            }
        }
        var copy = VMAList()
        var copyModel = model
        for step in 0..<4000 {
            let a = next(pages), b = min(pages, a + 1 + next(4))
            if next(3) != 0 {
                // Alternating protections keep neighbours apart: many areas.
                let prot = UInt32(a & 1) + 1
                if (a..<b).allSatisfy({ model[$0] == nil }) {
                    do { let r = l.insert(VMA(start: page(a), end: page(b), prot: prot)); #expect(r) }
                    for i in a..<b { model[i] = prot }
                }
            } else {
                do { let r = l.carve(page(a), page(b)); #expect(r) }
                for i in a..<b { model[i] = nil }
            }
            check(l, model, step)
            if step == 2500 {
                do { let r = copy.items.copy(from: l.items); #expect(r) }
                copyModel = model
                check(copy, copyModel, step)
            }
        }
        #expect(l.count > 128)
        check(copy, copyModel, -1)
        l.items.release()
        copy.items.release()
    }
}

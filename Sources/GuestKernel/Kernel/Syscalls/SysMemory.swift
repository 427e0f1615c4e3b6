import KernelSupport

/// brk, mmap (anonymous), munmap, mprotect, madvise (brk(2), mmap(2),
/// mprotect(2), madvise(2)). Anonymous pages are demand-zero.
enum SysMemory {
    static let PROT_MASK: UInt64 = 7
    static let MAP_SHARED: UInt64 = 0x01, MAP_PRIVATE: UInt64 = 0x02, MAP_FIXED: UInt64 = 0x10
    static let MAP_ANONYMOUS: UInt64 = 0x20, MAP_FIXED_NOREPLACE: UInt64 = 0x10_0000

    @inline(__always)   // into its sys_ entry (Dispatcher.swift): no tail call through a frame
    static func brk(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let want = a.a0
        let cur = p.pointee.brk
        guard want >= p.pointee.brkStart, want - p.pointee.brkStart <= Process.brkMax else { return Int64(cur) }
        // Both at most brkStart + brkMax, far below 2^64: rounding up cannot wrap.
        let newTop = (want &+ 0xfff) & ~0xfff, oldTop = (cur &+ 0xfff) & ~0xfff
        if newTop > oldTop {
            let i = p.pointee.vmas.firstEnding(above: oldTop)
            if i < p.pointee.vmas.count && p.pointee.vmas.items.at(i).pointee.start < newTop { return Int64(cur) }
            // The next brk's check, and mmap's placements above the heap, find the gap here.
            if i != p.pointee.vmas.items.gap { _ = p.pointee.vmas.items.focus(i) }
        } else if newTop < oldTop && p.pointee.heapMapped > newTop {
            // Pages above heapMapped were never faulted in: nothing to walk (the
            // brk benchmark's page, grown and shrunk untouched).
            guard splitEnds(p, newTop, oldTop) else { return Int64(cur) }
            PageTable.unmap(p.pointee.pml4, newTop, oldTop, flush: true, hugePages: p.pointee.hasHugePages)
            p.pointee.heapMapped = newTop
        }
        p.pointee.brk = want
        return Int64(want)
    }

    @inline(__always)   // into its sys_ entry (Dispatcher.swift): no tail call through a frame
    static func mmap(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let addr = a.a0, length = a.a1, prot = a.a2, flags = a.a3
        guard length > 0 else { return -Errno.EINVAL }
        guard let len = pageUp(length), len <= PageTable.userTop else { return -Errno.ENOMEM }   // get_unmapped_area
        guard prot & ~PROT_MASK == 0 else { return -Errno.EINVAL }
        let kind = flags & 3
        guard kind == MAP_PRIVATE || kind == MAP_SHARED else { return -Errno.EINVAL }
        guard flags & MAP_ANONYMOUS != 0 else {
            return p.pointee.files.get(a.a4) == nil ? -Errno.EBADF : -Errno.ENODEV   // file mappings: not yet
        }
        var start: UInt64
        var at = -1                     // firstEnding(above: start), when known
        if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
            // The range first, as Linux's get_unmapped_area: a kernel address is ENOMEM.
            guard addr <= PageTable.userTop - len else { return -Errno.ENOMEM }
            guard addr & 0xfff == 0, addr >= Physical.pageSize else { return -Errno.EINVAL }
            start = addr
            if p.pointee.vmas.overlaps(start, start + len) || overlapsHeap(p, start, start + len) {
                if flags & MAP_FIXED_NOREPLACE != 0 { return -Errno.EEXIST }
                guard unmapRange(p, start, start + len) else { return -Errno.ENOMEM }
            }
        } else if addr != 0, pageDown(addr) >= Physical.pageSize, pageDown(addr) <= PageTable.userTop - len,
                  !p.pointee.vmas.overlaps(pageDown(addr), pageDown(addr) + len),
                  !overlapsHeap(p, pageDown(addr), pageDown(addr) + len) {
            start = pageDown(addr)
        } else {
            guard let s = findFree(p, len, &at) else { return -Errno.ENOMEM }
            start = s
        }
        // A private area starts untouched; a shared one's pages are given
        // frames behind its back at fork (SharedAnonymous.populate).
        let area = VMA(start: start, end: start + len, prot: UInt32(prot),
                       flags: kind == MAP_SHARED ? VMA.sharedMemory : VMA.untouched)
        if at == p.pointee.vmas.items.gap && p.pointee.vmas.insertAtGap(area) { return Int64(start) }
        let inserted = at >= 0 ? p.pointee.vmas.insert(area, at: at) : p.pointee.vmas.insert(area)
        guard inserted else { return -Errno.ENOMEM }
        return Int64(start)
    }

    /// Heap pages may be mapped in [s, e): it meets [brkStart, the break or
    /// the highest heap page faulted in, whichever is higher).
    @inline(__always) static func heapMayMap(_ p: UnsafeMutablePointer<Process>, _ s: UInt64, _ e: UInt64) -> Bool {
        s < max(p.pointee.heapMapped, pageUp(p.pointee.brk) ?? UInt64.max) && p.pointee.brkStart < e
    }

    static func overlapsHeap(_ p: UnsafeMutablePointer<Process>, _ s: UInt64, _ e: UInt64) -> Bool {
        guard let top = pageUp(p.pointee.brk) else { return true }
        return s < top && p.pointee.brkStart < e
    }

    /// Top-down below the last placement (as Linux's default layout). A
    /// length that is a multiple of 2 MiB is placed 2 MiB-aligned, so that
    /// huge pages can map it (Linux since 6.7, __get_unmapped_area →
    /// thp_get_unmapped_area for anonymous mappings of PMD-multiple length).
    /// `at` is set to the index the area is to be inserted at (VMAList.insert(_:at:)).
    @inline(__always)
    static func findFree(_ p: UnsafeMutablePointer<Process>, _ len: UInt64, _ at: inout Int) -> UInt64? {
        let align: UInt64 = len & (FrameAllocator.hugeSize - 1) == 0 ? FrameAllocator.hugeSize : Physical.pageSize
        var top = p.pointee.mmapTop
        while top >= len && (top - len) & ~(align - 1) >= p.pointee.brkStart &+ Process.brkMax {
            let s = (top - len) & ~(align - 1)
            let i = p.pointee.vmas.firstEnding(above: s)
            if i == p.pointee.vmas.count || p.pointee.vmas.items.at(i).pointee.start >= top {      // [s, top) is free
                p.pointee.mmapTop = s
                at = i
                return s
            }
            // Skip below the area in the way.
            var lowest = s
            for i in 0..<p.pointee.vmas.count where p.pointee.vmas.items[i].start < top && s < p.pointee.vmas.items[i].end {
                lowest = min(lowest, p.pointee.vmas.items[i].start)
            }
            top = lowest
        }
        return nil
    }

    /// Splits the 2 MiB pages that [s, e) starts or ends inside, before an
    /// operation on the range changes anything; false without memory.
    @inline(__always)
    static func splitEnds(_ p: UnsafeMutablePointer<Process>, _ s: UInt64, _ e: UInt64) -> Bool {
        !p.pointee.hasHugePages || (PageTable.splitAround(p.pointee.pml4, s) && PageTable.splitAround(p.pointee.pml4, e))
    }

    @inline(__always)
    static func unmapRange(_ p: UnsafeMutablePointer<Process>, _ s: UInt64, _ e: UInt64) -> Bool {
        // The range is one whole area that never had a page, and no heap
        // page is there: nothing in the page tables to visit. The area is
        // looked for at the gap first (where mmap put the last one).
        let g = p.pointee.vmas.items.gap
        if g < p.pointee.vmas.count, case let a = p.pointee.vmas.items.aboveGap, a.pointee.start == s,
           a.pointee.end == e && a.pointee.flags & VMA.untouched != 0 && !heapMayMap(p, s, e) {
            p.pointee.vmas.items.removeAboveGap()          // sorted: area gap is the one at s
            raiseMmapTop(p, s, e)
            return true
        }
        return unmapRangeSlow(p, s, e)
    }

    static func unmapRangeSlow(_ p: UnsafeMutablePointer<Process>, _ s: UInt64, _ e: UInt64) -> Bool {
        if case let i = p.pointee.vmas.firstEnding(above: s), i < p.pointee.vmas.count,
                  case let a = p.pointee.vmas.items.at(i), a.pointee.start == s,
                  a.pointee.end == e && a.pointee.flags & VMA.untouched != 0 && !heapMayMap(p, s, e) {
            p.pointee.vmas.remove(at: i)
        } else {
            guard splitEnds(p, s, e), p.pointee.vmas.carve(s, e) else { return false }
            PageTable.unmap(p.pointee.pml4, s, e, flush: true, hugePages: p.pointee.hasHugePages)
        }
        raiseMmapTop(p, s, e)
        return true
    }

    /// The next placement may reuse the room of unmapped [s, e) (Linux 2.6's
    /// arch_unmap_area_topdown raised free_area_cache the same way; today's
    /// top-down search finds the highest hole): findFree checks it is free.
    @inline(__always) static func raiseMmapTop(_ p: UnsafeMutablePointer<Process>, _ s: UInt64, _ e: UInt64) {
        let top = p.pointee.mmapTop
        if s <= top && top < e { p.pointee.mmapTop = min(e, Process.mmapBase) }
    }

    @inline(__always)   // into its sys_ entry (Dispatcher.swift): no tail call through a frame
    static func munmap(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let addr = a.a0
        guard addr & 0xfff == 0, a.a1 > 0, let len = pageUp(a.a1), addr <= PageTable.userTop,
              len <= PageTable.userTop - addr else { return -Errno.EINVAL }
        return unmapRange(p, addr, addr + len) ? 0 : -Errno.ENOMEM
    }

    @inline(__always)   // into its sys_ entry (Dispatcher.swift): no tail call through a frame
    static func mprotect(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let addr = a.a0, prot = a.a2 & ~UInt64(0x0300_0000)      // PROT_GROWSDOWN/UP ignored
        guard addr & 0xfff == 0, prot & ~PROT_MASK == 0 else { return -Errno.EINVAL }
        guard let len = pageUp(a.a1), addr <= PageTable.userTop, len <= PageTable.userTop - addr else { return -Errno.ENOMEM }
        if len == 0 { return 0 }
        let end = addr + len
        // The commonest: the whole area at the gap (where the last change
        // was), changed in place, no 2 MiB page to split. (An area mapped
        // MAP_FIXED over the heap takes the protection too, as Linux's
        // area there would; its pages are changed either way.)
        if !p.pointee.hasHugePages, let a = p.pointee.vmas.changeAtGap(addr, end, prot: UInt32(prot)) {
            if a.pointee.flags & VMA.untouched != 0 && !heapMayMap(p, addr, end) { return 0 }
            return protectPages(p, addr, end, UInt32(prot))
        }
        let inHeap = addr >= p.pointee.brkStart && end <= (pageUp(p.pointee.brk) ?? 0)
        // The common case, a range inside one area, with one lookup (the
        // general covers + update look every area up twice: 72 guest-kernel
        // instructions per call in the mprotect benchmark).
        var one = -1
        if !inHeap {
            let i = p.pointee.vmas.firstEnding(above: addr)
            guard i < p.pointee.vmas.count, p.pointee.vmas.items.at(i).pointee.start <= addr else { return -Errno.ENOMEM }
            if end <= p.pointee.vmas.items.at(i).pointee.end { one = i }
            else { guard p.pointee.vmas.covers(addr, end) else { return -Errno.ENOMEM } }
            // The next mprotect of this area finds it at the gap (changeAtGap;
            // indices stay, only slots move; a failed move loses only that).
            if one >= 0 && i != p.pointee.vmas.items.gap { _ = p.pointee.vmas.items.focus(i) }
        }
        // The commonest: one whole area changed in place, no 2 MiB page to split.
        if one >= 0 && !p.pointee.hasHugePages {
            let a = p.pointee.vmas.items.at(one)
            if a.pointee.start == addr && a.pointee.end == end
                && (a.pointee.prot == UInt32(prot) || p.pointee.vmas.change(one, prot: UInt32(prot), flags: a.pointee.flags)) {
                if a.pointee.flags & VMA.untouched != 0 && !heapMayMap(p, addr, end) { return 0 }
                return protectPages(p, addr, end, UInt32(prot))
            }
        }
        guard splitEnds(p, addr, end) else { return -Errno.ENOMEM }
        // An area never faulted in has no entry to change.
        let untouched = one >= 0 && p.pointee.vmas.items.at(one).pointee.flags & VMA.untouched != 0 && !heapMayMap(p, addr, end)
        if one >= 0 {
            let a = p.pointee.vmas.items.at(one)
            if a.pointee.prot != UInt32(prot)
                && !(a.pointee.start == addr && a.pointee.end == end && p.pointee.vmas.change(one, prot: UInt32(prot), flags: a.pointee.flags)) {
                var piece = a.pointee
                piece.start = addr
                piece.end = end
                piece.prot = UInt32(prot)
                guard p.pointee.vmas.replace(at: one, with: piece) else { return -Errno.ENOMEM }
            }
        } else if !inHeap {
            guard p.pointee.vmas.update(addr, end, prot: UInt32(prot), set: 0, clear: 0) else { return -Errno.ENOMEM }
        }
        // Mapped pages: W follows PROT_WRITE; PROT_NONE clears P (the frame is
        // kept under the protNone bit) so any access faults. A 2 MiB page wholly
        // inside the range changes in its PD entry: the same bits.
        return untouched ? 0 : protectPages(p, addr, end, UInt32(prot))
    }

    /// Gives the pages of [addr, end) (their areas changed) protection `prot`.
    @inline(__always)
    static func protectPages(_ p: UnsafeMutablePointer<Process>, _ addr: UInt64, _ end: UInt64, _ prot: UInt32) -> Int64 {
        let rights = protectionBits(prot)
        if p.pointee.hasHugePages {
            PageTable.forEachHugePage(p.pointee.pml4, addr, end) { e, va in
                e.pointee = (e.pointee & ~(PTE.writable | PTE.present | PTE.user | PageTable.protNone)) | rights
                invlpg(va)
            }
        }
        var ok = true
        PageTable.forEachPresent(p.pointee.pml4, addr, end) { e, va in
            // A borrowed (initrd) page becomes the process's own before it is writable.
            if prot & 2 != 0 && !PageTable.privatize(e, va) { ok = false; return }
            e.pointee = (e.pointee & ~(PTE.writable | PTE.present | PTE.user | PageTable.protNone)) | rights
            invlpg(va)
        }
        return ok ? 0 : -Errno.ENOMEM
    }

    /// The entry bits for PROT_* `prot`: PROT_NONE keeps the frame with P
    /// clear (PageTable.protNone); anything else is present and user; W
    /// follows PROT_WRITE (x86 pages without NX are always readable/executable).
    @inline(__always) static func protectionBits(_ prot: UInt32) -> UInt64 {
        if prot == 0 { return PageTable.protNone }
        return PTE.present | PTE.user | (prot & Prot.write != 0 ? PTE.writable : 0)
    }

    static let MADV_DONTNEED: UInt64 = 4, MADV_HUGEPAGE: UInt64 = 14, MADV_NOHUGEPAGE: UInt64 = 15

    /// Advice Linux knows (mm/madvise.c madvise_behavior_valid): 0-4, 8-25,
    /// 100-103; anything else is EINVAL.
    static func validAdvice(_ v: UInt64) -> Bool { v <= 4 || (v >= 8 && v <= 25) || (v >= 100 && v <= 103) }

    /// Advice is accepted; MADV_DONTNEED drops the pages (private ones read
    /// as zero after; a MAP_SHARED area's keep their contents, as Linux's
    /// shmem); MADV_HUGEPAGE / MADV_NOHUGEPAGE mark the areas of the range
    /// (TransparentHugePages). A range with pages in no area (a kernel
    /// address too) is ENOMEM after the advice is applied to the rest, as Linux's.
    static func madvise(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a0 & 0xfff == 0, validAdvice(a.a2), let len = pageUp(a.a1) else { return -Errno.EINVAL }
        let (end, wraps) = a.a0.addingReportingOverflow(len)
        guard !wraps else { return -Errno.EINVAL }
        if len == 0 { return 0 }
        guard end <= PageTable.userTop else { return -Errno.ENOMEM }
        switch a.a2 {
        case MADV_DONTNEED:
            guard splitEnds(p, a.a0, end) else { return -Errno.ENOMEM }
            PageTable.unmap(p.pointee.pml4, a.a0, end, flush: true, hugePages: p.pointee.hasHugePages, keepShared: true)
        case MADV_HUGEPAGE, MADV_NOHUGEPAGE:
            let huge = a.a2 == MADV_HUGEPAGE
            guard p.pointee.vmas.update(a.a0, end, prot: nil, set: huge ? VMA.hugePage : VMA.noHugePage,
                                        clear: huge ? VMA.noHugePage : VMA.hugePage) else { return -Errno.ENOMEM }
        default:
            break
        }
        if !p.pointee.vmas.covers(a.a0, end) && !SysMemory.overlapsHeap(p, a.a0, end) { return -Errno.ENOMEM }
        return 0
    }

    /// mincore(2): one byte per page, 1 when resident; ENOMEM when a page of
    /// the range is not mapped at all.
    static func mincore(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a0 & 0xfff == 0 else { return -Errno.EINVAL }
        guard let len = pageUp(a.a1), a.a0 <= PageTable.userTop, len <= PageTable.userTop - a.a0 else { return -Errno.ENOMEM }
        var va = a.a0
        var i: UInt64 = 0
        while va < a.a0 + len {
            guard p.area(of: va) != nil else { return -Errno.ENOMEM }
            let e = PageTable.leafEntry(p.pointee.pml4, va)
            var b: UInt8 = e & (PTE.present | PageTable.protNone) != 0 ? 1 : 0
            guard UserMemory.copyOut(p, to: a.a2 &+ i, from: &b, count: 1) else { return -Errno.EFAULT }
            va += Physical.pageSize
            i += 1
        }
        return 0
    }
}

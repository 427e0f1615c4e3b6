import KernelSupport

/// x86_64 4-level paging (Intel SDM Vol. 3A, 4.5): one PML4 per address space.
/// Entries 256..511 (the kernel half) are the same in every PML4, copied from
/// the kernel's; entries 0..255 (the user half) are private to a process.
struct PTE {
    static let present: UInt64 = 1 << 0
    static let writable: UInt64 = 1 << 1
    static let user: UInt64 = 1 << 2
    static let large: UInt64 = 1 << 7
    static let addressMask: UInt64 = 0x000f_ffff_ffff_f000
    /// The frame of a 2 MiB page in a PDE with PS set (bit 12 is PAT there).
    static let largeAddressMask: UInt64 = 0x000f_ffff_ffe0_0000
    /// P, R/W, U/S, ... and the software bits 9-11.
    static let flagsMask: UInt64 = 0xfff
}

enum PageTable {
    /// The kernel's PML4 (physical); its top half is the template of every process's.
    nonisolated(unsafe) static var kernelPML4: UInt64 = 0
    static let userTop: UInt64 = 0x0000_7fff_ffff_f000   // as Linux's TASK_SIZE_MAX

    @inline(__always) static func entries(_ table: UInt64) -> UnsafeMutablePointer<UInt64> {
        Physical.pointer(table)
    }

    /// Builds the kernel's PML4: a direct map of all RAM at Physical.directMapBase
    /// (1 GiB pages when CPUID says so, else 2 MiB), and the VMM's mapping of the
    /// kernel image (PML4 511, 0xffffffff80000000 -> 0) reused as it is.
    static func buildKernel(ramSize: UInt64) -> Bool {
        guard let pml4 = FrameAllocator.allocate(), let pdpt = FrameAllocator.allocate() else { return false }
        var a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0, d: UInt32 = 0
        cpuid(0x8000_0001, 0, &a, &b, &c, &d)
        let gigPages = d & (1 << 26) != 0
        let gib: UInt64 = 1 << 30
        let gibs = min((ramSize + gib - 1) / gib, 512)
        let pdptE = entries(pdpt)
        for g in 0..<gibs {
            if gigPages {
                pdptE[Int(g)] = (g * gib) | PTE.present | PTE.writable | PTE.large
            } else {
                guard let pd = FrameAllocator.allocate() else { return false }
                let pdE = entries(pd)
                for i in 0..<512 {
                    let pa = g * gib + UInt64(i) << 21
                    if pa >= ramSize { break }
                    pdE[i] = pa | PTE.present | PTE.writable | PTE.large
                }
                pdptE[Int(g)] = pd | PTE.present | PTE.writable
            }
        }
        let k = entries(pml4)
        k[Int((Physical.directMapBase >> 39) & 511)] = pdpt | PTE.present | PTE.writable
        let vmmPML4: UnsafeMutablePointer<UInt64> = Physical.pointer(read_cr3() & PTE.addressMask)
        k[511] = vmmPML4[511]
        kernelPML4 = pml4
        return true
    }

    /// A new address space: empty user half, shared kernel half.
    static func newAddressSpace() -> UInt64? {
        guard let pml4 = FrameAllocator.allocate() else { return nil }
        copy_qwords(entries(pml4) + 256, entries(kernelPML4) + 256, 256)
        return pml4
    }

    static func index(_ va: UInt64, level: Int) -> Int { Int((va >> UInt64(12 + 9 * level)) & 511) }

    /// The leaf PTE slot for `va`, creating intermediate tables when `create`;
    /// nil when a table is missing (and not `create`, or out of memory) or a
    /// 2 MiB page is in the way. Written out level by level: the page-fault
    /// path walks it on every fault, and the loop cost it ~80 guest-kernel
    /// instructions against ~35.
    @inline(__always)
    static func slot(_ pml4: UInt64, _ va: UInt64, create: Bool) -> UnsafeMutablePointer<UInt64>? {
        // Every table present: no call, so no registers to save.
        let l4 = entries(pml4)[Int((va >> 39) & 511)]
        if l4 & (PTE.present | PTE.large) == PTE.present {
            let l3 = entries(l4 & PTE.addressMask)[Int((va >> 30) & 511)]
            if l3 & (PTE.present | PTE.large) == PTE.present {
                let l2 = entries(l3 & PTE.addressMask)[Int((va >> 21) & 511)]
                if l2 & (PTE.present | PTE.large) == PTE.present { return entries(l2 & PTE.addressMask) + Int((va >> 12) & 511) }
            }
        }
        return slotCreating(pml4, va, create: create)
    }

    @inline(never)
    private static func slotCreating(_ pml4: UInt64, _ va: UInt64, create: Bool) -> UnsafeMutablePointer<UInt64>? {
        guard let pdpt = table(entries(pml4) + Int((va >> 39) & 511), create),
              let pd = table(pdpt + Int((va >> 30) & 511), create),
              let pt = table(pd + Int((va >> 21) & 511), create) else { return nil }
        return pt + Int((va >> 12) & 511)
    }

    /// The table entry `e` points to, creating it when absent and `create`;
    /// nil when absent (not `create`, or no memory) or a large page (present
    /// or PROT_NONE, which is not a hole either).
    @inline(__always)
    private static func table(_ e: UnsafeMutablePointer<UInt64>, _ create: Bool) -> UnsafeMutablePointer<UInt64>? {
        let v = e.pointee
        if v & (PTE.present | PTE.large) == PTE.present { return entries(v & PTE.addressMask) }
        guard create, v & PTE.large == 0, let t = FrameAllocator.allocate() else { return nil }
        e.pointee = t | PTE.present | PTE.writable | PTE.user
        return entries(t)
    }

    /// The PD slot for `va` (the entry that maps 2 MiB), creating the PDPT
    /// and PD when `create`; nil when missing or when a 1 GiB entry is there.
    static func pdSlot(_ pml4: UInt64, _ va: UInt64, create: Bool) -> UnsafeMutablePointer<UInt64>? {
        var table = pml4
        var level = 3
        while level > 1 {
            let e = entries(table) + index(va, level: level)
            if e.pointee & PTE.large != 0 { return nil }
            if e.pointee & PTE.present == 0 {
                guard create, let t = FrameAllocator.allocate() else { return nil }
                e.pointee = t | PTE.present | PTE.writable | PTE.user
            }
            table = e.pointee & PTE.addressMask
            level -= 1
        }
        return entries(table) + index(va, level: 1)
    }

    /// The page table the fault path last installed an entry in, for the
    /// 2 MiB at `leafKey` << 21 of the address space `leafRoot` (a PML4): the
    /// next fault there skips the walk (~25 guest-kernel instructions). A
    /// page table is freed only by freePageTables and destroyUserHalf, and
    /// both forget it first. forEachPresent uses and sets it too.
    nonisolated(unsafe) static var leafRoot: UInt64 = 0
    nonisolated(unsafe) static var leafKey: UInt64 = ~0
    nonisolated(unsafe) static var leafTable = UnsafeMutablePointer<UInt64>(bitPattern: 0)

    @inline(__always) static func forgetLeafTable() { leafKey = ~0 }

    /// slot(pml4, va, create: true) through the page table remembered by
    /// the last call (leafTable).
    @inline(__always)
    static func faultSlot(_ pml4: UInt64, _ va: UInt64) -> UnsafeMutablePointer<UInt64>? {
        let i = Int((va >> 12) & 511)
        if va >> 21 == leafKey && pml4 == leafRoot { return leafTable.unsafelyUnwrapped + i }
        guard let e = slot(pml4, va, create: true) else { return nil }
        leafRoot = pml4
        leafKey = va >> 21
        leafTable = e - i
        return e
    }

    /// Maps `frame` (with any software bits, e.g. sharedMapping) at `va`.
    @inline(__always) static func map(_ pml4: UInt64, _ va: UInt64, _ frame: UInt64, writable: Bool) -> Bool {
        guard let e = slot(pml4, va, create: true) else { return false }
        e.pointee = frame | PTE.present | PTE.user | (writable ? PTE.writable : 0)
        return true
    }

    /// The PD entry mapping 2 MiB frame `frame` (SDM Vol. 3A, 4.5.4: PS=1 in a PDE).
    @inline(__always) static func hugeEntry(_ frame: UInt64, writable: Bool) -> UInt64 {
        frame | PTE.present | PTE.user | PTE.large | (writable ? PTE.writable : 0)
    }

    /// The leaf entry mapping `va`, PROT_NONE ones included, or 0: a 4 KiB
    /// PTE, or a 2 MiB PDE rewritten as the 4 KiB entry of va's page (its
    /// frame, its flags without PS), so callers need not know the page size.
    static func leafEntry(_ pml4: UInt64, _ va: UInt64) -> UInt64 {
        var table = pml4
        var level = 3
        while true {
            let e = entries(table)[index(va, level: level)]
            if level == 0 { return e }
            // One test on the common path (a present table): absent or large is rare.
            if e & (PTE.present | PTE.large) != PTE.present {
                guard e & PTE.large != 0 && level == 1 else { return 0 }   // no 1 GiB pages in the user half
                return (e & PTE.largeAddressMask) | (va & (FrameAllocator.hugeSize - 1) & PTE.addressMask)
                    | (e & PTE.flagsMask & ~PTE.large)
            }
            table = e & PTE.addressMask
            level -= 1
        }
    }

    /// The present leaf entry for `va` (as leafEntry), or 0.
    @inline(__always) static func lookup(_ pml4: UInt64, _ va: UInt64) -> UInt64 {
        let e = leafEntry(pml4, va)
        return e & PTE.present != 0 ? e : 0
    }

    /// Calls `body` with the leaf slot of every 4 KiB page in [start, end) of
    /// the user half that has a frame (present, or kept under PROT_NONE),
    /// skipping absent tables and 2 MiB pages (forEachHugePage visits those).
    /// The same walk as forEachStretch, written out: munmap, mprotect and brk
    /// walk it on every call, and the closure-in-closure form cost them 7-24
    /// guest-kernel instructions per call (bench, brk/mprotect).
    static func forEachPresent(_ pml4: UInt64, _ start: UInt64, _ end: UInt64,
                               _ body: (UnsafeMutablePointer<UInt64>, UInt64) -> Void) {
        let twoMiB = FrameAllocator.hugeSize, oneGiB: UInt64 = 1 << 30
        var va = start
        // Inside one 2 MiB stretch whose page table is the remembered one (mprotect's, munmap's page): no walk.
        if start < end && end <= userTop && start >> 21 == (end &- 1) >> 21 && start >> 21 == leafKey && pml4 == leafRoot {
            let pt = leafTable.unsafelyUnwrapped
            repeat {
                let slot = pt + index(va, level: 0)
                if slot.pointee & (PTE.present | protNone) != 0 { body(slot, va) }
                va &+= Physical.pageSize
            } while va < end
            return
        }
        while va < end && va < userTop {
            guard let pd = pageDirectory(pml4, &va) else { continue }
            repeat {
                let pde = pd[index(va, level: 1)]
                if pde & (PTE.present | PTE.large) == PTE.present {
                    let pt = entries(pde & PTE.addressMask)
                    leafRoot = pml4
                    leafKey = va >> 21
                    leafTable = pt
                    repeat {
                        let slot = pt + index(va, level: 0)
                        if slot.pointee & (PTE.present | protNone) != 0 { body(slot, va) }
                        va += Physical.pageSize
                    } while va < end && va & (twoMiB - 1) != 0
                } else {
                    va = (va & ~(twoMiB - 1)) + twoMiB             // absent, or a 2 MiB page
                }
            } while va < end && va & (oneGiB - 1) != 0
        }
    }

    /// Calls `body` with the PD slot and address of every 2 MiB page (present
    /// or PROT_NONE) in [start, end) of the user half. The caller has split
    /// the ones the range only partly covers (splitAround), so each visited
    /// page lies wholly inside; one that does not is skipped.
    static func forEachHugePage(_ pml4: UInt64, _ start: UInt64, _ end: UInt64,
                                _ body: (UnsafeMutablePointer<UInt64>, UInt64) -> Void) {
        forEachStretch(pml4, start, end) { pde, from, to in
            if pde.pointee & PTE.large != 0 && to - from == FrameAllocator.hugeSize { body(pde, from) }
        }
    }

    /// Frees the page tables of [start, end) that map only that range (their
    /// whole 2 MiB lies inside it) once `unmap` has cleared their entries, as
    /// Linux's free_pgtables does: the PD entry is empty again, so a later
    /// fault there may take a 2 MiB page, and the table's frame is not held
    /// by an address space that no longer maps anything there.
    static func freePageTables(_ pml4: UInt64, _ start: UInt64, _ end: UInt64) {
        forgetLeafTable()
        forEachStretch(pml4, start, end) { pde, from, to in
            guard pde.pointee & (PTE.present | PTE.large) == PTE.present,
                  to - from == FrameAllocator.hugeSize else { return }
            FrameAllocator.free(pde.pointee & PTE.addressMask)
            pde.pointee = 0
            invlpg(from)            // also drops paging-structure caches (SDM Vol. 3A, 4.10.4.1)
        }
    }

    /// The walk under forEachHugePage and freePageTables (forEachPresent has it
    /// written out): calls `body(pdSlot, from, to)` for each
    /// 2 MiB stretch of [start, end) in the user half whose page directory
    /// exists, [from, to) being the part of the range inside that stretch
    /// (the whole 2 MiB when `to - from` is 2 MiB). It goes down from the
    /// PML4 once per 1 GiB and then along the PD entries, skipping absent
    /// PML4/PDPT entries whole (512 GiB, 1 GiB): a walk from the root per page
    /// cost a process's exit ~170k guest-kernel instructions.
    @inline(__always)
    private static func forEachStretch(_ pml4: UInt64, _ start: UInt64, _ end: UInt64,
                                       _ body: (UnsafeMutablePointer<UInt64>, UInt64, UInt64) -> Void) {
        let twoMiB = FrameAllocator.hugeSize, oneGiB: UInt64 = 1 << 30
        var va = start
        while va < end && va < userTop {
            guard let pd = pageDirectory(pml4, &va) else { continue }
            repeat {
                let next = (va & ~(twoMiB - 1)) + twoMiB
                body(pd + index(va, level: 1), va, min(next, end))
                va = next
            } while va < end && va & (oneGiB - 1) != 0
        }
    }

    /// The page directory covering user `va` (< userTop); nil when its PML4 or
    /// PDPT entry is absent (or a 1 GiB page), with `va` moved to the start
    /// of the next 512 GiB or 1 GiB then.
    @inline(__always)
    private static func pageDirectory(_ pml4: UInt64, _ va: inout UInt64) -> UnsafeMutablePointer<UInt64>? {
        let l4 = entries(pml4)[index(va, level: 3)]
        guard l4 & PTE.present != 0 else {
            va = (va & ~((UInt64(1) << 39) - 1)) + (UInt64(1) << 39)
            return nil
        }
        let l3 = entries(l4 & PTE.addressMask)[index(va, level: 2)]
        guard l3 & (PTE.present | PTE.large) == PTE.present else {
            va = (va & ~((UInt64(1) << 30) - 1)) + (UInt64(1) << 30)
            return nil
        }
        return entries(l3 & PTE.addressMask)
    }

    /// Splits the 2 MiB page that `va` falls strictly inside of, if any, so
    /// that an operation starting or ending at `va` keeps to its range; false
    /// without memory for the page table (then nothing changed).
    static func splitAround(_ pml4: UInt64, _ va: UInt64) -> Bool {
        guard va & (FrameAllocator.hugeSize - 1) != 0, va < userTop,
              let pde = pdSlot(pml4, va, create: false), pde.pointee & PTE.large != 0 else { return true }
        return split(pde, va & ~(FrameAllocator.hugeSize - 1))
    }

    /// Replaces the 2 MiB page in PD slot `pde` (mapping `va`) by a page table
    /// of the 512 4 KiB pages of the same frame with the same rights; the
    /// pieces are then separate frames (freed one by one). False without memory.
    static func split(_ pde: UnsafeMutablePointer<UInt64>, _ va: UInt64) -> Bool {
        guard let pt = FrameAllocator.allocate() else { return false }
        let e = pde.pointee
        let flags = e & PTE.flagsMask & ~PTE.large
        let frame = e & PTE.largeAddressMask
        let t = entries(pt)
        for i in 0..<512 { t[i] = (frame + UInt64(i) << 12) | flags }
        pde.pointee = pt | PTE.present | PTE.writable | PTE.user
        invlpg(va)                      // drops the 2 MiB translation (SDM Vol. 3A, 4.10.4.1)
        return true
    }

    /// Software bit (SDM: bits 9-11 are ignored by the CPU): the frame is not
    /// the process's own (e.g. an initrd page mapped in place) and is not freed.
    static let borrowed: UInt64 = 1 << 9
    /// Software bit: a PROT_NONE page keeps its frame with P clear, so that any
    /// access, the kernel's copies included, faults (and finds no access right).
    static let protNone: UInt64 = 1 << 10

    /// Software bit: the frame may be mapped by another address space too
    /// (fork, FrameShares); the entry is read-only until privatize.
    static let shared: UInt64 = 1 << 11

    /// Software bit (SDM Vol. 3A, table 4-19: bits 52-58 are ignored): the
    /// page belongs to a MAP_SHARED area. fork maps its frame in the child
    /// as it is, writable where it was, instead of copy-on-write; PTE.addressMask
    /// (bits 12-51) leaves it out. 4 KiB pages only (no THP in such areas).
    static let sharedMapping: UInt64 = 1 << 52

    /// Makes the frame of the page in `slot` the process's own before it
    /// may be written: a copy of a borrowed (initrd) frame, or of a frame
    /// still shared after fork (the copy-on-write fault); a shared frame
    /// nobody else maps any more is simply kept. W is left to the caller.
    /// False when out of memory (then nothing changed).
    static func privatize(_ slot: UnsafeMutablePointer<UInt64>, _ va: UInt64) -> Bool {
        let e = slot.pointee
        guard e & (borrowed | shared) != 0 else { return true }
        let old = e & PTE.addressMask
        if e & borrowed == 0 && !FrameShares.isShared(old) {
            slot.pointee = e & ~shared
            return true
        }
        guard let frame = FrameAllocator.allocate() else { return false }
        copy_qwords(Physical.bytes(frame), Physical.bytes(old), 512)
        if e & borrowed == 0 { FrameShares.release(old) }
        slot.pointee = (e & ~(PTE.addressMask | borrowed | shared)) | frame
        invlpg(va)
        return true
    }

    /// Unmaps [start, end) in the user half, freeing the frames it owns.
    /// With `hugePages` (the address space has had some) 2 MiB pages are
    /// freed too; the caller has split those the range only partly covers.
    /// With `keepShared` (MADV_DONTNEED) pages of MAP_SHARED areas stay:
    /// their contents are the shared object's, which Linux keeps too.
    static func unmap(_ pml4: UInt64, _ start: UInt64, _ end: UInt64, flush: Bool, hugePages: Bool,
                      keepShared: Bool = false) {
        if hugePages {
            forEachHugePage(pml4, start, end) { e, va in
                FrameAllocator.freeHuge(e.pointee & PTE.largeAddressMask)
                e.pointee = 0
                if flush { invlpg(va) }
            }
        }
        forEachPresent(pml4, start, end) { e, va in
            if keepShared && e.pointee & sharedMapping != 0 { return }
            if e.pointee & borrowed == 0 { FrameShares.release(e.pointee & PTE.addressMask) }
            e.pointee = 0
            if flush { invlpg(va) }
        }
        if end - start >= FrameAllocator.hugeSize { freePageTables(pml4, start, end) }
    }
}

// Process teardown (kept at the end of the file, apart from map/unmap).
extension PageTable {
    /// Frees everything the user half holds in one pass over its tables:
    /// every frame a PT entry has (present or PROT_NONE; borrowed initrd pages
    /// excepted), every 2 MiB page, then each PT, PD and PDPT, then the PML4.
    /// One walk along the entries (not unmap's walks per range), without TLB
    /// flushes: the caller has left this address space (CR3) for good.
    static func destroyUserHalf(_ pml4: UInt64) {
        forgetLeafTable()
        let top = entries(pml4)
        forEachUsed(top, count: 256) { i in
            guard top[i] & PTE.present != 0 else { return }
            let pdpt = entries(top[i] & PTE.addressMask)
            forEachUsed(pdpt) { j in
                guard pdpt[j] & (PTE.present | PTE.large) == PTE.present else { return }
                let pd = entries(pdpt[j] & PTE.addressMask)
                forEachUsed(pd) { k in
                    let pde = pd[k]
                    if pde & PTE.large != 0 {                    // a 2 MiB page, present or PROT_NONE
                        FrameAllocator.freeHuge(pde & PTE.largeAddressMask)
                        return
                    }
                    guard pde & PTE.present != 0 else { return }
                    let pt = entries(pde & PTE.addressMask)
                    forEachUsed(pt, groupsOf: borrowed, group: { _ in }) { l in    // borrowed: not ours to free
                        if pt[l] & (PTE.present | protNone) != 0 && pt[l] & borrowed == 0 {
                            FrameShares.release(pt[l] & PTE.addressMask)
                        }
                    }
                    FrameAllocator.free(pde & PTE.addressMask)   // zeroed as it is freed, entries and all
                }
                FrameAllocator.free(pdpt[j] & PTE.addressMask)
            }
            FrameAllocator.free(top[i] & PTE.addressMask)
        }
        FrameAllocator.free(pml4)
    }

    /// Calls `body` with the index of each non-zero entry among the first
    /// `count` (a multiple of 8) of table `t`, skipping eight empty entries
    /// per test (their OR is zero): fork and exit walk every table of an
    /// address space, mostly empty, and a test per entry cost them ~6
    /// guest-kernel instructions an entry, ~3k per table (bench fork_exit).
    @inline(__always)
    static func forEachUsed(_ t: UnsafeMutablePointer<UInt64>, count: Int = 512, _ body: (Int) -> Void) {
        var i = 0
        repeat {
            if t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7] != 0 {
                for k in i..<i + 8 where t[k] != 0 { body(k) }
            }
            i += 8
        } while i < count
    }

    /// forEachUsed for a page table whose groups of eight entries that all
    /// have software bit `bit` (e.g. an ELF's text mapped in place, borrowed)
    /// go to `group` (its first index) as one: 8 tests instead of 8 bodies.
    @inline(__always)
    static func forEachUsed(_ t: UnsafeMutablePointer<UInt64>, groupsOf bit: UInt64, group: (Int) -> Void,
                            _ body: (Int) -> Void) {
        var i = 0
        repeat {
            if t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7] != 0 {
                if t[i] & t[i + 1] & t[i + 2] & t[i + 3] & t[i + 4] & t[i + 5] & t[i + 6] & t[i + 7] & bit != 0 {
                    group(i)
                } else {
                    for k in i..<i + 8 where t[k] != 0 { body(k) }
                }
            }
            i += 8
        } while i < 512
    }
}

// fork (kept apart from map/unmap and the teardown).
extension PageTable {
    /// Gives empty address space `child` the user half of `parent`: 4 KiB
    /// pages are shared copy-on-write (both entries lose W and get `shared`;
    /// FrameShares counts the child), pages of MAP_SHARED areas (sharedMapping)
    /// are shared as they are, borrowed initrd pages are mapped as
    /// they are, 2 MiB pages are copied (sharing them would need splits
    /// under a shared count; fork followed by exec rarely has any). The
    /// caller flushes the parent's TLB. False when out of memory: the child
    /// then holds what it got so far (destroyUserHalf frees it exactly).
    static func cloneUserHalf(_ parent: UInt64, _ child: UInt64) -> Bool {
        let top = entries(parent)
        var ok = true
        forEachUsed(top, count: 256) { i in
            guard ok, top[i] & PTE.present != 0 else { return }
            let pdpt = entries(top[i] & PTE.addressMask)
            forEachUsed(pdpt) { j in
                guard ok, pdpt[j] & (PTE.present | PTE.large) == PTE.present else { return }
                let pd = entries(pdpt[j] & PTE.addressMask)
                forEachUsed(pd) { k in
                    guard ok, pd[k] & (PTE.present | PTE.large) != 0 else { return }
                    let va = (UInt64(i) << 39) | (UInt64(j) << 30) | (UInt64(k) << 21)
                    ok = clonePD(pd[k], va, child)
                }
            }
        }
        return ok
    }

    /// cloneUserHalf for one PD entry `pde` of the parent (mapping `va`).
    private static func clonePD(_ pde: UInt64, _ va: UInt64, _ child: UInt64) -> Bool {
        guard let cpd = pdSlot(child, va, create: true) else { return false }
        if pde & PTE.large != 0 {
            guard let h = FrameAllocator.allocateHuge() else { return false }
            copy_qwords(Physical.bytes(h), Physical.bytes(pde & PTE.largeAddressMask), FrameAllocator.hugeSize / 8)
            cpd.pointee = (pde & ~PTE.largeAddressMask) | h
            return true
        }
        guard let cpt = FrameAllocator.allocate() else { return false }
        cpd.pointee = cpt | PTE.present | PTE.writable | PTE.user
        let pt = entries(pde & PTE.addressMask), ct = entries(cpt)
        var ok = true
        // Borrowed (initrd) pages are mapped as they are: eight at a time where they run on.
        forEachUsed(pt, groupsOf: borrowed, group: { l in if ok { copy_qwords(ct + l, pt + l, 8) } }) { l in
            guard ok, pt[l] & (PTE.present | protNone) != 0 else { return }
            var e = pt[l]
            if e & sharedMapping != 0 {                 // MAP_SHARED: the same frame, W kept
                guard FrameShares.share(e & PTE.addressMask) else { ok = false; return }
            } else if e & borrowed == 0 {
                let frame = e & PTE.addressMask
                if !FrameShares.share(frame) {
                    guard let copy = FrameAllocator.allocate() else { ok = false; return }
                    copy_qwords(Physical.bytes(copy), Physical.bytes(frame), 512)
                    ct[l] = (e & ~PTE.addressMask) | copy
                    return
                }
                e = (e & ~PTE.writable) | shared
                pt[l] = e
            }
            ct[l] = e
        }
        return ok
    }
}

import KernelSupport

/// Access to a process's memory from the kernel. Every user address goes
/// through the process's page tables (never dereferenced directly), so a bad
/// pointer is -EFAULT, not a kernel fault. Not-yet-mapped pages of an area are
/// faulted in (demand zero) as the CPU would have done.
enum UserMemory {
    /// The physical address backing user `va` for an access, or nil (EFAULT).
    /// Inline: every user copy starts here (out of line it costs ~12 more
    /// guest-kernel instructions per path system call).
    @inline(__always)
    static func resolve(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, write: Bool) -> UInt64? {
        guard va < PageTable.userTop else { return nil }
        let e = PageTable.lookup(p.pointee.pml4, va)
        if e != 0 {
            guard e & PTE.user != 0 else { return nil }
            if !write || e & PTE.writable != 0 { return (e & PTE.addressMask) | (va & (Physical.pageSize - 1)) }
            guard writeFault(p, va) else { return nil }
        } else {
            guard demandFault(p, va, write: write) else { return nil }
        }
        let f = PageTable.lookup(p.pointee.pml4, va)
        return f == 0 ? nil : (f & PTE.addressMask) | (va & (Physical.pageSize - 1))
    }

    /// Maps a zero frame at `va` if an area allows the access: a 2 MiB one
    /// when TransparentHugePages allows it there, else 4 KiB. Used by
    /// resolve() and the kernel's own faults (the #PF handler of a user-mode
    /// fault has it inline: fault).
    static func demandFault(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, write: Bool) -> Bool {
        fault(p, va, write: write)
    }

    /// demandFault, inline: the user-mode #PF's path (the call and a second
    /// prologue were ~15 guest-kernel instructions per fault).
    @inline(__always)
    static func fault(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, write: Bool) -> Bool {
        guard va < PageTable.userTop else { return false }
        // p.area(of:), with the heap's case kept for Process.heapMapped. The
        // break is at most brkStart + Process.brkMax: rounding it up cannot wrap.
        let brkStart = p.pointee.brkStart, heapTop = (p.pointee.brk &+ 0xfff) & ~0xfff
        let inHeap = va >= brkStart && va < heapTop
        let area: VMA
        if inHeap {
            area = VMA(start: brkStart, end: heapTop, prot: Prot.read | Prot.write)
        } else {
            guard let a = p.pointee.vmas.slot(containing: va) else { return false }
            a.pointee.flags &= ~VMA.untouched           // munmap and mprotect walk it from now on
            area = a.pointee
        }
        guard area.prot != 0, !write || area.prot & Prot.write != 0 else { return false }
        let writable = area.prot & Prot.write != 0
        if TransparentHugePages.eligible(flags: area.flags), hugeFault(p, va, area, inHeap: inHeap) { return true }
        guard let frame = FrameAllocator.allocate() else { return false }
        // VMA.sharedMemory (bit 4) moved to PageTable.sharedMapping (bit 52), without a branch.
        let shared = UInt64(area.flags & VMA.sharedMemory) << 48
        guard let e = PageTable.faultSlot(p.pointee.pml4, va) else {
            FrameAllocator.free(frame)
            return false
        }
        e.pointee = frame | shared | PTE.present | PTE.user | (writable ? PTE.writable : 0)
        if inHeap && pageDown(va) + Physical.pageSize > p.pointee.heapMapped { p.pointee.heapMapped = pageDown(va) + Physical.pageSize }
        return true
    }

    /// The commonest user fault without a call (so the trap handler saves no
    /// register): a 4 KiB page from the free list's head, for `va` in the
    /// heap or in the area at the VMA gap, into the page table the fault path
    /// used last (PageTable.leafTable). False, with nothing changed but the
    /// area's VMA.untouched, for anything else (fault does it all then).
    @inline(__always)
    static func quickFault(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, write: Bool) -> Bool {
        guard va < PageTable.userTop, va >> 21 == PageTable.leafKey, p.pointee.pml4 == PageTable.leafRoot else { return false }
        let brkStart = p.pointee.brkStart, heapTop = (p.pointee.brk &+ 0xfff) & ~0xfff
        let inHeap = va >= brkStart && va < heapTop
        let prot: UInt32, flags: UInt32
        if inHeap {
            prot = Prot.read | Prot.write
            flags = 0
        } else {
            let items = p.pointee.vmas.items, g = items.gap
            guard g < items.count, g == 0 || items.belowGap.pointee.end <= va else { return false }
            let a = items.aboveGap
            guard a.pointee.start <= va && va < a.pointee.end else { return false }
            a.pointee.flags &= ~VMA.untouched
            prot = a.pointee.prot
            flags = a.pointee.flags
        }
        let f = FrameAllocator.freeList
        guard prot != 0, !write || prot & Prot.write != 0, !TransparentHugePages.eligible(flags: flags), f != 0 else { return false }
        FrameAllocator.takeHead(f)
        let e = PageTable.leafTable.unsafelyUnwrapped + Int((va >> 12) & 511)
        e.pointee = f | UInt64(flags & VMA.sharedMemory) << 48 | PTE.present | PTE.user | (prot & Prot.write != 0 ? PTE.writable : 0)
        if inHeap && pageDown(va) + Physical.pageSize > p.pointee.heapMapped { p.pointee.heapMapped = pageDown(va) + Physical.pageSize }
        return true
    }

    /// A 2 MiB page for the fault at `va` in `area` (eligible for huge
    /// pages), when the aligned 2 MiB around it lies in the area and no page
    /// table is there yet; false when 4 KiB is to be mapped instead.
    @inline(never)
    static func hugeFault(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, _ area: VMA, inHeap: Bool) -> Bool {
        let base = va & ~(FrameAllocator.hugeSize - 1)
        // The PD slot must be empty: no page table (4 KiB pages) there yet.
        guard base >= area.start && area.end - base >= FrameAllocator.hugeSize,
              let pde = PageTable.pdSlot(p.pointee.pml4, base, create: true), pde.pointee == 0,
              let frame = FrameAllocator.allocateHuge() else { return false }
        pde.pointee = PageTable.hugeEntry(frame, writable: area.prot & Prot.write != 0)
        p.pointee.hasHugePages = true
        if inHeap && base + FrameAllocator.hugeSize > p.pointee.heapMapped { p.pointee.heapMapped = base + FrameAllocator.hugeSize }
        BootStats.hugePageFaults &+= 1
        return true
    }

    /// An area allows this access to `va`: a fault there that demandFault
    /// could not serve ran out of memory (Linux's OOM kill: SIGKILL), not a
    /// bad access (SIGSEGV).
    static func allows(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, write: Bool) -> Bool {
        guard va < PageTable.userTop, let area = p.area(of: va), area.prot != 0 else { return false }
        return !write || area.prot & Prot.write != 0
    }

    /// A write to present read-only page `va`: the copy-on-write break of a
    /// page shared since fork (PageTable.privatize), where the area allows
    /// writing. False otherwise (SIGSEGV, EFAULT) or when out of memory.
    static func writeFault(_ p: UnsafeMutablePointer<Process>, _ va: UInt64) -> Bool {
        guard va < PageTable.userTop, let area = p.area(of: va), area.prot & Prot.write != 0,
              let slot = PageTable.slot(p.pointee.pml4, va, create: false),
              slot.pointee & PTE.present != 0, slot.pointee & (PageTable.shared | PageTable.borrowed) != 0,
              PageTable.privatize(slot, va) else { return false }
        slot.pointee |= PTE.writable
        invlpg(va)
        return true
    }

    /// Calls `body(kernelPointer, count)` for each page-sized piece of the
    /// user range; false when some page cannot be accessed (nothing after it is visited).
    static func forEachChunk(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, _ count: UInt64, write: Bool,
                             _ body: (UnsafeMutablePointer<UInt8>, Int) -> Void) -> Bool {
        guard count > 0 else { return true }
        let (end, o) = va.addingReportingOverflow(count)
        guard !o, end <= PageTable.userTop else { return KernelBounce.chunk(p, va, count, body) }
        var a = va
        while a < end {
            let chunk = min(end - a, Physical.pageSize - (a & (Physical.pageSize - 1)))
            guard let pa = resolve(p, a, write: write) else { return false }
            body(Physical.bytes(pa), Int(chunk))
            a += chunk
        }
        return true
    }

    /// Linux's access_ok(): [va, va + count) ends at or below TASK_SIZE_MAX
    /// without wrapping (a count of 0 still needs va there). read/write check
    /// it for every file, /dev/null too, before anything else (vfs_read).
    @inline(__always) static func accessOK(_ va: UInt64, _ count: UInt64) -> Bool {
        let (end, wraps) = va.addingReportingOverflow(count)
        return !wraps && end <= PageTable.userTop
    }

    /// The user range [va, va + count) lies in the user half.
    @inline(__always) static func inUserHalf(_ va: UInt64, _ count: Int) -> Bool {
        count > 0 && va >= Physical.pageSize && va < PageTable.userTop && UInt64(count) <= PageTable.userTop - va
    }

    /// `p` is the running process: one compare of the addresses (an
    /// Optional pointer is the address, 0 for nil; `p` is never 0).
    @inline(__always) static func isCurrent(_ p: UnsafeMutablePointer<Process>) -> Bool {
        UInt(bitPattern: p) == unsafeBitCast(Processes.current, to: UInt.self)
    }

    /// Copies through the live page tables with fault fixups (user_copy,
    /// entry.S) when `p` is the running process, else by walking its tables.
    /// Inline, the walk out of line: a call here then costs its checks and
    /// user_copy only, not the prologue the walk needs (a 1-byte copyIn was
    /// 47 instructions before user_copy, most of them saving registers).
    @inline(__always)
    static func copyIn(_ p: UnsafeMutablePointer<Process>, to dst: UnsafeMutableRawPointer, from va: UInt64, count: Int) -> Bool {
        if isCurrent(p), inUserHalf(va, count) {
            return user_copy(dst, UnsafeRawPointer(bitPattern: UInt(va)), UInt64(count)) == 0
        }
        return copyInSlow(p, to: dst, from: va, count: count)
    }

    @inline(__always)
    static func copyOut(_ p: UnsafeMutablePointer<Process>, to va: UInt64, from src: UnsafeRawPointer, count: Int) -> Bool {
        if isCurrent(p), inUserHalf(va, count) {
            return user_copy(UnsafeMutableRawPointer(bitPattern: UInt(va)), src, UInt64(count)) == 0
        }
        return copyOutSlow(p, to: va, from: src, count: count)
    }

    /// Partial copies and zeroing for the running process, its range in the
    /// user half (isCurrent, inUserHalf): the bytes done, fewer at a fault
    /// (the pipe's and /dev/zero's reads and writes count what came before it).
    @inline(__always)
    static func copyInLive(to dst: UnsafeMutableRawPointer, from va: UInt64, count: Int) -> Int {
        count &- Int(user_copy(dst, UnsafeRawPointer(bitPattern: UInt(va)), UInt64(count)))
    }
    @inline(__always)
    static func copyOutLive(to va: UInt64, from src: UnsafeRawPointer, count: Int) -> Int {
        count &- Int(user_copy(UnsafeMutableRawPointer(bitPattern: UInt(va)), src, UInt64(count)))
    }
    @inline(__always)
    static func zeroLive(_ va: UInt64, count: Int) -> Int {
        count &- Int(user_zero(UnsafeMutableRawPointer(bitPattern: UInt(va)), UInt64(count)))
    }

    /// copyIn of an empty or bad range of the running process, or of another
    /// process's memory (its tables walked).
    @inline(never)
    static func copyInSlow(_ p: UnsafeMutablePointer<Process>, to dst: UnsafeMutableRawPointer, from va: UInt64, count: Int) -> Bool {
        if count == 0 { return true }
        if p == Processes.current { return false }
        var off = 0
        return forEachChunk(p, va, UInt64(count), write: false) { src, n in
            copyBytes(dst + off, src, n)
            off += n
        }
    }

    @inline(never)
    static func copyOutSlow(_ p: UnsafeMutablePointer<Process>, to va: UInt64, from src: UnsafeRawPointer, count: Int) -> Bool {
        if count == 0 { return true }
        if p == Processes.current { return false }
        var off = 0
        return forEachChunk(p, va, UInt64(count), write: true) { dst, n in
            copyBytes(dst, src + off, n)
            off += n
        }
    }

    /// The running process's word through user_get64 (one load with a
    /// fault fixup), another's through copyIn.
    @inline(__always)
    static func read64(_ p: UnsafeMutablePointer<Process>, _ va: UInt64) -> UInt64? {
        if isCurrent(p), inUserHalf(va, 8) {
            let w = user_get64(UnsafeRawPointer(bitPattern: UInt(va)))
            return w.fault == 0 ? w.value : nil
        }
        var v: UInt64 = 0
        return copyInSlow(p, to: &v, from: va, count: 8) ? v : nil
    }

    /// The running process's byte through user_get8, another's through copyIn.
    @inline(__always)
    static func read8(_ p: UnsafeMutablePointer<Process>, _ va: UInt64) -> UInt8? {
        if isCurrent(p), inUserHalf(va, 1) {
            let w = user_get8(UnsafeRawPointer(bitPattern: UInt(va)))
            return w.fault == 0 ? UInt8(truncatingIfNeeded: w.value) : nil
        }
        var v: UInt8 = 0
        return copyInSlow(p, to: &v, from: va, count: 1) ? v : nil
    }

    @inline(__always)
    static func write32(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, _ v: UInt32) -> Bool {
        var x = v
        return copyOut(p, to: va, from: &x, count: 4)
    }

    @inline(__always)
    static func write64(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, _ v: UInt64) -> Bool {
        if isCurrent(p), inUserHalf(va, 8) { return user_put64(UnsafeMutableRawPointer(bitPattern: UInt(va)), v) == 0 }
        var x = v
        return copyOutSlow(p, to: va, from: &x, count: 8)
    }

    /// Copies a NUL-terminated user string of at most `max` bytes (without the
    /// NUL) into `dst`: its length, -EFAULT when a byte before the NUL cannot
    /// be read, or -ENAMETOOLONG when there is no NUL within `max` bytes.
    /// The running process's through user_copy (copyStringLive), another's
    /// by walking its page tables.
    @inline(__always)
    static func copyString(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, into dst: UnsafeMutablePointer<UInt8>, max: Int) -> Int {
        if isCurrent(p) && va >= Physical.pageSize && va < PageTable.userTop { return copyStringLive(va, into: dst, max: max) }
        return copyStringWalk(p, va, into: dst, max: max)
    }

    @inline(never)
    static func copyStringWalk(_ p: UnsafeMutablePointer<Process>, _ va: UInt64, into dst: UnsafeMutablePointer<UInt8>, max: Int) -> Int {
        var n = 0
        var a = va
        while true {
            // One translation per page, then the bytes of that page.
            guard let pa = resolve(p, a, write: false) else { return -Int(Errno.EFAULT) }
            let src = Physical.bytes(pa)
            let inPage = Int(Physical.pageSize - (a & (Physical.pageSize - 1)))
            // Eight bytes at a time while a word lies in the page and within
            // `max` (~12 instructions a word; the byte loop below takes ~16 a
            // byte): the has-zero-byte test flags the word's first zero byte
            // exactly (it may flag bytes above it, never below), so the
            // lowest flagged byte ends the string. Bytes after the NUL land in
            // `dst` within `max`, unread.
            var i = 0
            while i &+ 8 <= inPage && n &+ 8 <= max {
                let w = UnsafeRawPointer(src + i).loadUnaligned(as: UInt64.self)
                let zero = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
                UnsafeMutableRawPointer(dst + n).storeBytes(of: w, as: UInt64.self)
                if zero != 0 { return n &+ zero.trailingZeroBitCount >> 3 }     // bsf: emulated here
                i &+= 8
                n &+= 8
            }
            for k in i..<inPage {
                let c = src[k]
                if c == 0 { return n }
                // No NUL within `max` bytes: too long, as Linux's strncpy_from_user
                // users report it (ENAMETOOLONG for paths, path_resolution(7)).
                if n == max { return -Int(Errno.ENAMETOOLONG) }
                dst[n] = c
                n += 1
            }
            a += UInt64(inPage)
        }
    }
}

extension UserMemory {
    /// copyString from the running process: pieces of at most 64 bytes, none
    /// crossing a page, through user_copy (its fault fixup instead of a walk
    /// of the page tables per page: ~80 instructions for a short path), each
    /// scanned a word at a time for the NUL. Bytes after the NUL are read
    /// from the same page (as Linux's word-at-a-time strncpy_from_user reads
    /// them) and land in `dst` within `max`, unread.
    static func copyStringLive(_ va: UInt64, into dst: UnsafeMutablePointer<UInt8>, max: Int) -> Int {
        var n = 0
        var a = va
        while n < max {
            guard a < PageTable.userTop else { return -Int(Errno.EFAULT) }
            let inPage = Int(Physical.pageSize - (a & (Physical.pageSize - 1)))
            let c = Swift.min(Swift.min(inPage, 64), max &- n)
            guard user_copy(dst + n, UnsafeRawPointer(bitPattern: UInt(a)), UInt64(c)) == 0 else { return -Int(Errno.EFAULT) }
            var i = 0
            while i &+ 8 <= c {
                let w = UnsafeRawPointer(dst + n + i).loadUnaligned(as: UInt64.self)
                let zero = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
                if zero != 0 { return n &+ i &+ zero.trailingZeroBitCount >> 3 }
                i &+= 8
            }
            while i < c {
                if dst[n &+ i] == 0 { return n &+ i }
                i &+= 1
            }
            n &+= c
            a &+= UInt64(c)
        }
        // `max` bytes and no NUL yet: a string of exactly `max` bytes ends
        // at the next one; else it is too long (ENAMETOOLONG for paths).
        guard a < PageTable.userTop else { return -Int(Errno.EFAULT) }
        var last: UInt8 = 1
        guard user_copy(&last, UnsafeRawPointer(bitPattern: UInt(a)), 1) == 0 else { return -Int(Errno.EFAULT) }
        return last == 0 ? n : -Int(Errno.ENAMETOOLONG)
    }
}

/// memcpy with the 8-byte string form for the bulk whatever the alignment
/// (x86 allows unaligned rep movsq), then the tail bytes (copy_bytes, cpu.h).
func copyBytes(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ n: Int) {
    guard n > 0 else { return }
    copy_bytes(dst, src, UInt64(n))
}

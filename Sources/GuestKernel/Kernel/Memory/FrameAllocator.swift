/// Physical 4 KiB frames and 2 MiB huge frames from the boot-info memory map
/// (VMM_MEM_FREE ranges; the kernel, initrd and VMM areas are other types).
/// Frames handed out are zero: never-used RAM is zero from the VMM (anonymous
/// memory), so it is not zeroed again (platform.md: zeroing 4 KiB costs ~0.36
/// ms in emulated ring 0); a frame is zeroed when it is freed (munmap, exit,
/// truncate), so both free lists are pools of zero frames and no page fault
/// zeroes memory on its path.
///
/// The two sizes come from opposite ends of the RAM: 4 KiB frames bottom-up
/// (`next`), 2 MiB frames top-down from the highest range (`hugeRange`,
/// shrinking that range's end), so small allocations never fragment the
/// memory huge ones need until the two meet. A huge frame freed is zeroed
/// whole and kept for huge use; when 4 KiB frames run out, a free huge frame
/// is broken into 512 of them.
/// This file has no hardware access (the host test target compiles it,
/// Tests/VMMTests/KernelShared); the boot-info reading, the warm-up and
/// zeroFrame are in FrameAllocatorBoot.swift.
enum FrameAllocator {
    static let maxRanges = 32
    nonisolated(unsafe) static var bases = UnsafeMutablePointer<UInt64>(bitPattern: 0)
    nonisolated(unsafe) static var ends = UnsafeMutablePointer<UInt64>(bitPattern: 0)
    nonisolated(unsafe) static var rangeCount = 0
    nonisolated(unsafe) static var current = 0          // range the bump pointer is in
    nonisolated(unsafe) static var next: UInt64 = 0     // bump pointer
    nonisolated(unsafe) static var freeList: UInt64 = 0 // physical, linked through the frames
    nonisolated(unsafe) static var freeFrames: UInt64 = 0
    nonisolated(unsafe) static var totalFrames: UInt64 = 0
    static let hugeSize: UInt64 = 2 << 20
    static let framesPerHuge: UInt64 = 512
    nonisolated(unsafe) static var hugeRange = -1           // range huge frames are carved from, top-down
    nonisolated(unsafe) static var hugeFreeList: UInt64 = 0 // physical, linked through the first qword
    nonisolated(unsafe) static var hugeFreeCount: UInt64 = 0

    /// Takes the frames of the memory map that `forEachRange` walks (base,
    /// size, whether it is free RAM): free ranges above both `kernelEnd` and
    /// `reservedEnd`, rounded inward to pages, at most maxRanges of them.
    static func initialize(kernelEnd: UInt64, reservedEnd: UInt64,
                           forEachRange: ((UInt64, UInt64, Bool) -> Void) -> Void) {
        let b = UnsafeMutablePointer<UInt64>.allocate(capacity: maxRanges)
        let e = UnsafeMutablePointer<UInt64>.allocate(capacity: maxRanges)
        bases = b; ends = e
        forEachRange { base, size, isFree in
            guard isFree, rangeCount < maxRanges else { return }
            let (end, o) = base.addingReportingOverflow(size)
            guard !o, let start = pageUp(max(base, kernelEnd, reservedEnd)) else { return }
            let stop = pageDown(end)
            guard start < stop else { return }
            b[rangeCount] = start; e[rangeCount] = stop
            totalFrames &+= (stop - start) / Physical.pageSize
            rangeCount += 1
        }
        if rangeCount > 0 { next = b[0] }
        hugeRange = rangeCount - 1
    }

    /// A zeroed frame, or nil when memory is exhausted. The free list's
    /// head inline (the page-fault path's allocation: no call), fresh RAM
    /// and broken-up huge frames out of line.
    @inline(__always) static func allocate() -> UInt64? {
        let f = freeList
        guard f != 0 else { return allocateFresh() }
        takeHead(f)
        return f
    }

    /// Takes `f`, the free list's head (not 0), off the list.
    @inline(__always) static func takeHead(_ f: UInt64) {
        let p: UnsafeMutablePointer<UInt64> = Physical.pointer(f)
        freeList = p.pointee
        p.pointee = 0                                       // the link; the rest is zero
        freeFrames &-= 1
    }

    @inline(never) private static func allocateFresh() -> UInt64? {
        guard let b = bases, let e = ends else { return nil }
        while current < rangeCount {
            if next < b[current] { next = b[current] }
            if next < e[current] {
                let f = next
                next += Physical.pageSize
                return f
            }
            current += 1
        }
        // Fresh RAM is gone: break a free huge frame into 4 KiB ones.
        guard let h = popHuge() else { return nil }
        var f = h &+ hugeSize
        while f > h &+ Physical.pageSize { f -= Physical.pageSize; push(f) }
        return h
    }

    /// The end of the highest free range (physical).
    static var highestEnd: UInt64 {
        guard let e = ends else { return 0 }
        var m: UInt64 = 0
        for i in 0..<rangeCount where e[i] > m { m = e[i] }
        return m
    }

    /// `count` physically consecutive zero frames from fresh RAM (boot-time
    /// tables), or nil when the bump pointer's range has too few left.
    static func allocateContiguous(_ count: UInt64) -> UInt64? {
        guard let b = bases, let e = ends, current < rangeCount, count > 0 else { return nil }
        let start = max(next, b[current])
        guard e[current] > start, (e[current] - start) / Physical.pageSize >= count else { return nil }
        next = start + count * Physical.pageSize
        return start
    }

    /// Frames allocate() can still hand out: the free list plus what the bump
    /// pointer has not reached (the `debug` leak check after a process ends).
    static var available: UInt64 {
        guard let b = bases, let e = ends else { return freeFrames }
        var n = freeFrames
        var i = current
        while i < rangeCount {
            let start = i == current ? max(next, b[i]) : b[i]
            if start < e[i] { n &+= (e[i] - start) / Physical.pageSize }
            i += 1
        }
        return n
    }

    static func free(_ frame: UInt64) {
        guard frame != 0, frame & (Physical.pageSize - 1) == 0 else { return }
        zeroFrame(Physical.pointer(frame))
        push(frame)
    }

    /// Puts a zero frame on the free list (its first qword becomes the link).
    @inline(__always) static func push(_ frame: UInt64) {
        let p: UnsafeMutablePointer<UInt64> = Physical.pointer(frame)
        p.pointee = freeList
        freeList = frame
        freeFrames &+= 1
    }

    /// A zeroed, 2 MiB-aligned run of 512 frames, or nil when no free huge
    /// frame is left and no range has 2 MiB of fresh, aligned RAM left.
    static func allocateHuge() -> UInt64? {
        if let h = popHuge() { return h }
        guard let b = bases, let e = ends else { return nil }
        while hugeRange >= current && hugeRange >= 0 {
            let r = hugeRange
            let low = r == current ? max(next, b[r]) : b[r]
            let top = e[r] & ~(hugeSize - 1)
            if top >= hugeSize && top - hugeSize >= low {
                // The unaligned tail above the huge frame is fresh RAM: 4 KiB frames.
                var f = e[r]
                while f > top { f -= Physical.pageSize; push(f) }
                e[r] = top - hugeSize
                return top - hugeSize
            }
            hugeRange -= 1          // what is left of range r stays for 4 KiB frames
        }
        return nil
    }

    /// Zeroes the huge frame and keeps it for the next huge allocation.
    static func freeHuge(_ frame: UInt64) {
        guard frame != 0, frame & (hugeSize - 1) == 0 else { return }
        let p: UnsafeMutablePointer<UInt64> = Physical.pointer(frame)
        for i in 0..<Int(framesPerHuge) { zeroFrame(p + i * 512) }
        p.pointee = hugeFreeList
        hugeFreeList = frame
        hugeFreeCount &+= 1
    }

    private static func popHuge() -> UInt64? {
        guard hugeFreeList != 0 else { return nil }
        let h = hugeFreeList
        let p: UnsafeMutablePointer<UInt64> = Physical.pointer(h)
        hugeFreeList = p.pointee
        p.pointee = 0
        hugeFreeCount &-= 1
        return h
    }
}

/// Physical 4 KiB frames from the boot-info memory map (VMM_MEM_FREE ranges;
/// the kernel, initrd and VMM areas are other types). Frames handed out are
/// zero: never-used RAM is zero from the VMM (anonymous memory), so it is not
/// zeroed again (platform.md: zeroing 4 KiB costs ~0.36 ms in emulated ring 0);
/// a frame is zeroed when it is freed (munmap, exit, truncate), so the free
/// list is a pool of zero frames and no page fault zeroes memory on its path.
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
    }

    /// A zeroed frame, or nil when memory is exhausted.
    static func allocate() -> UInt64? {
        if freeList != 0 {
            let f = freeList
            let p: UnsafeMutablePointer<UInt64> = Physical.pointer(f)
            freeList = p.pointee
            p.pointee = 0                                   // the link; the rest is zero
            freeFrames &-= 1
            return f
        }
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
        return nil
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
        let p: UnsafeMutablePointer<UInt64> = Physical.pointer(frame)
        zeroFrame(p)
        p.pointee = freeList
        freeList = frame
        freeFrames &+= 1
    }
}

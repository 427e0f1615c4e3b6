import KernelSupport

/// Physical 4 KiB frames from the boot-info memory map (VMM_MEM_FREE ranges;
/// the kernel, initrd and VMM areas are other types). Frames handed out are
/// zero: never-used RAM is zero from the VMM (anonymous memory), so it is not
/// zeroed again (platform.md: zeroing 4 KiB costs ~0.36 ms in emulated ring 0);
/// a frame is zeroed when it is freed (munmap, exit, truncate), so the free
/// list is a pool of zero frames and no page fault zeroes memory on its path.
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

    static func initialize(bootInfo: UInt64, kernelEnd: UInt64) {
        let b = UnsafeMutablePointer<UInt64>.allocate(capacity: maxRanges)
        let e = UnsafeMutablePointer<UInt64>.allocate(capacity: maxRanges)
        bases = b; ends = e
        forEachMemoryRange(bootInfo: bootInfo) { base, size, type in
            guard type == UInt32(VMM_MEM_FREE), rangeCount < maxRanges else { return }
            let (end, o) = base.addingReportingOverflow(size)
            guard !o, let start = pageUp(max(base, kernelEnd, UInt64(VMM_RESERVED_END))) else { return }
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

    static func free(_ frame: UInt64) {
        guard frame != 0, frame & (Physical.pageSize - 1) == 0 else { return }
        let p: UnsafeMutablePointer<UInt64> = Physical.pointer(frame)
        zero_qwords(p, 512)
        p.pointee = freeList
        freeList = frame
        freeFrames &+= 1
    }

    /// Stage-2 warm-up (VMM_BOOT_FLAG_TOUCH_RAM): one byte written per free
    /// page so the host populates it now, not on the first use. 4 guest
    /// instructions per page: 64 MiB = 16k pages ~ 65k instructions ~ 65 ms
    /// here (emulated ring 0, plus the host's page population); 256 MiB ~ 0.26 s,
    /// 1 GiB ~ 1 s. On hardware-assisted KVM it costs only the population.
    /// Writes zero, so frames stay zero.
    static func touchAll() -> UInt64 {
        guard let b = bases, let e = ends else { return 0 }
        var pages: UInt64 = 0
        for i in 0..<rangeCount {
            touch_pages(b[i] &+ Physical.offset, e[i] &+ Physical.offset)
            pages += (e[i] - b[i]) / Physical.pageSize
        }
        return pages
    }
}

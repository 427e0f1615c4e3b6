import KernelSupport

/// The hardware-facing part of FrameAllocator (FrameAllocator.swift): the
/// boot-info memory map, the RAM warm-up and the frame zeroing.
extension FrameAllocator {
    static func initialize(bootInfo: UInt64, kernelEnd: UInt64) {
        initialize(kernelEnd: kernelEnd, reservedEnd: UInt64(VMM_RESERVED_END)) { take in
            forEachMemoryRange(bootInfo: bootInfo) { base, size, type in take(base, size, type == UInt32(VMM_MEM_FREE)) }
        }
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

/// Zeroes the 4 KiB frame at `p` (rep stosq, frames.h).
@inline(__always) func zeroFrame(_ p: UnsafeMutablePointer<UInt64>) { zero_qwords(p, 512) }

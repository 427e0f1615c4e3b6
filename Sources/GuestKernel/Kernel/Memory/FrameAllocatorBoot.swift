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
    /// page of `stride` bytes so the host maps it now, not on the first use.
    /// About 5 guest instructions per touch: with 4 KiB, 256 MiB = 64k
    /// touches ~ 0.4 s here (emulated ring 0); with 2 MiB (the host backs RAM
    /// with huge pages: VMM_BOOT_FLAG_HUGE_BACKED, one stage-2 fault maps the
    /// whole 2 MiB) 128 touches. Guest-physical 2 MiB boundaries are host
    /// ones: RAM starts 2 MiB-aligned in the VMM. Writes zero, so frames stay
    /// zero. Returns the touches made.
    static func touchAll(stride: UInt64) -> UInt64 {
        guard let b = bases, let e = ends else { return 0 }
        var touches: UInt64 = 0
        for i in 0..<rangeCount where e[i] > b[i] {
            touch_pages(b[i] &+ Physical.offset, e[i] &+ Physical.offset, stride)
            // start, then every stride boundary after it below the end
            touches += 1 + ((e[i] - 1) / stride - b[i] / stride)
        }
        return touches
    }
}

/// Zeroes the 4 KiB frame at `p` (rep stosq, frames.h).
@inline(__always) func zeroFrame(_ p: UnsafeMutablePointer<UInt64>) { zero_qwords(p, 512) }

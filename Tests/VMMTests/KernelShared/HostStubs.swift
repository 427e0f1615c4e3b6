/// Host-side test doubles for the few kernel helpers that the kernel files
/// compiled into this test target (the symbolic links beside this file) call
/// but that live in kernel files using hardware or C helpers. Used only by
/// the tests; the VMM never sees them.

/// Test double for the kernel's zeroFrame (Memory/FrameAllocatorBoot.swift,
/// `rep stosq` through frames.h): zeroes the 4 KiB frame at `p`.
func zeroFrame(_ p: UnsafeMutablePointer<UInt64>) { p.update(repeating: 0, count: 512) }

/// Test double for the kernel's VMAPages (Process/VMAPages.swift, frames of
/// the frame allocator): host pages, so that the VMA tests need no guest RAM.
enum VMAPages {
    /// A zero page, as the kernel's frames are.
    static func allocate() -> UnsafeMutableRawPointer? {
        let p = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: 4096)
        return p
    }

    static func free(_ p: UnsafeMutableRawPointer) { p.deallocate() }
}

/// Test doubles for the kernel's zeroQwords/copyQwords (SignalDelivery.swift:
/// cpu.h's `rep stosq`/`rep movsq`), which SignalFrame.write uses.
func zeroQwords(_ dst: UnsafeMutableRawPointer, _ count: UInt64) {
    dst.initializeMemory(as: UInt64.self, repeating: 0, count: Int(count))
}
func copyQwords(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ count: UInt64) {
    dst.copyMemory(from: src, byteCount: Int(count) * 8)
}

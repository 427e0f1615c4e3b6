/// What the kernel files of the cpio and initramfs targets need from the
/// kernel's hardware layer beyond Tests/VMMTests/KernelShared/HostStubs.swift
/// (zeroFrame, shared with the unit tests): the log of Boot/Console.swift
/// (COM1 and a hypercall there) and RAM for Memory/FrameAllocator.swift.

/// The kernel's log lines, counted instead of sent to the VMM.
enum Console {
    nonisolated(unsafe) static var lines = 0
    static func log(_ s: StaticString) {}
    static func write(_ s: StaticString) {}
    static func dec(_ v: UInt64) {}
    static func endLog() { lines += 1 }
}

/// Guest RAM of exactly one 2 MiB huge frame, at physical 2 MiB, for the
/// kernel's own FrameAllocator: Physical.offset maps it onto a host buffer of
/// that size, so AddressSanitizer reports any access past it.
enum HostRAM {
    static let base = FrameAllocator.hugeSize
    private static let ram: UnsafeMutableRawPointer = {
        let p = UnsafeMutableRawPointer.allocate(byteCount: Int(base), alignment: Int(base))
        p.initializeMemory(as: UInt8.self, repeating: 0, count: Int(base))   // fresh RAM is zero (the VMM's)
        Physical.offset = UInt64(UInt(bitPattern: p)) &- base
        FrameAllocator.initialize(kernelEnd: 0, reservedEnd: 0) { take in take(base, base, true) }
        return p
    }()

    /// Sets up the allocator once (the first call); each input then takes
    /// and gives back the one frame through FrameAllocator itself.
    static func start() { _ = ram }
}

/// Indexes `a` as the kernel does at boot, runs `body`, then frees what the
/// index took (its 2 MiB frames, through FrameAllocator.freeHuge, and its
/// table) so that the next input starts from the same state.
func withInitramfsIndex(_ a: CpioArchive, _ body: () -> Void) {
    HostRAM.start()
    Initramfs.load(a)
    defer {
        if let table = Initramfs.chunks {
            for c in 0..<Initramfs.chunkCount { FrameAllocator.freeHuge(table[c]) }
            table.deallocate()
        }
        Initramfs.chunks = nil
        Initramfs.chunkCount = 0
        Initramfs.count = 0
        Initramfs.indexed = false
        Initramfs.archive = nil
    }
    body()
}

import CKVM
import Testing

/// The guest kernel's physical frame allocator (Sources/GuestKernel/Kernel/
/// Memory/FrameAllocator.swift, compiled here through KernelShared/) over a
/// host buffer standing for 16 MiB of guest RAM (Physical.offset points at it).
/// Serialized: the allocator is global state.
@Suite(.serialized) struct KernelFrameAllocatorTests {
    static let ramSize = 16 << 20
    /// Guest RAM: physical address a is ram + a.
    static let ram: UnsafeMutableRawPointer = {
        let p = UnsafeMutableRawPointer.allocate(byteCount: ramSize, alignment: 4096)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: ramSize)
        return p
    }()

    typealias Range = (base: UInt64, size: UInt64, type: UInt32)
    static let kernelEnd: UInt64 = 0x1a_3456
    /// A map like the VMM's: VMM area, kernel, free RAM around an initrd, odd edges.
    static let map: [Range] = [
        (0, 0x9_f000, UInt32(VMM_MEM_FREE)),                  // below the kernel: not used
        (0x9_f000, 0x6_1000, UInt32(VMM_MEM_VMM)),
        (0x10_0000, 0xa_4000, UInt32(VMM_MEM_KERNEL)),
        (0x1a_4000, 0x15_c000, UInt32(VMM_MEM_FREE)),
        (0x30_0000, 0x4_0000, UInt32(VMM_MEM_INITRD)),
        (0x34_0800, 0x1c_0000, UInt32(VMM_MEM_FREE)),         // unaligned both ends
        (0x60_0100, 0xe00, UInt32(VMM_MEM_FREE)),             // less than a page once aligned
        (0x70_0000, 0xf_f000, UInt32(VMM_MEM_FREE)),
    ]
    /// The frames the map above must give: [start, end) page ranges.
    static let expectedRanges: [(UInt64, UInt64)] = [(0x1a_4000, 0x30_0000), (0x34_1000, 0x50_0000), (0x70_0000, 0x7f_f000)]
    static var expectedFrames: Set<UInt64> {
        Set(expectedRanges.flatMap { stride(from: $0.0, to: $0.1, by: 4096) })
    }

    static func reset(_ map: [Range] = map, kernelEnd: UInt64 = kernelEnd) {
        Physical.offset = UInt64(UInt(bitPattern: ram))
        ram.initializeMemory(as: UInt8.self, repeating: 0, count: ramSize)   // fresh RAM is zero (the VMM's)
        FrameAllocator.rangeCount = 0; FrameAllocator.current = 0; FrameAllocator.next = 0
        FrameAllocator.freeList = 0; FrameAllocator.freeFrames = 0; FrameAllocator.totalFrames = 0
        FrameAllocator.hugeFreeList = 0; FrameAllocator.hugeFreeCount = 0; FrameAllocator.hugeRange = -1
        FrameAllocator.initialize(kernelEnd: kernelEnd, reservedEnd: UInt64(VMM_RESERVED_END)) { take in
            for r in map { take(r.base, r.size, r.type == UInt32(VMM_MEM_FREE)) }
        }
    }

    static func bytes(_ frame: UInt64) -> UnsafeMutableBufferPointer<UInt8> {
        UnsafeMutableBufferPointer(start: Physical.bytes(frame), count: 4096)
    }

    @Test func framesComeOnlyFromFreeRangesUntilExhausted() {
        Self.reset()
        let expected = Self.expectedFrames
        #expect(FrameAllocator.totalFrames == UInt64(expected.count))
        var seen = Set<UInt64>()
        while let f = FrameAllocator.allocate() {
            #expect(f % 4096 == 0)
            #expect(expected.contains(f), "frame \(f) outside the free RAM")
            #expect(f >= Self.kernelEnd && f >= UInt64(VMM_RESERVED_END))
            #expect(seen.insert(f).inserted, "frame \(f) handed out twice")
            if seen.count > expected.count { break }
        }
        #expect(seen == expected)
        #expect(FrameAllocator.allocate() == nil)                 // exhausted stays exhausted
        for r in Self.map where r.type != UInt32(VMM_MEM_FREE) {
            #expect(!seen.contains { $0 + 4096 > r.base && $0 < r.base + r.size })
        }
    }

    @Test func freedFramesComeBackZeroed() throws {
        Self.reset()
        let frames = (0..<8).compactMap { _ in FrameAllocator.allocate() }
        #expect(frames.count == 8)
        for f in frames { let b = Self.bytes(f); for i in b.indices { b[i] = UInt8(truncatingIfNeeded: i | 1) } }
        for f in frames { FrameAllocator.free(f) }
        #expect(FrameAllocator.freeFrames == 8)
        var again: [UInt64] = []
        for _ in 0..<8 { again.append(try #require(FrameAllocator.allocate())) }
        #expect(Set(again) == Set(frames))                        // reused before fresh RAM
        #expect(FrameAllocator.freeFrames == 0)
        for f in again { #expect(Self.bytes(f).allSatisfy { $0 == 0 }, "frame \(f) not zero") }
        let fresh = try #require(FrameAllocator.allocate())
        #expect(!frames.contains(fresh))
    }

    @Test func freeIgnoresZeroAndUnalignedAddresses() {
        Self.reset()
        FrameAllocator.free(0)
        FrameAllocator.free(0x1a_4010)
        #expect(FrameAllocator.freeFrames == 0)
        #expect(FrameAllocator.freeList == 0)
        #expect(FrameAllocator.allocate() == 0x1a_4000)
    }

    @Test func interleavedAllocateAndFreeNeverHandOutAFrameTwice() {
        Self.reset()
        var held: [UInt64] = []
        var state: UInt64 = 12345
        for _ in 0..<5000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if state >> 62 != 0 || held.isEmpty {
                guard let f = FrameAllocator.allocate() else { break }
                #expect(!held.contains(f), "frame \(f) handed out twice")
                #expect(Self.bytes(f).allSatisfy { $0 == 0 })
                Self.bytes(f)[Int(state >> 40) % 4096] = 0xff         // dirty it
                held.append(f)
            } else {
                FrameAllocator.free(held.remove(at: Int(state >> 33) % held.count))
            }
        }
        #expect(UInt64(held.count) + FrameAllocator.freeFrames <= FrameAllocator.totalFrames)
        for f in held { FrameAllocator.free(f) }
    }

    /// `available` (the `debug` leak check) counts the free list plus the
    /// untouched RAM, across ranges, so allocate-then-free gives it back.
    @Test func availableCountsFreeListAndUntouchedRam() {
        Self.reset()
        let total = FrameAllocator.totalFrames
        #expect(FrameAllocator.available == total)
        var held: [UInt64] = []
        for i in 1...800 {                                          // crosses the first range's end
            guard let f = FrameAllocator.allocate() else { break }
            held.append(f)
            #expect(FrameAllocator.available == total - UInt64(i))
        }
        #expect(held.count == 800)
        for (i, f) in held.prefix(300).enumerated() {
            FrameAllocator.free(f)
            #expect(FrameAllocator.available == total - 800 + UInt64(i + 1))
        }
        while FrameAllocator.allocate() != nil {}
        #expect(FrameAllocator.available == 0)
    }

    @Test func noFreeRamMeansNoFrames() {
        Self.reset([(0x10_0000, 0x10_0000, UInt32(VMM_MEM_KERNEL)), (0, 0x8_0000, UInt32(VMM_MEM_FREE))], kernelEnd: 0x20_0000)
        #expect(FrameAllocator.totalFrames == 0)
        #expect(FrameAllocator.allocate() == nil)
    }

    @Test func atMost32RangesAndNoOverflow() {
        var map: [Range] = [(UInt64.max - 0xfff, 0x2000, UInt32(VMM_MEM_FREE))]   // base + size overflows
        for i in 0..<40 { map.append((0x20_0000 + UInt64(i) * 0x2000, 0x1000, UInt32(VMM_MEM_FREE))) }
        Self.reset(map)
        #expect(FrameAllocator.rangeCount == 32)
        #expect(FrameAllocator.totalFrames == 32)
        var got: [UInt64] = []
        while let f = FrameAllocator.allocate(), got.count <= 40 { got.append(f) }
        #expect(got == (0..<32).map { 0x20_0000 + UInt64($0) * 0x2000 })
    }

    // 2 MiB frames: carved top-down, aligned, zero, never overlapping 4 KiB ones.

    static let hugeSize = FrameAllocator.hugeSize

    static func hugeBytes(_ frame: UInt64) -> UnsafeMutableBufferPointer<UInt8> {
        UnsafeMutableBufferPointer(start: Physical.bytes(frame), count: Int(hugeSize))
    }

    /// A map with room for a few 2 MiB frames: 0x40_0000..0xc0_0000 holds
    /// four aligned ones, with unaligned edges on both sides.
    static let hugeMap: [Range] = [
        (0x1a_4000, 0x5c_000, UInt32(VMM_MEM_FREE)),          // 0x1a_4000..0x200_000: no huge frame fits
        (0x3f_f000, 0x80_3000, UInt32(VMM_MEM_FREE)),         // 0x3f_f000..0xc0_2000: 4 huge + tails
    ]

    @Test func hugeFramesAreAlignedZeroAndComeFromTheTop() throws {
        Self.reset(Self.hugeMap)
        var huge: [UInt64] = []
        while let h = FrameAllocator.allocateHuge() { huge.append(h); if huge.count > 8 { break } }
        #expect(huge == [0xa0_0000, 0x80_0000, 0x60_0000, 0x40_0000])
        for h in huge { #expect(Self.hugeBytes(h).allSatisfy { $0 == 0 }) }
        // Everything else is still there as 4 KiB frames, none inside a huge one.
        var small = Set<UInt64>()
        while let f = FrameAllocator.allocate() {
            #expect(small.insert(f).inserted, "frame \(f) handed out twice")
            #expect(!huge.contains { f >= $0 && f < $0 + Self.hugeSize }, "frame \(f) inside a huge frame")
            if small.count > 4096 { break }
        }
        #expect(UInt64(small.count) + UInt64(huge.count) * FrameAllocator.framesPerHuge == FrameAllocator.totalFrames)
    }

    @Test func smallAllocationsDoNotStealTheHugeFramesRoom() throws {
        Self.reset(Self.hugeMap)
        for _ in 0..<64 { _ = try #require(FrameAllocator.allocate()) }    // bottom-up, in the low range
        #expect(FrameAllocator.allocateHuge() == 0xa0_0000)
    }

    @Test func freedHugeFramesComeBackZeroedAndAreReusedFirst() throws {
        Self.reset(Self.hugeMap)
        let a = try #require(FrameAllocator.allocateHuge())
        let b = try #require(FrameAllocator.allocateHuge())
        for h in [a, b] { let m = Self.hugeBytes(h); for i in stride(from: 0, to: m.count, by: 4093) { m[i] = 0xaa } }
        FrameAllocator.freeHuge(a)
        FrameAllocator.freeHuge(b)
        FrameAllocator.freeHuge(a + 4096)                                   // not 2 MiB aligned: ignored
        #expect(FrameAllocator.hugeFreeCount == 2)
        let again = [try #require(FrameAllocator.allocateHuge()), try #require(FrameAllocator.allocateHuge())]
        #expect(Set(again) == [a, b])
        for h in again { #expect(Self.hugeBytes(h).allSatisfy { $0 == 0 }, "huge frame \(h) not zero") }
    }

    @Test func smallFramesFallBackToBreakingAFreeHugeFrame() throws {
        Self.reset(Self.hugeMap)
        var huge: [UInt64] = []
        while let h = FrameAllocator.allocateHuge() { huge.append(h) }
        while FrameAllocator.allocate() != nil {}                            // all fresh RAM used
        let h = huge[1]
        let m = Self.hugeBytes(h); for i in stride(from: 0, to: m.count, by: 999) { m[i] = 0x55 }
        FrameAllocator.freeHuge(h)
        var got = Set<UInt64>()
        while let f = FrameAllocator.allocate() {
            #expect(f >= h && f < h + Self.hugeSize && f % 4096 == 0)
            #expect(Self.bytes(f).allSatisfy { $0 == 0 }, "frame \(f) not zero")
            got.insert(f)
            if got.count > 512 { break }
        }
        #expect(got.count == 512)
        #expect(FrameAllocator.allocateHuge() == nil)
    }

    @Test func noHugeFrameWhereNoAlignedTwoMiBFit() {
        Self.reset()                                                          // the 8 MiB map above: no aligned 2 MiB free
        #expect(FrameAllocator.allocateHuge() == nil)
        #expect(FrameAllocator.allocate() == 0x1a_4000)
        var n: UInt64 = 1
        while FrameAllocator.allocate() != nil { n += 1 }
        #expect(n == FrameAllocator.totalFrames)
    }
}

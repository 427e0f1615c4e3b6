@testable import VMMCore

/// Input: a kernel image file, as `vmm boot --kernel` reads it. Runs the
/// VMM's ELF validation (ELFImage), then for several RAM sizes the placement
/// checks, the initrd placement, the memory map, the boot info and the copy
/// of every segment into guest RAM, exactly as Machine.init does them (the
/// boot page tables depend on the RAM size alone: unit-tested, not fuzzed).
/// Properties: a validated image loads without an error, and the memory map
/// covers RAM exactly, with every segment inside a kernel range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzELF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(FuzzInput(data, size).bytes)
    guard let image = try? ELFImage(bytes: bytes) else { return 0 }
    for ramSize: UInt64 in [MemorySize.minimum, 256 << 20, (2 << 30) + (2 << 20), BootPageTables.maxRAM] {
        guard (try? image.validatePlacement(ramSize: ramSize)) != nil else { continue }
        let kernelEnd = image.segments.map(\.physicalEnd).max() ?? X86.reservedEnd
        for initrdSize: UInt64 in [0, 1, 3 * 4096 + 5, ramSize / 2] {
            let initrdBase = MemoryMap.initrdPlacement(size: initrdSize, ramSize: ramSize, kernelEnd: kernelEnd)
            if let b = initrdBase {
                check(b % X86.pageSize == 0 && b >= kernelEnd && b >= X86.reservedEnd && b + initrdSize <= ramSize,
                      "initrd at \(b) + \(initrdSize) in \(ramSize)")
            }
            let map = MemoryMap(ramSize: ramSize, kernel: image.segments.map { ($0.physicalAddress, $0.memorySize) },
                                initrd: initrdBase.map { ($0, initrdSize) })
            var cursor: UInt64 = 0
            for e in map.entries {
                check(e.base == cursor && e.size > 0, "memory map hole or overlap at \(e.base) (cursor \(cursor))")
                cursor = e.end
            }
            check(cursor == ramSize, "memory map ends at \(cursor), RAM at \(ramSize)")
            for s in image.segments {
                check(map.entries.contains { $0.kind == .kernel && $0.base <= s.physicalAddress && s.physicalEnd <= $0.end },
                      "segment \(s.index) not inside a kernel range")
            }
            let info = BootInfo(ramSize: ramSize, initrdAddress: initrdBase ?? 0, initrdSize: initrdSize,
                                commandLine: Array("init=/init -- x".utf8), memoryMap: map)
            check(info.encode().count <= Int(X86.bootInfoSize), "boot info larger than its area")
        }
        // The copy Machine.init makes (step 3), into real guest RAM.
        guard let memory = try? GuestMemory(size: ramSize) else { continue }
        for s in image.segments where s.fileSize > 0 {
            let start = Int(s.fileOffset)
            do { try memory.write(bytes: bytes[start..<start + Int(s.fileSize)], at: s.physicalAddress) }
            catch { check(false, "validated segment \(s.index) does not load: \(error)") }
        }
    }
    return 0
}

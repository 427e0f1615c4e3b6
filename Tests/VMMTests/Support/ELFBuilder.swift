/// Builds small ELF64 images in memory for the loader's tests.
struct ELFBuilder {
    struct Segment {
        var type: UInt32 = 1           // PT_LOAD
        var flags: UInt32 = 5          // R+X
        var offset: UInt64 = 0x1000
        var vaddr: UInt64 = 0x10_0000
        var paddr: UInt64 = 0x10_0000
        var filesz: UInt64 = 0x100
        var memsz: UInt64 = 0x200
    }

    var ident: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]
    var type: UInt16 = 2               // ET_EXEC
    var machine: UInt16 = 62           // EM_X86_64
    var entry: UInt64 = 0x10_0000
    var phentsize: UInt16 = 56
    var phoff: UInt64 = 64
    var segments: [Segment] = [Segment()]
    var fileSize: Int = 0x1100

    func bytes() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: max(fileSize, 64))
        func put<T: FixedWidthInteger>(_ v: T, _ at: Int) {
            for i in 0..<MemoryLayout<T>.size where at + i < b.count { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
        }
        for (i, v) in ident.enumerated() where i < b.count { b[i] = v }
        put(type, 16); put(machine, 18); put(UInt32(1), 20); put(entry, 24); put(phoff, 32)
        put(UInt16(64), 52); put(phentsize, 54); put(UInt16(segments.count), 56)
        for (i, s) in segments.enumerated() where phoff < UInt64(b.count) {
            let h = Int(phoff) + i * 56
            put(s.type, h); put(s.flags, h + 4); put(s.offset, h + 8); put(s.vaddr, h + 16)
            put(s.paddr, h + 24); put(s.filesz, h + 32); put(s.memsz, h + 40); put(UInt64(0x1000), h + 48)
        }
        return Array(b.prefix(fileSize))
    }
}

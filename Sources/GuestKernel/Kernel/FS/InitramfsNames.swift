/// A hash of the initramfs index by whole normalized path (open addressing,
/// linear probing, load factor at most 1/2), built once at boot: a lookup
/// that scanned the index compared every entry's name, ~8 guest-kernel
/// instructions an entry, and a miss (a PATH search, any name not in it)
/// scanned all of them: BusyBox's 400 applet links made that ~3k per miss
/// (bench tar_extract). The slots hold index + 1 (0: empty), in zeroed
/// frames from the boot allocator; without them lookups scan as before.
extension Initramfs {
    nonisolated(unsafe) static var slots = UnsafeMutablePointer<Int32>(bitPattern: 0)
    nonisolated(unsafe) static var slotMask = 0

    @inline(__always) static func nameHash(_ name: UnsafePointer<UInt8>, _ n: Int) -> Int {
        Int(NameHash.of(0, name, n))
    }

    /// Hashes the `count` indexed entries; the first of equal names wins, as the scan's did.
    static func hashNames() {
        guard count > 0, count < Int(Int32.max) / 2 else { return }
        var size = 1024
        while size < 2 * count { size <<= 1 }
        let pages = UInt64(size * 4) / Physical.pageSize
        guard let first = FrameAllocator.allocateContiguous(pages) else { return }
        let s: UnsafeMutablePointer<Int32> = Physical.pointer(first)
        for i in 0..<count {
            let e = entry(i)
            var h = nameHash(e.pointee.name, e.pointee.nameLength) & (size - 1)
            while s[h] != 0 {
                let o = entry(Int(s[h]) - 1)
                if o.pointee.nameLength == e.pointee.nameLength && bytesEqual(o.pointee.name, e.pointee.name, o.pointee.nameLength) { break }
                h = (h + 1) & (size - 1)
            }
            if s[h] == 0 { s[h] = Int32(i + 1) }
        }
        slots = s
        slotMask = size - 1
    }

    /// The indexed entry named `path` through the hash; nil when missing.
    @inline(__always)
    static func hashedFind(_ s: UnsafeMutablePointer<Int32>, _ path: UnsafePointer<UInt8>, _ n: Int) -> CpioArchive.Entry? {
        var h = nameHash(path, n) & slotMask
        while s[h] != 0 {
            let e = entry(Int(s[h]) - 1)
            if e.pointee.nameLength == n && bytesEqual(e.pointee.name, path, n) { return e.pointee }
            h = (h + 1) & slotMask
        }
        return nil
    }
}

/// The initramfs the kernel booted with (read-only), indexed once at boot so
/// that a path lookup compares names instead of parsing every cpio header
/// (hex fields) again: each emulated instruction costs ~1 µs here.
///
/// The index lives in 2 MiB frames (52,428 entries each), never in the small
/// kernel heap, added as the one pass over the archive goes: any number of
/// entries up to 64 frames (3.3 million) fits, bounded by RAM. When RAM (or
/// that bound) runs out the kernel says so at boot and lookups scan the
/// archive instead (slower, same answers).
enum Initramfs {
    static let perChunk = Int(FrameAllocator.hugeSize) / MemoryLayout<CpioArchive.Entry>.stride
    static let maxChunks = 64
    nonisolated(unsafe) static var archive: CpioArchive? = nil
    nonisolated(unsafe) static var chunks = UnsafeMutablePointer<UInt64>(bitPattern: 0)   // physical 2 MiB frames
    nonisolated(unsafe) static var chunkCount = 0
    nonisolated(unsafe) static var count = 0
    nonisolated(unsafe) static var indexed = false

    static func entry(_ i: Int) -> UnsafeMutablePointer<CpioArchive.Entry> {
        let base: UnsafeMutablePointer<CpioArchive.Entry> = Physical.pointer(chunks.unsafelyUnwrapped[i / perChunk])
        return base + i % perChunk
    }

    /// Indexes `a` (names without "./" or "/" prefixes) in one pass.
    static func load(_ a: CpioArchive) {
        archive = a
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: maxChunks)
        chunks = table
        var n = 0
        var ok = true
        a.forEach { e in
            if n == chunkCount * perChunk {
                guard chunkCount < maxChunks, let frame = FrameAllocator.allocateHuge() else { ok = false; return false }
                table[chunkCount] = frame
                chunkCount += 1
            }
            var item = e
            (item.name, item.nameLength) = a.stripPrefix(e.name, e.nameLength)
            entry(n).initialize(to: item)
            n += 1
            return true
        }
        guard ok else {
            Console.log("initramfs: no memory to index more than ")
            Console.dec(UInt64(n))
            Console.write(" entries: lookups scan the archive")
            Console.endLog()
            for c in 0..<chunkCount { FrameAllocator.freeHuge(table[c]) }
            chunkCount = 0
            return
        }
        count = n
        indexed = true
        hashNames()
    }

    /// The entry at normalized `path` (no leading slash).
    static func find(_ path: UnsafePointer<UInt8>, _ n: Int) -> CpioArchive.Entry? {
        guard indexed else {
            guard let a = archive, let e = a.find(path, n) else { return nil }
            var item = e
            (item.name, item.nameLength) = a.stripPrefix(e.name, e.nameLength)
            return item
        }
        if let s = slots { return hashedFind(s, path, n) }
        var found: CpioArchive.Entry? = nil
        scanIndex { e in
            guard e.pointee.nameLength == n && bytesEqual(e.pointee.name, path, n) else { return true }
            found = e.pointee
            return false
        }
        return found
    }

    /// The index entries in order from position `start`, a chunk at a time,
    /// until `body` returns false.
    @inline(__always) static func scanIndex(from start: Int = 0, _ body: (UnsafeMutablePointer<CpioArchive.Entry>) -> Bool) {
        guard let table = chunks, start < count else { return }
        var c = start / perChunk, j = start % perChunk
        while c < chunkCount {
            let base: UnsafeMutablePointer<CpioArchive.Entry> = Physical.pointer(table[c])
            let end = min(count - c * perChunk, perChunk)
            while j < end { if !body(base + j) { return }; j += 1 }
            c += 1
            j = 0
        }
    }

    /// The indexed entries from position `start` with their positions, until
    /// `body` returns false (only when `indexed`).
    static func forEachIndexed(from start: Int, _ body: (Int, CpioArchive.Entry) -> Bool) {
        var k = start
        scanIndex(from: start) { e in
            defer { k += 1 }
            return body(k, e.pointee)
        }
    }

    /// Every entry (names without prefixes) until `body` returns false.
    static func forEach(_ body: (CpioArchive.Entry) -> Bool) {
        if indexed {
            scanIndex { body($0.pointee) }
            return
        }
        guard let a = archive else { return }
        a.forEach { e in
            var item = e
            (item.name, item.nameLength) = a.stripPrefix(e.name, e.nameLength)
            return body(item)
        }
    }
}

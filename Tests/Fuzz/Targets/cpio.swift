/// Input: an initrd, as the guest kernel finds it in RAM. Runs the kernel's
/// own cpio reader (Kernel/FS/Cpio.swift) and initramfs index
/// (Kernel/FS/Initramfs.swift), compiled for the host. The input is copied
/// into a buffer of exactly its size, so AddressSanitizer reports any read
/// past the archive. Property: every entry the reader yields lies inside the
/// archive, and the index and the scanning lookup find the same entries, both
/// with a 2 MiB frame free for the index and with none (KernelHost.swift).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCpio(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(size, 1))
    defer { buffer.deallocate() }
    if let d = data { buffer.initialize(from: d, count: size) }
    let archive = CpioArchive(base: UnsafePointer(buffer), size: size)
    let end = UnsafePointer(buffer) + size
    var names: [[UInt8]] = []
    var sum = 0
    archive.forEach { e in
        check(e.name >= UnsafePointer(buffer) && e.name + e.nameLength <= end, "name outside the archive")
        check(e.dataSize >= 0 && e.data >= UnsafePointer(buffer) && e.data + e.dataSize <= end, "data outside the archive")
        for i in 0..<e.nameLength { sum &+= Int(e.name[i]) }
        for i in 0..<e.dataSize { sum &+= Int(e.data[i]) }
        names.append(Array(UnsafeBufferPointer(start: e.name, count: e.nameLength)))
        return names.count < 4096
    }
    // With RAM for the index, then with none (the boot says so once and
    // lookups scan the archive): the same answers either way.
    withInitramfsIndex(archive) {
        check(Initramfs.indexed, "no index with a free 2 MiB frame")
        checkLookups(archive, names)
    }
    guard let held = FrameAllocator.allocateHuge() else { check(false, "the index kept its frame"); return 0 }
    defer { FrameAllocator.freeHuge(held) }
    let lines = Console.lines
    withInitramfsIndex(archive) {
        check(Initramfs.indexed == names.isEmpty, "indexed without memory")
        check(Console.lines - lines == (names.isEmpty ? 0 : 1), "out of memory said \(Console.lines - lines) times")
        checkLookups(archive, names)
    }
    _ = sum
    return 0
}

/// The index (or its fallback) holds at least the entries the reader listed,
/// and finds each the way the scanning lookup does.
private func checkLookups(_ archive: CpioArchive, _ names: [[UInt8]]) {
    var indexed = 0
    Initramfs.forEach { _ in indexed += 1; return true }
    check(indexed >= names.count, "index has \(indexed) of \(names.count) entries")
    for name in names.prefix(64) {
        name.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            let scanned = archive.find(base, p.count)
            check(scanned != nil, "scanning lookup misses an entry it listed")
            let (q, m) = archive.stripPrefix(base, p.count)
            let viaIndex = Initramfs.find(q, m)
            check(viaIndex != nil, "index lookup misses an entry")
            if let a = scanned, let b = viaIndex { check(a.data == b.data && a.mode == b.mode, "lookups disagree") }
        }
    }
}

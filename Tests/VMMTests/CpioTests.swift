import Testing
@testable import VMM

/// The guest kernel's cpio newc reader (Sources/GuestKernel/Kernel/FS/Cpio.swift,
/// compiled here through the symbolic link in KernelShared/) against the
/// VMM's writer (CPIOArchive, what `vmm run` and `vmm bench` hand the kernel).
@Suite struct CpioTests {
    func withArchive<R>(_ bytes: [UInt8], _ body: (CpioArchive) -> R) -> R {
        bytes.withUnsafeBufferPointer { body(CpioArchive(base: $0.baseAddress!, size: $0.count)) }
    }

    func find(_ a: CpioArchive, _ path: String) -> CpioArchive.Entry? {
        let p = Array(path.utf8)
        return p.withUnsafeBufferPointer { a.find($0.baseAddress!, $0.count) }
    }

    @Test func writerAndReaderAgree() throws {
        var w = CPIOArchive()
        try w.add("dev", .directory, permissions: 0o755)
        try w.add("init", .file([1, 2, 3, 4, 5]), permissions: 0o755)
        try w.add("etc/motd", .file(Array("hi\n".utf8)), permissions: 0o644)
        let bytes = w.encode(pageAlignFiles: true)
        withArchive(bytes) { a in
            var names: [String] = []
            a.forEach { e in
                names.append(String(decoding: UnsafeBufferPointer(start: e.name, count: e.nameLength), as: UTF8.self))
                return true
            }
            #expect(names == ["dev", "init", "etc", "etc/motd"])
            let initEntry = find(a, "/init")
            #expect(initEntry?.dataSize == 5)
            #expect(initEntry.map { Array(UnsafeBufferPointer(start: $0.data, count: $0.dataSize)) } == [1, 2, 3, 4, 5])
            #expect(find(a, "./init") != nil)
            #expect(find(a, "dev")?.mode == 0o040755)
            let motd = find(a, "etc/motd")
            #expect(motd?.nameLength == 8)                        // NUL padding is not part of the name
            #expect(motd.map { (Int(bitPattern: $0.data) - Int(bitPattern: bytes.withUnsafeBufferPointer { $0.baseAddress! })) % 4096 } == 0)
            #expect(find(a, "missing") == nil)
        }
    }

    @Test(arguments: [0, 1, 6, 50, 109, 110, 111, 200])
    func truncatedArchivesNeverReadOutOfBounds(length: Int) throws {
        var w = CPIOArchive()
        try w.add("init", .file(Array(repeating: 7, count: 100)), permissions: 0o755)
        let bytes = Array(w.encode(pageAlignFiles: false).prefix(length))
        withArchive(bytes.isEmpty ? [0] : bytes) { a in
            let size = bytes.count
            var seen = 0
            a.forEach { e in
                seen += 1
                #expect(e.dataSize >= 0)
                return true
            }
            if size < 110 { #expect(seen == 0) }
        }
    }

    @Test func badMagicOrHexStops() throws {
        var w = CPIOArchive()
        try w.add("init", .file([1]), permissions: 0o755)
        var bytes = w.encode(pageAlignFiles: false)
        bytes[0] = 0x31
        #expect(withArchive(bytes) { find($0, "init") } == nil)
        bytes[0] = 0x30
        bytes[6 + 8 * 6] = 0x7a                                   // 'z' in c_filesize
        #expect(withArchive(bytes) { find($0, "init") } == nil)
    }

    @Test func hugeSizesAreRejected() throws {
        var w = CPIOArchive()
        try w.add("init", .file([1, 2]), permissions: 0o755)
        var bytes = w.encode(pageAlignFiles: false)
        for i in 0..<8 { bytes[6 + 8 * 6 + i] = 0x46 }           // c_filesize = FFFFFFFF
        #expect(withArchive(bytes) { find($0, "init") } == nil)
    }
}

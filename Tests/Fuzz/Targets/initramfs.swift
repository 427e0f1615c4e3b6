@testable import VMMCore

/// Input: a list of entries (path, kind, permissions, contents) for the
/// VMM's initramfs writer (Sources/VMM/Initramfs). Each archive it writes is
/// read back with the guest kernel's own cpio reader and index
/// (Kernel/FS/Cpio.swift, Initramfs.swift). Properties: the kernel sees
/// exactly the entries written, in order, with their modes and bytes; every
/// entry's parent is a directory written before it (Linux unpacks an
/// initramfs in order: init/initramfs.c); with page alignment, every file's
/// data starts on a 4 KiB boundary; `vmm run`'s image (Initramfs.build)
/// holds /init and every addition.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInitramfs(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    var archive = CPIOArchive()
    var files: [(String, [UInt8])] = []
    while !input.isAtEnd && archive.entries.count < 64 {
        let op = input.byte()
        let permissions = UInt32(input.integer(UInt16.self))
        let path = String(decoding: input.take(Int(input.byte() % 48)), as: UTF8.self)
        let bytes = input.take(Int(input.byte()) * (op & 0x80 != 0 ? 16 : 1))
        let kind: CPIOArchive.EntryKind
        switch op % 4 {
        case 0: kind = .file(bytes); files.append((path, bytes))
        case 1: kind = .directory
        case 2: kind = .symlink(target: String(decoding: bytes, as: UTF8.self))
        default: kind = .characterDevice(major: UInt32(bytes.first ?? 0), minor: UInt32(bytes.last ?? 0))
        }
        try? archive.add(path, kind, permissions: permissions)
    }
    for align in [true, false] {
        let image = archive.encode(pageAlignFiles: align)
        readBack(image, expect: archive.entries, aligned: align)
    }
    // The image `vmm run` builds: the program as /init, the device nodes, /tmp, the additions.
    let program = files.first?.1 ?? [0x7f, 0x45, 0x4c, 0x46]
    let additions = files.dropFirst().compactMap { f in
        (try? VMMCore.Initramfs.Addition(parsing: "host:" + f.0)).map { ($0, f.1) }
    }
    if let image = try? VMMCore.Initramfs.build(program: program, additions: Array(additions)) {
        withArchive(image) { a in
            check(a.find("/init", 5).map { bytesOf($0.data, $0.dataSize) == program } == true, "/init missing or wrong")
            for (addition, bytes) in additions {
                guard let clean = try? CPIOArchive.normalize(addition.guestPath) else { check(false, "bad path built"); continue }
                let p = Array(clean.utf8)
                let e = p.withUnsafeBufferPointer { a.find($0.baseAddress!, $0.count) }
                check(e.map { bytesOf($0.data, $0.dataSize) == bytes } == true, "addition \(addition.guestPath) missing or wrong")
            }
        }
    }
    return 0
}

private func bytesOf(_ p: UnsafePointer<UInt8>, _ n: Int) -> [UInt8] { Array(UnsafeBufferPointer(start: p, count: n)) }

/// The image in a buffer of exactly its size (AddressSanitizer sees any overread).
private func withArchive(_ image: [UInt8], _ body: (CpioArchive) -> Void) {
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: image.count)
    defer { buffer.deallocate() }
    buffer.initialize(from: image, count: image.count)
    body(CpioArchive(base: UnsafePointer(buffer), size: image.count))
}

private func readBack(_ image: [UInt8], expect entries: [CPIOArchive.Entry], aligned: Bool) {
    withArchive(image) { a in
        var seen: [[UInt8]: UInt32] = [:]      // path bytes -> mode, of entries before
        var i = 0
        a.forEach { e in
            check(i < entries.count, "the kernel reads more entries than were written")
            guard i < entries.count else { return false }
            let w = entries[i]
            let name = bytesOf(e.name, e.nameLength)
            check(name == Array(w.path.utf8), "entry \(i): kernel reads name \(name), written \(w.path)")
            var type: UInt32, contents: [UInt8] = []
            switch w.kind {
            case .directory: type = 0o040000
            case .file(let b): type = 0o100000; contents = b
            case .symlink(let t): type = 0o120000; contents = Array(t.utf8)
            case .characterDevice: type = 0o020000
            }
            check(e.mode == type | (w.permissions & 0o7777), "entry \(w.path): mode \(String(e.mode, radix: 8))")
            check(bytesOf(e.data, e.dataSize) == contents, "entry \(w.path): contents differ")
            if aligned, case .file = w.kind, !contents.isEmpty {
                check((e.data - a.base) % 4096 == 0, "entry \(w.path): data not page-aligned")
            }
            if let slash = name.lastIndex(of: 0x2f) {
                let parent = Array(name[..<slash])
                check(seen[parent].map { $0 & 0o170000 == 0o040000 } == true,
                      "entry \(w.path): parent is not a directory written before it")
            }
            seen[name] = e.mode
            i += 1
            return true
        }
        check(i == entries.count, "the kernel reads \(i) of \(entries.count) entries")
        withInitramfsIndex(a) {
            check(Initramfs.indexed, "no index with a free 2 MiB frame")
            for w in entries {
                let p = Array(w.path.utf8)
                let found = p.withUnsafeBufferPointer { Initramfs.find($0.baseAddress!, $0.count) }
                check(found != nil, "the kernel's index misses \(w.path)")
            }
        }
    }
}

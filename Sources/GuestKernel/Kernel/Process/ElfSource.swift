/// Where an executable's bytes are, for ElfLoader: an initramfs file (one run
/// of bytes in RAM, whose page-aligned read-only pages are mapped in place)
/// or a tmpfs file (Tmpfs pages of 4 KiB, holes reading as zero, copied).
enum ElfSource {
    case initrd(UnsafePointer<UInt8>, size: Int)
    case tmpfs(node: Int, size: Int)

    var size: Int {
        switch self {
        case .initrd(_, let n), .tmpfs(_, let n): return n
        }
    }

    /// The bytes ElfHeaders.validate reads (the ELF header and the program
    /// headers), in one run: an initramfs file's own bytes; a tmpfs file's
    /// first page, so its program headers must lie in that page (as the
    /// static linkers put them, at offset 64; Linux reads them from
    /// anywhere). Nil when they are not there: ENOEXEC.
    var headers: UnsafePointer<UInt8>? {
        switch self {
        case .initrd(let data, _): return data
        case .tmpfs(let node, let size):
            guard size >= 64, let frame = Tmpfs.frame(node, page: 0, create: false) else { return nil }
            let page = UnsafePointer(Physical.bytes(frame))
            let raw = UnsafeRawPointer(page)
            let phoff = raw.loadUnaligned(fromByteOffset: 32, as: UInt64.self)
            let phnum = UInt64(raw.loadUnaligned(fromByteOffset: 56, as: UInt16.self))
            let inPage = UInt64(min(size, Int(Physical.pageSize)))
            guard phnum <= 64, phoff <= inPage, phnum * 56 <= inPage - phoff else { return nil }
            return page
        }
    }

    /// The physical address of the file's byte 0 when its bytes can be mapped
    /// in place (initramfs), else nil.
    var physical: UInt64? {
        switch self {
        case .initrd(let data, _): return UInt64(UInt(bitPattern: data)) &- Physical.offset
        case .tmpfs: return nil
        }
    }

    /// Copies file bytes [offset, offset + n) (validated to lie in the file)
    /// to `dst`; a tmpfs hole leaves `dst` as it is (a fresh frame: zero).
    func copy(to dst: UnsafeMutableRawPointer, from offset: UInt64, count n: Int) {
        switch self {
        case .initrd(let data, _):
            copyBytes(dst, data + Int(offset), n)
        case .tmpfs(let node, _):
            var done = 0
            while done < n {
                let at = offset + UInt64(done)
                let inPage = Int(at & (Physical.pageSize - 1))
                let c = min(n - done, Int(Physical.pageSize) - inPage)
                if let f = Tmpfs.frame(node, page: Int(at / Physical.pageSize), create: false) {
                    copyBytes(dst + done, Physical.bytes(f) + inPage, c)
                }
                done += c
            }
        }
    }
}

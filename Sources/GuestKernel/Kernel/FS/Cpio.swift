/// Reader of a "newc" cpio archive (the initramfs format Linux uses:
/// Documentation/driver-api/early-userspace/buffer-format.rst). 110-byte ASCII
/// header "070701" + 13 8-digit hex fields, the name (NUL-terminated) padded
/// so that header+name is a multiple of 4, the data padded to 4. Every field
/// is checked against the archive's bounds.
struct CpioArchive {
    let base: UnsafePointer<UInt8>
    let size: Int

    struct Entry {
        var name: UnsafePointer<UInt8>
        var nameLength: Int          // without the NUL
        var mode: UInt32
        var mtime: UInt32            // c_mtime, seconds
        var uid: UInt32
        var gid: UInt32
        var data: UnsafePointer<UInt8>
        var dataSize: Int
    }

    static let headerSize = 110

    private func hexField(_ at: Int, _ index: Int) -> UInt32? {
        var v: UInt32 = 0
        let start = at + 6 + 8 * index
        for i in start..<(start + 8) {
            let c = base[i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = (v << 4) | UInt32(d)
        }
        return v
    }

    /// Calls `body` for each entry until it returns false or the trailer comes.
    func forEach(_ body: (Entry) -> Bool) {
        var at = 0
        while at <= size - CpioArchive.headerSize, size >= CpioArchive.headerSize {
            // "070701" (or "070702", newc with checksums)
            guard base[at] == 0x30, base[at + 1] == 0x37, base[at + 2] == 0x30, base[at + 3] == 0x37,
                  base[at + 4] == 0x30, base[at + 5] == 0x31 || base[at + 5] == 0x32,
                  let mode = hexField(at, 1), let uid = hexField(at, 2), let gid = hexField(at, 3),
                  let mtime = hexField(at, 5), let fileSize = hexField(at, 6),
                  let nameSize = hexField(at, 11), nameSize >= 1 else { return }
            let nameStart = at + CpioArchive.headerSize
            guard Int(nameSize) <= size - nameStart else { return }
            let dataStart = (nameStart + Int(nameSize) + 3) & ~3
            guard dataStart <= size, Int(fileSize) <= size - dataStart else { return }
            // The name ends at its first NUL: writers may pad it with NULs so that
            // the data starts page-aligned (then the kernel maps it in place).
            var nameLength = 0
            while nameLength < Int(nameSize) - 1 && base[nameStart + nameLength] != 0 { nameLength += 1 }
            let e = Entry(name: base + nameStart, nameLength: nameLength, mode: mode, mtime: mtime, uid: uid, gid: gid,
                          data: base + dataStart, dataSize: Int(fileSize))
            if e.nameLength == 10 && bytesEqual(e.name, "TRAILER!!!", 10) { return }
            if !body(e) { return }
            at = (dataStart + Int(fileSize) + 3) & ~3
        }
    }

    /// The entry at `path` ("/init", "init" and "./init" name the same entry).
    func find(_ path: UnsafePointer<UInt8>, _ length: Int) -> Entry? {
        let (p, n) = stripPrefix(path, length)
        var found: Entry? = nil
        forEach { e in
            let (q, m) = stripPrefix(e.name, e.nameLength)
            if m == n && bytesEqual(p, q, n) { found = e; return false }
            return true
        }
        return found
    }

    func stripPrefix(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int) {
        var q = p, m = n
        while m > 0 && (q[0] == 0x2f || (m > 1 && q[0] == 0x2e && q[1] == 0x2f)) {
            if q[0] == 0x2f { q += 1; m -= 1 } else { q += 2; m -= 2 }
        }
        return (q, m)
    }
}

/// Eight bytes a compare, then the tail bytes (path lookups compare names
/// here: a byte a step costs ~8 guest-kernel instructions, a word ~7).
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i &+ 8 <= n {
        if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) { return false }
        i &+= 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i &+= 1
    }
    return true
}

func bytesEqual(_ a: UnsafePointer<UInt8>, _ s: StaticString, _ n: Int) -> Bool {
    guard s.utf8CodeUnitCount == n else { return false }
    return bytesEqual(a, s.utf8Start, n)
}

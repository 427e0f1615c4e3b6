/// The initramfs the kernel booted with (read-only), indexed once at boot so
/// that a path lookup compares names instead of parsing every cpio header
/// (hex fields) again: each emulated instruction costs ~1 µs here.
enum Initramfs {
    static let maxIndexed = 8192
    nonisolated(unsafe) static var archive: CpioArchive? = nil
    nonisolated(unsafe) static var index = UnsafeMutablePointer<CpioArchive.Entry>(bitPattern: 0)
    nonisolated(unsafe) static var count = 0

    /// Indexes `a` (names without "./" or "/" prefixes); a larger archive is
    /// searched by scanning.
    static func load(_ a: CpioArchive) {
        archive = a
        var n = 0
        a.forEach { _ in n += 1; return n <= maxIndexed }
        guard n <= maxIndexed else { return }
        let t = UnsafeMutablePointer<CpioArchive.Entry>.allocate(capacity: max(n, 1))
        var i = 0
        a.forEach { e in
            guard i < n else { return false }
            var entry = e
            (entry.name, entry.nameLength) = a.stripPrefix(e.name, e.nameLength)
            (t + i).initialize(to: entry)
            i += 1
            return true
        }
        index = t
        count = i
    }

    /// The entry at normalized `path` (no leading slash).
    static func find(_ path: UnsafePointer<UInt8>, _ n: Int) -> CpioArchive.Entry? {
        guard let t = index else {
            guard let a = archive, let e = a.find(path, n) else { return nil }
            var entry = e
            (entry.name, entry.nameLength) = a.stripPrefix(e.name, e.nameLength)
            return entry
        }
        for i in 0..<count where t[i].nameLength == n && bytesEqual(t[i].name, path, n) { return t[i] }
        return nil
    }

    /// Every entry (names without prefixes) until `body` returns false.
    static func forEach(_ body: (CpioArchive.Entry) -> Bool) {
        if let t = index {
            for i in 0..<count where !body(t[i]) { return }
            return
        }
        guard let a = archive else { return }
        a.forEach { e in
            var entry = e
            (entry.name, entry.nameLength) = a.stripPrefix(e.name, e.nameLength)
            return body(entry)
        }
    }
}

/// Path resolution over the one tree that exists in this issue: the
/// initramfs (read-only) plus the device nodes of /dev. path_resolution(7):
/// relative to the working directory or a directory descriptor; "." and ".."
/// and repeated slashes. This file holds the pure part (joining to the base
/// directory and normalizing), kept apart so the host test target compiles it
/// (Tests/VMMTests/KernelShared); lookups and links are in Path.swift.
enum Path {
    static let max = 4096                                  // PATH_MAX
    static let nameMax = 255                               // NAME_MAX: one component
    static let bufferSize = 2 * max + 2

    /// Normalizes `src[0..<n]` into `dst` (no leading slash): the length, or
    /// -ENAMETOOLONG when a component is longer than NAME_MAX (checked before
    /// `..` removes it, as Linux's lookup meets it first; path_resolution(7)).
    /// `..` above the root stays at the root, as on Linux.
    static func normalize(_ src: UnsafePointer<UInt8>, _ n: Int, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        var out = 0
        var i = 0
        while i < n {
            while i < n && src[i] == 0x2f { i += 1 }
            let start = i
            while i < n && src[i] != 0x2f { i += 1 }
            let len = i - start
            if len > nameMax { return -Int(Errno.ENAMETOOLONG) }
            if len == 0 || (len == 1 && src[start] == 0x2e) { continue }
            if len == 2 && src[start] == 0x2e && src[start + 1] == 0x2e {
                while out > 0 && dst[out - 1] != 0x2f { out -= 1 }
                if out > 0 { out -= 1 }
                continue
            }
            if out > 0 { dst[out] = 0x2f; out += 1 }
            for j in 0..<len { dst[out + j] = src[start + j] }
            out += len
        }
        return out
    }

    /// Whether `raw[0..<n]` is resolved against a base directory (the
    /// working directory or a dirfd's): relative and not empty. An empty path
    /// fails with ENOENT before any dirfd is looked at, as on Linux.
    static func needsBase(_ raw: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        n > 0 && raw[0] != 0x2f
    }

    /// Joins the user path `raw[0..<n]` (at most `max` bytes) to `base`
    /// (without a leading slash; ignored unless `needsBase`) in `full`
    /// (bufferSize bytes), and normalizes the result into `norm`: its length,
    /// or -errno. The caller looks the base up itself, with plain values and
    /// no closure: the path system calls are hot (a closure here cost 22-30
    /// guest-kernel instructions per access(2)/stat(2)/readlink(2); with plain
    /// values the split from the caller costs 8).
    static func join(_ raw: UnsafePointer<UInt8>, _ n: Int, base: UnsafePointer<UInt8>?, baseLength: Int,
                     scratch full: UnsafeMutablePointer<UInt8>, into norm: UnsafeMutablePointer<UInt8>) -> Int64 {
        if n == 0 { return -Errno.ENOENT }
        var total = 0
        if needsBase(raw, n), let b = base, baseLength > 0 {
            guard baseLength <= max else { return -Errno.ENAMETOOLONG }
            for i in 0..<baseLength { full[i] = b[i] }
            full[baseLength] = 0x2f
            total = baseLength + 1
        }
        for i in 0..<n { full[total + i] = raw[i] }
        total += n
        return Int64(normalize(full, total, into: norm))
    }
}

/// Path resolution over the one tree that exists in this issue: the
/// initramfs (read-only) plus the device nodes of /dev. path_resolution(7):
/// relative to the working directory or a directory descriptor; "." and ".."
/// and repeated slashes. This file holds the pure part (joining to the base
/// directory, normalizing, and the tail that normalizing drops), kept apart
/// so the host test target compiles it (Tests/VMMTests/KernelShared);
/// lookups and links are in Path.swift.
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

    /// How a path ends, which normalization drops but Linux does not
    /// (path_resolution(7); fs/namei.c: the last component's type, and a
    /// slash after the last name). Anything but `.name` means "must be a
    /// directory": ENOTDIR on an existing non-directory.
    enum Tail: UInt8 {
        case name          // "a/b": the last name may be of any type
        case slash         // "a/b/": b must be a directory; a final symbolic link is followed
                           // (lookups), creation makes a directory or nothing (O_CREAT: EISDIR)
        case dot           // "a/b/.", ".": b itself, reached as a directory (never a name to
                           // create or remove: EEXIST/EINVAL/EISDIR/EBUSY)
        case dotDot        // "a/b/..": b's parent (rmdir: ENOTEMPTY); normalizing removes b
                           // unseen, so "file/.." is not ENOTDIR here as on Linux
        case root          // "/", "//": the root (rmdir: EBUSY)

        /// The path names a directory reached through its last component
        /// (".", "..", the root) rather than a name in its parent.
        var isDots: Bool { rawValue >= Tail.dot.rawValue }
    }

    /// The tail of the path `src[0..<n]` as given (a user path, or a
    /// symbolic link's target); "" is `.name` (the empty path fails
    /// elsewhere). A path ending in a name costs one load and a compare:
    /// "." is 0x2e, "/" 0x2f.
    @inline(__always)
    static func tail(_ src: UnsafePointer<UInt8>, _ n: Int) -> Tail {
        n > 0 && src[n - 1] | 1 == 0x2f ? dotOrSlashTail(src, n) : .name
    }

    /// `tail` of a path that ends in "." or "/".
    static func dotOrSlashTail(_ src: UnsafePointer<UInt8>, _ n: Int) -> Tail {
        var end = n
        while end > 0 && src[end - 1] == 0x2f { end -= 1 }
        if end == 0 { return .root }
        var start = end
        while start > 0 && src[start - 1] != 0x2f { start -= 1 }
        if src[start] == 0x2e {
            if end - start == 1 { return .dot }
            if end - start == 2 && src[start + 1] == 0x2e { return .dotDot }
        }
        return end < n ? .slash : .name
    }

    /// Which symbolic link at the end of a path is followed.
    struct Follow: OptionSet {
        let rawValue: UInt8
        /// A final link (stat, open; not lstat, readlink, O_NOFOLLOW, nor the
        /// calls that create or remove a name, which act on the link itself).
        static let link = Follow(rawValue: 1)
        /// A final link before a trailing slash, and the slash then wants a
        /// directory (lookups, also lstat and O_NOFOLLOW; not O_CREAT, which
        /// refuses "name/", nor the calls that create or remove a name).
        static let slash = Follow(rawValue: 2)
        static let lookup: Follow = [.link, .slash]

        /// What to follow at the end of a path with tail `tail`: a trailing
        /// slash decides by `.slash`; "x/." and "x/.." always follow x, as
        /// Linux walks it as a directory.
        func at(_ tail: Tail) -> Follow {
            switch tail {
            case .name: return self
            case .slash: return contains(.slash) ? union(.link) : subtracting(.link)
            case .dot, .dotDot, .root: return union(.link)
            }
        }
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

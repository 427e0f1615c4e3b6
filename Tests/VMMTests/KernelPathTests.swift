import Testing

/// The guest kernel's path normalization and joining to the working
/// directory (Sources/GuestKernel/Kernel/FS/PathNormalize.swift, compiled
/// here through KernelShared/). Normalized paths have no leading slash; ""
/// is the root.
@Suite struct KernelPathTests {
    static func normalize(_ path: String) -> String {
        let src = Array(path.utf8)
        let dst = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.bufferSize)
        defer { dst.deallocate() }
        let n = src.withUnsafeBufferPointer { Path.normalize($0.baseAddress ?? UnsafePointer(dst), src.count, into: dst) }
        return String(decoding: UnsafeBufferPointer(start: dst, count: n), as: UTF8.self)
    }

    /// Path.join with `cwd` as the base directory: the result (normalized
    /// path or -errno) and whether the kernel would look a base up at all.
    static func join(_ path: String, cwd: String) -> (result: Int64, path: String, askedBase: Bool) {
        let raw = Array(path.utf8), base = Array(cwd.utf8)
        let full = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.bufferSize)
        let norm = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.bufferSize)
        defer { full.deallocate(); norm.deallocate() }
        let (r, asked) = raw.withUnsafeBufferPointer { rp in
            base.withUnsafeBufferPointer { bp in
                let rawBase = rp.baseAddress ?? UnsafePointer(full)
                return (Path.join(rawBase, raw.count, base: bp.baseAddress, baseLength: bp.count, scratch: full, into: norm),
                        Path.needsBase(rawBase, raw.count))
            }
        }
        let out = r >= 0 ? String(decoding: UnsafeBufferPointer(start: norm, count: Int(r)), as: UTF8.self) : ""
        return (r, out, asked)
    }

    static let normalized: [(String, String)] = [
        ("/", ""), ("", ""), ("/a/b", "a/b"), ("a/b", "a/b"),
        ("//a///b//", "a/b"),                  // repeated slashes
        ("/a/b/", "a/b"),                      // trailing slash (kept as the tail: below)
        ("/a/./b/.", "a/b"), ("/./.", ""),     // "."
        ("/a/b/../c", "a/c"), ("/a/..", ""), ("/a/b/../../..", ""),
        ("/..", ""), ("/../../x", "x"),        // ".." at the root stays at the root
        ("/.../x", ".../x"), ("/.a/a./..b/b..", ".a/a./..b/b.."),   // only "." and ".." are special
        ("/usr/lib/../bin/./sh", "usr/bin/sh"),
    ]

    @Test(arguments: normalized)
    func normalizes(_ input: String, _ expected: String) {
        #expect(Self.normalize(input) == expected)
    }

    @Test func relativePathsStartAtTheWorkingDirectory() {
        #expect(Self.join("b/c", cwd: "a") == (5, "a/b/c", true))
        #expect(Self.join("../x", cwd: "a/b").path == "a/x")
        #expect(Self.join("./x/", cwd: "a").path == "a/x")
        #expect(Self.join("..", cwd: "").path == "")                 // cwd is the root
        #expect(Self.join("../../..", cwd: "a").path == "")
        #expect(Self.join("x", cwd: "").path == "x")
    }

    @Test func absolutePathsIgnoreTheWorkingDirectory() {
        let r = Self.join("/etc//passwd", cwd: "home/user")
        #expect(r == (10, "etc/passwd", false))
    }

    @Test func emptyPathIsENOENT() {
        let r = Self.join("", cwd: "a")
        #expect(r.result == -Errno.ENOENT)
        #expect(r.result == -2)
        #expect(!r.askedBase)                                         // before dirfd is looked at, as Linux
    }

    @Test func onlyRelativePathsNeedABase() {
        #expect(Self.join("x", cwd: "a").askedBase)
        #expect(Self.join("./x", cwd: "a").askedBase)
        #expect(!Self.join("/x", cwd: "a").askedBase)
        #expect(!Self.join("", cwd: "a").askedBase)
    }

    static func tail(_ path: String) -> Path.Tail {
        let src = Array(path.utf8)
        return src.withUnsafeBufferPointer { b in
            b.baseAddress.map { Path.tail($0, src.count) } ?? Path.tail(UnsafePointer(bitPattern: 1)!, 0)
        }
    }

    /// How a path ends, which normalizing drops (fs/namei.c: the last
    /// component's type and a slash after the last name).
    static let tails: [(String, Path.Tail)] = [
        ("a", .name), ("/a/b", .name), ("a/./b", .name), ("a/../b", .name), ("", .name),
        ("a.", .name), ("a..", .name), (".a", .name), ("...", .name), ("/x/a.", .name),   // names with dots
        ("a/", .slash), ("a//", .slash), ("/a/b/", .slash), ("/a/.b/", .slash), (".../", .slash),
        ("a../", .slash), ("a.b/", .slash),
        (".", .dot), ("a/.", .dot), ("/a/b/.", .dot), ("a/./", .dot), ("a/.//", .dot), ("./", .dot),
        ("..", .dotDot), ("a/..", .dotDot), ("../", .dotDot), ("/a/b/..//", .dotDot),
        ("/", .root), ("//", .root), ("///", .root),
    ]

    @Test(arguments: tails)
    func tailOfAPath(_ path: String, _ expected: Path.Tail) {
        #expect(Self.tail(path) == expected)
    }

    /// Only a path ending in a name may name a non-directory; the others keep
    /// what normalizing drops ("a/b/" and "a/b/." both normalize to "a/b").
    @Test func normalizingDropsWhatTheTailKeeps() {
        #expect(Self.normalize("/a/b/") == Self.normalize("/a/b"))
        #expect(Self.normalize("/a/b/.") == Self.normalize("/a/b"))
        #expect(Self.tail("/a/b/") == .slash && Self.tail("/a/b") == .name)
        #expect(!Path.Tail.slash.isDots && !Path.Tail.name.isDots)
        #expect(Path.Tail.dot.isDots && Path.Tail.dotDot.isDots && Path.Tail.root.isDots)
    }

    /// The fast check (`tail` inlined in the kernel) and the slow one agree
    /// on every path that ends in "." or "/".
    @Test func slowPathAgreesWithTheFastCheck() {
        for (path, tail) in Self.tails where path.hasSuffix(".") || path.hasSuffix("/") {
            let src = Array(path.utf8)
            #expect(src.withUnsafeBufferPointer { Path.dotOrSlashTail($0.baseAddress!, src.count) } == tail, "\(path)")
        }
    }

    /// A trailing slash follows a final symbolic link for lookups (also
    /// lstat, readlink, O_NOFOLLOW: `.slash`), not for O_CREAT or the calls
    /// that create or remove a name; "x/." and "x/.." always follow x.
    @Test func whatIsFollowedAtTheEnd() {
        let lookup = Path.Follow.lookup, lstat = Path.Follow.slash
        let creat = Path.Follow.link, remove: Path.Follow = []
        #expect(lookup.at(.name) == lookup && lstat.at(.name) == lstat && remove.at(.name) == remove)
        #expect(lstat.at(.slash).contains(.link))             // lstat("link/") follows the link
        #expect(lookup.at(.slash) == lookup)
        #expect(!creat.at(.slash).contains(.link))            // open("link/", O_CREAT): EISDIR, link untouched
        #expect(remove.at(.slash) == remove)                   // unlink("link/"): the link itself, ENOTDIR
        for tail in [Path.Tail.dot, .dotDot, .root] {
            for f in [lookup, lstat, creat, remove] { #expect(f.at(tail).contains(.link)) }
            #expect(remove.at(tail) == .link && lookup.at(tail) == lookup)
        }
    }

    /// A path of exactly `length` bytes made of components of at most 254
    /// bytes (under NAME_MAX), never ending in a slash.
    static func longPath(_ length: Int, _ c: Character) -> String {
        var s = ""
        while s.count < length {
            if !s.isEmpty { s += "/" }
            s += String(repeating: c, count: min(Path.nameMax - 1, length - s.count))
        }
        precondition(s.count == length && !s.hasSuffix("/"))
        return s
    }

    @Test func overlongBaseDirectoryIsENAMETOOLONG() {
        let atLimit = Self.longPath(Path.max, "d")
        #expect(atLimit.count == Path.max)
        #expect(Path.max == 4096)
        #expect(Self.join("x", cwd: atLimit).path == atLimit + "/x")
        #expect(Self.join("x", cwd: atLimit + "d").result == -Errno.ENAMETOOLONG)
        #expect(Self.join("x", cwd: atLimit + "d").result == -36)
    }

    @Test func longestPathsFitTheBuffers() {
        // A user path of up to Path.max bytes joined to a base of Path.max bytes.
        let base = Self.longPath(Path.max, "b")
        let path = Self.longPath(Path.max, "p")
        let r = Self.join(path, cwd: base)
        #expect(r.result == Int64(2 * Path.max + 1))
        #expect(r.path == base + "/" + path)
    }

    /// Linux refuses a component longer than NAME_MAX (255) with ENAMETOOLONG,
    /// also when a later ".." would remove it, and in the base directory too.
    @Test func componentLongerThanNameMax() {
        let longest = String(repeating: "n", count: Path.nameMax)
        #expect(Self.join("/" + longest, cwd: "").path == longest)
        #expect(Self.join("/" + longest + "n", cwd: "").result == -Errno.ENAMETOOLONG)
        #expect(Self.join("a/" + longest + "n/..", cwd: "").result == -Errno.ENAMETOOLONG)
        #expect(Self.join("x", cwd: longest + "n").result == -Errno.ENAMETOOLONG)
        #expect(Self.join(longest + "n", cwd: "a").result == -36)
    }
}

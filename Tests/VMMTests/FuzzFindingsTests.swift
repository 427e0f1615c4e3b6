import Testing
@testable import VMM

/// What the fuzz targets (Tests/Fuzz, README there) found, one test per
/// finding, each the input of the crash or failed check, so it stays fixed.
@Suite struct FuzzFindingsTests {
    /// The kernel's reading of a command line (CommandLine.swift, compiled
    /// here through KernelShared/): program 0's path and argv words.
    static func kernelReads(_ line: String) -> (path: [UInt8], args: [[UInt8]], programs: Int) {
        let bytes = Array(line.utf8)
        let c = bytes.withUnsafeBufferPointer { BootCommandLine($0.baseAddress!, $0.count) }
        let (p, n) = c.path(0)
        let args = c.arguments(0).map { Array(UnsafeBufferPointer(start: c.args.ptrs[$0], count: c.args.lens[$0])) }
        return (Array(UnsafeBufferPointer(start: p, count: n)), args, c.programCount)
    }

    /// cmdline target (found by the fuzzer): an argument whose space a combining mark joins
    /// into one Character (" \u{301}") was not quoted, and the kernel split it.
    @Test func anArgumentWithACombiningMarkAfterASpaceStaysOneArgument() throws {
        for argument in ["a \u{301}b", " \u{74a}", "\u{301} ", ";\u{301}"] {
            let line = try KernelCommandLine.forInit("/init", arguments: [argument])
            let r = Self.kernelReads(line)
            #expect(r.args == [Array(argument.utf8)], "\(line)")
            #expect(r.path == Array("/init".utf8) && r.programs == 1)
        }
    }

    /// The kernel's view of an archive the VMM wrote: names in order.
    static func kernelNames(_ archive: CPIOArchive) -> [String] {
        let bytes = archive.encode()
        return bytes.withUnsafeBufferPointer { p in
            var names: [String] = []
            CpioArchive(base: p.baseAddress!, size: p.count).forEach { e in
                names.append(String(decoding: UnsafeBufferPointer(start: e.name, count: e.nameLength), as: UTF8.self))
                return true
            }
            return names
        }
    }

    /// initramfs target's properties: a file named TRAILER!!! ended the archive for
    /// the kernel (as for Linux): everything added after it was lost.
    @Test func aFileNamedLikeTheTrailerIsRefused() throws {
        var a = CPIOArchive()
        #expect(throws: CPIOArchive.Error.badPath("/TRAILER!!!")) {
            try a.add("/TRAILER!!!", .file([1]), permissions: 0o644)
        }
        try a.add("/dir/TRAILER!!!", .file([1]), permissions: 0o644)   // only the top-level name ends an archive
        try a.add("/b", .file([2]), permissions: 0o644)
        #expect(Self.kernelNames(a) == ["dir", "dir/TRAILER!!!", "b"])
    }

    /// initramfs target's properties: making an implied directory explicit kept the
    /// permissions' high bits, so /a became mode 0140755 (a socket).
    @Test func anImpliedDirectoryMadeExplicitKeepsItsType() throws {
        var a = CPIOArchive()
        try a.add("/a/b", .file([1]), permissions: 0o755)
        try a.add("/a", .directory, permissions: 0o100755)
        #expect(a.entries[0].permissions == 0o755)
        #expect(readNewc(a.encode()).first?.mode == 0o040755)
    }

    /// initramfs target's properties: an entry under a file or symlink was written,
    /// which Linux cannot unpack (ENOTDIR) and the kernel's tree cannot hold.
    @Test func anEntryUnderAFileOrSymlinkIsRefused() throws {
        var a = CPIOArchive()
        try a.add("/a", .file([1]), permissions: 0o755)
        try a.add("/l", .symlink(target: "a"), permissions: 0o777)
        #expect(throws: CPIOArchive.Error.parentNotDirectory(path: "/a/b", parent: "/a")) {
            try a.add("/a/b", .file([2]), permissions: 0o644)
        }
        #expect(throws: CPIOArchive.Error.parentNotDirectory(path: "/l/x/y", parent: "/l")) {
            try a.add("/l/x/y", .directory, permissions: 0o755)
        }
        #expect(a.entries.map(\.path) == ["a", "l"])
    }

    /// Paths are bytes to the kernel: "\u{e9}" and "e\u{301}" are two names
    /// (Swift's String == says they are equal), and "/" followed by a
    /// combining mark is still a separator.
    @Test func pathsAreComparedAndSplitAsBytes() throws {
        var a = CPIOArchive()
        try a.add("/e\u{301}", .directory, permissions: 0o755)
        try a.add("/\u{e9}/x", .file([1]), permissions: 0o644)
        try a.add("/d/\u{301}f", .file([2]), permissions: 0o644)
        #expect(Self.kernelNames(a).map { Array($0.utf8) }
                == ["e\u{301}", "\u{e9}", "\u{e9}/x", "d", "d/\u{301}f"].map { Array($0.utf8) })
    }
}

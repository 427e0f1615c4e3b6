import Foundation
import Testing
@testable import VMM

/// --rootfs's walk (Initramfs/HostTree.swift) and the newc owner fields,
/// without a guest.
@Suite struct RootfsPackingTests {
    @Test func treeEntriesKeepModesOwnersMtimesAndLinks() throws {
        let root = TestGuests.directory.appendingPathComponent("pack-tree")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("b/c"), withIntermediateDirectories: true)
        let file = root.appendingPathComponent("b/f").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("xy".utf8)))
        #expect(chown(file, 5, 6) == 0 && chmod(file, 0o4711) == 0)   // chown clears set-user-ID
        var times = [timespec(tv_sec: 1_234_567_890, tv_nsec: 0), timespec(tv_sec: 1_234_567_890, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, file, &times, 0) == 0)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("a").path, withDestinationPath: "b/f")
        var archive = CPIOArchive()
        var budget: UInt64 = 1 << 20
        try HostTree.add(root.path, to: &archive, budget: &budget)
        #expect(archive.entries.map(\.path) == ["a", "b", "b/c", "b/f"])          // sorted, parents first
        #expect(archive.entries[0].kind == .symlink(target: "b/f"))
        let f = archive.entries[3]
        #expect(f.kind == .file(Array("xy".utf8)) && f.permissions == 0o4711)
        #expect(f.owner == CPIOArchive.Owner(uid: 5, gid: 6, mtime: 1_234_567_890))
        #expect(budget == (1 << 20) - 2)
        // The header carries them: c_uid, c_gid, c_mtime are fields 2, 3, 5.
        let bytes = archive.encode(pageAlignFiles: false)
        let text = String(decoding: bytes, as: UTF8.self)
        let header: String = ["070701", "00000004", "000089c9", "00000005", "00000006", "00000001", "499602d2"].joined()
        #expect(text.contains(header))
    }

    @Test func deviceNumbersDecodeAsGlibcDoes() {
        #expect(HostTree.deviceNumbers(0x0108) == (1, 8))
        #expect(HostTree.deviceNumbers(0x0500) == (5, 0))
        // major 259, minor 300: (minor & 0xff) | major << 8 | (minor & ~0xff) << 12
        let minor: UInt64 = 300, major: UInt64 = 259
        let dev = minor & 0xff | major << 8 | (minor & ~0xff) << 12
        #expect(HostTree.deviceNumbers(dev) == (259, 300))
    }

    @Test func budgetBoundsTheTree() throws {
        let root = TestGuests.directory.appendingPathComponent("pack-budget")
        try? FileManager.default.removeItem(at: root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: root.appendingPathComponent("f").path, contents: Data(count: 100)))
        var archive = CPIOArchive()
        var budget: UInt64 = 99
        #expect(throws: HostTree.Failure.self) { try HostTree.add(root.path, to: &archive, budget: &budget) }
    }
}

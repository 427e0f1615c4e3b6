import Foundation
import Testing
@testable import VMM

/// Reads a newc archive back (independently of the writer's code).
func readNewc(_ bytes: [UInt8]) -> [(name: String, mode: UInt32, data: [UInt8], rdev: (UInt32, UInt32))] {
    var out: [(String, UInt32, [UInt8], (UInt32, UInt32))] = []
    var at = 0
    func field(_ i: Int) -> UInt32 { UInt32(String(decoding: bytes[(at + 6 + i * 8)..<(at + 14 + i * 8)], as: UTF8.self), radix: 16)! }
    while at + 110 <= bytes.count {
        #expect(String(decoding: bytes[at..<at + 6], as: UTF8.self) == "070701")
        let mode = field(1), size = Int(field(6)), nameSize = Int(field(11))
        let nameField = bytes[(at + 110)..<(at + 110 + nameSize - 1)]
        let name = String(decoding: nameField.prefix { $0 != 0 }, as: UTF8.self)
        var data = (at + 110 + nameSize + 3) & ~3
        if name == "TRAILER!!!" { break }
        out.append((name, mode, Array(bytes[data..<data + size]), (field(9), field(10))))
        if size > 0 && mode & 0o170000 == 0o100000 { #expect(data % 4096 == 0, "\(name) data at \(data)") }
        data = (data + size + 3) & ~3
        at = data
    }
    return out
}

@Suite struct CPIOArchiveTests {
    @Test func writesNewcWithParentsFirst() throws {
        var a = CPIOArchive()
        try a.add("/init", .file(Array("#!hello".utf8)), permissions: 0o755)
        try a.add("/dev/null", .characterDevice(major: 1, minor: 3), permissions: 0o666)
        try a.add("tmp", .directory, permissions: 0o1777)
        try a.add("/usr/bin/sh", .symlink(target: "busybox"), permissions: 0o777)
        let bytes = a.encode()
        #expect(bytes.count % 4 == 0)
        let entries = readNewc(bytes)
        #expect(entries.map(\.name) == ["init", "dev", "dev/null", "tmp", "usr", "usr/bin", "usr/bin/sh"])
        #expect(entries[0].mode == 0o100755 && entries[0].data == Array("#!hello".utf8))
        #expect(entries[2].mode == 0o020666 && entries[2].rdev == (1, 3))
        #expect(entries[3].mode == 0o041777)
        #expect(entries[6].mode == 0o120777 && entries[6].data == Array("busybox".utf8))
    }

    @Test func rejectsBadAndDuplicatePaths() throws {
        var a = CPIOArchive()
        try a.add("/bin/x", .file([]), permissions: 0o755)
        #expect(throws: CPIOArchive.Error.duplicate("/bin/x")) { try a.add("bin//x/", .file([1]), permissions: 0o644) }
        try a.add("/bin", .directory, permissions: 0o700)        // an implied directory made explicit
        #expect(a.entries.first?.permissions == 0o700)
        for bad in ["", "/", "/a/../b", "./x", "a\0b"] {
            #expect(throws: CPIOArchive.Error.badPath(bad)) { try a.add(bad, .directory, permissions: 0o755) }
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/cpio"), "cpio(1) is not installed"))
    func gnuCpioListsIt() throws {
        var a = CPIOArchive()
        try a.add("/init", .file([1, 2, 3]), permissions: 0o755)
        try a.add("/etc/motd", .file(Array("hi\n".utf8)), permissions: 0o644)
        let f = try TestGuests.file("t.cpio", a.encode())
        let r = try Run.program(URL(fileURLWithPath: "/bin/sh"), ["-c", "cpio -it < '\(f.path)'"])
        #expect(r.stdout == "init\netc\netc/motd\n")
    }
}

@Suite struct KernelCommandLineTests {
    @Test func passesArgumentsAfterDashes() throws {
        #expect(try KernelCommandLine.forInit("/init", arguments: []) == "init=/init")
        #expect(try KernelCommandLine.forInit("/init", arguments: ["a", "b c", "", "x=y"], extra: "quiet")
                == #"init=/init quiet -- a "b c" "" x=y"#)
        // A standalone ";" would end a program of the kernel's run list: quoted.
        #expect(try KernelCommandLine.forInit("/init", arguments: [";", "a;", "--"]) == #"init=/init -- ";" a; --"#)
        #expect(throws: KernelCommandLine.Unrepresentable(argument: #"say "hi""#)) {
            try KernelCommandLine.forInit("/init", arguments: [#"say "hi""#])
        }
        #expect(throws: KernelCommandLine.Unrepresentable(argument: "a\nb")) {
            try KernelCommandLine.forInit("/init", arguments: ["a\nb"])
        }
    }
}

@Suite struct RunInitramfsTests {
    @Test func holdsInitDevicesTmpAndAdditions() throws {
        let add = try Initramfs.Addition(parsing: "/host/data.txt:/etc/data.txt")
        #expect(add.hostPath == "/host/data.txt" && add.guestPath == "/etc/data.txt")
        let entries = readNewc(try Initramfs.build(program: [0x7f, 0x45], additions: [(add, Array("x".utf8))]))
        #expect(entries.first?.name == "init" && entries.first?.mode == 0o100755)
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["dev/null"].map { $0.rdev == (1, 3) } == true)
        #expect(byName["dev/console"].map { $0.rdev == (5, 1) } == true)
        #expect(byName["tmp"]?.mode == 0o041777)
        #expect(byName["etc/data.txt"]?.data == Array("x".utf8))
    }

    @Test func rejectsMalformedAdditions() {
        for bad in ["nocolon", ":/guest", "/host:"] {
            #expect(throws: CPIOArchive.Error.self) { try Initramfs.Addition(parsing: bad) }
        }
    }
}

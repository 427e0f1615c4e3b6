/// `--busybox PATH`: a static BusyBox at /bin/busybox and, as
/// `busybox --install -s` makes them, a symbolic link to it for every applet
/// at the path the binary itself names (`busybox --list-full`: "bin/ls",
/// "usr/bin/awk"...). The host runs the binary once to ask; a path the image
/// already has is left alone (--install does not replace files either).
struct BusyBox {
    static let guestPath = "/bin/busybox"
    /// More applets than any BusyBox build has (1.36: ~400): a longer
    /// answer is not a BusyBox's.
    static let maxApplets = 2000

    let bytes: [UInt8]
    let applets: [String]

    struct Failure: Error, Equatable, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "--busybox \(path): \(reason)" }
    }

    /// Reads `path` (up to `limit` bytes) and asks it for its applets.
    init(path: String, limit: UInt64) throws {
        bytes = try ImageFile.readAll(path: path, limit: limit)
        if let why = StaticELF.problem(bytes) { throw Failure(path: path, reason: why) }
        let listing: (output: String, status: Int32)
        do { listing = try HostRunner.run(path, ["--list-full"]) } catch { throw Failure(path: path, reason: "\(error)") }
        let lines = listing.output.split(separator: "\n").map(String.init)
        guard listing.status == 0, !lines.isEmpty, lines.count <= Self.maxApplets,
              lines.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("/") && !$0.split(separator: "/").contains("..") }) else {
            throw Failure(path: path, reason: "`busybox --list-full` did not list applets: not a BusyBox?")
        }
        applets = lines
    }

    /// Adds the binary and the links that do not collide with what is there.
    func add(to archive: inout CPIOArchive, owner: CPIOArchive.Owner) throws {
        if !archive.contains(Self.guestPath) {
            try archive.add(Self.guestPath, .file(bytes), permissions: 0o755, owner: owner)
        }
        for applet in applets where !archive.contains(applet) {
            try archive.add(applet, .symlink(target: Self.guestPath), permissions: 0o777, owner: owner)
        }
    }
}

/// Whether an ELF is one the built-in kernel runs: ELF64 x86_64 with no
/// PT_INTERP (the kernel refuses dynamic programs).
enum StaticELF {
    /// nil when it is, else why not (one phrase).
    static func problem(_ b: [UInt8]) -> String? {
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func u64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * UInt64($1)) } }
        guard b.count >= 64, b[0] == 0x7f, b[1] == 0x45, b[2] == 0x4c, b[3] == 0x46 else { return "not an ELF file" }
        guard b[4] == 2, b[5] == 1, u16(18) == 62 else { return "not an ELF64 x86_64 program" }
        let phoff = u64(32), phentsize = u16(54), phnum = u16(56)
        guard phentsize == 56, phoff <= UInt64(b.count),
              UInt64(phnum) * 56 <= UInt64(b.count) - phoff else { return "truncated program headers" }
        for i in 0..<phnum where u32(Int(phoff) + 56 * i) == 3 {         // p_type PT_INTERP
            return "dynamically linked (PT_INTERP): the guest runs only static programs (Debian: busybox-static)"
        }
        return nil
    }
}

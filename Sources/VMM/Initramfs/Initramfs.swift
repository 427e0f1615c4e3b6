/// The initramfs `vmm run` hands the built-in kernel: the program as /init,
/// the device nodes Linux's own initramfs would have, /tmp, a host tree
/// (--rootfs), the host files the user adds, and BusyBox (--busybox).
enum Initramfs {
    /// Linux character device numbers (Documentation/admin-guide/devices.txt).
    static let devices: [(String, UInt32, UInt32, UInt32)] = [
        ("dev/null", 1, 3, 0o666), ("dev/zero", 1, 5, 0o666), ("dev/random", 1, 8, 0o666),
        ("dev/urandom", 1, 9, 0o666), ("dev/tty", 5, 0, 0o666), ("dev/console", 5, 1, 0o600),
    ]

    /// A host file or directory to copy into the image.
    struct Addition: Equatable {
        let hostPath: String
        let guestPath: String

        /// Parses "HOST_PATH:GUEST_PATH".
        init(parsing text: String) throws {
            guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
                  text.index(after: colon) != text.endIndex else {
                throw CPIOArchive.Error.badPath("\(text) (expected HOST_PATH:GUEST_PATH)")
            }
            hostPath = String(text[..<colon])
            guestPath = String(text[text.index(after: colon)...])
        }
    }

    static let initPath = "/init"

    /// `mtime` is the time of the entries vmm makes up (as gen_init_cpio
    /// stamps its own with the build's time); `budget` bounds the bytes a
    /// `tree` may add.
    static func build(program: [UInt8], additions: [(Addition, [UInt8])], tree: String? = nil,
                      budget: UInt64 = .max, busybox: BusyBox? = nil, mtime: UInt32 = 0,
                      programPath: String? = nil) throws -> [UInt8] {
        var archive = CPIOArchive()
        archive.impliedMtime = mtime
        try archive.add(initPath, .file(program), permissions: 0o755)
        try archive.add("/dev", .directory, permissions: 0o755)
        for (path, major, minor, mode) in devices {
            try archive.add(path, .characterDevice(major: major, minor: minor), permissions: mode)
        }
        try archive.add("/tmp", .directory, permissions: 0o1777)
        if let tree {
            var left = budget
            try HostTree.add(tree, to: &archive, budget: &left)
        }
        for (addition, bytes) in additions {
            try archive.add(addition.guestPath, .file(bytes), permissions: 0o755)
        }
        try busybox?.add(to: &archive, owner: CPIOArchive.Owner(mtime: mtime))
        // PROGRAM's own path (its argv[0]) names it in the guest too, as on the
        // host: a program that re-executes argv[0] finds itself. Not where the
        // image has something, nor for a path the archive cannot hold ("..").
        if let path = programPath, !archive.contains(path), (try? CPIOArchive.normalize(path)) != nil {
            try? archive.add(path, .symlink(target: initPath), permissions: 0o777, owner: CPIOArchive.Owner(mtime: mtime))
        }
        return archive.encode()
    }
}

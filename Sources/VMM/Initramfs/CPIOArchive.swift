/// A cpio archive in the "newc" format (SVR4 portable ASCII, magic 070701),
/// the format of Linux initramfs images (Linux
/// Documentation/driver-api/early-userspace/buffer-format.rst). Built in
/// memory and handed to the guest as its initrd.
struct CPIOArchive {
    enum EntryKind: Equatable {
        case directory
        case file([UInt8])
        case symlink(target: String)
        /// A character device node, by Linux major:minor (e.g. 1:3 /dev/null).
        case characterDevice(major: UInt32, minor: UInt32)
    }

    struct Entry: Equatable {
        var path: String           // without the leading "/"
        var kind: EntryKind
        var permissions: UInt32    // the low 12 bits of st_mode
        var owner = Owner()
    }

    /// An entry's c_uid, c_gid and c_mtime (seconds; newc has no nanoseconds).
    struct Owner: Equatable {
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        var mtime: UInt32 = 0
    }

    /// The mtime of directories `add` creates for a path's missing parents.
    var impliedMtime: UInt32 = 0

    enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case badPath(String)
        case duplicate(String)
        case tooLarge(String)
        case parentNotDirectory(path: String, parent: String)

        var description: String {
            switch self {
            case .badPath(let p): return "invalid path in the initramfs: '\(p)'"
            case .parentNotDirectory(let p, let parent):
                return "'\(p)' cannot be added to the initramfs: '\(parent)' is not a directory"
            case .duplicate(let p): return "'\(p)' is added to the initramfs twice"
            case .tooLarge(let p): return "'\(p)' is too large for a cpio newc archive (4 GiB)"
            }
        }
    }

    private(set) var entries: [Entry] = []
    /// Where each path (its bytes) is in `entries`: one lookup per add, not
    /// a scan (n adds were O(n^2)).
    private var position: [[UInt8]: Int] = [:]

    static let trailer = "TRAILER!!!"

    /// Adds an entry, and any missing parent directories (mode 0755) first.
    /// Paths are compared as bytes, as the kernel compares them (Swift's
    /// String == would call "\u{e9}" and "e\u{301}" the same path).
    mutating func add(_ path: String, _ kind: EntryKind, permissions: UInt32, owner: Owner? = nil) throws {
        let clean = try Self.normalize(path)
        var prefix = ""
        for component in Self.components(clean).dropLast() {
            prefix += prefix.isEmpty ? component : "/" + component
            if let i = position[Array(prefix.utf8)] {
                // Linux unpacks in order: a child of a file or symlink cannot be created.
                guard entries[i].kind == .directory else { throw Error.parentNotDirectory(path: "/" + clean, parent: "/" + prefix) }
            } else {
                position[Array(prefix.utf8)] = entries.count
                entries.append(Entry(path: prefix, kind: .directory, permissions: 0o755, owner: Owner(mtime: impliedMtime)))
            }
        }
        if let existing = position[Array(clean.utf8)] {
            // An implied directory may be made explicit; anything else twice is an error.
            guard entries[existing].kind == .directory, kind == .directory else { throw Error.duplicate("/" + clean) }
            entries[existing].permissions = permissions & 0o7777
            if let o = owner { entries[existing].owner = o }
            return
        }
        if case .file(let bytes) = kind, bytes.count > Int(UInt32.max) { throw Error.tooLarge("/" + clean) }
        position[Array(clean.utf8)] = entries.count
        entries.append(Entry(path: clean, kind: kind, permissions: permissions & 0o7777,
                             owner: owner ?? Owner(mtime: impliedMtime)))
    }

    /// Whether `path` (normalized as `add` does) is already in the archive.
    func contains(_ path: String) -> Bool {
        guard let clean = try? Self.normalize(path) else { return false }
        return position[Array(clean.utf8)] != nil
    }

    /// "/a//b/" -> "a/b"; rejects empty paths, ".", "..", NUL, and the
    /// trailer's name (a reader stops there: nothing after it would exist).
    static func normalize(_ path: String) throws -> String {
        let parts = components(path)
        guard !parts.isEmpty, !path.utf8.contains(0), !parts.contains(where: { $0 == "." || $0 == ".." }) else {
            throw Error.badPath(path)
        }
        let clean = parts.joined(separator: "/")
        guard !clean.utf8.elementsEqual(trailer.utf8) else { throw Error.badPath(path) }
        return clean
    }

    /// The non-empty components between "/" bytes (not Characters: "/\u{301}"
    /// is one Character but still a separator to the kernel).
    private static func components(_ path: String) -> [String] {
        path.utf8.split(separator: 0x2f).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The archive's bytes: each entry a 110-byte header, the NUL-terminated
    /// name padded to 4 bytes, the data padded to 4 bytes; then the trailer.
    ///
    /// With `pageAlignFiles`, a regular file's name is padded with more NULs
    /// (counted in its namesize, as Linux's parser allows: the name ends at
    /// the first NUL) so that its data starts on a 4 KiB boundary of the
    /// archive. The initrd is loaded page-aligned, so the guest kernel can map
    /// a program's pages in place instead of copying them in ring 0.
    func encode(pageAlignFiles: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.reduce(512) { size, e in
            if case .file(let b) = e.kind { return size + 128 + e.path.utf8.count + b.count }
            return size + 128 + e.path.utf8.count
        })
        var inode: UInt32 = 1
        for e in entries {
            var mode = e.permissions
            var data: [UInt8] = []
            var rdev: (UInt32, UInt32) = (0, 0)
            var links: UInt32 = 1
            switch e.kind {
            case .directory: mode |= 0o040000; links = 2
            case .file(let bytes): mode |= 0o100000; data = bytes
            case .symlink(let target): mode |= 0o120000; data = Array(target.utf8)
            case .characterDevice(let major, let minor): mode |= 0o020000; rdev = (major, minor)
            }
            var namePadding = 0
            if pageAlignFiles, case .file = e.kind, !data.isEmpty {
                let unpadded = out.count + 110 + e.path.utf8.count + 1
                namePadding = (4096 - unpadded % 4096) % 4096
            }
            Self.appendHeader(&out, inode: inode, mode: mode, owner: e.owner, links: links, size: UInt32(data.count),
                              rdev: rdev, name: e.path, padding: namePadding)
            out += data
            Self.pad(&out)
            inode += 1
        }
        Self.appendHeader(&out, inode: 0, mode: 0, owner: Owner(), links: 1, size: 0, rdev: (0, 0), name: Self.trailer, padding: 0)
        return out
    }

    private static func appendHeader(_ out: inout [UInt8], inode: UInt32, mode: UInt32, owner: Owner, links: UInt32,
                                     size: UInt32, rdev: (UInt32, UInt32), name: String, padding: Int) {
        let nameBytes = Array(name.utf8) + [UInt8](repeating: 0, count: 1 + padding)
        // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
        // devminor, rdevmajor, rdevminor, namesize, check: 8 hex digits each.
        let fields: [UInt32] = [inode, mode, owner.uid, owner.gid, links, owner.mtime, size, 0, 0, rdev.0, rdev.1,
                                UInt32(nameBytes.count), 0]
        out += Array("070701".utf8)
        for f in fields { out += Array(hex(f, 8).utf8) }
        out += nameBytes
        pad(&out)
    }

    private static func pad(_ out: inout [UInt8]) {
        while out.count % 4 != 0 { out.append(0) }
    }
}

import Glibc
import SystemPackage

/// `vmm run --rootfs DIR`: a host directory tree packed into the initramfs
/// as `find . | cpio -o -H newc` would (modes, owners, mtimes and symbolic
/// links as they are; hard links become copies). The walk never follows a
/// link inside the tree (lstat), so it ends; names are sorted, so the same
/// tree gives the same archive.
enum HostTree {
    /// Linux's limits (PATH_MAX, NAME_MAX) and one of this VMM: a tree is
    /// what fits in guest RAM (the caller's byte budget) and at most this
    /// many entries (the guest kernel indexes 3.3 million; the host walk and
    /// the archive are linear, but a mistaken --rootfs / should stop early).
    static let maxEntries = 200_000
    static let pathMax = 4095
    static let nameMax = 255

    struct Failure: Error, Equatable, CustomStringConvertible {
        let path: String
        let reason: String
        /// The tree itself cannot be opened (66, as a missing PROGRAM).
        var missing = false
        var description: String { "--rootfs: \(path): \(reason)" }
    }

    /// Adds every entry below `root` (not `root` itself, except its mode and
    /// times for "/") to `archive`; file bytes count against `budget`.
    static func add(_ root: String, to archive: inout CPIOArchive, budget: inout UInt64) throws {
        var st = stat()
        guard stat(root, &st) == 0 else { throw Failure(path: root, reason: "\(Errno.lastError)", missing: true) }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw Failure(path: root, reason: "not a directory") }
        var count = 0
        try walk(root, guestPrefix: "", archive: &archive, budget: &budget, count: &count)
    }

    private static func owner(_ st: stat) -> CPIOArchive.Owner {
        // newc's c_mtime is 32 bits: times before 1970 or after 2106 are clamped.
        CPIOArchive.Owner(uid: st.st_uid, gid: st.st_gid, mtime: UInt32(clamping: max(st.st_mtim.tv_sec, 0)))
    }

    private static func walk(_ dir: String, guestPrefix: String, archive: inout CPIOArchive,
                             budget: inout UInt64, count: inout Int) throws {
        for name in try names(in: dir) {
            let host = dir + "/" + name
            let guest = guestPrefix + "/" + name
            guard name.utf8.count <= nameMax else { throw Failure(path: host, reason: "name longer than \(nameMax) bytes") }
            guard guest.utf8.count <= pathMax else { throw Failure(path: host, reason: "path longer than \(pathMax) bytes in the guest") }
            count += 1
            guard count <= maxEntries else { throw Failure(path: host, reason: "more than \(maxEntries) entries in the tree") }
            var st = stat()
            guard lstat(host, &st) == 0 else { throw Failure(path: host, reason: "\(Errno.lastError)") }
            let permissions = UInt32(st.st_mode) & 0o7777
            let kind: CPIOArchive.EntryKind
            switch st.st_mode & S_IFMT {
            case S_IFDIR: kind = .directory
            case S_IFREG:
                guard UInt64(st.st_size) <= budget else {
                    throw Failure(path: host, reason: "the tree does not fit in guest RAM (use a larger --memory)")
                }
                let bytes: [UInt8]
                do { bytes = try ImageFile.readAll(path: host, limit: budget) } catch { throw Failure(path: host, reason: "\(error)") }
                budget -= UInt64(bytes.count)
                kind = .file(bytes)
            case S_IFLNK: kind = .symlink(target: try linkTarget(host))
            case S_IFCHR:
                let (major, minor) = deviceNumbers(UInt64(st.st_rdev))
                // The image's own /dev nodes are Linux's numbers: one the tree
                // has too is the same node.
                if archive.contains(guest), Initramfs.devices.contains(where: { "/" + $0.0 == guest && $0.1 == major && $0.2 == minor }) {
                    continue
                }
                kind = .characterDevice(major: major, minor: minor)
            case S_IFBLK: throw Failure(path: host, reason: "block devices cannot be packed into the initramfs")
            case S_IFIFO: throw Failure(path: host, reason: "FIFOs cannot be packed into the initramfs")
            default: throw Failure(path: host, reason: "sockets cannot be packed into the initramfs")
            }
            do {
                try archive.add(guest, kind, permissions: permissions, owner: owner(st))
            } catch let e as CPIOArchive.Error {
                throw Failure(path: host, reason: "\(e)")
            }
            if case .directory = kind {
                try walk(host, guestPrefix: guest, archive: &archive, budget: &budget, count: &count)
            }
        }
    }

    /// glibc's gnu_dev_major/gnu_dev_minor (<sys/sysmacros.h>, macros Swift cannot import).
    static func deviceNumbers(_ dev: UInt64) -> (UInt32, UInt32) {
        (UInt32(truncatingIfNeeded: (dev >> 8) & 0xfff | (dev >> 32) & ~0xfff),
         UInt32(truncatingIfNeeded: dev & 0xff | (dev >> 12) & ~0xff))
    }

    /// The names in `dir` but "." and "..", sorted bytewise.
    private static func names(in dir: String) throws -> [String] {
        guard let d = opendir(dir) else { throw Failure(path: dir, reason: "\(Errno.lastError)") }
        defer { closedir(d) }
        var out: [[UInt8]] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [0x2e] || name == [0x2e, 0x2e] { continue }
            // Paths are Strings here: a name that is not UTF-8 would change.
            guard String(validating: name, as: UTF8.self) != nil else {
                throw Failure(path: dir + "/" + String(decoding: name, as: UTF8.self), reason: "the name is not UTF-8")
            }
            out.append(name)
        }
        return out.sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
    }

    private static func linkTarget(_ path: String) throws -> String {
        var buf = [UInt8](repeating: 0, count: pathMax + 1)
        let n = buf.withUnsafeMutableBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { readlink(path, $0, b.count) }
        }
        guard n >= 0 else { throw Failure(path: path, reason: "\(Errno.lastError)") }
        guard n <= pathMax else { throw Failure(path: path, reason: "symbolic link target longer than \(pathMax) bytes") }
        guard let target = String(validating: buf[0..<n], as: UTF8.self) else {
            throw Failure(path: path, reason: "the symbolic link's target is not UTF-8")
        }
        return target
    }
}

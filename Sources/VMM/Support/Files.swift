import Glibc
import SystemPackage

/// Writes a whole file (created or truncated), mode 0644.
func writeFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw OutputFileError(path: path, errno: Errno.lastError) }
    defer { close(fd) }
    var t = text
    let ok = t.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
    guard ok else { throw OutputFileError(path: path, errno: Errno.lastError) }
}

/// An output file that cannot be written, found before the run.
struct OutputFileError: Error, CustomStringConvertible {
    let path: String
    let errno: Errno
    var description: String { "cannot write \(path): \(errno)" }
}

/// Checks, before a run, that `path` can be written at its end: opens it for
/// writing (creating it if absent, then removing it again so a failed run
/// leaves nothing behind). Existing contents are kept until the real write.
func checkWritable(_ path: String) throws {
    var st = stat()
    let existed = stat(path, &st) == 0
    if existed && (st.st_mode & S_IFMT) == S_IFDIR { throw OutputFileError(path: path, errno: .isDirectory) }
    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o644)
    guard fd >= 0 else { throw OutputFileError(path: path, errno: Errno.lastError) }
    close(fd)
    if !existed { unlink(path) }
}

/// The VMM's own resident memory beyond guest RAM, split as Firecracker's
/// memory-overhead test splits it: private (anonymous) memory the VMM
/// allocated, and file-backed pages (its code and libraries, shared through
/// the page cache with every other process mapping the same files).
/// From /proc/self/status (proc(5): RssAnon, RssFile, RssShmem) less the
/// guest RAM that is resident (mincore(2)).
struct VMMResidentMemory: Equatable {
    var privateBytes: UInt64
    var fileBytes: UInt64
    var totalBytes: UInt64 { privateBytes + fileBytes }

    static func measure(memory: GuestMemory) -> VMMResidentMemory? {
        guard let status = readTextFile("/proc/self/status") else { return nil }
        return parse(status: status, guestResident: memory.residentBytes())
    }

    static func parse(status: String, guestResident: UInt64) -> VMMResidentMemory? {
        var kb: [Substring: UInt64] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" })
            if parts.count >= 2, parts[0].hasPrefix("Rss"), let v = UInt64(parts[1]) { kb[parts[0]] = v }
        }
        guard let anon = kb["RssAnon"], let file = kb["RssFile"] else { return nil }
        let anonBytes = (anon + (kb["RssShmem"] ?? 0)) * 1024
        return VMMResidentMemory(privateBytes: anonBytes > guestResident ? anonBytes - guestResident : 0,
                                 fileBytes: file * 1024)
    }
}

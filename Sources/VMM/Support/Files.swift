import Glibc
import SystemPackage

/// Writes a whole file (created or truncated), mode 0644.
func writeFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw Errno.lastError }
    defer { close(fd) }
    var t = text
    let ok = t.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
    guard ok else { throw Errno.lastError }
}

/// The VMM's own resident memory: the process's RSS less the guest RAM that
/// is resident (statm(5) and mincore(2)).
enum VMMResidentMemory {
    static func beyondGuest(memory: GuestMemory) -> UInt64? {
        guard let statm = readTextFile("/proc/self/statm") else { return nil }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return nil }
        let rss = pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
        let guest = memory.residentBytes()
        return rss > guest ? rss - guest : 0
    }
}

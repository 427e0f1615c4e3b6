/// Writes a cpio "newc" archive (Linux's initramfs format,
/// Documentation/driver-api/early-userspace/buffer-format.rst) in memory.
struct CpioWriter {
    private(set) var bytes: [UInt8] = []
    private var inode: UInt32 = 1

    /// `pageAligned`: the name is padded with NULs so that the data starts at a
    /// multiple of 4096 in the archive (the guest kernel then maps it in place).
    mutating func addFile(_ name: String, _ data: [UInt8], mode: UInt32 = 0o100755, pageAligned: Bool = false) {
        add(name, data, mode: mode, pageAligned: pageAligned)
    }

    mutating func addDirectory(_ name: String) { add(name, [], mode: 0o040755) }

    /// A symbolic link: its data is the target.
    mutating func addSymlink(_ name: String, to target: String) { add(name, Array(target.utf8), mode: 0o120777) }

    /// Appends the trailer and returns the archive.
    mutating func finish() -> [UInt8] {
        add("TRAILER!!!", [], mode: 0)
        return bytes
    }

    private mutating func add(_ name: String, _ data: [UInt8], mode: UInt32, pageAligned: Bool = false) {
        var nameBytes = Array(name.utf8) + [0]
        if pageAligned {
            while (bytes.count + 110 + nameBytes.count) % 4096 != 0 { nameBytes.append(0) }
        }
        let fields: [UInt32] = [inode, mode, 0, 0, 1, 0, UInt32(data.count), 0, 0, 0, 0, UInt32(nameBytes.count), 0]
        inode += 1
        bytes += Array("070701".utf8)
        for f in fields {
            let hex = String(f, radix: 16, uppercase: true)
            bytes += Array((String(repeating: "0", count: 8 - hex.count) + hex).utf8)
        }
        bytes += nameBytes
        while bytes.count % 4 != 0 { bytes.append(0) }
        bytes += data
        while bytes.count % 4 != 0 { bytes.append(0) }
    }
}

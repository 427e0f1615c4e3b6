/// Where the guest's console bytes go.
protocol ConsoleSink: AnyObject {
    func write(_ byte: UInt8)
}

/// The VMM's stdout, unbuffered: each byte is written when the guest writes
/// it, so nothing is lost whatever happens to the guest or the VMM after.
/// (Each console byte is already a VM exit; one more write(2) is small.)
final class FileConsole: ConsoleSink {
    let fd: Int32
    init(fd: Int32 = 1) { self.fd = fd }
    func write(_ byte: UInt8) {
        var b = byte
        withUnsafeBytes(of: &b) { _ = writeAll(fd, $0) }
    }
}

/// Collects console bytes in memory (tests).
final class CapturedConsole: ConsoleSink {
    private(set) var bytes: [UInt8] = []
    func write(_ byte: UInt8) { bytes.append(byte) }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

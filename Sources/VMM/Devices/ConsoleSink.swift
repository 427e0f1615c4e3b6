import CKVM
import Glibc
import SystemPackage

/// Where the guest's console bytes go.
protocol ConsoleSink: AnyObject {
    /// Writes one byte; returns the error that makes further output
    /// impossible (the VM then stops: README, "Exit statuses", 74), else nil.
    func write(_ byte: UInt8) -> Errno?
}

/// The VMM's stdout, unbuffered: each byte is written when the guest writes
/// it, so nothing is lost whatever happens to the guest or the VMM after.
/// (Each console byte is already a VM exit; one more write(2) is small.)
/// A non-blocking stdout is waited on with poll(2) when full (EAGAIN), never
/// dropped; any other write error (EPIPE, ENOSPC, EBADF, EIO) is returned.
final class FileConsole: ConsoleSink {
    let fd: Int32
    /// stdout was already closed when the VMM started.
    private let closedAtStart: Bool

    init(fd: Int32 = 1) {
        self.fd = fd
        closedAtStart = fcntl(fd, F_GETFD) < 0
        // Keep the number taken so that /dev/kvm or a VM fd never lands on
        // it and receives the guest's output; writes still say EBADF.
        if closedAtStart { _ = open("/dev/null", O_WRONLY | O_CLOEXEC) }
    }

    func write(_ byte: UInt8) -> Errno? {
        if closedAtStart { return .badFileDescriptor }
        var b = byte
        while true {
            if Glibc.write(fd, &b, 1) == 1 { return nil }
            let e = errno
            if e == EINTR {
                if ckvm_kick_reason() != 0 { return nil }   // stopping anyway: the loop says why
                continue
            }
            guard e == EAGAIN || e == EWOULDBLOCK else { return Errno(rawValue: e) }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            while poll(&p, 1, -1) < 0 {
                guard errno == EINTR, ckvm_kick_reason() == 0 else { return errno == EINTR ? nil : Errno.lastError }
            }
        }
    }
}

/// Collects console bytes in memory (tests, the bench's guest runs).
final class CapturedConsole: ConsoleSink {
    private(set) var bytes: [UInt8] = []
    func write(_ byte: UInt8) -> Errno? { bytes.append(byte); return nil }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

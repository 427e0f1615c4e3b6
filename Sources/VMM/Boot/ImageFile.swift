import Glibc
import SystemPackage

/// Input files (kernel, initrd) and what can go wrong reading them.
enum ImageFileError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, Errno)
    case readFailed(path: String, Errno)
    case notRegularFile(path: String)
    case tooLarge(path: String, size: UInt64, limit: UInt64)

    var description: String {
        switch self {
        case .cannotOpen(let p, let e): return "cannot open \(p): \(e)"
        case .readFailed(let p, let e): return "cannot read \(p): \(e)"
        case .notRegularFile(let p): return "\(p) is not a regular file"
        case .tooLarge(let p, let s, let l): return "\(p) is \(s) bytes, more than the \(l) bytes allowed here"
        }
    }
}

/// A read-only input file.
struct ImageFile {
    let path: String
    let fd: Int32
    let size: UInt64

    init(path: String) throws {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
        // writer (fifo(7)); the type check below then refuses it. It means
        // nothing for the regular files that pass.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ImageFileError.cannotOpen(path: path, Errno.lastError) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { let e = Errno.lastError; Glibc.close(fd); throw ImageFileError.readFailed(path: path, e) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { Glibc.close(fd); throw ImageFileError.notRegularFile(path: path) }
        self.path = path
        self.fd = fd
        self.size = UInt64(st.st_size)
    }

    func close() { _ = Glibc.close(fd) }

    /// The whole file, up to `limit` bytes.
    func readAll(limit: UInt64) throws -> [UInt8] {
        guard size <= limit else { throw ImageFileError.tooLarge(path: path, size: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        try bytes.withUnsafeMutableBytes { try read(into: $0) }
        return bytes
    }

    /// Opens, reads and closes.
    static func readAll(path: String, limit: UInt64) throws -> [UInt8] {
        let f = try ImageFile(path: path)
        defer { f.close() }
        return try f.readAll(limit: limit)
    }

    /// Fills `buffer` from offset 0 (e.g. straight into guest RAM).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(done))
            if n < 0 { if errno == EINTR { continue }; throw ImageFileError.readFailed(path: path, Errno.lastError) }
            if n == 0 { throw ImageFileError.readFailed(path: path, .ioError) }   // shrank under us
            done += n
        }
    }
}

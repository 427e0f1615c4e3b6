import Glibc
import SystemPackage

/// The same static BusyBox on both sides of the workload benchmarks (issue
/// 13; Kevlar's blog 221: a 35x "regression" was the Linux side lacking
/// /bin/sh). The guest's initramfs gets it at /bin/busybox with its applet
/// links (BusyBox); the host side gets a directory of links to the same file
/// as its whole PATH, which bench.c searches first. Only the workload
/// benchmarks get either: ~270 more initramfs entries would lengthen every
/// other benchmark's path lookups, and their host side needs no PATH.
struct BenchBusyBox {
    static let workloads: Set<String> = ["exec_true", "exec_true_posix_spawn", "shell_noop", "pipe_grep",
                                         "sed_pipeline", "sort_uniq", "tar_extract"]
    static let defaultPath = "/bin/busybox"

    let path: String
    let files: BusyBox
    /// The host side's PATH: "busybox" and one link per applet name.
    let hostDirectory: String

    /// The BusyBox at `path`, checked (static, lists applets), and its host
    /// directory made.
    init(path: String) throws {
        self.path = path
        files = try BusyBox(path: path, limit: 1 << 30)
        var template = Array("/tmp/vmm-bench-busybox.XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BusyBox.Failure(path: path, reason: "mkdtemp: \(Errno.lastError)")
        }
        hostDirectory = String(cString: dir)
        let target = path.hasPrefix("/") ? path : Self.currentDirectory() + "/" + path
        for name in Set(["busybox"] + files.applets.map { String($0.split(separator: "/").last ?? "") }) where !name.isEmpty {
            guard symlink(target, hostDirectory + "/" + name) == 0 else {
                let e = Errno.lastError
                remove()
                throw BusyBox.Failure(path: path, reason: "symlink in \(hostDirectory): \(e)")
            }
        }
    }

    /// The default: /bin/busybox when it is there and static, else none.
    static func standard() -> BenchBusyBox? {
        guard access(defaultPath, X_OK) == 0 else { return nil }
        return try? BenchBusyBox(path: defaultPath)
    }

    func remove() {
        guard let d = opendir(hostDirectory) else { return }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { unlink(hostDirectory + "/" + name) }
        }
        closedir(d)
        rmdir(hostDirectory)
    }

    /// The host child's environment: this one with PATH the links alone.
    var hostEnvironment: [String] {
        var env: [String] = []
        var p = environ
        while let s = p.pointee {
            let v = String(cString: s)
            if !v.hasPrefix("PATH=") { env.append(v) }
            p += 1
        }
        return env + ["PATH=" + hostDirectory]
    }

    private static func currentDirectory() -> String {
        var buf = [CChar](repeating: 0, count: 4097)
        guard getcwd(&buf, buf.count) != nil else { return "." }
        return String(cString: buf)
    }
}

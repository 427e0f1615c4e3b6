import Foundation

/// A small C program (source in the test) compiled with the host's cc and
/// run, for tests that compare kernel code with the host's headers and
/// kernel. Compiled once per test process and source.
enum HostCProgram {
    private static let lock = NSLock()
    private static var built: [String: URL] = [:]

    static func run(_ name: String, source: String, arguments: [String] = []) throws -> ProcessResult {
        let exe: URL
        do {
            lock.lock(); defer { lock.unlock() }
            if let url = built[name] { exe = url } else {
                let src = TestGuests.directory.appendingPathComponent("\(name).c")
                try Data(source.utf8).write(to: src)
                let out = TestGuests.directory.appendingPathComponent("\(name)-host")
                let r = try Run.program(URL(fileURLWithPath: "/usr/bin/cc"), ["-O1", "-Wall", "-o", out.path, src.path])
                guard r.status == 0 else { throw GuestBuildError(name: name, output: r.stderr) }
                built[name] = out
                exe = out
            }
        }
        return try Run.program(exe, arguments)
    }

    /// Lines of "key value value ..." as [key: [values]] (numbers in C's %lld / %#llx forms).
    static func table(_ output: String) -> [String: [Int64]] {
        var t: [String: [Int64]] = [:]
        for line in output.split(separator: "\n") {
            let w = line.split(separator: " ")
            guard let k = w.first else { continue }
            t[String(k)] = w.dropFirst().compactMap { s in
                s.hasPrefix("0x") ? Int64(s.dropFirst(2), radix: 16) : Int64(s)
            }
        }
        return t
    }
}

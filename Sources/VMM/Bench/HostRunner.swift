import CKVM
import Glibc
import SystemPackage

/// Runs the benchmark binary natively and collects its stdout.
enum HostRunner {
    struct Failure: Error, CustomStringConvertible {
        let what: String
        var description: String { what }
    }

    /// Runs `path args`, returning stdout and the wait status. The child
    /// inherits the caller's CPU affinity (see `pinCurrentProcess`). A
    /// SIGINT/SIGTERM to vmm (UserInterrupt) kills and reaps the child within
    /// `pollMillis` and throws UserInterrupt.Stopped.
    /// `environment` replaces vmm's own (nil: vmm's).
    static func run(_ path: String, _ args: [String], environment: [String]? = nil,
                    pollMillis: Int32 = 100) throws -> (output: String, status: Int32) {
        try UserInterrupt.check()
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw Failure(what: "pipe: \(Errno.lastError)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        var envp = environment.map { $0.map { strdup($0) } + [nil] }
        defer { envp?.forEach { free($0) } }
        let r = envp == nil ? posix_spawn(&pid, path, &actions, nil, argv, environ)
            : posix_spawn(&pid, path, &actions, nil, argv, &envp!)
        close(fds[1])
        guard r == 0 else { close(fds[0]); throw Failure(what: "cannot run \(path): \(Errno(rawValue: r))") }
        defer { close(fds[0]) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // poll with a timeout, not a blocking read: a signal that lands
            // just before read(2) blocks would otherwise go unseen until the
            // child ends.
            if let s = UserInterrupt.signal {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                throw UserInterrupt.Stopped(signal: s)
            }
            var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, pollMillis) <= 0 { continue }   // timeout or EINTR: look at the flag again
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // A terminal's Ctrl-C reaches the child too: its early end is the interrupt's.
        try UserInterrupt.check()
        return (String(decoding: out, as: UTF8.self), status)
    }

    /// Pins this process (and so the vCPU thread and every child) to one CPU.
    static func pinCurrentProcess(to cpu: Int) throws {
        let r = ckvm_pin_to_cpu(Int32(clamping: cpu))
        guard r == 0 else { throw Failure(what: "--pin \(cpu): sched_setaffinity: \(Errno(rawValue: -r))") }
    }
}

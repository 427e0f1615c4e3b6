/// The guest kernel's own log lines (VMM_HC_LOG): to `sink` (vmm's stderr
/// under `vmm run` and `vmm boot`), never to the console, which is the
/// program's stdout and stays byte-exact. Remembers the signal that killed the
/// program, for "vmm: /init killed by SIGSEGV".
final class KernelLog {
    let sink: ConsoleSink?
    /// The last signal the kernel said killed the running program.
    private(set) var programKilledBy: Int32?
    /// Lines the run loop keeps for --exit-stats; beyond this only `count` grows.
    static let keptLines = 1000
    private(set) var count = 0

    init(sink: ConsoleSink?) { self.sink = sink }

    func line(_ bytes: [UInt8], killedBy signal: UInt64) {
        count += 1
        if (1...64).contains(signal) { programKilledBy = Int32(signal) }
        if let s = sink {
            for b in bytes where b != 0x0a { s.write(b) }   // one line per hypercall
            s.write(0x0a)
        }
    }
}

/// Counters of what exec cost and of 2 MiB page faults (all programs so
/// far), printed with `debug` on the command line.
enum BootStats {
    nonisolated(unsafe) static var hugePageFaults: UInt64 = 0
    nonisolated(unsafe) static var borrowedPages: UInt64 = 0
    nonisolated(unsafe) static var copiedBytes: UInt64 = 0
    nonisolated(unsafe) static var warmTouches: UInt64 = 0
}

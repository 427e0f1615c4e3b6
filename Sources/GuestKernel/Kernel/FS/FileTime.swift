/// A file time as Linux's inode keeps it (struct timespec64 i_atime, i_mtime,
/// i_ctime): seconds and nanoseconds since the Epoch, split once when the
/// time is set rather than at every stat(2) that reports it.
struct FileTime {
    var seconds: UInt64 = 0
    var nanoseconds: UInt64 = 0

    init() {}

    /// From ns since the Epoch (Clock.realtime()).
    init(_ ns: UInt64) {
        seconds = ns / 1_000_000_000
        nanoseconds = ns &- seconds &* 1_000_000_000
    }

    /// ns since the Epoch.
    var ns: UInt64 { seconds &* 1_000_000_000 &+ nanoseconds }
}

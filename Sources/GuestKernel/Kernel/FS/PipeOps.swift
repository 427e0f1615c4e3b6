/// The two ends of a pipe (pipe(7)); OpenFile.node is the Pipes index.
/// I/O is SysPipe's; readiness as pipe_poll (fs/pipe.c).
enum PipeReadOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 { SysPipe.read(p, f, buf, n) }
    /// Readable with bytes buffered; POLLHUP once no writer is left.
    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 {
        guard let t = Pipes.table else { return Poll.NVAL }
        let i = f.pointee.node
        var r: UInt32 = t[i].count > 0 ? Poll.IN | Poll.RDNORM : 0
        if t[i].writers <= 0 { r |= Poll.HUP }
        return r
    }
    static var canPoll: Bool { true }
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64 { PipeGeneration.fionread(p, f, cmd, arg) }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(mode: 0o010600) }     // S_IFIFO
    static func release(_ f: UnsafeMutablePointer<OpenFile>) { Pipes.close(f.pointee.node, writer: false) }
    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64 {
        SysPipe.channel(f.pointee.node, writer: false)
    }
    static func generation(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64? { PipeGeneration.get(f) }
    static func watch(_ f: UnsafeMutablePointer<OpenFile>, _ delta: Int32) { PipeGeneration.watch(f, delta) }
}

enum PipeWriteOps: FileOperations {
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 { SysPipe.write(p, f, buf, n) }
    /// Writable with room; POLLERR too once no reader is left.
    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 {
        guard let t = Pipes.table else { return Poll.NVAL }
        let i = f.pointee.node
        var r: UInt32 = t[i].count < Pipes.size ? Poll.OUT | Poll.WRNORM : 0
        if t[i].readers <= 0 { r |= Poll.ERR }
        return r
    }
    static var canPoll: Bool { true }
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64 { PipeGeneration.fionread(p, f, cmd, arg) }
    static func stat(_ f: OpenFile) -> FileStat { FileStat(mode: 0o010600) }
    static func release(_ f: UnsafeMutablePointer<OpenFile>) { Pipes.close(f.pointee.node, writer: true) }
    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64 {
        SysPipe.channel(f.pointee.node, writer: true)
    }
    static func generation(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64? { PipeGeneration.get(f) }
    static func watch(_ f: UnsafeMutablePointer<OpenFile>, _ delta: Int32) { PipeGeneration.watch(f, delta) }
}

enum PipeGeneration {
    /// pipe_ioctl: FIONREAD (either end) is the bytes buffered; others ENOTTY.
    static func fionread(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                         _ cmd: UInt64, _ arg: UInt64) -> Int64 {
        guard cmd & 0xffff_ffff == 0x541b, let t = Pipes.table else { return -Errno.ENOTTY }
        var n = Int32(t[f.pointee.node].count)
        return UserMemory.copyOut(p, to: arg, from: &n, count: 4) ? 0 : -Errno.EFAULT
    }
    /// nil while nobody watches (the generation is not kept then).
    static func get(_ f: UnsafeMutablePointer<OpenFile>) -> UInt64? {
        guard let t = Pipes.table, !SeedTechniques.generationOnlyWhenWatched || t[f.pointee.node].watchers > 0 else { return nil }
        return t[f.pointee.node].gen
    }
    static func watch(_ f: UnsafeMutablePointer<OpenFile>, _ delta: Int32) {
        Pipes.table?[f.pointee.node].watchers += delta
    }
}

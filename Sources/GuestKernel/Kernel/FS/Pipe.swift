/// Pipes (pipe(7)): a 64 KiB ring of frames per pipe, with reader and writer
/// counts kept by the open-file descriptions of its two ends; blocked readers
/// and writers sleep on the pipe's channels (SysPipe).
struct Pipe {
    var used = false
    var frames: UnsafeMutablePointer<UInt64>? = nil   // Pipe.pages frames, 0 until written
    var head = 0                                       // next byte to read
    var count = 0                                      // bytes buffered
    var readers: Int32 = 0
    var writers: Int32 = 0
    /// Readiness generation for epoll (ET edges, poll cache), moved by every
    /// read, write and close, but only while an epoll interest watches
    /// either end (watchers > 0): the seed's technique, so that pipes nobody
    /// watches pay one compare, not the counter.
    var gen: UInt64 = 0                                // FileOperations.generation's two halves
    var watchers: Int32 = 0
}

enum Pipes {
    static let capacity = 64
    static let pages = 16
    static let size = pages * 4096                     // Linux's default pipe capacity
    nonisolated(unsafe) static var table = UnsafeMutablePointer<Pipe>(bitPattern: 0)

    static func create() -> Int? {
        if table == nil { table = zeroedTable(of: Pipe.self, count: capacity) }
        guard let t = table else { return nil }
        for i in 0..<capacity where !t[i].used {
            let f = UnsafeMutablePointer<UInt64>.allocate(capacity: pages)
            f.initialize(repeating: 0, count: pages)
            t[i] = Pipe()
            t[i].used = true
            t[i].frames = f
            t[i].readers = 1
            t[i].writers = 1
            return i
        }
        return nil
    }

    /// One end's description went away.
    static func close(_ i: Int, writer: Bool) {
        guard let t = table, i >= 0, i < capacity, t[i].used else { return }
        if writer { t[i].writers -= 1 } else { t[i].readers -= 1 }
        changed(t, i, readers: true, writers: true)
        // Readers see EOF, writers EPIPE.
        Scheduler.wakeup(SysPipe.channel(i, writer: false))
        Scheduler.wakeup(SysPipe.channel(i, writer: true))
        guard t[i].readers <= 0 && t[i].writers <= 0 else { return }
        if let f = t[i].frames {
            for k in 0..<pages where f[k] != 0 { FrameAllocator.free(f[k]) }
            f.deallocate()
        }
        t[i] = Pipe()
    }

    @inline(__always)
    static func changed(_ t: UnsafeMutablePointer<Pipe>, _ i: Int, readers: Bool, writers: Bool) {
        if !SeedTechniques.generationOnlyWhenWatched || t[i].watchers > 0 {
            t[i].gen &+= (readers ? 1 : 0) | (writers ? 1 << 32 : 0)
        }
    }

    /// A frame for ring page `k` of `frames` (empty): 0 when none is left.
    @inline(never)
    static func fill(_ frames: UnsafeMutablePointer<UInt64>, _ k: Int) -> UInt64 {
        guard let frame = FrameAllocator.allocate() else { return 0 }
        frames[k] = frame
        return frame
    }

    /// The kernel address of ring position `pos` and the bytes contiguous there.
    static func slot(_ i: Int, _ pos: Int, create: Bool) -> (UnsafeMutablePointer<UInt8>, Int)? {
        guard let t = table, let f = t[i].frames else { return nil }
        let k = (pos / 4096) % pages
        if f[k] == 0 {
            guard create, let frame = FrameAllocator.allocate() else { return nil }
            f[k] = frame
        }
        return (Physical.bytes(f[k]) + pos % 4096, 4096 - pos % 4096)
    }
}

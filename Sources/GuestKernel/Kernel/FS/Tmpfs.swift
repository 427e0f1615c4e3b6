import KernelSupport

/// The writable in-memory tree mounted at /tmp. Nodes live in a fixed table
/// (node 0 is /tmp itself); file data is a page list of zeroed frames (holes
/// read as zero). A node goes away when it has no name, no open description
/// and no process running its image.
struct TmpNode {
    var used = false
    var isDirectory = false
    var isSymlink = false                                // target in `pages`-free `target`
    var target: UnsafeMutablePointer<UInt8>? = nil
    var targetLength = 0
    var parent: Int32 = -1
    var name: UnsafeMutablePointer<UInt8>? = nil
    var nameLength = 0
    var mode: UInt32 = 0
    var pages: UInt64 = 0                                // frame of the page list (512 frames, 0 = hole)
    var size: UInt64 = 0
    var linked = false
    var opens: Int32 = 0
    /// Linux's i_writecount, split in two: open descriptions that may write,
    /// and processes whose image came from this file (TmpfsWriteDenial.swift).
    var writers: Int32 = 0
    var executing: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
    var subdirectories: UInt32 = 0                       // linked child directories: st_nlink is 2 + this
    /// A directory's list of linked children, and this node's place in its
    /// parent's (TmpfsChildren.swift); 0 ends a list.
    var firstChild: Int32 = 0
    var lastChild: Int32 = 0
    var nextSibling: Int32 = 0
    var previousSibling: Int32 = 0
    /// This node's getdents64 position in its parent (d_off is it + 1), and
    /// a directory's next one to give (TmpfsChildren.swift).
    var position: UInt64 = 0
    var positionsGiven: UInt64 = 0
    /// The wall clock (Clock.realtime), split (FileTime): set at creation,
    /// mtime and ctime by writes, truncation and (directories) name changes
    /// inside, ctime by chmod/chown, all by utimensat. atime changes only by
    /// utimensat and creation (reads leave it, as with noatime).
    var atime = FileTime()
    var mtime = FileTime()
    var ctime = FileTime()
}

enum Tmpfs {
    static let capacity = 256
    static let maxPages = 512                            // 2 MiB per file
    static let nameMax = 255
    static let inodeBase: UInt64 = 0x1_0000
    nonisolated(unsafe) static var nodes = UnsafeMutablePointer<TmpNode>(bitPattern: 0)
    /// One past the highest node ever used: scans stop there, not at `capacity`.
    nonisolated(unsafe) static var end = 1
    /// Frames holding file data and page lists. Like Linux's tmpfs (size=50%
    /// by default, mm/shmem.c) at most half of RAM: past it a write is
    /// ENOSPC, so that files cannot take the memory programs fault in.
    nonisolated(unsafe) static var framesUsed: UInt64 = 0
    static var frameLimit: UInt64 { FrameAllocator.totalFrames / 2 }

    static func takeFrame() -> UInt64? {
        guard framesUsed < frameLimit, let f = FrameAllocator.allocate() else { return nil }
        framesUsed += 1
        return f
    }

    static func giveBack(_ f: UInt64) {
        FrameAllocator.free(f)
        framesUsed -= 1
    }

    static func initialize() {
        let t = zeroedTable(of: TmpNode.self, count: capacity)        // all zero = unused
        t[0].used = true; t[0].isDirectory = true; t[0].mode = 0o041777; t[0].linked = true
        let now = FileTime(Clock.realtime())
        t[0].atime = now; t[0].mtime = now; t[0].ctime = now
        nodes = t
        initializeNameHash()
    }

    /// `path` (normalized) is "tmp" or below it.
    static func contains(_ path: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        n >= 3 && bytesEqual(path, "tmp", 3) && (n == 3 || path[3] == 0x2f)
    }

    /// The linked child `name[0..<n]` of directory `dir` (TmpfsNameHash.swift).
    static func child(_ dir: Int, _ name: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        child(dir, name, n, hash: hash(dir, name, n))
    }

    /// Walks a normalized path under "tmp": the node, or for a missing last
    /// component its parent and name (for creation).
    static func walk(_ path: UnsafePointer<UInt8>, _ n: Int) -> (node: Int?, parent: Int?, name: UnsafePointer<UInt8>, nameLength: Int) {
        var dir = 0
        var i = 4
        if n <= 3 { return (0, nil, path, 0) }
        while true {
            let start = i
            while i < n && path[i] != 0x2f { i += 1 }
            let len = i - start
            let found = child(dir, path + start, len)
            if i >= n { return (found, dir, path + start, len) }
            guard let d = found, let t = nodes, t[d].isDirectory else { return (nil, nil, path + start, len) }
            dir = d
            i += 1
        }
    }

    static func create(parent: Int, _ name: UnsafePointer<UInt8>, _ n: Int, directory: Bool, mode: UInt32) -> Int? {
        guard let t = nodes, n > 0, n <= nameMax else { return nil }
        for i in 1..<capacity where !t[i].used {
            if i >= end { end = i + 1 }
            let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
            for j in 0..<n { copy[j] = name[j] }
            t[i] = TmpNode()
            t[i].used = true
            t[i].isDirectory = directory
            t[i].parent = Int32(parent)
            t[i].name = copy
            t[i].nameLength = n
            t[i].mode = (directory ? 0o040000 : 0o100000) | (mode & 0o7777)
            t[i].linked = true
            let now = FileTime(Clock.realtime())
            t[i].atime = now; t[i].mtime = now; t[i].ctime = now
            if directory { t[parent].subdirectories &+= 1 }
            hashName(i)
            modified(parent)
            return i
        }
        return nil
    }

    /// Drops the name; frees the node when nothing has it open.
    static func unlink(_ i: Int) {
        guard let t = nodes, i > 0 else { return }
        if t[i].linked { unhashName(i) }
        t[i].linked = false
        if t[i].isDirectory && t[i].parent >= 0 { t[Int(t[i].parent)].subdirectories &-= 1 }
        modified(Int(t[i].parent))
        t[i].ctime = FileTime(Clock.realtime())
        releaseIfUnused(i)
    }

    static func releaseIfUnused(_ i: Int) {
        guard let t = nodes, i > 0, t[i].used, !t[i].linked, t[i].opens <= 0, t[i].executing <= 0 else { return }
        truncate(i, to: 0)
        if t[i].pages != 0 { giveBack(t[i].pages) }
        t[i].name?.deallocate()
        t[i].target?.deallocate()
        t[i] = TmpNode()
    }

    /// Sets the size; whole pages beyond it are freed, the tail of the last
    /// one zeroed so that growing again reads zeros.
    static func truncate(_ i: Int, to size: UInt64) {
        guard let t = nodes else { return }
        if t[i].pages != 0 {
            let pages: UnsafeMutablePointer<UInt64> = Physical.pointer(t[i].pages)
            let keep = Int((size + 4095) / 4096)
            for k in keep..<maxPages where pages[k] != 0 { giveBack(pages[k]); pages[k] = 0 }
            if size < t[i].size && size & 4095 != 0 && keep > 0 && pages[keep - 1] != 0 {
                let tail = Physical.bytes(pages[keep - 1])
                var j = Int(size & 4095)
                while j < 4096 { tail[j] = 0; j += 1 }
            }
        }
        t[i].size = size
        modified(i)
    }

    /// Node `i`'s data (a directory's names) changed now: mtime and ctime.
    static func modified(_ i: Int) {
        guard let t = nodes, i >= 0, i < capacity else { return }
        let now = FileTime(Clock.realtime())
        t[i].mtime = now
        t[i].ctime = now
    }


    /// The frame holding byte `offset` of file `i`, allocated when `create`.
    static func frame(_ i: Int, page k: Int, create: Bool) -> UInt64? {
        guard let t = nodes, k >= 0, k < maxPages else { return nil }
        // The page list is a frame of its own (not the small kernel heap), so
        // user-created files cannot exhaust the heap.
        if t[i].pages == 0 {
            guard create, let list = takeFrame() else { return nil }
            t[i].pages = list
        }
        let pages: UnsafeMutablePointer<UInt64> = Physical.pointer(t[i].pages)
        if pages[k] == 0 {
            guard create, let f = takeFrame() else { return nil }
            pages[k] = f
        }
        return pages[k]
    }

    /// Writes a normalized "tmp/..." path of node `i` into `dst`; its length.
    static func path(of i: Int, into dst: UnsafeMutablePointer<UInt8>, max: Int) -> Int? {
        guard let t = nodes else { return nil }
        var chain: [Int] = []
        var n = i
        while n > 0 { chain.append(n); n = Int(t[n].parent); if chain.count > capacity { return nil } }
        var len = 3
        guard max >= 3 else { return nil }
        dst[0] = 0x74; dst[1] = 0x6d; dst[2] = 0x70         // "tmp"
        for node in chain.reversed() {
            guard len + 1 + t[node].nameLength <= max, let nm = t[node].name else { return nil }
            dst[len] = 0x2f
            for j in 0..<t[node].nameLength { dst[len + 1 + j] = nm[j] }
            len += 1 + t[node].nameLength
        }
        return len
    }
}

/// The initramfs's entries below tmp/ as tmpfs nodes, made once at boot:
/// Linux's initramfs is the root file system, so what an archive puts in
/// /tmp is there (`vmm run` links PROGRAM's own path to /init, and test
/// programs live in the host's /tmp). Directories, symbolic links and
/// regular files up to tmpfs's file size; an entry that does not fit (no
/// parent directory, no node, no memory) is left out, and the kernel says
/// how many were.
extension Tmpfs {
    static func seed() {
        var skipped: UInt64 = 0
        Initramfs.forEach { e in
            guard e.nameLength > 4, bytesEqual(e.name, "tmp/", 4) else { return true }
            if !seed(e) { skipped += 1 }
            return true
        }
        if skipped > 0 {
            Console.log("initramfs: ")
            Console.dec(skipped)
            Console.write(" entries below /tmp left out (no parent directory, or no room in tmpfs)")
            Console.endLog()
        }
    }

    private static func seed(_ e: CpioArchive.Entry) -> Bool {
        let w = walk(e.name, e.nameLength)
        if w.node != nil { return true }                             // already there
        guard let parent = w.parent, let t = nodes else { return false }
        let type = e.mode & 0o170000
        guard type == 0o040000 || type == 0o120000 || type == 0o100000,
              type != 0o100000 || e.dataSize <= maxPages * 4096,
              type != 0o120000 || (e.dataSize > 0 && e.dataSize <= Path.max),
              let i = create(parent: parent, w.name, w.nameLength, directory: type == 0o040000, mode: e.mode) else { return false }
        if type == 0o120000 {
            let target = UnsafeMutablePointer<UInt8>.allocate(capacity: e.dataSize)
            for k in 0..<e.dataSize { target[k] = e.data[k] }
            t[i].isSymlink = true
            t[i].mode = 0o120777
            t[i].target = target
            t[i].targetLength = e.dataSize
        } else if type == 0o100000 {
            var done = 0
            while done < e.dataSize {
                guard let frame = frame(i, page: done / 4096, create: true) else { unlink(i); return false }
                let n = min(4096, e.dataSize - done)
                copyBytes(Physical.bytes(frame), e.data + done, n)
                done += n
            }
            t[i].size = UInt64(e.dataSize)
        }
        t[i].uid = e.uid
        t[i].gid = e.gid
        var m = FileTime()
        m.seconds = UInt64(e.mtime)
        t[i].atime = m; t[i].mtime = m
        return true
    }
}

import KernelSupport

/// stat(2) family: fstat, stat, lstat, newfstatat (AT_EMPTY_PATH), over what
/// Path.lookup finds, a tmpfs node the fast walk reached, or a descriptor's
/// open-file description.
enum SysStat {
    static let AT_EMPTY_PATH: UInt64 = 0x1000

    /// struct stat (x86_64 layout: 18 words, 144 bytes), built on the stack
    /// once and copied out with one copy.
    typealias Words = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                       UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    static var zero: Words { (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) }

    /// struct stat of description `f`: a tmpfs file or directory straight
    /// from its node (fillTmp); any other kind from its FileOps.stat and
    /// FileMetadata.
    @inline(__always)
    static func fill(_ p: UnsafeMutablePointer<Process>, _ f: UnsafePointer<OpenFile>, _ buf: UInt64) -> Int64 {
        if f.pointee.kind == .tmpFile || f.pointee.kind == .tmpDirectory, f.pointee.node >= 0 {
            return fillTmp(p, f.pointee.node, buf)
        }
        return fillOther(p, f, buf)
    }

    @inline(never)
    static func fillOther(_ p: UnsafeMutablePointer<Process>, _ f: UnsafePointer<OpenFile>, _ buf: UInt64) -> Int64 {
        var st = zero
        let k = FileOps.stat(f.pointee)
        st.0 = UInt64(k.dev)                               // st_dev
        st.1 = f.pointee.inode                             // st_ino
        st.3 = UInt64(k.mode)                              // st_mode (st_uid: FileMetadata)
        // st_nlink, st_uid, st_gid, st_rdev, times
        withUnsafeMutableBytes(of: &st) { FileMetadata.fillOther(f.pointee, $0.baseAddress!.assumingMemoryBound(to: UInt64.self)) }
        st.6 = k.size                                      // st_size
        st.7 = 4096                                        // st_blksize
        st.8 = (st.6 + 511) / 512                          // st_blocks
        return UserMemory.copyOut(p, to: buf, from: &st, count: 144) ? 0 : -Errno.EFAULT
    }

    /// struct stat of tmpfs file or directory node `i`, every field from the
    /// node (what TmpFileOps/TmpDirectoryOps.stat and FileMetadata.fill give
    /// a description of it): st_dev 2, its live mode and size (a directory's
    /// 0), nlink 1 or 2 + its subdirectories, owner and times.
    @inline(never)
    static func fillTmp(_ p: UnsafeMutablePointer<Process>, _ i: Int, _ buf: UInt64) -> Int64 { fillTmpInline(p, i, buf) }

    @inline(__always)
    static func fillTmpInline(_ p: UnsafeMutablePointer<Process>, _ i: Int, _ buf: UInt64) -> Int64 {
        let t = Tmpfs.nodes.unsafelyUnwrapped              // made at boot; `i` is a live node's
        let n = t + i
        let directory = n.pointee.isDirectory
        let size = directory ? 0 : n.pointee.size
        let a = n.pointee.atime, m = n.pointee.mtime, c = n.pointee.ctime
        // Every word written once (no zeroing first): dev, ino, nlink,
        // mode | uid << 32, gid, rdev, size, blksize, blocks, the times, reserved.
        var st: Words = (2, Tmpfs.inodeBase &+ UInt64(truncatingIfNeeded: i),
                         directory ? 2 &+ UInt64(n.pointee.subdirectories) : 1,
                         UInt64(n.pointee.mode) | UInt64(n.pointee.uid) << 32, UInt64(n.pointee.gid), 0,
                         size, 4096, (size &+ 511) >> 9, a.seconds, a.nanoseconds, m.seconds, m.nanoseconds,
                         c.seconds, c.nanoseconds, 0, 0, 0)
        return UserMemory.copyOut(p, to: buf, from: &st, count: 144) ? 0 : -Errno.EFAULT
    }

    static func fstat(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        return fill(p, f, a.a1)
    }

    static let AT_SYMLINK_NOFOLLOW: UInt64 = 0x100

    /// stat, lstat, newfstatat. A path the fast walk took to a tmpfs file or
    /// directory is filled from its node (no description built for it).
    @inline(__always)
    static func stat(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ buf: UInt64, _ flags: UInt64) -> Int64 {
        if flags & AT_EMPTY_PATH != 0 { return statEmpty(p, dirfd, path, buf, flags) }
        return statPath(p, dirfd, path, buf, flags)
    }

    @inline(never)
    static func statPath(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ buf: UInt64, _ flags: UInt64) -> Int64 {
        let norm = PathBuffers.out1
        let m = Path.normalizeUser(p, dirfd, path, into: norm, follow: flags & AT_SYMLINK_NOFOLLOW == 0 ? .lookup : .slash)
        if m < 0 { return m }
        if let node = Path.walkedNode(norm, Int(m)) { return fillTmp(p, node, buf) }
        guard var f = Path.lookupWalked(norm, Int(m)) else { return Path.missingWalked(norm, Int(m)) }
        return fill(p, &f, buf)
    }

    /// With AT_EMPTY_PATH the first byte is looked at alone (one small copy):
    /// "" is dirfd's file (glibc's fstat), anything else the path's.
    @inline(never)
    static func statEmpty(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ buf: UInt64, _ flags: UInt64) -> Int64 {
        guard let first = UserMemory.read8(p, path) else { return -Errno.EFAULT }
        if first != 0 { return statPath(p, dirfd, path, buf, flags) }
        // glibc's fstat of a tmpfs file: its node filled in this frame (one prologue, not two).
        if SyscallArgs.int(dirfd) != -100, let d = p.pointee.files.get(dirfd) {
            if d.pointee.kind == .tmpFile || d.pointee.kind == .tmpDirectory, d.pointee.node >= 0 {
                return fillTmpInline(p, d.pointee.node, buf)
            }
            return fillOther(p, d, buf)
        }
        return emptyPath(p, dirfd, buf)
    }

    /// The rest of statEmpty's "": the working directory (AT_FDCWD) or EBADF.
    @inline(never)
    static func emptyPath(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ buf: UInt64) -> Int64 {
        if SyscallArgs.int(dirfd) == -100 {                                 // the working directory
            guard var cwd = Path.lookup(p.pointee.cwd, p.pointee.cwdLength) else { return -Errno.ENOENT }
            return fill(p, &cwd, buf)
        }
        guard let d = p.pointee.files.get(dirfd) else { return -Errno.EBADF }
        return fill(p, d, buf)
    }

    /// What a stat-family path names: resolveUser's file, or with
    /// AT_EMPTY_PATH and "" dirfd's (the working directory for AT_FDCWD).
    /// glibc's fstat is newfstatat(fd, "", AT_EMPTY_PATH): with the flag the
    /// first byte is looked at alone (one small copy), without it the path is
    /// copied once and "" fails there with ENOENT before any dirfd is looked at.
    static func target(_ p: UnsafeMutablePointer<Process>, _ dirfd: UInt64, _ path: UInt64, _ flags: UInt64) -> (OpenFile?, Int64) {
        if flags & AT_EMPTY_PATH != 0 {
            guard let first = UserMemory.read8(p, path) else { return (nil, -Errno.EFAULT) }
            if first == 0 {
                if SyscallArgs.int(dirfd) == -100 {                         // the working directory
                    guard let cwd = Path.lookup(p.pointee.cwd, p.pointee.cwdLength) else { return (nil, -Errno.ENOENT) }
                    return (cwd, 0)
                }
                guard let d = p.pointee.files.get(dirfd) else { return (nil, -Errno.EBADF) }
                return (d.pointee, 0)
            }
        }
        return Path.resolveUser(p, dirfd, path, follow: flags & AT_SYMLINK_NOFOLLOW == 0)
    }

    /// statx(2): struct statx (256 bytes), basic fields. A path the fast
    /// walk took to a tmpfs file or directory is filled from its node
    /// (statxTmp: no description built), as stat's is.
    static func statx(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        if a.a2 & AT_EMPTY_PATH == 0 {                                      // resolveUser's walk
            let norm = PathBuffers.out1
            let m = Path.normalizeUser(p, a.a0, a.a1, into: norm, follow: a.a2 & AT_SYMLINK_NOFOLLOW == 0 ? .lookup : .slash)
            if m < 0 { return m }
            if let node = Path.walkedNode(norm, Int(m)) { return statxTmp(p, node, a.a4) }
            guard let f = Path.lookupWalked(norm, Int(m)) else { return Path.missingWalked(norm, Int(m)) }
            return statxFill(p, f, a.a4)
        }
        let (f, err) = target(p, a.a0, a.a1, a.a2)
        guard let file = f else { return err }
        return statxFill(p, file, a.a4)
    }

    /// struct statx of tmpfs file or directory node `i`: what statxFill
    /// writes for a description of it (fillTmp's fields in statx's places:
    /// dev 0:2, rdev 0:0, no btime), every word stored once.
    @inline(never)
    static func statxTmp(_ p: UnsafeMutablePointer<Process>, _ i: Int, _ buf: UInt64) -> Int64 {
        guard let t = Tmpfs.nodes else { return -Errno.ENOENT }
        let n = t + i
        let directory = n.pointee.isDirectory
        let size = directory ? 0 : n.pointee.size
        let w = UnsafeMutableRawPointer(p.pointee.scratch).assumingMemoryBound(to: UInt64.self)
        let a = n.pointee.atime, m = n.pointee.mtime, c = n.pointee.ctime
        w[0] = 0x7ff | 4096 << 32                                           // STATX_BASIC_STATS, stx_blksize
        w[1] = 0                                                            // stx_attributes
        w[2] = (directory ? 2 &+ UInt64(n.pointee.subdirectories) : 1) | UInt64(n.pointee.uid) << 32
        w[3] = UInt64(n.pointee.gid) | UInt64(UInt16(truncatingIfNeeded: n.pointee.mode)) << 32
        w[4] = Tmpfs.inodeBase &+ UInt64(truncatingIfNeeded: i)
        w[5] = size
        w[6] = (size &+ 511) >> 9
        w[7] = 0                                                            // stx_attributes_mask
        w[8] = a.seconds; w[9] = a.nanoseconds                              // stx_atime
        w[10] = 0; w[11] = 0                                                // stx_btime
        w[12] = c.seconds; w[13] = c.nanoseconds                            // stx_ctime
        w[14] = m.seconds; w[15] = m.nanoseconds                            // stx_mtime
        w[16] = 0                                                           // stx_rdev
        w[17] = 2 << 32                                                     // stx_dev 0:2
        zero_qwords(w + 18, 14)
        return UserMemory.copyOut(p, to: buf, from: w, count: 256) ? 0 : -Errno.EFAULT
    }

    @inline(never)
    static func statxFill(_ p: UnsafeMutablePointer<Process>, _ file: OpenFile, _ out: UInt64) -> Int64 {
        // The task's scratch page (the path is resolved by now): no allocation per call.
        let buf = UnsafeMutableRawPointer(p.pointee.scratch).assumingMemoryBound(to: UInt64.self)
        buf.update(repeating: 0, count: 32)
        let r = UnsafeMutableRawPointer(buf)
        r.storeBytes(of: UInt32(0x7ff), toByteOffset: 0, as: UInt32.self)            // STATX_BASIC_STATS
        r.storeBytes(of: UInt32(4096), toByteOffset: 4, as: UInt32.self)             // stx_blksize
        let k = FileOps.stat(file)
        // nlink, owner, times as stat's (FileMetadata.fill), in statx's places.
        var st = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0),
                  UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &st) { FileMetadata.fill(file, $0.baseAddress!.assumingMemoryBound(to: UInt64.self)) }
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.2), toByteOffset: 16, as: UInt32.self)       // stx_nlink
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.3 >> 32), toByteOffset: 20, as: UInt32.self) // stx_uid
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.4), toByteOffset: 24, as: UInt32.self)       // stx_gid
        r.storeBytes(of: UInt16(truncatingIfNeeded: k.mode), toByteOffset: 28, as: UInt16.self)
        r.storeBytes(of: st.9, toByteOffset: 64, as: UInt64.self)                                     // stx_atime
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.10), toByteOffset: 72, as: UInt32.self)
        r.storeBytes(of: st.13, toByteOffset: 96, as: UInt64.self)                                    // stx_ctime
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.14), toByteOffset: 104, as: UInt32.self)
        r.storeBytes(of: st.11, toByteOffset: 112, as: UInt64.self)                                   // stx_mtime
        r.storeBytes(of: UInt32(truncatingIfNeeded: st.12), toByteOffset: 120, as: UInt32.self)
        r.storeBytes(of: file.inode, toByteOffset: 32, as: UInt64.self)
        let size = k.size
        r.storeBytes(of: size, toByteOffset: 40, as: UInt64.self)
        r.storeBytes(of: (size + 511) / 512, toByteOffset: 48, as: UInt64.self)
        let rdev = FileMetadata.rdev(file)
        r.storeBytes(of: rdev.0, toByteOffset: 128, as: UInt32.self)
        r.storeBytes(of: rdev.1, toByteOffset: 132, as: UInt32.self)
        r.storeBytes(of: k.dev, toByteOffset: 140, as: UInt32.self)                    // stx_dev_minor
        return UserMemory.copyOut(p, to: out, from: r, count: 256) ? 0 : -Errno.EFAULT
    }
}

/// statfs(2)/fstatfs(2): struct statfs (x86_64, 120 bytes) of the file
/// system a path or descriptor is on, agreeing with /proc/mounts
/// (ProcFiles): the initramfs root is "rootfs", Linux's rootfs is tmpfs for
/// an initramfs boot (TMPFS_MAGIC; read-only here: ST_RDONLY, no free
/// blocks); /tmp tmpfs with half of RAM (Tmpfs.frameLimit), /dev devtmpfs
/// (TMPFS_MAGIC), /proc; pipes, sockets and anonymous inodes their pseudo
/// file systems' magics (include/uapi/linux/magic.h).
enum SysStatfs {
    static let TMPFS_MAGIC: UInt64 = 0x0102_1994, PROC_SUPER_MAGIC: UInt64 = 0x9fa0
    static let PIPEFS_MAGIC: UInt64 = 0x5049_5045, SOCKFS_MAGIC: UInt64 = 0x534f_434b
    static let ANON_INODE_FS_MAGIC: UInt64 = 0x0904_1934
    // f_flags (statfs(2)): ST_VALID always, then the mount's flags.
    static let ST_RDONLY: UInt64 = 1, ST_NOSUID: UInt64 = 2, ST_NODEV: UInt64 = 4, ST_NOEXEC: UInt64 = 8
    static let ST_VALID: UInt64 = 0x20

    static func statfs(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let (f, err) = Path.resolveUser(p, SysFile.AT_FDCWD, a.a0, follow: true)
        guard let file = f else { return err }
        return fill(p, file, a.a1)
    }

    static func fstatfs(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard let f = p.pointee.files.get(a.a0) else { return -Errno.EBADF }
        return fill(p, f.pointee, a.a1)
    }

    static func fill(_ p: UnsafeMutablePointer<Process>, _ f: OpenFile, _ buf: UInt64) -> Int64 {
        // f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree,
        // f_fsid, f_namelen, f_frsize, f_flags, f_spare[4]
        var s: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                UInt64, UInt64, UInt64, UInt64) = (0, 4096, 0, 0, 0, 0, 0, 0, 255, 4096, ST_VALID, 0, 0, 0, 0)
        let dev: UInt32                                  // f_fsid: the st_dev minor stat reports
        switch f.kind {
        case .pipeRead, .pipeWrite, .consoleInput: s.0 = PIPEFS_MAGIC; dev = 12
        case .socket: s.0 = SOCKFS_MAGIC; dev = 8
        case .eventfd, .epoll: s.0 = ANON_INODE_FS_MAGIC; dev = 13
        case .procFile, .procDirectory: s.0 = PROC_SUPER_MAGIC; dev = 4; s.10 |= ST_NOSUID | ST_NODEV | ST_NOEXEC
        case .console, .null, .zero, .urandom: s.0 = TMPFS_MAGIC; dev = 6
        case .initrdDirectory where f.inode == 6: s.0 = TMPFS_MAGIC; dev = 6     // /dev (Path.lookup)
        default:
            s.0 = TMPFS_MAGIC
            dev = FileOps.stat(f).dev
            if dev == 2 {                                  // /tmp
                let used = Tmpfs.framesUsed, limit = Tmpfs.frameLimit
                s.2 = limit
                s.3 = min(limit > used ? limit - used : 0, FrameAllocator.available)
                s.4 = s.3
                s.5 = UInt64(Tmpfs.capacity)
                s.6 = UInt64(Tmpfs.capacity) - min(UInt64(Tmpfs.capacity), usedNodes())
            } else {                                       // the initramfs
                s.2 = (UInt64(Initramfs.archive?.size ?? 0) + 4095) / 4096
                s.5 = UInt64(Initramfs.count)
                s.10 |= ST_RDONLY
            }
        }
        s.7 = UInt64(dev)
        return UserMemory.copyOut(p, to: buf, from: &s, count: 120) ? 0 : -Errno.EFAULT
    }

    static func usedNodes() -> UInt64 {
        guard let t = Tmpfs.nodes else { return 0 }
        var n: UInt64 = 0
        for i in 0..<Tmpfs.end where t[i].used { n += 1 }
        return n
    }
}

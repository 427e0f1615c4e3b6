/// eventfd(2) and eventfd2(2).
enum SysEventFD {
    static let EFD_SEMAPHORE: UInt64 = 1
    static let EFD_NONBLOCK: UInt64 = 0o4000, EFD_CLOEXEC: UInt64 = 0o2000000

    static func eventfd2(_ p: UnsafeMutablePointer<Process>, _ initval: UInt64, _ flags: UInt64) -> Int64 {
        guard flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC) == 0 else { return -Errno.EINVAL }
        guard let i = EventFDs.create(initval & 0xffff_ffff, semaphore: flags & EFD_SEMAPHORE != 0) else { return -Errno.ENFILE }
        var f = OpenFile()
        f.kind = .eventfd
        f.node = i
        f.statusFlags = 2 | UInt32(flags & EFD_NONBLOCK)            // O_RDWR
        f.inode = 0x5_0000 + UInt64(i)
        return p.pointee.files.open(f, cloexec: flags & EFD_CLOEXEC != 0)
    }
}

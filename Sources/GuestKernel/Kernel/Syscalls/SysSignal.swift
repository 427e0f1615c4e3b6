/// rt_sigaction(2), rt_sigprocmask(2): recorded only; delivery is the next issue.
enum SysSignal {
    static let unblockable: UInt64 = (1 << (9 - 1)) | (1 << (19 - 1))   // SIGKILL, SIGSTOP

    static func rtSigaction(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        let sig = SyscallArgs.int(a.a0)
        guard a.a3 == 8, sig >= 1, sig <= 64 else { return -Errno.EINVAL }
        if a.a1 != 0 && (sig == Signal.kill || sig == Signal.stop) { return -Errno.EINVAL }
        let slot = p.pointee.sigactions + Int(sig - 1) * 4          // struct kernel_sigaction: 4 words
        if a.a2 != 0 {
            guard UserMemory.copyOut(p, to: a.a2, from: slot, count: 32) else { return -Errno.EFAULT }
        }
        if a.a1 != 0 {
            var new: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            guard UserMemory.copyIn(p, to: &new, from: a.a1, count: 32) else { return -Errno.EFAULT }
            slot[0] = new.0; slot[1] = new.1; slot[2] = new.2; slot[3] = new.3 & ~unblockable
        }
        return 0
    }

    static func rtSigprocmask(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a3 == 8 else { return -Errno.EINVAL }
        let old = p.pointee.signalMask
        if a.a1 != 0 {
            guard let set = UserMemory.read64(p, a.a1) else { return -Errno.EFAULT }
            switch SyscallArgs.int(a.a0) {
            case 0: p.pointee.signalMask |= set            // SIG_BLOCK
            case 1: p.pointee.signalMask &= ~set           // SIG_UNBLOCK
            case 2: p.pointee.signalMask = set             // SIG_SETMASK
            default: return -Errno.EINVAL
            }
            p.pointee.signalMask &= ~unblockable
        }
        if a.a2 != 0 && !UserMemory.write64(p, a.a2, old) { return -Errno.EFAULT }
        return 0
    }
}

import KernelSupport

/// arch_prctl(2), set_tid_address(2), set_robust_list(2).
enum SysProcess {
    static let ARCH_SET_GS: UInt64 = 0x1001, ARCH_SET_FS: UInt64 = 0x1002
    static let ARCH_GET_FS: UInt64 = 0x1003, ARCH_GET_GS: UInt64 = 0x1004

    static func archPrctl(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        switch a.a0 {
        case ARCH_SET_FS:
            guard a.a1 < PageTable.userTop else { return -Errno.EPERM }     // Linux: >= TASK_SIZE_MAX
            p.pointee.fsBase = a.a1
            wrmsr(SyscallMSRs.fsBase, a.a1)
            return 0
        case ARCH_GET_FS:
            return UserMemory.write64(p, a.a1, p.pointee.fsBase) ? 0 : -Errno.EFAULT
        case ARCH_SET_GS, ARCH_GET_GS:
            // User GS base is not kept yet (EINVAL); a base Linux refuses is its EPERM.
            return a.a0 == ARCH_SET_GS && a.a1 >= PageTable.userTop ? -Errno.EPERM : -Errno.EINVAL
        default:
            return -Errno.EINVAL
        }
    }

    static func setTidAddress(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        p.pointee.clearChildTid = a.a0
        return Int64(p.pointee.pid)
    }

    /// getppid(2): the parent's pid; 0 for a program of the run list, whose
    /// parent is the kernel (as a process started by Linux's kernel, pid 0).
    static func getppid(_ p: UnsafeMutablePointer<Process>) -> Int64 {
        let i = p.pointee.parent
        guard i >= 0, let t = Processes.table else { return 0 }
        return Int64(t[i].pid)
    }

    static func setRobustList(_ p: UnsafeMutablePointer<Process>, _ a: SyscallArgs) -> Int64 {
        guard a.a1 == 24 else { return -Errno.EINVAL }     // sizeof(struct robust_list_head)
        p.pointee.robustList = a.a0
        return 0
    }
}

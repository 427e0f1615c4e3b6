import KernelSupport

/// fork(2), vfork(2) and clone(2) of a whole process (Linux's copy_process
/// without threads): a new slot whose state is the parent's, with its user
/// half shared copy-on-write (or, for CLONE_VM|CLONE_VFORK, the parent's
/// address space itself until the child execs or exits) and the parent's
/// return context with RAX 0.
extension Processes {
    /// The child, or a negative errno (EAGAIN without a slot, ENOMEM).
    static func fork(_ p: UnsafeMutablePointer<Process>, sharingMemory: Bool) -> (UnsafeMutablePointer<Process>?, Int64) {
        guard let c = create(parent: slot(p)) else { return (nil, -Errno.EAGAIN) }
        c.pointee.state = .stopped                  // not runnable before it is complete
        if sharingMemory {
            FrameAllocator.free(c.pointee.pml4)     // create's empty one
            c.pointee.pml4 = p.pointee.pml4
            c.pointee.borrowsMemory = true
        } else {
            guard SharedAnonymous.populate(p), PageTable.cloneUserHalf(p.pointee.pml4, c.pointee.pml4) else {
                destroy(c)
                write_cr3(p.pointee.pml4)          // entries lost W: flush
                return (nil, -Errno.ENOMEM)
            }
            write_cr3(p.pointee.pml4)               // the parent's entries lost W: flush its TLB
        }
        // The areas live in pages of their own (VMAStore): copied, not shared.
        guard c.pointee.vmas.items.copy(from: p.pointee.vmas.items) else {
            destroy(c)
            return (nil, -Errno.ENOMEM)
        }
        c.pointee.brkStart = p.pointee.brkStart
        c.pointee.brk = p.pointee.brk
        c.pointee.heapMapped = p.pointee.heapMapped
        // A vfork child's faults map the parent's heap: its own record is not the parent's.
        // Nor do they mark its areas touched (VMA.untouched).
        if sharingMemory { p.pointee.heapMapped = UInt64.max; p.pointee.vmas.forgetUntouched() }
        c.pointee.mmapTop = p.pointee.mmapTop
        c.pointee.hasHugePages = p.pointee.hasHugePages
        c.pointee.fsBase = p.pointee.fsBase
        c.pointee.signalMask = p.pointee.signalMask
        c.pointee.signals.altStack = p.pointee.signals.altStack     // sigaltstack(2): inherited by fork
        copy_qwords(c.pointee.sigactions, p.pointee.sigactions, 64 * 4)
        c.pointee.umask = p.pointee.umask
        c.pointee.priority = p.pointee.priority
        c.pointee.pgid = p.pointee.pgid
        c.pointee.sid = p.pointee.sid
        copyBytes(c.pointee.cwd, p.pointee.cwd, p.pointee.cwdLength)
        c.pointee.cwdLength = p.pointee.cwdLength
        copyBytes(c.pointee.exe, p.pointee.exe, p.pointee.exeLength)
        c.pointee.exeLength = p.pointee.exeLength
        c.pointee.exeNode = p.pointee.exeNode
        Tmpfs.executionStarted(c.pointee.exeNode)
        c.pointee.argv = p.pointee.argv
        c.pointee.argc = p.pointee.argc
        let pf = p.pointee.files, cf = c.pointee.files
        pf.forEachOpen { fd in
            OpenFiles.retain(Int(pf.slots[fd]))
            cf.slots[fd] = pf.slots[fd]
            cf.cloexec[fd] = pf.cloexec[fd]
        }
        // The user registers: the parent's at this system call, RAX 0.
        copy_qwords(c.pointee.memory.frame, p.pointee.memory.frame, UInt64(MemoryLayout<trap_frame>.size / 8))
        c.pointee.memory.frame.pointee.rax = 0
        fxsave(c.pointee.memory.fpu)                // the parent's x87/SSE state, live in the CPU
        Scheduler.prepare(c)
        return (c, 0)
    }
}

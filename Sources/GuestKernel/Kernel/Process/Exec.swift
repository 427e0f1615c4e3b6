import KernelSupport

/// A program image in a process's empty address space (the ELF, the heap's
/// start, the stack area, the vDSO and the initial stack): shared by the run list's
/// process creation and execve(2).
enum Exec {
    enum Failure { case dynamic, notELF, noMemory, tooLarge }

    /// Loads static ELF `source` into `p` (whose user half is empty) with its
    /// initial stack; the entry point and initial RSP, or why not.
    static func load(_ p: UnsafeMutablePointer<Process>, _ source: ElfSource,
                     path: UnsafePointer<UInt8>, pathLength: Int, args: StringList, env: StringList) -> (UInt64, UInt64, Failure?) {
        let (image, error) = ElfLoader.load(source, into: p)
        guard let img = image else {
            switch error {
            case .dynamic: return (0, 0, .dynamic)
            case .noMemory: return (0, 0, .noMemory)
            default: return (0, 0, .notELF)
            }
        }
        p.pointee.brkStart = pageUp(img.end) ?? img.end
        p.pointee.brk = p.pointee.brkStart
        p.pointee.heapMapped = 0
        let stackBottom = Process.stackTop - Process.stackSize
        guard p.pointee.vmas.insert(VMA(start: stackBottom, end: Process.stackTop, prot: Prot.read | Prot.write)) else {
            return (0, 0, .noMemory)
        }
        // [vvar] and [vdso] (Memory/Vdso.swift), announced by AT_SYSINFO_EHDR.
        let vdso = Vdso.map(p)
        guard let sp = InitialStack.build(p, image: img, path: path, pathLength: pathLength, args: args, env: env,
                                          vdso: vdso) else {
            return (0, 0, .tooLarge)
        }
        // For /proc/PID/ (exe, cmdline): execve replaces a relative path by its normalized one.
        p.pointee.exeLength = min(pathLength, Path.max)
        copyBytes(p.pointee.exe, path, p.pointee.exeLength)
        p.pointee.argv = sp + 8
        p.pointee.argc = args.count
        TaskAccounting.named(p, path: path, pathLength)
        return (img.entry, sp, nil)
    }
}

/// execve(2), execveat(2) of a static ELF from the initramfs or tmpfs.
enum SysExec {
    static let AT_EMPTY_PATH: UInt64 = 0x1000, AT_SYMLINK_NOFOLLOW: UInt64 = 0x100
    /// The argument and environment strings, their NULs and the path: what the
    /// initial stack (InitialStack.maxBytes) can hold; E2BIG beyond.
    static let stagingBytes = InitialStack.maxBytes
    static let maxStrings = 4096

    static func execve(_ p: UnsafeMutablePointer<Process>, dirfd: UInt64, path: UInt64, argv: UInt64, envp: UInt64,
                       flags: UInt64) -> Int64 {
        guard flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 else { return -Errno.EINVAL }
        // The file, checked before anything is given up (ENOENT, EACCES, ENOEXEC).
        var file: OpenFile
        var normLength = -1
        let first = UserMemory.read8(p, path)
        if first == 0 && flags & AT_EMPTY_PATH != 0 {
            guard let f = p.pointee.files.get(dirfd) else { return -Errno.EBADF }
            file = f.pointee
        } else {
            guard first != nil else { return -Errno.EFAULT }
            let norm = PathBuffers.out1
            let len = Path.normalizeUser(p, dirfd, path, into: norm, follow: flags & AT_SYMLINK_NOFOLLOW != 0 ? .slash : .lookup)
            if len < 0 { return len }
            guard let f = Path.lookup(norm, Int(len)) else { return Path.missingError(norm, Int(len)) }
            file = f
            normLength = Int(len)
        }
        if file.kind == .symlink { return -Errno.ELOOP }
        guard file.isRegular, file.mode & 0o111 != 0 else { return -Errno.EACCES }
        let source: ElfSource
        if file.kind == .tmpFile, let t = Tmpfs.nodes, file.node >= 0 {
            if Tmpfs.isOpenForWriting(file.node) { return -Errno.ETXTBSY }
            source = .tmpfs(node: file.node, size: Int(t[file.node].size))
        } else if let data = file.data {
            source = .initrd(data, size: Int(file.size))
        } else {
            return -Errno.ENOEXEC
        }
        guard let headers = source.headers,
              ElfHeaders.validate(headers, size: source.size, userLimit: ElfLoader.userLimit).0 != nil else { return -Errno.ENOEXEC }

        // argv and envp, copied before the old address space goes.
        let staging = UnsafeMutablePointer<UInt8>.allocate(capacity: stagingBytes)
        defer { staging.deallocate() }
        var used = 0
        let pathLength = UserMemory.copyString(p, path, into: staging, max: Path.max)
        if pathLength < 0 { return Int64(pathLength) }
        used = pathLength + 1
        let argc = count(p, argv), envc = count(p, envp)
        if argc < 0 { return Int64(argc) }
        if envc < 0 { return Int64(envc) }
        var args = StringList(capacity: max(argc, 1))
        var env = StringList(capacity: max(envc, 1))
        defer { args.deallocate(); env.deallocate() }
        func copyStrings(_ base: UInt64, _ n: Int, into list: inout StringList) -> Int64 {
            for i in 0..<n {
                guard let s = UserMemory.read64(p, base + UInt64(i) * 8) else { return -Errno.EFAULT }
                guard used < stagingBytes - 1 else { return -Errno.E2BIG }
                let len = UserMemory.copyString(p, s, into: staging + used, max: stagingBytes - used - 1)
                if len == -Int(Errno.ENAMETOOLONG) { return -Errno.E2BIG }
                if len < 0 { return Int64(len) }
                staging[used + len] = 0
                _ = list.append(UnsafePointer(staging + used), len)
                used += len + 1
            }
            return 0
        }
        let e1 = copyStrings(argv, argc, into: &args)
        if e1 != 0 { return e1 }
        let e2 = copyStrings(envp, envc, into: &env)
        if e2 != 0 { return e2 }

        // The point of no return: a new address space replaces the old one.
        guard let pml4 = PageTable.newAddressSpace() else { return -Errno.ENOMEM }
        let old = p.pointee.pml4
        p.pointee.pml4 = pml4
        write_cr3(pml4)
        if p.pointee.borrowsMemory {
            p.pointee.borrowsMemory = false
        } else {
            PageTable.destroyUserHalf(old)
        }
        Processes.endVfork(p)
        // The new image's file denies writes from here; the old one's no longer
        // (started first: the two may be one unlinked node).
        let oldImage = p.pointee.exeNode
        p.pointee.exeNode = -1
        if case .tmpfs(let node, _) = source { p.pointee.exeNode = Int32(node) }
        Tmpfs.executionStarted(p.pointee.exeNode)
        Tmpfs.executionEnded(oldImage)
        p.pointee.vmas.removeAll()
        p.pointee.mmapTop = Process.mmapBase
        p.pointee.hasHugePages = false
        p.pointee.fsBase = 0
        wrmsr(SyscallMSRs.fsBase, 0)
        p.pointee.clearChildTid = 0
        p.pointee.robustList = 0
        let (entry, sp, failure) = Exec.load(p, source, path: UnsafePointer(staging), pathLength: pathLength,
                                             args: args, env: env)
        if failure != nil {
            // Too late to return an error (Linux: a fatal SIGSEGV, fs/exec.c).
            Processes.exit(p, waitStatus: WaitStatus.killed(by: Signal.segv, coreDumped: false))
        }
        if normLength >= 0 && normLength < Path.max {        // /proc/PID/exe: the absolute path
            p.pointee.exe[0] = 0x2f
            copyBytes(p.pointee.exe + 1, PathBuffers.out1, normLength)
            p.pointee.exeLength = normLength + 1
        }
        // Close-on-exec descriptors; caught signals back to SIG_DFL (ignored stay ignored).
        let files = p.pointee.files
        files.forEachOpen { fd in if files.cloexec[fd] { files.close(fd) } }
        for s in 0..<64 where p.pointee.sigactions[s * 4] != 1 { zero_qwords(p.pointee.sigactions + s * 4, 4) }
        p.pointee.signals.altStack = SignalFrame.AltStack()            // sigaltstack(2): cleared by execve
        fxrstor(UnsafeRawPointer(bitPattern: UInt(fpu_initial_state_address()))!)
        let f = p.pointee.memory.frame
        zero_qwords(f, UInt64(MemoryLayout<trap_frame>.size / 8))
        f.pointee.rip = entry
        f.pointee.cs = UInt64(VMM_SEL_USER_CS)
        f.pointee.rflags = 0x202                  // IF: ring 3 takes the timer interrupt
        f.pointee.rsp = sp
        f.pointee.ss = UInt64(VMM_SEL_USER_DS)
        return 0
    }

    /// The number of pointers before the NULL of user array `at` (NULL: 0),
    /// -EFAULT, or -E2BIG beyond maxStrings.
    static func count(_ p: UnsafeMutablePointer<Process>, _ at: UInt64) -> Int {
        if at == 0 { return 0 }
        var n = 0
        while true {
            guard let v = UserMemory.read64(p, at &+ UInt64(n) * 8) else { return -Int(Errno.EFAULT) }
            if v == 0 { return n }
            n += 1
            if n > maxStrings { return -Int(Errno.E2BIG) }
        }
    }
}

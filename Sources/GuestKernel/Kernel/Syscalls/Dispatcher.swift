import KernelSupport

/// The one system-call dispatcher, entered from both paths of entry.S (SYSCALL
/// on hardware-assisted KVM, #PF at LSTAR on software-assisted KVM). The
/// numbers table (Linux x86_64 numbers, arch/x86/entry/syscalls/syscall_64.tbl)
/// is entry.S's syscall_table, Linux's sys_call_table: each slot the C-ABI
/// handler below that entry.S calls with (process, frame). The
/// frequent calls have one each (sys_NAME: a tail call of the handler, no
/// switch on the way); every other number goes to syscall_rest, the switch.
/// getpid, gettid, getuid, getgid, geteuid and getegid are answered in
/// entry.S before any of this. Handlers live in Sys*.swift by subsystem;
/// nothing on this path allocates. A number moved between the two must move
/// in entry.S's SYSCALL_HANDLER list and here together.
///
/// The frame most handlers see is partial (include/frames.h): the number,
/// the arguments, RIP/RSP/RFLAGS; only rt_sigreturn, clone, fork, vfork,
/// execve and execveat (entry.S's syscall_full) may read or write the rest.

@inline(__always) private func task(_ p: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Process> {
    p.assumingMemoryBound(to: Process.self)
}
typealias Frame = UnsafeMutablePointer<trap_frame>

@c(sys_read) func sysRead(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysIO.read(task(p), SyscallArgs(f)) }
@c(sys_write) func sysWrite(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysIO.write(task(p), SyscallArgs(f)) }
@c(sys_close) func sysClose(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysFile.close(task(p), SyscallArgs(f)) }
@c(sys_fstat) func sysFstat(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysStat.fstat(task(p), SyscallArgs(f)) }
@c(sys_poll) func sysPoll(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysPoll.poll(task(p), SyscallArgs(f)) }
@c(sys_lseek) func sysLseek(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysFile.lseek(task(p), SyscallArgs(f)) }
@c(sys_mmap) func sysMmap(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysMemory.mmap(task(p), SyscallArgs(f)) }
@c(sys_mprotect) func sysMprotect(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysMemory.mprotect(task(p), SyscallArgs(f)) }
@c(sys_munmap) func sysMunmap(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysMemory.munmap(task(p), SyscallArgs(f)) }
@c(sys_brk) func sysBrk(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysMemory.brk(task(p), SyscallArgs(f)) }
@c(sys_rt_sigaction) func sysRtSigaction(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysSignal.rtSigaction(task(p), SyscallArgs(f)) }
@c(sys_rt_sigprocmask) func sysRtSigprocmask(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysSignal.rtSigprocmask(task(p), SyscallArgs(f)) }
@c(sys_ioctl) func sysIoctl(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysIO.ioctl(task(p), SyscallArgs(f)) }
@c(sys_pread64) func sysPread(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysIO.pread(task(p), SyscallArgs(f)) }
@c(sys_pwrite64) func sysPwrite(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysIO.pwrite(task(p), SyscallArgs(f)) }
@c(sys_readv) func sysReadv(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysIO.readv(task(p), SyscallArgs(f)) }
@c(sys_writev) func sysWritev(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysIO.writev(task(p), SyscallArgs(f)) }
@c(sys_sched_yield) func sysSchedYield(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { Scheduler.sysYield() }
@c(sys_dup) func sysDup(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysFile.duplicate(task(p), f.pointee.rdi, to: nil, cloexec: false) }
@c(sys_uname) func sysUname(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysInfo.uname(task(p), SyscallArgs(f)) }
@c(sys_fcntl) func sysFcntl(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysFile.fcntl(task(p), SyscallArgs(f)) }
@c(sys_socketpair) func sysSocketpair(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysSocket.socketpair(task(p), SyscallArgs(f)) }
@c(sys_setsockopt) func sysSetsockopt(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysSocket.setsockopt(task(p), SyscallArgs(f)) }
@c(sys_getsockopt) func sysGetsockopt(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysSocket.getsockopt(task(p), SyscallArgs(f)) }
@c(sys_getppid) func sysGetppid(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysProcess.getppid(task(p)) }
@c(sys_getpriority) func sysGetpriority(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysPriority.get(task(p), SyscallArgs(f)) }
@c(sys_clock_gettime) func sysClockGettime(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysTime.clockGettime(task(p), SyscallArgs(f)) }
@c(sys_epoll_wait) func sysEpollWait(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysEpoll.epollWait(task(p), SyscallArgs(f)) }
@c(sys_getrlimit) func sysGetrlimit(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 {
    let a = SyscallArgs(f)
    return SysInfo.prlimit(task(p), 0, a.a0, 0, a.a1)
}
@c(sys_getsid) func sysGetsid(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysFork.getsid(task(p), SyscallArgs(f)) }
@c(sys_prlimit64) func sysPrlimit64(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 {
    let a = SyscallArgs(f)
    return SysInfo.prlimit(task(p), a.a0, a.a1, a.a2, a.a3)
}
@c(sys_statx) func sysStatx(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysStat.statx(task(p), SyscallArgs(f)) }
@c(sys_getdents64) func sysGetdents64(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysDirectory.getdents64(task(p), SyscallArgs(f)) }
@c(sys_waitid) func sysWaitid(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysFork.waitid(task(p), SyscallArgs(f)) }
@c(sys_epoll_pwait) func sysEpollPwait(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { SysEpoll.epollPwait(task(p), SyscallArgs(f)) }
@c(sys_openat) func sysOpenat(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 {
    let a = SyscallArgs(f)
    return SysFile.openat(task(p), a.a0, a.a1, a.a2, a.a3)
}
@c(sys_newfstatat) func sysNewfstatat(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 {
    let a = SyscallArgs(f)
    return SysStat.stat(task(p), a.a0, a.a1, a.a2, a.a3)
}

/// Every other number, and those past the table (the VMM's mark, unknown ones).
@c(syscall_rest) func syscallRest(_ p: UnsafeMutableRawPointer, _ f: Frame) -> Int64 { handleRest(task(p), f, f.pointee.rax) }

/// The way out with a signal pending (entry.S, with the whole frame): the
/// call's result goes into the frame, then SignalDelivery acts on it (a
/// handler's frame, EINTR or a restart). A call that returns -ERESTART* or
/// leaves sigsuspend's mask to restore does so only with a signal pending,
/// so entry.S's one test covers all three.
@c(syscall_exit_signals)
func syscallExitSignals(_ f: Frame, _ nr: UInt64, _ r: Int64) {
    f.pointee.rax = UInt64(bitPattern: r)
    guard let p = Processes.current else { return }
    SignalDelivery.exitToUser(p, f, syscall: nr == 15 ? -1 : Int64(bitPattern: nr))   // rt_sigreturn never restarts
}

/// A non-canonical return RIP (RCX, which user code controls on the #PF
/// path): iretq would fault on it in ring 0, so the caller dies as Linux's
/// would on its SYSRET check (SIGSEGV).
@c(syscall_bad_return_address)
func syscallBadReturnAddress() { killCurrent(signal: Signal.segv, frame: nil) }

/// The switch over the numbers without a sys_NAME of their own.
func handleRest(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>, _ nr: UInt64) -> Int64 {
    let a = SyscallArgs(f)
    switch nr {
    case 2: return SysFile.openat(p, SysFile.AT_FDCWD, a.a0, a.a1, a.a2)            // open
    case 4: return SysStat.stat(p, SysFile.AT_FDCWD, a.a0, a.a1, 0)
    case 6: return SysStat.stat(p, SysFile.AT_FDCWD, a.a0, a.a1, SysStat.AT_SYMLINK_NOFOLLOW)   // lstat
    case 23: return SysPoll.select(p, a)
    case 15: return SysSignal.rtSigreturn(p, f)
    case 128: return SysSignal.rtSigtimedwait(p, a)
    case 129: return SysSignal.rtSigqueueinfo(p, tgid: -1, tid: SyscallArgs.int(a.a0), sig: SyscallArgs.int(a.a1), info: a.a2)
    case 297: return SysSignal.rtSigqueueinfo(p, tgid: SyscallArgs.int(a.a0), tid: SyscallArgs.int(a.a1), sig: SyscallArgs.int(a.a2), info: a.a3)
    case 131: return SysSignal.sigaltstack(p, a, userRSP: f.pointee.rsp)
    case 219: return SysSignal.restartSyscall(p)
    case 21: return SysFile.access(p, SysFile.AT_FDCWD, a.a0, a.a1)
    case 22: return SysPipe.pipe2(p, a.a0, 0)                                       // pipe
    case 27: return SysMemory.mincore(p, a)
    case 28: return SysMemory.madvise(p, a)
    case 33: return SysFile.dup2(p, a, flags: 0, isDup3: false)
    case 35: return SysTime.nanosleep(p, a)
    case 36: return SysTimer.getitimer(p, a)
    case 37: return SysTimer.alarm(p, a)
    case 38: return SysTimer.setitimer(p, a)
    case 60, 231: Processes.exit(p, waitStatus: WaitStatus.exited(code: Int32(truncatingIfNeeded: a.a0)))             // exit, exit_group (one task per process)
    case 56: return SysFork.clone(p, flags: a.a0, stack: a.a1, parentTid: a.a2, childTid: a.a3, tls: a.a4)
    case 57: return SysFork.clone(p, flags: 17, stack: 0, parentTid: 0, childTid: 0, tls: 0)        // fork: SIGCHLD
    case 58: return SysFork.clone(p, flags: SysFork.CLONE_VM | SysFork.CLONE_VFORK | 17, stack: 0, parentTid: 0, childTid: 0, tls: 0)
    case 59: return SysExec.execve(p, dirfd: SysFile.AT_FDCWD, path: a.a0, argv: a.a1, envp: a.a2, flags: 0)
    case 61: return SysFork.wait4(p, a)
    case 322: return SysExec.execve(p, dirfd: a.a0, path: a.a1, argv: a.a2, envp: a.a3, flags: a.a4)   // execveat
    case 109: return SysFork.setpgid(p, a)
    case 111: return SysFork.getpgid(p, pid: 0)                                                     // getpgrp
    case 112: return SysFork.setsid(p)
    case 121: return SysFork.getpgid(p, a)
    case 435: return -Errno.ENOSYS                             // clone3: glibc falls back to clone
    case 34: return SysKill.pause(p, mask: nil)
    case 130: return SysKill.rtSigsuspend(p, a)
    case 62: return SysKill.kill(p, a)
    case 127: return SysKill.rtSigpending(p, a)
    case 200: return SysKill.tgkill(p, tgid: -1, tid: SyscallArgs.int(a.a0), sig: SyscallArgs.int(a.a1))        // tkill
    case 234: return SysKill.tgkill(p, tgid: SyscallArgs.int(a.a0), tid: SyscallArgs.int(a.a1), sig: SyscallArgs.int(a.a2))
    case 73: return SysLock.flock(p, a)
    case 41: return SysSocket.socket(p, a)
    case 42: return SysSocket.connect(p, a)
    case 43: return SysSocket.accept(p, a, flags: 0)
    case 288: return SysSocket.accept(p, a, flags: a.a3)                            // accept4
    case 44: return SysSocket.sendto(p, a)
    case 45: return SysSocket.recvfrom(p, a)
    case 46: return SysSocket.sendmsg(p, a)
    case 47: return SysSocket.recvmsg(p, a)
    case 48: return SysSocket.shutdown(p, a)
    case 49: return SysSocket.bind(p, a)
    case 50: return SysSocket.listen(p, a)
    case 51: return SysSocket.name(p, a, peer: false)                               // getsockname
    case 52: return SysSocket.name(p, a, peer: true)                                // getpeername
    case 76: return SysTmpfs.truncate(p, a)
    case 77: return SysTmpfs.ftruncate(p, a)
    case 79: return SysDirectory.getcwd(p, a)
    case 80: return SysDirectory.chdir(p, a)
    case 81: return SysDirectory.fchdir(p, a)
    case 82: return SysTmpfs.rename(p, SysFile.AT_FDCWD, a.a0, SysFile.AT_FDCWD, a.a1, flags: 0)
    case 83: return SysTmpfs.mkdir(p, SysFile.AT_FDCWD, a.a0, a.a1)
    case 84: return SysTmpfs.remove(p, SysFile.AT_FDCWD, a.a0, directory: true)     // rmdir
    case 85: return SysFile.openat(p, SysFile.AT_FDCWD, a.a0, 0o1101, a.a1)         // creat: O_CREAT|O_WRONLY|O_TRUNC
    case 87: return SysTmpfs.remove(p, SysFile.AT_FDCWD, a.a0, directory: false)    // unlink
    case 88: return SysTmpfs.symlink(p, a.a0, SysFile.AT_FDCWD, a.a1)
    case 89: return SysIO.readlink(p, SysFile.AT_FDCWD, a.a0, a.a1, a.a2)
    case 95:                                                   // umask
        let old = p.pointee.umask
        p.pointee.umask = UInt32(truncatingIfNeeded: a.a0) & 0o777
        return Int64(old)
    case 96: return SysTime.gettimeofday(p, a)
    case 141: return SysPriority.set(p, a)
    case 158: return SysProcess.archPrctl(p, a)
    case 218: return SysProcess.setTidAddress(p, a)
    case 201: return SysTime.time(p, a)
    case 229: return SysTime.clockGetres(p, a)
    case 230: return SysTime.clockNanosleep(p, a)
    case 258: return SysTmpfs.mkdir(p, a.a0, a.a1, a.a2)                             // mkdirat
    case 78: return SysDirectory.getdents64(p, a, legacy: true)
    case 263: return SysTmpfs.unlinkat(p, a)
    case 264: return SysTmpfs.rename(p, a.a0, a.a1, a.a2, a.a3, flags: 0)         // renameat
    case 266: return SysTmpfs.symlink(p, a.a0, a.a1, a.a2)                          // symlinkat
    case 267: return SysIO.readlink(p, a.a0, a.a1, a.a2, a.a3)                      // readlinkat
    case 269, 439: return SysFile.access(p, a.a0, a.a1, a.a2)                       // faccessat, faccessat2
    case 273: return SysProcess.setRobustList(p, a)
    case 292: return SysFile.dup2(p, a, flags: a.a2, isDup3: true)                  // dup3
    case 316: return SysTmpfs.rename(p, a.a0, a.a1, a.a2, a.a3, flags: a.a4)      // renameat2
    case 293: return SysPipe.pipe2(p, a.a0, a.a1)
    case 318: return SysInfo.getrandom(p, a)
    case 334: return -Errno.ENOSYS                             // rseq: glibc goes on without it
    case 98: return SysResources.getrusage(p, a)
    case 99: return SysResources.sysinfo(p, a)
    case 100: return SysResources.times(p, a)
    case 115: return SysResources.getgroups(p, a)
    case 116: return SysResources.setgroups(p, a)
    case 157: return SysResources.prctl(p, a)
    case 203: return SysResources.setaffinity(p, a)
    case 204: return SysResources.getaffinity(p, a)
    case 309: return SysResources.getcpu(p, a)
    case 90: return SysMetadata.chmod(SysMetadata.node(p, SysFile.AT_FDCWD, a.a0, follow: true, emptyPath: false), a.a1)
    case 91: return SysMetadata.fchmod(p, a)
    case 268: return SysMetadata.fchmodat(p, a)
    case 92: return SysMetadata.chownPath(p, a, follow: true)                       // chown
    case 94: return SysMetadata.chownPath(p, a, follow: false)                      // lchown
    case 93: return SysMetadata.fchown(p, a)
    case 260: return SysMetadata.fchownat(p, a)
    case 280: return SysMetadata.utimensat(p, a)
    case 235: return SysMetadata.utimes(p, SysFile.AT_FDCWD, a.a0, a.a1)
    case 261: return SysMetadata.utimes(p, a.a0, a.a1, a.a2)                        // futimesat
    case 132: return SysMetadata.utime(p, a)
    case 40: return SysSendfile.sendfile(p, a)
    case 137: return SysStatfs.statfs(p, a)
    case 138: return SysStatfs.fstatfs(p, a)
    case UInt64(VMM_SYSCALL_MARK): return SysInfo.mark(a.a0)
    default: return SysEpoll.dispatch(p, a, nr) ?? unknownSyscall(nr)    // event files: outside this switch (below)
    }
}

/// -ENOSYS, naming the number on the console the first time it is seen.
func unknownSyscall(_ nr: UInt64) -> Int64 {
    if nr < 512 {
        let word = Int(nr >> 6), bit = UInt64(1) << (nr & 63)
        if SyscallLog.seen[word] & bit != 0 { return -Errno.ENOSYS }
        SyscallLog.seen[word] |= bit
    }
    Console.log("unimplemented system call ")
    Console.dec(nr)
    if let name = syscallName(nr) { Console.write(" ("); Console.write(name); Console.write(")") }
    Console.write(" -> ENOSYS")
    Console.endLog()
    return -Errno.ENOSYS
}

enum SyscallLog {
    nonisolated(unsafe) static var seen: UnsafeMutablePointer<UInt64> = {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 8)
        p.initialize(repeating: 0, count: 8)
        return p
    }()
}

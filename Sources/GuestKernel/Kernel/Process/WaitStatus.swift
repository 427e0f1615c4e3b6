/// Wait statuses, the siginfo that waitid and SIGCHLD carry, and the
/// default action of each signal, as Linux has them. Pure (no kernel state),
/// kept apart so the host test target compiles it (Tests/VMMTests/KernelShared)
/// and checks it against the host's <sys/wait.h> macros and real children.

/// The `int` wait4/waitpid store: kernel/exit.c (do_exit's `(code & 0xff) << 8`,
/// wait_task_zombie, wait_task_stopped's `(sig << 8) | 0x7f`,
/// wait_task_continued's 0xffff), decoded as glibc's bits/waitstatus.h does.
enum WaitStatus {
    /// exit(code): only the low 8 bits survive (exit(256) is status 0).
    static func exited(code: Int32) -> Int32 { (code & 0xff) << 8 }
    /// Killed by `signal`; 0x80 when a core was dumped.
    static func killed(by signal: Int32, coreDumped: Bool) -> Int32 { (signal & 0x7f) | (coreDumped ? 0x80 : 0) }
    /// Stopped by `signal` (seen with WUNTRACED / WSTOPPED).
    static func stopped(by signal: Int32) -> Int32 { ((signal & 0xff) << 8) | 0x7f }
    /// Resumed by SIGCONT (seen with WCONTINUED).
    static let continued: Int32 = 0xffff

    static func ifExited(_ s: Int32) -> Bool { s & 0x7f == 0 }
    static func exitStatus(_ s: Int32) -> Int32 { (s & 0xff00) >> 8 }
    /// WIFSIGNALED: low 7 bits neither 0 (exited) nor 0x7f (stopped/continued).
    static func ifSignaled(_ s: Int32) -> Bool { let low = s & 0x7f; return low != 0 && low != 0x7f }
    static func termSig(_ s: Int32) -> Int32 { s & 0x7f }
    static func coreDump(_ s: Int32) -> Bool { s & 0x80 != 0 }
    static func ifStopped(_ s: Int32) -> Bool { s & 0xff == 0x7f }
    static func stopSig(_ s: Int32) -> Int32 { exitStatus(s) }
    static func ifContinued(_ s: Int32) -> Bool { s == continued }

    /// What a shell's `$?` shows for a terminated child: the exit code, or
    /// 128 + the signal (the VMM's exit status for the last program).
    static func shellStatus(_ s: Int32) -> Int32 { ifSignaled(s) ? 128 + termSig(s) : exitStatus(s) }
}

/// Options of wait4/waitid (include/uapi/linux/wait.h) and waitid's idtype.
enum WaitOptions {
    static let noHang: Int32 = 1            // WNOHANG
    static let untraced: Int32 = 2          // WUNTRACED (waitid: WSTOPPED)
    static let exited: Int32 = 4            // WEXITED
    static let continued: Int32 = 8         // WCONTINUED
    static let noWait: Int32 = 0x0100_0000  // WNOWAIT
    static let noThread: Int32 = 0x2000_0000, all: Int32 = 0x4000_0000
    static let clone: Int32 = Int32(bitPattern: 0x8000_0000)    // __WNOTHREAD, __WALL, __WCLONE
    /// Anything else is EINVAL (kernel/exit.c kernel_waitid, kernel_wait4).
    static let wait4Known: Int32 = noHang | untraced | continued | noThread | all | clone
    static let waitidKnown: Int32 = noHang | untraced | exited | continued | noWait | noThread | all | clone

    static let idAll: Int32 = 0, idPid: Int32 = 1, idPgid: Int32 = 2, idPidfd: Int32 = 3   // P_ALL, P_PID, P_PGID, P_PIDFD
}

/// The 128-byte siginfo_t of x86_64 (include/uapi/asm-generic/siginfo.h):
/// offsets of the fields this kernel fills, and the si_code values.
enum SigInfo {
    static let size = 128
    static let signo = 0, errno = 4, code = 8
    // The union at 16: kill/rt/sigchld share pid and uid; sigfault has addr.
    static let pid = 16, uid = 20, status = 24, utime = 32, stime = 40
    static let addr = 16
    static let value = 24                       // si_value (rt_sigqueueinfo, timers)

    static let siUser: Int32 = 0, siKernel: Int32 = 0x80, siQueue: Int32 = -1
    static let siTimer: Int32 = -2, siTkill: Int32 = -6
    // SIGCHLD's si_code (CLD_*).
    static let cldExited: Int32 = 1, cldKilled: Int32 = 2, cldDumped: Int32 = 3
    static let cldTrapped: Int32 = 4, cldStopped: Int32 = 5, cldContinued: Int32 = 6
    // Fault codes the traps use (SEGV_*, ILL_ILLOPN, FPE_INTDIV, TRAP_BRKPT, BUS_ADRALN).
    static let segvMapErr: Int32 = 1, segvAccErr: Int32 = 2, illIllOpn: Int32 = 2
    static let fpeIntDiv: Int32 = 1, trapBrkpt: Int32 = 1, busAdrAln: Int32 = 1

    /// Zeroes the whole siginfo at `p` (Linux clears it: no kernel bytes leak)
    /// and writes signo and code.
    static func clear(_ p: UnsafeMutableRawPointer, signo s: Int32, code c: Int32) {
        for i in 0..<size { p.storeBytes(of: 0, toByteOffset: i, as: UInt8.self) }
        p.storeBytes(of: s, toByteOffset: signo, as: Int32.self)
        p.storeBytes(of: c, toByteOffset: code, as: Int32.self)
    }
}

/// What waitid stores in its siginfo and what SIGCHLD carries to the parent
/// (kernel/exit.c wait_task_zombie and friends, kernel/signal.c
/// do_notify_parent): si_signo SIGCHLD, si_code CLD_*, si_status the exit
/// code or the signal.
struct ChildInfo {
    static let sigchld: Int32 = 17
    static let sigcont: Int32 = 18

    var code: Int32
    var pid: Int32
    var uid: UInt32
    var status: Int32

    /// From a wait status as WaitStatus encodes it.
    init(pid: Int32, uid: UInt32, waitStatus s: Int32) {
        self.pid = pid
        self.uid = uid
        if WaitStatus.ifExited(s) { code = SigInfo.cldExited; status = WaitStatus.exitStatus(s) }
        else if WaitStatus.ifContinued(s) { code = SigInfo.cldContinued; status = ChildInfo.sigcont }
        else if WaitStatus.ifStopped(s) { code = SigInfo.cldStopped; status = WaitStatus.stopSig(s) }
        else { code = WaitStatus.coreDump(s) ? SigInfo.cldDumped : SigInfo.cldKilled; status = WaitStatus.termSig(s) }
    }

    /// The 128-byte siginfo at `p` (si_utime/si_stime in clock ticks).
    func write(to p: UnsafeMutableRawPointer, utime: Int64 = 0, stime: Int64 = 0) {
        SigInfo.clear(p, signo: ChildInfo.sigchld, code: code)
        p.storeBytes(of: pid, toByteOffset: SigInfo.pid, as: Int32.self)
        p.storeBytes(of: uid, toByteOffset: SigInfo.uid, as: UInt32.self)
        p.storeBytes(of: status, toByteOffset: SigInfo.status, as: Int32.self)
        p.storeBytes(of: utime, toByteOffset: SigInfo.utime, as: Int64.self)
        p.storeBytes(of: stime, toByteOffset: SigInfo.stime, as: Int64.self)
    }
}

/// A signal's default action, signal(7) ("Standard signals"; kernel/signal.c
/// SIG_KERNEL_COREDUMP_MASK, SIG_KERNEL_IGNORE_MASK, SIG_KERNEL_STOP_MASK).
/// Real-time signals 32...64 terminate.
enum DefaultAction {
    case terminate, core, ignore, stop, `continue`

    static let maxSignal: Int32 = 64            // _NSIG

    /// nil for 0 and numbers above 64 (not signals: EINVAL).
    static func of(_ signal: Int32) -> DefaultAction? {
        switch signal {
        case 3, 4, 5, 6, 7, 8, 11, 24, 25, 31: return .core       // QUIT ILL TRAP ABRT BUS FPE SEGV XCPU XFSZ SYS
        case 17, 23, 28: return .ignore                           // CHLD URG WINCH
        case 18: return .continue                                 // CONT
        case 19, 20, 21, 22: return .stop                         // STOP TSTP TTIN TTOU
        default:                                                  // HUP INT KILL USR1 USR2 PIPE ALRM TERM STKFLT VTALRM PROF IO PWR, RT
            return signal >= 1 && signal <= maxSignal ? .terminate : nil
        }
    }

    /// Bit of `signal` in a 64-bit sigset_t (signal 1 is bit 0).
    static func maskBit(_ signal: Int32) -> UInt64 { signal >= 1 && signal <= maxSignal ? 1 << UInt64(signal - 1) : 0 }
    /// SIGKILL and SIGSTOP cannot be caught, blocked or ignored.
    static let unblockable: UInt64 = maskBit(9) | maskBit(19)
}

import KernelSupport

/// What a sent signal carries to its handler's siginfo_t: si_signo, si_code
/// and the three words of the union at offset 16 (include/uapi/asm-generic/
/// siginfo.h): kill/tkill/sigqueue (pid | uid << 32, sigval), SIGCHLD
/// (pid | uid << 32, status, utime), faults (si_addr).
struct QueuedSignal {
    var signo: Int32 = 0
    var code: Int32 = 0
    var word16: UInt64 = 0
    var word24: UInt64 = 0
    var word32: UInt64 = 0

    /// kill(2) (SI_USER), tkill/tgkill (SI_TKILL), sigqueue (SI_QUEUE, `value`).
    static func user(_ sig: Int32, code: Int32, value: UInt64 = 0) -> QueuedSignal {
        let pid = UInt64(UInt32(bitPattern: Processes.currentPid))
        return QueuedSignal(signo: sig, code: code, word16: pid, word24: value, word32: 0)
    }

    /// Sent by the kernel itself (SIGPIPE, SIGSEGV for a bad frame): SI_KERNEL.
    static func kernel(_ sig: Int32) -> QueuedSignal { QueuedSignal(signo: sig, code: SigInfo.siKernel) }

    /// A fault in ring 3 (force_sig_fault): si_code and si_addr.
    static func fault(_ sig: Int32, code: Int32, addr: UInt64) -> QueuedSignal {
        QueuedSignal(signo: sig, code: code, word16: addr)
    }

    /// SIGCHLD for a child's exit, stop or continue (do_notify_parent).
    static func child(pid: Int32, waitStatus: Int32) -> QueuedSignal {
        let c = ChildInfo(pid: pid, uid: 0, waitStatus: waitStatus)
        return QueuedSignal(signo: ChildInfo.sigchld, code: c.code, word16: UInt64(UInt32(bitPattern: pid)),
                            word24: UInt64(UInt32(bitPattern: c.status)), word32: 0)
    }

    /// The 128-byte siginfo_t at `p`, all other bytes zero (already, when `zeroed`).
    func write(to p: UnsafeMutableRawPointer, zeroed: Bool = false) {
        if !zeroed { zero_qwords(p, UInt64(SigInfo.size / 8)) }
        p.storeBytes(of: signo, toByteOffset: SigInfo.signo, as: Int32.self)
        p.storeBytes(of: code, toByteOffset: SigInfo.code, as: Int32.self)
        p.storeBytes(of: word16, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: word24, toByteOffset: 24, as: UInt64.self)
        p.storeBytes(of: word32, toByteOffset: 32, as: UInt64.self)
    }
}

/// A process's pending signals with their siginfo (Linux's struct sigpending):
/// a standard signal is pending at most once (a second send is dropped), a
/// real-time one is queued once per send (signal(7)), up to `capacity` -
/// 31 entries, so that every standard signal always finds room.
struct SignalQueue {
    static let capacity = 64
    static let realtimeLimit = capacity - 31
    let items: UnsafeMutablePointer<QueuedSignal> = .allocate(capacity: SignalQueue.capacity)
    var count = 0

    /// Adds `info`; false when a real-time signal finds the queue full (EAGAIN).
    mutating func add(_ info: QueuedSignal, alreadyPending: Bool) -> Bool {
        if info.signo < 32 && alreadyPending { return true }
        if count >= (info.signo < 32 ? SignalQueue.capacity : SignalQueue.realtimeLimit) { return false }
        items[count] = info
        count += 1
        return true
    }

    /// Takes the oldest entry of `sig` into `info`; returns whether another
    /// entry of `sig` remains (the signal stays pending).
    mutating func take(_ sig: Int32, into info: inout QueuedSignal) -> Bool {
        var found = -1, more = false
        for i in 0..<count where items[i].signo == sig {
            if found < 0 { found = i } else { more = true; break }
        }
        guard found >= 0 else {
            info = QueuedSignal(signo: sig, code: SigInfo.siUser)
            return false
        }
        info = items[found]
        for i in found..<(count - 1) { items[i] = items[i + 1] }
        count -= 1
        return more
    }

    /// Drops every entry of the signals in `mask` (sigaction to SIG_IGN).
    mutating func remove(_ mask: UInt64) {
        var j = 0
        for i in 0..<count where DefaultAction.maskBit(items[i].signo) & mask == 0 {
            items[j] = items[i]
            j += 1
        }
        count = j
    }
}

/// Per-process signal state beside the mask and the pending set: the queue,
/// the alternate stack (sigaltstack), the mask rt_sigsuspend replaced until
/// its handler's frame records it (Linux's saved_sigmask), and the last
/// ring-3 fault for sigcontext's trapno, err and cr2 (thread.trap_nr ...).
struct SignalState {
    var queue = SignalQueue()
    var altStack = SignalFrame.AltStack()
    var savedMask: UInt64 = 0
    var restoreMask = false
    /// The set rt_sigtimedwait waits for: blocked, yet its signals wake the task.
    var waiting: UInt64 = 0
    /// What restart_syscall(2) resumes.
    var restart = RestartBlock()
    var trapno: UInt64 = 0, error: UInt64 = 0, cr2: UInt64 = 0

    /// A new process's (fork: the caller then copies the alternate stack).
    mutating func reset() {
        queue.count = 0
        altStack = SignalFrame.AltStack()
        restoreMask = false
        waiting = 0
        restart = RestartBlock()
        trapno = 0; error = 0; cr2 = 0
    }
}

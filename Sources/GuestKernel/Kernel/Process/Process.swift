import KernelSupport

/// A task's state (Linux's TASK_RUNNING split into running and runnable;
/// TASK_INTERRUPTIBLE is sleeping; EXIT_ZOMBIE until the parent reaps it).
enum TaskState {
    case free, running, runnable, sleeping, stopped, zombie
}

/// One process (one task: no threads yet): its kernel stack and saved
/// context, address space, memory areas, family and the per-process state
/// the system calls record.
struct Process {
    var pid: Int32 = 0
    var state = TaskState.free {
        didSet {                                        // Scheduler.runnable: sched_yield's one test
            if oldValue == .runnable { Scheduler.runnable &-= 1 }
            if state == .runnable { Scheduler.runnable &+= 1 }
        }
    }
    /// Slot of the parent; -1: the kernel (a program of the run list, or an
    /// orphan once init is gone, which nobody waits for).
    var parent = -1
    /// How many slots name this one as `parent` (live children and zombies):
    /// Linux's children list as a count, so that a wait with none gives
    /// ECHILD without a scan of the table. Kept by create, destroy and exit.
    var children = 0
    /// Linux's wait status once a zombie (wait(2): code << 8, or the signal).
    var waitStatus: Int32 = 0
    /// What a sleeping task waits for (Scheduler.sleep/wakeup).
    var channel: UInt64 = 0
    /// A timed sleep's end, in TSC ticks (0: none; Timers).
    var deadline: UInt64 = 0
    /// Whether a signal ends the sleep (TASK_INTERRUPTIBLE) and why it ended.
    var interruptible = true
    var wakeReason = SleepResult.woken
    /// ITIMER_REAL: when it is due in TSC ticks (0: disarmed), its period in ns (SysTimer).
    var itimerDeadline: UInt64 = 0
    var itimerInterval: UInt64 = 0
    var pgid: Int32 = 0
    var sid: Int32 = 0
    /// A vfork child runs in its parent's address space (pml4) until it
    /// execs or exits, and must not free it.
    var borrowsMemory = false
    /// The vfork parent's slot while it sleeps for this child (else -1).
    var vforkParent = -1
    /// Kernel stack, FPU area and path scratch in one 64 KiB block (TaskMemory).
    var memory = TaskMemory()
    var pml4: UInt64 = 0
    var vmas = VMAList()
    var brkStart: UInt64 = 0
    var brk: UInt64 = 0
    /// At least the end of the highest heap page a fault has mapped (0:
    /// none): a brk that shrinks the heap above it has no page to unmap.
    var heapMapped: UInt64 = 0
    var mmapTop: UInt64 = 0          // top-down search for mmap without a hint
    var fsBase: UInt64 = 0
    var clearChildTid: UInt64 = 0
    var robustList: UInt64 = 0
    var signalMask: UInt64 = 0
    var pendingSignals: UInt64 = 0
    /// Queued siginfo, alternate stack, sigsuspend's saved mask (SignalQueue.swift).
    var signals = SignalState()
    /// A stop (the signal) or a continue not yet reported to the parent's
    /// wait4(WUNTRACED/WCONTINUED) or waitid(WSTOPPED/WCONTINUED).
    var stopReport: Int32 = 0
    var continueReport = false
    var sigactions: UnsafeMutablePointer<UInt64> = .allocate(capacity: 64 * 4)  // 64 x kernel_sigaction
    var umask: UInt32 = 0o022
    /// 20 - the nice value (-20...19), as getpriority(2) returns it (Linux's
    /// nice_to_rlimit): SysPriority, /proc/PID/stat.
    var priority: Int64 = 20
    var files = FileTable()
    /// Working directory, normalized without the leading slash ("" is /);
    /// the byte before it is that "/", so getcwd copies cwd - 1 as it is.
    var cwd: UnsafeMutablePointer<UInt8> = {
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: Path.max + 2)
        b[0] = 0x2f
        return b + 1
    }()
    var cwdLength = 0
    /// What /proc/PID/ reports (FS/Proc*.swift): the executable's absolute
    /// path (exe link; comm is its last component), where argv lies on the
    /// initial stack (cmdline) and the start time (ns since boot).
    var exe: UnsafeMutablePointer<UInt8> = .allocate(capacity: Path.max + 1)
    var exeLength = 0
    /// The tmpfs node the image was loaded from (-1: the initramfs), which
    /// denies writes to it while this process runs (TmpfsWriteDenial.swift).
    var exeNode: Int32 = -1
    var argv: UInt64 = 0
    var argc = 0
    var startTime: UInt64 = 0
    var scratch: UnsafeMutablePointer<UInt8> = .allocate(capacity: Path.max + 1)
    /// Some 2 MiB page was mapped: munmap/mprotect/madvise/brk must split the
    /// ones their range ends inside (a process without any skips that walk).
    var hasHugePages = false
    /// sendfile(2) is moving bytes through `scratch` (KernelBounce).
    var bouncing = false

    static let brkMax: UInt64 = 1 << 30
    /// Four pages below the top of the user half: [vvar] and [vdso] sit above
    /// the stack in its last page table (Memory/Vdso.swift).
    static let stackTop: UInt64 = 0x7fff_ffff_b000
    static let stackSize: UInt64 = 8 << 20     // RLIMIT_STACK default
    static let mmapBase: UInt64 = 0x7f00_0000_0000

}

extension UnsafeMutablePointer where Pointee == Process {
    /// The area holding `va` (the heap as one read-write area), or nil. On
    /// the pointer, not on Process: a method of the struct reached through
    /// `pointee` copies the whole struct first (a `rep movs` on the fault path).
    @inline(__always) func area(of va: UInt64) -> VMA? {
        let brkStart = pointee.brkStart
        if va >= brkStart, let top = pageUp(pointee.brk), va < top { return VMA(start: brkStart, end: top, prot: Prot.read | Prot.write) }
        return pointee.vmas.area(containing: va)
    }
}

/// The process table. Slot 0 is init (pid 1).
enum Processes {
    static let capacity = 64
    nonisolated(unsafe) static var table = UnsafeMutablePointer<Process>(bitPattern: 0)
    /// The running process; read on every system call.
    nonisolated(unsafe) static var current = UnsafeMutablePointer<Process>(bitPattern: 0)
    nonisolated(unsafe) static var nextPid: Int32 = 1
    /// One more than the highest slot ever used: the scans of the table (run
    /// queue, wakeup, wait, kill) stop there, not at `capacity`.
    nonisolated(unsafe) static var slotsInUse = 0
    /// The running task's pid (0: the kernel's idle context); getpid's fast
    /// path in entry.S reads the same word.
    static var currentPid: Int32 { current_pid }

    /// Slots are initialized when first used (Process() allocates its tables).
    nonisolated(unsafe) static var ready = UnsafeMutablePointer<Bool>(bitPattern: 0)

    static func initialize() {
        table = UnsafeMutablePointer<Process>.allocate(capacity: capacity)
        ready = zeroedTable(of: Bool.self, count: capacity)
    }

    /// The slot index of `p` (table order is the run queue's order).
    @inline(__always) static func slot(_ p: UnsafeMutablePointer<Process>) -> Int { p - table! }

    /// A new process in state `.runnable` whose first return to ring 3 is
    /// the trap frame at the top of its kernel stack (zero registers: the
    /// caller fills it), with the reset x87/SSE state; nil when no slot or no
    /// memory is left (EAGAIN / ENOMEM for fork).
    static func create(parent: Int) -> UnsafeMutablePointer<Process>? {
        guard let t = table, let r = ready else { return nil }
        for i in 0..<capacity where !r[i] || t[i].state == .free {
            if !r[i] { (t + i).initialize(to: Process()); r[i] = true }
            guard let pml4 = PageTable.newAddressSpace() else { return nil }
            t[i].state = .runnable
            if i >= slotsInUse { slotsInUse = i + 1 }
            t[i].parent = parent
            if parent >= 0 { t[parent].children &+= 1 }
            t[i].children = 0                       // every child of a slot's last owner went at its exit
            TaskAccounting.created(i, parent: parent)
            CPUTimers.clear(i)                      // ITIMER_VIRTUAL/PROF: not inherited by fork either
            t[i].waitStatus = 0
            t[i].channel = 0
            t[i].deadline = 0
            t[i].itimerDeadline = 0                 // not inherited by fork
            t[i].itimerInterval = 0
            t[i].priority = 20                      // nice 0 for a run-list program; fork copies the parent's
            t[i].pid = nextPid
            t[i].pgid = t[i].pid
            t[i].files.owner = t[i].pid
            t[i].sid = t[i].pid
            nextPid += 1
            t[i].pml4 = pml4
            t[i].memory.reset()
            t[i].borrowsMemory = false
            t[i].vforkParent = -1
            // A slot is new (Process(): an empty descriptor table) or was
            // freed by destroy (every descriptor closed); the rest of its
            // state starts as a new process's, here and nowhere else.
            t[i].vmas.removeAll()
            t[i].brkStart = 0
            t[i].brk = 0
            t[i].heapMapped = 0
            t[i].mmapTop = Process.mmapBase
            t[i].hasHugePages = false
            t[i].fsBase = 0
            t[i].clearChildTid = 0
            t[i].robustList = 0
            t[i].signalMask = 0
            t[i].pendingSignals = 0
            t[i].signals.reset()
            t[i].stopReport = 0
            t[i].continueReport = false
            zero_qwords(t[i].sigactions, 64 * 4)
            t[i].umask = 0o022
            t[i].cwdLength = 0
            t[i].exeLength = 0
            t[i].exeNode = -1
            t[i].argv = 0
            t[i].argc = 0
            t[i].startTime = Clock.nanoseconds()
            return t + i
        }
        return nil
    }

    /// Ends process `p`: frees every frame it owns (user pages, then the user
    /// half's page tables and the PML4; borrowed initrd pages stay), closes
    /// every descriptor (pipes and tmpfs files are released as on Linux's
    /// exit) and frees its slot. When `p` is running, CR3 goes to the kernel's PML4 first and no
    /// process is current afterwards (UserMemory must then walk tables).
    static func destroy(_ p: UnsafeMutablePointer<Process>) {
        guard p.pointee.state != .free else { return }
        release(p)
        leaveParent(p)
        p.pointee.state = .free         // the rest is reset when the slot is reused (create)
    }

    /// `p` stops being its parent's child (it is freed: reaped, or never to
    /// be waited for).
    static func leaveParent(_ p: UnsafeMutablePointer<Process>) {
        if p.pointee.parent >= 0, let t = table { t[p.pointee.parent].children &-= 1 }
        p.pointee.parent = -1
    }

    /// Frees what a process owns in memory and files, as exit(2) does before
    /// the zombie waits to be reaped. The running process stays current
    /// (its kernel stack is in use) but on the kernel's PML4.
    static func release(_ p: UnsafeMutablePointer<Process>) {
        if current == p { write_cr3(PageTable.kernelPML4) }
        let pml4 = p.pointee.pml4
        if pml4 != 0 && !p.pointee.borrowsMemory {
            PageTable.destroyUserHalf(pml4)
        }
        p.pointee.borrowsMemory = false
        endVfork(p)
        let files = p.pointee.files
        files.forEachOpen { files.close($0) }
        p.pointee.vmas.items.release()
        p.pointee.pml4 = 0
        Tmpfs.executionEnded(p.pointee.exeNode)
        p.pointee.exeNode = -1
        CPUTimers.clear(slot(p))
    }
}

import KernelSupport

/// One CPU's scheduler (xv6's sched/sleep/wakeup): the process table in slot
/// order is the run queue (round-robin from the slot after the current one),
/// a sleeping task waits on a channel (any word naming what it waits for)
/// until wakeup(channel), and the kernel's own context (kmain's stack: the
/// run list and the idle loop, RunList.swift) runs when no task can.
///
/// A switch saves what the task owns outside its trap frame: callee-saved
/// registers (switch_context), x87/SSE state (eagerly: fxsave/fxrstor, one
/// emulated instruction each; lazy switching would trap (#NM) on the first
/// SSE instruction after nearly every switch, since musl's and glibc's
/// string functions use SSE, and a trap costs ~100 emulated instructions
/// here), FS base, CR3, and the kernel stack (TSS.RSP0, SYSCALL's).
enum Scheduler {
    /// Saved kernel stack pointers: one per slot, the kernel context last.
    nonisolated(unsafe) static var contexts = zeroedTable(of: UInt64.self, count: Processes.capacity + 1)
    nonisolated(unsafe) static var idleMemory = TaskMemory()
    static let idle = Processes.capacity

    /// Prepares the kernel stack of new task `p` so that switching to it
    /// runs task_start, which returns to ring 3 through its trap frame.
    static func prepare(_ p: UnsafeMutablePointer<Process>) {
        let frame = UInt64(UInt(bitPattern: p.pointee.memory.frame))
        let sp = UnsafeMutablePointer<UInt64>(bitPattern: UInt(frame) - 8 * 7)!
        zero_qwords(sp, 6)                   // r15 r14 r13 r12 rbx rbp
        sp[6] = task_start_address()
        contexts[Processes.slot(p)] = UInt64(UInt(bitPattern: sp))
    }

    /// Switches from the running task (or the kernel context) to `next`,
    /// returning when something switches back.
    static func run(_ next: UnsafeMutablePointer<Process>) {
        let prev = Processes.current
        if prev == next { next.pointee.state = .running; return }
        let from = prev.map { leave($0) } ?? idle
        Processes.current = next
        current_pid = next.pointee.pid
        current_process = UnsafeMutableRawPointer(next)
        current_pending = withUnsafeMutablePointer(to: &next.pointee.pendingSignals) { $0 }   // a stored field: its own address
        next.pointee.state = .running
        if next.pointee.pml4 != 0 { write_cr3(next.pointee.pml4) }
        wrmsr(SyscallMSRs.fsBase, next.pointee.fsBase)
        let top = next.pointee.memory.stackTop
        Descriptors.setKernelStack(top)
        syscall_kernel_rsp = top
        PathBuffers.use(next.pointee.memory)
        fxrstor(next.pointee.memory.fpu)
        if CPUTimers.armed != 0 { CPUTimers.switchedIn(next) }
        Timers.switched(preempted: prev.map { $0.pointee.state == .runnable } ?? false)
        TaskAccounting.switching(from: prev)
        switch_context(contexts + from, contexts[Processes.slot(next)])
    }

    /// Back to the kernel context (RunList's loop) from the running task.
    static func runIdle() {
        guard let prev = Processes.current else { return }
        let from = leave(prev)
        Processes.current = nil
        current_pid = 0
        current_process = nil
        current_pending = no_pending_address()
        Timers.tick = Timers.none
        TaskAccounting.switching(from: prev)
        switch_context(contexts + from, contexts[idle])
    }

    /// What every switch away from task `prev` saves (its x87/SSE state:
    /// live in the CPU, the kernel has none) and its state (a task still
    /// running becomes runnable); its slot, where its context goes.
    @inline(__always) static func leave(_ prev: UnsafeMutablePointer<Process>) -> Int {
        fxsave(prev.pointee.memory.fpu)
        if prev.pointee.state == .running { prev.pointee.state = .runnable }
        return Processes.slot(prev)
    }

    /// The next runnable task after the current one in slot order, or nil:
    /// the slots after it, then those from the first up to it. No division
    /// or wrap-around test per slot: with one task, two empty loops.
    static func pick() -> UnsafeMutablePointer<Process>? {
        guard let t = Processes.table else { return nil }
        let n = Processes.slotsInUse
        let start = Processes.current.map { Processes.slot($0) + 1 } ?? 0
        var i = start
        while i < n {
            if t[i].state == .runnable { return t + i }
            i &+= 1
        }
        i = 0
        while i < start && i < n {
            if t[i].state == .runnable { return t + i }
            i &+= 1
        }
        return nil
    }

    /// The running task gives up the CPU (it has set its state already when
    /// it sleeps or exits): another runnable task runs, else the kernel
    /// context; returns when this task runs again (never for a zombie).
    static func schedule() {
        if Timers.due { Timers.expire() }       // without a LAPIC timer, the only check
        if let next = pick() { run(next); return }
        if let p = Processes.current, p.pointee.state == .running || p.pointee.state == .runnable {
            p.pointee.state = .running
            return
        }
        runIdle()
    }

    /// How many tasks are in state .runnable (kept by Process.state's
    /// observer); the running one is .running, so 0 means nobody to yield to.
    nonisolated(unsafe) static var runnable = 0

    /// sched_yield(2): always 0; with no other task runnable, one test.
    static func sysYield() -> Int64 {
        if runnable != 0 { yield() }
        return 0
    }

    static func yield() {
        guard let p = Processes.current, let next = pick(), next != p else { return }
        run(next)
    }

    /// Sleeps on `channel` (0: none) until wakeup(channel) (.woken), the
    /// TSC reaching `deadline` (.timedOut), or, when `interruptible`, a
    /// signal that acts on the task (interrupt: .interrupted; one already
    /// pending returns at once, as Linux's signal_pending check in its wait
    /// loops). Callers loop on their condition: .woken only says it may hold
    /// now. Interrupts are off in ring 0, so nothing runs between a caller's
    /// check and this sleep: no lost wakeups. Sources/GuestKernel/SLEEPING.md.
    @discardableResult
    static func sleep(on channel: UInt64, deadline: UInt64? = nil, interruptible: Bool = true) -> SleepResult {
        guard let p = Processes.current else { return .woken }
        if interruptible && Signals.interrupted(p) { return .interrupted }
        if let d = deadline {
            if rdtsc() >= d { return .timedOut }
            Timers.add(d)
        }
        p.pointee.channel = channel
        p.pointee.deadline = deadline ?? 0
        p.pointee.interruptible = interruptible
        p.pointee.wakeReason = .woken
        p.pointee.state = .sleeping
        sleepingOn |= bucket(channel)
        schedule()
        p.pointee.channel = 0
        p.pointee.deadline = 0
        return p.pointee.wakeReason
    }

    /// Hashed wait-queue heads in one word (as Linux hashes bit and page
    /// waits, bit_waitqueue): bit `bucket(c)` is set while a task may sleep
    /// on a channel of that bucket. sleep() sets its bit; each walk rebuilds
    /// the word from the tasks it leaves asleep (a task woken otherwise, by a
    /// signal or its deadline, leaves a stale bit: one needless walk). So a
    /// wakeup whose bucket and anyChannel's are clear has nobody to wake
    /// (Linux's waitqueue_active test before a wake_up): an eventfd, pipe or
    /// socket end that nobody waits on costs a test, not a table walk.
    nonisolated(unsafe) static var sleepingOn: UInt64 = 0

    @inline(__always) static func bucket(_ channel: UInt64) -> UInt64 {
        1 &<< ((channel ^ (channel &>> 32)) & 63)
    }

    /// Wakes every task sleeping on `channel`, and those on anyChannel.
    /// Inline, the walk out of line: with nobody asleep, one test.
    @inline(__always) static func wakeup(_ channel: UInt64) {
        let s = sleepingOn
        if s != 0 && s & (bucket(channel) | bucket(anyChannel)) != 0 { wakeSleepers(channel) }
    }

    @inline(never) static func wakeSleepers(_ channel: UInt64) {
        guard let t = Processes.table else { return }
        var still: UInt64 = 0
        for i in 0..<Processes.slotsInUse where t[i].state == .sleeping {
            if t[i].channel == channel || t[i].channel == anyChannel {
                t[i].state = .runnable
                Timers.startTick()
            } else {
                still |= bucket(t[i].channel)
            }
        }
        sleepingOn = still
    }

    /// A signal acts on `p` (Signals.send): an interruptible sleep ends with .interrupted.
    static func interrupt(_ p: UnsafeMutablePointer<Process>) {
        guard p.pointee.state == .sleeping && p.pointee.interruptible else { return }
        p.pointee.wakeReason = .interrupted
        p.pointee.state = .runnable
        Timers.startTick()
    }

    /// A sleeper on it is woken by every wakeup, whatever the channel
    /// (poll, select, epoll_wait over several files: they rescan).
    static let anyChannel: UInt64 = 0x8_0000_0000

    /// The channel a vfork parent sleeps on until child `slot` execs or exits.
    static func vforkChannel(_ slot: Int) -> UInt64 { 0x2_0000_0000 | UInt64(slot) }

    /// pause(2) and rt_sigsuspend(2): only a signal wakes them.
    static let pauseChannel: UInt64 = 0x4_0000_0000

    /// The channel a parent sleeps on in wait4/waitid.
    static func childChannel(_ slot: Int) -> UInt64 { 0x1_0000_0000 | UInt64(slot) }
}

extension Scheduler {
    /// The kernel context found nothing runnable. With a deadline pending
    /// (a timed sleep, an alarm) the CPU halts until the LAPIC timer fires
    /// for it (the interrupt ends the sleep, Interrupts.timer); without a
    /// LAPIC (no in-kernel irqchip) it spins on the TSC. With none, every
    /// sleep waits for another task (a pipe, a child, a signal), so none can
    /// ever wake: where Linux would hang, the VM ends with
    /// VMM_KERNEL_EXIT_DEADLOCK, naming the sleepers.
    static func idleWait() {
        Timers.expire()
        if pick() != nil { return }
        let next = Timers.earliest
        if next != Timers.none || TTYInput.live {
            // Console input can still come (TTYInput: only with a LAPIC): its interrupt ends the halt.
            if LAPIC.present {
                Timers.program()
                idle_halt()                     // sti; hlt; cli: the interrupt handler has run
            } else {
                while rdtsc() < next {}
                Timers.expire()
            }
            return
        }
        Console.write("[kernel] every process is asleep and nothing can wake one:")
        if let t = Processes.table {
            for i in 0..<Processes.slotsInUse where t[i].state == .sleeping {
                Console.write(" pid ")
                Console.dec(UInt64(UInt32(bitPattern: t[i].pid)))
            }
        }
        Console.write("\n")
        exitVM(UInt32(VMM_KERNEL_EXIT_DEADLOCK))
    }
}

/// Why Scheduler.sleep returned (Sources/GuestKernel/SLEEPING.md).
enum SleepResult {
    case woken, timedOut, interrupted
}

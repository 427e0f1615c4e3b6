import KernelSupport

/// Timed events in TSC ticks: the deadlines of timed sleeps
/// (Scheduler.sleep(on:deadline:)), the processes' ITIMER_REAL (SysTimer),
/// the running task's CPU-time timers (CPUTimers) and the preemption tick, and the one LAPIC
/// timer interrupt that serves them (program). Each sleeping task keeps its
/// own deadline (Process.deadline, 0: none); `earliest` is a lower bound of
/// them, so "has anything expired?" is one rdtsc and one compare, and the
/// table is scanned only when it says yes.
///
/// The tick runs only while more than one task is runnable (Linux's
/// NO_HZ_FULL): Scheduler.run starts or stops it at each switch, a wakeup
/// starts it; a task alone on the CPU takes no interrupts at all.
enum Timers {
    static let none = UInt64.max
    nonisolated(unsafe) static var earliest = none
    /// When the running task's time slice ends (none: no tick).
    nonisolated(unsafe) static var tick = none
    /// What the LAPIC timer is armed for (none: disarmed).
    nonisolated(unsafe) static var programmed = none
    /// The round-robin time slice in TSC ticks: 20 ms of wall time (Linux's
    /// sched_latency is 6-24 ms). Where ring 0 is emulated (~1 us an
    /// instruction) a system call takes milliseconds, so a shorter slice
    /// would mostly interrupt tasks that are about to block anyway.
    nonisolated(unsafe) static var quantum: UInt64 = 0

    static func initialize() { quantum = Clock.ticks(nanoseconds: 20_000_000) }

    static func add(_ deadline: UInt64) {
        if deadline < earliest { earliest = deadline }
    }

    @inline(__always) static var due: Bool { rdtsc() >= earliest }

    /// Ends the sleeps whose deadline has passed (.timedOut) and makes
    /// `earliest` exact again (a sleeper woken earlier left it low); whether
    /// any task woke.
    @discardableResult
    static func expire() -> Bool {
        guard let t = Processes.table else { earliest = none; return false }
        let now = rdtsc()
        var next = none
        var woke = false
        for i in 0..<Processes.slotsInUse {
            if t[i].state == .sleeping && t[i].deadline != 0 {
                let d = t[i].deadline
                if d <= now {
                    t[i].wakeReason = .timedOut
                    t[i].state = .runnable
                    woke = true
                } else if d < next {
                    next = d
                }
            }
            if t[i].itimerDeadline != 0 && t[i].state != .free && t[i].state != .zombie {
                if t[i].itimerDeadline <= now {
                    let sleeping = t[i].state == .sleeping
                    SysTimer.fire(t + i, now: now)
                    woke = woke || (sleeping && t[i].state == .runnable)
                }
                if t[i].itimerDeadline != 0 && t[i].itimerDeadline < next { next = t[i].itimerDeadline }
            }
        }
        if CPUTimers.armed != 0, let running = Processes.current { next = min(next, CPUTimers.check(running, now: now)) }
        earliest = next
        if woke { startTick() }
        return woke
    }

    /// A task became runnable beside the running one: its time slice starts.
    @inline(__always) static func startTick() {
        guard tick == none, LAPIC.present else { return }
        tick = rdtsc() &+ quantum
        program()
    }

    /// At a switch to a new task: the tick runs while another task waits for
    /// the CPU. A task made runnable starts it (startTick), so with no tick
    /// the new task is alone; a preempted or yielding one still waits; only
    /// after a sleep or an exit must the table say whether one does.
    @inline(__always) static func switched(preempted: Bool) {
        guard LAPIC.present else { return }
        if preempted {
            if tick == none { tick = rdtsc() &+ quantum }
        } else if tick != none && Scheduler.pick() == nil {
            tick = none
        }
        program()
    }

    /// Arms the LAPIC timer for the first of the earliest deadline and the
    /// tick, when that changed (one wrmsr).
    static func program() {
        guard LAPIC.present else { return }
        let next = min(earliest, tick)
        if next == programmed { return }
        programmed = next
        LAPIC.arm(next)
    }
}

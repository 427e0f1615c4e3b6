import KernelSupport

/// The timer interrupt (LAPIC vector 32; entry.S timer_entry). It comes only
/// in ring 3 or in the idle HLT: ring 0 otherwise runs with IF clear (both
/// system-call paths and every exception enter through interrupt gates or
/// SFMASK), so kernel code is never preempted. It ends the sleeps and alarms
/// that are due and, in ring 3, preempts the running task when the tick is
/// due or a sleeper just woke (round-robin, Scheduler.pick).
enum Interrupts {
    /// Timer interrupts taken since boot.
    nonisolated(unsafe) static var count: UInt64 = 0

    static func timer(_ f: UnsafeMutablePointer<trap_frame>) {
        count &+= 1
        LAPIC.endOfInterrupt()
        Timers.programmed = Timers.none                  // a one-shot: it has fired
        // The STI shadow covers HLT (SDM Vol. 2B, STI); should it not hold,
        // an interrupt taken before the HLT must not halt with nothing armed.
        if f.pointee.rip == idle_hlt_address() { f.pointee.rip &+= 1 }
        let woke = Timers.due ? Timers.expire() : false
        guard f.pointee.cs & 3 == 3, let p = Processes.current else { Timers.program(); return }
        if woke || rdtsc() >= Timers.tick {
            Timers.tick = Timers.none
            if let next = Scheduler.pick() { Scheduler.run(next) }    // back here when p runs again
        }
        Timers.program()
        if p.pointee.pendingSignals != 0 { SignalDelivery.exitToUser(p, f, syscall: -1) }
    }

    /// The UART's interrupt (PIC.swift; auto-EOI, so nothing to acknowledge):
    /// takes the received bytes into the tty (which may wake a reader or
    /// signal the foreground process group). In ring 3 a signal for the
    /// running task is delivered on the way out; a woken reader runs at the
    /// next tick or block, as after a timer interrupt that wakes one.
    static func console(_ f: UnsafeMutablePointer<trap_frame>) {
        if f.pointee.rip == idle_hlt_address() { f.pointee.rip &+= 1 }
        TTYInput.receive()
        guard f.pointee.cs & 3 == 3, let p = Processes.current else { return }
        if p.pointee.pendingSignals != 0 { SignalDelivery.exitToUser(p, f, syscall: -1) }
    }
}

@c(interrupt_handler)
func interruptHandler(_ f: UnsafeMutablePointer<trap_frame>) {
    if f.pointee.vector == PIC.consoleVector { Interrupts.console(f) } else { Interrupts.timer(f) }
}

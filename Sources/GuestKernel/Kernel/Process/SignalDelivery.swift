import KernelSupport

/// The way back to ring 3 with a signal pending (Linux's arch/x86/kernel/
/// signal.c arch_do_signal_or_restart, kernel/signal.c get_signal): default
/// actions, the restart-or-EINTR decision for an interrupted system call,
/// and the handler's rt_sigframe (SignalFrame) on the user stack; and
/// rt_sigreturn, which takes it back. Both entry paths (system calls and
/// exceptions) end here, whatever the KVM.
enum SignalDelivery {
    /// Called with the user's registers `f` when `p` has signals pending or
    /// a mask to restore. `syscall` is the number of the system call whose
    /// result is in f.rax, or -1 for an exception. Edits `f`.
    static func exitToUser(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>, syscall nr: Int64) {
        var info = QueuedSignal()
        while true {
            let sig = next(p, &info)
            if nr >= 0 { restart(p, f, nr, handler: sig) }
            if sig == 0 { break }
            if !setUp(p, f, sig, &info) {
                // force_sigsegv: no room for the frame. A SIGSEGV handler that
                // cannot run means death; another signal's turns into SIGSEGV.
                if sig == Signal.segv { kill(p, Signal.segv) }
                Signals.force(p, QueuedSignal.kernel(Signal.segv))
            }
        }
        if p.pointee.signals.restoreMask {                   // no handler ran: sigsuspend's mask goes
            p.pointee.signals.restoreMask = false
            p.pointee.signalMask = p.pointee.signals.savedMask
        }
    }

    /// get_signal: the next pending, unblocked signal with a handler (its
    /// siginfo in `info`), or 0; default actions on the way (death, stop until
    /// SIGCONT, ignore).
    static func next(_ p: UnsafeMutablePointer<Process>, _ info: inout QueuedSignal) -> Int32 {
        while true {
            let ready = p.pointee.pendingSignals & (~p.pointee.signalMask | DefaultAction.unblockable)
            if ready == 0 { return 0 }
            let sync = ready & Signals.synchronousMask
            let sig = Int32((sync != 0 ? sync : ready).trailingZeroBitCount) + 1
            let bit = DefaultAction.maskBit(sig)
            if !p.pointee.signals.queue.take(sig, into: &info) { p.pointee.pendingSignals &= ~bit }
            if sig == Signal.kill { kill(p, sig) }
            let h = Signals.handler(p, sig)
            if h == Signals.SIG_IGN { continue }
            if h != Signals.SIG_DFL { return sig }
            switch DefaultAction.of(sig) {
            case .terminate, .core: kill(p, sig)
            case .stop:
                // SIGTSTP, SIGTTIN, SIGTTOU do not stop a process whose group
                // is orphaned: nobody outside it could continue it (POSIX;
                // Linux's get_signal, is_current_pgrp_orphaned).
                if sig != Signal.stop && orphanedGroup(p.pointee.pgid) { continue }
                stop(p, sig)
            default: continue                                    // ignore, continue
            }
        }
    }

    static func kill(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) -> Never {
        killCurrent(signal: sig, frame: nil)
    }

    /// No member of group `pgid` has a parent in another group of its
    /// session (will_become_orphaned_pgrp): zombies and children of init or
    /// of the kernel do not count, as in Linux, where init's children are
    /// skipped.
    static func orphanedGroup(_ pgid: Int32) -> Bool {
        guard let t = Processes.table else { return true }
        for i in 0..<Processes.slotsInUse where t[i].pgid == pgid && t[i].state != .free && t[i].state != .zombie {
            guard t[i].parent >= 0 else { continue }
            let parent = t[t[i].parent]
            if parent.pid == 1 { continue }
            if parent.pgid != pgid && parent.sid == t[i].sid { return false }
        }
        return true
    }

    /// Stopped (reported to the parent) until SIGCONT or SIGKILL.
    static func stop(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) {
        p.pointee.stopReport = sig
        p.pointee.continueReport = false
        p.pointee.state = .stopped
        Signals.notifyParent(p, waitStatus: WaitStatus.stopped(by: sig))
        Scheduler.schedule()
    }

    /// An interrupted system call (result -ERESTART*, Errno) with a handler
    /// about to run (`handler` its signal) or none: EINTR, or RAX back to the
    /// number and RIP back over the 2-byte SYSCALL so that it runs again
    /// (handle_signal, arch_do_signal_or_restart). SA_RESTART restarts only
    /// -ERESTARTSYS calls; with no handler every one restarts, and
    /// -ERESTART_RESTARTBLOCK through restart_syscall(2).
    static func restart(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>, _ nr: Int64, handler sig: Int32) {
        let r = Int64(bitPattern: f.pointee.rax)
        guard r <= -Errno.ERESTARTSYS && r >= -Errno.ERESTART_RESTARTBLOCK else { return }
        var again: Bool
        switch -r {
        case Errno.ERESTARTNOHAND, Errno.ERESTART_RESTARTBLOCK: again = sig == 0
        case Errno.ERESTARTSYS: again = sig == 0 || Signals.action(p, sig)[1] & Signals.SA_RESTART != 0
        case Errno.ERESTARTNOINTR: again = true
        default: return
        }
        if again {
            f.pointee.rax = -r == Errno.ERESTART_RESTARTBLOCK ? 219 : UInt64(nr)
            f.pointee.rip &-= 2
        } else {
            f.pointee.rax = UInt64(bitPattern: -Errno.EINTR)
        }
    }

    /// The user's registers as a frame saves them.
    static func registers(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>) -> SignalFrame.Registers {
        let t = f.pointee, s = p.pointee.signals
        return SignalFrame.Registers(r8: t.r8, r9: t.r9, r10: t.r10, r11: t.r11, r12: t.r12, r13: t.r13, r14: t.r14, r15: t.r15,
                                     rdi: t.rdi, rsi: t.rsi, rbp: t.rbp, rbx: t.rbx, rdx: t.rdx, rax: t.rax, rcx: t.rcx,
                                     rsp: t.rsp, rip: t.rip, eflags: t.rflags, cs: UInt16(truncatingIfNeeded: t.cs),
                                     gs: 0, fs: 0, ss: UInt16(truncatingIfNeeded: t.ss),
                                     err: s.error, trapno: s.trapno, cr2: s.cr2)
    }

    /// __setup_rt_frame and signal_delivered: the frame (registers, the mask
    /// to restore, the x87/SSE state, siginfo with SA_SIGINFO) on the user
    /// stack or the alternate one, then the handler's registers (RDI signal,
    /// RSI &info, RDX &uc, RAX 0, RSP the frame: RSP + 8 16-aligned, as after
    /// a call), a reset FPU, the handler's mask. False when the frame does not
    /// fit or cannot be written, the action has no SA_RESTORER (x86_64
    /// requires one), or its handler is not a canonical user address (iretq
    /// would fault in ring 0; Linux's IRET fault is the same SIGSEGV).
    static func setUp(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>, _ sig: Int32,
                      _ info: inout QueuedSignal) -> Bool {
        let a = Signals.action(p, sig)
        let flags = a[1]
        guard flags & Signals.SA_RESTORER != 0, a[0] < 0x0000_8000_0000_0000 else { return false }
        let alt = p.pointee.signals.altStack
        guard let place = SignalFrame.place(userRSP: f.pointee.rsp, onStack: flags & Signals.SA_ONSTACK != 0, alt: alt)
        else { return false }
        let blocked = p.pointee.signals.restoreMask ? p.pointee.signals.savedMask : p.pointee.signalMask
        let scratch = p.pointee.memory.signalFrame
        let fpu = p.pointee.memory.fpu
        fxsave(fpu)                                 // the user's x87/SSE state, live in the CPU
        Signals.noteMXCSRMask(fpu)
        SignalFrame.write(scratch, place, regs: registers(p, f), blocked: blocked, restorer: a[2], alt: alt,
                          info: nil, fxsave: fpu)
        if flags & Signals.SA_SIGINFO != 0 { info.write(to: scratch + SignalFrame.siginfo, zeroed: true) }
        guard UserMemory.copyOut(p, to: place.frame, from: scratch, count: SignalFrame.span) else { return false }
        f.pointee.rip = a[0]
        f.pointee.rsp = place.frame
        f.pointee.rdi = UInt64(sig)
        f.pointee.rsi = place.info
        f.pointee.rdx = place.uc
        f.pointee.rax = 0
        f.pointee.rflags &= ~SignalFrame.entryFlagsCleared
        f.pointee.cs = UInt64(VMM_SEL_USER_CS)
        f.pointee.ss = UInt64(VMM_SEL_USER_DS)
        fxrstor(UnsafeRawPointer(bitPattern: UInt(fpu_initial_state_address()))!)   // fpu__clear_user_states
        p.pointee.signals.restoreMask = false
        var mask = p.pointee.signalMask | a[3]
        if flags & Signals.SA_NODEFER == 0 { mask |= DefaultAction.maskBit(sig) }
        p.pointee.signalMask = mask & ~DefaultAction.unblockable
        if flags & Signals.SA_RESETHAND != 0 { a[0] = Signals.SIG_DFL }
        if alt.flags & SignalFrame.Stack.autoDisarm != 0 {              // sas_ss_reset
            p.pointee.signals.altStack = SignalFrame.AltStack(sp: 0, size: 0, flags: SignalFrame.Stack.disable)
        }
        return true
    }

    /// rt_sigreturn(2): the registers, mask, alternate stack and x87/SSE
    /// state of the frame at RSP - 8 (the handler's `ret` popped pretcode).
    /// A frame that cannot be read, a non-canonical RIP or RSP, a code
    /// segment other than the user's, or x87/SSE state fxrstor would refuse
    /// gets SIGSEGV (restore_sigcontext, fpu__restore_sig: a bad frame).
    /// Returns the restored RAX.
    static func sigreturn(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>) -> Int64 {
        let scratch = p.pointee.memory.signalFrame
        let frame = f.pointee.rsp &- 8
        guard UserMemory.copyIn(p, to: scratch, from: frame, count: SignalFrame.fpOffset) else { return badFrame(p, f) }
        let r = SignalFrame.read(scratch)
        let userTop: UInt64 = 0x0000_8000_0000_0000
        guard r.regs.rip < userTop, r.regs.rsp < userTop, UInt64(r.regs.cs) | 3 == UInt64(VMM_SEL_USER_CS) else { return badFrame(p, f) }
        let fpu = p.pointee.memory.fpu
        if r.fpstate != 0 {
            guard r.fpstate & 15 == 0, UserMemory.copyIn(p, to: fpu, from: r.fpstate, count: SignalFrame.FX.size)
            else { return badFrame(p, f) }
            let mxcsr = fpu.load(fromByteOffset: SignalFrame.FX.mxcsr, as: UInt32.self)
            guard SignalFrame.sanitizedMXCSR(mxcsr, mask: Signals.mxcsrMask) == mxcsr else { return badFrame(p, f) }
            fxrstor(fpu)
        } else {
            fxrstor(UnsafeRawPointer(bitPattern: UInt(fpu_initial_state_address()))!)
        }
        p.pointee.signalMask = r.blocked & ~DefaultAction.unblockable
        let g = r.regs
        f.pointee.r8 = g.r8; f.pointee.r9 = g.r9; f.pointee.r10 = g.r10; f.pointee.r11 = g.r11
        f.pointee.r12 = g.r12; f.pointee.r13 = g.r13; f.pointee.r14 = g.r14; f.pointee.r15 = g.r15
        f.pointee.rdi = g.rdi; f.pointee.rsi = g.rsi; f.pointee.rbp = g.rbp; f.pointee.rbx = g.rbx
        f.pointee.rdx = g.rdx; f.pointee.rcx = g.rcx; f.pointee.rsp = g.rsp; f.pointee.rip = g.rip
        // Only user-settable flags (entry.S USER_RFLAGS: not RF) come from the frame.
        f.pointee.rflags = SignalFrame.restoredFlags(current: f.pointee.rflags, saved: g.eflags & ~0x1_0000)
        f.pointee.cs = UInt64(VMM_SEL_USER_CS)
        f.pointee.ss = UInt64(VMM_SEL_USER_DS)
        _ = SysSignal.setAltStack(p, r.stack, userRSP: g.rsp)    // restore_altstack: its errors are ignored
        return Int64(bitPattern: g.rax)
    }

    /// signal_fault: SIGSEGV, the registers unchanged.
    static func badFrame(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>) -> Int64 {
        Signals.force(p, QueuedSignal.kernel(Signal.segv))
        return Int64(bitPattern: f.pointee.rax)
    }
}

extension Signals {
    /// The CPU's MXCSR_MASK from the first FXSAVE image a delivery took
    /// (0: not yet seen; sanitizedMXCSR then uses 0xffbf, Intel SDM vol. 1, 11.6.6).
    nonisolated(unsafe) static var mxcsrMask: UInt32 = 0

    static func noteMXCSRMask(_ fxsave: UnsafeMutableRawPointer) {
        if mxcsrMask == 0 { mxcsrMask = fxsave.load(fromByteOffset: SignalFrame.FX.mxcsrMask, as: UInt32.self) }
    }
}

/// cpu.h's 8-byte string forms for SignalFrame.write, which the host tests
/// compile without the kernel's C headers (their doubles: HostStubs.swift).
func zeroQwords(_ dst: UnsafeMutableRawPointer, _ count: UInt64) { zero_qwords(dst, count) }
func copyQwords(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ count: UInt64) { copy_qwords(dst, src, count) }

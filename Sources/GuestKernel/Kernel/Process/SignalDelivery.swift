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
    /// `ignoringParent`: a member whose parent is that slot does not count
    /// (it is exiting, its children about to go to init).
    static func orphanedGroup(_ pgid: Int32, ignoringParent: Int32 = -1) -> Bool {
        guard let t = Processes.table else { return true }
        for i in 0..<Processes.slotsInUse where t[i].pgid == pgid && t[i].state != .free && t[i].state != .zombie {
            guard t[i].parent >= 0, t[i].parent != ignoringParent else { continue }
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

    /// Where a frame is built and read back: 8 bytes into the task's
    /// scratch, so that the FXSAVE image (frame + 456, 64-aligned in user
    /// memory, as the frame is 8 mod 16) is 16-aligned here too, as fxrstor
    /// needs it.
    static func scratch(_ p: UnsafeMutablePointer<Process>) -> UnsafeMutableRawPointer { p.pointee.memory.signalFrame + 8 }

    /// setup_sigcontext's general registers, from the trap frame straight
    /// into the sigcontext at `buf + mc` (SignalFrame.write left them zero;
    /// gs and fs stay 0).
    static func storeRegisters(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>, _ buf: UnsafeMutableRawPointer) {
        typealias M = SignalFrame.MC
        let mc = buf + SignalFrame.ucontext + SignalFrame.UC.mcontext
        func put(_ v: UInt64, _ at: Int) { mc.storeBytes(of: v, toByteOffset: at, as: UInt64.self) }
        // Field by field through the pointer: `let t = f.pointee` would copy the whole frame first.
        put(f.pointee.r8, M.r8); put(f.pointee.r9, M.r9); put(f.pointee.r10, M.r10); put(f.pointee.r11, M.r11)
        put(f.pointee.r12, M.r12); put(f.pointee.r13, M.r13); put(f.pointee.r14, M.r14); put(f.pointee.r15, M.r15)
        put(f.pointee.rdi, M.rdi); put(f.pointee.rsi, M.rsi); put(f.pointee.rbp, M.rbp); put(f.pointee.rbx, M.rbx)
        put(f.pointee.rdx, M.rdx); put(f.pointee.rax, M.rax); put(f.pointee.rcx, M.rcx); put(f.pointee.rsp, M.rsp)
        put(f.pointee.rip, M.rip); put(f.pointee.rflags, M.eflags)
        mc.storeBytes(of: UInt16(truncatingIfNeeded: f.pointee.cs), toByteOffset: M.cs, as: UInt16.self)
        mc.storeBytes(of: UInt16(truncatingIfNeeded: f.pointee.ss), toByteOffset: M.ss, as: UInt16.self)
        put(p.pointee.signals.error, M.err); put(p.pointee.signals.trapno, M.trapno); put(p.pointee.signals.cr2, M.cr2)
    }

    /// restore_sigcontext's general registers, from the sigcontext at
    /// `buf + mc` into the trap frame (RFLAGS, CS and SS apart: sigreturn).
    static func loadRegisters(_ f: UnsafeMutablePointer<trap_frame>, _ buf: UnsafeRawPointer) {
        typealias M = SignalFrame.MC
        let mc = buf + SignalFrame.ucontext + SignalFrame.UC.mcontext
        func get(_ at: Int) -> UInt64 { mc.load(fromByteOffset: at, as: UInt64.self) }
        f.pointee.r8 = get(M.r8); f.pointee.r9 = get(M.r9); f.pointee.r10 = get(M.r10); f.pointee.r11 = get(M.r11)
        f.pointee.r12 = get(M.r12); f.pointee.r13 = get(M.r13); f.pointee.r14 = get(M.r14); f.pointee.r15 = get(M.r15)
        f.pointee.rdi = get(M.rdi); f.pointee.rsi = get(M.rsi); f.pointee.rbp = get(M.rbp); f.pointee.rbx = get(M.rbx)
        f.pointee.rdx = get(M.rdx); f.pointee.rax = get(M.rax); f.pointee.rcx = get(M.rcx); f.pointee.rsp = get(M.rsp)
        f.pointee.rip = get(M.rip)
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
        let scratch = scratch(p)
        let fpu = p.pointee.memory.fpu
        fxsave(fpu)                                 // the user's x87/SSE state, live in the CPU
        Signals.noteMXCSRMask(fpu)
        SignalFrame.write(scratch, place, regs: nil, blocked: blocked, restorer: a[2], alt: alt, info: nil, fxsave: fpu)
        storeRegisters(p, f, scratch)
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
        typealias M = SignalFrame.MC
        let scratch = scratch(p)
        let frame = f.pointee.rsp &- 8
        // The whole frame in one copy when it can be read (it is where
        // setUp put it), else up to the FXSAVE area (a frame the program
        // made itself, its fpstate elsewhere or nothing readable past it).
        let whole = UserMemory.copyIn(p, to: scratch, from: frame, count: SignalFrame.span)
        guard whole || UserMemory.copyIn(p, to: scratch, from: frame, count: SignalFrame.fpOffset) else { return badFrame(p, f) }
        let mc = scratch + SignalFrame.ucontext + SignalFrame.UC.mcontext
        let rip = mc.load(fromByteOffset: M.rip, as: UInt64.self), rsp = mc.load(fromByteOffset: M.rsp, as: UInt64.self)
        let cs = mc.load(fromByteOffset: M.cs, as: UInt16.self)
        let userTop: UInt64 = 0x0000_8000_0000_0000
        guard rip < userTop, rsp < userTop, UInt64(cs) | 3 == UInt64(VMM_SEL_USER_CS) else { return badFrame(p, f) }
        let c = SignalFrame.readContext(scratch)
        if c.fpstate != 0 {
            guard c.fpstate & 15 == 0 else { return badFrame(p, f) }   // fxrstor's alignment, as from user memory
            var image = UnsafeMutableRawPointer(scratch + SignalFrame.fpOffset)
            if !whole || c.fpstate != frame &+ UInt64(SignalFrame.fpOffset) {
                image = p.pointee.memory.fpu
                guard UserMemory.copyIn(p, to: image, from: c.fpstate, count: SignalFrame.FX.size) else { return badFrame(p, f) }
            }
            let mxcsr = image.load(fromByteOffset: SignalFrame.FX.mxcsr, as: UInt32.self)
            guard SignalFrame.sanitizedMXCSR(mxcsr, mask: Signals.mxcsrMask) == mxcsr else { return badFrame(p, f) }
            fxrstor(image)
        } else {
            fxrstor(UnsafeRawPointer(bitPattern: UInt(fpu_initial_state_address()))!)
        }
        p.pointee.signalMask = c.blocked & ~DefaultAction.unblockable
        loadRegisters(f, scratch)
        // Only user-settable flags (entry.S USER_RFLAGS: not RF) come from the frame.
        let eflags = mc.load(fromByteOffset: M.eflags, as: UInt64.self)
        f.pointee.rflags = SignalFrame.restoredFlags(current: f.pointee.rflags, saved: eflags & ~0x1_0000)
        f.pointee.cs = UInt64(VMM_SEL_USER_CS)
        f.pointee.ss = UInt64(VMM_SEL_USER_DS)
        // restore_altstack (its errors are ignored); the same stack as the task's changes nothing.
        let now = p.pointee.signals.altStack
        if c.stack.sp != now.sp || c.stack.size != now.size || c.stack.flags != now.flags {
            _ = SysSignal.setAltStack(p, c.stack, userRSP: rsp)
        }
        return Int64(bitPattern: f.pointee.rax)
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

import KernelSupport

/// Exceptions 0..31 (entry.S isr_common). From ring 3: resolve a demand-zero
/// page fault, else the signal Linux sends (userFault). From ring 0:
/// report everything on the console and stop the VM (VMM_KERNEL_EXIT_KERNEL_FAULT).
@c(trap_handler)
func trapHandler(_ f: UnsafeMutablePointer<trap_frame>) {
    // The commonest trap first, with no call on its way (UserMemory.quickFault):
    // a user-mode demand fault (P=0).
    if f.pointee.vector == 14 && f.pointee.cs & 3 == 3 && f.pointee.error_code & 1 == 0, let p = Processes.current,
       UserMemory.quickFault(p, read_cr2(), write: f.pointee.error_code & 2 != 0) { return }
    trap(f)
}

@inline(never)
func trap(_ f: UnsafeMutablePointer<trap_frame>) {
    let vector = f.pointee.vector
    if f.pointee.cs & 3 == 3, let p = Processes.current {
        if vector == 14 {
            let err = f.pointee.error_code
            // Not present (P=0): demand zero where an area allows the access;
            // a write to a present page: copy-on-write.
            if err & 1 == 0, UserMemory.fault(p, read_cr2(), write: err & 2 != 0) { return }
            if err & 3 == 3, UserMemory.writeFault(p, read_cr2()) { return }
            // An access the area allows that could not be served: out of
            // memory, Linux's OOM kill (SIGKILL), not a bad access.
            if err & 1 == 0, UserMemory.allows(p, read_cr2(), write: err & 2 != 0) { killCurrent(signal: Signal.kill, frame: f) }
        }
        userFault(p, f)
        return
    }
    // A fault inside user_copy, user_zero or user_word.S: a demand-zero page is mapped and
    // the copy resumes; anything else ends it early (the caller returns EFAULT).
    if vector == 14, let fixup = userAccessFixup(f.pointee.rip) {
        let addr = read_cr2()
        let err = f.pointee.error_code
        if err & 1 == 0, let p = Processes.current, UserMemory.demandFault(p, addr, write: err & 2 != 0) { return }
        if err & 3 == 3, let p = Processes.current, UserMemory.writeFault(p, addr) { return }
        f.pointee.rip = fixup
        return
    }
    kernelFault(f)
}

/// The fixup of a ring-0 instruction that touches user memory (Linux's
/// exception table): the string instructions of user_copy and user_zero,
/// the loads and store of user_get64, user_get8 and user_put64.
func userAccessFixup(_ rip: UInt64) -> UInt64? {
    switch rip {
    case user_copy_q_address(): return user_copy_fixup_q_address()
    case user_copy_b_address(): return user_copy_fixup_b_address()
    case user_zero_q_address(): return user_zero_fixup_q_address()
    case user_zero_b_address(): return user_zero_fixup_b_address()
    case user_get64_load_address(): return user_get64_fixup_address()
    case user_put64_store_address(): return user_put64_fixup_address()
    case user_get8_load_address(): return user_get8_fixup_address()
    default: return nil
    }
}

/// A ring-3 fault the kernel cannot resolve: its signal with Linux's si_code
/// and si_addr (arch/x86/kernel/traps.c, arch/x86/mm/fault.c), through the
/// handler (SignalDelivery) when one is installed and the signal is not
/// blocked; else it kills as force_sig does, with the fault on the log.
func userFault(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<trap_frame>) {
    let vector = f.pointee.vector
    let sig = signalFor(vector: vector)
    let cr2 = vector == 14 ? read_cr2() : 0
    p.pointee.signals.trapno = vector
    p.pointee.signals.error = f.pointee.error_code
    if vector == 14 { p.pointee.signals.cr2 = cr2 }
    let h = Signals.handler(p, sig)
    if h == Signals.SIG_DFL || h == Signals.SIG_IGN || p.pointee.signalMask & DefaultAction.maskBit(sig) != 0 {
        killCurrent(signal: sig, frame: f)
    }
    let info: QueuedSignal
    switch vector {
    case 14:                                // SEGV_ACCERR where an area holds the address
        info = .fault(sig, code: p.area(of: cr2) != nil ? SigInfo.segvAccErr : SigInfo.segvMapErr, addr: cr2)
    case 0: info = .fault(sig, code: SigInfo.fpeIntDiv, addr: f.pointee.rip)
    case 6: info = .fault(sig, code: SigInfo.illIllOpn, addr: f.pointee.rip)
    case 16, 19: info = .fault(sig, code: floatingPointCode(p, simd: vector == 19), addr: f.pointee.rip)
    case 17: info = .fault(sig, code: SigInfo.busAdrAln, addr: 0)
    default: info = .kernel(sig)            // #GP, #BP (int3), ...: SI_KERNEL, no address
    }
    Signals.force(p, info)
    SignalDelivery.exitToUser(p, f, syscall: -1)
}

/// FPE_* of an x87 (#MF) or SIMD (#XM) exception: the first unmasked one
/// raised, in Linux's order (fpu__exception_code): invalid, divide by zero,
/// overflow, underflow or denormal, precision.
func floatingPointCode(_ p: UnsafeMutablePointer<Process>, simd: Bool) -> Int32 {
    let fx = p.pointee.memory.fpu
    fxsave(fx)
    let raised: UInt32
    if simd {
        let mxcsr = fx.load(fromByteOffset: SignalFrame.FX.mxcsr, as: UInt32.self)
        raised = mxcsr & ~(mxcsr >> 7) & 0x3f
    } else {
        let cwd = UInt32(fx.load(fromByteOffset: SignalFrame.FX.cwd, as: UInt16.self))
        let swd = UInt32(fx.load(fromByteOffset: SignalFrame.FX.swd, as: UInt16.self))
        raised = swd & ~cwd & 0x3f
    }
    if raised & 0x01 != 0 { return 7 }                  // FPE_FLTINV
    if raised & 0x04 != 0 { return 3 }                  // FPE_FLTDIV
    if raised & 0x08 != 0 { return 4 }                  // FPE_FLTOVF
    if raised & 0x12 != 0 { return 5 }                  // FPE_FLTUND
    if raised & 0x20 != 0 { return 6 }                  // FPE_FLTRES
    return 0
}

/// The Linux signal for a user-mode exception (arch/x86/kernel/traps.c).
func signalFor(vector: UInt64) -> Int32 {
    switch vector {
    case 0, 16, 19: return Signal.fpe       // #DE, #MF, #XM
    case 6: return Signal.ill               // #UD
    case 1, 3: return Signal.trap           // #DB, #BP
    case 17: return Signal.bus              // #AC
    default: return Signal.segv             // #GP, #PF, #SS, #NP, ...
    }
}

enum Signal {
    static let ill: Int32 = 4
    static let trap: Int32 = 5
    static let abrt: Int32 = 6
    static let bus: Int32 = 7
    static let fpe: Int32 = 8
    static let kill: Int32 = 9
    static let segv: Int32 = 11
    static let stop: Int32 = 19
}

/// Ends the current process by `signal` (wait status: the signal; a shell
/// reports 128 + signal); the kernel itself is fine and goes on.
func killCurrent(signal: Int32, frame f: UnsafeMutablePointer<trap_frame>?) -> Never {
    Console.log("pid ")
    Console.dec(UInt64(Processes.currentPid))
    Console.write(" killed by signal ")
    Console.dec(UInt64(signal))
    if let f = f {
        Console.write(" (vector ")
        Console.dec(f.pointee.vector)
        Console.write(" rip ")
        Console.hex(f.pointee.rip)
        if f.pointee.vector == 14 {                 // CR2 means something only for #PF
            Console.write(" addr ")
            Console.hex(read_cr2())
        }
        Console.write(")")
    }
    Console.endLog(killedBy: signal)
    guard let p = Processes.current else { panic("a signal with no process") }
    Processes.exit(p, waitStatus: WaitStatus.killed(by: signal, coreDumped: false))
}

func kernelFault(_ f: UnsafeMutablePointer<trap_frame>) -> Never {
    let t = f.pointee
    Console.write("\n[kernel] KERNEL FAULT vector ")
    Console.dec(t.vector)
    Console.write(" error ")
    Console.hex(t.error_code)
    Console.write(" rip ")
    Console.hex(t.rip)
    Console.write(" cr2 ")
    Console.hex(read_cr2())
    Console.write(" cr3 ")
    Console.hex(read_cr3())
    Console.write("\n  rax ")
    Console.hex(t.rax); Console.write(" rbx "); Console.hex(t.rbx); Console.write(" rcx "); Console.hex(t.rcx)
    Console.write("\n  rdx "); Console.hex(t.rdx); Console.write(" rsi "); Console.hex(t.rsi); Console.write(" rdi "); Console.hex(t.rdi)
    Console.write("\n  rbp "); Console.hex(t.rbp); Console.write(" rsp "); Console.hex(t.rsp); Console.write(" r8  "); Console.hex(t.r8)
    Console.write("\n  r9  "); Console.hex(t.r9); Console.write(" r10 "); Console.hex(t.r10); Console.write(" r11 "); Console.hex(t.r11)
    Console.write("\n  r12 "); Console.hex(t.r12); Console.write(" r13 "); Console.hex(t.r13); Console.write(" r14 "); Console.hex(t.r14)
    Console.write("\n  r15 "); Console.hex(t.r15); Console.write(" cs "); Console.hex(t.cs, digits: 4)
    Console.write(" rflags "); Console.hex(t.rflags)
    Console.write("\n  stack:")
    // A few words at the faulting RSP when it lies in the kernel image (its stacks).
    if t.rsp >= Physical.kernelVirtualBase && t.rsp & 7 == 0 && t.rsp < Physical.kernelVirtualBase + (1 << 30) {
        if let s = UnsafePointer<UInt64>(bitPattern: UInt(t.rsp)) {
            for i in 0..<6 { Console.write(" "); Console.hex(s[i]) }
        }
    }
    Console.write("\n")
    exitVM(UInt32(VMM_KERNEL_EXIT_KERNEL_FAULT))
}

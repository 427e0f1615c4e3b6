/// The Linux x86_64 signal frame (struct rt_sigframe, arch/x86/include/asm/
/// sigframe.h) that a handler finds at its RSP and rt_sigreturn reads back:
/// where it goes (arch/x86/kernel/signal.c get_sigframe; fpu/signal.c
/// fpu__alloc_mathframe) and its bytes. Pure (no kernel state), kept apart so
/// the host test target compiles it (Tests/VMMTests/KernelShared) and checks
/// every offset against the host's headers and frames the host kernel built.
///
/// FPU state: the legacy 512-byte FXSAVE image only, no XSAVE extension.
/// This kernel saves user FPU state with fxsave (xsave/xrstor are not emulated
/// in ring 0 under this KVM, platform.md), so uc_flags lacks UC_FP_XSTATE and
/// the sw_reserved bytes (fpx_sw_bytes) are zero: magic1 != FP_XSTATE_MAGIC1
/// tells readers (Linux's own fpu__restore_sig, debuggers) "fxsave only", as
/// a Linux kernel on a CPU without XSAVE writes it. glibc and musl read only
/// uc_mcontext.gregs / fpregs and return through SA_RESTORER's rt_sigreturn.
///
///     frame + 0    pretcode (sa_restorer; the handler's `ret` pops it)
///     frame + 8    struct ucontext (304 bytes)
///     frame + 312  siginfo_t (128 bytes)
///     frame + 456  fxsave area (512 bytes, 64-byte aligned)
enum SignalFrame {
    static let pretcode = 0, ucontext = 8, siginfo = 312, size = 440

    /// struct ucontext (include/uapi/asm-generic/ucontext.h), from its start.
    enum UC {
        static let flags = 0, link = 8, stack = 16, mcontext = 40, sigmask = 296, size = 304
    }
    /// stack_t: ss_sp, ss_flags (int, then 4 bytes of padding), ss_size.
    enum Stack {
        static let sp = 0, flags = 8, size = 16, byteCount = 24
        static let onStack: Int32 = 1, disable: Int32 = 2                  // SS_ONSTACK, SS_DISABLE
        static let autoDisarm: Int32 = Int32(bitPattern: 0x8000_0000)     // SS_AUTODISARM
        static let minSize: UInt64 = 2048                                  // MINSIGSTKSZ
    }
    /// struct sigcontext (arch/x86/include/uapi/asm/sigcontext.h, 64-bit),
    /// the same bytes as glibc's mcontext_t (gregs[REG_R8...REG_CR2], fpregs).
    enum MC {
        static let r8 = 0, r9 = 8, r10 = 16, r11 = 24, r12 = 32, r13 = 40, r14 = 48, r15 = 56
        static let rdi = 64, rsi = 72, rbp = 80, rbx = 88, rdx = 96, rax = 104, rcx = 112, rsp = 120
        static let rip = 128, eflags = 136, cs = 144, gs = 146, fs = 148, ss = 150
        static let err = 152, trapno = 160, oldmask = 168, cr2 = 176, fpstate = 184, reserved1 = 192, size = 256
    }
    /// struct _fpstate_64: the FXSAVE image (Intel SDM vol. 1, 10.5.1).
    enum FX {
        static let cwd = 0, swd = 2, twd = 4, fop = 6, rip = 8, rdp = 16, mxcsr = 24, mxcsrMask = 28
        static let st = 32, xmm = 160, reserved2 = 416, swReserved = 464, size = 512
        static let alignment: UInt64 = 64
    }

    static let redZone: UInt64 = 128                       // System V psABI 3.2.2
    /// UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS (arch/x86/include/uapi/asm/ucontext.h;
    /// signal.c frame_uc_flags for a 64-bit task), without UC_FP_XSTATE (see above).
    static let ucFlags: UInt64 = 0x6
    /// fpstate - frame, whatever the stack (fpstate is 64-aligned, the frame
    /// is round_down(fpstate - 440, 16) - 8), and the bytes write/read span.
    static let fpOffset = 456, span = 456 + 512

    /// The user registers a frame saves and rt_sigreturn restores.
    struct Registers {
        var r8: UInt64 = 0, r9: UInt64 = 0, r10: UInt64 = 0, r11: UInt64 = 0
        var r12: UInt64 = 0, r13: UInt64 = 0, r14: UInt64 = 0, r15: UInt64 = 0
        var rdi: UInt64 = 0, rsi: UInt64 = 0, rbp: UInt64 = 0, rbx: UInt64 = 0
        var rdx: UInt64 = 0, rax: UInt64 = 0, rcx: UInt64 = 0, rsp: UInt64 = 0
        var rip: UInt64 = 0, eflags: UInt64 = 0
        var cs: UInt16 = 0, gs: UInt16 = 0, fs: UInt16 = 0, ss: UInt16 = 0
        var err: UInt64 = 0, trapno: UInt64 = 0, cr2: UInt64 = 0
    }

    /// The task's sigaltstack (flags as sigaltstack(2) stores them: 0 for a
    /// process that never set one, as Linux's init task; SS_DISABLE once disabled).
    struct AltStack {
        var sp: UInt64 = 0, size: UInt64 = 0, flags: Int32 = 0

        /// on_sig_stack (include/linux/sched/signal.h): strictly above the
        /// base, at most base + size; never while SS_AUTODISARM is set.
        func contains(_ rsp: UInt64) -> Bool {
            flags & Stack.autoDisarm == 0 && rspInside(rsp)
        }
        /// __on_sig_stack, ignoring SS_AUTODISARM.
        func rspInside(_ rsp: UInt64) -> Bool { rsp > sp && rsp &- sp <= size }
        /// sas_ss_flags: SS_DISABLE without a stack, SS_ONSTACK on it, else 0.
        func state(at rsp: UInt64) -> Int32 { size == 0 ? Stack.disable : (contains(rsp) ? Stack.onStack : 0) }
    }

    /// Where a frame goes; the handler starts with RSP = frame, RDI = signal,
    /// RSI = info, RDX = uc, RAX = 0 (signal.c __setup_rt_frame).
    struct Placement {
        var frame: UInt64
        var fpstate: UInt64
        /// The handler runs on the alternate stack (SS_AUTODISARM then clears it).
        var entersAltStack: Bool
        var info: UInt64 { frame &+ UInt64(siginfo) }
        var uc: UInt64 { frame &+ UInt64(ucontext) }
    }

    /// get_sigframe: below the red zone of `userRSP`, or at the top of the
    /// alternate stack when the action has SA_ONSTACK and the task is not
    /// already on it; fpSize bytes of FPU state 64-aligned below that, the
    /// frame below them with (frame + 8) 16-aligned, as after a call. nil when
    /// the frame would overflow the alternate stack or wrap (Linux then
    /// delivers SIGSEGV), so no user value can make this trap.
    static func place(userRSP: UInt64, onStack: Bool, alt: AltStack, fpSize: UInt64 = UInt64(FX.size)) -> Placement? {
        let nested = alt.contains(userRSP)
        guard userRSP >= redZone else { return nil }
        var sp = userRSP - redZone
        var entering = false
        if onStack && alt.state(at: sp) == 0 {
            let (top, overflow) = alt.sp.addingReportingOverflow(alt.size)
            guard !overflow else { return nil }
            sp = top
            entering = true
        }
        guard sp >= fpSize + FX.alignment + UInt64(size) + 24 else { return nil }     // no wrap below 0
        let fp = (sp - fpSize) & ~(FX.alignment - 1)
        let frame = ((fp - UInt64(size)) & ~15) - 8
        if (nested || entering) && !alt.rspInside(frame) { return nil }
        return Placement(frame: frame, fpstate: fp, entersAltStack: entering)
    }

    /// The frame's bytes into `buf` (`span` bytes, standing for user memory
    /// from `p.frame`): restorer, ucontext (uc_stack the task's altstack,
    /// registers, `blocked` as uc_sigmask and oldmask),
    /// the 128-byte siginfo `info` (zeros when nil: no SA_SIGINFO) and the
    /// 512-byte `fxsave` image with its software-reserved bytes zeroed.
    /// `regs` nil leaves the general registers' words (MC.r8 to MC.eflags,
    /// and cs, ss, err, trapno, cr2) zero for the caller, which stores them
    /// from its own trap frame (one copy fewer: SignalDelivery.setUp).
    static func write(_ buf: UnsafeMutableRawPointer, _ p: Placement, regs: Registers?, blocked: UInt64, restorer: UInt64,
                      alt: AltStack, info: UnsafeRawPointer?, fxsave: UnsafeRawPointer) {
        zeroQwords(buf, UInt64(span / 8))          // 8-byte string forms: the 1-byte ones cost 8x in emulated ring 0
        func put(_ v: UInt64, _ at: Int) { buf.storeBytes(of: v, toByteOffset: at, as: UInt64.self) }
        func put16(_ v: UInt16, _ at: Int) { buf.storeBytes(of: v, toByteOffset: at, as: UInt16.self) }
        put(restorer, pretcode)
        put(ucFlags, ucontext + UC.flags)
        let st = ucontext + UC.stack
        put(alt.sp, st + Stack.sp)
        buf.storeBytes(of: alt.flags, toByteOffset: st + Stack.flags, as: Int32.self)   // __save_altstack: as sigaltstack set them
        put(alt.size, st + Stack.size)
        let mc = ucontext + UC.mcontext
        if let regs {
            put(regs.r8, mc + MC.r8); put(regs.r9, mc + MC.r9); put(regs.r10, mc + MC.r10); put(regs.r11, mc + MC.r11)
            put(regs.r12, mc + MC.r12); put(regs.r13, mc + MC.r13); put(regs.r14, mc + MC.r14); put(regs.r15, mc + MC.r15)
            put(regs.rdi, mc + MC.rdi); put(regs.rsi, mc + MC.rsi); put(regs.rbp, mc + MC.rbp); put(regs.rbx, mc + MC.rbx)
            put(regs.rdx, mc + MC.rdx); put(regs.rax, mc + MC.rax); put(regs.rcx, mc + MC.rcx); put(regs.rsp, mc + MC.rsp)
            put(regs.rip, mc + MC.rip); put(regs.eflags, mc + MC.eflags)
            put16(regs.cs, mc + MC.cs); put16(regs.ss, mc + MC.ss)          // setup_sigcontext: gs = fs = 0
            put(regs.err, mc + MC.err); put(regs.trapno, mc + MC.trapno); put(regs.cr2, mc + MC.cr2)
        }
        put(blocked, mc + MC.oldmask); put(p.fpstate, mc + MC.fpstate)
        put(blocked, ucontext + UC.sigmask)
        if let info = info { copyQwords(buf + siginfo, info, UInt64(SigInfo.size / 8)) }
        copyQwords(buf + fpOffset, fxsave, UInt64(FX.swReserved / 8))
    }

    /// What rt_sigreturn takes back from a frame at `buf` (user RSP - 8 at
    /// the call: the handler's `ret` popped pretcode).
    struct Restored {
        var regs = Registers()
        var blocked: UInt64 = 0
        var fpstate: UInt64 = 0                 // user address of the FXSAVE image, 0 for none
        var stack = AltStack()                  // uc_stack, for restore_altstack
        var flags: UInt64 = 0                   // uc_flags
    }

    /// All of it; `readContext` without the general registers, which
    /// rt_sigreturn loads straight into its trap frame (SignalDelivery).
    static func read(_ buf: UnsafeRawPointer) -> Restored {
        func get(_ at: Int) -> UInt64 { buf.load(fromByteOffset: at, as: UInt64.self) }
        func get16(_ at: Int) -> UInt16 { buf.load(fromByteOffset: at, as: UInt16.self) }
        let mc = ucontext + UC.mcontext
        let c = readContext(buf)
        var r = Restored(blocked: c.blocked, fpstate: c.fpstate, stack: c.stack, flags: c.flags)
        r.regs = Registers(r8: get(mc + MC.r8), r9: get(mc + MC.r9), r10: get(mc + MC.r10), r11: get(mc + MC.r11),
                           r12: get(mc + MC.r12), r13: get(mc + MC.r13), r14: get(mc + MC.r14), r15: get(mc + MC.r15),
                           rdi: get(mc + MC.rdi), rsi: get(mc + MC.rsi), rbp: get(mc + MC.rbp), rbx: get(mc + MC.rbx),
                           rdx: get(mc + MC.rdx), rax: get(mc + MC.rax), rcx: get(mc + MC.rcx), rsp: get(mc + MC.rsp),
                           rip: get(mc + MC.rip), eflags: get(mc + MC.eflags),
                           cs: get16(mc + MC.cs), gs: get16(mc + MC.gs), fs: get16(mc + MC.fs), ss: get16(mc + MC.ss),
                           err: get(mc + MC.err), trapno: get(mc + MC.trapno), cr2: get(mc + MC.cr2))
        return r
    }

    /// What a frame holds besides the general registers.
    struct Context {
        var blocked: UInt64, fpstate: UInt64, stack: AltStack, flags: UInt64
    }

    static func readContext(_ buf: UnsafeRawPointer) -> Context {
        func get(_ at: Int) -> UInt64 { buf.load(fromByteOffset: at, as: UInt64.self) }
        let mc = ucontext + UC.mcontext, st = ucontext + UC.stack
        return Context(blocked: get(ucontext + UC.sigmask), fpstate: get(mc + MC.fpstate),
                       stack: AltStack(sp: get(st + Stack.sp), size: get(st + Stack.size),
                                       flags: buf.load(fromByteOffset: st + Stack.flags, as: Int32.self)),
                       flags: get(ucontext + UC.flags))
    }

    /// RFLAGS bits rt_sigreturn takes from the frame (signal.c FIX_EFLAGS:
    /// AC OF DF TF SF ZF AF PF CF RF); the rest (IF, IOPL, ...) stay the kernel's.
    static let fixEflags: UInt64 = 0x4_0000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x1_0000
    static func restoredFlags(current: UInt64, saved: UInt64) -> UInt64 { (current & ~fixEflags) | (saved & fixEflags) }
    /// Cleared in RFLAGS when a handler starts (signal.c handle_signal: DF, RF, TF).
    static let entryFlagsCleared: UInt64 = 0x400 | 0x1_0000 | 0x100

    /// MXCSR from a user FXSAVE image, its reserved bits cleared so fxrstor
    /// cannot #GP in ring 0 (Linux: mxcsr_feature_mask); `mask` is the CPU's
    /// MXCSR_MASK, 0xffbf when fxsave reported 0 (Intel SDM vol. 1, 11.6.6).
    static func sanitizedMXCSR(_ value: UInt32, mask: UInt32) -> UInt32 { value & (mask == 0 ? 0xffbf : mask) }
}

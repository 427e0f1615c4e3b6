import Testing

/// The guest kernel's signal frame (Sources/GuestKernel/Kernel/Process/
/// SignalFrame.swift, compiled here through KernelShared/) against the host:
/// every offset against the kernel's uapi headers (<asm/sigcontext.h>,
/// <asm/ucontext.h>, <asm/siginfo.h>) and glibc's ucontext_t, and placement
/// and bytes against frames the host kernel built for real handlers
/// (plain stack, sigaltstack, nested on it, SS_AUTODISARM).
@Suite struct KernelSignalFrameTests {
    typealias F = SignalFrame

    /// (C expression, the Swift constant it must equal).
    static let offsets: [(String, Int)] = [
        ("sizeof(struct rt_sigframe)", F.size), ("offsetof(struct rt_sigframe, pretcode)", F.pretcode),
        ("offsetof(struct rt_sigframe, uc)", F.ucontext), ("offsetof(struct rt_sigframe, info)", F.siginfo),
        ("sizeof(struct ucontext)", F.UC.size), ("offsetof(struct ucontext, uc_flags)", F.UC.flags),
        ("offsetof(struct ucontext, uc_link)", F.UC.link), ("offsetof(struct ucontext, uc_stack)", F.UC.stack),
        ("offsetof(struct ucontext, uc_mcontext)", F.UC.mcontext), ("offsetof(struct ucontext, uc_sigmask)", F.UC.sigmask),
        ("sizeof(stack_t)", F.Stack.byteCount), ("offsetof(stack_t, ss_sp)", F.Stack.sp),
        ("offsetof(stack_t, ss_flags)", F.Stack.flags), ("offsetof(stack_t, ss_size)", F.Stack.size),
        ("SS_ONSTACK", Int(F.Stack.onStack)), ("SS_DISABLE", Int(F.Stack.disable)),
        ("(int)SS_AUTODISARM", Int(F.Stack.autoDisarm)), ("MINSIGSTKSZ", Int(F.Stack.minSize)),
        ("sizeof(struct sigcontext)", F.MC.size),
        ("offsetof(struct sigcontext, r8)", F.MC.r8), ("offsetof(struct sigcontext, r9)", F.MC.r9),
        ("offsetof(struct sigcontext, r10)", F.MC.r10), ("offsetof(struct sigcontext, r11)", F.MC.r11),
        ("offsetof(struct sigcontext, r12)", F.MC.r12), ("offsetof(struct sigcontext, r13)", F.MC.r13),
        ("offsetof(struct sigcontext, r14)", F.MC.r14), ("offsetof(struct sigcontext, r15)", F.MC.r15),
        ("offsetof(struct sigcontext, rdi)", F.MC.rdi), ("offsetof(struct sigcontext, rsi)", F.MC.rsi),
        ("offsetof(struct sigcontext, rbp)", F.MC.rbp), ("offsetof(struct sigcontext, rbx)", F.MC.rbx),
        ("offsetof(struct sigcontext, rdx)", F.MC.rdx), ("offsetof(struct sigcontext, rax)", F.MC.rax),
        ("offsetof(struct sigcontext, rcx)", F.MC.rcx), ("offsetof(struct sigcontext, rsp)", F.MC.rsp),
        ("offsetof(struct sigcontext, rip)", F.MC.rip), ("offsetof(struct sigcontext, eflags)", F.MC.eflags),
        ("offsetof(struct sigcontext, cs)", F.MC.cs), ("offsetof(struct sigcontext, gs)", F.MC.gs),
        ("offsetof(struct sigcontext, fs)", F.MC.fs), ("offsetof(struct sigcontext, ss)", F.MC.ss),
        ("offsetof(struct sigcontext, err)", F.MC.err), ("offsetof(struct sigcontext, trapno)", F.MC.trapno),
        ("offsetof(struct sigcontext, oldmask)", F.MC.oldmask), ("offsetof(struct sigcontext, cr2)", F.MC.cr2),
        ("offsetof(struct sigcontext, fpstate)", F.MC.fpstate), ("offsetof(struct sigcontext, reserved1)", F.MC.reserved1),
        ("sizeof(struct _fpstate_64)", F.FX.size), ("offsetof(struct _fpstate_64, cwd)", F.FX.cwd),
        ("offsetof(struct _fpstate_64, swd)", F.FX.swd), ("offsetof(struct _fpstate_64, twd)", F.FX.twd),
        ("offsetof(struct _fpstate_64, fop)", F.FX.fop), ("offsetof(struct _fpstate_64, rip)", F.FX.rip),
        ("offsetof(struct _fpstate_64, rdp)", F.FX.rdp), ("offsetof(struct _fpstate_64, mxcsr)", F.FX.mxcsr),
        ("offsetof(struct _fpstate_64, mxcsr_mask)", F.FX.mxcsrMask), ("offsetof(struct _fpstate_64, st_space)", F.FX.st),
        ("offsetof(struct _fpstate_64, xmm_space)", F.FX.xmm), ("offsetof(struct _fpstate_64, reserved2)", F.FX.reserved2),
        ("offsetof(struct _fpstate_64, sw_reserved)", F.FX.swReserved),
        ("UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS", Int(F.ucFlags)),
        ("sizeof(siginfo_t)", SigInfo.size), ("offsetof(siginfo_t, si_signo)", SigInfo.signo),
        ("offsetof(siginfo_t, si_errno)", SigInfo.errno), ("offsetof(siginfo_t, si_code)", SigInfo.code),
        ("offsetof(siginfo_t, si_pid)", SigInfo.pid), ("offsetof(siginfo_t, si_uid)", SigInfo.uid),
        ("offsetof(siginfo_t, si_status)", SigInfo.status), ("offsetof(siginfo_t, si_utime)", SigInfo.utime),
        ("offsetof(siginfo_t, si_stime)", SigInfo.stime), ("offsetof(siginfo_t, si_addr)", SigInfo.addr),
        ("offsetof(siginfo_t, si_value)", SigInfo.value),
        ("CLD_EXITED", Int(SigInfo.cldExited)), ("CLD_KILLED", Int(SigInfo.cldKilled)), ("CLD_DUMPED", Int(SigInfo.cldDumped)),
        ("CLD_TRAPPED", Int(SigInfo.cldTrapped)), ("CLD_STOPPED", Int(SigInfo.cldStopped)),
        ("CLD_CONTINUED", Int(SigInfo.cldContinued)), ("SI_USER", Int(SigInfo.siUser)), ("SI_KERNEL", Int(SigInfo.siKernel)),
        ("SI_QUEUE", Int(SigInfo.siQueue)), ("SI_TIMER", Int(SigInfo.siTimer)), ("SI_TKILL", Int(SigInfo.siTkill)),
        ("SEGV_MAPERR", Int(SigInfo.segvMapErr)), ("SEGV_ACCERR", Int(SigInfo.segvAccErr)), ("ILL_ILLOPN", Int(SigInfo.illIllOpn)),
        ("FPE_INTDIV", Int(SigInfo.fpeIntDiv)), ("TRAP_BRKPT", Int(SigInfo.trapBrkpt)), ("BUS_ADRALN", Int(SigInfo.busAdrAln)),
        ("WNOHANG", Int(WaitOptions.noHang)), ("WUNTRACED", Int(WaitOptions.untraced)), ("WEXITED", Int(WaitOptions.exited)),
        ("WCONTINUED", Int(WaitOptions.continued)), ("WNOWAIT", Int(WaitOptions.noWait)), ("(int)__WCLONE", Int(WaitOptions.clone)),
        ("__WALL", Int(WaitOptions.all)), ("__WNOTHREAD", Int(WaitOptions.noThread)),
        ("P_ALL", Int(WaitOptions.idAll)), ("P_PID", Int(WaitOptions.idPid)), ("P_PGID", Int(WaitOptions.idPgid)),
        ("P_PIDFD", Int(WaitOptions.idPidfd)),
    ]

    /// The kernel's own headers only (no glibc <signal.h>, whose types clash).
    static var offsetSource: String {
        """
        #include <stddef.h>
        #include <stdio.h>
        #include <linux/signal.h>
        #include <linux/wait.h>
        #include <asm/siginfo.h>
        #include <asm/sigcontext.h>
        #include <asm/ucontext.h>
        #ifndef P_PIDFD
        #define P_PIDFD 3
        #endif
        /* arch/x86/include/asm/sigframe.h (not uapi), 64-bit. */
        struct rt_sigframe { char *pretcode; struct ucontext uc; siginfo_t info; };
        int main(void) {
        """ + offsets.map { "    printf(\"%lld\\n\", (long long)(\($0.0)));\n" }.joined() + "    return 0;\n}\n"
    }

    @Test func everyOffsetAndConstantMatchesTheKernelHeaders() throws {
        let r = try HostCProgram.run("sigframe-offsets", source: Self.offsetSource)
        #expect(r.status == 0, "\(r.stderr)")
        let values = r.stdout.split(separator: "\n").map { Int($0) }
        #expect(values.count == Self.offsets.count)
        for ((expr, mine), host) in zip(Self.offsets, values) { #expect(host == mine, "\(expr): host \(host ?? -1), kernel \(mine)") }
    }

    /// glibc's view (what a handler reads): mcontext_t.gregs are the sigcontext words in REG_* order.
    @Test func glibcUcontextHasTheSameLayout() throws {
        let regs = ["R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "RDI", "RSI", "RBP", "RBX", "RDX", "RAX", "RCX",
                    "RSP", "RIP", "EFL", "CSGSFS", "ERR", "TRAPNO", "OLDMASK", "CR2"]
        let source = """
            #define _GNU_SOURCE
            #include <stddef.h>
            #include <stdio.h>
            #include <ucontext.h>
            int main(void) {
                printf("%zu %zu %zu %zu\\n", offsetof(ucontext_t, uc_stack), offsetof(ucontext_t, uc_mcontext),
                       offsetof(ucontext_t, uc_sigmask), offsetof(ucontext_t, uc_mcontext.fpregs));
            """ + regs.map { "    printf(\"%zu\\n\", offsetof(ucontext_t, uc_mcontext.gregs[REG_\($0)]));\n" }.joined() + "}\n"
        let r = try HostCProgram.run("sigframe-glibc", source: source)
        let lines = r.stdout.split(separator: "\n")
        try #require(lines.count == 1 + regs.count, "\(r.stderr)")
        #expect(lines[0] == "\(F.UC.stack) \(F.UC.mcontext) \(F.UC.sigmask) \(F.UC.mcontext + F.MC.fpstate)")
        let mine = [F.MC.r8, F.MC.r9, F.MC.r10, F.MC.r11, F.MC.r12, F.MC.r13, F.MC.r14, F.MC.r15, F.MC.rdi, F.MC.rsi,
                    F.MC.rbp, F.MC.rbx, F.MC.rdx, F.MC.rax, F.MC.rcx, F.MC.rsp, F.MC.rip, F.MC.eflags, F.MC.cs,
                    F.MC.err, F.MC.trapno, F.MC.oldmask, F.MC.cr2]
        for (i, name) in regs.enumerated() { #expect(Int(lines[i + 1]) == F.UC.mcontext + mine[i], "REG_\(name)") }
    }

    static let framesSource = #"""
    #define _GNU_SOURCE
    #include <signal.h>
    #include <stdint.h>
    #include <stdio.h>
    #include <string.h>
    #include <sys/syscall.h>
    #include <ucontext.h>
    #include <unistd.h>

    /* Signal frames the host kernel builds, copied out by the handler: frame
       (ucontext - 8) up to uc_mcontext.fpregs, then the 512 bytes at uc_mcontext.fpregs. */
    struct rec {
        const char *name; int onstack; stack_t alt;
        uint64_t frame, fp, fpsize; unsigned char bytes[968];
        uint64_t g[NGREG], mask0, ucflags, sssp, sssize; int ssflags;
    };
    static struct rec recs[8];
    static int nrec;
    static const char *cur_name;
    static int cur_onstack;
    static stack_t cur_alt;
    static void (*nested)(void);

    static void handler(int sig, siginfo_t *si, void *ucv) {
        ucontext_t *uc = ucv;
        struct rec *r = &recs[nrec++];
        r->name = cur_name; r->onstack = cur_onstack; r->alt = cur_alt;
        r->frame = (uint64_t)uc - 8;
        r->fp = (uint64_t)uc->uc_mcontext.fpregs;
        uint32_t magic, ext;
        memcpy(&magic, (char *)r->fp + 464, 4); memcpy(&ext, (char *)r->fp + 468, 4);
        r->fpsize = magic == 0x46505853U ? ext : 512;
        if (r->fp - r->frame == 456) {     /* else the test reports the placement */
            memcpy(r->bytes, (void *)r->frame, 456);
            memcpy(r->bytes + 456, (void *)r->fp, 512);
        }
        memcpy(r->g, uc->uc_mcontext.gregs, sizeof r->g);
        memcpy(&r->mask0, &uc->uc_sigmask, 8);
        r->ucflags = uc->uc_flags; r->sssp = (uint64_t)uc->uc_stack.ss_sp;
        r->sssize = uc->uc_stack.ss_size; r->ssflags = uc->uc_stack.ss_flags;
        if ((char *)si != (char *)uc + 304) printf("siginfo not after ucontext\n");
        if (nested) { void (*f)(void) = nested; nested = 0; f(); }
    }

    static void deliver_sig(int sig, const char *name, int onstack) {
        struct sigaction sa; memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = handler; sa.sa_flags = SA_SIGINFO | (onstack ? SA_ONSTACK : 0);
        sigaction(sig, &sa, NULL);
        cur_name = name; cur_onstack = onstack;
        syscall(SYS_kill, getpid(), sig);
    }
    static void deliver(const char *name, int onstack) { deliver_sig(SIGUSR1, name, onstack); }
    /* SIGUSR1 is blocked in its handler: the nested one is another signal. */
    static void nested_usr1(void) { deliver_sig(SIGTERM, "nested", 1); }

    static char altstack[65536] __attribute__((aligned(64)));

    int main(void) {
        sigset_t m; sigemptyset(&m); sigaddset(&m, SIGUSR2); sigprocmask(SIG_SETMASK, &m, NULL);
        cur_alt.ss_flags = SS_DISABLE;
        deliver("plain", 0);
        cur_alt = (stack_t){.ss_sp = altstack + 100, .ss_size = 40000, .ss_flags = 0};
        sigaltstack(&cur_alt, NULL);
        deliver("altstack-unused", 0);
        deliver("altstack", 1);
        nested = nested_usr1;
        deliver("outer", 1);
        cur_alt.ss_flags = (int)(1U << 31); /* SS_AUTODISARM (linux/signal.h) */
        sigaltstack(&cur_alt, NULL);
        deliver("autodisarm", 1);
        for (int i = 0; i < nrec; i++) {
            struct rec *r = &recs[i];
            printf("%s onstack %d altsp %#llx altsize %#llx altflags %d frame %#llx fp %#llx fpsize %llu "
                   "rip %#llx rsp %#llx efl %#llx csgsfs %#llx err %#llx trapno %#llx oldmask %#llx cr2 %#llx "
                   "mask %#llx ucflags %#llx sssp %#llx sssize %#llx ssflags %d rdi %#llx r15 %#llx\n",
                   r->name, r->onstack, (unsigned long long)r->alt.ss_sp, (unsigned long long)r->alt.ss_size, r->alt.ss_flags,
                   (unsigned long long)r->frame, (unsigned long long)r->fp, (unsigned long long)r->fpsize,
                   (unsigned long long)r->g[REG_RIP], (unsigned long long)r->g[REG_RSP], (unsigned long long)r->g[REG_EFL],
                   (unsigned long long)r->g[REG_CSGSFS], (unsigned long long)r->g[REG_ERR], (unsigned long long)r->g[REG_TRAPNO],
                   (unsigned long long)r->g[REG_OLDMASK], (unsigned long long)r->g[REG_CR2], (unsigned long long)r->mask0,
                   (unsigned long long)r->ucflags, (unsigned long long)r->sssp, (unsigned long long)r->sssize, r->ssflags,
                   (unsigned long long)r->g[REG_RDI], (unsigned long long)r->g[REG_R15]);
            printf("bytes");
            for (int b = 0; b < 968; b++) printf("%s%02x", b ? "" : " ", r->bytes[b]);
            printf("\n");
        }
        return 0;
    }
    """#

    struct HostFrame {
        var name: Substring
        var v: [Substring: UInt64] = [:]
        var bytes: [UInt8] = []
        subscript(_ k: Substring) -> UInt64 { v[k] ?? 0xdead }
        var alt: F.AltStack { F.AltStack(sp: self["altsp"], size: self["altsize"], flags: Int32(truncatingIfNeeded: Int64(bitPattern: self["altflags"]))) }
    }

    static func hostFrames() throws -> [HostFrame] {
        let r = try HostCProgram.run("sigframe-frames", source: framesSource)
        #expect(r.status == 0 && !r.stdout.contains("not after"), "\(r.stderr)")
        var frames: [HostFrame] = []
        for line in r.stdout.split(separator: "\n") {
            let w = line.split(separator: " ")
            if w.first == "bytes", w.count == 2, !frames.isEmpty {
                let hex = Array(w[1].utf8)
                frames[frames.count - 1].bytes = stride(from: 0, to: hex.count - 1, by: 2).map {
                    UInt8(String(decoding: hex[$0...$0 + 1], as: UTF8.self), radix: 16) ?? 0
                }
            } else if let name = w.first {
                var f = HostFrame(name: name)
                for i in stride(from: 1, to: w.count - 1, by: 2) {
                    let s = w[i + 1]
                    f.v[w[i]] = s.hasPrefix("0x") ? UInt64(s.dropFirst(2), radix: 16) : Int64(s).map { UInt64(bitPattern: $0) }
                }
                frames.append(f)
            }
        }
        #expect(frames.map(\.name) == ["plain", "altstack-unused", "altstack", "outer", "nested", "autodisarm"])
        return frames
    }

    /// get_sigframe's placement, given the host's FPU area size (its XSAVE
    /// size from sw_reserved; this kernel's is 512), lands where the host's did.
    @Test func placementMatchesTheHostKernel() throws {
        for f in try Self.hostFrames() {
            let p = try #require(F.place(userRSP: f["rsp"], onStack: f["onstack"] == 1, alt: f.alt, fpSize: f["fpsize"]), "\(f.name)")
            #expect(p.frame == f["frame"] && p.fpstate == f["fp"], "\(f.name): kernel \(p.frame) \(p.fpstate), host \(f["frame"]) \(f["fp"])")
            #expect(p.entersAltStack == (f.name == "altstack" || f.name == "outer" || f.name == "autodisarm"), "\(f.name)")
            #expect((p.frame + 8) % 16 == 0 && p.fpstate % 64 == 0 && p.uc == f["frame"] + 8 && p.info == f["frame"] + 312)
            // With this kernel's 512 bytes, the frame is always 456 below the FXSAVE area.
            let mine = try #require(F.place(userRSP: f["rsp"], onStack: f["onstack"] == 1, alt: f.alt))
            #expect(mine.fpstate - mine.frame == UInt64(F.fpOffset))
        }
    }

    /// read() of the host's frames gives what glibc's ucontext_t showed; write()
    /// of what read() returned gives the host's bytes back, but for what Linux
    /// leaves unwritten (stack_t padding, reserved1, the gap before the FPU
    /// area), the XSAVE flag and sw_reserved bytes (this kernel: fxsave only).
    @Test func hostFramesReadBackAndRewriteByteForByte() throws {
        for f in try Self.hostFrames() {
            try #require(f.bytes.count == F.span, "\(f.name)")
            let r = f.bytes.withUnsafeBytes { F.read($0.baseAddress!) }
            #expect(r.regs.rip == f["rip"] && r.regs.rsp == f["rsp"] && r.regs.eflags == f["efl"] && r.regs.rdi == f["rdi"], "\(f.name)")
            #expect(r.regs.r15 == f["r15"] && r.regs.err == f["err"] && r.regs.trapno == f["trapno"] && r.regs.cr2 == f["cr2"])
            let csgsfs = UInt64(r.regs.cs) | UInt64(r.regs.gs) << 16 | UInt64(r.regs.fs) << 32 | UInt64(r.regs.ss) << 48
            #expect(csgsfs == f["csgsfs"], "\(f.name)")
            // SIGUSR2 blocked; in the nested handler SIGUSR1 (its handler's) too.
            #expect(r.blocked == f["mask"] && r.blocked == f["oldmask"] && r.blocked == (f.name == "nested" ? 0xa00 : 0x800))
            #expect(r.fpstate == f["fp"] && r.flags == f["ucflags"] && r.flags & ~1 == F.ucFlags)
            #expect(r.stack.sp == f["sssp"] && r.stack.size == f["sssize"] && UInt64(bitPattern: Int64(r.stack.flags)) == f["ssflags"])
            #expect(r.stack.flags == f.alt.flags || (f.alt.flags == F.Stack.disable && r.stack.flags == 0))

            var out = [UInt8](repeating: 0xee, count: F.span)
            let p = F.Placement(frame: f["frame"], fpstate: f["fp"], entersAltStack: false)
            let restorer = f.bytes.withUnsafeBytes { $0.load(fromByteOffset: F.pretcode, as: UInt64.self) }
            out.withUnsafeMutableBytes { o in
                f.bytes.withUnsafeBytes { b in
                    F.write(o.baseAddress!, p, regs: r.regs, blocked: r.blocked, restorer: restorer, alt: r.stack,
                            info: b.baseAddress! + F.siginfo, fxsave: b.baseAddress! + F.fpOffset)
                }
            }
            let mc = F.ucontext + F.UC.mcontext
            let unwritten = [F.ucontext + F.UC.flags..<F.ucontext + F.UC.flags + 8,
                             F.ucontext + F.UC.stack + 12..<F.ucontext + F.UC.stack + 16,
                             mc + F.MC.reserved1..<mc + F.MC.size, F.size..<F.fpOffset,
                             F.fpOffset + F.FX.swReserved..<F.span]
            for i in 0..<F.span where !unwritten.contains(where: { $0.contains(i) }) {
                if out[i] != f.bytes[i] { Issue.record("\(f.name): byte \(i): kernel \(out[i]), host \(f.bytes[i])") }
            }
            #expect(out[F.fpOffset + F.FX.swReserved..<F.span].allSatisfy { $0 == 0 })
            #expect(out[mc + F.MC.reserved1..<mc + F.MC.size].allSatisfy { $0 == 0 })
            #expect(out.withUnsafeBytes { $0.load(fromByteOffset: F.ucontext + F.UC.flags, as: UInt64.self) } == F.ucFlags)
        }
    }

    @Test func noUserStackPointerOrAltStackMakesPlacementTrap() {
        let alt = F.AltStack(sp: 0x10_0000, size: 0x4000, flags: 0)
        for rsp: UInt64 in [0, 8, 127, 128, 1000, 1200, 0x10_0000, 0x10_0001, 0x10_4000, 0xffff_ffff_ffff_fff0, .max] {
            for onStack in [false, true] {
                for a in [alt, F.AltStack(), F.AltStack(sp: .max - 10, size: 100, flags: 0), F.AltStack(sp: 0, size: 500, flags: 0)] {
                    if let p = F.place(userRSP: rsp, onStack: onStack, alt: a) {
                        #expect((p.frame + 8) % 16 == 0 && p.fpstate % 64 == 0 && p.fpstate - p.frame == UInt64(F.fpOffset))
                        #expect(p.fpstate + 512 <= (p.entersAltStack ? a.sp + a.size : rsp - 128))
                    }
                }
            }
        }
        // Too small an alternate stack: SIGSEGV (nil), as Linux's "bogus address".
        #expect(F.place(userRSP: 0x7fff_0000, onStack: true, alt: F.AltStack(sp: 0x10_0000, size: 900, flags: 0)) == nil)
        #expect(F.place(userRSP: 0x7fff_0000, onStack: true, alt: F.AltStack(sp: 0x10_0000, size: 1024, flags: 0)) != nil)
        // Nested on the alternate stack and running off its bottom.
        #expect(F.place(userRSP: 0x10_0000 + 600, onStack: true, alt: alt) == nil)
    }

    @Test func sigreturnTakesOnlyTheUserFlagsAndSaneMXCSR() {
        let kernel: UInt64 = 0x202 | 0x3000                     // IF, IOPL 3
        let user: UInt64 = 0xffff_ffff                          // everything, incl. IF, IOPL, VM, NT
        #expect(F.restoredFlags(current: kernel, saved: user) == (0x202 | 0x3000 | 0x50dd5))
        #expect(F.restoredFlags(current: kernel, saved: 0) == 0x3202)
        #expect(F.sanitizedMXCSR(0xffff_ffff, mask: 0) == 0xffbf)
        #expect(F.sanitizedMXCSR(0xffff_ffff, mask: 0x2_ffff) == 0x2_ffff)
        #expect(F.entryFlagsCleared == 0x10500)
    }
}

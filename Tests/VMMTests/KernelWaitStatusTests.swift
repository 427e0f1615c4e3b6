import Testing

/// The guest kernel's wait-status encoding, waitid siginfo and default signal
/// actions (Sources/GuestKernel/Kernel/Process/WaitStatus.swift, compiled here
/// through KernelShared/) against the host: glibc's <sys/wait.h> macros on
/// every 16-bit status, and the statuses and siginfo the host kernel reports
/// for real children that exit, die, stop and continue.
@Suite struct KernelWaitStatusTests {
    static let source = #"""
    #define _GNU_SOURCE
    #include <signal.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <poll.h>
    #include <sys/prctl.h>
    #include <sys/resource.h>
    #include <sys/syscall.h>
    #include <sys/wait.h>
    #include <unistd.h>

    /* A child with every signal at its default action and unblocked (the test
       runner may ignore some, which exec keeps), and no core dumps. */
    static void fresh(void) {
        /* The system call: glibc's sigaction refuses 32 and 33, which it catches. */
        struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } dfl = {0};
        for (int s = 1; s <= 64; s++) syscall(SYS_rt_sigaction, s, &dfl, NULL, 8);
        sigset_t none; sigemptyset(&none); sigprocmask(SIG_SETMASK, &none, NULL);
        struct rlimit one = {1, 1}; setrlimit(RLIMIT_CORE, &one);   /* < a page: no dump, piped or not */
        prctl(PR_SET_DUMPABLE, 0);
    }

    /* One event of `pid`: waitid's siginfo (WNOWAIT) then wait4's status. */
    static int event(const char *what, long arg, pid_t pid) {
        siginfo_t si; memset(&si, 0, sizeof si);
        if (waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WCONTINUED | WNOWAIT) != 0) { perror("waitid"); exit(1); }
        int st = 0;
        if (waitpid(pid, &st, WUNTRACED | WCONTINUED) != pid) { perror("waitpid"); exit(1); }
        printf("%s %ld status %d signo %d code %d sistatus %d pid %d uid %d\n", what, arg, st, si.si_signo,
               si.si_code, si.si_status, si.si_pid == pid, si.si_uid == getuid());
        return st;
    }

    int main(void) {
        for (int s = 0; s < 0x10000; s++)
            printf("decode %d %d %d %d %d %d %d %d %d\n", s, !!WIFEXITED(s), WEXITSTATUS(s), !!WIFSIGNALED(s),
                   WTERMSIG(s), !!WCOREDUMP(s), !!WIFSTOPPED(s), WSTOPSIG(s), !!WIFCONTINUED(s));
        long codes[] = {0, 1, 42, 127, 255, 256, 257, -1};
        for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) _exit((int)codes[i]);
            event("exit", codes[i], pid);
        }
        /* Each signal at its default action. A child that lives on says so on
           `ready` and waits for `go` to close, so no event races another. */
        for (int s = 1; s <= 64; s++) {
            int ready[2], go[2];
            if (pipe(ready) || pipe(go)) { perror("pipe"); return 1; }
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) {
                close(ready[0]); close(go[1]); fresh();
                syscall(SYS_kill, getpid(), s);
                char c = 1, d;
                if (write(ready[1], &c, 1) != 1 || read(go[0], &d, 1) != 0) _exit(99);
                _exit(100);
            }
            close(ready[1]); close(go[0]);
            for (;;) {             /* until it lives on (a byte) or dies or stops (waitid) */
                siginfo_t si; memset(&si, 0, sizeof si);
                if (waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) break;
                struct pollfd p = {ready[0], POLLIN, 0};
                if (poll(&p, 1, 10) == 1 && (p.revents & POLLIN)) break;
            }
            int st = 0;
            siginfo_t si; memset(&si, 0, sizeof si);
            waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT);
            if (si.si_pid == pid) st = event("signal", s, pid);
            if (si.si_pid == pid && WIFSTOPPED(st)) {
                kill(pid, SIGCONT);
                event("continue", s, pid);
            }
            close(go[1]);
            if (si.si_pid != pid || WIFSTOPPED(st)) event(si.si_pid == pid ? "after" : "signal", s, pid);
            close(ready[0]);
        }
        return 0;
    }
    """#

    struct Event { let kind: String; let arg: Int32; let status: Int32; let signo: Int32; let code: Int32; let siStatus: Int32 }

    static func hostOutput() throws -> [Substring] {
        let r = try HostCProgram.run("waitstatus", source: source)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n")
    }

    @Test func decodingMatchesGlibcMacrosOnEverySixteenBitStatus() throws {
        let lines = try Self.hostOutput().filter { $0.hasPrefix("decode ") }
        #expect(lines.count == 0x10000)
        for line in lines {
            let v = line.split(separator: " ").dropFirst().compactMap { Int32($0) }
            guard v.count == 9 else { Issue.record("bad line \(line)"); continue }
            let s = v[0]
            let mine: [Int32] = [WaitStatus.ifExited(s) ? 1 : 0, WaitStatus.exitStatus(s), WaitStatus.ifSignaled(s) ? 1 : 0,
                                 WaitStatus.termSig(s), WaitStatus.coreDump(s) ? 1 : 0, WaitStatus.ifStopped(s) ? 1 : 0,
                                 WaitStatus.stopSig(s), WaitStatus.ifContinued(s) ? 1 : 0]
            if Array(v[1...]) != mine { Issue.record("status \(s): host \(Array(v[1...])), kernel \(mine)") }
        }
    }

    static func events() throws -> [Event] {
        try hostOutput().filter { !$0.hasPrefix("decode ") }.map { line in
            let w = line.split(separator: " ")
            let n = { (i: Int) in Int32(w[i]) ?? -999 }
            #expect(w.count == 14 && w[11] == "1" && w[13] == "1", "si_pid/si_uid wrong: \(line)")
            return Event(kind: String(w[0]), arg: n(1), status: n(3), signo: n(5), code: n(7), siStatus: n(9))
        }
    }

    func expectSigInfo(_ e: Event) {
        let info = ChildInfo(pid: 1, uid: 0, waitStatus: e.status)
        #expect(e.signo == ChildInfo.sigchld, "\(e)")
        #expect(info.code == e.code && info.status == e.siStatus, "\(e): kernel code \(info.code) status \(info.status)")
    }

    @Test func exitCodesEncodeAsTheHostKernelDoes() throws {
        let exits = try Self.events().filter { $0.kind == "exit" }
        #expect(exits.count == 8)
        for e in exits {
            #expect(e.status == WaitStatus.exited(code: e.arg), "exit(\(e.arg))")
            #expect(WaitStatus.shellStatus(e.status) == e.arg & 0xff)
            expectSigInfo(e)
        }
    }

    /// Every signal 1...64 sent to a child at its default action: it dies
    /// (terminate and core alike: cores are disabled, so WCOREDUMP is 0 and
    /// the core/terminate split is signal(7)'s table, not checked here),
    /// lives on (ignore, continue) or stops, then continues and exits.
    @Test func defaultActionsMatchTheHostKernel() throws {
        let events = try Self.events()
        for sig in Int32(1)...64 {
            let e = try #require(events.first { $0.kind == "signal" && $0.arg == sig })
            expectSigInfo(e)
            switch try #require(DefaultAction.of(sig)) {
            case .terminate, .core:
                #expect(e.status == WaitStatus.killed(by: sig, coreDumped: false), "signal \(sig): \(e)")
                #expect(WaitStatus.shellStatus(e.status) == 128 + sig)
            case .ignore, .continue:
                #expect(e.status == WaitStatus.exited(code: 100), "signal \(sig): \(e)")
            case .stop:
                #expect(e.status == WaitStatus.stopped(by: sig), "signal \(sig): \(e)")
                let c = try #require(events.first { $0.kind == "continue" && $0.arg == sig })
                #expect(c.status == WaitStatus.continued)
                expectSigInfo(c)
                let a = try #require(events.first { $0.kind == "after" && $0.arg == sig })
                #expect(a.status == WaitStatus.exited(code: 100))
            }
        }
        #expect(DefaultAction.of(0) == nil && DefaultAction.of(65) == nil)
    }

    /// The core-dumping set of signal(7) (not observable with cores off).
    @Test func coreSignalsAreSignalSevensList() {
        let core = (Int32(1)...64).filter { DefaultAction.of($0) == .core }
        #expect(core == [3, 4, 5, 6, 7, 8, 11, 24, 25, 31])
        #expect(WaitStatus.coreDump(WaitStatus.killed(by: 11, coreDumped: true)))
        #expect(ChildInfo(pid: 1, uid: 0, waitStatus: WaitStatus.killed(by: 11, coreDumped: true)).code == SigInfo.cldDumped)
        #expect(DefaultAction.unblockable == (1 << 8 | 1 << 18))
    }

    @Test func childInfoFillsTheSigInfoBytes() {
        var bytes = [UInt8](repeating: 0xaa, count: SigInfo.size)
        bytes.withUnsafeMutableBytes { ChildInfo(pid: 0x1234, uid: 7, waitStatus: WaitStatus.exited(code: 3)).write(to: $0.baseAddress!) }
        func word(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        #expect(word(0) == 17 && word(4) == 0 && word(8) == 1 && word(16) == 0x1234 && word(20) == 7 && word(24) == 3)
        #expect(bytes[28...].allSatisfy { $0 == 0 })
    }
}

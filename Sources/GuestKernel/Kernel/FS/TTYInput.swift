import KernelSupport

/// The console's input: the COM1 UART's receiver (its interrupt, PIC.swift)
/// into a 4 KiB buffer (N_TTY_BUF_SIZE), read through the line discipline
/// of Linux's n_tty (drivers/tty/n_tty.c) as the termios in ConsoleTTY
/// say: ICRNL/INLCR/IGNCR, ICANON line editing (ERASE, KILL, EOF, NL and
/// EOL end a line), ECHO (ECHOE, ECHOK, ECHOCTL, ECHONL), ISIG (INTR, QUIT,
/// SUSP signal the foreground process group and flush unless NOFLSH);
/// background groups get SIGTTIN/SIGTTOU (TTYJobControl).
/// The VMM says on the command line what stdin is (`console.input=`):
/// `tty`: the program's stdin is the console; `pipe`: its stdin is a pipe
/// of raw bytes (ConsoleInputOps); absent: nothing to read (end of file).
/// The end of vmm's stdin drops the UART's carrier (MSR.DCD): once the
/// buffer is read, reads return 0, as at a pipe's end (not a hangup:
/// output still works).
/// Full buffer: the UART is left holding its bytes (and the VMM its
/// stdin) until a read makes room; each read pulls what the UART has.
enum TTYInput {
    typealias Mode = ConsoleInputMode

    static let rbr = UInt16(VMM_PORT_COM1)
    static let ier = UInt16(VMM_PORT_COM1 + 1)
    static let mcr = UInt16(VMM_PORT_COM1 + 4)
    static let lsr = UInt16(VMM_PORT_COM1 + 5)
    static let msr = UInt16(VMM_PORT_COM1 + 6)
    static let capacity = 4096
    /// Readers of the console sleep on it.
    static let channel: UInt64 = 0x10_0000_0000

    nonisolated(unsafe) static var mode = Mode.none
    nonisolated(unsafe) static var buffer = UnsafeMutablePointer<UInt8>(bitPattern: 0)
    /// Per byte: it ends a canonical line (NL, EOL, or EOF which is not returned).
    nonisolated(unsafe) static var delimiter = UnsafeMutablePointer<Bool>(bitPattern: 0)
    nonisolated(unsafe) static var head = 0         // first unread byte
    nonisolated(unsafe) static var count = 0        // bytes in the buffer
    nonisolated(unsafe) static var lines = 0        // delimiters in the buffer
    nonisolated(unsafe) static var ended = false    // the carrier dropped: no more input
    /// The foreground process group (TIOCGPGRP/TIOCSPGRP) and session of
    /// the console, the controlling terminal of the first program's session.
    nonisolated(unsafe) static var foreground: Int32 = 0
    nonisolated(unsafe) static var session: Int32 = 0

    static func initialize(_ m: Mode) {
        mode = m
        guard m != .none, PIC.enabledForConsole() else { mode = .none; return }
        buffer = .allocate(capacity: capacity)
        delimiter = .allocate(capacity: capacity)
        outb(mcr, 0x0b)                 // DTR, RTS, OUT2 (the interrupt output on a PC)
        outb(ier, 0x09)                 // received data, modem status
        receive()
    }

    /// Input can still come: a sleeper on it is not a deadlock.
    static var live: Bool { mode != .none && !ended }

    // MARK: the receiver

    /// Takes every byte the UART has while there is room; notes the carrier's
    /// drop. The interrupt handler and every read call it.
    static func receive() {
        guard mode != .none, let b = buffer else { return }
        var woke = false
        if bulk { woke = receiveBulk(b) }
        if !bulk {
            while count < capacity && inb(lsr) & 1 != 0 {
                if take(inb(rbr), b) { woke = true }
            }
            if count < capacity && !ended && inb(msr) & 0x80 == 0 { ended = true; woke = true }
        }
        if woke { Scheduler.wakeup(channel) }
    }

    /// VMM_HC_CONSOLE_READ is answered (else RBR a byte at a time).
    nonisolated(unsafe) static var bulk = true
    nonisolated(unsafe) static var staging = UnsafeMutablePointer<UInt8>(bitPattern: 0)
    static let stagingSize = 256

    /// The received bytes by VMM_HC_CONSOLE_READ, one exit per buffer: pipe
    /// mode straight into the buffer, tty mode through `take`.
    private static func receiveBulk(_ b: UnsafeMutablePointer<UInt8>) -> Bool {
        if staging == nil { staging = .allocate(capacity: stagingSize) }
        guard let s = staging else { return false }
        var woke = false
        while count < capacity && !ended {
            let tail = (head + count) % capacity
            let want = mode == .pipe ? min(capacity - count, capacity - tail) : min(capacity - count, stagingSize)
            let target = mode == .pipe ? b + tail : s
            let (n, drained) = Hypercall.consoleRead(UInt64(UInt(bitPattern: target)) &- Physical.kernelVirtualBase, want)
            if n == Int64(VMM_HC_ENOSYS) { bulk = false; return woke }
            guard n >= 0 && n <= Int64(want) else { return woke }
            let got = Int(n)
            if mode == .pipe {
                count += got            // no line discipline: `delimiter` is not used
                if got > 0 { woke = true }
            } else {
                for i in 0..<got where take(s[i], b) { woke = true }
            }
            if drained {
                ended = true
                woke = true
                _ = inb(msr)            // clears the UART's DDCD: its interrupt ends
            }
            if got < want { break }
        }
        return woke
    }

    static var termios: UnsafeMutableRawPointer { ConsoleTTY.termios }
    static func flag(_ offset: Int, _ bit: UInt32) -> Bool { termios.load(fromByteOffset: offset, as: UInt32.self) & bit != 0 }
    static func cc(_ i: Int) -> UInt8 { termios.load(fromByteOffset: 17 + i, as: UInt8.self) }
    static let VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VMIN = 6, VSUSP = 10, VEOL = 11, VWERASE = 14, VEOL2 = 16
    static let ISIG: UInt32 = 0o1, ICANON: UInt32 = 0o2, ECHO: UInt32 = 0o10, ECHOE: UInt32 = 0o20
    static let ECHOK: UInt32 = 0o40, ECHONL: UInt32 = 0o100, NOFLSH: UInt32 = 0o200, ECHOCTL: UInt32 = 0o1000
    static let ECHOKE: UInt32 = 0o4000, IEXTEN: UInt32 = 0o100000
    static let INLCR: UInt32 = 0o100, IGNCR: UInt32 = 0o200, ICRNL: UInt32 = 0o400, ISTRIP: UInt32 = 0o40

    static var canonical: Bool { mode == .tty && flag(12, ICANON) }

    /// One received byte through the line discipline (n_tty_receive_char);
    /// true when a reader may proceed.
    private static func take(_ byte: UInt8, _ b: UnsafeMutablePointer<UInt8>) -> Bool {
        guard mode == .tty else { append(byte, delimits: false, b); return true }
        var c = byte
        if flag(0, ISTRIP) { c &= 0x7f }
        if c == 0x0d {
            if flag(0, IGNCR) { return false }
            if flag(0, ICRNL) { c = 0x0a }
        } else if c == 0x0a && flag(0, INLCR) {
            c = 0x0d
        }
        if flag(12, ISIG) {
            let sig: Int32 = c == cc(VINTR) ? 2 : c == cc(VQUIT) ? 3 : c == cc(VSUSP) ? 20 : 0
            if sig != 0 && c != 0 {
                if !flag(12, NOFLSH) { flush() }
                echoControl(c)
                signalGroup(foreground, sig)
                return false
            }
        }
        if flag(12, ICANON) {
            if c == cc(VERASE) && c != 0 { erase(); return false }
            if c == cc(VKILL) && c != 0 { while erase() {}; if flag(12, ECHOK) && !flag(12, ECHOKE) { echo(0x0a) }; return false }
            if c == cc(VWERASE) && c != 0 && flag(12, IEXTEN) {
                while let last = lastInLine(), last == 0x20 { _ = erase() }
                while let last = lastInLine(), last != 0x20 { _ = erase() }
                return false
            }
            if c == cc(VEOF) && c != 0 {
                append(c, delimits: true, b)      // ends the line; not returned
                return true
            }
            let ends = c == 0x0a || (c == cc(VEOL) && c != 0) || (c == cc(VEOL2) && c != 0 && flag(12, IEXTEN))
            if c == 0x0a { if flag(12, ECHO) || flag(12, ECHONL) { echo(c) } } else { echoControl(c) }
            append(c, delimits: ends, b)
            return ends
        }
        echoControl(c)
        append(c, delimits: false, b)
        return true
    }

    private static func append(_ c: UInt8, delimits: Bool, _ b: UnsafeMutablePointer<UInt8>) {
        guard count < capacity, let d = delimiter else { return }
        let i = (head + count) % capacity
        b[i] = c
        d[i] = delimits
        count += 1
        if delimits { lines += 1 }
    }

    /// The last byte of the line being edited, if any.
    private static func lastInLine() -> UInt8? {
        guard count > 0, let b = buffer, let d = delimiter else { return nil }
        let i = (head + count - 1) % capacity
        return d[i] ? nil : b[i]
    }

    /// Removes the line's last byte (echoing "\b \b" with ECHOE); false when the line is empty.
    @discardableResult
    private static func erase() -> Bool {
        guard let c = lastInLine() else { return false }
        count -= 1
        if flag(12, ECHO) && flag(12, ECHOE) {
            let width = c < 0x20 && c != 0x09 && flag(12, ECHOCTL) ? 2 : 1
            for _ in 0..<width { Console.write("\u{8} \u{8}") }
        }
        return true
    }

    private static func flush() { head = 0; count = 0; lines = 0 }

    /// TCFLSH TCIFLUSH, TCSETSF: discards what was received and not read.
    static func flushInput() { flush() }

    /// The session of process group `pgrp`, nil when no process is in it.
    static func sessionOfGroup(_ pgrp: Int32) -> Int32? {
        guard let t = Processes.table else { return nil }
        for i in 0..<Processes.slotsInUse where t[i].state != .free && t[i].state != .zombie && t[i].pgid == pgrp {
            return t[i].sid
        }
        return nil
    }

    /// The console becomes the controlling terminal of `p`'s session, `p`'s
    /// group its foreground (a session leader's first terminal; the run
    /// list's programs each start one, as under `setsid -c`).
    static func control(_ p: UnsafeMutablePointer<Process>) {
        session = p.pointee.sid
        foreground = p.pointee.pgid
    }

    private static func echo(_ c: UInt8) { Console.put(c) }

    /// ECHO of a received byte: control characters as ^X with ECHOCTL (not TAB or NL).
    private static func echoControl(_ c: UInt8) {
        guard flag(12, ECHO) else { return }
        if flag(12, ECHOCTL) && (c < 0x20 || c == 0x7f) && c != 0x09 && c != 0x0a {
            echo(0x5e)
            echo(c == 0x7f ? 0x3f : c + 0x40)
        } else {
            echo(c)
        }
    }

    /// The signal to every process of group `pgrp` from the terminal
    /// (kill_pgrp(..., 1): SI_KERNEL): ISIG's to the foreground (isig(),
    /// n_tty.c), SIGTTIN/SIGTTOU to a background group (TTYJobControl).
    static func signalGroup(_ pgrp: Int32, _ sig: Int32) {
        guard pgrp > 0, let t = Processes.table else { return }
        for i in 0..<Processes.slotsInUse where t[i].state != .free && t[i].state != .zombie && t[i].pgid == pgrp {
            Signals.send(t + i, QueuedSignal.kernel(sig))
        }
    }

    // MARK: readers

    /// Bytes a read would return now (FIONREAD; poll's POLLIN when > 0 or ended).
    static var readable: Int {
        if canonical { return lines > 0 ? count : 0 }
        return count
    }

    /// read(2) of the console input: canonical reads return one line at
    /// most (the NL kept, an EOF character dropped: a line of only EOF
    /// reads as 0); raw reads what is there (VMIN 0: without waiting).
    /// Sleeps while nothing is readable and input can still come.
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>, _ buf: UInt64, _ n: UInt64) -> Int64 {
        guard mode != .none, n > 0 else { return 0 }
        while true {
            receive()
            if readable > 0 { return copyOut(p, buf, n) }
            if ended { return 0 }
            if !canonical && mode == .tty && cc(VMIN) == 0 { return 0 }
            if f.pointee.statusFlags & 0o4000 != 0 { return -Errno.EAGAIN }      // O_NONBLOCK
            Scheduler.sleep(on: channel)
            if Signals.interrupted(p) { return -Errno.ERESTARTSYS }
        }
    }

    private static func copyOut(_ p: UnsafeMutablePointer<Process>, _ buf: UInt64, _ n: UInt64) -> Int64 {
        guard let b = buffer, let d = delimiter else { return 0 }
        if mode == .pipe {
            // Raw bytes: the ring's (at most two) spans, copied whole.
            let total = Int(min(UInt64(count), n))
            let first = min(total, capacity - head)
            guard UserMemory.copyOut(p, to: buf, from: b + head, count: first),
                  UserMemory.copyOut(p, to: buf + UInt64(first), from: b, count: total - first) else { return -Errno.EFAULT }
            head = (head + total) % capacity
            count -= total
            receive()
            return Int64(total)
        }
        var done: UInt64 = 0
        var chunk: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &chunk) { tmp -> Int64 in
            var filled = 0
            var endOfLine = false
            while count > 0 && done + UInt64(filled) < n && !endOfLine {
                let c = b[head], delim = d[head]
                let eof = canonical && delim && c == cc(VEOF)
                head = (head + 1) % capacity
                count -= 1
                if delim { lines -= 1; endOfLine = canonical }
                if eof { break }
                tmp[filled] = c
                filled += 1
                if filled == tmp.count {
                    guard UserMemory.copyOut(p, to: buf + done, from: tmp.baseAddress!, count: filled) else { return -Errno.EFAULT }
                    done += UInt64(filled)
                    filled = 0
                }
            }
            if filled > 0 {
                guard UserMemory.copyOut(p, to: buf + done, from: tmp.baseAddress!, count: filled) else { return -Errno.EFAULT }
                done += UInt64(filled)
            }
            receive()           // room was made: take what the UART still holds
            return Int64(done)
        }
    }

    /// poll: POLLIN when a read would not block.
    static func pollIn() -> Bool {
        receive()
        return mode == .none || readable > 0 || ended || (mode == .tty && !canonical && cc(VMIN) == 0)
    }
}

extension PIC {
    /// Enables IRQ 4 for the console's input; false without a LAPIC (no
    /// in-kernel irqchip: no interrupts, so no input).
    static func enabledForConsole() -> Bool {
        enableConsole()
        return enabled
    }
}

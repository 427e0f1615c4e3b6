/// The console's terminal settings, as tty_std_termios in Linux
/// (drivers/tty/tty_io.c) but without output post-processing: the VMM gets the
/// program's bytes unchanged.
enum ConsoleTTY {
    /// The kernel's struct termios for TCGETS (asm-generic/termbits.h, NCCS 19):
    /// not libc's 60-byte one.
    static let size = 36

    nonisolated(unsafe) static let termios: UnsafeMutableRawPointer = {
        let t = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        t.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        t.storeBytes(of: UInt32(0o2400), toByteOffset: 0, as: UInt32.self)      // c_iflag ICRNL | IXON
        t.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)           // c_oflag: no OPOST
        t.storeBytes(of: UInt32(0o2277), toByteOffset: 8, as: UInt32.self)       // c_cflag B38400 | CS8 | CREAD | HUPCL
        t.storeBytes(of: UInt32(0o105073), toByteOffset: 12, as: UInt32.self)   // c_lflag ISIG ICANON ECHO... IEXTEN
        // c_cc (INIT_C_CC): intr ^C, quit ^\\, erase DEL, kill ^U, eof ^D, time 0, min 1, ...
        let cc: [UInt8] = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0]
        for (i, c) in cc.enumerated() { t.storeBytes(of: c, toByteOffset: 17 + i, as: UInt8.self) }
        return t
    }()

    nonisolated(unsafe) static let winsize: UnsafeMutableRawPointer = {
        let w = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        w.initializeMemory(as: UInt8.self, repeating: 0, count: 8)
        return w
    }()
}

/// The console (/dev/console, /dev/tty): output goes to the VMM unchanged;
/// input comes through TTYInput's line discipline (end of file at once when
/// the VMM gives none).
enum ConsoleOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        let denied = TTYJobControl.check(p, TTYJobControl.SIGTTIN)      // n_tty_read's job_control, first
        if denied != 0 { return denied }
        return TTYInput.mode == .pipe ? 0 : TTYInput.read(p, f, buf, n)
    }

    @inline(never)
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 {
        let denied = TTYJobControl.checkWrite(p)                        // even of 0 bytes, as n_tty_write
        if denied != 0 { return denied }
        var done: UInt64 = 0
        _ = UserMemory.forEachChunk(p, buf, n, write: false) { src, count in
            Console.write(bytes: src, count: count)
            done += UInt64(count)
        }
        if done == 0 && n > 0 { return -Errno.EFAULT }
        return Int64(done)
    }

    /// A terminal has a poll (n_tty_poll): output always ready, input when
    /// a read would not block.
    static var canPoll: Bool { true }

    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 {
        let input = TTYInput.mode == .pipe || TTYInput.pollIn()
        return Poll.OUT | Poll.WRNORM | (input ? Poll.IN | Poll.RDNORM : 0)
    }

    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64 { writer ? 0 : TTYInput.channel }

    static let TCGETS: UInt64 = 0x5401, TCSETS: UInt64 = 0x5402, TCSETSW: UInt64 = 0x5403, TCSETSF: UInt64 = 0x5404
    static let TCSBRK: UInt64 = 0x5409, TCXONC: UInt64 = 0x540a, TCFLSH: UInt64 = 0x540b
    static let TIOCSCTTY: UInt64 = 0x540e, TIOCGPGRP: UInt64 = 0x540f, TIOCSPGRP: UInt64 = 0x5410
    static let TIOCGWINSZ: UInt64 = 0x5413, TIOCSWINSZ: UInt64 = 0x5414, FIONREAD: UInt64 = 0x541b
    static let TIOCNOTTY: UInt64 = 0x5422, TIOCGSID: UInt64 = 0x5429

    /// ioctl_tty(2): TCGETS/TCSETS* (the kernel's struct termios, 36 bytes:
    /// four flag words, c_line, c_cc[19]; TCSETSF flushes input),
    /// TIOCGWINSZ/TIOCSWINSZ (0 x 0, as a Linux serial console reports),
    /// the job-control calls (TIOCGPGRP, TIOCSPGRP, TIOCGSID: ENOTTY unless
    /// the console is the caller's controlling terminal, as tiocgpgrp() and
    /// tiocspgrp() in tty_jobctrl.c), FIONREAD, and tcdrain/tcflow/tcflush
    /// (TCSBRK, TCXONC, TCFLSH: nothing is queued for output). Output is not
    /// translated (c_oflag has no OPOST). Everything else is ENOTTY. The calls
    /// that change the terminal are a background group's SIGTTOU
    /// (TTYJobControl; TIOCSPGRP's EIO is ENOTTY, as tiocspgrp()).
    @inline(never)
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64 {
        let t = ConsoleTTY.termios
        switch cmd & 0xffff_ffff {
        case TCSETS, TCSETSW, TCSETSF, TCSBRK, TCXONC, TCFLSH, TIOCSPGRP:
            let denied = TTYJobControl.check(p, TTYJobControl.SIGTTOU)
            if denied == -Errno.EIO && cmd & 0xffff_ffff == TIOCSPGRP { return -Errno.ENOTTY }
            if denied != 0 { return denied }
        default: break
        }
        switch cmd & 0xffff_ffff {
        case TCGETS:
            return UserMemory.copyOut(p, to: arg, from: t, count: ConsoleTTY.size) ? 0 : -Errno.EFAULT
        case TCSETS, TCSETSW, TCSETSF:
            guard UserMemory.copyIn(p, to: t, from: arg, count: ConsoleTTY.size) else { return -Errno.EFAULT }
            if cmd & 0xffff_ffff == TCSETSF { TTYInput.flushInput() }
            return 0
        case TIOCGPGRP, TIOCGSID:
            guard p.pointee.sid == TTYInput.session else { return -Errno.ENOTTY }
            var v = cmd & 0xffff_ffff == TIOCGPGRP ? TTYInput.foreground : TTYInput.session
            return UserMemory.copyOut(p, to: arg, from: &v, count: 4) ? 0 : -Errno.EFAULT
        case TIOCSPGRP:
            guard p.pointee.sid == TTYInput.session else { return -Errno.ENOTTY }
            var v: Int32 = 0
            guard UserMemory.copyIn(p, to: &v, from: arg, count: 4) else { return -Errno.EFAULT }
            guard v >= 0 else { return -Errno.EINVAL }
            guard let sid = TTYInput.sessionOfGroup(v) else { return -Errno.ESRCH }
            guard sid == TTYInput.session else { return -Errno.EPERM }
            TTYInput.foreground = v
            return 0
        case TIOCSCTTY:
            // Already this session's controlling terminal: nothing to do (tiocsctty).
            if p.pointee.sid == TTYInput.session && p.pointee.pid == p.pointee.sid { return 0 }
            return -Errno.EPERM
        case TIOCNOTTY:
            return p.pointee.sid == TTYInput.session ? 0 : -Errno.ENOTTY
        case FIONREAD:
            var v = Int32(TTYInput.mode == .tty ? TTYInput.readable : 0)
            return UserMemory.copyOut(p, to: arg, from: &v, count: 4) ? 0 : -Errno.EFAULT
        case TCSBRK, TCXONC:
            return 0
        case TCFLSH:
            guard arg <= 2 else { return -Errno.EINVAL }
            if arg != 1 { TTYInput.flushInput() }      // TCIFLUSH or TCIOFLUSH
            return 0
        case TIOCGWINSZ:
            return UserMemory.copyOut(p, to: arg, from: ConsoleTTY.winsize, count: 8) ? 0 : -Errno.EFAULT
        case TIOCSWINSZ:
            return UserMemory.copyIn(p, to: ConsoleTTY.winsize, from: arg, count: 8) ? 0 : -Errno.EFAULT
        default:
            return -Errno.ENOTTY
        }
    }

    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 6, mode: f.mode) }
}

/// The guest's stdin when vmm's is not a terminal (`console.input=pipe`):
/// the console's input as raw bytes with no line discipline and no echo,
/// shaped as a pipe's read end (S_IFIFO, not a tty: isatty(0) is false, as
/// for `docker run -i` without -t or `ssh host cmd < file`); end of file
/// when vmm's stdin ends.
enum ConsoleInputOps: FileOperations {
    static let inode: UInt64 = 1       // the only inode of its pipefs
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 {
        TTYInput.read(p, f, buf, n)
    }

    static var canPoll: Bool { true }

    /// pipe_poll: POLLIN with bytes, POLLHUP once the writer (vmm's stdin) is gone.
    static func poll(_ f: UnsafeMutablePointer<OpenFile>) -> UInt32 {
        TTYInput.receive()
        return (TTYInput.readable > 0 ? Poll.IN | Poll.RDNORM : 0) | (TTYInput.ended ? Poll.HUP : 0)
    }

    static func channel(_ f: UnsafeMutablePointer<OpenFile>, writer: Bool) -> UInt64 { writer ? 0 : TTYInput.channel }

    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64 {
        guard cmd & 0xffff_ffff == ConsoleOps.FIONREAD else { return -Errno.ENOTTY }
        var v = Int32(TTYInput.readable)
        return UserMemory.copyOut(p, to: arg, from: &v, count: 4) ? 0 : -Errno.EFAULT
    }

    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 12, mode: f.mode) }   // pipefs's st_dev minor
}

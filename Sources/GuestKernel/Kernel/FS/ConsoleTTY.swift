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
/// there is no input device yet, so reads end at once (EOF).
enum ConsoleOps: FileOperations {
    static func read(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                     _ buf: UInt64, _ n: UInt64, at offset: UInt64) -> Int64 { 0 }

    @inline(never)
    static func write(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ buf: UInt64, _ n: UInt64, at offset: UInt64?) -> Int64 {
        var done: UInt64 = 0
        _ = UserMemory.forEachChunk(p, buf, n, write: false) { src, count in
            Console.write(bytes: src, count: count)
            done += UInt64(count)
        }
        if done == 0 && n > 0 { return -Errno.EFAULT }
        return Int64(done)
    }

    /// A terminal has a poll (n_tty_poll): output always ready, input at EOF.
    static var canPoll: Bool { true }

    static let TCGETS: UInt64 = 0x5401, TCSETS: UInt64 = 0x5402, TCSETSW: UInt64 = 0x5403, TCSETSF: UInt64 = 0x5404
    static let TIOCGWINSZ: UInt64 = 0x5413, TIOCSWINSZ: UInt64 = 0x5414

    /// ioctl_tty(2): TCGETS/TCSETS* (the kernel's struct termios, 36 bytes:
    /// four flag words, c_line, c_cc[19]) and TIOCGWINSZ/TIOCSWINSZ (0 x 0,
    /// as a Linux serial console reports). Output is not translated (c_oflag
    /// has no OPOST). Everything else is ENOTTY.
    @inline(never)
    static func ioctl(_ p: UnsafeMutablePointer<Process>, _ f: UnsafeMutablePointer<OpenFile>,
                      _ cmd: UInt64, _ arg: UInt64) -> Int64 {
        let t = ConsoleTTY.termios
        switch cmd & 0xffff_ffff {
        case TCGETS:
            return UserMemory.copyOut(p, to: arg, from: t, count: ConsoleTTY.size) ? 0 : -Errno.EFAULT
        case TCSETS, TCSETSW, TCSETSF:
            return UserMemory.copyIn(p, to: t, from: arg, count: ConsoleTTY.size) ? 0 : -Errno.EFAULT
        case TIOCGWINSZ:
            return UserMemory.copyOut(p, to: arg, from: ConsoleTTY.winsize, count: 8) ? 0 : -Errno.EFAULT
        case TIOCSWINSZ:
            return UserMemory.copyIn(p, to: ConsoleTTY.winsize, from: arg, count: 8) ? 0 : -Errno.EFAULT
        default:
            return -Errno.ENOTTY
        }
    }

    static func stat(_ f: OpenFile) -> FileStat { FileStat(dev: 6, rdev: (5, 1), mode: f.mode) }
}

import Glibc

/// vmm's terminal while a guest owns it: raw input (termios(3)) so every key
/// reaches the guest's own line discipline, which echoes, edits lines and
/// turns Ctrl-C into SIGINT for the guest's foreground process; output
/// processing (OPOST, ONLCR) stays on, since the guest's console sends "\n"
/// alone. Restored by `restore()`, which runMachine calls on every exit
/// path it has, and at exit(3) (atexit) for the paths that exit early.
enum HostTerminal {
    nonisolated(unsafe) private static var saved: termios?
    nonisolated(unsafe) private static var fd: Int32 = 0
    nonisolated(unsafe) private static var registered = false

    /// Puts `fd` in raw mode; false when it is not a terminal.
    @discardableResult
    static func enterRaw(fd: Int32 = 0) -> Bool {
        var t = termios()
        guard isatty(fd) == 1, tcgetattr(fd, &t) == 0 else { return false }
        saved = t
        Self.fd = fd
        if !registered { registered = true; atexit { HostTerminal.restore() } }
        // cfmakeraw's input and local flags; OPOST kept.
        t.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON)
        t.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        t.c_cflag = (t.c_cflag & ~tcflag_t(CSIZE | PARENB)) | tcflag_t(CS8)
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        return tcsetattr(fd, TCSANOW, &t) == 0
    }

    /// Puts the terminal back as it was (no-op when not in raw mode).
    static func restore() {
        guard var t = saved else { return }
        saved = nil
        _ = tcsetattr(fd, TCSANOW, &t)
    }
}

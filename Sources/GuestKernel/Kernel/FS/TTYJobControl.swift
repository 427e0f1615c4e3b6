/// Job control on the console (Linux's __tty_check_change, drivers/tty/
/// tty_jobctrl.c; termios(3) "Terminal access control"): a process of the
/// console's session outside its foreground group that reads the console
/// gets SIGTTIN; one that writes with TOSTOP set, or changes the terminal
/// (TCSETS*, TIOCSPGRP, TCFLSH, TCSBRK, TCXONC), gets SIGTTOU. The signal goes
/// to its whole group and the call is restarted when the group is continued
/// (-ERESTARTSYS; a handler without SA_RESTART sees EINTR). The signal
/// blocked or ignored: a read is EIO, the rest goes ahead. An orphaned group
/// (SignalDelivery.orphanedGroup) is not stopped: EIO.
/// Linux exempts descriptors opened as /dev/console (console_fops); here the
/// console is the session's own terminal however it was opened, as ttyS0
/// would be.
enum TTYJobControl {
    static let SIGTTIN: Int32 = 21, SIGTTOU: Int32 = 22
    static let TOSTOP: UInt32 = 0o400

    /// 0 when `p` may go on with the console; else the call's result.
    static func check(_ p: UnsafeMutablePointer<Process>, _ sig: Int32) -> Int64 {
        let fg = TTYInput.foreground
        guard p.pointee.sid == TTYInput.session, fg > 0, p.pointee.pgid != fg else { return 0 }
        if p.pointee.signalMask & DefaultAction.maskBit(sig) != 0 || Signals.handler(p, sig) == Signals.SIG_IGN {
            return sig == SIGTTIN ? -Errno.EIO : 0
        }
        if SignalDelivery.orphanedGroup(p.pointee.pgid) { return -Errno.EIO }
        TTYInput.signalGroup(p.pointee.pgid, sig)
        return -Errno.ERESTARTSYS
    }

    /// n_tty_write's check: only with TOSTOP.
    static func checkWrite(_ p: UnsafeMutablePointer<Process>) -> Int64 {
        TTYInput.flag(12, TOSTOP) ? check(p, SIGTTOU) : 0
    }
}
